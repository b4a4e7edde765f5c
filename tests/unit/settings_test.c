#include "harness.h"

#include <string.h>

#include "org/settings.h"
#include "store/event.h"

void test_settings(void)
{
	struct store *s;
	struct vk_err err = { 0 };
	CHECK(store_open(unit_tmp_db(), &s, NULL) == VK_OK);
	struct arena *a = arena_new(1024);
	struct conn *c = store_reader(s);
	CHECK(strcmp(settings_get(c, "timezone", a), "Europe/Moscow") == 0);
	CHECK(strcmp(settings_get(c, "currency", a), "RUB") == 0);

	struct setting_change bad[] = { { "timezone", "Europe/Atlantis" } };
	CHECK(settings_update(s, NULL, bad, 1, &err) == VK_EINVAL && !strcmp(err.field, "timezone"));
	struct setting_change bad2[] = { { "timezone", "../../etc/passwd" } };
	CHECK(settings_update(s, NULL, bad2, 1, &err) == VK_EINVAL);
	struct setting_change bad3[] = { { "currency", "RUR" } };
	CHECK(settings_update(s, NULL, bad3, 1, &err) == VK_EINVAL);
	struct setting_change bad4[] = { { "default_country", "XX" } };
	CHECK(settings_update(s, NULL, bad4, 1, &err) == VK_EINVAL);
	struct setting_change bad5[] = { { "language", "de" } };
	CHECK(settings_update(s, NULL, bad5, 1, &err) == VK_EINVAL);
	/* all or nothing: one bad value, nothing written */
	struct setting_change mixed[] = { { "company_name", "Чистый дом" }, { "currency", "ZZZ" } };
	CHECK(settings_update(s, NULL, mixed, 2, &err) == VK_EINVAL);
	CHECK(strcmp(settings_get(c, "company_name", a), "My company") == 0);

	struct setting_change good[] = { { "company_name", "Чистый дом" }, { "timezone", "Asia/Novosibirsk" },
	                                 { "currency", "KZT" }, { "default_country", "KZ" }, { "language", "en" } };
	CHECK(settings_update(s, NULL, good, 5, &err) == VK_OK);
	CHECK(strcmp(settings_get(c, "timezone", a), "Asia/Novosibirsk") == 0);
	struct event *items;
	int n;
	event_list(c, "settings", 0, 0, 50, a, &items, &n);
	CHECK(n == 5);
	CHECK(n > 0 && strcmp(items[n - 1].field, "company_name") == 0 &&
	      strcmp(items[n - 1].old_value, "\"My company\"") == 0 && strcmp(items[n - 1].new_value, "\"Чистый дом\"") == 0);
	/* unchanged values write no event */
	CHECK(settings_update(s, NULL, good, 5, &err) == VK_OK);
	event_list(c, "settings", 0, 0, 50, a, &items, &n);
	CHECK(n == 5);
	arena_free(a);
	store_close(s);
}
