/* /api/teams: who works together (the "team" record scope) */
#include "http/http.h"
#include "auth/team.h"
#include "core/json.h"

#include <string.h>

#define MAX_MEMBERS 1000

static json_t *render_team(const struct team *t)
{
	json_t *members = json_array();
	for (int i = 0; i < t->n_members; i++)
		json_array_append_new(members, json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)t->members[i].id, "login",
		                                         t->members[i].login, "name", t->members[i].name, "active",
		                                         t->members[i].active));
	return json_pack("{s:I, s:s, s:o, s:o, s:o, s:I}", "id", (json_int_t)t->id, "name", t->name, "lead_id",
	                 t->lead_id ? json_integer(t->lead_id) : json_null(), "lead_name",
	                 t->lead_name ? json_string(t->lead_name) : json_null(), "members", members, "created_at",
	                 (json_int_t)t->created_at);
}

/* Text without the spaces around it, in the request's arena. */
static const char *trimmed(struct arena *a, const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	char *out = arena_alloc(a, n + 1);
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

static enum vk_rc read_input(struct req *r, bool create, struct team_input *in, struct vk_err *err)
{
	static const char *const keys[] = { "name", "members", "lead_id", NULL };
	memset(in, 0, sizeof *in);
	enum vk_rc rc = json_only_keys(r->json, keys, err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "name", create, 1, 200, &in->name, err);
	if (rc == VK_OK && in->name) {
		in->name = trimmed(r->arena, in->name);
		if (!*in->name)
			rc = vk_fail(err, VK_EINVAL, "name", "name cannot be blank");
	}
	json_t *lead = json_object_get(r->json, "lead_id");
	if (rc == VK_OK && lead) {
		in->has_lead = true;
		if (json_is_integer(lead) && json_integer_value(lead) > 0)
			in->lead_id = json_integer_value(lead);
		else if (!json_is_null(lead))
			rc = vk_fail(err, VK_EINVAL, "lead_id", "lead_id must be a user id or null");
	}
	json_t *members = json_object_get(r->json, "members");
	if (rc == VK_OK && members) {
		if (!json_is_array(members) || json_array_size(members) > MAX_MEMBERS)
			return vk_fail(err, VK_EINVAL, "members", "members must be a list of up to %d user ids", MAX_MEMBERS);
		int64_t *ids = arena_alloc(r->arena, sizeof *ids * (json_array_size(members) + 1));
		int n = 0;
		size_t i;
		json_t *v;
		json_array_foreach(members, i, v) {
			if (!json_is_integer(v) || json_integer_value(v) <= 0)
				return vk_fail(err, VK_EINVAL, "members", "members[%zu] must be a user id", i);
			bool seen = false;
			for (int k = 0; k < n && !seen; k++)
				seen = ids[k] == json_integer_value(v);
			if (!seen)
				ids[n++] = json_integer_value(v);
		}
		in->has_members = true;
		in->members = ids;
		in->n_members = n;
	}
	return rc;
}

static void teams_list(struct req *r)
{
	struct team *items;
	int n;
	store_team_list(store_reader(req_store(r)), r->arena, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, render_team(&items[i]));
	reply_list(r, arr, 0);
}

static void teams_get(struct req *r)
{
	int64_t id;
	struct team t;
	if (!req_param_id(r, 0, &id))
		return;
	if (store_team_get(store_reader(req_store(r)), id, r->arena, &t) != VK_OK)
		return reply_error_msg(r, 404, "not_found", NULL, "no such team");
	reply_json(r, 200, render_team(&t));
}

static void teams_create(struct req *r)
{
	struct vk_err err = { 0 };
	struct team_input in;
	struct team t;
	enum vk_rc rc = read_input(r, true, &in, &err);
	if (rc == VK_OK)
		rc = team_create(req_store(r), r->user, &in, r->arena, &t, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 201, render_team(&t));
}

static void teams_update(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	struct team_input in;
	struct team t;
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = read_input(r, false, &in, &err);
	if (rc == VK_OK)
		rc = team_update(req_store(r), r->user, id, &in, r->arena, &t, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 200, render_team(&t));
}

static void teams_delete(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = team_delete(req_store(r), r->user, id, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_status(r, 204);
}

const struct route api_teams_routes[] = {
	{ "GET", "/api/teams", teams_list, R_AUTH, CAP_USERS_READ },
	{ "POST", "/api/teams", teams_create, R_AUTH | R_JSON, CAP_USERS_MANAGE },
	{ "GET", "/api/teams/:id", teams_get, R_AUTH, CAP_USERS_READ },
	{ "PATCH", "/api/teams/:id", teams_update, R_AUTH | R_JSON, CAP_USERS_MANAGE },
	{ "DELETE", "/api/teams/:id", teams_delete, R_AUTH, CAP_USERS_MANAGE },
	{ NULL, NULL, NULL, 0, NULL },
};
