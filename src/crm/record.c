#include "crm/record.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/phone.h"
#include "core/text.h"
#include "org/settings.h"
#include "core/buf.h"
#include "crm/field.h"
#include "crm/product.h"
#include "store/event.h"
#include "store/field.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MULTI 10 /* phones or e-mails per record */

/* What a request asked to set, by field index. */
struct input {
	struct value *v;
	bool *given;
	const char *pipeline_key, *stage_key;
	const char *phones[MAX_MULTI], *phones_raw[MAX_MULTI];
	int n_phones;
	bool phones_given;
	const char *emails[MAX_MULTI];
	int n_emails;
	bool emails_given;
	int64_t version;
	bool has_version;
	json_t *custom; /* the request's "custom" object, borrowed */
};

int record_field_index(const struct entity *e, const char *key)
{
	for (int i = 0; i < e->n_fields; i++)
		if (strcmp(e->fields[i].key, key) == 0)
			return i;
	return -1;
}

static bool valid_date(const char *s)
{
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

/* One JSON value into a typed value for field f. */
static enum vk_rc parse_value(const struct fdef *f, json_t *j, struct arena *a, struct value *out,
                              struct vk_err *err)
{
	memset(out, 0, sizeof *out);
	if (json_is_null(j)) {
		if (f->flags & (FF_REQUIRED | FF_NOTNULL))
			return vk_fail(err, VK_EINVAL, f->key, "%s cannot be empty", f->key);
		return VK_OK;
	}
	switch (f->type) {
	case FT_TEXT:
	case FT_LONGTEXT:
	case FT_DATE:
	case FT_DOMAIN:
	case FT_CURRENCY: {
		if (!json_is_string(j))
			return vk_fail(err, VK_EINVAL, f->key, "%s must be a string", f->key);
		const char *s = json_string_value(j);
		if (strlen(s) != json_string_length(j))
			return vk_fail(err, VK_EINVAL, f->key, "%s must not contain NUL characters", f->key);
		while (*s == ' ')
			s++;
		size_t n = strlen(s);
		while (n && s[n - 1] == ' ')
			n--;
		char *t = arena_strndup(a, s, n);
		if (!*t) {
			if (f->flags & (FF_REQUIRED | FF_NOTNULL))
				return vk_fail(err, VK_EINVAL, f->key, "%s cannot be empty", f->key);
			return VK_OK; /* "" clears the field */
		}
		if (f->max && utf8_chars(t) > (size_t)f->max)
			return vk_fail(err, VK_EINVAL, f->key, "%s must be at most %d characters", f->key, f->max);
		if (f->type == FT_DATE && !valid_date(t))
			return vk_fail(err, VK_EINVAL, f->key, "%s must be a date as YYYY-MM-DD", f->key);
		if (f->type == FT_CURRENCY) {
			for (int i = 0; i < 3; i++)
				if (t[i] < 'A' || t[i] > 'Z' || strlen(t) != 3)
					return vk_fail(err, VK_EINVAL, f->key, "%s must be an ISO 4217 code such as RUB", f->key);
		}
		if (f->type == FT_DOMAIN) {
			char *d = arena_alloc(a, 256);
			if (!text_domain(t, d, 256))
				return vk_fail(err, VK_EINVAL, f->key, "%s must be a web domain such as example.ru", f->key);
			t = d;
		}
		out->kind = V_TEXT;
		out->s = t;
		return VK_OK;
	}
	case FT_MONEY:
	case FT_INT:
	case FT_DATETIME:
	case FT_USER:
	case FT_REF: {
		if (!json_is_integer(j))
			return vk_fail(err, VK_EINVAL, f->key, "%s must be an integer", f->key);
		json_int_t v = json_integer_value(j);
		if (f->type == FT_MONEY && (v < 0 || v > 1000000000000000LL))
			return vk_fail(err, VK_EINVAL, f->key, "%s must be from 0 to 10^15 minor units", f->key);
		if ((f->type == FT_USER || f->type == FT_REF) && v <= 0)
			return vk_fail(err, VK_EINVAL, f->key, "%s must be a positive id", f->key);
		out->kind = V_INT;
		out->i = v;
		return VK_OK;
	}
	case FT_JSONOBJ: {
		if (!json_is_object(j) || json_object_size(j) > 20)
			return vk_fail(err, VK_EINVAL, f->key, "%s must be an object of up to 20 entries", f->key);
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v) {
			if (!json_is_string(v) || utf8_chars(json_string_value(v)) > (size_t)f->max || strlen(k) > 40)
				return vk_fail(err, VK_EINVAL, f->key, "%s values must be strings of up to %d characters",
				               f->key, f->max);
		}
		if (json_object_size(j) == 0)
			return VK_OK;
		char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		out->kind = V_TEXT;
		out->s = arena_strdup(a, text);
		free(text);
		return VK_OK;
	}
	case FT_PIPELINE:
	case FT_STAGE:
	case FT_CUSTOM: /* handled by parse_input and custom_apply */
		break;
	}
	return vk_fail(err, VK_EINVAL, f->key, "%s cannot be set directly", f->key);
}

static enum vk_rc parse_input(const struct entity *e, json_t *j, bool update, const char *country,
                              struct arena *a, struct input *in, struct vk_err *err)
{
	memset(in, 0, sizeof *in);
	in->v = arena_alloc(a, sizeof *in->v * (size_t)e->n_fields);
	in->given = arena_alloc(a, sizeof *in->given * (size_t)e->n_fields);
	const char *key;
	json_t *val;
	enum vk_rc rc;
	json_object_foreach(j, key, val) {
		if (update && !strcmp(key, "version")) {
			if (!json_is_integer(val) || json_integer_value(val) < 1)
				return vk_fail(err, VK_EINVAL, "version", "version must be the record's version number");
			in->version = json_integer_value(val);
			in->has_version = true;
			continue;
		}
		if (!strcmp(key, "custom")) {
			if (!json_is_object(val))
				return vk_fail(err, VK_EINVAL, key, "custom must be an object of field values");
			in->custom = val;
			continue;
		}
		if (e->has_pipeline && (!strcmp(key, "pipeline") || !strcmp(key, "stage"))) {
			if (!json_is_string(val) || json_string_length(val) > 64 || json_string_length(val) == 0)
				return vk_fail(err, VK_EINVAL, key, "%s must be a key such as \"new\"", key);
			*(key[0] == 'p' ? &in->pipeline_key : &in->stage_key) = json_string_value(val);
			continue;
		}
		if (e->has_phones && !strcmp(key, "phones")) {
			if (!json_is_array(val) || json_array_size(val) > MAX_MULTI)
				return vk_fail(err, VK_EINVAL, key, "phones must be a list of up to %d numbers", MAX_MULTI);
			size_t i;
			json_t *p;
			in->phones_given = true;
			json_array_foreach(val, i, p) {
				char *e164 = arena_alloc(a, PHONE_MAX);
				if (!json_is_string(p) || json_string_length(p) > 64 ||
				    phone_normalize(json_string_value(p), country, e164) != VK_OK)
					return vk_fail(err, VK_EINVAL, key, "phones[%zu] is not a phone number", i);
				bool dup = false;
				for (int k = 0; k < in->n_phones; k++)
					dup = dup || !strcmp(in->phones[k], e164);
				if (dup)
					continue;
				in->phones_raw[in->n_phones] = arena_strdup(a, json_string_value(p));
				in->phones[in->n_phones++] = e164;
			}
			continue;
		}
		if (e->has_phones && !strcmp(key, "emails")) {
			if (!json_is_array(val) || json_array_size(val) > MAX_MULTI)
				return vk_fail(err, VK_EINVAL, key, "emails must be a list of up to %d addresses", MAX_MULTI);
			size_t i;
			json_t *p;
			in->emails_given = true;
			json_array_foreach(val, i, p) {
				char *em = arena_alloc(a, 256);
				if (!json_is_string(p) || !text_email(json_string_value(p), em, 256))
					return vk_fail(err, VK_EINVAL, key, "emails[%zu] is not an e-mail address", i);
				bool dup = false;
				for (int k = 0; k < in->n_emails; k++)
					dup = dup || !strcmp(in->emails[k], em);
				if (!dup)
					in->emails[in->n_emails++] = em;
			}
			continue;
		}
		int fi = record_field_index(e, key);
		if (fi < 0 || (e->fields[fi].flags & FF_READONLY) || e->fields[fi].type == FT_PIPELINE ||
		    e->fields[fi].type == FT_STAGE)
			return vk_fail(err, VK_EINVAL, key, fi < 0 ? "unknown field \"%.64s\"" : "%.64s is set by the server",
			               key);
		if ((rc = parse_value(&e->fields[fi], val, a, &in->v[fi], err)) != VK_OK)
			return rc;
		in->given[fi] = true;
	}
	if (update && !in->has_version)
		return vk_fail(err, VK_EMISSING, "version", "version is required: send the version you edited");
	return VK_OK;
}

