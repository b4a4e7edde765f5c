/* Notes with @mentions, tasks with reminders, and the notifications they produce. A change
 * is committed first; then the sink (the live event stream) is told, so nobody is notified of
 * something that was rolled back. */
#ifndef VK_CRM_ACTIVITY_H
#define VK_CRM_ACTIVITY_H
#include "auth/auth.h"
#include "store/activity.h"
#include "store/auth.h"

/* Where committed notifications go live (set by the HTTP layer); json is the notification. */
void activity_set_sink(void (*sink)(int64_t user_id, const char *json));

enum vk_rc note_create(struct store *s, const struct principal *p, const char *entity, int64_t record_id,
                       const char *body, struct arena *a, struct note *out, struct vk_err *err);
enum vk_rc note_list(struct store *s, const struct principal *p, const char *entity, int64_t record_id,
                     int64_t before_id, int limit, struct arena *a, struct note **items, int *n,
                     struct vk_err *err);
/* Active colleagues (not p) who could be @mentioned on the record because they can read it,
 * matching q (login or name fragment, any case; "" = all), best matches first, at most limit.
 * 404 when p may not read the record. Users come from a (items from arena a). */
enum vk_rc note_mentionable(struct store *s, const struct principal *p, const char *entity, int64_t record_id,
                            const char *q, int limit, struct arena *a, struct user **items, int *n,
                            struct vk_err *err);
/* The reader has seen a note that mentions them: it is no longer pinned for them. */
enum vk_rc note_read(struct store *s, const struct principal *p, int64_t id, struct vk_err *err);
enum vk_rc note_delete(struct store *s, const struct principal *p, int64_t id, struct vk_err *err);

struct task_input {
	const char *kind, *title, *entity;
	int64_t record_id, due_at, assignee_id, version;
	int done; /* -1 not given */
	bool has_due, has_assignee, has_record;
};
enum vk_rc task_create(struct store *s, const struct principal *p, const struct task_input *in,
                       struct arena *a, struct task *out, struct vk_err *err);
enum vk_rc task_update(struct store *s, const struct principal *p, int64_t id, const struct task_input *in,
                       struct arena *a, struct task *out, struct vk_err *err);
enum vk_rc task_delete(struct store *s, const struct principal *p, int64_t id, struct vk_err *err);
enum vk_rc task_get(struct store *s, const struct principal *p, int64_t id, struct arena *a, struct task *out);
/* The tasks q asks for, as p may see them: another user's tasks need a "*" role (VK_EFORBIDDEN);
 * assignee_id 0 means every task p may see (for others than "*": assigned to or set by p); a
 * record filter needs a record p may read (VK_ENOTFOUND). Items carry record_title. */
enum vk_rc task_list(struct store *s, const struct principal *p, struct task_query *q, struct arena *a,
                     struct task **items, int *n, struct vk_err *err);
bool task_kind_valid(const char *kind);

/* Tell assignees about tasks that fell due (run every second by the server). */
int activity_tick(struct store *s, int64_t now);

/* JSON of a notification as the API and the event stream show it; caller frees. */
char *notification_json(const struct notification *n);
#endif
