#include "preset/preset.h"
#include "auth/users.h"
#include "core/builtin.h"
#include "core/json.h"
#include "org/settings.h"

#include <stdio.h>
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
	static const char *const keys[] = { "name", "title", "description", "settings", "roles", "users", NULL };
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
	rc = load_users(s, json_object_get(doc, "users"), hash, n_users, err);
out:
	json_decref(doc);
	return rc;
}