/* ---- values as JSON text for the timeline ---- */

const char *record_value_json(struct arena *a, const struct fdef *f, const struct value *v)
{
	if (v->kind == V_NULL)
		return NULL;
	if (f->type == FT_PIPELINE || f->type == FT_STAGE)
		return v->label ? json_text_str(a, v->label) : arena_printf(a, "%lld", (long long)v->i);
	if (v->kind == V_INT)
		return arena_printf(a, "%lld", (long long)v->i);
	if (f->type == FT_JSONOBJ)
		return v->s;
	return json_text_str(a, v->s);
}

bool record_same_value(const struct value *x, const struct value *y)
{
	if (x->kind != y->kind)
		return false;
	if (x->kind == V_INT)
		return x->i == y->i;
	if (x->kind == V_TEXT)
		return strcmp(x->s, y->s) == 0;
	return true;
}

const char *record_list_json(struct arena *a, const char *const *items, int n)
{
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_string(items[i]));
	char *t = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	const char *out = arena_strdup(a, t);
	free(t);
	return out;
}

/* The text a record is found by: its name, searchable fields, phones in the forms people
 * type them (+7…, 7…, 8…), e-mails. */
const char *record_search_text(struct conn *c, struct arena *a, const struct entity *e, const struct value *v,
                               const char *const *phones, int n_phones, const char *const *emails, int n_emails)
{
	struct buf b;
	buf_init(&b, 16384);
	int ci = record_field_index(e, "custom");
	if (v[ci].kind == V_TEXT) {
		buf_puts(&b, custom_search_text(c, e, v[ci].s, a));
		buf_puts(&b, " ");
	}
	for (int i = 0; i < e->n_fields; i++)
		if ((e->fields[i].flags & FF_SEARCH) && v[i].kind == V_TEXT) {
			buf_puts(&b, v[i].s);
			buf_puts(&b, " ");
		}
	for (int i = 0; i < n_phones; i++) {
		buf_printf(&b, "%s ", phones[i] + 1);
		if (!strncmp(phones[i], "+7", 2))
			buf_printf(&b, "8%s ", phones[i] + 2);
	}
	for (int i = 0; i < n_emails; i++)
		buf_printf(&b, "%s ", emails[i]);
	const char *out = arena_strdup(a, b.data ? b.data : "");
	buf_release(&b);
	return out;
}

/* ---- the write transactions ---- */

struct tx {
	const struct principal *p;
	const struct entity *e;
	struct input *in;
	struct arena *a;
	struct vk_err *err;
	int64_t id, now;
	const char *country;
};

enum vk_rc record_event(struct conn *c, const struct principal *p, const struct entity *e, int64_t id, int64_t now,
                        const char *kind, const char *field, const char *old_json, const char *new_json,
                        const char *reason)
{
	struct event ev = { .entity = e->name, .entity_id = id, .actor_id = p ? p->user_id : 0, .kind = kind,
	                    .field = field, .old_value = old_json, .new_value = new_json, .at = now, .reason = reason };
	return event_add(c, &ev);
}

static enum vk_rc add_event(struct conn *c, const struct tx *t, const char *kind, const char *field,
                            const char *old_json, const char *new_json, const char *reason)
{
	return record_event(c, t->p, t->e, t->id, t->now, kind, field, old_json, new_json, reason);
}

/* The record is outside the action's scope: 403 if the user can at least see it (telling
 * them it does not exist would contradict the card on their screen), else 404. */
static enum vk_rc not_allowed(struct conn *c, const struct tx *t, const char *action)
{
	struct scope rs;
	struct record r;
	auth_scope(c, t->p, t->e->name, "read", &rs);
	if (store_record_get(c, t->e, t->id, &rs, t->a, &r) == VK_OK)
		return vk_fail(t->err, VK_EFORBIDDEN, NULL, "your role may not %s this %s", action, t->e->name);
	return vk_fail(t->err, VK_ENOTFOUND, NULL, "no such %s", t->e->name);
}

/* Owners must be active users; links must point at records the actor may read. */
static enum vk_rc check_links(struct conn *c, const struct tx *t, const struct value *v, const bool *given)
{
	const struct entity *e = t->e;
	for (int i = 0; i < e->n_fields; i++) {
		const struct fdef *f = &e->fields[i];
		if (!given[i] || v[i].kind != V_INT)
			continue;
		if (f->type == FT_USER && !store_user_active(c, v[i].i))
			return vk_fail(t->err, VK_EINVAL, f->key, "no active user with id %lld", (long long)v[i].i);
		if (f->type == FT_REF) {
			const struct entity *re = entity_by_name(f->ref);
			struct scope sc;
			struct record r;
			auth_scope(c, t->p, re->name, "read", &sc);
			if (store_record_get(c, re, v[i].i, &sc, t->a, &r) != VK_OK)
				return vk_fail(t->err, VK_EINVAL, f->key, "no %s with id %lld", re->name, (long long)v[i].i);
		}
	}
	return VK_OK;
}

/* The first of a stage's required fields (JSON list of keys) that v leaves empty, or NULL. */
static const char *required_missing(const struct entity *e, const char *required_json, const struct value *v,
                                    int n_phones, int n_emails, struct arena *a)
{
	if (!required_json || !strcmp(required_json, "[]"))
		return NULL;
	json_t *req = json_loads(required_json, 0, NULL);
	size_t i;
	json_t *k;
	const char *missing = NULL;
	int ci = record_field_index(e, "custom");
	json_array_foreach(req, i, k) {
		const char *key = json_string_value(k);
		if (!key || missing)
			continue;
		int fi = record_field_index(e, key);
		bool present = !strcmp(key, "phones") ? n_phones > 0 : !strcmp(key, "emails") ? n_emails > 0
		             : !strncmp(key, "custom.", 7) ? v[ci].kind == V_TEXT && custom_has(v[ci].s, key + 7)
		             : fi >= 0 && v[fi].kind != V_NULL &&
		               /* money that is still 0 was never entered */
		               !(e->fields[fi].type == FT_MONEY && v[fi].kind == V_INT && v[fi].i == 0);
		if (!present)
			missing = arena_strdup(a, key);
	}
	json_decref(req);
	return missing;
}

/* Entering stage: the target's required fields and checklist. */
static enum vk_rc check_enter(struct conn *c, const struct tx *t, const struct stage *st, const struct value *v,
                              int n_phones, int n_emails, int64_t record_id)
{
	const char *missing = required_missing(t->e, st->required_fields, v, n_phones, n_emails, t->a);
	if (missing) {
		vk_fail(t->err, VK_EUNPROC, missing, "fill in %s before moving to \"%s\"", missing, st->name);
		t->err->code = "required";
		return VK_EUNPROC;
	}
	struct checklist_item *items;
	int n;
	store_checklist(c, st->id, t->e->name, record_id, t->a, &items, &n);
	for (int i = 0; i < n; i++)
		if (!items[i].done) {
			vk_fail(t->err, VK_EUNPROC, "checklist", "complete the checklist of \"%s\" first: %s", st->name,
			        items[i].label);
			t->err->code = "checklist_incomplete";
			return VK_EUNPROC;
		}
	return VK_OK;
}

/* An automatic move of record id by condition (e.g. a company's first contact was linked),
 * made by p, with its timeline event. */
