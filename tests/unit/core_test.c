#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/json.h"
#include "core/phone.h"
#include "core/text.h"

static void arena_and_buf(void)
{
	struct arena *a = arena_new(64);
	char *s = arena_strdup(a, "hello");
	void *big = arena_alloc(a, 1000); /* larger than a chunk */
	CHECK(strcmp(s, "hello") == 0);
	CHECK(big != NULL && ((unsigned char *)big)[999] == 0);
	CHECK(((uintptr_t)arena_alloc(a, 3) & 15) == 0);
	CHECK(strcmp(arena_printf(a, "%d-%s", 7, "x"), "7-x") == 0);
	arena_free(a);

	struct buf b;
	buf_init(&b, 10);
	CHECK(buf_puts(&b, "12345"));
	CHECK(buf_puts(&b, "67890"));
	CHECK(!buf_puts(&b, "x")); /* the cap holds */
	CHECK(b.len == 10 && strcmp(b.data, "1234567890") == 0);
	buf_release(&b);
}

static void json_body(void)
{
	json_t *j;
	struct vk_err err = { 0 };
	CHECK(json_parse_object("{\"a\":1", 6, &j, &err) == VK_EINVAL && strcmp(err.code, "bad_json") == 0);
	CHECK(json_parse_object("[1]", 3, &j, &err) == VK_EINVAL);
	CHECK(json_parse_object("", 0, &j, &err) == VK_EINVAL);
	CHECK(json_parse_object("{\"a\":1,\"a\":2}", 13, &j, &err) == VK_EINVAL); /* duplicate keys */
	const char *doc = "{\"name\":\"Иван\",\"n\":5,\"b\":true,\"x\":\"a\\u0000b\"}";
	CHECK(json_parse_object(doc, strlen(doc), &j, &err) == VK_OK);
	const char *name = NULL, *x = NULL;
	CHECK(json_get_str(j, "name", true, 1, 4, &name, &err) == VK_OK && strcmp(name, "Иван") == 0);
	CHECK(json_get_str(j, "name", true, 5, 10, &name, &err) == VK_EINVAL && !strcmp(err.field, "name"));
	CHECK(json_get_str(j, "n", true, 0, 10, &name, &err) == VK_EINVAL);
	CHECK(json_get_str(j, "missing", true, 0, 10, &name, &err) == VK_EMISSING);
	CHECK(json_get_str(j, "x", true, 0, 10, &x, &err) == VK_EINVAL); /* NUL inside */
	int64_t n;
	bool present, b;
	CHECK(json_get_int(j, "n", true, 0, 4, &n, &present, &err) == VK_EINVAL);
	CHECK(json_get_int(j, "n", true, 0, 9, &n, &present, &err) == VK_OK && n == 5 && present);
	CHECK(json_get_bool(j, "b", false, &b, &present, &err) == VK_OK && b && present);
	CHECK(json_get_bool(j, "n", false, &b, &present, &err) == VK_EINVAL);
	static const char *const keys[] = { "name", "n", "b", NULL };
	CHECK(json_only_keys(j, keys, &err) == VK_EINVAL && !strcmp(err.field, "x"));
	json_decref(j);
	CHECK(utf8_chars("Ёж") == 2);
}

static void config_table(void)
{
	struct config c;
	struct vk_err err = { 0 };
	config_defaults(&c);
	CHECK(strcmp(c.listen, "127.0.0.1:8080") == 0 && c.session_idle_minutes == 720 && c.metrics);
	CHECK(config_set(&c, "max_body_kib", "0", &err) == VK_EINVAL);
	CHECK(config_set(&c, "max_body_kib", "12x", &err) == VK_EINVAL);
	CHECK(config_set(&c, "max_body_kib", "2048", &err) == VK_OK && c.max_body_kib == 2048);
	CHECK(config_set(&c, "nope", "1", &err) == VK_EINVAL);
	CHECK(config_set(&c, "metrics", "off", &err) == VK_OK && !c.metrics);
	FILE *f = fopen("/tmp/voronka-unit.conf", "w");
	fputs("# comment\nlisten = \"0.0.0.0:9000\"\nthreads = 3 # trailing\n", f);
	fclose(f);
	CHECK(config_load_file(&c, "/tmp/voronka-unit.conf", &err) == VK_OK);
	CHECK(strcmp(c.listen, "0.0.0.0:9000") == 0 && c.threads == 3);
	f = fopen("/tmp/voronka-unit.conf", "w");
	fputs("threads = 3\nthreads = 999\n", f);
	fclose(f);
	CHECK(config_load_file(&c, "/tmp/voronka-unit.conf", &err) == VK_EINVAL);
	CHECK(strstr(err.message, "voronka-unit.conf:2:") != NULL);
	remove("/tmp/voronka-unit.conf");
}

