/* SQL that import, export and merge need beyond store/record.c: lookups by name, a team's
 * members, and moving what hangs off a record (deals, contacts, notes, tasks, notifications,
 * checklist marks) onto another record of the same entity. */
#ifndef VK_STORE_TRANSFER_H
#define VK_STORE_TRANSFER_H
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"
#include "store/schema.h"

/* Live records of e whose name_key is key (at most max, oldest first). */
enum vk_rc store_ids_by_name_key(struct conn *c, const struct entity *e, const char *key, int max,
                                 int64_t *ids, int *n);
/* Users of a team (at most max). */
enum vk_rc store_team_members(struct conn *c, int64_t team_id, int max, int64_t *ids, int *n);

/* A record that points at the merged one and was repointed. */
struct moved { const struct entity *e; int64_t id; const char *column; };
/* Repoint live records whose column (contact_id, company_id) names from_id to to_id, bumping
 * their version; their ids go to *out (at most max; *n may be less than what was moved only if
 * max was reached, which *more reports). */
enum vk_rc store_repoint(struct conn *c, const struct entity *holder, const char *column, int64_t from_id,
                         int64_t to_id, int64_t actor, int64_t now, int max, struct arena *a,
                         struct moved **out, int *n, bool *more);
/* Notes, tasks and notifications of (entity, from_id) move to to_id; checklist marks the target
 * lacks are copied. Counts are what moved. */
enum vk_rc store_move_activity(struct conn *c, const char *entity, int64_t from_id, int64_t to_id, int64_t now,
                               int *notes, int *tasks);
#endif