enum vk_rc record_auto_move(struct conn *c, const struct principal *p, const struct entity *e, int64_t id,
                            const char *condition, const char *reason, int64_t now, struct arena *a)
{
	struct scope all = { .kind = SCOPE_ALL, .role_id = -1 };
	struct record r;
	if (store_record_get(c, e, id, &all, a, &r) != VK_OK)
		return VK_OK;
	int si = record_field_index(e, "stage_id"), ci = record_field_index(e, "stage_changed_at");
	if (si < 0 || r.v[si].kind != V_INT)
		return VK_OK;
	int64_t to = store_auto_move(c, r.v[si].i, condition);
	if (!to)
		return VK_OK;
	struct stage target;
	if (store_stage_get(c, to, a, &target) != VK_OK)
		return VK_OK;
	bool *changed = arena_alloc(a, sizeof *changed * (size_t)e->n_fields);
	struct value *v = arena_alloc(a, sizeof *v * (size_t)e->n_fields);
	memcpy(v, r.v, sizeof *v * (size_t)e->n_fields);
	const char *old_key = r.v[si].label;
	v[si] = (struct value){ .kind = V_INT, .i = to };
	v[ci] = (struct value){ .kind = V_INT, .i = now };
	changed[si] = changed[ci] = true;
	enum vk_rc rc = store_record_update(c, e, id, r.version, v, changed, p ? p->user_id : 0, now);
	if (rc != VK_OK)
		return rc;
	return record_event(c, p, e, id, now, "stage", "stage", json_text_str(a, old_key), json_text_str(a, target.key),
	                    reason);
}

static enum vk_rc auto_move(struct conn *c, const struct tx *t, const struct entity *e, int64_t id,
                            const char *condition, const char *reason)
{
	return record_auto_move(c, t->p, e, id, condition, reason, t->now, t->a);
}

/* Resolve a PATCH's "pipeline"/"stage" keys into the value slots; *moved tells whether the
 * stage changes. (A new record's start is resolved by place_in_stage.) */
static enum vk_rc resolve_stage(struct conn *c, const struct tx *t, struct value *v, struct stage *target,
                                bool *moved)
{
	const struct entity *e = t->e;
	int pi = record_field_index(e, "pipeline_id"), si = record_field_index(e, "stage_id");
	struct input *in = t->in;
	*moved = false;
	if (!e->has_pipeline || (!in->pipeline_key && !in->stage_key))
		return VK_OK;
	struct pipeline p;
	int64_t role = auth_all(t->p) ? -1 : t->p->role_id;
	if (in->pipeline_key) {
		if (store_pipeline_by_key(c, in->pipeline_key, t->a, &p) != VK_OK || strcmp(p.entity, e->name) != 0 ||
		    !store_pipeline_visible(c, p.id, role))
			return vk_fail(t->err, VK_EINVAL, "pipeline", "no %s pipeline \"%s\"", e->name, in->pipeline_key);
	} else if (v[pi].kind == V_INT) {
		struct stage cur;
		if (store_stage_get(c, v[si].i, t->a, &cur) != VK_OK)
			return VK_EIO;
		struct pipeline *all;
		int n;
		store_pipeline_list(c, e->name, -1, t->a, &all, &n);
		bool found = false;
		for (int i = 0; i < n && !found; i++)
			if (all[i].id == v[pi].i) {
				p = all[i];
				found = true;
			}
		if (!found)
			return VK_EIO;
	} else {
		struct pipeline *all;
		int n;
		store_pipeline_list(c, e->name, role, t->a, &all, &n);
		if (n == 0 && e != &entity_deal)
			return VK_OK; /* companies need no pipeline where the business has none */
		if (n == 0)
			return vk_fail(t->err, VK_EINVAL, "pipeline", "there is no %s pipeline; create one in settings", e->name);
		p = all[0];
	}
	if (p.n_stages == 0)
		return vk_fail(t->err, VK_EINVAL, "pipeline", "pipeline \"%s\" has no stages", p.key);
	*target = p.stages[0];
	if (in->stage_key) {
		bool found = false;
		for (int i = 0; i < p.n_stages && !found; i++)
			if (!strcmp(p.stages[i].key, in->stage_key)) {
				*target = p.stages[i];
				found = true;
			}
		if (!found)
			return vk_fail(t->err, VK_EINVAL, "stage", "pipeline \"%s\" has no stage \"%s\"", p.key, in->stage_key);
	}
	*moved = v[si].kind != V_INT || v[si].i != target->id;
	v[pi] = (struct value){ .kind = V_INT, .i = p.id, .label = p.key };
	return VK_OK;
}

static void set_stage(const struct tx *t, struct value *v, bool *changed, const struct stage *st)
{
	const struct entity *e = t->e;
	int si = record_field_index(e, "stage_id"), ci = record_field_index(e, "stage_changed_at"), cl = record_field_index(e, "closed_at");
	v[si] = (struct value){ .kind = V_INT, .i = st->id, .label = st->key };
	v[ci] = (struct value){ .kind = V_INT, .i = t->now };
	changed[si] = changed[ci] = true;
	if (cl >= 0) {
		bool closed = !strcmp(st->kind, "won") || !strcmp(st->kind, "lost");
		v[cl] = closed ? (struct value){ .kind = V_INT, .i = t->now } : (struct value){ .kind = V_NULL };
		changed[cl] = true;
	}
}

const char *record_json_text(struct arena *a, json_t *v)
{
	if (!v)
		return NULL;
	char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	const char *out = arena_strdup(a, t);
	free(t);
	return out;
}

/* One timeline event per custom field whose value changed ("custom.weight": 100 → 120). */
enum vk_rc record_custom_events(struct conn *c, const struct principal *p, const struct entity *e, int64_t id,
                                int64_t now, const char *old_text, const char *new_text, const char *reason,
                                struct arena *a)
{
	json_t *o = old_text ? json_loads(old_text, 0, NULL) : json_object();
	json_t *n = new_text ? json_loads(new_text, 0, NULL) : json_object();
	enum vk_rc rc = VK_OK;
	const char *key;
	json_t *v;
	json_object_foreach(n, key, v) {
		json_t *ov = json_object_get(o, key);
		if (rc == VK_OK && !json_equal(ov, v))
			rc = record_event(c, p, e, id, now, "update", arena_printf(a, "custom.%s", key), record_json_text(a, ov),
			                  record_json_text(a, v), reason);
	}
	json_object_foreach(o, key, v) {
		if (rc == VK_OK && !json_object_get(n, key))
			rc = record_event(c, p, e, id, now, "update", arena_printf(a, "custom.%s", key), record_json_text(a, v), NULL,
			                  reason);
	}
	json_decref(o);
	json_decref(n);
	return rc;
}

enum vk_rc record_change_events(struct conn *c, const struct principal *p, const struct entity *e, int64_t id,
                                int64_t now, const struct value *old, const struct value *cur, const bool *changed,
                                const char *reason, struct arena *a)
{
	enum vk_rc rc = VK_OK;
	for (int i = 0; i < e->n_fields && rc == VK_OK; i++) {
		const struct fdef *f = &e->fields[i];
		if (!changed[i] || (f->flags & FF_READONLY) || f->type == FT_PIPELINE)
			continue;
		if (f->type == FT_CUSTOM)
			rc = record_custom_events(c, p, e, id, now, old[i].kind == V_TEXT ? old[i].s : NULL,
			                          cur[i].kind == V_TEXT ? cur[i].s : NULL, reason, a);
		else
			rc = record_event(c, p, e, id, now, f->type == FT_STAGE ? "stage" : "update", f->type == FT_STAGE ? "stage" : f->key,
			                  record_value_json(a, f, &old[i]), record_value_json(a, f, &cur[i]), reason);
	}
	return rc;
}

/* ---- creating a record inside the caller's write job (the API, import) ---- */

/* Where new records of a job start: resolved once per (pipeline, stage) the input names. */
struct create_place {
	const char *pipeline_key, *stage_key; /* as given (NULL: not given) */
	enum vk_rc rc;
	struct vk_err err;
	bool none;                            /* no pipeline at all: the record has no stage */
	int64_t pipeline_id, stage_id;
	const char *pipeline, *stage, *stage_name, *stage_kind, *required;
	const char *checklist;                /* the first checklist item, which a new record has not done */
};

