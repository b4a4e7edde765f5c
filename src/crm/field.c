#include "crm/field.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/phone.h"
#include "core/text.h"
#include "store/event.h"
#include "store/record.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const types[] = { "text", "longtext", "number", "money", "date", "datetime", "select",
                                     "multiselect", "bool", "phone", "email", "address", "user", NULL };

bool field_type_valid(const char *type)
{
	for (const char *const *t = types; *t; t++)
		if (!strcmp(*t, type))
			return true;
	return false;
}

bool field_type_indexed(const char *type)
{
	return strcmp(type, "longtext") != 0 && strcmp(type, "multiselect") != 0;
}

/* Keys the list query language or the record JSON already use. */
static bool key_valid(const char *key)
{
	size_t n = strlen(key);
	if (n < 2 || n > 40 || key[0] < 'a' || key[0] > 'z')
		return false;
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static bool valid_date(const char *s)
{
	int y, m, d;
	char tail;
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* ---- definitions ---- */

static enum vk_rc read_options(json_t *in, const struct field_row *f, struct arena *a, const char **out,
                               struct vk_err *err)
{
	json_t *opts = json_object_get(in, "options");
	*out = f->options ? f->options : "[]";
	if (!opts)
		return VK_OK;
	if (!json_is_array(opts) || json_array_size(opts) > 200)
		return vk_fail(err, VK_EINVAL, "options", "options must be a list of up to 200 values");
	size_t i;
	json_t *o;
	json_array_foreach(opts, i, o) {
		if (!json_is_string(o) || json_string_length(o) == 0 || utf8_chars(json_string_value(o)) > 200)
			return vk_fail(err, VK_EINVAL, "options", "options[%zu] must be a text of 1 to 200 characters", i);
	}
	char *t = json_dumps(opts, JSON_COMPACT);
	*out = arena_strdup(a, t);
	free(t);
	return VK_OK;
}

struct field_tx {
	const struct principal *p;
	struct field_row f;
	bool create, del;
	bool patch_label, patch_options, patch_list, patch_required, patch_sort;
	int64_t now;
	struct arena *a;
	struct vk_err *err;
};

static enum vk_rc field_event(struct conn *c, struct field_tx *t, const char *kind)
{
	struct event ev = { .entity = "field", .entity_id = t->f.id, .actor_id = t->p->user_id, .kind = kind,
	                    .field = t->f.key, .new_value = kind[0] == 'd' ? NULL : json_text_str(t->a, t->f.label),
	                    .at = t->now };
	return event_add(c, &ev);
}

static enum vk_rc field_write(struct conn *c, void *ctx)
{
	struct field_tx *t = ctx;
	enum vk_rc rc;
	if (t->f.list_key) {
		struct value_list l;
		if (store_list_by_key(c, t->f.list_key, t->a, &l) != VK_OK)
			return vk_fail(t->err, VK_EINVAL, "list", "no list \"%s\"", t->f.list_key);
	}
	if (t->create) {
		rc = store_field_insert(c, &t->f, t->now, &t->f.id);
		if (rc == VK_ECONFLICT)
			return vk_fail(t->err, rc, "key", "this entity already has a field \"%s\"", t->f.key);
		if (rc == VK_OK && field_type_indexed(t->f.type))
			rc = store_field_index(c, entity_by_name(t->f.entity)->plural, t->f.key, true);
		return rc == VK_OK ? field_event(c, t, "create") : rc;
	}
	struct field_row cur;
	if (store_field_get(c, t->f.id, t->a, &cur) != VK_OK)
		return vk_fail(t->err, VK_ENOTFOUND, NULL, "no such field");
	if (t->del) {
		t->f = cur;
		rc = store_field_delete(c, cur.id);
		/* the values go with the field: a field made later with the same key starts empty */
		if (rc == VK_OK)
			rc = store_field_clear(c, entity_by_name(cur.entity)->plural, cur.key);
		if (rc == VK_OK)
			rc = store_field_index(c, entity_by_name(cur.entity)->plural, cur.key, false);
		return rc == VK_OK ? field_event(c, t, "delete") : rc;
	}
	/* a PATCH changes what it sends and nothing else */
	struct field_row next = cur;
	if (t->patch_label)
		next.label = t->f.label;
	if (t->patch_options)
		next.options = t->f.options;
	if (t->patch_list)
		next.list_key = t->f.list_key;
	if (t->patch_required)
		next.required = t->f.required;
	if (t->patch_sort)
		next.sort = t->f.sort;
	if ((!strcmp(next.type, "select") || !strcmp(next.type, "multiselect")) && !next.list_key &&
	    (!next.options || !strcmp(next.options, "[]")))
		return vk_fail(t->err, VK_EINVAL, "options", "a select field needs options or a list");
	t->f = next;
	rc = store_field_update(c, &t->f);
	return rc == VK_OK ? field_event(c, t, "update") : rc;
}

static enum vk_rc read_field_input(json_t *in, bool create, struct field_row *f, struct arena *a, struct vk_err *err)
{
	static const char *const create_keys[] = { "entity", "key", "label", "type", "options", "list", "required", "sort", NULL };
	static const char *const update_keys[] = { "label", "options", "list", "required", "sort", NULL };
	bool present, required = false;
	int64_t sort = 0;
	enum vk_rc rc = json_only_keys(in, create ? create_keys : update_keys, err);
	if (rc == VK_OK && create) {
		rc = json_get_str(in, "entity", true, 1, 20, &f->entity, err);
		if (rc == VK_OK && !entity_by_name(f->entity))
			rc = vk_fail(err, VK_EINVAL, "entity", "entity must be contact, company or deal");
		if (rc == VK_OK)
			rc = json_get_str(in, "key", true, 1, 40, &f->key, err);
		if (rc == VK_OK && !key_valid(f->key))
			rc = vk_fail(err, VK_EINVAL, "key", "key must be 2 to 40 characters a-z, 0-9, _ starting with a letter");
		if (rc == VK_OK)
			rc = json_get_str(in, "type", true, 1, 20, &f->type, err);
		if (rc == VK_OK && !field_type_valid(f->type))
			rc = vk_fail(err, VK_EINVAL, "type", "unknown field type \"%.20s\"", f->type);
	}
	if (rc == VK_OK)
		rc = json_get_str(in, "label", create, 1, 200, &f->label, err);
	/* on PATCH, "list": null turns a list-backed select back to its own options */
	if (rc == VK_OK && !(!create && json_is_null(json_object_get(in, "list"))))
		rc = json_get_str(in, "list", false, 1, 64, &f->list_key, err);
	if (rc == VK_OK)
		rc = read_options(in, f, a, &f->options, err);
	if (rc == VK_OK)
		rc = json_get_bool(in, "required", false, &required, &present, err);
	f->required = required;
	if (rc == VK_OK)
		rc = json_get_int(in, "sort", false, 0, 10000, &sort, &present, err);
	f->sort = (int)sort;
	return rc;
}

enum vk_rc field_create(struct store *s, const struct principal *p, json_t *in, struct arena *a,
                        struct field_row *out, struct vk_err *err)
{
	struct field_tx t = { .p = p, .create = true, .now = clock_now_ms(), .a = a, .err = err };
	enum vk_rc rc = read_field_input(in, true, &t.f, a, err);
	if (rc == VK_OK && (!strcmp(t.f.type, "select") || !strcmp(t.f.type, "multiselect")) && !t.f.list_key &&
	    !strcmp(t.f.options, "[]"))
		rc = vk_fail(err, VK_EINVAL, "options", "a select field needs options or a list");
	if (rc == VK_OK)
		rc = store_write(s, field_write, &t);
	if (rc == VK_OK)
		rc = store_field_get(store_reader(s), t.f.id, a, out);
	return rc;
}

enum vk_rc field_update(struct store *s, const struct principal *p, int64_t id, json_t *in, struct arena *a,
                        struct field_row *out, struct vk_err *err)
{
	struct field_tx t = { .p = p, .now = clock_now_ms(), .a = a, .err = err };
	t.f.id = id;
	t.f.options = NULL;
	enum vk_rc rc = read_field_input(in, false, &t.f, a, err);
	t.patch_label = json_object_get(in, "label") != NULL;
	t.patch_options = json_object_get(in, "options") != NULL;
	t.patch_list = json_object_get(in, "list") != NULL;
	t.patch_required = json_object_get(in, "required") != NULL;
	t.patch_sort = json_object_get(in, "sort") != NULL;
	t.f.id = id;
	if (rc == VK_OK)
		rc = store_write(s, field_write, &t);
	if (rc == VK_OK)
		rc = store_field_get(store_reader(s), id, a, out);
	return rc;
}

enum vk_rc field_delete(struct store *s, const struct principal *p, int64_t id, struct vk_err *err)
{
	struct arena *a = arena_new(1024);
	struct field_tx t = { .p = p, .del = true, .now = clock_now_ms(), .a = a, .err = err };
	t.f.id = id;
	enum vk_rc rc = store_write(s, field_write, &t);
	arena_free(a);
	return rc;
}

/* ---- values ---- */

static bool option_ok(struct conn *c, const struct field_row *f, const char *v)
{
	if (f->list_key)
		return store_list_has(c, f->list_key, v);
	json_t *opts = json_loads(f->options, 0, NULL);
	size_t i;
	json_t *o;
	bool ok = false;
	json_array_foreach(opts, i, o) ok = ok || (json_is_string(o) && !strcmp(json_string_value(o), v));
	json_decref(opts);
	return ok;
}

static json_t *custom_text(struct conn *c, const struct field_row *f, const char *s, const char *country,
                           const char *path, struct vk_err *err);
static json_t *custom_other(struct conn *c, const struct field_row *f, json_t *v, const char *path, struct vk_err *err);

/* A validated, normalised copy of v for field f (new reference), or NULL with err set. */
static json_t *custom_value(struct conn *c, const struct field_row *f, json_t *v, const char *country,
                            const char *path, struct vk_err *err)
{
	const char *t = f->type;
	if (!strcmp(t, "text") || !strcmp(t, "longtext") || !strcmp(t, "address") || !strcmp(t, "date") ||
	    !strcmp(t, "select") || !strcmp(t, "phone") || !strcmp(t, "email")) {
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
			vk_fail(err, VK_EINVAL, path, "%s must be a text", path);
			return NULL;
		}
		/* surrounding spaces are not part of a value ("  Казань  " is Казань) */
		const char *raw = json_string_value(v);
		while (*raw == ' ' || *raw == '\t')
			raw++;
		size_t rl = strlen(raw);
		while (rl && (raw[rl - 1] == ' ' || raw[rl - 1] == '\t'))
			rl--;
		char *s = xstrndup(raw, rl);
		json_t *norm = custom_text(c, f, s, country, path, err);
		free(s);
		return norm;
	}
	return custom_other(c, f, v, path, err);
}

/* A text-like custom value, already trimmed (s is never empty: empty means "clear"). */
static json_t *custom_text(struct conn *c, const struct field_row *f, const char *s, const char *country,
                           const char *path, struct vk_err *err)
{
	const char *t = f->type;
	size_t max = !strcmp(t, "longtext") ? 10000 : 500;
	if (utf8_chars(s) > max) {
		vk_fail(err, VK_EINVAL, path, "%s must be at most %zu characters", path, max);
		return NULL;
	}
	if (!strcmp(t, "date") && !valid_date(s)) {
		vk_fail(err, VK_EINVAL, path, "%s must be a date as YYYY-MM-DD", path);
		return NULL;
	}
	if (!strcmp(t, "select") && !option_ok(c, f, s)) {
		vk_fail(err, VK_EINVAL, path, "%s: \"%.60s\" is not one of the allowed values", path, s);
		return NULL;
	}
	if (!strcmp(t, "phone")) {
		char e164[PHONE_MAX];
		if (phone_normalize(s, country, e164) != VK_OK) {
			vk_fail(err, VK_EINVAL, path, "%s is not a phone number", path);
			return NULL;
		}
		return json_string(e164);
	}
	if (!strcmp(t, "email")) {
		char em[256];
		if (!text_email(s, em, sizeof em)) {
			vk_fail(err, VK_EINVAL, path, "%s is not an e-mail address", path);
			return NULL;
		}
		return json_string(em);
	}
	return json_string(s);
}

/* A custom value that is not text: numbers, money, dates as ms, users, booleans, multiselects. */
static json_t *custom_other(struct conn *c, const struct field_row *f, json_t *v, const char *path, struct vk_err *err)
{
	const char *t = f->type;
	if (!strcmp(t, "number")) {
		if (!json_is_number(v) || !isfinite(json_number_value(v)) || fabs(json_number_value(v)) > 1e15) {
			vk_fail(err, VK_EINVAL, path, "%s must be a number", path);
			return NULL;
		}
		return json_deep_copy(v);
	}
	if (!strcmp(t, "money") || !strcmp(t, "datetime") || !strcmp(t, "user")) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000000000000LL) {
			vk_fail(err, VK_EINVAL, path, "%s must be a non-negative integer", path);
			return NULL;
		}
		if (!strcmp(t, "user") && !store_user_active(c, json_integer_value(v))) {
			vk_fail(err, VK_EINVAL, path, "%s: no active user with id %lld", path, (long long)json_integer_value(v));
			return NULL;
		}
		return json_deep_copy(v);
	}
	if (!strcmp(t, "bool")) {
		if (!json_is_boolean(v)) {
			vk_fail(err, VK_EINVAL, path, "%s must be true or false", path);
			return NULL;
		}
		return json_deep_copy(v);
	}
	if (!strcmp(t, "multiselect")) {
		if (!json_is_array(v) || json_array_size(v) > 50) {
			vk_fail(err, VK_EINVAL, path, "%s must be a list of up to 50 values", path);
			return NULL;
		}
		json_t *out = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if (!json_is_string(x) || !option_ok(c, f, json_string_value(x))) {
				vk_fail(err, VK_EINVAL, path, "%s[%zu] is not one of the allowed values", path, i);
				json_decref(out);
				return NULL;
			}
			bool dup = false;
			size_t k;
			json_t *y;
			json_array_foreach(out, k, y) dup = dup || !strcmp(json_string_value(y), json_string_value(x));
			if (!dup)
				json_array_append_new(out, json_string(json_string_value(x)));
		}
		return out;
	}
	vk_fail(err, VK_EINVAL, path, "%s has an unknown type", path);
	return NULL;
}

