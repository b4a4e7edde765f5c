/* Demo presets (presets/NAME/preset.json, compiled in): a business from SCENARIOS.md loaded
 * into a fresh database — settings, roles and users now; pipelines and data as they land. */
#ifndef VK_PRESET_H
#define VK_PRESET_H
#include "core/rc.h"
#include "store/db.h"

extern const char *const preset_names[]; /* NULL-terminated */

/* Load preset name; every preset user gets password. The database must have no users yet. */
enum vk_rc preset_load(struct store *s, const char *name, const char *password, int *n_users,
                       struct vk_err *err);
#endif