void record_create_begin(struct conn *c, const struct principal *p, const struct entity *e, int64_t now,
                         const char *country, struct arena *a, struct create_job *j)
{
	memset(j, 0, sizeof *j);
	j->p = p;
	j->e = e;
	j->now = now;
	j->country = country;
	j->a = a;
	auth_scope(c, p, e->name, "create", &j->create_sc);
	auth_scope(c, p, "contact", "read", &j->contact_sc);
	auth_scope(c, p, "company", "read", &j->company_sc);
	j->may_duplicate = auth_can(p, CAP_ALLOW_DUPLICATE);
	j->currency = settings_get(c, "currency", a);
	struct field_row *defs;
	int n_defs;
	store_field_list(c, e->name, a, &defs, &n_defs);
	for (int i = 0; i < n_defs; i++)
		j->custom_required = j->custom_required || defs[i].required;
	j->places = arena_alloc(a, sizeof *j->places * CREATE_PLACES);
}

static bool same_key(const char *x, const char *y)
{
	return x == y || (x && y && !strcmp(x, y));
}

/* The API's rules for starting a record: the named pipeline or else the first visible one;
 * a start past the first stage is a move the matrix must allow. */
static void resolve_place(struct conn *c, struct create_job *j, struct create_place *pl)
{
	const struct entity *e = j->e;
	int64_t role = auth_all(j->p) ? -1 : j->p->role_id;
	struct pipeline pipe;
	if (pl->pipeline_key) {
		if (store_pipeline_by_key(c, pl->pipeline_key, j->a, &pipe) != VK_OK || strcmp(pipe.entity, e->name) != 0 ||
		    !store_pipeline_visible(c, pipe.id, role)) {
			pl->rc = vk_fail(&pl->err, VK_EINVAL, "pipeline", "no %s pipeline \"%.64s\"", e->name, pl->pipeline_key);
			return;
		}
	} else {
		struct pipeline *all;
		int n;
		store_pipeline_list(c, e->name, role, j->a, &all, &n);
		if (n == 0 && e != &entity_deal && !pl->stage_key) {
			pl->none = true; /* companies need no pipeline where the business has none */
			return;
		}
		if (n == 0) {
			pl->rc = vk_fail(&pl->err, VK_EINVAL, "pipeline", "there is no %s pipeline; create one in settings", e->name);
			return;
		}
		pipe = all[0];
	}
	if (pipe.n_stages == 0) {
		pl->rc = vk_fail(&pl->err, VK_EINVAL, "pipeline", "pipeline \"%s\" has no stages", pipe.key);
		return;
	}
	struct stage target = pipe.stages[0];
	if (pl->stage_key) {
		bool found = false;
		for (int i = 0; i < pipe.n_stages && !found; i++)
			if (!strcmp(pipe.stages[i].key, pl->stage_key)) {
				target = pipe.stages[i];
				found = true;
			}
		if (!found) {
			pl->rc = vk_fail(&pl->err, VK_EINVAL, "stage", "pipeline \"%s\" has no stage \"%.64s\"", pipe.key,
			                 pl->stage_key);
			return;
		}
	}
	if (target.id != pipe.stages[0].id && !auth_all(j->p) && store_pipeline_has_matrix(c, pipe.id) &&
	    !store_transition_allowed(c, j->p->role_id, pipe.stages[0].id, target.id)) {
		pl->rc = vk_fail(&pl->err, VK_EFORBIDDEN, "stage", "your role may not start a %s in \"%s\"", e->name, target.key);
		pl->err.code = "transition_forbidden";
		return;
	}
	struct checklist_item *items;
	int n;
	store_checklist(c, target.id, e->name, 0, j->a, &items, &n);
	for (int x = 0; x < n && !pl->checklist; x++)
		if (!items[x].done)
			pl->checklist = items[x].label;
	pl->pipeline_id = pipe.id;
	pl->pipeline = pipe.key;
	pl->stage_id = target.id;
	pl->stage = target.key;
	pl->stage_name = target.name;
	pl->stage_kind = target.kind;
	pl->required = target.required_fields;
}

/* A new record placed in its stage, whose required fields must be filled and checklist done. */
static enum vk_rc place_in_stage(struct conn *c, struct create_job *j, struct record_new *r, struct vk_err *err)
{
	const struct entity *e = j->e;
	struct create_place *pl = NULL;
	for (int i = 0; i < j->n_places && !pl; i++)
		if (same_key(j->places[i].pipeline_key, r->pipeline_key) && same_key(j->places[i].stage_key, r->stage_key))
			pl = &j->places[i];
	struct create_place fresh = { .pipeline_key = r->pipeline_key, .stage_key = r->stage_key };
	if (!pl) {
		pl = j->n_places < CREATE_PLACES ? &j->places[j->n_places++] : &fresh;
		*pl = fresh;
		resolve_place(c, j, pl);
	}
	if (pl->rc != VK_OK) {
		*err = pl->err;
		return pl->rc;
	}
	if (pl->none)
		return VK_OK;
	struct value *v = r->v;
	int pi = record_field_index(e, "pipeline_id"), si = record_field_index(e, "stage_id");
	int ci = record_field_index(e, "stage_changed_at"), cl = record_field_index(e, "closed_at");
	v[pi] = (struct value){ .kind = V_INT, .i = pl->pipeline_id, .label = pl->pipeline };
	v[si] = (struct value){ .kind = V_INT, .i = pl->stage_id, .label = pl->stage };
	v[ci] = (struct value){ .kind = V_INT, .i = j->now };
	if (cl >= 0 && (!strcmp(pl->stage_kind, "won") || !strcmp(pl->stage_kind, "lost")))
		v[cl] = (struct value){ .kind = V_INT, .i = j->now };
	const char *missing = required_missing(e, pl->required, v, r->n_phones, r->n_emails, j->a);
	if (missing) {
		vk_fail(err, VK_EUNPROC, missing, "fill in %s before moving to \"%s\"", missing, pl->stage_name);
		err->code = "required";
		return VK_EUNPROC;
	}
	if (pl->checklist) {
		vk_fail(err, VK_EUNPROC, "checklist", "complete the checklist of \"%s\" first: %s", pl->stage_name, pl->checklist);
		err->code = "checklist_incomplete";
		return VK_EUNPROC;
	}
	return VK_OK;
}

/* Owners must be active users; links must point at records the creator may read. Both are
 * remembered for the job: an import names the same few again and again. */
static enum vk_rc check_new_links(struct conn *c, struct create_job *j, const struct record_new *r, struct vk_err *err)
{
	const struct entity *e = j->e;
	for (int i = 0; i < e->n_fields; i++) {
		const struct fdef *f = &e->fields[i];
		if (!r->given[i] || r->v[i].kind != V_INT || (f->type != FT_USER && f->type != FT_REF))
			continue;
		const struct entity *re = f->type == FT_REF ? entity_by_name(f->ref) : NULL;
		int64_t id = r->v[i].i;
		int k = 0;
		while (k < j->n_known && !(j->known[k].ref == re && j->known[k].id == id))
			k++;
		if (k == j->n_known) {
			bool ok;
			if (!re) {
				ok = store_user_active(c, id);
			} else {
				struct scope sc;
				struct record rec;
				if (re == &entity_contact)
					sc = j->contact_sc;
				else if (re == &entity_company)
					sc = j->company_sc;
				else
					auth_scope(c, j->p, re->name, "read", &sc);
				ok = store_record_get(c, re, id, &sc, j->a, &rec) == VK_OK;
			}
			if (j->n_known == CREATE_KNOWN)
				j->n_known = 0; /* forget the oldest batch of answers rather than grow */
			k = j->n_known++;
			j->known[k].ref = re;
			j->known[k].id = id;
			j->known[k].ok = ok;
		}
		if (!j->known[k].ok)
			return re ? vk_fail(err, VK_EINVAL, f->key, "no %s with id %lld", re->name, (long long)id)
			          : vk_fail(err, VK_EINVAL, f->key, "no active user with id %lld", (long long)id);
	}
	return VK_OK;
}

static void add_hits(struct record_new *r, const struct dup *found, int k, int64_t skip_company)
{
	for (int i = 0; i < k && r->n_dups < RECORD_MAX_DUPS; i++) {
		bool seen = found[i].e == &entity_company && found[i].id == skip_company;
		for (int x = 0; x < r->n_dups && !seen; x++)
			seen = r->dups[x].e == found[i].e && r->dups[x].id == found[i].id;
		if (!seen)
			r->dups[r->n_dups++] = found[i];
	}
}

/* Live contacts and companies that have one of the new record's phones or e-mails, or (a
 * company) its web domain — the exact duplicates the lead-creator screen blocks. A contact may
 * share its own company's number (the office line). */
