/* Export of a filtered list of contacts, companies or deals to CSV or XLSX, within the role's
 * export scope. Rows are read a page at a time (keyset, as the list endpoint pages), so an
 * export of a million records holds one page in memory, not the list. */
#ifndef VK_CRM_EXPORT_H
#define VK_CRM_EXPORT_H
#include "core/buf.h"
#include "crm/record.h"

struct export;

/* Start an export of e with the list's query arguments (q, filters, sort; limit and cursor are
 * the export's own and are ignored). Checks the role's export scope (VK_EFORBIDDEN without one)
 * and the query (VK_EINVAL) and reads the first page, so every refusal happens before a byte
 * of the file is sent. The export keeps its own copy of what it needs from p and args; what
 * err points at on failure lives in a. */
enum vk_rc export_begin(struct store *s, const struct principal *p, const struct entity *e,
                        const struct query_arg *args, int n_args, struct arena *a, struct export **out,
                        struct vk_err *err);
/* Append the next part of the CSV file to out: the BOM and the header row first, then a page
 * of rows. *done is set (and nothing appended) once everything was written. Runs on whichever
 * thread sends the response; it reads through that thread's connection. */
enum vk_rc export_csv_next(struct export *x, struct buf *out, char delimiter, bool *done);
/* Write the whole export as an XLSX workbook at path (libxlsxwriter in constant-memory mode:
 * rows go to a temporary file as they are written). VK_EUNPROC past Excel's row limit. */
enum vk_rc export_xlsx(struct export *x, const char *path, struct vk_err *err);
int64_t export_rows(const struct export *x);
/* Log the export and put it on the exporting user's timeline (kind "export": entity, format,
 * rows, query, complete or cut short), then free x. */
void export_finish(struct export *x, const char *format, bool complete);
#endif
