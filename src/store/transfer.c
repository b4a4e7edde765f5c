#include "store/transfer.h"

#include <stdio.h>
#include <string.h>

enum vk_rc store_ids_by_name_key(struct conn *c, const struct entity *e, const char *key, int max,
                                 int64_t *ids, int *n)
{
	char q[160];
	snprintf(q, sizeof q, "SELECT id FROM %s WHERE name_key = ? AND deleted_at IS NULL ORDER BY id LIMIT ?",
	         e->plural);
	sqlite3_stmt *st = store_stmt_dyn(c, q);
	store_bind_text(st, 1, key);
	store_bind_int(st, 2, max);
	*n = 0;
	while (*n < max && sqlite3_step(st) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_team_members(struct conn *c, int64_t team_id, int max, int64_t *ids, int *n)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT id FROM users WHERE team_id = ? ORDER BY id LIMIT ?");
	store_bind_int(st, 1, team_id);
	store_bind_int(st, 2, max);
	*n = 0;
	while (*n < max && sqlite3_step(st) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_repoint(struct conn *c, const struct entity *holder, const char *column, int64_t from_id,
                         int64_t to_id, int64_t actor, int64_t now, int max, struct arena *a,
                         struct moved **out, int *n, bool *more)
{
	char q[300];
	*n = 0;
	*more = false;
	*out = arena_alloc(a, sizeof **out * (size_t)max);
	snprintf(q, sizeof q, "SELECT id FROM %s WHERE %s = ? AND deleted_at IS NULL ORDER BY id LIMIT ?",
	         holder->plural, column);
	sqlite3_stmt *st = store_stmt_dyn(c, q);
	store_bind_int(st, 1, from_id);
	store_bind_int(st, 2, max + 1);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == max) {
			*more = true;
			break;
		}
		(*out)[(*n)++] = (struct moved){ holder, sqlite3_column_int64(st, 0), column };
	}
	store_done(c, st);
	/* every live holder moves, listed or not: a merge must not leave links to a deleted record */
	snprintf(q, sizeof q,
	         "UPDATE %s SET %s = ?, version = version + 1, updated_at = ?, updated_by = ?"
	         " WHERE %s = ? AND deleted_at IS NULL",
	         holder->plural, column, column);
	st = store_stmt_dyn(c, q);
	store_bind_int(st, 1, to_id);
	store_bind_int(st, 2, now);
	if (actor > 0)
		store_bind_int(st, 3, actor);
	else
		sqlite3_bind_null(st, 3);
	store_bind_int(st, 4, from_id);
	return store_exec_stmt(c, st);
}

enum vk_rc store_move_activity(struct conn *c, const char *entity, int64_t from_id, int64_t to_id, int64_t now,
                               int *notes, int *tasks)
{
	sqlite3_stmt *st = store_stmt(c, "UPDATE notes SET record_id = ? WHERE entity = ? AND record_id = ?");
	store_bind_int(st, 1, to_id);
	store_bind_text(st, 2, entity);
	store_bind_int(st, 3, from_id);
	enum vk_rc rc = store_exec_stmt(c, st);
	*notes = rc == VK_OK ? store_changes(c) : 0;
	if (rc != VK_OK)
		return rc;
	st = store_stmt(c, "UPDATE tasks SET record_id = ?, version = version + 1, updated_at = ?"
	                   " WHERE entity = ? AND record_id = ?");
	store_bind_int(st, 1, to_id);
	store_bind_int(st, 2, now);
	store_bind_text(st, 3, entity);
	store_bind_int(st, 4, from_id);
	rc = store_exec_stmt(c, st);
	*tasks = rc == VK_OK ? store_changes(c) : 0;
	if (rc != VK_OK)
		return rc;
	/* a notification about the merged record should open the record it became */
	st = store_stmt(c, "UPDATE notifications SET record_id = ? WHERE entity = ? AND record_id = ?");
	store_bind_int(st, 1, to_id);
	store_bind_text(st, 2, entity);
	store_bind_int(st, 3, from_id);
	if ((rc = store_exec_stmt(c, st)) != VK_OK)
		return rc;
	/* checklist marks: what the kept record has stays; what only the merged one had is copied */
	st = store_stmt(c,
		"INSERT INTO record_checklist (entity, record_id, item_id, done_by, done_at)"
		" SELECT m.entity, ?1, m.item_id, m.done_by, m.done_at FROM record_checklist m"
		" WHERE m.entity = ?2 AND m.record_id = ?3 AND NOT EXISTS (SELECT 1 FROM record_checklist k"
		" WHERE k.entity = m.entity AND k.record_id = ?1 AND k.item_id = m.item_id)");
	store_bind_int(st, 1, to_id);
	store_bind_text(st, 2, entity);
	store_bind_int(st, 3, from_id);
	return store_exec_stmt(c, st);
}