static void find_exact_dups(struct conn *c, struct create_job *j, struct record_new *r)
{
	const struct entity *e = j->e;
	struct scope sc[2] = { j->contact_sc, j->company_sc };
	struct dup found[RECORD_MAX_DUPS];
	int ci = record_field_index(e, "company_id"), di = record_field_index(e, "domain");
	int64_t own_company = e == &entity_contact && r->v[ci].kind == V_INT ? r->v[ci].i : 0;
	r->n_dups = 0;
	if (!store_dup_any(c, r->phones, r->n_phones, r->emails, r->n_emails, di >= 0 && r->v[di].kind == V_TEXT ? r->v[di].s : NULL))
		return;
	/* the linked scope opens cards, not the client base: what shows here is what lists show */
	sc[0].linked = sc[1].linked = false;
	r->dups = arena_alloc(j->a, sizeof *r->dups * RECORD_MAX_DUPS);
	for (int i = 0; i < r->n_phones; i++) {
		int k = 0;
		store_dup_phone(c, r->phones[i], sc, j->a, found, RECORD_MAX_DUPS, &k);
		add_hits(r, found, k, own_company);
	}
	for (int i = 0; i < r->n_emails; i++) {
		int k = 0;
		store_dup_email(c, r->emails[i], sc, j->a, found, RECORD_MAX_DUPS, &k);
		add_hits(r, found, k, own_company);
	}
	if (di >= 0 && r->v[di].kind == V_TEXT) {
		int k = 0;
		store_dup_domain(c, r->v[di].s, &sc[1], j->a, found, RECORD_MAX_DUPS, &k);
		add_hits(r, found, k, 0);
	}
}

enum vk_rc record_create_in(struct conn *c, struct create_job *j, struct record_new *r, struct vk_err *err,
                            bool *wrote)
{
	const struct entity *e = j->e;
	const struct principal *p = j->p;
	struct value *v = r->v;
	struct arena *a = j->a;
	enum vk_rc rc;
	*wrote = false;
	r->n_dups = 0;
	if (j->create_sc.kind == SCOPE_NONE)
		return vk_fail(err, VK_EFORBIDDEN, NULL, "your role may not create %s", e->plural);
	if (r->allow_duplicate && !j->may_duplicate)
		return vk_fail(err, VK_EFORBIDDEN, "allow_duplicate", "your role may not save a duplicate");
	int oi = record_field_index(e, "owner_id");
	if (!r->given[oi] && p->user_id > 0) {
		v[oi] = (struct value){ .kind = V_INT, .i = p->user_id };
		r->given[oi] = true;
	}
	const struct scope *sc = &j->create_sc;
	if ((sc->kind == SCOPE_OWN && (v[oi].kind != V_INT || v[oi].i != p->user_id)) ||
	    (sc->kind == SCOPE_TEAM && v[oi].kind == V_INT && v[oi].i != p->user_id &&
	     store_user_team(c, v[oi].i) != sc->team_id))
		return vk_fail(err, VK_EFORBIDDEN, "owner_id", "you may create %s only for yourself", e->plural);
	if ((rc = check_new_links(c, j, r, err)) != VK_OK)
		return rc;
	int cfi = record_field_index(e, "custom");
	const char *custom = NULL;
	/* with nothing given and nothing required, custom_apply would only confirm that */
	if ((r->custom || j->custom_required) &&
	    (rc = custom_apply(c, e, r->custom, NULL, true, j->country, a, &custom, err)) != VK_OK)
		return rc;
	v[cfi] = custom ? (struct value){ .kind = V_TEXT, .s = custom } : (struct value){ .kind = V_NULL };
	/* defaults of fields that cannot be empty: no money yet, in the company's currency */
	for (int i = 0; i < e->n_fields; i++)
		if ((e->fields[i].flags & FF_NOTNULL) && v[i].kind == V_NULL)
			v[i] = e->fields[i].type == FT_CURRENCY ? (struct value){ .kind = V_TEXT, .s = j->currency }
			                                        : (struct value){ .kind = V_INT, .i = 0 };
	if (e->has_pipeline && (rc = place_in_stage(c, j, r, err)) != VK_OK)
		return rc;
	if (e->has_phones && !r->allow_duplicate) {
		find_exact_dups(c, j, r);
		if (r->n_dups) {
			const struct dup *d = &r->dups[0];
			const char *what = !strcmp(d->match, "phone") ? "phone number" : !strcmp(d->match, "email") ? "e-mail" : "web domain";
			const char *field = !strcmp(d->match, "phone") ? "phones" : !strcmp(d->match, "email") ? "emails" : "domain";
			if (d->visible)
				vk_fail(err, VK_ECONFLICT, field, "%s %lld \"%.100s\" has this %s already", d->e->name, (long long)d->id,
				        d->name, what);
			else
				vk_fail(err, VK_ECONFLICT, field, "a %s with this %s exists already", d->e->name, what);
			err->code = "duplicate";
			return VK_ECONFLICT;
		}
	}
	*wrote = true;
	if ((rc = store_record_insert(c, e, v, p->user_id, j->now, &r->id)) != VK_OK)
		return rc;
	if (e->has_phones && (rc = store_record_add_phones(c, e, r->id, r->phones, r->phones_raw, r->n_phones)) != VK_OK)
		return rc;
	if (e->has_phones && (rc = store_record_add_emails(c, e, r->id, r->emails, r->n_emails)) != VK_OK)
		return rc;
	r->search = record_search_text(c, a, e, v, r->phones, r->n_phones, r->emails, r->n_emails);
	if (!r->defer_index && (rc = store_record_index_new(c, e, r->id, r->search)) != VK_OK)
		return rc;
	int ti = record_field_index(e, e->title);
	rc = record_event(c, p, e, r->id, j->now, "create", NULL, NULL, record_value_json(a, &e->fields[ti], &v[ti]),
	                  r->reason);
	int ci = record_field_index(e, "company_id");
	if (rc == VK_OK && e == &entity_contact && v[ci].kind == V_INT)
		rc = record_auto_move(c, p, &entity_company, v[ci].i, "contact_linked", "a contact was linked", j->now, a);
	return rc;
}

struct create_tx {
	const struct principal *p;
	const struct entity *e;
	struct input *in;
	bool allow_duplicate;
	struct arena *a;
	struct vk_err *err;
	int64_t now;
	const char *country;
	struct record_new r;
};

static enum vk_rc create_write(struct conn *c, void *ctx)
{
	struct create_tx *t = ctx;
	struct input *in = t->in;
	struct create_job j;
	bool wrote;
	record_create_begin(c, t->p, t->e, t->now, t->country, t->a, &j);
	t->r = (struct record_new){ .v = in->v, .given = in->given, .phones = in->phones, .phones_raw = in->phones_raw,
	                            .n_phones = in->n_phones, .emails = in->emails, .n_emails = in->n_emails,
	                            .custom = in->custom, .pipeline_key = in->pipeline_key, .stage_key = in->stage_key,
	                            .allow_duplicate = t->allow_duplicate };
	return record_create_in(c, &j, &t->r, t->err, &wrote);
}

