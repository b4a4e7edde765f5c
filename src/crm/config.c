#include "crm/config.h"
#include "core/clock.h"
#include "store/auth.h"
#include "store/event.h"
#include "store/pipeline.h"
#include "store/field.h"
#include "store/record.h"
#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t role_id(struct conn *c, const char *key, struct arena *a)
{
	struct role r;
	return key && store_role_by_key(c, key, a, &r) == VK_OK ? r.id : 0;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool key_ok(const char *k)
{
	if (!k || strlen(k) < 1 || strlen(k) > 64)
		return false;
	for (const char *p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static const char *keys_json(struct arena *a, json_t *items, const char *field)
{
	json_t *keys = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		const char *k = field ? str(it, field) : json_string_value(it);
		if (k)
			json_array_append_new(keys, json_string(k));
	}
	char *t = json_dumps(keys, JSON_COMPACT);
	json_decref(keys);
	const char *out = arena_strdup(a, t);
	free(t);
	return out;
}

static bool text_ok(const char *s, size_t max)
{
	if (!s)
		return false;
	const char *p = s;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p && utf8_chars(s) <= max;
}

static bool color_ok(const char *c)
{
	if (strlen(c) != 7 || c[0] != '#')
		return false;
	for (int i = 1; i < 7; i++)
		if (!strchr("0123456789abcdefABCDEF", c[i]))
			return false;
	return true;
}

/* May a stage of entity e require this field? Anything a user fills in on the record:
 * its own editable fields, phones and e-mails, and the entity's custom fields (custom.KEY). */
static bool required_field_ok(struct conn *c, const struct entity *e, const char *key, struct arena *a)
{
	if (!strncmp(key, "custom.", 7)) {
		struct field_row *fields;
		int n;
		store_field_list(c, e->name, a, &fields, &n);
		for (int i = 0; i < n; i++)
			if (!strcmp(fields[i].key, key + 7))
				return true;
		return false;
	}
	if (!strcmp(key, "phones") || !strcmp(key, "emails"))
		return e->has_phones;
	const struct fdef *f = entity_field(e, key);
	return f && !(f->flags & FF_READONLY) && f->type != FT_PIPELINE && f->type != FT_STAGE && f->type != FT_CUSTOM;
}

/* May a role be kept from seeing this field? Not the record's name (nothing would identify
 * it); custom.KEY may name a field created later (presets write roles first). */
static bool hidden_field_ok(const struct entity *e, const char *key)
{
	if (!strncmp(key, "custom.", 7))
		return key_ok(key + 7);
	if (!strcmp(key, "phones") || !strcmp(key, "emails"))
		return e->has_phones;
	const struct fdef *f = entity_field(e, key);
	return f && strcmp(key, e->title) && f->type != FT_CUSTOM;
}

/* Index of the stage with this key in the request's stages, or -1. */
static int stage_index(json_t *stages, const char *key)
{
	size_t i;
	json_t *st;
	json_array_foreach(stages, i, st)
		if (key && !strcmp(str(st, "key"), key))
			return (int)i;
	return -1;
}

/* Everything about the document that does not need the database written first. Errors name
 * the exact input ("stages[2].name", "transitions.agent[3]") so a settings screen can put the
 * message next to it. */
static enum vk_rc check_pipeline(struct conn *c, json_t *p, struct arena *a, struct vk_err *err)
{
	const char *key = str(p, "key"), *entity = str(p, "entity"), *name = str(p, "name");
	json_t *stages = json_object_get(p, "stages");
	if (!json_is_object(p))
		return vk_fail(err, VK_EINVAL, "pipelines", "a pipeline must be an object");
	if (!key_ok(key))
		return vk_fail(err, VK_EINVAL, "key", "a pipeline key is 1 to 64 characters a-z, 0-9 and _");
	if (!text_ok(name, 200))
		return vk_fail(err, VK_EINVAL, "name", "a pipeline needs a name of 1 to 200 characters");
	if (!entity || (strcmp(entity, "deal") && strcmp(entity, "company")))
		return vk_fail(err, VK_EINVAL, "entity", "entity must be deal or company");
	struct pipeline existing;
	if (store_pipeline_by_key(c, key, a, &existing) == VK_OK && strcmp(existing.entity, entity))
		return vk_fail(err, VK_EUNPROC, "entity", "pipeline %s holds %ss; its entity cannot change", key, existing.entity);
	if (!json_is_array(stages) || json_array_size(stages) == 0 || json_array_size(stages) > 50)
		return vk_fail(err, VK_EINVAL, "stages", "a pipeline needs 1 to 50 stages");
	const struct entity *e = entity_by_name(entity);
	size_t i, k;
	json_t *st, *item;
	json_array_foreach(stages, i, st) {
		const char *skey = str(st, "key"), *kind = str(st, "kind"), *color = str(st, "color");
		json_t *req = json_object_get(st, "required_fields"), *checklist = json_object_get(st, "checklist");
		static const char *const stage_keys[] = { "key", "name", "kind", "color", "required_fields", "checklist", NULL };
		struct vk_err unknown = { 0 };
		if (!json_is_object(st))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu]", i), "a stage must be an object");
		if (json_only_keys(st, stage_keys, &unknown) != VK_OK)
			return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu].%s", i, unknown.field ? unknown.field : "?"),
			               "a stage has key, name, kind, color, required_fields and checklist only");
		if (!key_ok(skey))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu].key", i),
			               "a stage key is 1 to 64 characters a-z, 0-9 and _");
		if (stage_index(stages, skey) != (int)i)
			return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu].key", i), "stage key %s appears twice", skey);
		if (!text_ok(str(st, "name"), 200))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu].name", i),
			               "stage %s needs a name of 1 to 200 characters", skey);
		if (!kind || (strcmp(kind, "open") && strcmp(kind, "won") && strcmp(kind, "lost") && strcmp(kind, "dead_end")))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu].kind", i),
			               "the kind of stage %s must be open, won, lost or dead_end", skey);
		if ((json_object_get(st, "color") && !color) || (color && !color_ok(color)))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu].color", i),
			               "the color of stage %s must look like #3b82f6", skey);
		if (req && (!json_is_array(req) || json_array_size(req) > 50))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu].required_fields", i),
			               "required_fields of stage %s must be a list of field keys", skey);
		json_array_foreach(req, k, item) {
			const char *f = json_string_value(item);
			if (!f || strlen(f) > 80 || !required_field_ok(c, e, f, a))
				return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu].required_fields", i),
				               "stage %s requires \"%.80s\", which is not a field of a %s", skey, f ? f : "?", entity);
		}
		if (checklist && (!json_is_array(checklist) || json_array_size(checklist) > 50))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu].checklist", i),
			               "the checklist of stage %s must be a list of up to 50 items", skey);
		json_array_foreach(checklist, k, item) {
			const char *ikey = str(item, "key");
			if (!key_ok(ikey))
				return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu].checklist[%zu].key", i, k),
				               "a checklist item key is 1 to 64 characters a-z, 0-9 and _");
			for (size_t m = 0; m < k; m++)
				if (!strcmp(str(json_array_get(checklist, m), "key"), ikey))
					return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu].checklist[%zu].key", i, k),
					               "checklist item %s appears twice in stage %s", ikey, skey);
			if (!text_ok(str(item, "label"), 200))
				return vk_fail(err, VK_EINVAL, arena_printf(a, "stages[%zu].checklist[%zu].label", i, k),
				               "checklist item %s needs a label of 1 to 200 characters", ikey);
		}
	}
	json_t *visible = json_object_get(p, "visible_to");
	if (visible && !json_is_array(visible))
		return vk_fail(err, VK_EINVAL, "visible_to", "visible_to must be a list of role keys");
	json_array_foreach(visible, i, st)
		if (!role_id(c, json_string_value(st), a))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "visible_to[%zu]", i), "no role %.64s",
			               json_string_value(st) ? json_string_value(st) : "?");
	json_t *transitions = json_object_get(p, "transitions"), *moves;
	const char *role;
	if (transitions && !json_is_object(transitions))
		return vk_fail(err, VK_EINVAL, "transitions", "transitions must be {role: [[from, to], …]}");
	json_object_foreach(transitions, role, moves) {
		if (!role_id(c, role, a))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "transitions.%.64s", role), "no role %.64s", role);
		if (!json_is_array(moves) || json_array_size(moves) > 2500)
			return vk_fail(err, VK_EINVAL, arena_printf(a, "transitions.%.64s", role),
			               "the moves of %.64s must be a list of [from, to] stage keys", role);
		json_array_foreach(moves, i, st) {
			const char *f = json_string_value(json_array_get(st, 0)), *t = json_string_value(json_array_get(st, 1));
			if (!json_is_array(st) || json_array_size(st) != 2 || stage_index(stages, f) < 0 || stage_index(stages, t) < 0)
				return vk_fail(err, VK_EINVAL, arena_printf(a, "transitions.%.64s[%zu]", role, i),
				               "a move is [from, to] with keys of this pipeline's stages");
			if (!strcmp(f, t))
				return vk_fail(err, VK_EINVAL, arena_printf(a, "transitions.%.64s[%zu]", role, i),
				               "a move from %s to itself is not a move", f);
		}
	}
	json_t *auto_moves = json_object_get(p, "auto_moves");
	if (auto_moves && (!json_is_array(auto_moves) || json_array_size(auto_moves) > 50))
		return vk_fail(err, VK_EINVAL, "auto_moves", "auto_moves must be a list of up to 50 {from, to, condition}");
	json_array_foreach(auto_moves, i, st) {
		const char *cond = str(st, "condition"), *f = str(st, "from"), *t = str(st, "to");
		if (!cond || strcmp(cond, "contact_linked"))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "auto_moves[%zu].condition", i),
			               "the condition of an automatic move must be contact_linked");
		if (strcmp(entity, "company"))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "auto_moves[%zu].condition", i),
			               "contact_linked moves companies; a deal pipeline cannot use it");
		if (stage_index(stages, f) < 0)
			return vk_fail(err, VK_EINVAL, arena_printf(a, "auto_moves[%zu].from", i), "from must be a stage of this pipeline");
		if (stage_index(stages, t) < 0 || !strcmp(f, t))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "auto_moves[%zu].to", i),
			               "to must be another stage of this pipeline");
		for (k = 0; k < i; k++)
			if (!strcmp(str(json_array_get(auto_moves, k), "from"), f) &&
			    !strcmp(str(json_array_get(auto_moves, k), "condition"), cond))
				return vk_fail(err, VK_EINVAL, arena_printf(a, "auto_moves[%zu].from", i),
				               "stage %s already moves on %s", f, cond);
	}
	return VK_OK;
}

