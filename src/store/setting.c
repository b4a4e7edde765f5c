#include "store/setting.h"

const char *store_setting_get(struct conn *c, const char *key, struct arena *a)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT value FROM settings WHERE key = ?");
	store_bind_text(st, 1, key);
	const char *v = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = arena_strdup(a, store_col_text(st, 0));
	store_done(c, st);
	return v;
}

enum vk_rc store_setting_put(struct conn *c, const char *key, const char *value, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
	store_bind_text(st, 1, key);
	store_bind_text(st, 2, value);
	store_bind_int(st, 3, now);
	return store_exec_stmt(c, st);
}