static enum vk_rc update_write(struct conn *c, void *ctx)
{
	struct tx *t = ctx;
	const struct entity *e = t->e;
	struct input *in = t->in;
	struct scope sc;
	struct record cur;
	auth_scope(c, t->p, e->name, "edit", &sc);
	if (store_record_get(c, e, t->id, &sc, t->a, &cur) != VK_OK)
		return not_allowed(c, t, "edit");
	if (in->version != cur.version) {
		vk_fail(t->err, VK_ECONFLICT, "version",
		        "someone changed this %s since you opened it (version %lld, yours %lld); reload and try again",
		        e->name, (long long)cur.version, (long long)in->version);
		t->err->code = "stale";
		return VK_ECONFLICT;
	}
	struct value *v = arena_alloc(t->a, sizeof *v * (size_t)e->n_fields);
	bool *changed = arena_alloc(t->a, sizeof *changed * (size_t)e->n_fields);
	memcpy(v, cur.v, sizeof *v * (size_t)e->n_fields);
	bool *check = arena_alloc(t->a, sizeof *check * (size_t)e->n_fields);
	for (int i = 0; i < e->n_fields; i++)
		if (in->given[i] && !record_same_value(&in->v[i], &cur.v[i])) {
			v[i] = in->v[i];
			changed[i] = check[i] = true;
		}
	int cfi = record_field_index(e, "custom");
	if (in->custom) {
		const char *custom = NULL;
		enum vk_rc crc = custom_apply(c, e, in->custom, cur.v[cfi].kind == V_TEXT ? cur.v[cfi].s : NULL, false,
		                              t->country, t->a, &custom, t->err);
		if (crc != VK_OK)
			return crc;
		struct value nv = custom ? (struct value){ .kind = V_TEXT, .s = custom } : (struct value){ .kind = V_NULL };
		if (!record_same_value(&nv, &cur.v[cfi])) {
			v[cfi] = nv;
			changed[cfi] = true;
		}
	}
	/* an order's total is the sum of what it holds (RetailCRM, amoCRM's products): a typed
	 * amount beside lines would silently disagree with them, so the lines are edited instead */
	int ai = record_field_index(e, "amount"), ki = record_field_index(e, "currency");
	bool amount_changed = ai >= 0 && changed[ai], currency_changed = ki >= 0 && changed[ki];
	bool has_items = (amount_changed || currency_changed) && store_deal_has_items(c, t->id);
	if (amount_changed && has_items) {
		vk_fail(t->err, VK_EUNPROC, "amount", "this deal's amount is the sum of its line items; edit the lines instead");
		t->err->code = "amount_from_items";
		return VK_EUNPROC;
	}
	/* the lines' prices are in the deal's currency: relabelling it would change what was sold */
	if (currency_changed && has_items) {
		vk_fail(t->err, VK_EUNPROC, "currency", "this deal has line items priced in %s; remove them to change the currency",
		        cur.v[ki].kind == V_TEXT ? cur.v[ki].s : "its currency");
		t->err->code = "currency_from_items";
		return VK_EUNPROC;
	}
	int oi = record_field_index(e, "owner_id");
	if (changed[oi] && sc.kind != SCOPE_ALL &&
	    !(sc.kind == SCOPE_TEAM && v[oi].kind == V_INT && store_user_team(c, v[oi].i) == sc.team_id))
		return vk_fail(t->err, VK_EFORBIDDEN, "owner_id", "your role may not hand %s to other people", e->plural);
	enum vk_rc rc = check_links(c, t, v, check);
	if (rc != VK_OK)
		return rc;
	struct stage target = { 0 };
	bool moved;
	if ((rc = resolve_stage(c, t, v, &target, &moved)) != VK_OK)
		return rc;
	int pi = record_field_index(e, "pipeline_id"), si = record_field_index(e, "stage_id");
	int n_phones = in->phones_given ? in->n_phones : cur.n_phones;
	int n_emails = in->emails_given ? in->n_emails : cur.n_emails;
	if (moved) {
		int64_t from = cur.v[si].kind == V_INT ? cur.v[si].i : 0;
		bool matrix = (cur.v[pi].kind == V_INT && store_pipeline_has_matrix(c, cur.v[pi].i)) ||
		              store_pipeline_has_matrix(c, v[pi].i);
		if (!auth_all(t->p) && matrix && !store_transition_allowed(c, t->p->role_id, from, target.id)) {
			vk_fail(t->err, VK_EFORBIDDEN, "stage", "your role may not move a %s from \"%s\" to \"%s\"", e->name,
			        cur.v[si].label ? cur.v[si].label : "-", target.key);
			t->err->code = "transition_forbidden";
			return VK_EFORBIDDEN;
		}
		changed[pi] = cur.v[pi].kind != V_INT || cur.v[pi].i != v[pi].i;
		set_stage(t, v, changed, &target);
		if ((rc = check_enter(c, t, &target, v, n_phones, n_emails, t->id)) != VK_OK)
			return rc;
	}
	bool any = false;
	for (int i = 0; i < e->n_fields; i++)
		any = any || changed[i];
	if (any && (rc = store_record_update(c, e, t->id, cur.version, v, changed, t->p->user_id, t->now)) != VK_OK)
		return rc == VK_ECONFLICT ? vk_fail(t->err, rc, "version", "the record changed meanwhile; reload") : rc;
	/* phones and e-mails: replace when given and different */
	bool phones_changed = false, emails_changed = false;
	if (in->phones_given) {
		phones_changed = in->n_phones != cur.n_phones;
		for (int i = 0; !phones_changed && i < in->n_phones; i++)
			phones_changed = strcmp(in->phones[i], cur.phones[i]) != 0;
	}
	if (in->emails_given) {
		emails_changed = in->n_emails != cur.n_emails;
		for (int i = 0; !emails_changed && i < in->n_emails; i++)
			emails_changed = strcmp(in->emails[i], cur.emails[i]) != 0;
	}
	if ((phones_changed || emails_changed) && !any) {
		/* bump the version even when only phones changed, so concurrent edits still conflict */
		if ((rc = store_record_update(c, e, t->id, cur.version, v, changed, t->p->user_id, t->now)) != VK_OK)
			return rc == VK_ECONFLICT ? vk_fail(t->err, rc, "version", "the record changed meanwhile; reload") : rc;
	}
	if (phones_changed) {
		if ((rc = store_record_set_phones(c, e, t->id, in->phones, in->phones_raw, in->n_phones)) != VK_OK)
			return rc;
		if ((rc = add_event(c, t, "update", "phones", record_list_json(t->a, cur.phones, cur.n_phones),
		                    record_list_json(t->a, in->phones, in->n_phones), NULL)) != VK_OK)
			return rc;
	}
	if (emails_changed) {
		if ((rc = store_record_set_emails(c, e, t->id, in->emails, in->n_emails)) != VK_OK)
			return rc;
		if ((rc = add_event(c, t, "update", "emails", record_list_json(t->a, cur.emails, cur.n_emails),
		                    record_list_json(t->a, in->emails, in->n_emails), NULL)) != VK_OK)
			return rc;
	}
	if (any || phones_changed || emails_changed) {
		const char *const *ph = phones_changed ? in->phones : cur.phones;
		const char *const *em = emails_changed ? in->emails : cur.emails;
		rc = store_record_index(c, e, t->id, record_search_text(c, t->a, e, v, ph, phones_changed ? in->n_phones : cur.n_phones,
		                                                 em, emails_changed ? in->n_emails : cur.n_emails));
		if (rc != VK_OK)
			return rc;
	}
	if (rc == VK_OK)
		rc = record_change_events(c, t->p, e, t->id, t->now, cur.v, v, changed, NULL, t->a);
	int ci = record_field_index(e, "company_id");
	if (rc == VK_OK && e == &entity_contact && changed[ci] && v[ci].kind == V_INT)
		rc = auto_move(c, t, &entity_company, v[ci].i, "contact_linked", "a contact was linked");
	return rc;
}

/* A role that may not see a field may not set it either. */
static enum vk_rc check_hidden(struct store *s, const struct principal *p, const struct entity *e,
                               const struct input *in, struct arena *a, struct vk_err *err)
{
	struct conn *c = store_reader(s);
	const char **keys;
	int n;
	if (auth_all(p))
		return VK_OK;
	store_hidden_fields(c, p->role_id, e->name, a, &keys, &n);
	for (int i = 0; i < n; i++) {
		int fi = record_field_index(e, keys[i]);
		bool given = (fi >= 0 && in->given[fi]) ||
		             (!strncmp(keys[i], "custom.", 7) && in->custom && json_object_get(in->custom, keys[i] + 7));
		if (given)
			return vk_fail(err, VK_EFORBIDDEN, keys[i], "your role may not set %s", keys[i]);
	}
	return VK_OK;
}

static const char *default_country(struct store *s, struct arena *a)
{
	return settings_get(store_reader(s), "default_country", a);
}

enum vk_rc record_get(struct store *s, const struct principal *p, const struct entity *e, int64_t id,
                      struct arena *a, struct record *out)
{
	struct conn *c = store_reader(s);
	struct scope sc;
	auth_scope(c, p, e->name, "read", &sc);
	return store_record_get(c, e, id, &sc, a, out);
}

