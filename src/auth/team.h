/* Teams as the admin manages them: a name, members (a user is in at most one team) and an
 * optional lead who must be a member. Membership is what the "team" record scope reads, so a
 * change takes effect on the members' next request. Every change is written with its
 * timeline events (entity "team", and "team_id" on each user who moved) in one transaction. */
#ifndef VK_TEAM_H
#define VK_TEAM_H
#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "store/team.h"

struct team_input {
	const char *name;          /* trimmed; NULL = not given */
	bool has_lead;
	int64_t lead_id;           /* 0 = no lead */
	bool has_members;
	const int64_t *members;    /* user ids without repeats */
	int n_members;
};

enum vk_rc team_create(struct store *s, const struct principal *actor, const struct team_input *in,
                       struct arena *a, struct team *out, struct vk_err *err);
/* Changes only what in gives. Users put into this team leave their previous one. */
enum vk_rc team_update(struct store *s, const struct principal *actor, int64_t id,
                       const struct team_input *in, struct arena *a, struct team *out, struct vk_err *err);
/* The members stay users without a team. */
enum vk_rc team_delete(struct store *s, const struct principal *actor, int64_t id, struct vk_err *err);
#endif
