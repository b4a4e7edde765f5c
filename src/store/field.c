#include "store/field.h"
#include "core/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_COLS "id, entity, key, label, type, options, list_key, required, sort"

static void read_field(sqlite3_stmt *st, struct arena *a, struct field_row *f)
{
	f->id = sqlite3_column_int64(st, 0);
	f->entity = arena_strdup(a, store_col_text(st, 1));
	f->key = arena_strdup(a, store_col_text(st, 2));
	f->label = arena_strdup(a, store_col_text(st, 3));
	f->type = arena_strdup(a, store_col_text(st, 4));
	f->options = arena_strdup(a, store_col_text(st, 5));
	f->list_key = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : arena_strdup(a, store_col_text(st, 6));
	f->required = sqlite3_column_int(st, 7) != 0;
	f->sort = sqlite3_column_int(st, 8);
}

/* Field definitions by config epoch (store_config_epoch): every list and record read asks for
 * them, and they change when an administrator edits a field. */
#define FIELD_CACHE 8
static struct {
	uint64_t epoch;
	char entity[16];
	struct field_row *rows; /* one malloc'd block with the strings */
	int n;
} field_cache[FIELD_CACHE];
static pthread_mutex_t field_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned field_cache_next;

static const char *copy_into(char **at, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	memcpy(*at, s, n);
	*at += n;
	return *at - n;
}

static struct field_row *copy_rows(const struct field_row *rows, int n, struct arena *a)
{
	size_t size = sizeof *rows * (size_t)(n + 1);
	for (int i = 0; i < n; i++) {
		const char *s[] = { rows[i].entity, rows[i].key, rows[i].label, rows[i].type, rows[i].options, rows[i].list_key };
		for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
			size += s[k] ? strlen(s[k]) + 1 : 0;
	}
	struct field_row *out = a ? arena_alloc(a, size) : xmalloc(size);
	char *at = (char *)(out + n + 1);
	for (int i = 0; i < n; i++) {
		out[i] = rows[i];
		out[i].entity = copy_into(&at, rows[i].entity);
		out[i].key = copy_into(&at, rows[i].key);
		out[i].label = copy_into(&at, rows[i].label);
		out[i].type = copy_into(&at, rows[i].type);
		out[i].options = copy_into(&at, rows[i].options);
		out[i].list_key = copy_into(&at, rows[i].list_key);
	}
	return out;
}

enum vk_rc store_field_list(struct conn *c, const char *entity, struct arena *a, struct field_row **items, int *n)
{
	uint64_t epoch = store_config_epoch(c);
	const char *key = entity ? entity : "";
	if (epoch && strlen(key) < sizeof field_cache[0].entity) {
		bool hit = false;
		pthread_mutex_lock(&field_cache_lock);
		for (int i = 0; i < FIELD_CACHE && !hit; i++)
			if (field_cache[i].epoch == epoch && !strcmp(field_cache[i].entity, key)) {
				*items = copy_rows(field_cache[i].rows, field_cache[i].n, a);
				*n = field_cache[i].n;
				hit = true;
			}
		pthread_mutex_unlock(&field_cache_lock);
		if (hit)
			return VK_OK;
	}
	int cap = 16;
	*items = arena_alloc(a, sizeof **items * (size_t)cap);
	*n = 0;
	sqlite3_stmt *st = store_stmt(c, "SELECT " FIELD_COLS " FROM fields WHERE ?1 IS NULL OR entity = ?1 ORDER BY entity, sort, id");
	store_bind_text(st, 1, entity);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n + 1 == cap) {
			struct field_row *more = arena_alloc(a, sizeof *more * (size_t)cap * 2);
			memcpy(more, *items, sizeof *more * (size_t)*n);
			*items = more;
			cap *= 2;
		}
		read_field(st, a, &(*items)[(*n)++]);
	}
	store_done(c, st);
	if (epoch && strlen(key) < sizeof field_cache[0].entity) {
		struct field_row *copy = copy_rows(*items, *n, NULL);
		pthread_mutex_lock(&field_cache_lock);
		unsigned slot = field_cache_next++ % FIELD_CACHE;
		for (unsigned i = 0; i < FIELD_CACHE; i++)
			if (!strcmp(field_cache[i].entity, key) || field_cache[i].epoch < epoch >> 32 << 32) {
				slot = i; /* this entity's old copy, or one of a closed store */
				break;
			}
		struct field_row *old = field_cache[slot].rows;
		field_cache[slot].epoch = epoch;
		snprintf(field_cache[slot].entity, sizeof field_cache[slot].entity, "%s", key);
		field_cache[slot].rows = copy;
		field_cache[slot].n = *n;
		pthread_mutex_unlock(&field_cache_lock);
		free(old);
	}
	return VK_OK;
}

