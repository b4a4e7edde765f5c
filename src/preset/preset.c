#include "preset/preset.h"
#include "auth/users.h"
#include "core/clock.h"
#include "crm/record.h"
#include "store/pipeline.h"
#include "core/builtin.h"
#include "core/json.h"
#include "org/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const preset_names[] = { "cleaning", "dealers", "eshop", "b2c", "logistics", NULL };

static enum vk_rc load_settings(struct store *s, json_t *settings, struct vk_err *err)
{
	if (!settings)
		return VK_OK;
	if (!json_is_object(settings))
		return vk_fail(err, VK_EINVAL, "settings", "settings must be an object");
	struct setting_change ch[16];
	int n = 0;
	const char *key;
	json_t *v;
	json_object_foreach(settings, key, v) {
		if (n == 16 || !json_is_string(v))
			return vk_fail(err, VK_EINVAL, "settings", "settings.%s must be a string", key);
		ch[n++] = (struct setting_change){ key, json_string_value(v) };
	}
	return settings_update(s, NULL, ch, n, err);
}

static enum vk_rc load_roles(struct store *s, json_t *roles, struct vk_err *err)
{
	size_t i;
	json_t *r;
	if (!json_is_array(roles))
		return vk_fail(err, VK_EINVAL, "roles", "roles must be an array");
	json_array_foreach(roles, i, r) {
		const char *key = NULL, *name = NULL;
		json_t *caps = json_is_object(r) ? json_object_get(r, "capabilities") : NULL;
		if (!json_is_object(r) || json_get_str(r, "key", true, 1, 64, &key, err) != VK_OK ||
		    json_get_str(r, "name", true, 1, 200, &name, err) != VK_OK || !json_is_array(caps) ||
		    json_array_size(caps) > 64)
			return vk_fail(err, VK_EINVAL, "roles", "roles[%zu] needs key, name and capabilities", i);
		const char *list[64];
		size_t k;
		json_t *c;
		json_array_foreach(caps, k, c) {
			if (!json_is_string(c))
				return vk_fail(err, VK_EINVAL, "roles", "roles[%zu].capabilities must be strings", i);
			list[k] = json_string_value(c);
		}
		enum vk_rc rc = role_put(s, key, name, list, (int)json_array_size(caps), err);
		if (rc != VK_OK)
			return rc;
	}
	return VK_OK;
}

/* ---- pipelines, scopes and sample data: written in one transaction each ---- */

struct config_tx {
	json_t *doc;
	struct vk_err *err;
	int64_t now;
};

static int64_t role_id(struct conn *c, const char *key, struct arena *a)
{
	struct role r;
	return store_role_by_key(c, key, a, &r) == VK_OK ? r.id : 0;
}

