#include "store/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void read_stage(sqlite3_stmt *st, struct arena *a, struct stage *s)
{
	s->id = sqlite3_column_int64(st, 0);
	s->pipeline_id = sqlite3_column_int64(st, 1);
	s->key = arena_strdup(a, store_col_text(st, 2));
	s->name = arena_strdup(a, store_col_text(st, 3));
	s->kind = arena_strdup(a, store_col_text(st, 4));
	s->color = arena_strdup(a, store_col_text(st, 5));
	s->sort = sqlite3_column_int(st, 6);
	s->required_fields = arena_strdup(a, store_col_text(st, 7));
}

#define STAGE_COLS "id, pipeline_id, key, name, kind, color, sort, required_fields"

static enum vk_rc load_stages(struct conn *c, struct pipeline *p, struct arena *a)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COUNT(*) FROM stages WHERE pipeline_id = ?");
	store_bind_int(st, 1, p->id);
	int total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	store_done(c, st);
	p->stages = arena_alloc(a, sizeof *p->stages * (size_t)(total + 1));
	p->n_stages = 0;
	st = store_stmt(c, "SELECT " STAGE_COLS " FROM stages WHERE pipeline_id = ? ORDER BY sort, id");
	store_bind_int(st, 1, p->id);
	while (p->n_stages < total && sqlite3_step(st) == SQLITE_ROW)
		read_stage(st, a, &p->stages[p->n_stages++]);
	store_done(c, st);
	return VK_OK;
}

bool store_pipeline_visible(struct conn *c, int64_t pipeline_id, int64_t role_id)
{
	if (role_id < 0)
		return true;
	sqlite3_stmt *st = store_stmt(c,
		"SELECT NOT EXISTS (SELECT 1 FROM pipeline_roles WHERE pipeline_id = ?1)"
		" OR EXISTS (SELECT 1 FROM pipeline_roles WHERE pipeline_id = ?1 AND role_id = ?2)");
	store_bind_int(st, 1, pipeline_id);
	store_bind_int(st, 2, role_id);
	bool ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	store_done(c, st);
	return ok;
}

bool store_role_sees_every_pipeline(struct conn *c, int64_t role_id)
{
	char key[96];
	store_memo_key(key, sizeof key, "role_pipelines", role_id, NULL, NULL);
	const char *memo = store_memo_get(c, key, NULL);
	if (memo)
		return memo[0] == '1';
	sqlite3_stmt *st = store_stmt(c,
		"SELECT NOT EXISTS (SELECT 1 FROM pipeline_roles pr WHERE NOT EXISTS"
		" (SELECT 1 FROM pipeline_roles mine WHERE mine.pipeline_id = pr.pipeline_id AND mine.role_id = ?1))");
	store_bind_int(st, 1, role_id);
	bool all = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	store_done(c, st);
	store_memo_put(c, key, all ? "1" : "0", 1);
	return all;
}

enum vk_rc store_pipeline_list(struct conn *c, const char *entity, int64_t role_id, struct arena *a,
                               struct pipeline **items, int *n)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COUNT(*) FROM pipelines");
	int total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	store_done(c, st);
	*items = arena_alloc(a, sizeof **items * (size_t)(total + 1));
	*n = 0;
	st = store_stmt(c, "SELECT id, entity, key, name, sort FROM pipelines"
	                   " WHERE ?1 IS NULL OR entity = ?1 ORDER BY sort, id");
	store_bind_text(st, 1, entity);
	while (*n < total && sqlite3_step(st) == SQLITE_ROW) {
		struct pipeline *p = &(*items)[*n];
		p->id = sqlite3_column_int64(st, 0);
		p->entity = arena_strdup(a, store_col_text(st, 1));
		p->key = arena_strdup(a, store_col_text(st, 2));
		p->name = arena_strdup(a, store_col_text(st, 3));
		p->sort = sqlite3_column_int(st, 4);
		(*n)++;
	}
	store_done(c, st);
	int kept = 0;
	for (int i = 0; i < *n; i++) {
		if (!store_pipeline_visible(c, (*items)[i].id, role_id))
			continue;
		(*items)[kept] = (*items)[i];
		load_stages(c, &(*items)[kept], a);
		kept++;
	}
	*n = kept;
	return VK_OK;
}

