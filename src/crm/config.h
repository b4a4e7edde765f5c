/* The business's CRM configuration as JSON, the same shape in presets and in the settings API:
 * a pipeline with its stages, checklists, transition matrix, automatic moves and visibility;
 * a role's record scopes and hidden fields. Written inside the caller's transaction. */
#ifndef VK_CRM_CONFIG_H
#define VK_CRM_CONFIG_H
#include <jansson.h>

#include "core/arena.h"
#include "store/db.h"

/* Create or replace pipeline p ({key, entity, name, stages, transitions, auto_moves, visible_to}).
 * Stages missing from p are removed unless records stand in them (VK_ECONFLICT). */
enum vk_rc config_pipeline(struct conn *c, json_t *p, int sort, int64_t actor, int64_t now,
                           struct arena *a, struct vk_err *err);
/* Replace the scopes ({entity: {action: scope}}) and hidden_fields ({entity: [keys]}) of a role. */
enum vk_rc config_role_access(struct conn *c, int64_t role_id, json_t *scopes, json_t *hidden,
                              struct arena *a, struct vk_err *err);
/* Delete pipeline KEY (DELETE /api/pipelines/KEY), in its own transaction. As in amoCRM and
 * Bitrix24, only an empty one: live records in it are VK_ECONFLICT (code pipeline_in_use, with
 * the count), and the last deal pipeline stays while deleted deals are filed under it
 * (VK_EUNPROC). The
 * configuration before is kept in the timeline. */
enum vk_rc config_pipeline_delete(struct store *s, int64_t actor, const char *key, struct vk_err *err);
/* JSON of a pipeline in the same shape (for GET and round trips). */
json_t *config_pipeline_json(struct conn *c, const char *key, struct arena *a);
#endif
