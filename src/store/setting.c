#include "store/setting.h"
#include "core/mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The settings table is a few dozen rows read on most requests (the default country of every
 * phone given): kept whole, as one block of "key\0value\0…", by config epoch. */
#define SETTING_CACHE 4
static struct {
	uint64_t epoch;
	char *pairs; /* malloc'd: key, value, key, value, … each NUL-terminated, then an empty key */
} setting_cache[SETTING_CACHE];
static pthread_mutex_t setting_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *pairs_find(const char *pairs, const char *key)
{
	for (const char *p = pairs; *p;) {
		const char *v = p + strlen(p) + 1;
		if (!strcmp(p, key))
			return v;
		p = v + strlen(v) + 1;
	}
	return NULL;
}

/* Every setting as one block, or NULL when the table is too large to keep (it is not). */
static char *load_all(struct conn *c)
{
	size_t size = 1, used = 0;
	char *pairs = NULL;
	sqlite3_stmt *st = store_stmt(c, "SELECT key, value FROM settings");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = store_col_text(st, 0), *v = store_col_text(st, 1);
		size_t need = strlen(k) + strlen(v) + 2;
		if (used + need + 1 > size) {
			size = (used + need + 1) * 2;
			pairs = xrealloc(pairs, size);
		}
		memcpy(pairs + used, k, strlen(k) + 1);
		used += strlen(k) + 1;
		memcpy(pairs + used, v, strlen(v) + 1);
		used += strlen(v) + 1;
	}
	store_done(c, st);
	if (!pairs)
		pairs = xmalloc(1);
	pairs[used] = '\0';
	return pairs;
}

const char *store_setting_get(struct conn *c, const char *key, struct arena *a)
{
	uint64_t epoch = store_config_epoch(c);
	if (epoch) {
		const char *v = NULL;
		bool hit = false;
		pthread_mutex_lock(&setting_cache_lock);
		for (int i = 0; i < SETTING_CACHE && !hit; i++)
			if (setting_cache[i].epoch == epoch) {
				hit = true;
				v = pairs_find(setting_cache[i].pairs, key);
				v = v ? arena_strdup(a, v) : NULL;
			}
		pthread_mutex_unlock(&setting_cache_lock);
		if (hit)
			return v;
		char *pairs = load_all(c);
		const char *found = pairs_find(pairs, key);
		const char *out = found ? arena_strdup(a, found) : NULL;
		pthread_mutex_lock(&setting_cache_lock);
		int slot = 0; /* this store's older copy, else the oldest */
		for (int i = 1; i < SETTING_CACHE; i++)
			if (setting_cache[i].epoch < setting_cache[slot].epoch)
				slot = i;
		for (int i = 0; i < SETTING_CACHE; i++)
			if (setting_cache[i].epoch >> 32 == epoch >> 32 && setting_cache[i].epoch < epoch)
				slot = i;
		char *old = setting_cache[slot].pairs;
		setting_cache[slot].epoch = epoch;
		setting_cache[slot].pairs = pairs;
		pthread_mutex_unlock(&setting_cache_lock);
		free(old);
		return out;
	}
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
	store_config_changed(c);
	store_bind_text(st, 1, key);
	store_bind_text(st, 2, value);
	store_bind_int(st, 3, now);
	return store_exec_stmt(c, st);
}
