/* Users, roles and API tokens as the admin manages them. Each change is written together with
 * its timeline events in one durable transaction. */
#ifndef VK_USERS_H
#define VK_USERS_H
#include <stdbool.h>

#include "auth/auth.h"
#include "store/auth.h"

struct user_input {
	const char *login, *name, *password, *role; /* NULL = not given */
	const char *password_hash; /* instead of password: an argon2id hash made earlier (presets) */
	int active;                                  /* -1 not given, 0/1 */
};

/* actor may be NULL for the CLI and presets (actor id 0 in the timeline). */
enum vk_rc user_create(struct store *s, const struct principal *actor, const struct user_input *in,
                       struct arena *a, struct user *out, struct vk_err *err);
enum vk_rc user_update(struct store *s, const struct principal *actor, int64_t id,
                       const struct user_input *in, struct arena *a, struct user *out,
                       struct vk_err *err);
/* The signed-in user changes their own password; other sessions are revoked. */
enum vk_rc user_change_password(struct store *s, const struct principal *actor, const char *current,
                                const char *new_password, struct vk_err *err);
enum vk_rc user_login_valid(const char *login, struct vk_err *err);

struct token_created {
	struct token_row token;
	char secret[72];
};
enum vk_rc token_create(struct store *s, const struct principal *actor, const char *name,
                        const char *role, struct arena *a, struct token_created *out,
                        struct vk_err *err);
enum vk_rc token_revoke(struct store *s, const struct principal *actor, int64_t id, struct vk_err *err);

/* Delete a role (DELETE /api/roles/KEY): refused while anyone holds it (VK_ECONFLICT, code
 * role_in_use: users, deactivated ones included, and live API tokens) and when a pipeline is
 * visible to it alone (VK_EUNPROC); the administrator role stays. In the timeline. */
enum vk_rc role_delete(struct store *s, const struct principal *actor, const char *key, struct vk_err *err);

/* Create or update a role with its capabilities (presets, CLI). */
enum vk_rc role_put(struct store *s, const char *key, const char *name, const char *const *caps,
                    int n_caps, struct vk_err *err);
#endif
