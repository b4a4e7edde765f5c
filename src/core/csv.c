#include "core/csv.h"
#include "core/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct csv_reader {
	const char *p, *end;
	char delimiter;
	long line, row_line;
	char *row;                 /* the row's fields, each NUL-terminated */
	size_t len, cap;
	size_t content;            /* bytes of the row other than the NULs */
	size_t offs[CSV_MAX_FIELDS];
	const char *fields[CSV_MAX_FIELDS];
};

struct csv_reader *csv_reader_new(const char *data, size_t len, char delimiter)
{
	struct csv_reader *r = xcalloc(1, sizeof *r);
	r->p = data;
	r->end = data + len;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
	r->delimiter = delimiter;
	r->line = 1;
	return r;
}

void csv_reader_free(struct csv_reader *r)
{
	if (!r)
		return;
	free(r->row);
	free(r);
}

long csv_line(const struct csv_reader *r)
{
	return r->row_line;
}

/* One byte of field content (or a field's NUL); false when the row outgrows CSV_MAX_ROW. */
static bool put(struct csv_reader *r, char c)
{
	if (c && ++r->content > CSV_MAX_ROW)
		return false;
	if (r->len == r->cap) {
		if (r->cap >= CSV_MAX_ROW + CSV_MAX_FIELDS)
			return false;
		r->cap = r->cap ? r->cap * 2 : 1024;
		if (r->cap > CSV_MAX_ROW + CSV_MAX_FIELDS)
			r->cap = CSV_MAX_ROW + CSV_MAX_FIELDS;
		r->row = xrealloc(r->row, r->cap);
	}
	r->row[r->len++] = c;
	return true;
}

int csv_next(struct csv_reader *r, const char *const **fields, int *n, struct vk_err *err)
{
	int count = 0;
	/* empty lines are not rows: spreadsheets leave them at the end of a file */
	while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
		if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
			r->p++;
		r->p++;
		r->line++;
	}
	if (r->p >= r->end)
		return 0;
	r->row_line = r->line;
	r->len = 0;
	r->content = 0;
	for (;;) {
		if (count == CSV_MAX_FIELDS) {
			vk_fail(err, VK_EINVAL, NULL, "line %ld has more than %d columns", r->row_line, CSV_MAX_FIELDS);
			return -1;
		}
		r->offs[count] = r->len;
		if (r->p < r->end && *r->p == '"') {
			long quote_line = r->line;
			r->p++;
			for (;;) {
				if (r->p >= r->end) {
					vk_fail(err, VK_EINVAL, NULL, "the quoted field that starts on line %ld never ends", quote_line);
					return -1;
				}
				char c = *r->p++;
				if (c == '"') {
					if (r->p < r->end && *r->p == '"') {
						r->p++;
					} else {
						break;
					}
				} else if (c == '\0') {
					goto nul;
				} else if (c == '\n' || (c == '\r' && !(r->p < r->end && *r->p == '\n'))) {
					r->line++;
				}
				if (!put(r, c))
					goto too_long;
			}
		}
		/* Unquoted text, or what follows a closing quote: kept as Excel keeps it. */
		while (r->p < r->end) {
			char c = *r->p;
			if (c == r->delimiter || c == '\n' || c == '\r')
				break;
			if (c == '\0')
				goto nul;
			if (!put(r, c))
				goto too_long;
			r->p++;
		}
		if (!put(r, '\0'))
			goto too_long;
		count++;
		if (r->p >= r->end)
			break;
		char c = *r->p++;
		if (c == r->delimiter)
			continue;
		if (c == '\r' && r->p < r->end && *r->p == '\n')
			r->p++;
		r->line++;
		break;
	}
	for (int i = 0; i < count; i++)
		r->fields[i] = r->row + r->offs[i];
	*fields = r->fields;
	*n = count;
	return 1;
too_long:
	vk_fail(err, VK_EINVAL, NULL, "the row that starts on line %ld is longer than %d bytes", r->row_line, CSV_MAX_ROW);
	return -1;
nul:
	vk_fail(err, VK_EINVAL, NULL, "line %ld contains a NUL byte: this is not a text (CSV) file", r->line);
	return -1;
}

/* Per candidate, its count on each of the first lines (outside quotes); the winner is the one
 * present on every line with the highest smallest count, so a comma inside "Иванов, ООО" on
 * one line does not outvote semicolons that separate every line. */