enum vk_rc store_pipeline_by_key(struct conn *c, const char *key, struct arena *a, struct pipeline *out)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT id, entity, key, name, sort FROM pipelines WHERE key = ?");
	store_bind_text(st, 1, key);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->entity = arena_strdup(a, store_col_text(st, 1));
		out->key = arena_strdup(a, store_col_text(st, 2));
		out->name = arena_strdup(a, store_col_text(st, 3));
		out->sort = sqlite3_column_int(st, 4);
		rc = VK_OK;
	}
	store_done(c, st);
	if (rc == VK_OK)
		load_stages(c, out, a);
	return rc;
}

enum vk_rc store_stage_get(struct conn *c, int64_t id, struct arena *a, struct stage *out)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT " STAGE_COLS " FROM stages WHERE id = ?");
	store_bind_int(st, 1, id);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_stage(st, a, out);
		rc = VK_OK;
	}
	store_done(c, st);
	return rc;
}

enum vk_rc store_stage_by_key(struct conn *c, int64_t pipeline_id, const char *key, struct arena *a,
                              struct stage *out)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT " STAGE_COLS " FROM stages WHERE pipeline_id = ? AND key = ?");
	store_bind_int(st, 1, pipeline_id);
	store_bind_text(st, 2, key);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_stage(st, a, out);
		rc = VK_OK;
	}
	store_done(c, st);
	return rc;
}

bool store_pipeline_has_matrix(struct conn *c, int64_t pipeline_id)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT EXISTS (SELECT 1 FROM stage_transitions t JOIN stages s ON s.id = t.from_stage_id"
		" WHERE s.pipeline_id = ?)");
	store_bind_int(st, 1, pipeline_id);
	bool yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	store_done(c, st);
	return yes;
}

bool store_transition_allowed(struct conn *c, int64_t role_id, int64_t from_stage, int64_t to_stage)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT 1 FROM stage_transitions WHERE role_id = ? AND from_stage_id = ? AND to_stage_id = ?");
	store_bind_int(st, 1, role_id);
	store_bind_int(st, 2, from_stage);
	store_bind_int(st, 3, to_stage);
	bool ok = sqlite3_step(st) == SQLITE_ROW;
	store_done(c, st);
	return ok;
}

enum vk_rc store_transitions_from(struct conn *c, int64_t role_id, int64_t from_stage, struct arena *a,
                                  int64_t **to, int *n)
{
	int cap = 32;
	*to = arena_alloc(a, sizeof **to * (size_t)cap);
	*n = 0;
	sqlite3_stmt *st = store_stmt(c,
		"SELECT to_stage_id FROM stage_transitions WHERE role_id = ? AND from_stage_id = ? LIMIT 32");
	store_bind_int(st, 1, role_id);
	store_bind_int(st, 2, from_stage);
	while (*n < cap && sqlite3_step(st) == SQLITE_ROW)
		(*to)[(*n)++] = sqlite3_column_int64(st, 0);
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_checklist(struct conn *c, int64_t stage_id, const char *entity, int64_t record_id,
                           struct arena *a, struct checklist_item **items, int *n)
{
	int cap = 64;
	*items = arena_alloc(a, sizeof **items * (size_t)cap);
	*n = 0;
	sqlite3_stmt *st = store_stmt(c,
		"SELECT i.id, i.key, i.label, rc.done_at IS NOT NULL FROM checklist_items i"
		" LEFT JOIN record_checklist rc ON rc.item_id = i.id AND rc.entity = ?2 AND rc.record_id = ?3"
		" WHERE i.stage_id = ?1 ORDER BY i.sort, i.id");
	store_bind_int(st, 1, stage_id);
	store_bind_text(st, 2, entity);
	store_bind_int(st, 3, record_id);
	while (*n < cap && sqlite3_step(st) == SQLITE_ROW) {
		struct checklist_item *it = &(*items)[(*n)++];
		it->id = sqlite3_column_int64(st, 0);
		it->key = arena_strdup(a, store_col_text(st, 1));
		it->label = arena_strdup(a, store_col_text(st, 2));
		it->done = sqlite3_column_int(st, 3) != 0;
	}
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_checklist_mark(struct conn *c, const char *entity, int64_t record_id, int64_t item_id,
                                bool done, int64_t user_id, int64_t now)
{
	sqlite3_stmt *st;
	if (done) {
		st = store_stmt(c, "INSERT OR IGNORE INTO record_checklist (entity, record_id, item_id, done_by, done_at)"
		                   " VALUES (?, ?, ?, ?, ?)");
		store_bind_text(st, 1, entity);
		store_bind_int(st, 2, record_id);
		store_bind_int(st, 3, item_id);
		if (user_id > 0)
			store_bind_int(st, 4, user_id);
		store_bind_int(st, 5, now);
	} else {
		st = store_stmt(c, "DELETE FROM record_checklist WHERE entity = ? AND record_id = ? AND item_id = ?");
		store_bind_text(st, 1, entity);
		store_bind_int(st, 2, record_id);
		store_bind_int(st, 3, item_id);
	}
	return store_exec_stmt(c, st);
}

enum vk_rc store_checklist_item_by_key(struct conn *c, int64_t stage_id, const char *key, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT id FROM checklist_items WHERE stage_id = ? AND key = ?");
	store_bind_int(st, 1, stage_id);
	store_bind_text(st, 2, key);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = VK_OK;
	}
	store_done(c, st);
	return rc;
}

int64_t store_auto_move(struct conn *c, int64_t from_stage, const char *condition)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT to_stage_id FROM stage_auto_moves WHERE from_stage_id = ? AND condition = ? ORDER BY id LIMIT 1");
	store_bind_int(st, 1, from_stage);
	store_bind_text(st, 2, condition);
	return store_int(c, st);
}