enum vk_rc store_field_get(struct conn *c, int64_t id, struct arena *a, struct field_row *out)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT " FIELD_COLS " FROM fields WHERE id = ?");
	store_bind_int(st, 1, id);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_field(st, a, out);
		rc = VK_OK;
	}
	store_done(c, st);
	return rc;
}

enum vk_rc store_field_insert(struct conn *c, const struct field_row *f, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO fields (entity, key, label, type, options, list_key, required, sort, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	store_config_changed(c);
	store_bind_text(st, 1, f->entity);
	store_bind_text(st, 2, f->key);
	store_bind_text(st, 3, f->label);
	store_bind_text(st, 4, f->type);
	store_bind_text(st, 5, f->options ? f->options : "[]");
	store_bind_text(st, 6, f->list_key);
	store_bind_int(st, 7, f->required);
	store_bind_int(st, 8, f->sort);
	store_bind_int(st, 9, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK)
		*id = store_last_id(c);
	return rc;
}

enum vk_rc store_field_update(struct conn *c, const struct field_row *f)
{
	sqlite3_stmt *st = store_stmt(c,
		"UPDATE fields SET label = ?2, options = ?3, list_key = ?4, required = ?5, sort = ?6 WHERE id = ?1");
	store_config_changed(c);
	store_bind_int(st, 1, f->id);
	store_bind_text(st, 2, f->label);
	store_bind_text(st, 3, f->options ? f->options : "[]");
	store_bind_text(st, 4, f->list_key);
	store_bind_int(st, 5, f->required);
	store_bind_int(st, 6, f->sort);
	enum vk_rc rc = store_exec_stmt(c, st);
	return rc == VK_OK && store_changes(c) == 0 ? VK_ENOTFOUND : rc;
}

enum vk_rc store_field_delete(struct conn *c, int64_t id)
{
	sqlite3_stmt *st = store_stmt(c, "DELETE FROM fields WHERE id = ?");
	store_config_changed(c);
	store_bind_int(st, 1, id);
	enum vk_rc rc = store_exec_stmt(c, st);
	return rc == VK_OK && store_changes(c) == 0 ? VK_ENOTFOUND : rc;
}

/* table and key come from the entity table and a validated [a-z0-9_] key, never raw input;
 * the path is written out so that the field's expression index finds the rows */
enum vk_rc store_field_clear(struct conn *c, const char *table, const char *key)
{
	char sql[300];
	snprintf(sql, sizeof sql, "UPDATE %s SET custom = json_remove(custom, '$.%s') WHERE json_extract(custom, '$.%s') IS NOT NULL",
	         table, key, key);
	return store_exec(c, sql, NULL);
}

/* table and key come from the entity table and a validated [a-z0-9_] key, never raw input */
enum vk_rc store_field_index(struct conn *c, const char *table, const char *key, bool create)
{
	char sql[300];
	if (create)
		snprintf(sql, sizeof sql, "CREATE INDEX IF NOT EXISTS cf_%s_%s ON %s (json_extract(custom, '$.%s'))",
		         table, key, table, key);
	else
		snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS cf_%s_%s", table, key);
	return store_exec(c, sql, NULL);
}

static enum vk_rc load_items(struct conn *c, struct value_list *l, struct arena *a)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COUNT(*) FROM list_items WHERE list_id = ?");
	store_bind_int(st, 1, l->id);
	int total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	store_done(c, st);
	l->items = arena_alloc(a, sizeof *l->items * (size_t)(total + 1));
	l->n_items = 0;
	st = store_stmt(c, "SELECT value, label FROM list_items WHERE list_id = ? ORDER BY sort, id");
	store_bind_int(st, 1, l->id);
	while (l->n_items < total && sqlite3_step(st) == SQLITE_ROW) {
		l->items[l->n_items].value = arena_strdup(a, store_col_text(st, 0));
		l->items[l->n_items].label = arena_strdup(a, store_col_text(st, 1));
		l->n_items++;
	}
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_list_all(struct conn *c, struct arena *a, struct value_list **items, int *n)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COUNT(*) FROM lists");
	int total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	store_done(c, st);
	*items = arena_alloc(a, sizeof **items * (size_t)(total + 1));
	*n = 0;
	st = store_stmt(c, "SELECT id, key, name FROM lists ORDER BY key");
	while (*n < total && sqlite3_step(st) == SQLITE_ROW) {
		struct value_list *l = &(*items)[(*n)++];
		l->id = sqlite3_column_int64(st, 0);
		l->key = arena_strdup(a, store_col_text(st, 1));
		l->name = arena_strdup(a, store_col_text(st, 2));
	}
	store_done(c, st);
	for (int i = 0; i < *n; i++)
		load_items(c, &(*items)[i], a);
	return VK_OK;
}

