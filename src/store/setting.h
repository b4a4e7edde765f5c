/* Key/value rows of table settings. Which keys exist and how they are validated is
 * src/auth/settings.c's business; this file only reads and writes rows. */
#ifndef VK_STORE_SETTING_H
#define VK_STORE_SETTING_H
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"

/* NULL when the key has no row */
const char *store_setting_get(struct conn *c, const char *key, struct arena *a);
enum vk_rc store_setting_put(struct conn *c, const char *key, const char *value, int64_t now);
#endif