enum vk_rc record_create(struct store *s, const struct principal *p, const struct entity *e, json_t *j,
                         struct arena *a, struct record *out, struct record_dups *dups, struct vk_err *err)
{
	struct input in;
	bool allow = false;
	json_t *flag = json_object_get(j, "allow_duplicate");
	if (flag && e->has_phones) {
		if (!json_is_boolean(flag))
			return vk_fail(err, VK_EINVAL, "allow_duplicate", "allow_duplicate must be true or false");
		allow = json_is_true(flag);
		json_object_del(j, "allow_duplicate");
	}
	enum vk_rc rc = parse_input(e, j, false, default_country(s, a), a, &in, err);
	if (rc != VK_OK)
		return rc;
	int ti = record_field_index(e, e->title);
	if (!in.given[ti] || in.v[ti].kind == V_NULL)
		return vk_fail(err, VK_EMISSING, e->title, "%s is required", e->title);
	if ((rc = check_hidden(s, p, e, &in, a, err)) != VK_OK)
		return rc;
	struct create_tx t = { .p = p, .e = e, .in = &in, .allow_duplicate = allow, .a = a, .err = err,
	                       .now = clock_now_ms(), .country = default_country(s, a) };
	/* the transaction's scratch allocations stay in the request arena: one request, one writer job */
	rc = store_write(s, create_write, &t);
	if (dups) {
		dups->items = t.r.dups;
		dups->n = rc == VK_ECONFLICT ? t.r.n_dups : 0;
	}
	if (rc != VK_OK)
		return rc;
	rc = record_get(s, p, e, t.r.id, a, out);
	return rc == VK_OK ? rc : vk_fail(err, VK_EIO, NULL, "created %s %lld is not visible to you", e->name, (long long)t.r.id);
}

enum vk_rc record_update(struct store *s, const struct principal *p, const struct entity *e, int64_t id,
                         json_t *j, struct arena *a, struct record *out, struct vk_err *err)
{
	struct input in;
	enum vk_rc rc = parse_input(e, j, true, default_country(s, a), a, &in, err);
	if (rc == VK_OK)
		rc = check_hidden(s, p, e, &in, a, err);
	if (rc != VK_OK)
		return rc;
	struct tx t = { .p = p, .e = e, .in = &in, .a = a, .err = err, .id = id, .now = clock_now_ms(),
	                .country = default_country(s, a) };
	if ((rc = store_write(s, update_write, &t)) != VK_OK)
		return rc;
	rc = record_get(s, p, e, id, a, out);
	/* moved out of the user's sight (e.g. handed to a colleague): the change stands */
	if (rc == VK_ENOTFOUND) {
		memset(out, 0, sizeof *out);
		out->e = e;
		out->id = id;
		return VK_OK;
	}
	return rc;
}

static enum vk_rc delete_write(struct conn *c, void *ctx)
{
	struct tx *t = ctx;
	struct scope sc;
	struct record cur;
	auth_scope(c, t->p, t->e->name, "delete", &sc);
	if (store_record_get(c, t->e, t->id, &sc, t->a, &cur) != VK_OK)
		return not_allowed(c, t, "delete");
	enum vk_rc rc = store_record_delete(c, t->e, t->id, t->now);
	if (rc == VK_OK)
		rc = add_event(c, t, "delete", NULL, record_value_json(t->a, &t->e->fields[record_field_index(t->e, t->e->title)],
		                                               &cur.v[record_field_index(t->e, t->e->title)]), NULL, NULL);
	return rc;
}

enum vk_rc record_delete(struct store *s, const struct principal *p, const struct entity *e, int64_t id,
                         struct vk_err *err)
{
	struct arena *a = arena_new(4096);
	struct tx t = { .p = p, .e = e, .a = a, .err = err, .id = id, .now = clock_now_ms() };
	enum vk_rc rc = store_write(s, delete_write, &t);
	arena_free(a);
	return rc;
}

struct check_tx {
	struct tx t;
	const char *stage_key, *item_key;
	bool done;
};

static enum vk_rc checklist_write(struct conn *c, void *ctx)
{
	struct check_tx *ct = ctx;
	struct tx *t = &ct->t;
	struct scope sc;
	struct record cur;
	auth_scope(c, t->p, t->e->name, "edit", &sc);
	if (store_record_get(c, t->e, t->id, &sc, t->a, &cur) != VK_OK)
		return vk_fail(t->err, VK_ENOTFOUND, NULL, "no such %s", t->e->name);
	int pi = record_field_index(t->e, "pipeline_id");
	struct stage st;
	int64_t item;
	if (pi < 0 || cur.v[pi].kind != V_INT || store_stage_by_key(c, cur.v[pi].i, ct->stage_key, t->a, &st) != VK_OK)
		return vk_fail(t->err, VK_ENOTFOUND, "stage", "no stage \"%s\" in this record's pipeline", ct->stage_key);
	if (store_checklist_item_by_key(c, st.id, ct->item_key, &item) != VK_OK)
		return vk_fail(t->err, VK_ENOTFOUND, "item", "stage \"%s\" has no checklist item \"%s\"", ct->stage_key,
		               ct->item_key);
	struct checklist_item *items;
	int n;
	store_checklist(c, st.id, t->e->name, t->id, t->a, &items, &n);
	for (int i = 0; i < n; i++)
		if (items[i].id == item && items[i].done == ct->done)
			return VK_OK; /* already so: nothing changes, nothing to record */
	enum vk_rc rc = store_checklist_mark(c, t->e->name, t->id, item, ct->done, t->p->user_id, t->now);
	if (rc == VK_OK)
		rc = add_event(c, t, "checklist", arena_printf(t->a, "%s.%s", ct->stage_key, ct->item_key),
		               ct->done ? "false" : "true", ct->done ? "true" : "false", NULL);
	return rc;
}

enum vk_rc record_checklist_mark(struct store *s, const struct principal *p, const struct entity *e,
                                 int64_t id, const char *stage_key, const char *item_key, bool done,
                                 struct vk_err *err)
{
	struct arena *a = arena_new(4096);
	struct check_tx ct = { .t = { .p = p, .e = e, .a = a, .err = err, .id = id, .now = clock_now_ms() },
	                       .stage_key = stage_key, .item_key = item_key, .done = done };
	enum vk_rc rc = store_write(s, checklist_write, &ct);
	arena_free(a);
	return rc;
}

/* ---- reassignment ---- */

#define MAX_REASSIGN 50000

struct reassign_tx {
	struct tx t;
	const int64_t *ids;
	int n_ids;
	int64_t from, to;
	bool cascade;
	int moved;
};

/* Move one record to the new owner if it had owner `from` (0 = any). */
static enum vk_rc move_owner(struct conn *c, struct reassign_tx *x, const struct entity *e, int64_t id, int64_t from)
{
	struct scope all = { .kind = SCOPE_ALL, .role_id = -1 };
	struct record r;
	if (store_record_get(c, e, id, &all, x->t.a, &r) != VK_OK)
		return vk_fail(x->t.err, VK_ENOTFOUND, "ids", "no %s with id %lld", e->name, (long long)id);
	int oi = record_field_index(e, "owner_id");
	int64_t old = r.v[oi].kind == V_INT ? r.v[oi].i : 0;
	if (old == x->to || (from && old != from))
		return VK_OK;
	bool *changed = arena_alloc(x->t.a, sizeof *changed * (size_t)e->n_fields);
	r.v[oi] = (struct value){ .kind = V_INT, .i = x->to };
	changed[oi] = true;
	enum vk_rc rc = store_record_update(c, e, id, r.version, r.v, changed, x->t.p->user_id, x->t.now);
	struct tx sub = x->t;
	sub.e = e;
	sub.id = id;
	if (rc == VK_OK)
		rc = add_event(c, &sub, "update", "owner_id", old ? arena_printf(x->t.a, "%lld", (long long)old) : NULL,
		               arena_printf(x->t.a, "%lld", (long long)x->to), "reassigned");
	if (rc == VK_OK)
		x->moved++;
	return rc;
}

