/* POST /api/login, /api/logout, GET /api/me, POST /api/me/password */
#include "http/http.h"
#include "auth/users.h"
#include "core/json.h"
#include "http/events.h"
#include "http/render.h"

#include <stdio.h>
#include <string.h>

static void set_cookie(struct req *r, const char *value, long max_age_s)
{
	char *c = arena_printf(r->arena, "vk_session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%ld%s",
	                       value, max_age_s, r->secure ? "; Secure" : "");
	reply_header(r, "Set-Cookie", c);
}

static void login(struct req *r)
{
	static const char *const keys[] = { "login", "password", NULL };
	struct vk_err err = { 0 };
	const char *lg = NULL, *pw = NULL;
	enum vk_rc rc = json_only_keys(r->json, keys, &err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "login", true, 1, 64, &lg, &err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "password", true, 1, 256, &pw, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	struct principal p;
	char cookie[65];
	int retry = 0;
	rc = auth_login(req_auth(r), lg, pw, r->ip, req_header(r, "User-Agent"), r->arena, &p, cookie,
	                &retry, &err);
	if (rc != VK_OK) {
		reply_error(r, rc, &err);
		if (rc == VK_ETHROTTLED)
			reply_header(r, "Retry-After", arena_printf(r->arena, "%d", retry));
		return;
	}
	json_t *me = render_me(&p, store_reader(req_store(r)), r->arena);
	reply_json(r, 200, json_pack("{s:o, s:s}", "user", me, "csrf", p.csrf));
	set_cookie(r, cookie, req_config(r)->session_max_hours * 3600);
}

static void logout(struct req *r)
{
	enum vk_rc rc = auth_logout(req_auth(r), r->user);
	if (rc != VK_OK)
		return reply_error(r, rc, NULL);
	if (r->user->session_id)
		events_close_user(r->user->user_id, r->user->session_id, 0);
	reply_status(r, 204);
	set_cookie(r, "", 0);
}

static void me(struct req *r)
{
	json_t *me = render_me(r->user, store_reader(req_store(r)), r->arena);
	reply_json(r, 200, json_pack("{s:o, s:o}", "user", me, "csrf",
	                             r->user->csrf ? json_string(r->user->csrf) : json_null()));
}

static void change_password(struct req *r)
{
	static const char *const keys[] = { "current_password", "new_password", NULL };
	struct vk_err err = { 0 };
	const char *cur = NULL, *next = NULL;
	enum vk_rc rc = json_only_keys(r->json, keys, &err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "current_password", true, 1, 256, &cur, &err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "new_password", true, 0, 100000, &next, &err);
	if (rc == VK_OK)
		rc = user_change_password(req_store(r), r->user, cur, next, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	events_close_user(r->user->user_id, 0, r->user->session_id); /* other sessions were revoked */
	reply_status(r, 204);
}

const struct route api_auth_routes[] = {
	{ "POST", "/api/login", login, R_JSON, NULL },
	{ "POST", "/api/logout", logout, R_AUTH, NULL },
	{ "GET", "/api/me", me, R_AUTH, NULL },
	{ "POST", "/api/me/password", change_password, R_AUTH | R_JSON, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