const char *store_role_scope(struct conn *c, int64_t role_id, const char *entity, const char *action,
                             struct arena *a)
{
	char key[96];
	store_memo_key(key, sizeof key, "role_scope", role_id, entity, action);
	const char *memo = store_memo_get(c, key, NULL);
	if (memo)
		return *memo ? arena_strdup(a, memo) : NULL; /* "" for none: a scope is never empty */
	sqlite3_stmt *st = store_stmt(c,
		"SELECT scope FROM role_scopes WHERE role_id = ? AND entity = ? AND action = ?");
	store_bind_int(st, 1, role_id);
	store_bind_text(st, 2, entity);
	store_bind_text(st, 3, action);
	const char *s = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		s = arena_strdup(a, store_col_text(st, 0));
	store_done(c, st);
	store_memo_put(c, key, s ? s : "", s ? strlen(s) : 0);
	return s;
}

int64_t store_user_team(struct conn *c, int64_t user_id)
{
	char key[96];
	store_memo_key(key, sizeof key, "user_team", user_id, NULL, NULL);
	const char *memo = store_memo_get(c, key, NULL);
	if (memo)
		return strtoll(memo, NULL, 10);
	sqlite3_stmt *st = store_stmt(c, "SELECT COALESCE(team_id, 0) FROM users WHERE id = ?");
	store_bind_int(st, 1, user_id);
	int64_t t = store_int(c, st);
	char v[24];
	store_memo_put(c, key, v, (size_t)snprintf(v, sizeof v, "%lld", (long long)t));
	return t;
}

/* ---- configuration ---- */

enum vk_rc store_pipeline_put(struct conn *c, const char *entity, const char *key, const char *name,
                              int sort, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO pipelines (entity, key, name, sort, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
		" ON CONFLICT (key) DO UPDATE SET name = excluded.name, sort = excluded.sort");
	store_bind_text(st, 1, entity);
	store_bind_text(st, 2, key);
	store_bind_text(st, 3, name);
	store_bind_int(st, 4, sort);
	store_bind_int(st, 5, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc != VK_OK)
		return rc;
	st = store_stmt(c, "SELECT id FROM pipelines WHERE key = ?");
	store_bind_text(st, 1, key);
	*id = store_int(c, st);
	return *id ? VK_OK : VK_EIO;
}