static const char *dump(struct arena *a, json_t *o)
{
	if (!o)
		return NULL;
	char *t = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	const char *out = arena_strdup(a, t);
	free(t);
	return out;
}

enum vk_rc config_pipeline(struct conn *c, json_t *p, int sort, int64_t actor, int64_t now,
                           struct arena *a, struct vk_err *err)
{
	enum vk_rc rc = check_pipeline(c, p, a, err);
	if (rc != VK_OK)
		return rc;
	const char *key = str(p, "key"), *entity = str(p, "entity");
	json_t *stages = json_object_get(p, "stages");
	struct pipeline existing;
	json_t *before = NULL;
	memset(&existing, 0, sizeof existing);
	if (store_pipeline_by_key(c, key, a, &existing) == VK_OK)
		before = config_pipeline_json(c, key, a);
	int64_t pid, sid;
	rc = store_pipeline_put(c, entity, key, str(p, "name"), sort, now, &pid);
	if (rc == VK_OK)
		rc = store_pipeline_clear_rules(c, pid);
	size_t i;
	json_t *st;
	json_array_foreach(stages, i, st) {
		const char *color = str(st, "color");
		json_t *req = json_object_get(st, "required_fields"), *checklist = json_object_get(st, "checklist");
		char *req_text = req ? json_dumps(req, JSON_COMPACT) : NULL;
		if (rc == VK_OK)
			rc = store_stage_put(c, pid, str(st, "key"), str(st, "name"), str(st, "kind"), color ? color : "#8a94a6",
			                     (int)i, req_text ? req_text : "[]", &sid);
		free(req_text);
		size_t k;
		json_t *item;
		json_array_foreach(checklist, k, item)
			if (rc == VK_OK)
				rc = store_checklist_item_put(c, sid, str(item, "key"), str(item, "label"), (int)k);
		if (rc == VK_OK)
			rc = store_checklist_prune(c, sid, keys_json(a, checklist, "key"));
	}
	const char *in_use = NULL;
	int64_t n_in_use = 0;
	if (rc == VK_OK &&
	    (rc = store_stage_prune(c, pid, keys_json(a, stages, "key"), a, &in_use, &n_in_use)) == VK_ECONFLICT) {
		const char *shown = in_use;
		json_decref(before);
		for (int s = 0; s < existing.n_stages; s++)
			if (!strcmp(existing.stages[s].key, in_use))
				shown = existing.stages[s].name;
		return vk_fail(err, VK_EUNPROC, "stages", "%lld record%s still stand%s in stage \"%s\" (%s); move %s to another"
		               " stage before removing it", (long long)n_in_use, n_in_use == 1 ? "" : "s",
		               n_in_use == 1 ? "s" : "", shown, in_use, n_in_use == 1 ? "it" : "them");
	}
	json_array_foreach(json_object_get(p, "visible_to"), i, st)
		if (rc == VK_OK)
			rc = store_pipeline_role_add(c, pid, role_id(c, json_string_value(st), a));
	const char *role;
	json_t *moves;
	json_object_foreach(json_object_get(p, "transitions"), role, moves) {
		int64_t rid = role_id(c, role, a);
		json_t *mv;
		json_array_foreach(moves, i, mv) {
			struct stage from, to;
			if (rc == VK_OK && store_stage_by_key(c, pid, json_string_value(json_array_get(mv, 0)), a, &from) == VK_OK &&
			    store_stage_by_key(c, pid, json_string_value(json_array_get(mv, 1)), a, &to) == VK_OK)
				rc = store_transition_put(c, rid, from.id, to.id);
		}
	}
	json_array_foreach(json_object_get(p, "auto_moves"), i, st) {
		struct stage from, to;
		if (rc == VK_OK && store_stage_by_key(c, pid, str(st, "from"), a, &from) == VK_OK &&
		    store_stage_by_key(c, pid, str(st, "to"), a, &to) == VK_OK)
			rc = store_auto_move_put(c, from.id, to.id, str(st, "condition"));
	}
	if (rc == VK_OK) {
		/* the whole configuration before and after, in the shape GET answers */
		json_t *after = config_pipeline_json(c, key, a);
		struct event ev = { .entity = "pipeline", .entity_id = pid, .actor_id = actor, .kind = before ? "update" : "create",
		                    .field = key, .old_value = before ? dump(a, before) : NULL, .new_value = dump(a, after),
		                    .at = now };
		json_decref(after);
		json_decref(before);
		before = NULL;
		rc = event_add(c, &ev);
	}
	json_decref(before);
	return rc;
}

