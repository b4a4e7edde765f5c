#include "store/activity.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *text_or_null(sqlite3_stmt *st, int i, struct arena *a)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : arena_strdup(a, store_col_text(st, i));
}

/* ---- notes ---- */

enum vk_rc store_note_insert(struct conn *c, const char *entity, int64_t record_id, int64_t author_id,
                             const char *body, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO notes (entity, record_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?)");
	store_bind_text(st, 1, entity);
	store_bind_int(st, 2, record_id);
	if (author_id > 0)
		store_bind_int(st, 3, author_id);
	store_bind_text(st, 4, body);
	store_bind_int(st, 5, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK)
		*id = store_last_id(c);
	return rc;
}

enum vk_rc store_mention_insert(struct conn *c, int64_t note_id, int64_t user_id)
{
	sqlite3_stmt *st = store_stmt(c, "INSERT OR IGNORE INTO note_mentions (note_id, user_id) VALUES (?, ?)");
	store_bind_int(st, 1, note_id);
	store_bind_int(st, 2, user_id);
	return store_exec_stmt(c, st);
}

static void load_mentions(struct conn *c, struct note *n, struct arena *a, int64_t reader_id)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT m.user_id, u.name, m.read_at IS NOT NULL FROM note_mentions m JOIN users u ON u.id = m.user_id"
		" WHERE m.note_id = ? ORDER BY m.user_id LIMIT 50");
	store_bind_int(st, 1, n->id);
	n->mentions = arena_alloc(a, sizeof *n->mentions * 50);
	n->n_mentions = 0;
	while (n->n_mentions < 50 && sqlite3_step(st) == SQLITE_ROW) {
		struct mention *m = &n->mentions[n->n_mentions++];
		m->user_id = sqlite3_column_int64(st, 0);
		m->name = arena_strdup(a, store_col_text(st, 1));
		m->read = sqlite3_column_int(st, 2) != 0;
		if (m->user_id == reader_id && !m->read)
			n->pinned = true;
	}
	store_done(c, st);
}

#define NOTE_COLS "n.id, n.entity, n.record_id, COALESCE(n.author_id, 0), u.name, n.body, n.created_at"

static void read_note(sqlite3_stmt *st, struct arena *a, struct note *n)
{
	memset(n, 0, sizeof *n);
	n->id = sqlite3_column_int64(st, 0);
	n->entity = arena_strdup(a, store_col_text(st, 1));
	n->record_id = sqlite3_column_int64(st, 2);
	n->author_id = sqlite3_column_int64(st, 3);
	n->author_name = text_or_null(st, 4, a);
	n->body = arena_strdup(a, store_col_text(st, 5));
	n->created_at = sqlite3_column_int64(st, 6);
}

enum vk_rc store_note_list(struct conn *c, const char *entity, int64_t record_id, int64_t reader_id,
                           int64_t before_id, int limit, struct arena *a, struct note **items, int *n)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT " NOTE_COLS " FROM notes n LEFT JOIN users u ON u.id = n.author_id"
		" WHERE n.entity = ?1 AND n.record_id = ?2 AND n.deleted_at IS NULL AND n.id < ?3"
		" ORDER BY n.id DESC LIMIT ?4");
	store_bind_text(st, 1, entity);
	store_bind_int(st, 2, record_id);
	store_bind_int(st, 3, before_id > 0 ? before_id : INT64_MAX); /* see event_list */
	store_bind_int(st, 4, limit);
	*items = arena_alloc(a, sizeof **items * (size_t)limit);
	*n = 0;
	while (*n < limit && sqlite3_step(st) == SQLITE_ROW)
		read_note(st, a, &(*items)[(*n)++]);
	store_done(c, st);
	for (int i = 0; i < *n; i++)
		load_mentions(c, &(*items)[i], a, reader_id);
	return VK_OK;
}

enum vk_rc store_note_get(struct conn *c, int64_t id, int64_t reader_id, struct arena *a, struct note *out)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT " NOTE_COLS " FROM notes n LEFT JOIN users u ON u.id = n.author_id"
		" WHERE n.id = ? AND n.deleted_at IS NULL");
	store_bind_int(st, 1, id);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_note(st, a, out);
		rc = VK_OK;
	}
	store_done(c, st);
	if (rc == VK_OK)
		load_mentions(c, out, a, reader_id);
	return rc;
}

enum vk_rc store_note_delete(struct conn *c, int64_t id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c, "UPDATE notes SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL");
	store_bind_int(st, 1, now);
	store_bind_int(st, 2, id);
	enum vk_rc rc = store_exec_stmt(c, st);
	return rc == VK_OK && store_changes(c) == 0 ? VK_ENOTFOUND : rc;
}

