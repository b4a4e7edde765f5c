#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/csv.h"

/* All rows of text as "a|b|c" lines joined by "\n" (fields with | are not used here). */
static char *rows_of(const char *text, size_t len, char delimiter, int *result)
{
	struct csv_reader *r = csv_reader_new(text, len, delimiter);
	struct buf out;
	struct vk_err err = { 0 };
	const char *const *f;
	int n, got;
	buf_init(&out, 1 << 20);
	while ((got = csv_next(r, &f, &n, &err)) == 1) {
		for (int i = 0; i < n; i++) {
			buf_puts(&out, f[i]);
			buf_puts(&out, i + 1 < n ? "|" : "\n");
		}
	}
	*result = got;
	csv_reader_free(r);
	char *s = strdup(out.data ? out.data : "");
	buf_release(&out);
	return s;
}

static bool parses_to(const char *text, char delimiter, const char *want)
{
	int got;
	char *s = rows_of(text, strlen(text), delimiter, &got);
	bool ok = got == 0 && strcmp(s, want) == 0;
	if (!ok)
		fprintf(stderr, "  csv: %s\n  got: %s\n  want: %s\n", text, s, want);
	free(s);
	return ok;
}

static void reading(void)
{
	CHECK(parses_to("a,b,c\n1,2,3\n", ',', "a|b|c\n1|2|3\n"));
	CHECK(parses_to("a,b\r\n1,2\r\n", ',', "a|b\n1|2\n"));              /* CRLF */
	CHECK(parses_to("a,b\r1,2", ',', "a|b\n1|2\n"));                   /* old Mac CR, no final newline */
	CHECK(parses_to("\xEF\xBB\xBF" "name;phone\n", ';', "name|phone\n")); /* the BOM is not part of the header */
	CHECK(parses_to("\"a,b\",\"say \"\"hi\"\"\",c\n", ',', "a,b|say \"hi\"|c\n"));
	CHECK(parses_to("\"multi\nline\",x\n", ',', "multi\nline|x\n"));
	CHECK(parses_to("a,,c,\n", ',', "a||c|\n"));                       /* empty fields, trailing delimiter */
	CHECK(parses_to("a\n\n\nb\n\r\n", ',', "a\nb\n"));                 /* empty lines are not rows */
	CHECK(parses_to("x\"y,z\n", ',', "x\"y|z\n"));                     /* a quote inside text stays */
	CHECK(parses_to("\"ab\"cd,e\n", ',', "abcd|e\n"));                 /* text after a closing quote: kept */
	CHECK(parses_to("Иванов;+7 916;\"ООО «Ромашка»; филиал\"\n", ';', "Иванов|+7 916|ООО «Ромашка»; филиал\n"));
	CHECK(parses_to("a\tb\n", '\t', "a|b\n"));
	CHECK(parses_to("", ',', ""));

	/* line numbers count the lines of quoted fields */
	struct csv_reader *r = csv_reader_new("h\n\"1\n2\"\nx\n", 10, ',');
	const char *const *f;
	int n;
	struct vk_err err = { 0 };
	CHECK(csv_next(r, &f, &n, &err) == 1 && csv_line(r) == 1);
	CHECK(csv_next(r, &f, &n, &err) == 1 && csv_line(r) == 2 && strcmp(f[0], "1\n2") == 0);
	CHECK(csv_next(r, &f, &n, &err) == 1 && csv_line(r) == 4 && strcmp(f[0], "x") == 0);
	CHECK(csv_next(r, &f, &n, &err) == 0);
	csv_reader_free(r);
}

static void bad_input(void)
{
	int got;
	const char *open = "a,\"never closed\nb,c\n";
	char *s = rows_of(open, strlen(open), ',', &got);
	CHECK(got == -1);
	free(s);

	/* NUL bytes mean a binary file (an .xlsx sent as CSV) */
	s = rows_of("a,b\nc\0d\n", 8, ',', &got);
	CHECK(got == -1);
	free(s);

	struct csv_reader *r;
	const char *const *f;
	int n;
	struct vk_err err = { 0 };
	/* too many columns */
	char *wide = malloc(CSV_MAX_FIELDS * 2 + 8);
	size_t k = 0;
	for (int i = 0; i <= CSV_MAX_FIELDS; i++) {
		wide[k++] = 'x';
		wide[k++] = ',';
	}
	wide[k++] = '\n';
	r = csv_reader_new(wide, k, ',');
	CHECK(csv_next(r, &f, &n, &err) == -1 && strstr(err.message, "columns"));
	csv_reader_free(r);
	free(wide);
	/* a row over the cap */
	size_t big = CSV_MAX_ROW + 100;
	char *huge = malloc(big);
	memset(huge, 'y', big);
	r = csv_reader_new(huge, big, ',');
	CHECK(csv_next(r, &f, &n, &err) == -1 && strstr(err.message, "longer"));
	csv_reader_free(r);
	free(huge);
	/* a row just under the cap is fine */
	huge = malloc(CSV_MAX_ROW - 1);
	memset(huge, 'z', CSV_MAX_ROW - 1);
	r = csv_reader_new(huge, CSV_MAX_ROW - 1, ',');
	CHECK(csv_next(r, &f, &n, &err) == 1 && n == 1 && strlen(f[0]) == CSV_MAX_ROW - 1);
	csv_reader_free(r);
	free(huge);
}