static enum vk_rc scopes_write(struct conn *c, json_t *roles, struct vk_err *err, struct arena *a)
{
	size_t i;
	json_t *r;
	json_array_foreach(roles, i, r) {
		json_t *scopes = json_object_get(r, "scopes");
		int64_t rid = role_id(c, json_string_value(json_object_get(r, "key")), a);
		const char *hent;
		json_t *hkeys;
		json_object_foreach(json_object_get(r, "hidden_fields"), hent, hkeys) {
			size_t k;
			json_t *hk;
			if (!entity_by_name(hent) || !json_is_array(hkeys))
				return vk_fail(err, VK_EINVAL, "roles", "roles[%zu].hidden_fields: {entity: [field keys]}", i);
			json_array_foreach(hkeys, k, hk) {
				enum vk_rc hrc = json_is_string(hk) ? store_hidden_field_put(c, rid, hent, json_string_value(hk))
				                                    : vk_fail(err, VK_EINVAL, "roles", "hidden field keys are strings");
				if (hrc != VK_OK)
					return hrc;
			}
		}
		if (!scopes)
			continue;
		const char *entity;
		json_t *actions;
		if (!json_is_object(scopes))
			return vk_fail(err, VK_EINVAL, "roles", "roles[%zu].scopes must be an object", i);
		json_object_foreach(scopes, entity, actions) {
			const char *action;
			json_t *scope;
			if (!entity_by_name(entity) || !json_is_object(actions))
				return vk_fail(err, VK_EINVAL, "roles", "roles[%zu].scopes: unknown entity %s", i, entity);
			json_object_foreach(actions, action, scope) {
				static const char *const acts[] = { "read", "create", "edit", "delete", "export", NULL };
				static const char *const kinds[] = { "none", "own", "team", "all", NULL };
				const char *sv = json_string_value(scope);
				bool ok_a = false, ok_k = false;
				for (const char *const *x = acts; *x; x++)
					ok_a = ok_a || !strcmp(*x, action);
				for (const char *const *x = kinds; sv && *x; x++)
					ok_k = ok_k || !strcmp(*x, sv);
				if (!ok_a || !ok_k)
					return vk_fail(err, VK_EINVAL, "roles", "roles[%zu].scopes.%s.%s is not valid", i, entity, action);
				enum vk_rc rc = store_role_scope_put(c, rid, entity, action, sv);
				if (rc != VK_OK)
					return rc;
			}
		}
	}
	return VK_OK;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static enum vk_rc pipeline_write(struct conn *c, json_t *p, int sort, struct vk_err *err, struct arena *a, int64_t now)
{
	const char *key = str(p, "key"), *entity = str(p, "entity"), *name = str(p, "name");
	json_t *stages = json_object_get(p, "stages");
	if (!key || !name || !entity || (strcmp(entity, "deal") && strcmp(entity, "company")) || !json_is_array(stages))
		return vk_fail(err, VK_EINVAL, "pipelines", "a pipeline needs key, entity (deal|company), name, stages");
	int64_t pid, sid;
	enum vk_rc rc = store_pipeline_put(c, entity, key, name, sort, now, &pid);
	size_t i;
	json_t *st;
	json_array_foreach(stages, i, st) {
		const char *skey = str(st, "key"), *sname = str(st, "name"), *kind = str(st, "kind"),
		           *color = str(st, "color");
		json_t *req = json_object_get(st, "required_fields");
		if (!skey || !sname || !kind || (strcmp(kind, "open") && strcmp(kind, "won") && strcmp(kind, "lost") &&
		                                 strcmp(kind, "dead_end")))
			return vk_fail(err, VK_EINVAL, "pipelines", "%s.stages[%zu] needs key, name and kind", key, i);
		char *req_text = req ? json_dumps(req, JSON_COMPACT) : NULL;
		if (rc == VK_OK)
			rc = store_stage_put(c, pid, skey, sname, kind, color ? color : "#8a94a6", (int)i,
			                     req_text ? req_text : "[]", &sid);
		free(req_text);
		size_t k;
		json_t *item;
		json_array_foreach(json_object_get(st, "checklist"), k, item) {
			if (rc == VK_OK && (!str(item, "key") || !str(item, "label")))
				return vk_fail(err, VK_EINVAL, "pipelines", "%s.%s checklist items need key and label", key, skey);
			if (rc == VK_OK)
				rc = store_checklist_item_put(c, sid, str(item, "key"), str(item, "label"), (int)k);
		}
	}
	json_array_foreach(json_object_get(p, "visible_to"), i, st) {
		int64_t rid = role_id(c, json_string_value(st) ? json_string_value(st) : "", a);
		if (!rid)
			return vk_fail(err, VK_EINVAL, "pipelines", "%s.visible_to: no role %s", key, json_string_value(st));
		if (rc == VK_OK)
			rc = store_pipeline_role_add(c, pid, rid);
	}
	const char *role;
	json_t *moves;
	json_object_foreach(json_object_get(p, "transitions"), role, moves) {
		int64_t rid = role_id(c, role, a);
		if (!rid)
			return vk_fail(err, VK_EINVAL, "pipelines", "%s.transitions: no role %s", key, role);
		json_t *mv;
		json_array_foreach(moves, i, mv) {
			struct stage from, to;
			const char *f = json_string_value(json_array_get(mv, 0)), *t = json_string_value(json_array_get(mv, 1));
			if (!f || !t || store_stage_by_key(c, pid, f, a, &from) != VK_OK ||
			    store_stage_by_key(c, pid, t, a, &to) != VK_OK)
				return vk_fail(err, VK_EINVAL, "pipelines", "%s.transitions.%s[%zu] names unknown stages", key, role, i);
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
			return vk_fail(err, VK_EINVAL, "pipelines", "%s.auto_moves[%zu] is not valid", key, i);
		if (rc == VK_OK)
			rc = store_auto_move_put(c, from.id, to.id, cond);
	}
	return rc;
}

static enum vk_rc config_write(struct conn *c, void *ctx)
{
	struct config_tx *t = ctx;
	struct arena *a = arena_new(4096);
	enum vk_rc rc = scopes_write(c, json_object_get(t->doc, "roles"), t->err, a);
	size_t i;
	json_t *p;
	json_t *pipelines = json_object_get(t->doc, "pipelines");
	if (pipelines && !json_is_array(pipelines))
		rc = vk_fail(t->err, VK_EINVAL, "pipelines", "pipelines must be an array");
	json_array_foreach(pipelines, i, p) {
		if (rc == VK_OK)
			rc = pipeline_write(c, p, (int)i, t->err, a, t->now);
	}
	arena_free(a);
	return rc;
}

/* Sample records: "owner" is a login, "ref" names a record for later "company_ref"/"contact_ref". */
static enum vk_rc load_data(struct store *s, json_t *data, struct vk_err *err)
{
	if (!data)
		return VK_OK;
	static const char *caps[] = { "*" };
	struct principal admin = { .caps = caps, .n_caps = 1, .role_id = -1, .name = "preset" };
	struct arena *a = arena_new(16384);
	json_t *refs = json_object();
	enum vk_rc rc = VK_OK;
	const char *order[] = { "companies", "contacts", "deals" };
	for (int o = 0; o < 3 && rc == VK_OK; o++) {
		const struct entity *e = entity_by_plural(order[o]);
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(data, order[o]), i, item) {
			json_t *in = json_deep_copy(item);
			const char *ref = str(in, "ref"), *owner = str(in, "owner");
			char *ref_copy = ref ? strdup(ref) : NULL;
			json_object_del(in, "ref");
			if (owner) {
				struct user u;
				if (store_user_by_login(store_reader(s), owner, a, &u, NULL) != VK_OK) {
					rc = vk_fail(err, VK_EINVAL, "data", "%s[%zu]: no user %s", order[o], i, owner);
					json_decref(in);
					free(ref_copy);
					break;
				}
				json_object_set_new(in, "owner_id", json_integer(u.id));
				json_object_del(in, "owner");
			}
			const char *links[] = { "company_ref", "company_id", "contact_ref", "contact_id" };
			for (int l = 0; l < 4; l += 2) {
				const char *lr = str(in, links[l]);
				if (lr) {
					json_t *id = json_object_get(refs, lr);
					json_object_set(in, links[l + 1], id ? id : json_null());
					json_object_del(in, links[l]);
				}
			}
			struct record rec;
			rc = record_create(s, &admin, e, in, a, &rec, err);
			json_decref(in);
			if (rc == VK_OK && ref_copy)
				json_object_set_new(refs, ref_copy, json_integer(rec.id));
			if (rc != VK_OK) {
				char where[96];
				snprintf(where, sizeof where, "%s[%zu]: ", order[o], i);
				vk_err_prefix(err, where);
			}
			free(ref_copy);
			if (rc != VK_OK)
				break;
		}
	}
	json_decref(refs);
	arena_free(a);
	return rc;
}

static enum vk_rc load_users(struct store *s, json_t *users, const char *hash, int *n_users,
                             struct vk_err *err)
{
	size_t i;
	json_t *u;
	if (!json_is_array(users))
		return vk_fail(err, VK_EINVAL, "users", "users must be an array");
	struct arena *a = arena_new(4096);
	enum vk_rc rc = VK_OK;
	json_array_foreach(users, i, u) {
		struct user_input in = { .password_hash = hash, .active = -1 };
		struct user out;
		if (!json_is_object(u) || json_get_str(u, "login", true, 1, 64, &in.login, err) != VK_OK ||
		    json_get_str(u, "name", true, 1, 200, &in.name, err) != VK_OK ||
		    json_get_str(u, "role", true, 1, 64, &in.role, err) != VK_OK) {
			rc = vk_fail(err, VK_EINVAL, "users", "users[%zu] needs login, name and role", i);
			break;
		}
		if ((rc = user_create(s, NULL, &in, a, &out, err)) != VK_OK)
			break;
		(*n_users)++;
	}
	arena_free(a);
	return rc;
}

enum vk_rc preset_load(struct store *s, const char *name, const char *password, int *n_users,
                       struct vk_err *err)
{
	char path[128];
	*n_users = 0;
	snprintf(path, sizeof path, "presets/%s/preset.json", name);
	const struct builtin_file *f = strchr(name, '/') ? NULL : builtin_find(path);
	if (!f)
		return vk_fail(err, VK_ENOTFOUND, "preset", "no preset \"%s\"", name);
	json_t *doc = NULL;
	enum vk_rc rc = json_parse_object((const char *)f->data, f->len, &doc, err);
	if (rc != VK_OK)
		return rc;
	static const char *const keys[] = { "name", "title", "description", "settings", "roles", "users",
	                                    "pipelines", "data", NULL };
	char hash[AUTH_HASH_LEN];
	if ((rc = json_only_keys(doc, keys, err)) != VK_OK)
		goto out;
	if ((rc = auth_check_password_rules(password, "password", err)) != VK_OK)
		goto out;
	/* one hash for every demo user: argon2id is slow on purpose */
	if ((rc = auth_hash_password(password, hash)) != VK_OK)
		goto out;
	if ((rc = load_settings(s, json_object_get(doc, "settings"), err)) != VK_OK)
		goto out;
	if ((rc = load_roles(s, json_object_get(doc, "roles"), err)) != VK_OK)
		goto out;
	if ((rc = load_users(s, json_object_get(doc, "users"), hash, n_users, err)) != VK_OK)
		goto out;
	struct config_tx ct = { doc, err, clock_now_ms() };
	if ((rc = store_write(s, config_write, &ct)) != VK_OK)
		goto out;
	rc = load_data(s, json_object_get(doc, "data"), err);
out:
	json_decref(doc);
	return rc;
}
