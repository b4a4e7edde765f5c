#include "crm/config.h"
#include "store/auth.h"
#include "store/event.h"
#include "store/pipeline.h"
#include "store/record.h"

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

enum vk_rc config_pipeline(struct conn *c, json_t *p, int sort, int64_t actor, int64_t now,
                           struct arena *a, struct vk_err *err)
{
	const char *key = str(p, "key"), *entity = str(p, "entity"), *name = str(p, "name");
	json_t *stages = json_object_get(p, "stages");
	if (!json_is_object(p) || !key_ok(key) || !name || !*name || strlen(name) > 200 || !entity ||
	    (strcmp(entity, "deal") && strcmp(entity, "company")) || !json_is_array(stages) ||
	    json_array_size(stages) == 0 || json_array_size(stages) > 50)
		return vk_fail(err, VK_EINVAL, "pipelines",
		               "a pipeline needs key (a-z0-9_), entity (deal|company), name and 1 to 50 stages");
	struct pipeline existing;
	if (store_pipeline_by_key(c, key, a, &existing) == VK_OK && strcmp(existing.entity, entity))
		return vk_fail(err, VK_EUNPROC, "entity", "pipeline %s holds %ss; its entity cannot change", key, existing.entity);
	int64_t pid, sid;
	enum vk_rc rc = store_pipeline_put(c, entity, key, name, sort, now, &pid);
	if (rc == VK_OK)
		rc = store_pipeline_clear_rules(c, pid);
	size_t i;
	json_t *st;
	json_array_foreach(stages, i, st) {
		const char *skey = str(st, "key"), *sname = str(st, "name"), *kind = str(st, "kind"),
		           *color = str(st, "color");
		json_t *req = json_object_get(st, "required_fields"), *checklist = json_object_get(st, "checklist");
		if (!key_ok(skey) || !sname || !*sname || strlen(sname) > 200 || !kind ||
		    (strcmp(kind, "open") && strcmp(kind, "won") && strcmp(kind, "lost") && strcmp(kind, "dead_end")) ||
		    (color && (strlen(color) != 7 || color[0] != '#')) || (req && !json_is_array(req)) ||
		    (checklist && !json_is_array(checklist)))
			return vk_fail(err, VK_EINVAL, "stages", "%s.stages[%zu] needs key, name, kind (open|won|lost|dead_end),"
			               " an optional #rrggbb color, required_fields and checklist lists", key, i);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(str(json_array_get(stages, k), "key"), skey))
				return vk_fail(err, VK_EINVAL, "stages", "%s: stage %s appears twice", key, skey);
		char *req_text = req ? json_dumps(req, JSON_COMPACT) : NULL;
		if (rc == VK_OK)
			rc = store_stage_put(c, pid, skey, sname, kind, color ? color : "#8a94a6", (int)i,
			                     req_text ? req_text : "[]", &sid);
		free(req_text);
		size_t k;
		json_t *item;
		json_array_foreach(checklist, k, item) {
			if (!key_ok(str(item, "key")) || !str(item, "label"))
				return vk_fail(err, VK_EINVAL, "stages", "%s.%s checklist items need key and label", key, skey);
			if (rc == VK_OK)
				rc = store_checklist_item_put(c, sid, str(item, "key"), str(item, "label"), (int)k);
		}
		if (rc == VK_OK)
			rc = store_checklist_prune(c, sid, keys_json(a, checklist, "key"));
	}
	const char *in_use = NULL;
	if (rc == VK_OK && (rc = store_stage_prune(c, pid, keys_json(a, stages, "key"), a, &in_use)) == VK_ECONFLICT)
		return vk_fail(err, VK_ECONFLICT, "stages", "records stand in stage %s; move them before removing it", in_use);
	json_array_foreach(json_object_get(p, "visible_to"), i, st) {
		int64_t rid = role_id(c, json_string_value(st), a);
		if (!rid)
			return vk_fail(err, VK_EINVAL, "visible_to", "%s.visible_to: no role %s", key,
			               json_string_value(st) ? json_string_value(st) : "?");
		if (rc == VK_OK)
			rc = store_pipeline_role_add(c, pid, rid);
	}
	const char *role;
	json_t *moves;
	json_object_foreach(json_object_get(p, "transitions"), role, moves) {
		int64_t rid = role_id(c, role, a);
		if (!rid || !json_is_array(moves))
			return vk_fail(err, VK_EINVAL, "transitions", "%s.transitions: no role %s", key, role);
		json_t *mv;
		json_array_foreach(moves, i, mv) {
			struct stage from, to;
			const char *f = json_string_value(json_array_get(mv, 0)), *t = json_string_value(json_array_get(mv, 1));
			if (!f || !t || store_stage_by_key(c, pid, f, a, &from) != VK_OK ||
			    store_stage_by_key(c, pid, t, a, &to) != VK_OK)
				return vk_fail(err, VK_EINVAL, "transitions", "%s.transitions.%s[%zu] names unknown stages", key, role, i);
			if (rc == VK_OK)
				rc = store_transition_put(c, rid, from.id, to.id);
		}
	}
	json_array_foreach(json_object_get(p, "auto_moves"), i, st) {
		struct stage from, to;
		const char *cond = str(st, "condition");
		if (!cond || strcmp(cond, "contact_linked") || !str(st, "from") || !str(st, "to") ||
		    store_stage_by_key(c, pid, str(st, "from"), a, &from) != VK_OK ||
		    store_stage_by_key(c, pid, str(st, "to"), a, &to) != VK_OK)
			return vk_fail(err, VK_EINVAL, "auto_moves", "%s.auto_moves[%zu]: from, to and condition contact_linked", key, i);
		if (rc == VK_OK)
			rc = store_auto_move_put(c, from.id, to.id, cond);
	}
	if (rc == VK_OK) {
		char *text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
		struct event ev = { .entity = "pipeline", .entity_id = pid, .actor_id = actor, .kind = "update",
		                    .field = key, .new_value = arena_strdup(a, text), .at = now };
		free(text);
		rc = event_add(c, &ev);
	}
	return rc;
}

