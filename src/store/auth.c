#include "store/auth.h"

#include <string.h>

#define USER_COLS "u.id, u.login, u.name, u.role_id, r.key, r.name, u.active, u.created_at, u.updated_at," \
                  " COALESCE(u.team_id, 0), tm.name"
#define USER_FROM " FROM users u JOIN roles r ON r.id = u.role_id LEFT JOIN teams tm ON tm.id = u.team_id "

static void read_user(sqlite3_stmt *st, int col, struct arena *a, struct user *u)
{
	u->id = sqlite3_column_int64(st, col + 0);
	u->login = arena_strdup(a, store_col_text(st, col + 1));
	u->name = arena_strdup(a, store_col_text(st, col + 2));
	u->role_id = sqlite3_column_int64(st, col + 3);
	u->role_key = arena_strdup(a, store_col_text(st, col + 4));
	u->role_name = arena_strdup(a, store_col_text(st, col + 5));
	u->active = sqlite3_column_int(st, col + 6) != 0;
	u->created_at = sqlite3_column_int64(st, col + 7);
	u->updated_at = sqlite3_column_int64(st, col + 8);
	u->team_id = sqlite3_column_int64(st, col + 9);
	u->team_name = u->team_id ? arena_strdup(a, store_col_text(st, col + 10)) : NULL;
}

enum vk_rc store_user_get(struct conn *c, int64_t id, struct arena *a, struct user *out)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT " USER_COLS USER_FROM "WHERE u.id = ?");
	store_bind_int(st, 1, id);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_user(st, 0, a, out);
		rc = VK_OK;
	}
	store_done(c, st);
	return rc;
}

enum vk_rc store_user_by_login(struct conn *c, const char *login, struct arena *a, struct user *out,
                               const char **password_hash)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT " USER_COLS ", u.password_hash" USER_FROM "WHERE u.login = ?");
	store_bind_text(st, 1, login);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_user(st, 0, a, out);
		if (password_hash)
			*password_hash = arena_strdup(a, store_col_text(st, 11));
		rc = VK_OK;
	}
	store_done(c, st);
	return rc;
}

enum vk_rc store_user_list(struct conn *c, const char *q, int active, int64_t after_id, int limit,
                           struct arena *a, struct user **items, int *n)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT " USER_COLS USER_FROM
		"WHERE u.id > ?1 AND (?2 < 0 OR u.active = ?2)"
		" AND (?3 IS NULL OR instr(lower(u.login), lower(?3)) > 0 OR instr(lower(u.name), lower(?3)) > 0)"
		" ORDER BY u.id LIMIT ?4");
	store_bind_int(st, 1, after_id);
	store_bind_int(st, 2, active);
	store_bind_text(st, 3, q && *q ? q : NULL);
	store_bind_int(st, 4, limit);
	*items = arena_alloc(a, sizeof **items * (size_t)limit);
	*n = 0;
	while (*n < limit && sqlite3_step(st) == SQLITE_ROW)
		read_user(st, 0, a, &(*items)[(*n)++]);
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_user_insert(struct conn *c, const char *login, const char *name,
                             const char *password_hash, int64_t role_id, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO users (login, name, password_hash, role_id, active, created_at, updated_at)"
		" VALUES (?, ?, ?, ?, 1, ?, ?)");
	store_bind_text(st, 1, login);
	store_bind_text(st, 2, name);
	store_bind_text(st, 3, password_hash);
	store_bind_int(st, 4, role_id);
	store_bind_int(st, 5, now);
	store_bind_int(st, 6, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK)
		*id = store_last_id(c);
	return rc;
}

enum vk_rc store_user_update(struct conn *c, int64_t id, const char *name, int64_t role_id,
                             int active, const char *password_hash, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c,
		"UPDATE users SET name = COALESCE(?2, name),"
		" role_id = CASE WHEN ?3 > 0 THEN ?3 ELSE role_id END,"
		" active = CASE WHEN ?4 >= 0 THEN ?4 ELSE active END,"
		" password_hash = COALESCE(?5, password_hash), updated_at = ?6 WHERE id = ?1");
	store_auth_changed(c);
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, name);
	store_bind_int(st, 3, role_id);
	store_bind_int(st, 4, active);
	store_bind_text(st, 5, password_hash);
	store_bind_int(st, 6, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK && store_changes(c) == 0)
		rc = VK_ENOTFOUND;
	return rc;
}

int64_t store_user_count(struct conn *c)
{
	return store_int(c, store_stmt(c, "SELECT COUNT(*) FROM users"));
}

int64_t store_user_count_active_admins(struct conn *c)
{
	return store_int(c, store_stmt(c,
		"SELECT COUNT(*) FROM users u JOIN role_capabilities rc ON rc.role_id = u.role_id"
		" WHERE u.active = 1 AND rc.capability = '*'"));
}

/* ---- roles ---- */

