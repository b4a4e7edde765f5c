/* Tables pipelines, stages, stage_transitions, stage_auto_moves, checklist_items,
 * record_checklist, pipeline_roles and role_scopes. */
#ifndef VK_STORE_PIPELINE_H
#define VK_STORE_PIPELINE_H
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"

struct checklist_item {
	int64_t id;
	const char *key, *label;
	bool done; /* for a given record */
};

struct stage {
	int64_t id, pipeline_id;
	const char *key, *name, *kind, *color;
	const char *required_fields; /* JSON array of field keys */
	int sort;
};

struct pipeline {
	int64_t id;
	const char *entity, *key, *name;
	int sort;
	struct stage *stages;
	int n_stages;
};

/* Pipelines of entity (NULL = all) visible to role_id (-1 = every pipeline), with stages. */
enum vk_rc store_pipeline_list(struct conn *c, const char *entity, int64_t role_id, struct arena *a,
                               struct pipeline **items, int *n);
enum vk_rc store_pipeline_by_key(struct conn *c, const char *key, struct arena *a, struct pipeline *out);
enum vk_rc store_stage_get(struct conn *c, int64_t id, struct arena *a, struct stage *out);
enum vk_rc store_stage_by_key(struct conn *c, int64_t pipeline_id, const char *key, struct arena *a,
                              struct stage *out);
bool store_pipeline_visible(struct conn *c, int64_t pipeline_id, int64_t role_id);
/* Is no pipeline kept from this role (every pipeline_roles list that exists names it)? */
bool store_role_sees_every_pipeline(struct conn *c, int64_t role_id);
/* Does any role have a transition defined between stages of this pipeline? */
bool store_pipeline_has_matrix(struct conn *c, int64_t pipeline_id);
bool store_transition_allowed(struct conn *c, int64_t role_id, int64_t from_stage, int64_t to_stage);
/* Stage ids role_id may move to from from_stage. */
enum vk_rc store_transitions_from(struct conn *c, int64_t role_id, int64_t from_stage, struct arena *a,
                                  int64_t **to, int *n);
/* Items of stage's checklist with done flags for (entity, record_id). */
enum vk_rc store_checklist(struct conn *c, int64_t stage_id, const char *entity, int64_t record_id,
                           struct arena *a, struct checklist_item **items, int *n);
enum vk_rc store_checklist_mark(struct conn *c, const char *entity, int64_t record_id, int64_t item_id,
                                bool done, int64_t user_id, int64_t now);
enum vk_rc store_checklist_item_by_key(struct conn *c, int64_t stage_id, const char *key, int64_t *id);
/* The stage an automatic move with condition leads to from from_stage, or 0. */
int64_t store_auto_move(struct conn *c, int64_t from_stage, const char *condition);

/* Scope of role for (entity, action): "none" | "own" | "team" | "all"; NULL when not set. */
const char *store_role_scope(struct conn *c, int64_t role_id, const char *entity, const char *action,
                             struct arena *a);
int64_t store_user_team(struct conn *c, int64_t user_id);

/* A pipeline's whole rule set, for the settings screen: (role, from, to) keys of every
 * transition, (from, to, condition) of automatic moves, keys of the roles it is visible to. */
struct rule3 { const char *a, *b, *c; };
enum vk_rc store_pipeline_rules(struct conn *c, int64_t pipeline_id, struct arena *a, struct rule3 **transitions,
                                int *n_transitions, struct rule3 **auto_moves, int *n_auto,
                                const char ***roles, int *n_roles);

/* Configuration writes (presets, settings). */
enum vk_rc store_pipeline_put(struct conn *c, const char *entity, const char *key, const char *name,
                              int sort, int64_t now, int64_t *id);
enum vk_rc store_stage_put(struct conn *c, int64_t pipeline_id, const char *key, const char *name,
                           const char *kind, const char *color, int sort, const char *required_fields,
                           int64_t *id);
enum vk_rc store_pipeline_role_add(struct conn *c, int64_t pipeline_id, int64_t role_id);
enum vk_rc store_transition_put(struct conn *c, int64_t role_id, int64_t from_stage, int64_t to_stage);
enum vk_rc store_auto_move_put(struct conn *c, int64_t from_stage, int64_t to_stage, const char *condition);
enum vk_rc store_checklist_item_put(struct conn *c, int64_t stage_id, const char *key, const char *label,
                                    int sort);
/* Before a pipeline's rules are written again: drop its transitions, automatic moves and
 * role visibility (stages and checklist items are upserted and pruned separately). */
enum vk_rc store_pipeline_clear_rules(struct conn *c, int64_t pipeline_id);
/* Delete the pipeline's stages whose keys are not in keep_json (a JSON array); VK_ECONFLICT
 * (with *in_use set to the key and *n_in_use to how many) if live records still stand in one. */
enum vk_rc store_stage_prune(struct conn *c, int64_t pipeline_id, const char *keep_json, struct arena *a,
                             const char **in_use, int64_t *n_in_use);
/* Live records (deals and companies, not deleted) standing in the pipeline. */
int64_t store_pipeline_live_records(struct conn *c, int64_t pipeline_id);
/* Deleted deals still filed under the pipeline (the foreign key keeps them there). */
int64_t store_pipeline_deleted_deals(struct conn *c, int64_t pipeline_id);
/* How many pipelines of entity there are. */
int64_t store_pipeline_count(struct conn *c, const char *entity);
/* Delete a pipeline that holds no live records, with its stages, rules and visibility. Deleted
 * deals in it move to the first stage of the first other deal pipeline (the foreign key needs
 * one; the caller makes sure it exists), deleted companies leave pipelines altogether. */
enum vk_rc store_pipeline_delete(struct conn *c, int64_t pipeline_id);
/* The key of a pipeline visible to this role alone (deleting the role would open it to
 * everyone), or NULL. */
const char *store_pipeline_only_role(struct conn *c, int64_t role_id, struct arena *a);
/* Delete a stage's checklist items whose keys are not in keep_json. */
enum vk_rc store_checklist_prune(struct conn *c, int64_t stage_id, const char *keep_json);
/* Forget a role's scopes and hidden fields (they are then written anew). */
enum vk_rc store_role_access_clear(struct conn *c, int64_t role_id);
enum vk_rc store_role_scope_put(struct conn *c, int64_t role_id, const char *entity, const char *action,
                                const char *scope);
#endif
