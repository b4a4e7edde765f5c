/* Who is calling and what they may do. Every permission check in voronka goes through
 * auth_can(); record-level scopes (own/team/all) will hang off the same principal. */
#ifndef VK_AUTH_H
#define VK_AUTH_H
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/rc.h"
#include "store/db.h"

/* Capabilities that exist (a role may also hold "*"). */
#define CAP_USERS_READ "users.read"
#define CAP_USERS_MANAGE "users.manage"
#define CAP_ROLES_READ "roles.read"
#define CAP_SETTINGS_MANAGE "settings.manage"
#define CAP_TOKENS_MANAGE "tokens.manage"
#define CAP_TIMELINE_READ "timeline.read"
extern const char *const auth_capabilities[]; /* NULL-terminated */
bool auth_capability_known(const char *cap);

struct principal {
	int64_t user_id;      /* the user, or for a token the user who created it (0 if none) */
	int64_t role_id;
	const char *login, *name, *role_key, *role_name;
	const char **caps;
	int n_caps;
	int64_t session_id;   /* cookie sessions */
	const char *csrf;     /* cookie sessions */
	int64_t token_id;     /* bearer tokens */
	const char *token_name;
};

bool auth_can(const struct principal *p, const char *capability);
/* Does the role hold "*" (everything: all records, every move, every field)? */
bool auth_all(const struct principal *p);
/* The principal a user would be when signed in (to ask what a colleague may see). */
enum vk_rc auth_principal_of(struct conn *c, int64_t user_id, struct arena *a, struct principal *p);

struct auth; /* throttling state and settings; one per server */
struct auth *auth_new(struct store *s, const struct config *cfg);
void auth_free(struct auth *a);

/* Password hashing (argon2id via libsodium). out must hold AUTH_HASH_LEN bytes. */
#define AUTH_HASH_LEN 128
enum vk_rc auth_hash_password(const char *password, char out[AUTH_HASH_LEN]);
bool auth_verify_password(const char *hash, const char *password);
enum vk_rc auth_check_password_rules(const char *password, const char *field, struct vk_err *err);

/* Log in. On success fills *p and writes the new session's cookie value (64 hex chars + NUL)
 * into cookie. VK_EAUTH for bad credentials, VK_ETHROTTLED with *retry_after_s set. */
enum vk_rc auth_login(struct auth *a, const char *login, const char *password, const char *ip,
                      const char *user_agent, struct arena *ar, struct principal *p,
                      char cookie[65], int *retry_after_s, struct vk_err *err);
/* Resolve a session cookie or bearer token; VK_EAUTH when absent, unknown, expired or revoked. */
enum vk_rc auth_session(struct auth *a, const char *cookie, struct arena *ar, struct principal *p);
enum vk_rc auth_bearer(struct auth *a, const char *token, struct arena *ar, struct principal *p);
enum vk_rc auth_logout(struct auth *a, const struct principal *p);
/* Constant-time CSRF check for cookie sessions. */
bool auth_csrf_ok(const struct principal *p, const char *header_value);

/* The stored form of a session cookie or API token (BLAKE2b-256). */
void auth_token_hash(const char *token, unsigned char out[32]);
/* Which records of entity the principal may act on (action: read, create, edit, delete,
 * export), from the role's scopes; "*" roles see everything. Applied by the store in SQL. */
struct scope;
enum vk_rc auth_scope(struct conn *c, const struct principal *p, const char *entity,
                      const char *action, struct scope *out);

/* Is field ("amount", "custom.purchase_price") hidden from the principal's role on entity? */
bool auth_field_hidden(struct conn *c, const struct principal *p, const char *entity, const char *field,
                       struct arena *a);

/* Generate n random bytes as 2n hex chars + NUL. */
void auth_random_hex(char *out, size_t n_bytes);
#endif
