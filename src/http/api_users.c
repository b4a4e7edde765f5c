/* /api/users, /api/roles, /api/tokens */
#include "http/http.h"
#include "auth/users.h"
#include "core/json.h"
#include "http/render.h"

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
	reply_json(r, 200, render_user(&u));
}

static void roles_list(struct req *r)
{
	struct role *items;
	int n;
	store_role_list(store_reader(req_store(r)), r->arena, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, render_role(&items[i]));
	reply_list(r, arr, 0);
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
	{ "GET", "/api/tokens", tokens_list, R_AUTH, CAP_TOKENS_MANAGE },
	{ "POST", "/api/tokens", tokens_create, R_AUTH | R_JSON, CAP_TOKENS_MANAGE },
	{ "DELETE", "/api/tokens/:id", tokens_delete, R_AUTH, CAP_TOKENS_MANAGE },
	{ NULL, NULL, NULL, 0, NULL },
};