static enum vk_rc reassign_write(struct conn *c, void *ctx)
{
	struct reassign_tx *x = ctx;
	const struct entity *e = x->t.e;
	struct scope sc;
	auth_scope(c, x->t.p, e->name, "edit", &sc);
	if (sc.kind != SCOPE_ALL)
		return vk_fail(x->t.err, VK_EFORBIDDEN, NULL, "only a role that edits all %s may hand them over", e->plural);
	if (!store_user_active(c, x->to))
		return vk_fail(x->t.err, VK_EINVAL, "to_owner_id", "no active user with id %lld", (long long)x->to);
	const int64_t *ids = x->ids;
	int n = x->n_ids;
	if (!ids) {
		int64_t *found;
		store_record_ids_where(c, e, "owner_id", x->from, MAX_REASSIGN, x->t.a, &found, &n);
		ids = found;
	}
	enum vk_rc rc = VK_OK;
	for (int i = 0; i < n && rc == VK_OK; i++) {
		struct scope all = { .kind = SCOPE_ALL, .role_id = -1 };
		struct record r;
		int64_t old = 0;
		if (store_record_get(c, e, ids[i], &all, x->t.a, &r) == VK_OK) {
			int oi = record_field_index(e, "owner_id");
			old = r.v[oi].kind == V_INT ? r.v[oi].i : 0;
		}
		rc = move_owner(c, x, e, ids[i], 0);
		if (rc != VK_OK || !x->cascade || e != &entity_company || !old)
			continue;
		/* the company's people and deals that were the old owner's follow it */
		const struct entity *linked[] = { &entity_contact, &entity_deal };
		for (int k = 0; k < 2 && rc == VK_OK; k++) {
			int64_t *lids;
			int ln;
			store_record_ids_where(c, linked[k], "company_id", ids[i], MAX_REASSIGN, x->t.a, &lids, &ln);
			for (int j = 0; j < ln && rc == VK_OK; j++)
				rc = move_owner(c, x, linked[k], lids[j], old);
		}
	}
	return rc;
}

enum vk_rc record_reassign(struct store *s, const struct principal *p, const struct entity *e, const int64_t *ids,
                           int n_ids, int64_t from_owner, int64_t to_owner, bool cascade, int *moved,
                           struct vk_err *err)
{
	struct arena *a = arena_new(65536);
	struct reassign_tx x = { .t = { .p = p, .e = e, .a = a, .err = err, .now = clock_now_ms() }, .ids = ids,
	                         .n_ids = n_ids, .from = from_owner, .to = to_owner, .cascade = cascade };
	enum vk_rc rc = store_write(s, reassign_write, &x);
	*moved = x.moved;
	arena_free(a);
	return rc;
}

/* ---- deal line items ---- */

#define MAX_ITEMS 500

struct items_tx {
	struct tx t;
	json_t *items;
	int64_t version;
};

static enum vk_rc items_write(struct conn *c, void *ctx)
{
	struct items_tx *x = ctx;
	struct tx *t = &x->t;
	const struct entity *e = &entity_deal;
	struct scope sc;
	struct record cur;
	auth_scope(c, t->p, e->name, "edit", &sc);
	if (store_record_get(c, e, t->id, &sc, t->a, &cur) != VK_OK)
		return not_allowed(c, t, "edit");
	/* the lines set the amount and show prices: a role kept from the amount keeps off them */
	if (auth_field_hidden(c, t->p, e->name, "amount", t->a))
		return vk_fail(t->err, VK_EFORBIDDEN, "amount", "your role may not set amount (line items set it)");
	if (cur.version != x->version) {
		vk_fail(t->err, VK_ECONFLICT, "version", "someone changed this deal since you opened it; reload");
		t->err->code = "stale";
		return VK_ECONFLICT;
	}
	int n = (int)json_array_size(x->items);
	struct deal_item *items = arena_alloc(t->a, sizeof *items * (size_t)(n + 1));
	int64_t total = 0;
	for (int i = 0; i < n; i++) {
		json_t *it = json_array_get(x->items, (size_t)i);
		struct deal_item *d = &items[i];
		char *path = arena_printf(t->a, "items[%d]", i);
		static const char *const keys[] = { "product_id", "name", "unit", "qty", "price", NULL };
		if (!json_is_object(it) || json_only_keys(it, keys, t->err) != VK_OK)
			return vk_fail(t->err, VK_EINVAL, path, "%s must be {product_id?, name?, unit?, qty, price?}", path);
		json_t *pid = json_object_get(it, "product_id"), *qty = json_object_get(it, "qty"),
		       *price = json_object_get(it, "price"), *name = json_object_get(it, "name"),
		       *unit = json_object_get(it, "unit");
		if (pid) {
			struct product prod;
			if (!json_is_integer(pid) || store_product_get(c, json_integer_value(pid), t->a, &prod) != VK_OK)
				return vk_fail(t->err, VK_EINVAL, path, "%s: no such product", path);
			d->product_id = prod.id;
			d->name = prod.name;
			d->unit = prod.unit;
			d->price = prod.price;
		}
		if (name && (!json_is_string(name) || json_string_length(name) == 0 || utf8_chars(json_string_value(name)) > 300))
			return vk_fail(t->err, VK_EINVAL, path, "%s.name must be 1 to 300 characters", path);
		if (unit && (!json_is_string(unit) || json_string_length(unit) == 0 || utf8_chars(json_string_value(unit)) > 20))
			return vk_fail(t->err, VK_EINVAL, path, "%s.unit must be 1 to 20 characters", path);
		if (name)
			d->name = json_string_value(name);
		if (unit)
			d->unit = json_string_value(unit);
		if (!d->name)
			return vk_fail(t->err, VK_EINVAL, path, "%s needs a product_id or a name", path);
		if (!d->unit)
			d->unit = "шт";
		if (price) {
			if (!json_is_integer(price) || json_integer_value(price) < 0 || json_integer_value(price) > 1000000000000LL)
				return vk_fail(t->err, VK_EINVAL, path, "%s.price must be minor units from 0 to 10^12", path);
			d->price = json_integer_value(price);
		} else if (!pid) {
			return vk_fail(t->err, VK_EINVAL, path, "%s.price is required without a product", path);
		}
		/* quantities may be fractional (2.5 m², 1.5 h): kept in thousandths */
		double q = json_is_number(qty) ? json_number_value(qty) : -1;
		if (!(q > 0 && q <= 1e9) || fabs(q * 1000 - round(q * 1000)) > 1e-6)
			return vk_fail(t->err, VK_EINVAL, path, "%s.qty must be a positive number with at most 3 decimals", path);
		d->qty_milli = (int64_t)llround(q * 1000);
		d->amount = (d->qty_milli * d->price + 500) / 1000;
		total += d->amount;
	}
	struct deal_item *old;
	int n_old;
	store_deal_items(c, t->id, t->a, &old, &n_old);
	enum vk_rc rc = store_deal_items_replace(c, t->id, items, n);
	/* the amount follows the items; the version moves so concurrent editors conflict */
	int ai = record_field_index(e, "amount");
	bool *changed = arena_alloc(t->a, sizeof *changed * (size_t)e->n_fields);
	struct value *v = arena_alloc(t->a, sizeof *v * (size_t)e->n_fields);
	memcpy(v, cur.v, sizeof *v * (size_t)e->n_fields);
	v[ai] = (struct value){ .kind = V_INT, .i = total };
	changed[ai] = cur.v[ai].i != total;
	if (rc == VK_OK)
		rc = store_record_update(c, e, t->id, cur.version, v, changed, t->p->user_id, t->now);
	json_t *summary = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(summary, json_pack("{s:s, s:f, s:I}", "name", items[i].name, "qty",
		                                         (double)items[i].qty_milli / 1000.0, "amount", (json_int_t)items[i].amount));
	char *text = json_dumps(summary, JSON_COMPACT);
	json_decref(summary);
	if (rc == VK_OK)
		rc = add_event(c, t, "update", "items", arena_printf(t->a, "%d", n_old), arena_strdup(t->a, text), NULL);
	free(text);
	if (rc == VK_OK && changed[ai])
		rc = add_event(c, t, "update", "amount", arena_printf(t->a, "%lld", (long long)cur.v[ai].i),
		               arena_printf(t->a, "%lld", (long long)total), "line items");
	return rc;
}

enum vk_rc deal_items_set(struct store *s, const struct principal *p, int64_t deal_id, int64_t version,
                          json_t *items, struct arena *a, struct vk_err *err)
{
	if (!json_is_array(items) || json_array_size(items) > MAX_ITEMS)
		return vk_fail(err, VK_EINVAL, "items", "items must be a list of up to %d lines", MAX_ITEMS);
	struct items_tx x = { .t = { .p = p, .e = &entity_deal, .a = a, .err = err, .id = deal_id, .now = clock_now_ms() },
	                      .items = items, .version = version };
	return store_write(s, items_write, &x);
}