static void clock_injection(void)
{
	clock_set_ms(1000);
	CHECK(clock_now_ms() == 1000);
	clock_advance_ms(500);
	CHECK(clock_now_ms() == 1500);
	clock_use_real();
	CHECK(clock_now_ms() > 1700000000000LL);
}

void test_core(void)
{
	arena_and_buf();
	json_body();
	config_table();
	clock_injection();
}

void test_phone(void)
{
	char out[PHONE_MAX];
	static const char *const same[] = { "8 (916) 123-45-67", "+7 916 1234567", "79161234567",
	                                    "9161234567", "+7(916)123-45-67", "8-916-123-45-67 доб. 12",
	                                    "007 916 123 45 67", " 8 916 123 45 67 x 5" };
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		CHECK(phone_normalize(same[i], "RU", out) == VK_OK);
		CHECK(strcmp(out, "+79161234567") == 0);
	}
	CHECK(phone_normalize("8 (495) 123-45-67", "RU", out) == VK_OK && !strcmp(out, "+74951234567"));
	CHECK(phone_normalize("+375 29 123-45-67", "RU", out) == VK_OK && !strcmp(out, "+375291234567"));
	CHECK(phone_normalize("80291234567", "BY", out) == VK_OK && !strcmp(out, "+375291234567"));
	CHECK(phone_normalize("(212) 555-0100", "US", out) == VK_OK && !strcmp(out, "+12125550100"));
	CHECK(phone_normalize("030 1234567", "DE", out) == VK_OK && !strcmp(out, "+49301234567"));
	CHECK(phone_normalize("12345", "RU", out) == VK_EINVAL);
	CHECK(phone_normalize("8 916 123", "RU", out) == VK_EINVAL);
	CHECK(phone_normalize("call me", "RU", out) == VK_EINVAL);
	CHECK(phone_normalize("+7 916 123 45 67 89 12 34 56", "RU", out) == VK_EINVAL);
	CHECK(phone_normalize("", "RU", out) == VK_EINVAL);
	char d[16];
	CHECK(phone_digits("+7 (916) 12", d, sizeof d) && !strcmp(d, "791612"));
}

void test_text(void)
{
	char k[256];
	text_name_key("ООО «Ромашка»", k, sizeof k);
	CHECK(strcmp(k, "ромашка") == 0);
	text_name_key("Romashka, LLC", k, sizeof k);
	CHECK(strcmp(k, "romashka") == 0);
	text_name_key("  ЗАО \"Ёлки-Палки\"  ", k, sizeof k);
	CHECK(strcmp(k, "елки палки") == 0);
	text_name_key("ИП Иванов И.И.", k, sizeof k);
	CHECK(strcmp(k, "иванов и и") == 0);
	text_name_key("ООО", k, sizeof k);
	CHECK(k[0] == '\0');
	char d[256];
	CHECK(text_domain("https://www.Romashka.RU/about?x=1", d, sizeof d) && !strcmp(d, "romashka.ru"));
	CHECK(text_domain("shop.example.com.", d, sizeof d) && !strcmp(d, "shop.example.com"));
	CHECK(!text_domain("localhost", d, sizeof d));
	CHECK(text_email(" Petr@Romashka.RU ", d, sizeof d) && !strcmp(d, "petr@romashka.ru"));
	CHECK(!text_email("petr@@x.ru", d, sizeof d));
	CHECK(!text_email("petr x@y.ru", d, sizeof d));
	CHECK(!text_email("petr@localhost", d, sizeof d));
	CHECK(text_distance("ромашка", "ромашка", 2) == 0);
	CHECK(text_distance("ромашка", "ромашкаа", 2) == 1);
	CHECK(text_distance("ромашка", "рамашко", 2) == 2);
	CHECK(text_distance("ромашка", "лютик", 2) > 2);
	/* two neighbours swapped are one typing error, not two */
	CHECK(text_distance("ромашка", "ромшака", 2) == 1);
	CHECK(text_distance("иванов", "иванво", 1) == 1);
	CHECK(text_distance("иванов", "виванов", 1) == 1);
	CHECK(text_distance("ab", "ba", 1) == 1);
	CHECK(text_distance("abc", "ca", 3) == 3); /* a swapped pair is not edited again (optimal alignment) */
	CHECK(text_distance("ромашка", "рмоашак", 1) == 2);
	CHECK(text_distance("ромашка", "ромашка ", 0) == 1);
}