enum vk_rc store_mention_read(struct conn *c, int64_t note_id, int64_t user_id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c,
		"UPDATE note_mentions SET read_at = ? WHERE note_id = ? AND user_id = ? AND read_at IS NULL");
	store_bind_int(st, 1, now);
	store_bind_int(st, 2, note_id);
	store_bind_int(st, 3, user_id);
	return store_exec_stmt(c, st);
}

/* ---- tasks ---- */

#define TASK_COLS "t.id, t.entity, COALESCE(t.record_id, 0), t.kind, t.title, t.due_at, t.assignee_id, u.name," \
	" COALESCE(t.done_at, 0), COALESCE(t.created_by, 0), t.created_at, t.version"

static void read_task(sqlite3_stmt *st, struct arena *a, struct task *t)
{
	memset(t, 0, sizeof *t);
	t->id = sqlite3_column_int64(st, 0);
	t->entity = text_or_null(st, 1, a);
	t->record_id = sqlite3_column_int64(st, 2);
	t->kind = arena_strdup(a, store_col_text(st, 3));
	t->title = arena_strdup(a, store_col_text(st, 4));
	t->due_at = sqlite3_column_int64(st, 5);
	t->assignee_id = sqlite3_column_int64(st, 6);
	t->assignee_name = text_or_null(st, 7, a);
	t->done_at = sqlite3_column_int64(st, 8);
	t->created_by = sqlite3_column_int64(st, 9);
	t->created_at = sqlite3_column_int64(st, 10);
	t->version = sqlite3_column_int64(st, 11);
}

enum vk_rc store_task_insert(struct conn *c, const struct task *t, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO tasks (entity, record_id, kind, title, due_at, assignee_id, created_by, created_at, updated_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	store_bind_text(st, 1, t->entity);
	if (t->record_id > 0)
		store_bind_int(st, 2, t->record_id);
	store_bind_text(st, 3, t->kind);
	store_bind_text(st, 4, t->title);
	store_bind_int(st, 5, t->due_at);
	store_bind_int(st, 6, t->assignee_id);
	if (t->created_by > 0)
		store_bind_int(st, 7, t->created_by);
	store_bind_int(st, 8, now);
	store_bind_int(st, 9, now);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK)
		*id = store_last_id(c);
	return rc;
}

enum vk_rc store_task_get(struct conn *c, int64_t id, struct arena *a, struct task *out)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT " TASK_COLS " FROM tasks t JOIN users u ON u.id = t.assignee_id"
	                                 " WHERE t.id = ? AND t.deleted_at IS NULL");
	store_bind_int(st, 1, id);
	enum vk_rc rc = VK_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_task(st, a, out);
		rc = VK_OK;
	}
	store_done(c, st);
	return rc;
}