static void detecting(void)
{
	CHECK(csv_detect_delimiter("a;b;c\n1;2;3\n", 12) == ';');
	CHECK(csv_detect_delimiter("a,b,c\n1,2,3\n", 12) == ',');
	CHECK(csv_detect_delimiter("a\tb\n1\t2\n", 8) == '\t');
	CHECK(csv_detect_delimiter("single\n", 7) == ',');
	/* a comma inside one name must not outvote semicolons that split every line */
	const char *ru = "\xEF\xBB\xBF" "ФИО;Компания;Телефон\nИванов;\"ООО \"\"Ромашка\"\", филиал\";8916\nПетров;ИП, Петров;8903\n";
	CHECK(csv_detect_delimiter(ru, strlen(ru)) == ';');
	const char *quoted = "\"a;b\",c\n\"d;e\",f\n";
	CHECK(csv_detect_delimiter(quoted, strlen(quoted)) == ',');
}

static void encodings(void)
{
	CHECK(csv_utf8_valid("Иванов", strlen("Иванов")));
	CHECK(csv_utf8_valid("", 0));
	CHECK(!csv_utf8_valid("\xC8\xE2\xE0\xED\xEE\xE2", 6));   /* "Иванов" in Windows-1251 */
	CHECK(!csv_utf8_valid("\xC0\xAF", 2));                   /* overlong '/' */
	CHECK(!csv_utf8_valid("\xED\xA0\x80", 3));               /* a surrogate */
	CHECK(!csv_utf8_valid("\xE2\x82", 2));                   /* cut short */
	struct buf b;
	buf_init(&b, 1024);
	CHECK(csv_cp1251_to_utf8("\xC8\xE2\xE0\xED\xEE\xE2;\xB8\xA8;\xB9 1", 13, &b));
	CHECK(b.data && strcmp(b.data, "Иванов;ёЁ;№ 1") == 0);
	buf_release(&b);
	buf_init(&b, 4);
	CHECK(!csv_cp1251_to_utf8("\xC8\xE2\xE0", 3, &b)); /* 6 bytes do not fit in 4 */
	buf_release(&b);
}

static void writing(void)
{
	struct buf b;
	buf_init(&b, 4096);
	CHECK(csv_put(&b, "plain", ',', true, true));
	CHECK(csv_put(&b, "a,b", ',', false, false));
	CHECK(csv_put(&b, "say \"hi\"", ',', false, false));
	CHECK(csv_put(&b, "two\nlines", ',', false, false));
	CHECK(csv_put(&b, NULL, ',', false, false));
	CHECK(csv_end_row(&b));
	CHECK(strcmp(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n") == 0);
	buf_reset(&b);
	/* formulas a person typed are defused; the same text from the server is not */
	CHECK(csv_put(&b, "=HYPERLINK(\"http://x\")", ';', true, true));
	CHECK(csv_put(&b, "+7916", ';', false, true));
	CHECK(csv_put(&b, "-1", ';', false, true));
	CHECK(csv_put(&b, "@SUM(A1)", ';', false, true));
	CHECK(csv_put(&b, "+79161234567", ';', false, false));
	CHECK(csv_put(&b, "a;=b", ';', false, true));
	CHECK(strcmp(b.data, "\"'=HYPERLINK(\"\"http://x\"\")\";'+7916;'-1;'@SUM(A1);+79161234567;\"a;=b\"") == 0);
	buf_release(&b);

	/* what the writer writes, the reader reads back */
	const char *cells[] = { "x", "a,\"b\"", "=1+2", "line\r\nbreak", "", "ё" };
	buf_init(&b, 4096);
	for (int i = 0; i < 6; i++)
		csv_put(&b, cells[i], ',', i == 0, false);
	csv_end_row(&b);
	struct csv_reader *r = csv_reader_new(b.data, b.len, ',');
	const char *const *f;
	int n;
	struct vk_err err = { 0 };
	CHECK(csv_next(r, &f, &n, &err) == 1 && n == 6);
	for (int i = 0; i < 6 && n == 6; i++)
		CHECK(strcmp(f[i], cells[i]) == 0);
	csv_reader_free(r);
	buf_release(&b);

	/* the cap holds */
	buf_init(&b, 4);
	CHECK(!csv_put(&b, "toolong", ',', true, false));
	buf_release(&b);
}

void test_csv(void)
{
	reading();
	bad_input();
	detecting();
	encodings();
	writing();
}