enum vk_rc custom_apply(struct conn *c, const struct entity *e, json_t *in, const char *current, bool creating,
                        const char *country, struct arena *a, const char **out, struct vk_err *err)
{
	struct field_row *defs;
	int n;
	store_field_list(c, e->name, a, &defs, &n);
	json_t *obj = current ? json_loads(current, 0, NULL) : NULL;
	if (!json_is_object(obj)) {
		json_decref(obj);
		obj = json_object();
	}
	enum vk_rc rc = VK_OK;
	if (in && !json_is_object(in))
		rc = vk_fail(err, VK_EINVAL, "custom", "custom must be an object of field values");
	const char *key;
	json_t *v;
	if (rc == VK_OK && in)
		json_object_foreach(in, key, v) {
			const struct field_row *f = NULL;
			for (int i = 0; i < n; i++)
				if (!strcmp(defs[i].key, key))
					f = &defs[i];
			char *path = arena_printf(a, "custom.%.40s", key);
			if (!f) {
				rc = vk_fail(err, VK_EINVAL, path, "this %s has no field \"%.40s\"", e->name, key);
				break;
			}
			bool blank = json_is_string(v) && strspn(json_string_value(v), " \t") == json_string_length(v);
			if (json_is_null(v) || blank || (json_is_array(v) && json_array_size(v) == 0)) {
				json_object_del(obj, key); /* cleared */
				continue;
			}
			json_t *norm = custom_value(c, f, v, country, path, err);
			if (!norm) {
				rc = VK_EINVAL;
				break;
			}
			json_object_set_new(obj, key, norm);
		}
	for (int i = 0; rc == VK_OK && i < n; i++)
		if (defs[i].required && !json_object_get(obj, defs[i].key) && (creating || (in && json_object_get(in, defs[i].key)))) {
			char *path = arena_printf(a, "custom.%s", defs[i].key);
			rc = vk_fail(err, VK_EINVAL, path, "%s is required", defs[i].label);
		}
	*out = NULL;
	if (rc == VK_OK && json_object_size(obj)) {
		char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
		*out = arena_strdup(a, text);
		free(text);
	}
	json_decref(obj);
	return rc;
}