char csv_detect_delimiter(const char *data, size_t len)
{
	static const char cands[] = { ';', ',', '\t', '|' };
	enum { LINES = 10, N = sizeof cands };
	int counts[LINES][N];
	int lines = 0;
	bool quoted = false;
	memset(counts, 0, sizeof counts);
	size_t i = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	bool any = false;
	for (; i < len && lines < LINES; i++) {
		char c = data[i];
		if (c == '"') {
			quoted = !quoted;
		} else if (!quoted && (c == '\n' || c == '\r')) {
			if (any)
				lines++;
			any = false;
		} else if (!quoted) {
			any = true;
			for (int k = 0; k < N; k++)
				if (c == cands[k])
					counts[lines][k]++;
		}
	}
	if (any && lines < LINES)
		lines++;
	char best = ',';
	int best_min = 0, best_first = 0;
	for (int k = 0; k < N; k++) {
		int mn = lines ? counts[0][k] : 0;
		for (int l = 1; l < lines; l++)
			if (counts[l][k] < mn)
				mn = counts[l][k];
		int first = lines ? counts[0][k] : 0;
		if (mn > best_min || (mn == best_min && mn == 0 && first > best_first)) {
			best = cands[k];
			best_min = mn;
			best_first = first;
		}
	}
	return best;
}

bool csv_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	while (p < e) {
		unsigned c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		int n;
		uint32_t cp;
		if (c >= 0xC2 && c <= 0xDF)
			n = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3, cp = c & 0x07;
		else
			return false;
		if (e - p <= n)
			return false;
		for (int k = 1; k <= n; k++) {
			if ((p[k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (p[k] & 0x3F);
		}
		/* overlong forms, surrogates and code points past U+10FFFF are not UTF-8 */
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		p += n + 1;
	}
	return true;
}

/* 0x80-0xBF of Windows-1251; 0xC0-0xFF are А-я in order. 0x98 is unassigned. */
static const uint16_t cp1251_high[64] = {
	0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021,
	0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x040C, 0x040B, 0x040F,
	0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0xFFFD, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F,
	0x00A0, 0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7,
	0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
	0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7,
	0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457,
};

bool csv_cp1251_to_utf8(const char *in, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len;) {
		/* runs of ASCII are copied whole */
		size_t j = i;
		while (j < len && (unsigned char)in[j] < 0x80)
			j++;
		if (j > i && !buf_append(out, in + i, j - i))
			return false;
		if (j == len)
			break;
		unsigned c = (unsigned char)in[j];
		unsigned cp = c >= 0xC0 ? 0x0410 + (c - 0xC0) : cp1251_high[c - 0x80];
		char enc[3];
		size_t n;
		if (cp < 0x800) {
			enc[0] = (char)(0xC0 | cp >> 6);
			enc[1] = (char)(0x80 | (cp & 0x3F));
			n = 2;
		} else {
			enc[0] = (char)(0xE0 | cp >> 12);
			enc[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
			enc[2] = (char)(0x80 | (cp & 0x3F));
			n = 3;
		}
		if (!buf_append(out, enc, n))
			return false;
		i = j + 1;
	}
	return true;
}

bool csv_put(struct buf *b, const char *s, char delimiter, bool first, bool guard)
{
	if (!first && !buf_append(b, &delimiter, 1))
		return false;
	if (!s)
		return true;
	bool quote = false;
	for (const char *p = s; *p && !quote; p++)
		quote = *p == delimiter || *p == '"' || *p == '\n' || *p == '\r';
	bool defuse = guard && s[0] && strchr("=+-@\t\r", s[0]) != NULL;
	if (quote && !buf_append(b, "\"", 1))
		return false;
	if (defuse && !buf_append(b, "'", 1))
		return false;
	if (!quote) {
		if (!buf_puts(b, s))
			return false;
	} else {
		for (const char *p = s; *p;) {
			const char *q = strchr(p, '"');
			size_t n = q ? (size_t)(q - p) + 1 : strlen(p);
			if (!buf_append(b, p, n) || (q && !buf_append(b, "\"", 1)))
				return false;
			p += n;
		}
		if (!buf_append(b, "\"", 1))
			return false;
	}
	return true;
}

bool csv_end_row(struct buf *b)
{
	return buf_append(b, "\r\n", 2);
}
