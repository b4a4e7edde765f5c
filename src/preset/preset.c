#include "preset/preset.h"
#include "auth/users.h"
#include "core/clock.h"
#include "crm/config.h"
#include "crm/product.h"
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
	return key && store_role_by_key(c, key, a, &r) == VK_OK ? r.id : 0;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static enum vk_rc config_write(struct conn *c, void *ctx)
{
	struct config_tx *t = ctx;
	struct arena *a = arena_new(4096);
	enum vk_rc rc = VK_OK;
	size_t i;
	json_t *r, *p;
	json_array_foreach(json_object_get(t->doc, "roles"), i, r) {
		json_t *scopes = json_object_get(r, "scopes"), *hidden = json_object_get(r, "hidden_fields");
		if (rc == VK_OK && (scopes || hidden))
			rc = config_role_access(c, role_id(c, str(r, "key"), a), scopes, hidden, a, t->err);
	}
	json_t *pipelines = json_object_get(t->doc, "pipelines");
	if (pipelines && !json_is_array(pipelines))
		rc = vk_fail(t->err, VK_EINVAL, "pipelines", "pipelines must be an array");
	json_array_foreach(pipelines, i, p) {
		if (rc == VK_OK)
			rc = config_pipeline(c, p, (int)i, 0, t->now, a, t->err);
	}
	arena_free(a);
	return rc;
}

/* The catalogue: each item is what POST /api/products takes. Fills codes (code → product id)
 * for the deals' lines. */
static enum vk_rc load_products(struct store *s, const struct principal *admin, json_t *products, json_t *codes,
                                struct arena *a, struct vk_err *err)
{
	size_t i;
	json_t *item;
	if (products && !json_is_array(products))
		return vk_fail(err, VK_EINVAL, "data", "data.products must be an array");
	json_array_foreach(products, i, item) {
		struct product out;
		enum vk_rc rc = json_is_object(item) ? product_create(s, admin, item, a, &out, err)
		                                     : vk_fail(err, VK_EINVAL, "data", "must be an object");
		if (rc != VK_OK) {
			char where[64];
			snprintf(where, sizeof where, "products[%zu]: ", i);
			vk_err_prefix(err, where);
			return rc;
		}
		json_object_set_new(codes, out.code, json_integer(out.id));
	}
	return VK_OK;
}

/* A deal's "items" are the lines PUT /api/deals/ID/items takes, except that "code" names a
 * catalogue product. The lines set the amount; an "amount" given beside them must agree, so a
 * generator's arithmetic slip fails the load instead of shipping a deal whose total is not
 * the sum of its lines. */
static enum vk_rc load_items(struct store *s, const struct principal *admin, const struct record *rec, json_t *items,
                             json_t *amount, json_t *codes, struct arena *a, struct vk_err *err)
{
	if (!json_is_array(items))
		return vk_fail(err, VK_EINVAL, "items", "items must be an array");
	json_t *lines = json_array();
	size_t i;
	json_t *it;
	enum vk_rc rc = VK_OK;
	json_array_foreach(items, i, it) {
		json_t *line = json_is_object(it) ? json_deep_copy(it) : json_object();
		const char *code = str(line, "code");
		if (code) {
			json_t *id = json_object_get(codes, code);
			if (!id) {
				rc = vk_fail(err, VK_EINVAL, "items", "items[%zu]: no product with code %s", i, code);
				json_decref(line);
				break;
			}
			json_object_set(line, "product_id", id);
			json_object_del(line, "code");
		}
		json_array_append_new(lines, line);
	}
	if (rc == VK_OK)
		rc = deal_items_set(s, admin, rec->id, rec->version, lines, a, err);
	json_decref(lines);
	struct record now;
	if (rc == VK_OK && amount && record_get(s, admin, &entity_deal, rec->id, a, &now) == VK_OK) {
		int ai = record_field_index(&entity_deal, "amount");
		if (now.v[ai].i != json_integer_value(amount))
			rc = vk_fail(err, VK_EINVAL, "amount", "amount %lld is not the sum of the items (%lld)",
			             (long long)json_integer_value(amount), (long long)now.v[ai].i);
	}
	return rc;
}

/* Sample records: "owner" is a login, "ref" names a record for later "company_ref"/"contact_ref",
 * a deal's "items" are its lines. */
static enum vk_rc load_data(struct store *s, json_t *data, struct vk_err *err)
{
	if (!data)
		return VK_OK;
	static const char *caps[] = { "*" };
	struct principal admin = { .caps = caps, .n_caps = 1, .role_id = -1, .name = "preset" };
	struct arena *a = arena_new(16384);
	json_t *refs = json_object(), *codes = json_object();
	enum vk_rc rc = load_products(s, &admin, json_object_get(data, "products"), codes, a, err);
	const char *order[] = { "companies", "contacts", "deals" };
	for (int o = 0; o < 3 && rc == VK_OK; o++) {
		const struct entity *e = entity_by_plural(order[o]);
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(data, order[o]), i, item) {
			json_t *in = json_deep_copy(item);
			const char *ref = str(in, "ref"), *owner = str(in, "owner");
			char *ref_copy = ref ? strdup(ref) : NULL;
			json_t *items = e == &entity_deal ? json_incref(json_object_get(in, "items")) : NULL;
			json_object_del(in, "ref");
			json_object_del(in, "items");
			if (owner) {
				struct user u;
				if (store_user_by_login(store_reader(s), owner, a, &u, NULL) != VK_OK) {
					rc = vk_fail(err, VK_EINVAL, "data", "%s[%zu]: no user %s", order[o], i, owner);
					json_decref(in);
					json_decref(items);
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
			/* sample data keeps its deliberate duplicates: the lead-creator screen shows them */
			if (e->has_phones)
				json_object_set_new(in, "allow_duplicate", json_true());
			rc = record_create(s, &admin, e, in, a, &rec, NULL, err);
			if (rc == VK_OK && items)
				rc = load_items(s, &admin, &rec, items, json_object_get(in, "amount"), codes, a, err);
			json_decref(in);
			json_decref(items);
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
	json_decref(codes);
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