static enum vk_rc role_caps(struct conn *c, struct arena *a, struct role *r)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT capability FROM role_capabilities WHERE role_id = ? ORDER BY capability");
	store_bind_int(st, 1, r->id);
	int cap = 8;
	r->caps = arena_alloc(a, sizeof *r->caps * (size_t)cap);
	r->n_caps = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (r->n_caps == cap) {
			const char **bigger = arena_alloc(a, sizeof *bigger * (size_t)cap * 2);
			memcpy(bigger, r->caps, sizeof *bigger * (size_t)cap);
			r->caps = bigger;
			cap *= 2;
		}
		r->caps[r->n_caps++] = arena_strdup(a, store_col_text(st, 0));
	}
	store_done(c, st);
	return VK_OK;
}

static enum vk_rc role_one(struct conn *c, sqlite3_stmt *st, struct arena *a, struct role *out)
{
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->key = arena_strdup(a, store_col_text(st, 1));
		out->name = arena_strdup(a, store_col_text(st, 2));
		rc = VK_OK;
	}
	store_done(c, st);
	if (rc == VK_OK)
		rc = role_caps(c, a, out);
	return rc;
}

enum vk_rc store_role_by_key(struct conn *c, const char *key, struct arena *a, struct role *out)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT id, key, name FROM roles WHERE key = ?");
	store_bind_text(st, 1, key);
	return role_one(c, st, a, out);
}

enum vk_rc store_role_get(struct conn *c, int64_t id, struct arena *a, struct role *out)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT id, key, name FROM roles WHERE id = ?");
	store_bind_int(st, 1, id);
	return role_one(c, st, a, out);
}

enum vk_rc store_role_list(struct conn *c, struct arena *a, struct role **items, int *n)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COUNT(*) FROM roles");
	int total = (int)store_int(c, st);
	*items = arena_alloc(a, sizeof **items * (size_t)(total + 1));
	*n = 0;
	st = store_stmt(c, "SELECT id, key, name FROM roles ORDER BY id");
	while (*n < total && sqlite3_step(st) == SQLITE_ROW) {
		struct role *r = &(*items)[(*n)++];
		r->id = sqlite3_column_int64(st, 0);
		r->key = arena_strdup(a, store_col_text(st, 1));
		r->name = arena_strdup(a, store_col_text(st, 2));
	}
	store_done(c, st);
	for (int i = 0; i < *n; i++)
		role_caps(c, a, &(*items)[i]);
	return VK_OK;
}

void store_role_usage(struct conn *c, int64_t role_id, int64_t *n_users, int64_t *n_tokens)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COUNT(*) FROM users WHERE role_id = ?");
	store_bind_int(st, 1, role_id);
	*n_users = store_int(c, st);
	st = store_stmt(c, "SELECT COUNT(*) FROM api_tokens WHERE role_id = ? AND revoked_at IS NULL");
	store_bind_int(st, 1, role_id);
	*n_tokens = store_int(c, st);
}

enum vk_rc store_role_delete(struct conn *c, int64_t role_id)
{
	store_auth_changed(c);
	sqlite3_stmt *st = store_stmt(c, "DELETE FROM api_tokens WHERE role_id = ? AND revoked_at IS NOT NULL");
	store_bind_int(st, 1, role_id);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc != VK_OK)
		return rc;
	st = store_stmt(c, "DELETE FROM roles WHERE id = ?");
	store_bind_int(st, 1, role_id);
	rc = store_exec_stmt(c, st);
	return rc == VK_OK && store_changes(c) == 0 ? VK_ENOTFOUND : rc;
}

enum vk_rc store_role_put(struct conn *c, const char *key, const char *name, const char *const *caps,
                          int n_caps, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO roles (key, name, created_at) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (key) DO UPDATE SET name = excluded.name");
	store_auth_changed(c);
	store_bind_text(st, 1, key);
	store_bind_text(st, 2, name);
	store_bind_int(st, 3, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc != VK_OK)
		return rc;
	st = store_stmt(c, "SELECT id FROM roles WHERE key = ?");
	store_bind_text(st, 1, key);
	*id = store_int(c, st);
	st = store_stmt(c, "DELETE FROM role_capabilities WHERE role_id = ?");
	store_bind_int(st, 1, *id);
	if ((rc = store_exec_stmt(c, st)) != VK_OK)
		return rc;
	for (int i = 0; i < n_caps; i++) {
		st = store_stmt(c, "INSERT OR IGNORE INTO role_capabilities (role_id, capability) VALUES (?, ?)");
		store_bind_int(st, 1, *id);
		store_bind_text(st, 2, caps[i]);
		if ((rc = store_exec_stmt(c, st)) != VK_OK)
			return rc;
	}
	return VK_OK;
}

/* ---- sessions ---- */

enum vk_rc store_session_insert(struct conn *c, const unsigned char *token_hash, int64_t user_id,
                                const char *csrf, int64_t now, const char *ip, const char *user_agent)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen_at, ip, user_agent)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_blob(st, 1, token_hash, 32, SQLITE_TRANSIENT);
	store_bind_int(st, 2, user_id);
	store_bind_text(st, 3, csrf);
	store_bind_int(st, 4, now);
	store_bind_int(st, 5, now);
	store_bind_text(st, 6, ip);
	store_bind_text(st, 7, user_agent);
	return store_exec_stmt(c, st);
}

