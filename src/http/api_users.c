/* /api/users, /api/roles, /api/tokens */
#include "http/http.h"
#include "auth/users.h"
#include "core/clock.h"
#include "crm/config.h"
#include "store/event.h"
#include "store/pipeline.h"
#include "store/record.h"
#include "core/json.h"
#include "http/events.h"
#include "http/render.h"

#include <stdlib.h>
#include <string.h>

static void users_list(struct req *r)
{
	int limit;
	int64_t cursor;
	if (!req_list_args(r, &limit, &cursor))
		return;
	const char *q = req_query(r, "q"), *active = req_query(r, "active");
	int act = -1;
	if (active) {
		if (!strcmp(active, "true"))
			act = 1;
		else if (!strcmp(active, "false"))
			act = 0;
		else
			return reply_error_msg(r, 400, "invalid", "active", "active must be true or false");
	}
	if (q && strlen(q) > 200)
		return reply_error_msg(r, 400, "invalid", "q", "the search text is too long");
	struct user *items;
	int n;
	/* one extra row tells whether there is a next page */
	store_user_list(store_reader(req_store(r)), q, act, cursor, limit + 1, r->arena, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(arr, render_user(&items[i]));
	reply_list(r, arr, n > limit ? items[limit - 1].id : 0);
}

static enum vk_rc read_user_input(json_t *j, bool create, struct user_input *in, struct vk_err *err)
{
	static const char *const create_keys[] = { "login", "name", "password", "role", NULL };
	static const char *const update_keys[] = { "name", "password", "role", "active", NULL };
	memset(in, 0, sizeof *in);
	in->active = -1;
	enum vk_rc rc = json_only_keys(j, create ? create_keys : update_keys, err);
	if (rc == VK_OK && create)
		rc = json_get_str(j, "login", true, 0, 1000, &in->login, err);
	if (rc == VK_OK)
		rc = json_get_str(j, "name", create, 1, 200, &in->name, err);
	if (rc == VK_OK)
		rc = json_get_str(j, "password", create, 0, 100000, &in->password, err);
	if (rc == VK_OK)
		rc = json_get_str(j, "role", create, 1, 64, &in->role, err);
	if (rc == VK_OK && !create) {
		bool active = false, present = false;
		rc = json_get_bool(j, "active", false, &active, &present, err);
		if (rc == VK_OK && present)
			in->active = active;
	}
	return rc;
}

static void users_create(struct req *r)
{
	struct vk_err err = { 0 };
	struct user_input in;
	struct user u;
	enum vk_rc rc = read_user_input(r->json, true, &in, &err);
	if (rc == VK_OK)
		rc = user_create(req_store(r), r->user, &in, r->arena, &u, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 201, render_user(&u));
}

static void users_get(struct req *r)
{
	int64_t id;
	struct user u;
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = store_user_get(store_reader(req_store(r)), id, r->arena, &u);
	if (rc != VK_OK)
		return reply_error(r, rc, NULL);
	reply_json(r, 200, render_user(&u));
}

static void users_update(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	struct user_input in;
	struct user u;
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = read_user_input(r->json, false, &in, &err);
	if (rc == VK_OK)
		rc = user_update(req_store(r), r->user, id, &in, r->arena, &u, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	if (in.active == 0 || in.password) /* their sessions were revoked: so are their streams */
		events_close_user(id, 0, 0);
	reply_json(r, 200, render_user(&u));
}

/* A role with what its settings screen edits: the scope of every entity and action ("none" when
 * unset) and the hidden fields per entity. */
static json_t *role_detail(struct conn *c, const struct role *role, struct arena *a)
{
	static const char *const entities[] = { "contact", "company", "deal" };
	static const char *const actions[] = { "read", "create", "edit", "delete", "export" };
	json_t *o = render_role(role), *scopes = json_object(), *hidden = json_object();
	for (size_t e = 0; e < 3; e++) {
		json_t *acts = json_object();
		for (size_t k = 0; k < 5; k++) {
			const char *s = store_role_scope(c, role->id, entities[e], actions[k], a);
			json_object_set_new(acts, actions[k], json_string(s ? s : "none"));
		}
		json_object_set_new(scopes, entities[e], acts);
		const char **keys;
		int n = 0;
		store_hidden_fields(c, role->id, entities[e], a, &keys, &n);
		json_t *list = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(list, json_string(keys[i]));
		json_object_set_new(hidden, entities[e], list);
	}
	json_object_set_new(o, "scopes", scopes);
	json_object_set_new(o, "hidden_fields", hidden);
	return o;
}

static void roles_list(struct req *r)
{
	struct role *items;
	int n;
	struct conn *c = store_reader(req_store(r));
	store_role_list(c, r->arena, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, role_detail(c, &items[i], r->arena));
	reply_list(r, arr, 0);
}

/* PUT /api/roles/KEY {name, capabilities, scopes, hidden_fields}: create or replace a role. */
struct role_put_tx {
	const char *key, *name;
	const char *const *caps;
	int n_caps;
	json_t *doc;
	int64_t actor;
	struct arena *a;
	struct vk_err *err;
};

/* name, capabilities, scopes and hidden fields change together or not at all */
static enum vk_rc role_put_write(struct conn *c, void *ctx)
{
	struct role_put_tx *t = ctx;
	int64_t id;
	int64_t now = clock_now_ms();
	enum vk_rc rc = store_role_put(c, t->key, t->name, t->caps, t->n_caps, now, &id);
	if (rc == VK_OK)
		rc = config_role_access(c, id, json_object_get(t->doc, "scopes"), json_object_get(t->doc, "hidden_fields"),
		                        t->a, t->err);
	if (rc == VK_OK) {
		char *text = json_dumps(t->doc, JSON_COMPACT | JSON_SORT_KEYS);
		struct event ev = { .entity = "role", .entity_id = id, .actor_id = t->actor, .kind = "update",
		                    .field = t->key, .new_value = arena_strdup(t->a, text), .at = now };
		free(text);
		rc = event_add(c, &ev);
	}
	return rc;
}

static void roles_put(struct req *r)
{
	static const char *const keys[] = { "name", "capabilities", "scopes", "hidden_fields", NULL };
	struct vk_err err = { 0 };
	const char *name = NULL;
	enum vk_rc rc = json_only_keys(r->json, keys, &err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "name", true, 1, 200, &name, &err);
	json_t *caps = json_object_get(r->json, "capabilities");
	if (rc == VK_OK && (!json_is_array(caps) || json_array_size(caps) > 64))
		rc = vk_fail(&err, VK_EINVAL, "capabilities", "capabilities must be a list of capability names");
	const char *list[64];
	size_t i;
	json_t *c;
	/* only a list that fits was accepted above */
	json_array_foreach(rc == VK_OK ? caps : NULL, i, c) {
		if (rc == VK_OK && !json_is_string(c))
			rc = vk_fail(&err, VK_EINVAL, "capabilities", "capabilities must be strings");
		list[i] = json_string_value(c);
	}
	if (rc == VK_OK && !strcmp(r->params[0], "admin"))
		rc = vk_fail(&err, VK_EUNPROC, "key", "the administrator role cannot be changed");
	/* a role may not grant more than the one granting it has */
	for (i = 0; rc == VK_OK && caps && i < json_array_size(caps); i++)
		if (!auth_can(r->user, list[i]) || (!strcmp(list[i], "*") && !auth_can(r->user, "*")))
			rc = vk_fail(&err, VK_EFORBIDDEN, "capabilities", "you cannot grant %s", list[i]);
	const char *k = r->params[0];
	bool key_ok = strlen(k) >= 2 && strlen(k) <= 32;
	for (const char *q = k; *q; q++)
		key_ok = key_ok && ((*q >= 'a' && *q <= 'z') || *q == '_');
	if (rc == VK_OK && !key_ok)
		rc = vk_fail(&err, VK_EINVAL, "key", "a role key is 2 to 32 characters a-z and _");
	for (i = 0; rc == VK_OK && i < json_array_size(caps); i++)
		if (!auth_capability_known(list[i]))
			rc = vk_fail(&err, VK_EINVAL, "capabilities", "unknown capability \"%.64s\"", list[i]);
	struct role_put_tx t = { k, name, list, (int)json_array_size(caps), r->json, r->user->user_id, r->arena, &err };
	if (rc == VK_OK)
		rc = store_write(req_store(r), role_put_write, &t);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	struct role role;
	store_role_by_key(store_reader(req_store(r)), r->params[0], r->arena, &role);
	reply_json(r, 200, role_detail(store_reader(req_store(r)), &role, r->arena));
}

static void roles_delete(struct req *r)
{
	struct vk_err err = { 0 };
	enum vk_rc rc = role_delete(req_store(r), r->user, r->params[0], &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_status(r, 204);
}

static void tokens_list(struct req *r)
{
	struct token_row *items;
	int n;
	store_token_list(store_reader(req_store(r)), r->arena, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, render_token(&items[i]));
	reply_list(r, arr, 0);
}

static void tokens_create(struct req *r)
{
	static const char *const keys[] = { "name", "role", NULL };
	struct vk_err err = { 0 };
	const char *name = NULL, *role = NULL;
	struct token_created out;
	enum vk_rc rc = json_only_keys(r->json, keys, &err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "name", true, 1, 100, &name, &err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "role", true, 1, 64, &role, &err);
	if (rc == VK_OK)
		rc = token_create(req_store(r), r->user, name, role, r->arena, &out, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 201, json_pack("{s:o, s:s}", "token", render_token(&out.token), "secret", out.secret));
}

static void tokens_delete(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = token_revoke(req_store(r), r->user, id, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_status(r, 204);
}

const struct route api_users_routes[] = {
	{ "GET", "/api/users", users_list, R_AUTH, CAP_USERS_READ },
	{ "POST", "/api/users", users_create, R_AUTH | R_JSON, CAP_USERS_MANAGE },
	{ "GET", "/api/users/:id", users_get, R_AUTH, CAP_USERS_READ },
	{ "PATCH", "/api/users/:id", users_update, R_AUTH | R_JSON, CAP_USERS_MANAGE },
	{ "GET", "/api/roles", roles_list, R_AUTH, CAP_ROLES_READ },
	{ "PUT", "/api/roles/:key", roles_put, R_AUTH | R_JSON, CAP_USERS_MANAGE },
	{ "DELETE", "/api/roles/:key", roles_delete, R_AUTH, CAP_USERS_MANAGE },
	{ "GET", "/api/tokens", tokens_list, R_AUTH, CAP_TOKENS_MANAGE },
	{ "POST", "/api/tokens", tokens_create, R_AUTH | R_JSON, CAP_TOKENS_MANAGE },
	{ "DELETE", "/api/tokens/:id", tokens_delete, R_AUTH, CAP_TOKENS_MANAGE },
	{ NULL, NULL, NULL, 0, NULL },
};