struct pipeline_delete_tx {
	const char *key;
	int64_t actor, now;
	struct arena *a;
	struct vk_err *err;
};

static enum vk_rc pipeline_delete_write(struct conn *c, void *ctx)
{
	struct pipeline_delete_tx *t = ctx;
	struct pipeline p;
	if (store_pipeline_by_key(c, t->key, t->a, &p) != VK_OK)
		return vk_fail(t->err, VK_ENOTFOUND, NULL, "no such pipeline");
	int64_t n = store_pipeline_live_records(c, p.id);
	if (n > 0) {
		/* where the records go is a decision for a person, as when a stage is removed */
		vk_fail(t->err, VK_ECONFLICT, "key", "%lld record%s %s in pipeline \"%s\"; move or delete %s first",
		        (long long)n, n == 1 ? "" : "s", n == 1 ? "is" : "are", p.name, n == 1 ? "it" : "them");
		t->err->code = "pipeline_in_use";
		return VK_ECONFLICT;
	}
	/* deleted deals stay filed under some deal pipeline (they may be restored, and the foreign
	 * key needs one); a business that never had deals may drop its only deal pipeline */
	if (!strcmp(p.entity, "deal") && store_pipeline_count(c, "deal") <= 1 && store_pipeline_deleted_deals(c, p.id) > 0)
		return vk_fail(t->err, VK_EUNPROC, "key", "\"%s\" is the only deal pipeline, and its deleted deals need one;"
		               " make another deal pipeline first", p.name);
	json_t *before = config_pipeline_json(c, t->key, t->a);
	struct event ev = { .entity = "pipeline", .entity_id = p.id, .actor_id = t->actor, .kind = "delete",
	                    .field = t->key, .old_value = dump(t->a, before), .at = t->now };
	json_decref(before);
	enum vk_rc rc = store_pipeline_delete(c, p.id);
	return rc == VK_OK ? event_add(c, &ev) : rc;
}