enum vk_rc store_stage_put(struct conn *c, int64_t pipeline_id, const char *key, const char *name,
                           const char *kind, const char *color, int sort, const char *required_fields,
                           int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO stages (pipeline_id, key, name, kind, color, sort, required_fields)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (pipeline_id, key) DO UPDATE SET"
		" name = excluded.name, kind = excluded.kind, color = excluded.color, sort = excluded.sort,"
		" required_fields = excluded.required_fields");
	store_bind_int(st, 1, pipeline_id);
	store_bind_text(st, 2, key);
	store_bind_text(st, 3, name);
	store_bind_text(st, 4, kind);
	store_bind_text(st, 5, color);
	store_bind_int(st, 6, sort);
	store_bind_text(st, 7, required_fields);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc != VK_OK)
		return rc;
	st = store_stmt(c, "SELECT id FROM stages WHERE pipeline_id = ? AND key = ?");
	store_bind_int(st, 1, pipeline_id);
	store_bind_text(st, 2, key);
	*id = store_int(c, st);
	return *id ? VK_OK : VK_EIO;
}

enum vk_rc store_pipeline_role_add(struct conn *c, int64_t pipeline_id, int64_t role_id)
{
	sqlite3_stmt *st = store_stmt(c, "INSERT OR IGNORE INTO pipeline_roles (pipeline_id, role_id) VALUES (?, ?)");
	store_bind_int(st, 1, pipeline_id);
	store_bind_int(st, 2, role_id);
	return store_exec_stmt(c, st);
}

enum vk_rc store_transition_put(struct conn *c, int64_t role_id, int64_t from_stage, int64_t to_stage)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT OR IGNORE INTO stage_transitions (role_id, from_stage_id, to_stage_id) VALUES (?, ?, ?)");
	store_bind_int(st, 1, role_id);
	store_bind_int(st, 2, from_stage);
	store_bind_int(st, 3, to_stage);
	return store_exec_stmt(c, st);
}

enum vk_rc store_auto_move_put(struct conn *c, int64_t from_stage, int64_t to_stage, const char *condition)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO stage_auto_moves (from_stage_id, to_stage_id, condition) VALUES (?, ?, ?)");
	store_bind_int(st, 1, from_stage);
	store_bind_int(st, 2, to_stage);
	store_bind_text(st, 3, condition);
	return store_exec_stmt(c, st);
}

enum vk_rc store_checklist_item_put(struct conn *c, int64_t stage_id, const char *key, const char *label,
                                    int sort)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO checklist_items (stage_id, key, label, sort) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (stage_id, key) DO UPDATE SET label = excluded.label, sort = excluded.sort");
	store_bind_int(st, 1, stage_id);
	store_bind_text(st, 2, key);
	store_bind_text(st, 3, label);
	store_bind_int(st, 4, sort);
	return store_exec_stmt(c, st);
}

enum vk_rc store_role_scope_put(struct conn *c, int64_t role_id, const char *entity, const char *action,
                                const char *scope)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO role_scopes (role_id, entity, action, scope) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (role_id, entity, action) DO UPDATE SET scope = excluded.scope");
	store_bind_int(st, 1, role_id);
	store_bind_text(st, 2, entity);
	store_bind_text(st, 3, action);
	store_bind_text(st, 4, scope);
	return store_exec_stmt(c, st);
}

enum vk_rc store_pipeline_clear_rules(struct conn *c, int64_t pipeline_id)
{
	static const char *const sql[] = {
		"DELETE FROM stage_transitions WHERE from_stage_id IN (SELECT id FROM stages WHERE pipeline_id = ?)",
		"DELETE FROM stage_auto_moves WHERE from_stage_id IN (SELECT id FROM stages WHERE pipeline_id = ?)",
		"DELETE FROM pipeline_roles WHERE pipeline_id = ?",
	};
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *st = store_stmt(c, sql[i]);
		store_bind_int(st, 1, pipeline_id);
		enum vk_rc rc = store_exec_stmt(c, st);
		if (rc != VK_OK)
			return rc;
	}
	return VK_OK;
}