enum vk_rc store_session_find(struct conn *c, const unsigned char *token_hash, struct arena *a,
                              struct session_row *out)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT id, user_id, csrf, created_at, last_seen_at, revoked_at IS NOT NULL"
		" FROM sessions WHERE token_hash = ?");
	sqlite3_bind_blob(st, 1, token_hash, 32, SQLITE_STATIC);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->user_id = sqlite3_column_int64(st, 1);
		out->csrf = arena_strdup(a, store_col_text(st, 2));
		out->created_at = sqlite3_column_int64(st, 3);
		out->last_seen_at = sqlite3_column_int64(st, 4);
		out->revoked = sqlite3_column_int(st, 5) != 0;
		rc = VK_OK;
	}
	store_done(c, st);
	return rc;
}

enum vk_rc store_session_touch(struct conn *c, int64_t id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c,
		"UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1 AND last_seen_at < ?2");
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, now);
	return store_exec_stmt(c, st);
}

enum vk_rc store_session_revoke(struct conn *c, int64_t id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c,
		"UPDATE sessions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
	store_auth_changed(c);
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, now);
	return store_exec_stmt(c, st);
}

enum vk_rc store_session_revoke_user(struct conn *c, int64_t user_id, int64_t keep_id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c,
		"UPDATE sessions SET revoked_at = ?3 WHERE user_id = ?1 AND id <> ?2 AND revoked_at IS NULL");
	store_auth_changed(c);
	store_bind_int(st, 1, user_id);
	store_bind_int(st, 2, keep_id);
	store_bind_int(st, 3, now);
	return store_exec_stmt(c, st);
}

/* ---- API tokens ---- */

#define TOKEN_COLS "t.id, t.name, t.role_id, r.key, t.created_by, t.created_at, COALESCE(t.last_used_at, 0), t.revoked_at IS NOT NULL"
#define TOKEN_FROM " FROM api_tokens t JOIN roles r ON r.id = t.role_id "

static void read_token(sqlite3_stmt *st, struct arena *a, struct token_row *t)
{
	t->id = sqlite3_column_int64(st, 0);
	t->name = arena_strdup(a, store_col_text(st, 1));
	t->role_id = sqlite3_column_int64(st, 2);
	t->role_key = arena_strdup(a, store_col_text(st, 3));
	t->created_by = sqlite3_column_int64(st, 4);
	t->created_at = sqlite3_column_int64(st, 5);
	t->last_used_at = sqlite3_column_int64(st, 6);
	t->revoked = sqlite3_column_int(st, 7) != 0;
}

enum vk_rc store_token_insert(struct conn *c, const char *name, const unsigned char *token_hash,
                              int64_t role_id, int64_t created_by, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO api_tokens (name, token_hash, role_id, created_by, created_at) VALUES (?, ?, ?, ?, ?)");
	store_bind_text(st, 1, name);
	sqlite3_bind_blob(st, 2, token_hash, 32, SQLITE_TRANSIENT);
	store_bind_int(st, 3, role_id);
	if (created_by > 0)
		store_bind_int(st, 4, created_by);
	store_bind_int(st, 5, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK)
		*id = store_last_id(c);
	return rc;
}

enum vk_rc store_token_find(struct conn *c, const unsigned char *token_hash, struct arena *a,
                            struct token_row *out)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT " TOKEN_COLS TOKEN_FROM "WHERE t.token_hash = ?");
	sqlite3_bind_blob(st, 1, token_hash, 32, SQLITE_STATIC);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_token(st, a, out);
		rc = VK_OK;
	}
	store_done(c, st);
	return rc;
}

enum vk_rc store_token_get(struct conn *c, int64_t id, struct arena *a, struct token_row *out)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT " TOKEN_COLS TOKEN_FROM "WHERE t.id = ?");
	store_bind_int(st, 1, id);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_token(st, a, out);
		rc = VK_OK;
	}
	store_done(c, st);
	return rc;
}

enum vk_rc store_token_list(struct conn *c, struct arena *a, struct token_row **items, int *n)
{
	int total = (int)store_int(c, store_stmt(c, "SELECT COUNT(*) FROM api_tokens"));
	*items = arena_alloc(a, sizeof **items * (size_t)(total + 1));
	*n = 0;
	sqlite3_stmt *st = store_stmt(c, "SELECT " TOKEN_COLS TOKEN_FROM "ORDER BY t.id");
	while (*n < total && sqlite3_step(st) == SQLITE_ROW)
		read_token(st, a, &(*items)[(*n)++]);
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_token_revoke(struct conn *c, int64_t id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c,
		"UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
	store_auth_changed(c);
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK && store_changes(c) == 0)
		rc = VK_ENOTFOUND;
	return rc;
}

enum vk_rc store_token_touch(struct conn *c, int64_t id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c, "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1");
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, now);
	return store_exec_stmt(c, st);
}