bool custom_has(const char *json_text, const char *key)
{
	if (!json_text)
		return false;
	json_t *obj = json_loads(json_text, 0, NULL);
	json_t *v = json_object_get(obj, key);
	bool has = v && !json_is_null(v) && !(json_is_array(v) && json_array_size(v) == 0);
	json_decref(obj);
	return has;
}

const char *custom_search_text(struct conn *c, const struct entity *e, const char *json_text, struct arena *a)
{
	if (!json_text)
		return "";
	struct field_row *defs;
	int n;
	store_field_list(c, e->name, a, &defs, &n);
	json_t *obj = json_loads(json_text, 0, NULL);
	char *out = arena_alloc(a, strlen(json_text) + 2);
	size_t o = 0;
	for (int i = 0; i < n; i++) {
		const char *t = defs[i].type;
		json_t *v = json_object_get(obj, defs[i].key);
		if (!json_is_string(v) || !(!strcmp(t, "text") || !strcmp(t, "address") || !strcmp(t, "select") ||
		                            !strcmp(t, "phone") || !strcmp(t, "email")))
			continue;
		size_t len = strlen(json_string_value(v));
		memcpy(out + o, json_string_value(v), len);
		o += len;
		out[o++] = ' ';
	}
	out[o] = '\0';
	json_decref(obj);
	return out;
}

