/* CSV as spreadsheets write it (RFC 4180 and what Excel does beyond it): a reader over a buffer
 * in memory with capped rows, delimiter detection, Windows-1251 → UTF-8 for files saved by a
 * Russian Excel, and a writer that quotes where needed and can defuse spreadsheet formulas. */
#ifndef VK_CSV_H
#define VK_CSV_H
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/rc.h"

#define CSV_MAX_FIELDS 512          /* columns per row */
#define CSV_MAX_ROW (1024 * 1024)   /* bytes of one row's content */

struct csv_reader;

/* A reader over data[0..len) (not copied: data must outlive the reader). A leading UTF-8 BOM
 * is skipped. delimiter is ',', ';', '\t' or '|'. */
struct csv_reader *csv_reader_new(const char *data, size_t len, char delimiter);
void csv_reader_free(struct csv_reader *r);

/* The next row. *fields points at *n NUL-terminated fields, valid until the next call.
 * Quoted fields may hold delimiters, quotes ("") and line breaks; CRLF, LF and CR all end a
 * row; empty lines are skipped. Returns 1 for a row, 0 at the end, -1 for input that is not
 * CSV (unterminated quote, NUL byte, a row over CSV_MAX_ROW or CSV_MAX_FIELDS) with err set. */
int csv_next(struct csv_reader *r, const char *const **fields, int *n, struct vk_err *err);
/* The line (1-based) on which the last returned row started. */
long csv_line(const struct csv_reader *r);

/* The delimiter the first lines use most consistently: ';' ',' '\t' or '|' (',' if none). */
char csv_detect_delimiter(const char *data, size_t len);
bool csv_utf8_valid(const char *s, size_t len);
/* Windows-1251 (Excel's "CSV" on a Russian Windows) to UTF-8; false if out would overflow. */
bool csv_cp1251_to_utf8(const char *in, size_t len, struct buf *out);

/* Append one field to a row being written: the delimiter first unless it is the row's first
 * field, quotes when the text holds the delimiter, a quote or a line break. guard: a text a
 * person typed that starts with = + - @ (or a tab/CR) gets a leading ' so a spreadsheet shows
 * it instead of evaluating it (CSV injection). false if b is full. */
bool csv_put(struct buf *b, const char *s, char delimiter, bool first, bool guard);
bool csv_end_row(struct buf *b); /* CRLF, as RFC 4180 and Excel want */
#endif