enum vk_rc store_task_list(struct conn *c, const struct task_query *q, struct arena *a, struct task **items, int *n)
{
	/* Only the conditions asked for: "(?1 <= 0 OR t.assignee_id = ?1)" kept the planner from the
	 * assignee index, so "my open tasks" read every task. Parameters keep their numbers, so the
	 * few shapes of this query are cached apart and bound alike; either direction walks an index. */
	char sqlq[1000];
	snprintf(sqlq, sizeof sqlq,
		"SELECT " TASK_COLS " FROM tasks t JOIN users u ON u.id = t.assignee_id WHERE t.deleted_at IS NULL%s%s%s%s%s%s%s"
		" ORDER BY t.due_at%s, t.id%s LIMIT ?9",
		q->assignee_id > 0 ? " AND t.assignee_id = ?1" : "",
		q->done == 0 ? " AND t.done_at IS NULL" : q->done > 0 ? " AND t.done_at IS NOT NULL" : "",
		q->due_from != INT64_MIN ? " AND t.due_at >= ?3" : "",
		q->due_to != INT64_MIN ? " AND t.due_at <= ?4" : "",
		q->entity ? " AND t.entity = ?5 AND t.record_id = ?6" : "",
		q->visible_to > 0 ? " AND (t.assignee_id = ?10 OR t.created_by = ?10)" : "",
		!q->after_id ? "" : q->desc ? " AND (t.due_at, t.id) < (?7, ?8)" : " AND (t.due_at, t.id) > (?7, ?8)",
		q->desc ? " DESC" : "", q->desc ? " DESC" : "");
	sqlite3_stmt *st = store_stmt_dyn(c, sqlq);
	store_bind_int(st, 1, q->assignee_id);
	if (q->due_from != INT64_MIN)
		store_bind_int(st, 3, q->due_from);
	if (q->due_to != INT64_MIN)
		store_bind_int(st, 4, q->due_to);
	store_bind_text(st, 5, q->entity);
	store_bind_int(st, 6, q->record_id);
	store_bind_int(st, 7, q->after_due);
	store_bind_int(st, 8, q->after_id);
	store_bind_int(st, 9, q->limit);
	store_bind_int(st, 10, q->visible_to);
	*items = arena_alloc(a, sizeof **items * (size_t)q->limit);
	*n = 0;
	while (*n < q->limit && sqlite3_step(st) == SQLITE_ROW)
		read_task(st, a, &(*items)[(*n)++]);
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_task_update(struct conn *c, const struct task *t, int64_t now)
{
	/* a task moved to a later time is due again: its reminder is re-armed */
	sqlite3_stmt *st = store_stmt(c,
		"UPDATE tasks SET kind = ?2, title = ?3, assignee_id = ?5, done_at = ?6, done_by = ?7,"
		" notified_at = CASE WHEN due_at <> ?4 THEN NULL ELSE notified_at END, due_at = ?4,"
		" updated_at = ?8, version = version + 1 WHERE id = ?1 AND version = ?9 AND deleted_at IS NULL");
	store_bind_int(st, 1, t->id);
	store_bind_text(st, 2, t->kind);
	store_bind_text(st, 3, t->title);
	store_bind_int(st, 4, t->due_at);
	store_bind_int(st, 5, t->assignee_id);
	if (t->done_at) {
		store_bind_int(st, 6, t->done_at);
		store_bind_int(st, 7, t->done_by);
	}
	store_bind_int(st, 8, now);
	store_bind_int(st, 9, t->version);
	enum vk_rc rc = store_exec_stmt(c, st);
	return rc == VK_OK && store_changes(c) == 0 ? VK_ECONFLICT : rc;
}

enum vk_rc store_task_delete(struct conn *c, int64_t id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c, "UPDATE tasks SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL");
	store_bind_int(st, 1, now);
	store_bind_int(st, 2, id);
	enum vk_rc rc = store_exec_stmt(c, st);
	return rc == VK_OK && store_changes(c) == 0 ? VK_ENOTFOUND : rc;
}

enum vk_rc store_task_due(struct conn *c, int64_t now, int limit, struct arena *a, struct task **items, int *n)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT " TASK_COLS " FROM tasks t JOIN users u ON u.id = t.assignee_id"
		" WHERE t.done_at IS NULL AND t.notified_at IS NULL AND t.deleted_at IS NULL AND t.due_at <= ?"
		" ORDER BY t.due_at LIMIT ?");
	store_bind_int(st, 1, now);
	store_bind_int(st, 2, limit);
	*items = arena_alloc(a, sizeof **items * (size_t)limit);
	*n = 0;
	while (*n < limit && sqlite3_step(st) == SQLITE_ROW)
		read_task(st, a, &(*items)[(*n)++]);
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_task_mark_notified(struct conn *c, int64_t id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c, "UPDATE tasks SET notified_at = ? WHERE id = ? AND notified_at IS NULL");
	store_bind_int(st, 1, now);
	store_bind_int(st, 2, id);
	return store_exec_stmt(c, st);
}

/* ---- notifications ---- */

enum vk_rc store_notification_insert(struct conn *c, const struct notification *n, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO notifications (user_id, kind, entity, record_id, title, body, created_at, note_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	store_bind_int(st, 1, n->user_id);
	store_bind_text(st, 2, n->kind);
	store_bind_text(st, 3, n->entity);
	if (n->record_id > 0)
		store_bind_int(st, 4, n->record_id);
	store_bind_text(st, 5, n->title);
	store_bind_text(st, 6, n->body);
	store_bind_int(st, 7, n->created_at);
	if (n->note_id > 0)
		store_bind_int(st, 8, n->note_id);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK)
		*id = store_last_id(c);
	return rc;
}

