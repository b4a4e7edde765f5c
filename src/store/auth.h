/* Tables of the auth domain: roles, role_capabilities, users, sessions, api_tokens.
 * Strings returned are allocated from the caller's arena. Every write that may change who a
 * session or token is, or what it may do (users, roles, revocations), calls
 * store_auth_changed(): src/auth caches principals until then. */
#ifndef VK_STORE_AUTH_H
#define VK_STORE_AUTH_H
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"

struct user {
	int64_t id, role_id, created_at, updated_at;
	const char *login, *name, *role_key, *role_name;
	bool active;
	int64_t team_id;       /* 0 = in no team */
	const char *team_name; /* NULL when in no team */
};

struct role {
	int64_t id;
	const char *key, *name;
	const char **caps;
	int n_caps;
};

struct session_row {
	int64_t id, user_id, created_at, last_seen_at;
	bool revoked;
	const char *csrf;
};

struct token_row {
	int64_t id, role_id, created_by, created_at, last_used_at; /* last_used_at 0 = never */
	const char *name, *role_key;
	bool revoked;
};

/* users */
enum vk_rc store_user_get(struct conn *c, int64_t id, struct arena *a, struct user *out);
/* password_hash may be NULL when not wanted */
enum vk_rc store_user_by_login(struct conn *c, const char *login, struct arena *a, struct user *out,
                               const char **password_hash);
/* active: -1 any, 0 inactive, 1 active. Keyset by id after after_id. */
enum vk_rc store_user_list(struct conn *c, const char *q, int active, int64_t after_id, int limit,
                           struct arena *a, struct user **items, int *n);
enum vk_rc store_user_insert(struct conn *c, const char *login, const char *name,
                             const char *password_hash, int64_t role_id, int64_t now, int64_t *id);
/* NULL / negative arguments leave a column unchanged */
enum vk_rc store_user_update(struct conn *c, int64_t id, const char *name, int64_t role_id,
                             int active, const char *password_hash, int64_t now);
int64_t store_user_count(struct conn *c);
int64_t store_user_count_active_admins(struct conn *c);

/* roles */
enum vk_rc store_role_by_key(struct conn *c, const char *key, struct arena *a, struct role *out);
enum vk_rc store_role_get(struct conn *c, int64_t id, struct arena *a, struct role *out);
enum vk_rc store_role_list(struct conn *c, struct arena *a, struct role **items, int *n);
/* Create or rename the role and replace its capabilities. */
/* Users of a role (active or not) and its tokens that are not revoked. */
void store_role_usage(struct conn *c, int64_t role_id, int64_t *n_users, int64_t *n_tokens);
/* Delete a role no user and no live token has; its revoked tokens go with it (their
 * revocation stays in the timeline). */
enum vk_rc store_role_delete(struct conn *c, int64_t role_id);
enum vk_rc store_role_put(struct conn *c, const char *key, const char *name, const char *const *caps,
                          int n_caps, int64_t now, int64_t *id);

/* sessions: token_hash is 32 raw bytes */
enum vk_rc store_session_insert(struct conn *c, const unsigned char *token_hash, int64_t user_id,
                                const char *csrf, int64_t now, const char *ip, const char *user_agent);
enum vk_rc store_session_find(struct conn *c, const unsigned char *token_hash, struct arena *a,
                              struct session_row *out);
enum vk_rc store_session_touch(struct conn *c, int64_t id, int64_t now);
enum vk_rc store_session_revoke(struct conn *c, int64_t id, int64_t now);
/* Revoke all of a user's sessions except keep_id (0 = none kept). */
enum vk_rc store_session_revoke_user(struct conn *c, int64_t user_id, int64_t keep_id, int64_t now);

/* API tokens */
enum vk_rc store_token_insert(struct conn *c, const char *name, const unsigned char *token_hash,
                              int64_t role_id, int64_t created_by, int64_t now, int64_t *id);
enum vk_rc store_token_find(struct conn *c, const unsigned char *token_hash, struct arena *a,
                            struct token_row *out);
enum vk_rc store_token_get(struct conn *c, int64_t id, struct arena *a, struct token_row *out);
enum vk_rc store_token_list(struct conn *c, struct arena *a, struct token_row **items, int *n);
enum vk_rc store_token_revoke(struct conn *c, int64_t id, int64_t now);
enum vk_rc store_token_touch(struct conn *c, int64_t id, int64_t now);
#endif
