/* Company settings: a declarative table of keys with defaults and validators. Read through
 * settings_get(); changed only through settings_update(), which writes the timeline. */
#ifndef VK_SETTINGS_H
#define VK_SETTINGS_H
#include "auth/auth.h"

struct setting_def {
	const char *key;
	const char *def;
	enum vk_rc (*validate)(const char *key, const char *value, struct vk_err *err);
};
extern const struct setting_def settings_defs[]; /* terminated by key == NULL */

const struct setting_def *settings_find(const char *key);
/* The value of key (default when never set); arena-owned. */
const char *settings_get(struct conn *c, const char *key, struct arena *a);

struct setting_change { const char *key, *value; };
/* Validate all, then write all with timeline events in one transaction (all or nothing). */
enum vk_rc settings_update(struct store *s, const struct principal *actor,
                           const struct setting_change *changes, int n, struct vk_err *err);
/* For presets: same but inside the caller's write transaction. */
enum vk_rc settings_put_tx(struct conn *c, int64_t actor_id, const struct setting_change *changes,
                           int n, struct vk_err *err);
#endif