enum vk_rc store_stage_prune(struct conn *c, int64_t pipeline_id, const char *keep_json, struct arena *a,
                             const char **in_use, int64_t *n_in_use)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT key, n FROM (SELECT s.key, s.sort,"
		" (SELECT COUNT(*) FROM deals d WHERE d.stage_id = s.id AND d.deleted_at IS NULL)"
		" + (SELECT COUNT(*) FROM companies co WHERE co.stage_id = s.id AND co.deleted_at IS NULL) AS n"
		" FROM stages s WHERE s.pipeline_id = ?1 AND s.key NOT IN (SELECT value FROM json_each(?2))) x"
		" WHERE n > 0 ORDER BY sort LIMIT 1");
	store_bind_int(st, 1, pipeline_id);
	store_bind_text(st, 2, keep_json);
	*in_use = NULL;
	*n_in_use = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*in_use = arena_strdup(a, store_col_text(st, 0));
		*n_in_use = sqlite3_column_int64(st, 1);
	}
	store_done(c, st);
	if (*in_use)
		return VK_ECONFLICT;
	/* Deleted records keep their stage for the foreign key; they go to the first stage that stays,
	 * so the removed stage really disappears (nobody sees deleted records' stages). */
	static const char *const repoint[] = {
		"UPDATE deals SET stage_id = (SELECT id FROM stages WHERE pipeline_id = ?1 AND key IN"
		" (SELECT value FROM json_each(?2)) ORDER BY sort, id LIMIT 1) WHERE deleted_at IS NOT NULL AND stage_id IN"
		" (SELECT id FROM stages WHERE pipeline_id = ?1 AND key NOT IN (SELECT value FROM json_each(?2)))",
		"UPDATE companies SET stage_id = (SELECT id FROM stages WHERE pipeline_id = ?1 AND key IN"
		" (SELECT value FROM json_each(?2)) ORDER BY sort, id LIMIT 1) WHERE deleted_at IS NOT NULL AND stage_id IN"
		" (SELECT id FROM stages WHERE pipeline_id = ?1 AND key NOT IN (SELECT value FROM json_each(?2)))",
	};
	for (size_t i = 0; i < sizeof repoint / sizeof repoint[0]; i++) {
		st = store_stmt(c, repoint[i]);
		store_bind_int(st, 1, pipeline_id);
		store_bind_text(st, 2, keep_json);
		enum vk_rc rc = store_exec_stmt(c, st);
		if (rc != VK_OK)
			return rc;
	}
	st = store_stmt(c, "DELETE FROM stages WHERE pipeline_id = ?1 AND key NOT IN (SELECT value FROM json_each(?2))");
	store_bind_int(st, 1, pipeline_id);
	store_bind_text(st, 2, keep_json);
	return store_exec_stmt(c, st);
}

int64_t store_pipeline_live_records(struct conn *c, int64_t pipeline_id)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT (SELECT COUNT(*) FROM deals WHERE pipeline_id = ?1 AND deleted_at IS NULL)"
		" + (SELECT COUNT(*) FROM companies WHERE pipeline_id = ?1 AND deleted_at IS NULL)");
	store_bind_int(st, 1, pipeline_id);
	return store_int(c, st);
}

int64_t store_pipeline_deleted_deals(struct conn *c, int64_t pipeline_id)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COUNT(*) FROM deals WHERE pipeline_id = ? AND deleted_at IS NOT NULL");
	store_bind_int(st, 1, pipeline_id);
	return store_int(c, st);
}

int64_t store_pipeline_count(struct conn *c, const char *entity)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COUNT(*) FROM pipelines WHERE entity = ?");
	store_bind_text(st, 1, entity);
	return store_int(c, st);
}

enum vk_rc store_pipeline_delete(struct conn *c, int64_t pipeline_id)
{
	static const char *const steps[] = {
		"UPDATE deals SET pipeline_id = (SELECT id FROM pipelines WHERE entity = 'deal' AND id <> ?1 ORDER BY sort, id LIMIT 1),"
		" stage_id = (SELECT s.id FROM stages s WHERE s.pipeline_id ="
		" (SELECT id FROM pipelines WHERE entity = 'deal' AND id <> ?1 ORDER BY sort, id LIMIT 1) ORDER BY s.sort, s.id LIMIT 1)"
		" WHERE pipeline_id = ?1 AND deleted_at IS NOT NULL",
		"UPDATE companies SET pipeline_id = NULL, stage_id = NULL WHERE pipeline_id = ?1 AND deleted_at IS NOT NULL",
		"DELETE FROM pipelines WHERE id = ?1",
	};
	enum vk_rc rc = VK_OK;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0] && rc == VK_OK; i++) {
		sqlite3_stmt *st = store_stmt(c, steps[i]);
		store_bind_int(st, 1, pipeline_id);
		rc = store_exec_stmt(c, st);
	}
	return rc == VK_OK && store_changes(c) == 0 ? VK_ENOTFOUND : rc;
}