enum vk_rc config_pipeline_delete(struct store *s, int64_t actor, const char *key, struct vk_err *err)
{
	struct arena *a = arena_new(16384);
	struct pipeline_delete_tx t = { key, actor, clock_now_ms(), a, err };
	enum vk_rc rc = store_write(s, pipeline_delete_write, &t);
	arena_free(a);
	return rc;
}

enum vk_rc config_role_access(struct conn *c, int64_t rid, json_t *scopes, json_t *hidden, struct arena *a,
                              struct vk_err *err)
{
	enum vk_rc rc = store_role_access_clear(c, rid);
	const char *entity;
	json_t *actions;
	if (scopes && !json_is_object(scopes))
		return vk_fail(err, VK_EINVAL, "scopes", "scopes must be {entity: {action: scope}}");
	json_object_foreach(scopes, entity, actions) {
		const char *action;
		json_t *scope;
		if (!entity_by_name(entity) || !json_is_object(actions))
			return vk_fail(err, VK_EINVAL, arena_printf(a, "scopes.%.32s", entity),
			               "scopes are given for contact, company and deal as {action: scope}");
		json_object_foreach(actions, action, scope) {
			static const char *const acts[] = { "read", "create", "edit", "delete", "export", NULL };
			static const char *const kinds[] = { "none", "own", "team", "all", NULL };
			const char *sv = json_string_value(scope);
			bool ok_a = false, ok_k = false;
			for (const char *const *x = acts; *x; x++)
				ok_a = ok_a || !strcmp(*x, action);
			for (const char *const *x = kinds; sv && *x; x++)
				ok_k = ok_k || !strcmp(*x, sv);
			if (!ok_a)
				return vk_fail(err, VK_EINVAL, arena_printf(a, "scopes.%s.%.32s", entity, action),
				               "the actions are read, create, edit, delete and export");
			/* "linked" reads what a readable deal points at: contacts and companies only */
			bool linked = sv && !strcmp(sv, "linked");
			if (linked && (strcmp(action, "read") != 0 || !strcmp(entity, "deal")))
				return vk_fail(err, VK_EINVAL, arena_printf(a, "scopes.%s.%s", entity, action),
				               "scopes.%s.%s: \"linked\" is a read scope of contacts and companies", entity, action);
			if (!ok_k && !linked)
				return vk_fail(err, VK_EINVAL, arena_printf(a, "scopes.%s.%s", entity, action),
				               "scopes.%s.%s must be none, own, team, all (or linked for reading)", entity, action);
			if (rc == VK_OK)
				rc = store_role_scope_put(c, rid, entity, action, sv);
		}
	}
	json_t *keys;
	if (hidden && !json_is_object(hidden))
		return vk_fail(err, VK_EINVAL, "hidden_fields", "hidden_fields must be {entity: [field keys]}");
	json_object_foreach(hidden, entity, keys) {
		size_t k;
		json_t *hk;
		if (!entity_by_name(entity) || !json_is_array(keys) || json_array_size(keys) > 200)
			return vk_fail(err, VK_EINVAL, arena_printf(a, "hidden_fields.%.32s", entity),
			               "hidden_fields are given for contact, company and deal as lists of field keys");
		json_array_foreach(keys, k, hk) {
			const char *f = json_string_value(hk);
			if (!f || strlen(f) > 80 || !hidden_field_ok(entity_by_name(entity), f))
				return vk_fail(err, VK_EINVAL, arena_printf(a, "hidden_fields.%s", entity),
				               "\"%.80s\" is not a field a role can be kept from seeing on a %s", f ? f : "?", entity);
			if (rc == VK_OK)
				rc = store_hidden_field_put(c, rid, entity, json_string_value(hk));
		}
	}
	return rc;
}

