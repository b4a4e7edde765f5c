#include "harness.h"

#include <string.h>

#include "core/buf.h"
#include "http/http.h"
#include "http/render.h"
#include "store/record.h"

#include <stdlib.h>

static void routing(void)
{
	struct req r = { .arena = arena_new(1024) };
	CHECK(route_match("/api/users", "/api/users", &r) && r.n_params == 0);
	CHECK(!route_match("/api/users", "/api/users/", NULL));
	CHECK(!route_match("/api/users", "/api/user", NULL));
	CHECK(route_match("/api/users/:id", "/api/users/42", &r) && r.n_params == 1 &&
	      strcmp(r.params[0], "42") == 0);
	CHECK(!route_match("/api/users/:id", "/api/users/", NULL));
	CHECK(!route_match("/api/users/:id", "/api/users/1/x", NULL));
	CHECK(route_match("/a/:x/b/:y", "/a/1/b/2", &r) && r.n_params == 2 && !strcmp(r.params[1], "2"));
	arena_free(r.arena);
}

/* render_record_text must write exactly what json_dumps(render_record(…)) writes. */
static void record_text(void)
{
	static const char *const texts[] = {
		"Ромашка", "", "quote \" and \\ back", "line\nbreak\ttab\r\b\f", "ctl \x01 \x1f del \x7f",
		"slash / and <tag> & 'single'", "emoji 😀 ё", "bad \xff utf-8", "\xc0\xaf overlong", "\xed\xa0\x80 surrogate",
	};
	static const char *const customs[] = {
		"{\"weight\":12,\"secret\":\"x\",\"tags\":[\"a\",\"b\"]}", "not json", "{}", "{\"s\":\"Тверь \\n\"}",
	};
	const char *phones[] = { "+79161234567", "bad \xff", "+74951234567" }, *emails[] = { "a@b.ru", "\xff" };
	const char *hidden_sets[][3] = { { NULL }, { "amount", "custom.secret", "city" }, { "custom.weight", NULL } };
	const int hidden_n[] = { 0, 3, 1 };
	const struct entity *ents[] = { &entity_contact, &entity_company, &entity_deal };
	int same = 0, cases = 0;
	for (int ei = 0; ei < 3; ei++)
		for (int variant = 0; variant < 12; variant++)
			for (int h = 0; h < 3; h++) {
				const struct entity *e = ents[ei];
				struct value v[64] = { 0 };
				for (int i = 0; i < e->n_fields; i++) {
					int k = (i + variant) % 4;
					v[i].kind = k == 0 ? V_NULL : k == 1 ? V_INT : V_TEXT;
					/* variant 5: the extremes of int64 (without overflowing to make them) */
					v[i].i = variant == 5 ? (i % 2 ? INT64_MAX : INT64_MIN)
					                      : (int64_t)(i * 1000003) * (variant % 2 ? -1 : 1);
					v[i].s = texts[(i + variant) % 10];
					if (e->fields[i].type == FT_CUSTOM || e->fields[i].type == FT_JSONOBJ)
						v[i].s = customs[(i + variant) % 4];
					if ((i + variant) % 3)
						v[i].label = texts[(i * 7 + variant) % 10];
				}
				struct record rec = { .e = e, .id = 1000 + variant, .version = variant, .v = variant == 11 ? NULL : v,
				                      .phones = phones, .n_phones = variant % 4, .emails = emails, .n_emails = variant % 3 };
				json_t *o = render_record(&rec, hidden_sets[h], hidden_n[h]);
				char *want = json_dumps(o, JSON_COMPACT);
				json_decref(o);
				struct buf b;
				buf_init(&b, 1 << 20);
				CHECK(render_record_text(&b, &rec, hidden_sets[h], hidden_n[h]));
				cases++;
				if (want && b.data && !strcmp(want, b.data))
					same++;
				else
					fprintf(stderr, "record text differs (%s, variant %d, hidden %d):\n  jansson %s\n  text    %s\n",
					        e->name, variant, h, want ? want : "(null)", b.data ? b.data : "(null)");
				free(want);
				buf_release(&b);
			}
	CHECK(same == cases);
	/* a page that would pass the cap is refused before anything is written */
	struct value v[64] = { 0 };
	struct record rec = { .e = &entity_deal, .id = 1, .v = v };
	struct buf b;
	buf_init(&b, 64);
	CHECK(!render_record_text(&b, &rec, NULL, 0) && b.len == 0);
	buf_release(&b);
}

void test_http(void)
{
	routing();
	record_text();
}
