#include "store/event.h"

#include <stdint.h>

enum vk_rc event_add(struct conn *c, const struct event *e)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO events (entity, entity_id, actor_id, kind, field, old, new, at, reason)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	store_bind_text(st, 1, e->entity);
	store_bind_int(st, 2, e->entity_id);
	if (e->actor_id > 0)
		store_bind_int(st, 3, e->actor_id);
	store_bind_text(st, 4, e->kind);
	store_bind_text(st, 5, e->field);
	store_bind_text(st, 6, e->old_value);
	store_bind_text(st, 7, e->new_value);
	store_bind_int(st, 8, e->at);
	store_bind_text(st, 9, e->reason);
	return store_exec_stmt(c, st);
}

static const char *opt_text(sqlite3_stmt *st, int i, struct arena *a)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : arena_strdup(a, store_col_text(st, i));
}

enum vk_rc event_list(struct conn *c, const char *entity, int64_t entity_id, int64_t before_id,
                      int limit, struct arena *a, struct event **items, int *n)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT e.id, e.entity, e.entity_id, COALESCE(e.actor_id, 0), u.name, e.kind, e.field,"
		" e.old, e.new, e.at, e.reason FROM events e LEFT JOIN users u ON u.id = e.actor_id"
		" WHERE e.entity = ?1 AND e.entity_id = ?2 AND e.id < ?3"
		" ORDER BY e.id DESC LIMIT ?4");
	store_bind_text(st, 1, entity);
	store_bind_int(st, 2, entity_id);
	/* no cursor = below every id: "(?3 = 0 OR e.id < ?3)" hid the index order from the planner,
	 * which then read and sorted a record's whole history for every page */
	store_bind_int(st, 3, before_id > 0 ? before_id : INT64_MAX);
	store_bind_int(st, 4, limit);
	*items = arena_alloc(a, sizeof **items * (size_t)limit);
	*n = 0;
	while (*n < limit && sqlite3_step(st) == SQLITE_ROW) {
		struct event *e = &(*items)[(*n)++];
		e->id = sqlite3_column_int64(st, 0);
		e->entity = arena_strdup(a, store_col_text(st, 1));
		e->entity_id = sqlite3_column_int64(st, 2);
		e->actor_id = sqlite3_column_int64(st, 3);
		e->actor_name = opt_text(st, 4, a);
		e->kind = arena_strdup(a, store_col_text(st, 5));
		e->field = opt_text(st, 6, a);
		e->old_value = opt_text(st, 7, a);
		e->new_value = opt_text(st, 8, a);
		e->at = sqlite3_column_int64(st, 9);
		e->reason = opt_text(st, 10, a);
	}
	store_done(c, st);
	return VK_OK;
}
