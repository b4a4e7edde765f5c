/* Lists of records from URL arguments, and duplicate search. */
#include "crm/record.h"
#include "core/json.h"
#include "core/phone.h"
#include "core/text.h"
#include "crm/field.h"
#include "store/field.h"
#include "org/settings.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILTERS 24

static int field_index(const struct entity *e, const char *key)
{
	for (int i = 0; i < e->n_fields; i++)
		if (strcmp(e->fields[i].key, key) == 0)
			return i;
	return -1;
}

static bool int_like(const struct fdef *f)
{
	return f->type == FT_MONEY || f->type == FT_INT || f->type == FT_DATETIME || f->type == FT_USER ||
	       f->type == FT_REF || f->type == FT_PIPELINE || f->type == FT_STAGE;
}

static bool parse_int(const char *s, int64_t *out)
{
	char *end;
	if (!*s || strlen(s) > 19)
		return false;
	long long v = strtoll(s, &end, 10);
	if (*end)
		return false;
	*out = v;
	return true;
}

/* One filter value for field f from URL text; "me" for users; stage/pipeline keys resolved. */
static enum vk_rc filter_value(struct conn *c, const struct principal *p, const struct entity *e,
                               const struct fdef *f, const char *text, const char *pipeline_key,
                               struct arena *a, struct value *out, int *n_out, int max, struct vk_err *err)
{
	if (f->type == FT_STAGE) {
		/* a stage key is unique within a pipeline: resolve in the given one or in all */
		struct pipeline *all;
		int n;
		store_pipeline_list(c, e->name, -1, a, &all, &n);
		for (int i = 0; i < n; i++) {
			if (pipeline_key && strcmp(all[i].key, pipeline_key) != 0)
				continue;
			for (int k = 0; k < all[i].n_stages; k++)
				if (!strcmp(all[i].stages[k].key, text) && *n_out < max)
					out[(*n_out)++] = (struct value){ .kind = V_INT, .i = all[i].stages[k].id };
		}
		if (*n_out == 0)
			out[(*n_out)++] = (struct value){ .kind = V_INT, .i = -1 }; /* matches nothing */
		return VK_OK;
	}
	if (f->type == FT_PIPELINE) {
		struct pipeline pl;
		out[(*n_out)++] = (struct value){ .kind = V_INT,
		                                  .i = store_pipeline_by_key(c, text, a, &pl) == VK_OK ? pl.id : -1 };
		return VK_OK;
	}
	if (f->type == FT_USER && !strcmp(text, "me")) {
		out[(*n_out)++] = (struct value){ .kind = V_INT, .i = p->user_id };
		return VK_OK;
	}
	if (int_like(f)) {
		int64_t v;
		if (!parse_int(text, &v))
			return vk_fail(err, VK_EINVAL, f->key, "%s must be an integer", f->key);
		out[(*n_out)++] = (struct value){ .kind = V_INT, .i = v };
		return VK_OK;
	}
	if (utf8_chars(text) > 500)
		return vk_fail(err, VK_EINVAL, f->key, "the value of %s is too long", f->key);
	if (f->type == FT_DOMAIN) {
		char *d = arena_alloc(a, 256);
		if (!text_domain(text, d, 256))
			return vk_fail(err, VK_EINVAL, f->key, "%s must be a web domain", f->key);
		text = d;
	}
	out[(*n_out)++] = (struct value){ .kind = V_TEXT, .s = arena_strdup(a, text) };
	return VK_OK;
}

/* Cursor: base64url of the JSON array [sort value, id]. */
static const char *cursor_encode(struct arena *a, const struct record *r, int sort_field, const char *sort_path)
{
	json_t *arr = json_array();
	if (sort_path) {
		int ci = field_index(r->e, "custom");
		json_t *obj = r->v[ci].kind == V_TEXT ? json_loads(r->v[ci].s, 0, NULL) : NULL;
		json_t *v = json_object_get(obj, sort_path);
		json_array_append_new(arr, v ? json_deep_copy(v) : json_null());
		json_decref(obj);
	} else if (sort_field >= 0) {
		const struct value *v = &r->v[sort_field];
		json_array_append_new(arr, v->kind == V_INT ? json_integer(v->i) : v->kind == V_TEXT ? json_string(v->s)
		                                                                                        : json_null());
	} else {
		json_array_append_new(arr, json_null());
	}
	json_array_append_new(arr, json_integer(r->id));
	char *text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	size_t n = strlen(text);
	size_t out_len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, out_len);
	sodium_bin2base64(out, out_len, (const unsigned char *)text, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	free(text);
	return out;
}