enum vk_rc config_role_access(struct conn *c, int64_t rid, json_t *scopes, json_t *hidden, struct arena *a,
                              struct vk_err *err)
{
	(void)a;
	enum vk_rc rc = store_role_access_clear(c, rid);
	const char *entity;
	json_t *actions;
	if (scopes && !json_is_object(scopes))
		return vk_fail(err, VK_EINVAL, "scopes", "scopes must be {entity: {action: scope}}");
	json_object_foreach(scopes, entity, actions) {
		const char *action;
		json_t *scope;
		if (!entity_by_name(entity) || !json_is_object(actions))
			return vk_fail(err, VK_EINVAL, "scopes", "scopes: unknown entity %s", entity);
		json_object_foreach(actions, action, scope) {
			static const char *const acts[] = { "read", "create", "edit", "delete", "export", NULL };
			static const char *const kinds[] = { "none", "own", "team", "all", NULL };
			const char *sv = json_string_value(scope);
			bool ok_a = false, ok_k = false;
			for (const char *const *x = acts; *x; x++)
				ok_a = ok_a || !strcmp(*x, action);
			for (const char *const *x = kinds; sv && *x; x++)
				ok_k = ok_k || !strcmp(*x, sv);
			/* "linked" reads what a readable deal points at: contacts and companies only */
			bool linked = sv && !strcmp(sv, "linked");
			if (linked && (strcmp(action, "read") != 0 || !strcmp(entity, "deal")))
				return vk_fail(err, VK_EINVAL, "scopes", "scopes.%s.%s: \"linked\" is a read scope of contacts and companies",
				               entity, action);
			if (!ok_a || !(ok_k || linked))
				return vk_fail(err, VK_EINVAL, "scopes", "scopes.%s.%s must be none, own, team, all (or linked for reading)",
				               entity, action);
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
		if (!entity_by_name(entity) || !json_is_array(keys))
			return vk_fail(err, VK_EINVAL, "hidden_fields", "hidden_fields: {entity: [field keys]}");
		json_array_foreach(keys, k, hk) {
			if (!json_is_string(hk) || json_string_length(hk) > 80)
				return vk_fail(err, VK_EINVAL, "hidden_fields", "hidden field keys are strings");
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