/* ---- value lists ---- */

struct list_tx {
	const struct principal *p;
	const char *key, *name;
	struct list_item *items;
	int n_items;
	bool has_items, del;
	int64_t now;
	struct arena *a;
	struct vk_err *err;
};

static enum vk_rc list_write(struct conn *c, void *ctx)
{
	struct list_tx *t = ctx;
	struct value_list cur;
	bool exists = store_list_by_key(c, t->key, t->a, &cur) == VK_OK;
	struct event ev = { .entity = "list", .actor_id = t->p->user_id, .field = t->key, .at = t->now };
	if (t->del) {
		if (!exists)
			return vk_fail(t->err, VK_ENOTFOUND, NULL, "no list \"%s\"", t->key);
		struct field_row *defs;
		int n;
		store_field_list(c, NULL, t->a, &defs, &n);
		for (int i = 0; i < n; i++)
			if (defs[i].list_key && !strcmp(defs[i].list_key, t->key))
				return vk_fail(t->err, VK_ECONFLICT, NULL, "field %s.%s takes its values from this list; change it first",
				               defs[i].entity, defs[i].key);
		ev.entity_id = cur.id;
		ev.kind = "delete";
		enum vk_rc rc = store_list_delete(c, cur.id);
		return rc == VK_OK ? event_add(c, &ev) : rc;
	}
	if (!exists && !t->name)
		return vk_fail(t->err, VK_EMISSING, "name", "name is required for a new list");
	int64_t id;
	enum vk_rc rc = store_list_put(c, t->key, t->name ? t->name : cur.name, t->now, &id);
	if (rc == VK_OK && t->has_items)
		rc = store_list_items_replace(c, id, t->items, t->n_items);
	if (rc != VK_OK)
		return rc;
	/* the timeline keeps the whole list as it became, so an audit can compare versions */
	json_t *vals = json_array();
	for (int i = 0; i < t->n_items; i++)
		json_array_append_new(vals, json_string(t->items[i].value));
	char *text = json_dumps(vals, JSON_COMPACT);
	json_decref(vals);
	ev.entity_id = id;
	ev.kind = exists ? "update" : "create";
	ev.new_value = t->has_items ? arena_strdup(t->a, text) : NULL;
	free(text);
	return event_add(c, &ev);
}