static bool cursor_decode(const char *s, const struct entity *e, int sort_field, struct arena *a,
                          struct list_query *q)
{
	unsigned char raw[600];
	size_t len;
	if (strlen(s) > 780 || sodium_base642bin(raw, sizeof raw - 1, s, strlen(s), NULL, &len, NULL,
	                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return false;
	raw[len] = '\0';
	json_t *arr = json_loads((const char *)raw, 0, NULL);
	bool ok = json_is_array(arr) && json_array_size(arr) == 2 && json_is_integer(json_array_get(arr, 1));
	if (ok) {
		json_t *v = json_array_get(arr, 0);
		q->cursor_id = json_integer_value(json_array_get(arr, 1));
		if (q->sort_path) {
			bool text = q->sort_path_text;
			if (json_is_boolean(v)) /* json_extract gives 1/0 for true/false */
				q->cursor_value = (struct value){ .kind = V_INT, .i = json_is_true(v) };
			else if (json_is_integer(v))
				q->cursor_value = (struct value){ .kind = V_INT, .i = json_integer_value(v) };
			else if (json_is_real(v))
				q->cursor_value = (struct value){ .kind = V_REAL, .d = json_real_value(v) };
			else if (json_is_string(v))
				q->cursor_value = (struct value){ .kind = V_TEXT, .s = arena_strdup(a, json_string_value(v)) };
			else if (json_is_null(v))
				q->cursor_value = text ? (struct value){ .kind = V_TEXT, .s = "" }
				                       : (struct value){ .kind = V_INT, .i = -9223372036854775807LL };
			else
				ok = false;
		} else if (sort_field >= 0) {
			/* the same COALESCE sentinel as the ORDER BY */
			const struct fdef *f = &e->fields[sort_field];
			bool text = !int_like(f);
			if (json_is_integer(v))
				q->cursor_value = (struct value){ .kind = V_INT, .i = json_integer_value(v) };
			else if (json_is_string(v))
				q->cursor_value = (struct value){ .kind = V_TEXT, .s = arena_strdup(a, json_string_value(v)) };
			else if (json_is_null(v))
				q->cursor_value = text ? (struct value){ .kind = V_TEXT, .s = "" }
				                       : (struct value){ .kind = V_INT, .i = -9223372036854775807LL };
			else
				ok = false;
		}
		q->has_cursor = ok;
	}
	json_decref(arr);
	return ok;
}

/* FTS5 phrase: the text in double quotes, inner quotes doubled. */
static const char *fts_phrase(struct arena *a, const char *q)
{
	size_t n = strlen(q);
	char *out = arena_alloc(a, n * 2 + 3);
	char *o = out;
	*o++ = '"';
	for (const char *p = q; *p; p++) {
		if (*p == '"')
			*o++ = '"';
		*o++ = *p;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

static const char *like_prefix(struct arena *a, const char *q)
{
	size_t n = strlen(q);
	char *out = arena_alloc(a, n * 2 + 2);
	char *o = out;
	for (const char *p = q; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

static const struct field_row *find_def(const struct field_row *defs, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(defs[i].key, key))
			return &defs[i];
	return NULL;
}

static bool custom_numeric(const char *type)
{
	return !strcmp(type, "number") || !strcmp(type, "money") || !strcmp(type, "datetime") ||
	       !strcmp(type, "user") || !strcmp(type, "bool");
}

/* custom.KEY=value, custom.KEY.from/.to, custom.KEY.empty; a multiselect matches one of its values */
static enum vk_rc custom_filter(struct conn *c, const struct entity *e, const char *key, const char *val,
                                const struct field_row *defs, int n_defs, struct arena *a, struct filter *filters,
                                struct list_query *q, struct vk_err *err)
{
	char name[64];
	const char *rest = key + 7, *dot = strchr(rest, '.');
	snprintf(name, sizeof name, "%.*s", dot ? (int)(dot - rest) : (int)strlen(rest), rest);
	const char *op = dot ? dot + 1 : "";
	const struct field_row *d = find_def(defs, n_defs, name);
	(void)c;
	(void)e;
	if (!d || !strcmp(d->type, "longtext"))
		return vk_fail(err, VK_EINVAL, key, "cannot filter by \"%.64s\"", key);
	if (q->n_filters == MAX_FILTERS)
		return vk_fail(err, VK_EINVAL, key, "too many filters");
	struct filter *f = &filters[q->n_filters];
	memset(f, 0, sizeof *f);
	f->path = d->key;
	f->values = arena_alloc(a, sizeof *f->values);
	if (!strcmp(op, "empty")) {
		if (strcmp(val, "true") && strcmp(val, "false"))
			return vk_fail(err, VK_EINVAL, key, "%s must be true or false", key);
		f->op = !strcmp(val, "true") ? FOP_EMPTY : FOP_NOT_EMPTY;
		q->n_filters++;
		return VK_OK;
	}
	if (*op && strcmp(op, "from") && strcmp(op, "to"))
		return vk_fail(err, VK_EINVAL, key, "unknown filter operator \"%.32s\"", op);
	f->op = !*op ? (!strcmp(d->type, "multiselect") ? FOP_CONTAINS : FOP_EQ) : op[0] == 'f' ? FOP_GE : FOP_LE;
	f->n_values = 1;
	if (!strcmp(d->type, "bool")) {
		if (strcmp(val, "true") && strcmp(val, "false"))
			return vk_fail(err, VK_EINVAL, key, "%s must be true or false", key);
		f->values[0] = (struct value){ .kind = V_INT, .i = !strcmp(val, "true") };
	} else if (!strcmp(d->type, "number")) {
		char *end;
		double v = strtod(val, &end);
		if (!*val || *end)
			return vk_fail(err, VK_EINVAL, key, "%s must be a number", key);
		f->values[0] = (struct value){ .kind = V_REAL, .d = v };
	} else if (custom_numeric(d->type)) {
		int64_t v;
		if (!parse_int(val, &v))
			return vk_fail(err, VK_EINVAL, key, "%s must be an integer", key);
		f->values[0] = (struct value){ .kind = V_INT, .i = v };
	} else {
		if (utf8_chars(val) > 500)
			return vk_fail(err, VK_EINVAL, key, "the value of %s is too long", key);
		f->values[0] = (struct value){ .kind = V_TEXT, .s = arena_strdup(a, val) };
	}
	q->n_filters++;
	return VK_OK;
}

/* The list arguments into q (filters, search, sort, limit); *cursor and *want_count as given.
 * pipeline_key: the pipeline stage keys are resolved in when no "pipeline" argument names one. */
static enum vk_rc parse_query(struct conn *c, const struct principal *p, const struct entity *e,
                              const struct query_arg *args, int n_args, const char *pipeline_key, struct arena *a,
                              struct list_query *q_out, const char **cursor_out, bool *want_count_out,
                              struct vk_err *err)
{
	struct list_query q = { .sort_field = -1, .desc = true, .limit = 50 };
	struct filter *filters = arena_alloc(a, sizeof *filters * MAX_FILTERS);
	const char *cursor = NULL;
	bool want_count = false;
	for (int i = 0; i < n_args; i++)
		if (!strcmp(args[i].key, "pipeline"))
			pipeline_key = args[i].value;
	struct field_row *defs;
	int n_defs;
	store_field_list(c, e->name, a, &defs, &n_defs);
	/* what the role may not see it may not filter or sort by either (that would reveal it) */
	for (int i = 0; i < n_args; i++) {
		const char *k = args[i].key;
		if (!strcmp(k, "sort"))
			k = args[i].value[0] == '-' || args[i].value[0] == '+' ? args[i].value + 1 : args[i].value;
		char base[80];
		const char *dot = strncmp(k, "custom.", 7) ? strchr(k, '.') : strchr(k + 7, '.');
		snprintf(base, sizeof base, "%.*s", dot ? (int)(dot - k) : (int)strlen(k), k);
		if (auth_field_hidden(c, p, e->name, base, a))
			return vk_fail(err, VK_EINVAL, args[i].key, "cannot filter or sort by \"%.64s\"", base);
	}
	for (int i = 0; i < n_args; i++) {
		const char *key = args[i].key, *val = args[i].value ? args[i].value : "";
		if (!strcmp(key, "q")) {
			while (*val == ' ')
				val++;
			if (utf8_chars(val) > 200)
				return vk_fail(err, VK_EINVAL, "q", "the search text is too long");
			char e164[PHONE_MAX], digits[64];
			size_t n_digits = 0;
			bool number_like = true;
			for (const char *d = val; *d; d++) {
				if (*d >= '0' && *d <= '9') {
					if (n_digits + 1 < sizeof digits)
						digits[n_digits++] = *d;
				} else if (!strchr(" ()+-.", *d)) {
					number_like = false;
				}
			}
			digits[n_digits] = '\0';
			if (number_like && n_digits >= 3) {
				/* "553-30-01", "(963) 553": the index holds digits, so search the digits; a whole
				 * number may also be a phone (or an INN, which is digits too: either matches) */
				q.fts = fts_phrase(a, digits);
				if (n_digits >= 10 && phone_normalize(val, settings_get(c, "default_country", a), e164) == VK_OK) {
					q.phone = arena_strdup(a, e164);
					q.phone_or_fts = true;
				}
			} else if (utf8_chars(val) >= 3) {
				q.fts = fts_phrase(a, val);
			} else if (*val) {
				char folded[64], cap[64];
				text_fold(val, folded, sizeof folded);
				text_capitalize(folded, cap, sizeof cap);
				q.prefix = like_prefix(a, folded);
				q.prefix_cap = like_prefix(a, cap);
			}
			continue;
		}
		if (!strcmp(key, "phone")) {
			char e164[PHONE_MAX];
			if (!e->has_phones || phone_normalize(val, settings_get(c, "default_country", a), e164) != VK_OK)
				return vk_fail(err, VK_EINVAL, "phone", "phone must be a phone number");
			q.phone = arena_strdup(a, e164);
			continue;
		}
		if (!strcmp(key, "limit")) {
			int64_t v;
			if (!parse_int(val, &v) || v < 1 || v > 200)
				return vk_fail(err, VK_EINVAL, "limit", "limit must be an integer from 1 to 200");
			q.limit = (int)v;
			continue;
		}
		if (!strcmp(key, "cursor")) {
			cursor = val;
			continue;
		}
		if (!strcmp(key, "count")) {
			want_count = !strcmp(val, "true");
			continue;
		}
		if (!strcmp(key, "sort")) {
			bool desc = val[0] == '-';
			const char *k = desc || val[0] == '+' ? val + 1 : val;
			if (!strncmp(k, "custom.", 7)) {
				const struct field_row *d = find_def(defs, n_defs, k + 7);
				if (!d || !field_type_indexed(d->type))
					return vk_fail(err, VK_EINVAL, "sort", "cannot sort by \"%.64s\"", k);
				q.sort_field = -1;
				q.sort_path = d->key;
				q.sort_path_text = !custom_numeric(d->type);
				q.desc = desc;
				continue;
			}
			int fi = strcmp(k, "id") == 0 ? -1 : field_index(e, k);
			if (strcmp(k, "id") != 0 && (fi < 0 || !(e->fields[fi].flags & FF_SORT)))
				return vk_fail(err, VK_EINVAL, "sort", "cannot sort by \"%.64s\"", k);
			q.sort_field = fi;
			q.desc = desc;
			continue;
		}
		if (!strncmp(key, "custom.", 7)) {
			enum vk_rc crc = custom_filter(c, e, key, val, defs, n_defs, a, filters, &q, err);
			if (crc != VK_OK)
				return crc;
			continue;
		}
		/* field filters: key, key.from, key.to, key.empty */
		char name[80];
		const char *dot = strchr(key, '.');
		snprintf(name, sizeof name, "%.*s", dot ? (int)(dot - key) : (int)strlen(key), key);
		const char *op = dot ? dot + 1 : "";
		if (!strcmp(name, "pipeline"))
			snprintf(name, sizeof name, "pipeline_id");
		else if (!strcmp(name, "stage"))
			snprintf(name, sizeof name, "stage_id");
		else if (!strcmp(name, "owner"))
			snprintf(name, sizeof name, "owner_id");
		int fi = field_index(e, name);
		if (fi < 0 || !(e->fields[fi].flags & FF_FILTER))
			return vk_fail(err, VK_EINVAL, key, "cannot filter by \"%.64s\"", key);
		if (q.n_filters == MAX_FILTERS)
			return vk_fail(err, VK_EINVAL, key, "too many filters");
		const struct fdef *f = &e->fields[fi];
		struct filter *flt = &filters[q.n_filters];
		flt->field = fi;
		flt->values = arena_alloc(a, sizeof *flt->values * 50);
		flt->n_values = 0;
		enum vk_rc rc;
		if (!strcmp(op, "empty")) {
			if (strcmp(val, "true") && strcmp(val, "false"))
				return vk_fail(err, VK_EINVAL, key, "%s must be true or false", key);
			flt->op = !strcmp(val, "true") ? FOP_EMPTY : FOP_NOT_EMPTY;
		} else if (!strcmp(op, "from") || !strcmp(op, "to")) {
			flt->op = op[0] == 'f' ? FOP_GE : FOP_LE;
			if ((rc = filter_value(c, p, e, f, val, pipeline_key, a, flt->values, &flt->n_values, 1, err)) != VK_OK)
				return rc;
		} else if (!*op) {
			/* a comma list for ids and keys; text is matched whole */
			if (int_like(f) || f->type == FT_STAGE) {
				char *copy = arena_strdup(a, val);
				for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
					if (flt->n_values < 50 &&
					    (rc = filter_value(c, p, e, f, tok, pipeline_key, a, flt->values, &flt->n_values, 50, err)) != VK_OK)
						return rc;
				if (flt->n_values == 0)
					return vk_fail(err, VK_EINVAL, key, "%s needs a value", key);
			} else if ((rc = filter_value(c, p, e, f, val, pipeline_key, a, flt->values, &flt->n_values, 1, err)) != VK_OK) {
				return rc;
			}
			flt->op = flt->n_values == 1 ? FOP_EQ : FOP_IN;
		} else {
			return vk_fail(err, VK_EINVAL, key, "unknown filter operator \"%.32s\"", op);
		}
		q.n_filters++;
	}
	q.filters = filters;
	if (cursor && *cursor && !cursor_decode(cursor, e, q.sort_field, a, &q))
		return vk_fail(err, VK_EINVAL, "cursor", "cursor is not one this server gave out");
	*q_out = q;
	*cursor_out = cursor;
	*want_count_out = want_count;
	return VK_OK;
}

enum vk_rc record_list(struct store *s, const struct principal *p, const struct entity *e,
                       const struct query_arg *args, int n_args, struct arena *a, struct record_page *out,
                       struct vk_err *err)
{
	struct conn *c = store_reader(s);
	struct list_query q;
	const char *cursor;
	bool want_count;
	memset(out, 0, sizeof *out);
	out->total = -1;
	enum vk_rc prc = parse_query(c, p, e, args, n_args, NULL, a, &q, &cursor, &want_count, err);
	if (prc != VK_OK)
		return prc;
	struct scope sc;
	auth_scope(c, p, e->name, "read", &sc);
	int limit = q.limit;
	q.limit = limit + 1; /* one more row tells whether there is a next page */
	enum vk_rc rc = store_record_list(c, e, &sc, &q, a, &out->items, &out->n);
	if (rc != VK_OK)
		return vk_fail(err, rc, NULL, "the list query is too complex");
	if (out->n > limit) {
		out->n = limit;
		out->next = cursor_encode(a, &out->items[limit - 1], q.sort_field, q.sort_path);
	}
	if (want_count) {
		q.has_cursor = false;
		out->total = store_record_count(c, e, &sc, &q);
	}
	return VK_OK;
}

/* ---- kanban totals ---- */

#define MAX_GROUPS 2000 /* stages × currencies */

static void add_money(struct arena *a, struct stage_total *t, const char *currency, double amount, int max)
{
	for (int i = 0; i < t->n_sums; i++)
		if (!strcmp(t->sums[i].currency, currency)) {
			t->sums[i].amount += amount;
			return;
		}
	if (!t->sums)
		t->sums = arena_alloc(a, sizeof *t->sums * (size_t)max);
	if (t->n_sums < max)
		t->sums[t->n_sums++] = (struct money_sum){ currency, amount };
}

enum vk_rc record_summary(struct store *s, const struct principal *p, const char *pipeline_key,
                          const struct query_arg *args, int n_args, struct arena *a, struct pipeline_summary *out,
                          struct vk_err *err)
{
	struct conn *c = store_reader(s);
	struct pipeline pl;
	memset(out, 0, sizeof *out);
	if (store_pipeline_by_key(c, pipeline_key, a, &pl) != VK_OK ||
	    !store_pipeline_visible(c, pl.id, auth_all(p) ? -1 : p->role_id))
		return vk_fail(err, VK_ENOTFOUND, NULL, "no pipeline \"%.64s\"", pipeline_key);
	const struct entity *e = entity_by_name(pl.entity);
	for (int i = 0; i < n_args; i++)
		if (!strcmp(args[i].key, "pipeline"))
			return vk_fail(err, VK_EINVAL, "pipeline", "the pipeline is the one in the URL");
	struct list_query q;
	const char *cursor;
	bool want_count;
	enum vk_rc rc = parse_query(c, p, e, args, n_args, pl.key, a, &q, &cursor, &want_count, err);
	if (rc != VK_OK)
		return rc;
	(void)cursor;
	(void)want_count;
	/* the pipeline as a stage filter: deals_board starts with the stage */
	struct filter *filters = arena_alloc(a, sizeof *filters * (size_t)(q.n_filters + 1));
	memcpy(filters, q.filters, sizeof *filters * (size_t)q.n_filters);
	struct filter *stages = &filters[q.n_filters];
	stages->field = field_index(e, "stage_id");
	stages->path = NULL;
	stages->op = FOP_IN;
	stages->values = arena_alloc(a, sizeof *stages->values * (size_t)(pl.n_stages + 1));
	stages->n_values = 0;
	for (int i = 0; i < pl.n_stages; i++)
		stages->values[stages->n_values++] = (struct value){ .kind = V_INT, .i = pl.stages[i].id };
	if (stages->n_values == 0)
		stages->values[stages->n_values++] = (struct value){ .kind = V_INT, .i = 0 };
	q.filters = filters;
	q.n_filters++;
	q.has_cursor = false;
	struct scope sc;
	auth_scope(c, p, e->name, "read", &sc);
	out->e = e;
	out->pipeline = pl.key;
	out->amounts = e == &entity_deal && !auth_field_hidden(c, p, e->name, "amount", a);
	struct stage_sum *groups;
	int n_groups;
	if (store_record_summary(c, e, &sc, &q, out->amounts, MAX_GROUPS, a, &groups, &n_groups) != VK_OK)
		return vk_fail(err, VK_EINVAL, NULL, "the query is too complex");
	out->stages = arena_alloc(a, sizeof *out->stages * (size_t)(pl.n_stages + 1));
	out->n_stages = pl.n_stages;
	for (int i = 0; i < pl.n_stages; i++)
		out->stages[i] = (struct stage_total){ .stage = pl.stages[i].key };
	for (int g = 0; g < n_groups; g++)
		for (int i = 0; i < pl.n_stages; i++) {
			if (pl.stages[i].id != groups[g].stage_id)
				continue;
			out->stages[i].count += groups[g].count;
			out->total.count += groups[g].count;
			if (out->amounts && groups[g].currency) {
				add_money(a, &out->stages[i], groups[g].currency, groups[g].amount, MAX_GROUPS);
				add_money(a, &out->total, groups[g].currency, groups[g].amount, MAX_GROUPS);
			}
		}
	return VK_OK;
}

/* ---- duplicates ---- */

#define MAX_DUPS 40

/* A name key has no space at either end and never two in a row (text_name_key). */
static bool key_shaped(const char *s, size_t len)
{
	if (!len || s[0] == ' ' || s[len - 1] == ' ')
		return false;
	for (size_t i = 1; i < len; i++)
		if (s[i] == ' ' && s[i - 1] == ' ')
			return false;
	return true;
}

/* Every name key one typing error away from key: a letter dropped, added, replaced, or two
 * neighbours swapped ("Ромшака" for "Ромашка"), over the letters of the key's scripts, digits
 * and space; only key-shaped ones, each once. Plain strings in a, looked up one
 * by one in the name_key index by the store: about 90 lookups per letter, exact and selective
 * at a million records. (Trigram candidates were tried first: common trigrams of Russian names,
 * "ова", "вна", matched a large part of a million contacts. The keys went to SQLite as a JSON
 * array until this was measured: building and parsing it twice cost two thirds of the check.)
 * Longer keys than 40 letters get none: the exact key only. */
static int one_edit_variants(struct arena *a, const char *key, const char ***out)
{
	static const char *const cyr[] = { "а", "б", "в", "г", "д", "е", "ж", "з", "и", "й", "к", "л", "м", "н", "о", "п",
	                                   "р", "с", "т", "у", "ф", "х", "ц", "ч", "ш", "щ", "ъ", "ы", "ь", "э", "ю", "я" };
	static const char *const lat[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p",
	                                   "q", "r", "s", "t", "u", "v", "w", "x", "y", "z" };
	static const char *const common[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", " " };
	const char *alpha[32 + 26 + 11];
	int n_alpha = 0;
	size_t at[41];
	int n = 0;
	bool cyrillic = false, latin = false;
	size_t len = strlen(key);
	*out = NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)key[i];
		if ((ch & 0xC0) != 0x80) {
			if (n == 40)
				return 0;
			at[n++] = i;
		}
		cyrillic = cyrillic || ch == 0xD0 || ch == 0xD1;
		latin = latin || (ch >= 'a' && ch <= 'z');
	}
	at[n] = len;
	if (cyrillic || !latin)
		for (int i = 0; i < 32; i++)
			alpha[n_alpha++] = cyr[i];
	if (latin || !cyrillic)
		for (int i = 0; i < 26; i++)
			alpha[n_alpha++] = lat[i];
	for (int i = 0; i < 11; i++)
		alpha[n_alpha++] = common[i];
	int cap = n + (n - 1 > 0 ? n - 1 : 0) + (2 * n + 1) * n_alpha;
	const char **v = arena_alloc(a, sizeof *v * (size_t)cap);
	int k = 0;
	char buf[200];
	if (len + 8 > sizeof buf)
		return 0;
#define KEEP(blen)                                                           \
	do {                                                                     \
		if (key_shaped(buf, (blen)) && k < cap) {                            \
			buf[(blen)] = '\0';                                              \
			v[k++] = arena_strdup(a, buf);                                   \
		}                                                                    \
	} while (0)
	for (int i = 0; i <= n; i++) {
		size_t pre = at[i], self = i < n ? at[i + 1] - at[i] : 0, rest = len - pre - self;
		/* A doubled letter is the same key whichever of the two is dropped, and a letter added
		 * next to the same letter the same wherever: one of each is made. Nothing else repeats
		 * (a replacement keeps the length in letters, a drop or an addition changes it, a swap
		 * changes two letters). */
		bool same_as_next = i + 1 < n && at[i + 2] - at[i + 1] == self && memcmp(key + pre, key + at[i + 1], self) == 0;
		if (i < n && !same_as_next) { /* dropped */
			memcpy(buf, key, pre);
			memcpy(buf + pre, key + pre + self, rest);
			KEEP(pre + rest);
		}
		if (i + 1 < n && !same_as_next) { /* swapped with the next one */
			size_t next = at[i + 2] - at[i + 1];
			memcpy(buf, key, pre);
			memcpy(buf + pre, key + at[i + 1], next);
			memcpy(buf + pre + next, key + pre, self);
			memcpy(buf + pre + next + self, key + at[i + 2], len - at[i + 2]);
			KEEP(len);
		}
		for (int c = 0; c < n_alpha; c++) {
			size_t cl = strlen(alpha[c]);
			bool after_same = i > 0 && at[i] - at[i - 1] == cl && memcmp(key + at[i - 1], alpha[c], cl) == 0;
			if (!after_same) { /* added before letter i */
				memcpy(buf, key, pre);
				memcpy(buf + pre, alpha[c], cl);
				memcpy(buf + pre + cl, key + pre, len - pre);
				KEEP(len + cl);
			}
			if (i < n && (cl != self || memcmp(alpha[c], key + pre, cl) != 0)) { /* replaced */
				memcpy(buf, key, pre);
				memcpy(buf + pre, alpha[c], cl);
				memcpy(buf + pre + cl, key + pre + self, rest);
				KEEP(pre + cl + rest);
			}
		}
	}
#undef KEEP
	*out = v;
	return k;
}

/* Add found to all (at most MAX_DUPS, each record once); answers how many were new. */
static int add_dups(struct dup *all, int *n, const struct dup *found, int k)
{
	int added = 0;
	for (int i = 0; i < k; i++) {
		bool seen = false;
		for (int j = 0; j < *n && !seen; j++)
			seen = all[j].e == found[i].e && all[j].id == found[i].id;
		if (!seen && *n < MAX_DUPS) {
			all[(*n)++] = found[i];
			added++;
		}
	}
	return added;
}

enum vk_rc record_duplicates(struct store *s, const struct principal *p, const char *phone,
                             const char *email, const char *name, const char *domain,
                             struct arena *a, struct dup **out, int *n, struct vk_err *err)
{
	struct conn *c = store_reader(s);
	struct dup *all = arena_alloc(a, sizeof *all * MAX_DUPS), tmp[MAX_DUPS];
	int k;
	*n = 0;
	struct scope scopes[2];
	auth_scope(c, p, "contact", "read", &scopes[0]);
	auth_scope(c, p, "company", "read", &scopes[1]);
	struct scope *sc_contact = &scopes[0], *sc_company = &scopes[1];
	if (phone && *phone) {
		char e164[PHONE_MAX];
		if (phone_normalize(phone, settings_get(c, "default_country", a), e164) != VK_OK)
			return vk_fail(err, VK_EINVAL, "phone", "phone is not a phone number");
		k = 0;
		store_dup_phone(c, e164, scopes, a, tmp, MAX_DUPS, &k);
		add_dups(all, n, tmp, k);
	}
	if (email && *email) {
		char em[256];
		if (!text_email(email, em, sizeof em))
			return vk_fail(err, VK_EINVAL, "email", "email is not an e-mail address");
		k = 0;
		store_dup_email(c, em, scopes, a, tmp, MAX_DUPS, &k);
		add_dups(all, n, tmp, k);
	}
	if (domain && *domain) {
		char d[256];
		if (!text_domain(domain, d, sizeof d))
			return vk_fail(err, VK_EINVAL, "domain", "domain is not a web domain");
		k = 0;
		store_dup_domain(c, d, sc_company, a, tmp, MAX_DUPS, &k);
		add_dups(all, n, tmp, k);
	}
	if (name && *name) {
		if (utf8_chars(name) > 300)
			return vk_fail(err, VK_EINVAL, "name", "name is too long");
		char key[1024];
		text_name_key(name, key, sizeof key);
		if (key[0]) {
			/* the exact key first, then one typo for names of five letters or more */
			const char **variants = NULL;
			int n_variants = utf8_chars(key) >= 5 ? one_edit_variants(a, key, &variants) : 0;
			const char **keys = arena_alloc(a, sizeof *keys * (size_t)(n_variants + 1));
			keys[0] = key;
			for (int i = 0; i < n_variants; i++)
				keys[i + 1] = variants[i];
			const struct entity *ents[] = { &entity_company, &entity_contact };
			const char *found[MAX_DUPS];
			for (int ei = 0; ei < 2 && *n < MAX_DUPS; ei++) {
				k = 0;
				store_dup_name(c, ents[ei], keys, n_variants + 1, a, tmp, MAX_DUPS, &k, found);
				for (int i = 0; i < k; i++)
					tmp[i].match = strcmp(found[i], key) == 0 ? "name" : "similar_name";
				int from = *n;
				add_dups(all, n, tmp, k);
				/* only what is answered is checked against the scope */
				for (int i = from; i < *n; i++)
					all[i].visible = store_record_listed(c, all[i].e, all[i].id, ei == 0 ? sc_company : sc_contact);
			}
		}
	}
	*out = all;
	return VK_OK;
}
