/* Table teams and the users.team_id column: who works in which team. A user is in at most one
 * team; the "team" record scope (auth_scope) reads the same column. Strings come from the
 * caller's arena. */
#ifndef VK_STORE_TEAM_H
#define VK_STORE_TEAM_H
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"

struct team_member {
	int64_t id;
	const char *login, *name;
	bool active;
};

struct team {
	int64_t id, lead_id, created_at; /* lead_id 0 = none */
	const char *name, *lead_name;    /* lead_name NULL when there is no lead */
	struct team_member *members;     /* by name, then id */
	int n_members;
};

/* Every team by name, with members. */
enum vk_rc store_team_list(struct conn *c, struct arena *a, struct team **items, int *n);
enum vk_rc store_team_get(struct conn *c, int64_t id, struct arena *a, struct team *out);
/* VK_ECONFLICT when the name is taken. */
enum vk_rc store_team_insert(struct conn *c, const char *name, int64_t now, int64_t *id);
/* name NULL keeps it; lead_id 0 clears the lead. VK_ECONFLICT when the name is taken. */
enum vk_rc store_team_update(struct conn *c, int64_t id, const char *name, int64_t lead_id);
/* Members leave the team first (store_team_set_user), so no user points at a deleted team. */
enum vk_rc store_team_delete(struct conn *c, int64_t id);
/* Put a user into team_id (0 = no team). */
enum vk_rc store_team_set_user(struct conn *c, int64_t user_id, int64_t team_id);
/* The user's name, or NULL when there is no such user (for "no user with id N"). */
const char *store_team_user_name(struct conn *c, int64_t user_id, struct arena *a);
#endif