enum vk_rc store_notification_list(struct conn *c, int64_t user_id, bool unread_only, int64_t before_id,
                                   int limit, struct arena *a, struct notification **items, int *n)
{
	sqlite3_stmt *st = store_stmt(c,
		"SELECT id, user_id, kind, entity, COALESCE(record_id, 0), title, body, created_at, COALESCE(read_at, 0)"
		" FROM notifications WHERE user_id = ?1 AND (?2 = 0 OR read_at IS NULL) AND id < ?3"
		" ORDER BY id DESC LIMIT ?4");
	store_bind_int(st, 1, user_id);
	store_bind_int(st, 2, unread_only);
	store_bind_int(st, 3, before_id > 0 ? before_id : INT64_MAX); /* see event_list */
	store_bind_int(st, 4, limit);
	*items = arena_alloc(a, sizeof **items * (size_t)limit);
	*n = 0;
	while (*n < limit && sqlite3_step(st) == SQLITE_ROW) {
		struct notification *x = &(*items)[(*n)++];
		x->id = sqlite3_column_int64(st, 0);
		x->user_id = sqlite3_column_int64(st, 1);
		x->kind = arena_strdup(a, store_col_text(st, 2));
		x->entity = text_or_null(st, 3, a);
		x->record_id = sqlite3_column_int64(st, 4);
		x->title = arena_strdup(a, store_col_text(st, 5));
		x->body = text_or_null(st, 6, a);
		x->created_at = sqlite3_column_int64(st, 7);
		x->read_at = sqlite3_column_int64(st, 8);
	}
	store_done(c, st);
	return VK_OK;
}

int64_t store_notification_unread(struct conn *c, int64_t user_id)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL");
	store_bind_int(st, 1, user_id);
	return store_int(c, st);
}

enum vk_rc store_notification_read(struct conn *c, int64_t user_id, const int64_t *ids, int n_ids, int64_t now)
{
	enum vk_rc rc = VK_OK;
	if (n_ids < 0) {
		sqlite3_stmt *st = store_stmt(c, "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL");
		store_bind_int(st, 1, now);
		store_bind_int(st, 2, user_id);
		return store_exec_stmt(c, st);
	}
	for (int i = 0; i < n_ids && rc == VK_OK; i++) {
		sqlite3_stmt *st = store_stmt(c,
			"UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL");
		store_bind_int(st, 1, now);
		store_bind_int(st, 2, ids[i]);
		store_bind_int(st, 3, user_id);
		rc = store_exec_stmt(c, st);
	}
	return rc;
}

enum vk_rc store_notification_read_mention(struct conn *c, int64_t user_id, int64_t note_id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c,
		"UPDATE notifications SET read_at = ? WHERE note_id = ? AND user_id = ? AND read_at IS NULL");
	store_bind_int(st, 1, now);
	store_bind_int(st, 2, note_id);
	store_bind_int(st, 3, user_id);
	return store_exec_stmt(c, st);
}

/* ---- saved filters ---- */

enum vk_rc store_filter_list(struct conn *c, int64_t user_id, const char *entity, struct arena *a,
                             struct saved_filter **items, int *n)
{
	int cap = 200;
	*items = arena_alloc(a, sizeof **items * (size_t)cap);
	*n = 0;
	sqlite3_stmt *st = store_stmt(c,
		"SELECT id, user_id, entity, name, query, created_at FROM saved_filters"
		" WHERE user_id = ?1 AND (?2 IS NULL OR entity = ?2) ORDER BY entity, name, id LIMIT 200");
	store_bind_int(st, 1, user_id);
	store_bind_text(st, 2, entity);
	while (*n < cap && sqlite3_step(st) == SQLITE_ROW) {
		struct saved_filter *f = &(*items)[(*n)++];
		f->id = sqlite3_column_int64(st, 0);
		f->user_id = sqlite3_column_int64(st, 1);
		f->entity = arena_strdup(a, store_col_text(st, 2));
		f->name = arena_strdup(a, store_col_text(st, 3));
		f->query = arena_strdup(a, store_col_text(st, 4));
		f->created_at = sqlite3_column_int64(st, 5);
	}
	store_done(c, st);
	return VK_OK;
}

enum vk_rc store_filter_insert(struct conn *c, const struct saved_filter *f, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c,
		"INSERT INTO saved_filters (user_id, entity, name, query, created_at) VALUES (?, ?, ?, ?, ?)");
	store_bind_int(st, 1, f->user_id);
	store_bind_text(st, 2, f->entity);
	store_bind_text(st, 3, f->name);
	store_bind_text(st, 4, f->query);
	store_bind_int(st, 5, f->created_at);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc == VK_OK)
		*id = store_last_id(c);
	return rc;
}

enum vk_rc store_filter_delete(struct conn *c, int64_t id, int64_t user_id)
{
	sqlite3_stmt *st = store_stmt(c, "DELETE FROM saved_filters WHERE id = ? AND user_id = ?");
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, user_id);
	enum vk_rc rc = store_exec_stmt(c, st);
	return rc == VK_OK && store_changes(c) == 0 ? VK_ENOTFOUND : rc;
}
