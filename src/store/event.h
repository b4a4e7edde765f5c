/* The timeline: an append-only store of who changed what, when (table events). */
#ifndef VK_STORE_EVENT_H
#define VK_STORE_EVENT_H
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"

struct event {
	int64_t id, entity_id, actor_id, at;
	const char *entity, *kind, *field; /* field may be NULL */
	const char *old_value, *new_value;  /* JSON text ("\"Ivan\"", "true", "5"), or NULL */
	const char *reason;                 /* why an automatic change happened, or NULL */
	const char *actor_name;             /* filled by event_list */
};

/* Append inside the caller's write transaction, so the change and its record commit together. */
enum vk_rc event_add(struct conn *c, const struct event *e);
/* Newest first; before_id 0 = from the newest. */
enum vk_rc event_list(struct conn *c, const char *entity, int64_t entity_id, int64_t before_id,
                      int limit, struct arena *a, struct event **items, int *n);
#endif