json_t *config_pipeline_json(struct conn *c, const char *key, struct arena *a)
{
	struct pipeline p;
	if (store_pipeline_by_key(c, key, a, &p) != VK_OK)
		return NULL;
	json_t *stages = json_array();
	for (int i = 0; i < p.n_stages; i++) {
		struct stage *s = &p.stages[i];
		struct checklist_item *items;
		int n;
		store_checklist(c, s->id, "", 0, a, &items, &n);
		json_t *cl = json_array();
		for (int k = 0; k < n; k++)
			json_array_append_new(cl, json_pack("{s:s, s:s}", "key", items[k].key, "label", items[k].label));
		json_t *req = json_loads(s->required_fields, 0, NULL);
		json_array_append_new(stages, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "key", s->key, "name", s->name,
		                                        "kind", s->kind, "color", s->color, "required_fields",
		                                        req ? req : json_array(), "checklist", cl));
	}
	struct rule3 *tr, *am;
	const char **roles;
	int n_tr, n_am, n_roles;
	store_pipeline_rules(c, p.id, a, &tr, &n_tr, &am, &n_am, &roles, &n_roles);
	json_t *transitions = json_object(), *auto_moves = json_array(), *visible = json_array();
	for (int i = 0; i < n_tr; i++) {
		json_t *list = json_object_get(transitions, tr[i].a);
		if (!list) {
			list = json_array();
			json_object_set_new(transitions, tr[i].a, list);
		}
		json_array_append_new(list, json_pack("[s, s]", tr[i].b, tr[i].c));
	}
	for (int i = 0; i < n_am; i++)
		json_array_append_new(auto_moves, json_pack("{s:s, s:s, s:s}", "from", am[i].a, "to", am[i].b, "condition", am[i].c));
	for (int i = 0; i < n_roles; i++)
		json_array_append_new(visible, json_string(roles[i]));
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)p.id, "key", p.key, "entity", p.entity,
	                 "name", p.name, "visible_to", visible, "stages", stages, "transitions", transitions,
	                 "auto_moves", auto_moves);
}
