/* libFuzzer target: an uploaded CSV file as the import reads it — encoding check and the
 * Windows-1251 fallback, delimiter detection, every row through the capped reader — and the
 * writer's quoting, which must read back to the same cells. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct buf utf8;
	buf_init(&utf8, 4 * size + 16);
	if (!csv_utf8_valid(text, size)) {
		if (!csv_cp1251_to_utf8(text, size, &utf8) || !csv_utf8_valid(utf8.data ? utf8.data : "", utf8.len))
			abort(); /* the conversion must always produce UTF-8 that fits */
		text = utf8.data ? utf8.data : "";
		size = utf8.len;
	}
	char delimiter = csv_detect_delimiter(text, size);
	struct csv_reader *r = csv_reader_new(text, size, delimiter);
	const char *const *fields;
	int n, rows = 0;
	struct vk_err err = { 0 };
	struct buf out;
	buf_init(&out, 8 * CSV_MAX_ROW);
	while (csv_next(r, &fields, &n, &err) == 1 && rows++ < 10000) {
		if (n < 1 || n > CSV_MAX_FIELDS)
			abort();
		/* written back and read again, a row is the same row */
		buf_reset(&out);
		buf_puts(&out, "h\r\n"); /* a first line, so a row that starts with a BOM is not taken for one */
		for (int i = 0; i < n; i++)
			if (!csv_put(&out, fields[i], delimiter, i == 0, false))
				abort();
		csv_end_row(&out);
		char **copy = calloc((size_t)n, sizeof *copy);
		for (int i = 0; i < n; i++)
			copy[i] = strdup(fields[i]);
		struct csv_reader *again = csv_reader_new(out.data, out.len, delimiter);
		const char *const *f2;
		int n2;
		struct vk_err err2 = { 0 };
		int got = csv_next(again, &f2, &n2, &err2);
		if (got == 1)
			got = csv_next(again, &f2, &n2, &err2);
		/* a row of one empty field writes as an empty line, which readers skip */
		bool empty_row = n == 1 && copy[0][0] == '\0';
		if (!empty_row) {
			if (got != 1 || n2 != n)
				abort();
			for (int i = 0; i < n; i++)
				if (strcmp(copy[i], f2[i]) != 0)
					abort();
		}
		csv_reader_free(again);
		for (int i = 0; i < n; i++)
			free(copy[i]);
		free(copy);
	}
	csv_reader_free(r);
	buf_release(&out);
	buf_release(&utf8);
	return 0;
}