enum vk_rc list_put(struct store *s, const struct principal *p, const char *key, json_t *in, struct arena *a,
                    struct value_list *out, struct vk_err *err)
{
	static const char *const keys[] = { "name", "items", NULL };
	struct list_tx t = { .p = p, .key = key, .now = clock_now_ms(), .a = a, .err = err };
	if (!key_valid(key))
		return vk_fail(err, VK_EINVAL, "key", "a list key is 2 to 40 characters a-z, 0-9, _ starting with a letter");
	enum vk_rc rc = json_only_keys(in, keys, err);
	if (rc == VK_OK)
		rc = json_get_str(in, "name", false, 1, 200, &t.name, err);
	json_t *items = json_object_get(in, "items");
	if (rc == VK_OK && items) {
		if (!json_is_array(items) || json_array_size(items) > 5000)
			return vk_fail(err, VK_EINVAL, "items", "items must be a list of up to 5000 values");
		t.has_items = true;
		t.items = arena_alloc(a, sizeof *t.items * (json_array_size(items) + 1));
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it) {
			const char *v = json_is_string(it) ? json_string_value(it) : json_string_value(json_object_get(it, "value"));
			json_t *lj = json_is_object(it) ? json_object_get(it, "label") : NULL;
			const char *l = json_is_string(it) ? v : json_string_value(lj);
			if (!v || !*v || utf8_chars(v) > 200 || (l && utf8_chars(l) > 200) || (lj && !json_is_string(lj)))
				return vk_fail(err, VK_EINVAL, "items", "items[%zu] must be a text or {value, label} of up to 200 characters", i);
			bool dup = false;
			for (int k = 0; k < t.n_items; k++)
				dup = dup || !strcmp(t.items[k].value, v);
			if (!dup)
				t.items[t.n_items++] = (struct list_item){ v, l ? l : v };
		}
	}
	if (rc == VK_OK)
		rc = store_write(s, list_write, &t);
	if (rc == VK_OK)
		rc = store_list_by_key(store_reader(s), key, a, out);
	return rc;
}

enum vk_rc list_delete(struct store *s, const struct principal *p, const char *key, struct vk_err *err)
{
	struct arena *a = arena_new(2048);
	struct list_tx t = { .p = p, .key = key, .del = true, .now = clock_now_ms(), .a = a, .err = err };
	enum vk_rc rc = store_write(s, list_write, &t);
	arena_free(a);
	return rc;
}
