#include "store/team.h"

#include <string.h>

static void read_team(sqlite3_stmt *st, struct arena *a, struct team *t)
{
	memset(t, 0, sizeof *t);
	t->id = sqlite3_column_int64(st, 0);
	t->name = arena_strdup(a, store_col_text(st, 1));
	t->lead_id = sqlite3_column_int64(st, 2);
	t->lead_name = sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL : arena_strdup(a, store_col_text(st, 3));
	t->created_at = sqlite3_column_int64(st, 4);
}

#define TEAM_SELECT "SELECT t.id, t.name, COALESCE(t.lead_id, 0), l.name, t.created_at FROM teams t" \
                    " LEFT JOIN users l ON l.id = t.lead_id "

static void load_members(struct conn *c, struct team *t, struct arena *a)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COUNT(*) FROM users WHERE team_id = ?");
	store_bind_int(st, 1, t->id);
	int total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	store_done(c, st);
	t->members = arena_alloc(a, sizeof *t->members * (size_t)(total + 1));
	t->n_members = 0;
	st = store_stmt(c, "SELECT id, login, name, active FROM users WHERE team_id = ? ORDER BY name, id");
	store_bind_int(st, 1, t->id);
	while (t->n_members < total && sqlite3_step(st) == SQLITE_ROW) {
		struct team_member *m = &t->members[t->n_members++];
		m->id = sqlite3_column_int64(st, 0);
		m->login = arena_strdup(a, store_col_text(st, 1));
		m->name = arena_strdup(a, store_col_text(st, 2));
		m->active = sqlite3_column_int(st, 3) != 0;
	}
	store_done(c, st);
}

enum vk_rc store_team_list(struct conn *c, struct arena *a, struct team **items, int *n)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COUNT(*) FROM teams");
	int total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	store_done(c, st);
	*items = arena_alloc(a, sizeof **items * (size_t)(total + 1));
	*n = 0;
	st = store_stmt(c, TEAM_SELECT "ORDER BY t.name, t.id");
	while (*n < total && sqlite3_step(st) == SQLITE_ROW)
		read_team(st, a, &(*items)[(*n)++]);
	store_done(c, st);
	for (int i = 0; i < *n; i++)
		load_members(c, &(*items)[i], a);
	return VK_OK;
}

enum vk_rc store_team_get(struct conn *c, int64_t id, struct arena *a, struct team *out)
{
	sqlite3_stmt *st = store_stmt(c, TEAM_SELECT "WHERE t.id = ?");
	store_bind_int(st, 1, id);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_team(st, a, out);
		rc = VK_OK;
	}
	store_done(c, st);
	if (rc == VK_OK)
		load_members(c, out, a);
	return rc;
}

enum vk_rc store_team_insert(struct conn *c, const char *name, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, "INSERT INTO teams (name, created_at) VALUES (?, ?)");
	store_bind_text(st, 1, name);
	store_bind_int(st, 2, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK)
		*id = store_last_id(c);
	return rc;
}

enum vk_rc store_team_update(struct conn *c, int64_t id, const char *name, int64_t lead_id)
{
	sqlite3_stmt *st = store_stmt(c,
		"UPDATE teams SET name = COALESCE(?2, name), lead_id = NULLIF(?3, 0) WHERE id = ?1");
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, name);
	store_bind_int(st, 3, lead_id);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK && store_changes(c) == 0)
		rc = VK_ENOTFOUND;
	return rc;
}

enum vk_rc store_team_delete(struct conn *c, int64_t id)
{
	sqlite3_stmt *st = store_stmt(c, "DELETE FROM teams WHERE id = ?");
	store_bind_int(st, 1, id);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK && store_changes(c) == 0)
		rc = VK_ENOTFOUND;
	return rc;
}

enum vk_rc store_team_set_user(struct conn *c, int64_t user_id, int64_t team_id)
{
	sqlite3_stmt *st = store_stmt(c, "UPDATE users SET team_id = NULLIF(?2, 0) WHERE id = ?1");
	store_bind_int(st, 1, user_id);
	store_bind_int(st, 2, team_id);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK && store_changes(c) == 0)
		rc = VK_ENOTFOUND;
	return rc;
}

const char *store_team_user_name(struct conn *c, int64_t user_id, struct arena *a)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT name FROM users WHERE id = ?");
	store_bind_int(st, 1, user_id);
	const char *name = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(a, store_col_text(st, 0)) : NULL;
	store_done(c, st);
	return name;
}