enum vk_rc store_list_by_key(struct conn *c, const char *key, struct arena *a, struct value_list *out)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT id, key, name FROM lists WHERE key = ?");
	store_bind_text(st, 1, key);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->key = arena_strdup(a, store_col_text(st, 1));
		out->name = arena_strdup(a, store_col_text(st, 2));
		rc = VK_OK;
	}
	store_done(c, st);
	if (rc == VK_OK)
		load_items(c, out, a);
	return rc;
}

enum vk_rc store_list_put(struct conn *c, const char *key, const char *name, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO lists (key, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)"
		" ON CONFLICT (key) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at");
	store_bind_text(st, 1, key);
	store_bind_text(st, 2, name);
	store_bind_int(st, 3, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc != VK_OK)
		return rc;
	st = store_stmt(c, "SELECT id FROM lists WHERE key = ?");
	store_bind_text(st, 1, key);
	*id = store_int(c, st);
	return *id ? VK_OK : VK_EIO;
}

enum vk_rc store_list_items_replace(struct conn *c, int64_t list_id, const struct list_item *items, int n)
{
	sqlite3_stmt *st = store_stmt(c, "DELETE FROM list_items WHERE list_id = ?");
	store_bind_int(st, 1, list_id);
	enum vk_rc rc = store_exec_stmt(c, st);
	for (int i = 0; i < n && rc == VK_OK; i++) {
		st = store_stmt(c, "INSERT INTO list_items (list_id, value, label, sort) VALUES (?, ?, ?, ?)");
		store_bind_int(st, 1, list_id);
		store_bind_text(st, 2, items[i].value);
		store_bind_text(st, 3, items[i].label);
		store_bind_int(st, 4, i);
		rc = store_exec_stmt(c, st);
	}
	return rc;
}

enum vk_rc store_list_delete(struct conn *c, int64_t id)
{
	sqlite3_stmt *st = store_stmt(c, "DELETE FROM lists WHERE id = ?");
	store_bind_int(st, 1, id);
	enum vk_rc rc = store_exec_stmt(c, st);
	return rc == VK_OK && store_changes(c) == 0 ? VK_ENOTFOUND : rc;
}

bool store_list_has(struct conn *c, const char *list_key, const char *value)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT 1 FROM list_items i JOIN lists l ON l.id = i.list_id WHERE l.key = ? AND i.value = ?");
	store_bind_text(st, 1, list_key);
	store_bind_text(st, 2, value);
	bool yes = sqlite3_step(st) == SQLITE_ROW;
	store_done(c, st);
	return yes;
}