const char *store_pipeline_only_role(struct conn *c, int64_t role_id, struct arena *a)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT p.name FROM pipeline_roles pr JOIN pipelines p ON p.id = pr.pipeline_id WHERE pr.role_id = ?1"
		" AND NOT EXISTS (SELECT 1 FROM pipeline_roles o WHERE o.pipeline_id = pr.pipeline_id AND o.role_id <> ?1)"
		" ORDER BY p.sort, p.id LIMIT 1");
	store_bind_int(st, 1, role_id);
	const char *name = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(a, store_col_text(st, 0)) : NULL;
	store_done(c, st);
	return name;
}

enum vk_rc store_checklist_prune(struct conn *c, int64_t stage_id, const char *keep_json)
{
	sqlite3_stmt *st = store_stmt(c,
		"DELETE FROM checklist_items WHERE stage_id = ?1 AND key NOT IN (SELECT value FROM json_each(?2))");
	store_bind_int(st, 1, stage_id);
	store_bind_text(st, 2, keep_json);
	return store_exec_stmt(c, st);
}

enum vk_rc store_role_access_clear(struct conn *c, int64_t role_id)
{
	sqlite3_stmt *st = store_stmt(c, "DELETE FROM role_scopes WHERE role_id = ?");
	store_bind_int(st, 1, role_id);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc != VK_OK)
		return rc;
	st = store_stmt(c, "DELETE FROM role_hidden_fields WHERE role_id = ?");
	store_bind_int(st, 1, role_id);
	return store_exec_stmt(c, st);
}

static int collect3(struct conn *c, sqlite3_stmt *st, struct arena *a, struct rule3 **out, int cap, int cols)
{
	int n = 0;
	*out = arena_alloc(a, sizeof **out * (size_t)cap);
	while (n < cap && sqlite3_step(st) == SQLITE_ROW) {
		(*out)[n].a = arena_strdup(a, store_col_text(st, 0));
		(*out)[n].b = cols > 1 ? arena_strdup(a, store_col_text(st, 1)) : NULL;
		(*out)[n].c = cols > 2 ? arena_strdup(a, store_col_text(st, 2)) : NULL;
		n++;
	}
	store_done(c, st);
	return n;
}

enum vk_rc store_pipeline_rules(struct conn *c, int64_t pipeline_id, struct arena *a, struct rule3 **transitions,
                                int *n_transitions, struct rule3 **auto_moves, int *n_auto,
                                const char ***roles, int *n_roles)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT r.key, f.key, t.key FROM stage_transitions x JOIN roles r ON r.id = x.role_id"
		" JOIN stages f ON f.id = x.from_stage_id JOIN stages t ON t.id = x.to_stage_id"
		" WHERE f.pipeline_id = ? ORDER BY r.key, f.sort, t.sort");
	store_bind_int(st, 1, pipeline_id);
	*n_transitions = collect3(c, st, a, transitions, 5000, 3);
	st = store_stmt(c,
		"SELECT f.key, t.key, m.condition FROM stage_auto_moves m JOIN stages f ON f.id = m.from_stage_id"
		" JOIN stages t ON t.id = m.to_stage_id WHERE f.pipeline_id = ? ORDER BY m.id");
	store_bind_int(st, 1, pipeline_id);
	*n_auto = collect3(c, st, a, auto_moves, 200, 3);
	st = store_stmt(c, "SELECT r.key FROM pipeline_roles p JOIN roles r ON r.id = p.role_id WHERE p.pipeline_id = ?"
	                   " ORDER BY r.key");
	store_bind_int(st, 1, pipeline_id);
	struct rule3 *rs;
	*n_roles = collect3(c, st, a, &rs, 200, 1);
	*roles = arena_alloc(a, sizeof **roles * (size_t)(*n_roles + 1));
	for (int i = 0; i < *n_roles; i++)
		(*roles)[i] = rs[i].a;
	return VK_OK;
}
