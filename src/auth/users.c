#include "auth/users.h"
#include "core/clock.h"
#include "core/json.h"
#include "store/event.h"
#include "store/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum vk_rc user_login_valid(const char *login, struct vk_err *err)
{
	size_t n = strlen(login);
	if (n < 2 || n > 64)
		return vk_fail(err, VK_EINVAL, "login", "login must be 2 to 64 characters long");
	for (const char *p = login; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return vk_fail(err, VK_EINVAL, "login",
			               "login may contain only lowercase latin letters, digits, '.', '_' and '-'");
	return VK_OK;
}

static int64_t actor_id(const struct principal *p)
{
	return p ? p->user_id : 0;
}

/* old_json/new_json are JSON text: use str() for strings, "true"/"false" for booleans. */
static enum vk_rc add_event(struct conn *c, const char *entity, int64_t id, int64_t actor,
                            const char *kind, const char *field, const char *old_json,
                            const char *new_json, int64_t now)
{
	struct event e = { .entity = entity, .entity_id = id, .actor_id = actor, .kind = kind,
	                   .field = field, .old_value = old_json, .new_value = new_json, .at = now };
	return event_add(c, &e);
}

/* ---- create ---- */

struct create_tx {
	const struct user_input *in;
	const char *hash;
	int64_t actor, now, id;
	struct vk_err *err;
};

static enum vk_rc create_write(struct conn *c, void *ctx)
{
	struct create_tx *t = ctx;
	struct role r;
	struct arena *a = arena_new(1024);
	enum vk_rc rc = store_role_by_key(c, t->in->role, a, &r);
	if (rc != VK_OK) {
		rc = vk_fail(t->err, VK_EINVAL, "role", "no such role");
		goto out;
	}
	rc = store_user_insert(c, t->in->login, t->in->name, t->hash, r.id, t->now, &t->id);
	if (rc == VK_ECONFLICT) {
		vk_fail(t->err, rc, "login", "this login is already taken");
		goto out;
	}
	if (rc != VK_OK)
		goto out;
	rc = add_event(c, "user", t->id, t->actor, "create", NULL, NULL, json_text_str(a, t->in->login),
	               t->now);
out:
	arena_free(a);
	return rc;
}

enum vk_rc user_create(struct store *s, const struct principal *actor, const struct user_input *in,
                       struct arena *a, struct user *out, struct vk_err *err)
{
	enum vk_rc rc;
	if (!in->login)
		return vk_fail(err, VK_EMISSING, "login", "login is required");
	if (!in->name)
		return vk_fail(err, VK_EMISSING, "name", "name is required");
	if (!in->password && !in->password_hash)
		return vk_fail(err, VK_EMISSING, "password", "password is required");
	if (!in->role)
		return vk_fail(err, VK_EMISSING, "role", "role is required");
	if ((rc = user_login_valid(in->login, err)) != VK_OK)
		return rc;
	/* Hash outside the writer: argon2id takes tens of milliseconds on purpose. */
	char hash[AUTH_HASH_LEN];
	if (in->password_hash) {
		snprintf(hash, sizeof hash, "%s", in->password_hash);
	} else {
		if ((rc = auth_check_password_rules(in->password, "password", err)) != VK_OK)
			return rc;
		if (auth_hash_password(in->password, hash) != VK_OK)
			return vk_fail(err, VK_EIO, NULL, "could not hash the password");
	}
	struct create_tx t = { .in = in, .hash = hash, .actor = actor_id(actor),
	                       .now = clock_now_ms(), .err = err };
	rc = store_write(s, create_write, &t);
	if (rc != VK_OK)
		return rc;
	return store_user_get(store_reader(s), t.id, a, out);
}

/* ---- update ---- */

struct update_tx {
	const struct principal *actor;
	const struct user_input *in;
	const char *hash;
	int64_t id, now;
	struct vk_err *err;
};

static enum vk_rc update_write(struct conn *c, void *ctx)
{
	struct update_tx *t = ctx;
	struct arena *a = arena_new(1024);
	struct user old;
	struct role r = { 0 };
	int64_t actor = actor_id(t->actor);
	enum vk_rc rc = store_user_get(c, t->id, a, &old);
	if (rc != VK_OK) {
		vk_fail(t->err, rc, NULL, "no such user");
		goto out;
	}
	if (t->in->role) {
		if (store_role_by_key(c, t->in->role, a, &r) != VK_OK) {
			rc = vk_fail(t->err, VK_EINVAL, "role", "no such role");
			goto out;
		}
	}
	bool demote_self = t->actor && t->actor->user_id == t->id &&
	                   ((t->in->active == 0) || (r.id && r.id != old.role_id));
	if (demote_self) {
		rc = vk_fail(t->err, VK_EUNPROC, t->in->active == 0 ? "active" : "role",
		             "you cannot deactivate yourself or change your own role");
		goto out;
	}
	rc = store_user_update(c, t->id, t->in->name, r.id, t->in->active, t->hash, t->now);
	if (rc != VK_OK)
		goto out;
	/* Keep at least one active administrator, or nobody can manage users any more. */
	if ((t->in->active == 0 || r.id) && store_user_count_active_admins(c) == 0) {
		rc = vk_fail(t->err, VK_EUNPROC, t->in->active == 0 ? "active" : "role",
		             "this would leave no active administrator");
		goto out;
	}
	if (t->in->name && strcmp(t->in->name, old.name) != 0)
		rc = add_event(c, "user", t->id, actor, "update", "name", json_text_str(a, old.name),
		               json_text_str(a, t->in->name), t->now);
	if (rc == VK_OK && r.id && r.id != old.role_id)
		rc = add_event(c, "user", t->id, actor, "update", "role", json_text_str(a, old.role_key),
		               json_text_str(a, r.key), t->now);
	if (rc == VK_OK && t->in->active >= 0 && (t->in->active != 0) != old.active)
		rc = add_event(c, "user", t->id, actor, "update", "active", old.active ? "true" : "false",
		               t->in->active ? "true" : "false", t->now);
	if (rc == VK_OK && t->hash)
		rc = add_event(c, "user", t->id, actor, "password", NULL, NULL, NULL, t->now);
	/* A reset password or a deactivated account ends every session at once. */
	if (rc == VK_OK && (t->hash || t->in->active == 0))
		rc = store_session_revoke_user(c, t->id, 0, t->now);
out:
	arena_free(a);
	return rc;
}

enum vk_rc user_update(struct store *s, const struct principal *actor, int64_t id,
                       const struct user_input *in, struct arena *a, struct user *out,
                       struct vk_err *err)
{
	char hash[AUTH_HASH_LEN];
	enum vk_rc rc;
	if (in->password) {
		if ((rc = auth_check_password_rules(in->password, "password", err)) != VK_OK)
			return rc;
		if (auth_hash_password(in->password, hash) != VK_OK)
			return vk_fail(err, VK_EIO, NULL, "could not hash the password");
	}
	struct update_tx t = { .actor = actor, .in = in, .hash = in->password ? hash : NULL, .id = id,
	                       .now = clock_now_ms(), .err = err };
	rc = store_write(s, update_write, &t);
	if (rc != VK_OK)
		return rc;
	return store_user_get(store_reader(s), id, a, out);
}

struct password_tx { int64_t user_id, session_id, now; const char *hash; };

static enum vk_rc password_write(struct conn *c, void *ctx)
{
	struct password_tx *t = ctx;
	enum vk_rc rc = store_user_update(c, t->user_id, NULL, 0, -1, t->hash, t->now);
	if (rc == VK_OK)
		rc = store_session_revoke_user(c, t->user_id, t->session_id, t->now);
	if (rc == VK_OK)
		rc = add_event(c, "user", t->user_id, t->user_id, "password", NULL, NULL, NULL, t->now);
	return rc;
}

enum vk_rc user_change_password(struct store *s, const struct principal *actor, const char *current,
                                const char *new_password, struct vk_err *err)
{
	if (!actor->user_id || actor->token_id)
		return vk_fail(err, VK_EFORBIDDEN, NULL, "only a signed-in user can change their password");
	struct arena *a = arena_new(1024);
	struct user u;
	const char *hash = NULL;
	enum vk_rc rc = store_user_by_login(store_reader(s), actor->login, a, &u, &hash);
	if (rc != VK_OK)
		goto out;
	if (!auth_verify_password(hash, current)) {
		rc = vk_fail(err, VK_EINVAL, "current_password", "the current password is wrong");
		goto out;
	}
	if ((rc = auth_check_password_rules(new_password, "new_password", err)) != VK_OK)
		goto out;
	char new_hash[AUTH_HASH_LEN];
	if (auth_hash_password(new_password, new_hash) != VK_OK) {
		rc = vk_fail(err, VK_EIO, NULL, "could not hash the password");
		goto out;
	}
	struct password_tx t = { u.id, actor->session_id, clock_now_ms(), new_hash };
	rc = store_write(s, password_write, &t);
out:
	arena_free(a);
	return rc;
}

/* ---- tokens ---- */

struct token_tx {
	const char *name, *role;
	unsigned char hash[32];
	int64_t actor, now, id;
	struct vk_err *err;
};

static enum vk_rc token_write(struct conn *c, void *ctx)
{
	struct token_tx *t = ctx;
	struct arena *a = arena_new(512);
	struct role r;
	enum vk_rc rc = store_role_by_key(c, t->role, a, &r);
	if (rc != VK_OK) {
		rc = vk_fail(t->err, VK_EINVAL, "role", "no such role");
		goto out;
	}
	rc = store_token_insert(c, t->name, t->hash, r.id, t->actor, t->now, &t->id);
	if (rc == VK_OK)
		rc = add_event(c, "token", t->id, t->actor, "create", NULL, NULL, json_text_str(a, t->name),
		               t->now);
out:
	arena_free(a);
	return rc;
}

enum vk_rc token_create(struct store *s, const struct principal *actor, const char *name,
                        const char *role, struct arena *a, struct token_created *out,
                        struct vk_err *err)
{
	if (!name)
		return vk_fail(err, VK_EMISSING, "name", "name is required");
	if (!role)
		return vk_fail(err, VK_EMISSING, "role", "role is required");
	char hex[65];
	auth_random_hex(hex, 32);
	snprintf(out->secret, sizeof out->secret, "vk_%s", hex);
	struct token_tx t = { .name = name, .role = role, .actor = actor_id(actor),
	                      .now = clock_now_ms(), .err = err };
	auth_token_hash(out->secret, t.hash);
	enum vk_rc rc = store_write(s, token_write, &t);
	if (rc != VK_OK)
		return rc;
	return store_token_get(store_reader(s), t.id, a, &out->token);
}

struct revoke_tx { int64_t id, actor, now; };

static enum vk_rc revoke_write(struct conn *c, void *ctx)
{
	struct revoke_tx *t = ctx;
	enum vk_rc rc = store_token_revoke(c, t->id, t->now);
	if (rc == VK_OK)
		rc = add_event(c, "token", t->id, t->actor, "revoke", NULL, NULL, NULL, t->now);
	return rc;
}

enum vk_rc token_revoke(struct store *s, const struct principal *actor, int64_t id, struct vk_err *err)
{
	struct revoke_tx t = { id, actor_id(actor), clock_now_ms() };
	enum vk_rc rc = store_write(s, revoke_write, &t);
	if (rc == VK_ENOTFOUND)
		vk_fail(err, rc, NULL, "no such active token");
	return rc;
}

/* ---- roles ---- */

struct role_delete_tx {
	const char *key;
	int64_t actor, now;
	struct arena *a;
	struct vk_err *err;
};

static enum vk_rc role_delete_write(struct conn *c, void *ctx)
{
	struct role_delete_tx *t = ctx;
	struct role r;
	if (store_role_by_key(c, t->key, t->a, &r) != VK_OK)
		return vk_fail(t->err, VK_ENOTFOUND, NULL, "no such role");
	for (int i = 0; i < r.n_caps; i++)
		if (!strcmp(r.caps[i], "*"))
			return vk_fail(t->err, VK_EUNPROC, "key", "a role with every right (the administrator's) cannot be deleted");
	int64_t n_users, n_tokens;
	store_role_usage(c, r.id, &n_users, &n_tokens);
	/* people and integrations keep their access until an admin chooses another role for them */
	if (n_users || n_tokens) {
		const char *who = arena_printf(t->a, "%lld user%s (deactivated ones included)", (long long)n_users,
		                               n_users == 1 ? "" : "s");
		const char *tokens = arena_printf(t->a, "%lld API token%s", (long long)n_tokens, n_tokens == 1 ? "" : "s");
		vk_fail(t->err, VK_ECONFLICT, "key", "%s%s%s %s this role; give them another role or revoke the tokens first",
		        n_users ? who : "", n_users && n_tokens ? " and " : "", n_tokens ? tokens : "",
		        n_users + n_tokens == 1 ? "has" : "have");
		t->err->code = "role_in_use";
		return VK_ECONFLICT;
	}
	const char *only = store_pipeline_only_role(c, r.id, t->a);
	if (only) {
		vk_fail(t->err, VK_EUNPROC, "key", "pipeline \"%s\" is visible to this role alone; without it everyone would"
		        " see it, so change who sees the pipeline first", only);
		t->err->code = "pipeline_visibility";
		return VK_EUNPROC;
	}
	json_t *was = json_pack("{s:s, s:[]}", "name", r.name, "capabilities");
	for (int i = 0; i < r.n_caps; i++)
		json_array_append_new(json_object_get(was, "capabilities"), json_string(r.caps[i]));
	char *text = json_dumps(was, JSON_COMPACT);
	json_decref(was);
	enum vk_rc rc = store_role_delete(c, r.id);
	if (rc == VK_OK)
		rc = add_event(c, "role", r.id, t->actor, "delete", t->key, arena_strdup(t->a, text), NULL, t->now);
	free(text);
	return rc;
}

enum vk_rc role_delete(struct store *s, const struct principal *actor, const char *key, struct vk_err *err)
{
	struct arena *a = arena_new(4096);
	struct role_delete_tx t = { key, actor_id(actor), clock_now_ms(), a, err };
	enum vk_rc rc = store_write(s, role_delete_write, &t);
	arena_free(a);
	return rc;
}

struct role_tx {
	const char *key, *name;
	const char *const *caps;
	int n_caps;
	int64_t now;
};

static enum vk_rc role_write(struct conn *c, void *ctx)
{
	struct role_tx *t = ctx;
	int64_t id;
	enum vk_rc rc = store_role_put(c, t->key, t->name, t->caps, t->n_caps, t->now, &id);
	if (rc != VK_OK)
		return rc;
	/* one event with the capability list, so an audit shows what the role could do */
	json_t *list = json_array();
	for (int i = 0; i < t->n_caps; i++)
		json_array_append_new(list, json_string(t->caps[i]));
	char *text = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	rc = add_event(c, "role", id, 0, "update", "capabilities", NULL, text, t->now);
	free(text);
	return rc;
}

enum vk_rc role_put(struct store *s, const char *key, const char *name, const char *const *caps,
                    int n_caps, struct vk_err *err)
{
	size_t n = strlen(key);
	if (n < 2 || n > 32)
		return vk_fail(err, VK_EINVAL, "key", "role key must be 2 to 32 characters long");
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return vk_fail(err, VK_EINVAL, "key", "role key may contain only a-z and '_'");
	for (int i = 0; i < n_caps; i++)
		if (!auth_capability_known(caps[i]))
			return vk_fail(err, VK_EINVAL, "capabilities", "unknown capability \"%.64s\"", caps[i]);
	struct role_tx t = { key, name, caps, n_caps, clock_now_ms() };
	return store_write(s, role_write, &t);
}
