/* Tables notes, note_mentions, tasks and notifications: what people tell each other and
 * plan around records. */
#ifndef VK_STORE_ACTIVITY_H
#define VK_STORE_ACTIVITY_H
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"

struct mention { int64_t user_id; const char *name; bool read; };

struct note {
	int64_t id, record_id, author_id, created_at;
	const char *entity, *author_name, *body;
	struct mention *mentions;
	int n_mentions;
	bool pinned; /* mentions the reader and is unread by them */
};

struct task {
	int64_t id, record_id, assignee_id, due_at, done_at, done_by, created_by, created_at, version;
	const char *entity, *kind, *title, *assignee_name, *record_title;
};

struct notification {
	int64_t id, user_id, record_id, note_id, created_at, read_at;   /* note_id: 0 unless a mention */
	const char *kind, *entity, *title, *body;
};

enum vk_rc store_note_insert(struct conn *c, const char *entity, int64_t record_id, int64_t author_id,
                             const char *body, int64_t now, int64_t *id);
enum vk_rc store_mention_insert(struct conn *c, int64_t note_id, int64_t user_id);
/* Notes of a record, newest first; pinned computed for reader_id. */
enum vk_rc store_note_list(struct conn *c, const char *entity, int64_t record_id, int64_t reader_id,
                           int64_t before_id, int limit, struct arena *a, struct note **items, int *n);
enum vk_rc store_note_get(struct conn *c, int64_t id, int64_t reader_id, struct arena *a, struct note *out);
enum vk_rc store_note_delete(struct conn *c, int64_t id, int64_t now);
enum vk_rc store_mention_read(struct conn *c, int64_t note_id, int64_t user_id, int64_t now);

enum vk_rc store_task_insert(struct conn *c, const struct task *t, int64_t now, int64_t *id);
enum vk_rc store_task_get(struct conn *c, int64_t id, struct arena *a, struct task *out);
/* What a task list asks for; zero/NULL members do not filter. */
struct task_query {
	int64_t assignee_id;      /* tasks of this user; 0: anyone's */
	int64_t visible_to;       /* only tasks this user is the assignee or the author of; 0: all */
	int done;                 /* -1 any, 0 open, 1 done */
	int64_t due_from, due_to; /* inclusive; INT64_MIN: open-ended */
	const char *entity;       /* with record_id: the tasks about one record */
	int64_t record_id;
	bool desc;                /* latest due first */
	int64_t after_due, after_id; /* keyset cursor: continue after this (due_at, id); after_id 0: from the start */
	int limit;
};
/* Ordered by due time, then id (both reversed when desc). */
enum vk_rc store_task_list(struct conn *c, const struct task_query *q, struct arena *a, struct task **items, int *n);
enum vk_rc store_task_update(struct conn *c, const struct task *t, int64_t now);
enum vk_rc store_task_delete(struct conn *c, int64_t id, int64_t now);
/* Open tasks due at or before now that nobody was told about yet (oldest first). */
enum vk_rc store_task_due(struct conn *c, int64_t now, int limit, struct arena *a, struct task **items, int *n);
enum vk_rc store_task_mark_notified(struct conn *c, int64_t id, int64_t now);

enum vk_rc store_notification_insert(struct conn *c, const struct notification *n, int64_t *id);
enum vk_rc store_notification_list(struct conn *c, int64_t user_id, bool unread_only, int64_t before_id,
                                   int limit, struct arena *a, struct notification **items, int *n);
int64_t store_notification_unread(struct conn *c, int64_t user_id);
/* Mark ids (or all when n_ids < 0) of user_id read. */
enum vk_rc store_notification_read(struct conn *c, int64_t user_id, const int64_t *ids, int n_ids, int64_t now);
/* Mark read user_id's mention notification of the note on (entity, record_id) created at created_at. */
enum vk_rc store_notification_read_mention(struct conn *c, int64_t user_id, int64_t note_id, int64_t now);
struct saved_filter { int64_t id, user_id, created_at; const char *entity, *name, *query; };
enum vk_rc store_filter_list(struct conn *c, int64_t user_id, const char *entity, struct arena *a,
                             struct saved_filter **items, int *n);
enum vk_rc store_filter_insert(struct conn *c, const struct saved_filter *f, int64_t *id);
enum vk_rc store_filter_delete(struct conn *c, int64_t id, int64_t user_id);
#endif
