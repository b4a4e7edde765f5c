#include "crm/merge.h"
#include "core/clock.h"
#include "core/json.h"
#include "store/event.h"
#include "store/field.h"
#include "store/transfer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MULTI 10        /* phones or e-mails per record, as the API allows */
#define MAX_LISTED 10000    /* moved deals/contacts that get their own timeline event */
#define EVENT_PAGE 500
#define MAX_COPIED 200000   /* events copied from the merged record */

enum pick { PICK_DEFAULT = 0, PICK_KEEP, PICK_MERGE };

struct merge_tx {
	const struct principal *p;
	const struct entity *e;
	int64_t keep_id, merge_id, keep_version, merge_version;
	enum pick *pick;         /* per built-in field */
	enum pick stage_pick, custom_pick;
	json_t *custom_picks;    /* {"KEY": "keep" | "merge"}, owned */
	struct arena *a;
	struct vk_err *err;
	int64_t now;
	struct merge_result *out;
};

static enum vk_rc add_event(struct conn *c, const struct merge_tx *t, const struct entity *e, int64_t id,
                            const char *kind, const char *field, const char *old_json, const char *new_json,
                            const char *reason)
{
	return record_event(c, t->p, e, id, t->now, kind, field, old_json, new_json, reason);
}

static enum pick pick_of(json_t *v)
{
	return !strcmp(json_string_value(v), "merge") ? PICK_MERGE : PICK_KEEP;
}

/* "fields" of the request into picks; everything is checked before the transaction. */
static enum vk_rc read_choices(struct store *s, struct merge_tx *t, json_t *fields, struct vk_err *err)
{
	const struct entity *e = t->e;
	struct conn *c = store_reader(s);
	t->pick = arena_alloc(t->a, sizeof *t->pick * (size_t)e->n_fields);
	t->custom_picks = json_object();
	if (!fields)
		return VK_OK;
	if (!json_is_object(fields) || json_object_size(fields) > 200)
		return vk_fail(err, VK_EINVAL, "fields", "fields must be an object {field: \"keep\" | \"merge\"}");
	struct field_row *defs;
	int n_defs;
	store_field_list(c, e->name, t->a, &defs, &n_defs);
	const char **hidden = NULL;
	int n_hidden = 0;
	if (!auth_all(t->p))
		store_hidden_fields(c, t->p->role_id, e->name, t->a, &hidden, &n_hidden);
	const char *key;
	json_t *v;
	json_object_foreach(fields, key, v) {
		const char *path = arena_printf(t->a, "fields.%.64s", key);
		if (!json_is_string(v) || (strcmp(json_string_value(v), "keep") && strcmp(json_string_value(v), "merge")))
			return vk_fail(err, VK_EINVAL, path, "%s must be \"keep\" or \"merge\"", path);
		for (int i = 0; i < n_hidden; i++)
			if (!strcmp(hidden[i], key))
				return vk_fail(err, VK_EFORBIDDEN, path, "your role may not set %s", key);
		if (!strcmp(key, "phones") || !strcmp(key, "emails"))
			return vk_fail(err, VK_EINVAL, path, "the phones and e-mails of both records are always kept");
		if (e->has_pipeline && (!strcmp(key, "stage") || !strcmp(key, "pipeline") || !strcmp(key, "stage_id") ||
		                        !strcmp(key, "pipeline_id"))) {
			t->stage_pick = pick_of(v);
			continue;
		}
		if (!strcmp(key, "custom")) {
			t->custom_pick = pick_of(v);
			continue;
		}
		if (!strncmp(key, "custom.", 7)) {
			bool known = false;
			for (int i = 0; i < n_defs && !known; i++)
				known = !strcmp(defs[i].key, key + 7);
			if (!known)
				return vk_fail(err, VK_EINVAL, path, "%s have no field \"%.64s\"", e->plural, key);
			json_object_set(t->custom_picks, key + 7, v);
			continue;
		}
		int fi = record_field_index(e, key);
		if (fi < 0 || (e->fields[fi].flags & FF_READONLY))
			return vk_fail(err, VK_EINVAL, path, fi < 0 ? "%s have no field \"%.64s\"" : "%s: %.64s is set by the server",
			               e->plural, key);
		t->pick[fi] = pick_of(v);
	}
	return VK_OK;
}

/* The kept record's custom values after the merge (JSON text or NULL). */
static const char *merged_custom(const struct merge_tx *t, const struct value *keep, const struct value *merge)
{
	json_t *ko = keep->kind == V_TEXT ? json_loads(keep->s, 0, NULL) : NULL;
	json_t *mo = merge->kind == V_TEXT ? json_loads(merge->s, 0, NULL) : NULL;
	if (!json_is_object(ko)) {
		json_decref(ko);
		ko = json_object();
	}
	if (!json_is_object(mo)) {
		json_decref(mo);
		mo = json_object();
	}
	json_t *out = json_object();
	json_t *keys = json_object(); /* the union */
	const char *k;
	json_t *v;
	json_object_foreach(ko, k, v) json_object_set(keys, k, json_true());
	json_object_foreach(mo, k, v) json_object_set(keys, k, json_true());
	json_object_foreach(keys, k, v) {
		json_t *choice = json_object_get(t->custom_picks, k);
		enum pick pk = choice ? pick_of(choice) : t->custom_pick;
		json_t *kv = json_object_get(ko, k), *mv = json_object_get(mo, k);
		json_t *chosen = pk == PICK_MERGE ? mv : pk == PICK_KEEP ? kv : kv ? kv : mv;
		if (chosen)
			json_object_set(out, k, chosen);
	}
	const char *text = NULL;
	if (json_object_size(out)) {
		char *sorted = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS); /* as custom_apply writes it */
		text = arena_strdup(t->a, sorted);
		free(sorted);
	}
	json_decref(keys);
	json_decref(out);
	json_decref(ko);
	json_decref(mo);
	return text;
}

/* keep's items followed by merge's that keep lacks. */
static int unite(struct arena *a, const char *const *keep, int n_keep, const char *const *merge, int n_merge,
                 const char ***out)
{
	const char **all = arena_alloc(a, sizeof *all * (size_t)(n_keep + n_merge + 1));
	int n = 0;
	for (int i = 0; i < n_keep; i++)
		all[n++] = keep[i];
	for (int i = 0; i < n_merge; i++) {
		bool seen = false;
		for (int k = 0; k < n && !seen; k++)
			seen = !strcmp(all[k], merge[i]);
		if (!seen)
			all[n++] = merge[i];
	}
	*out = all;
	return n;
}

/* The merged record's history, oldest first, onto the kept record. The events table is
 * append-only, so these are copies that name where they came from. */
static enum vk_rc copy_timeline(struct conn *c, const struct merge_tx *t, int *copied)
{
	struct event *pages[MAX_COPIED / EVENT_PAGE];
	int counts[MAX_COPIED / EVENT_PAGE];
	int n_pages = 0;
	int64_t before = 0;
	*copied = 0;
	while (n_pages < MAX_COPIED / EVENT_PAGE) {
		struct event *items;
		int n;
		event_list(c, t->e->name, t->merge_id, before, EVENT_PAGE, t->a, &items, &n);
		if (n == 0)
			break;
		pages[n_pages] = items;
		counts[n_pages++] = n;
		before = items[n - 1].id;
		if (n < EVENT_PAGE)
			break;
	}
	for (int pg = n_pages - 1; pg >= 0; pg--)
		for (int i = counts[pg] - 1; i >= 0; i--) {
			struct event ev = pages[pg][i];
			ev.entity_id = t->keep_id;
			ev.reason = ev.reason ? arena_printf(t->a, "from %s %lld: %s", t->e->name, (long long)t->merge_id, ev.reason)
			                      : arena_printf(t->a, "from %s %lld", t->e->name, (long long)t->merge_id);
			enum vk_rc rc = event_add(c, &ev);
			if (rc != VK_OK)
				return rc;
			(*copied)++;
		}
	return VK_OK;
}

/* Deals (and contacts) that pointed at the merged record point at the kept one, each with
 * its own timeline event. */
static enum vk_rc repoint(struct conn *c, const struct merge_tx *t, const struct entity *holder, const char *column,
                          int *count)
{
	struct moved *moved;
	int n;
	bool more;
	enum vk_rc rc = store_repoint(c, holder, column, t->merge_id, t->keep_id, t->p->user_id, t->now, MAX_LISTED, t->a,
	                              &moved, &n, &more);
	*count = n;
	const char *from = arena_printf(t->a, "%lld", (long long)t->merge_id);
	const char *to = arena_printf(t->a, "%lld", (long long)t->keep_id);
	for (int i = 0; i < n && rc == VK_OK; i++)
		rc = add_event(c, t, holder, moved[i].id, "update", column, from, to, "merge");
	return rc;
}

static enum vk_rc merge_write(struct conn *c, void *ctx)
{
	struct merge_tx *t = ctx;
	const struct entity *e = t->e;
	struct arena *a = t->a;
	struct scope edit_sc, delete_sc;
	struct record keep, merge;
	enum vk_rc rc;
	auth_scope(c, t->p, e->name, "edit", &edit_sc);
	auth_scope(c, t->p, e->name, "delete", &delete_sc);
	if (store_record_get(c, e, t->keep_id, &edit_sc, a, &keep) != VK_OK)
		return vk_fail(t->err, VK_ENOTFOUND, "keep", "no %s %lld", e->name, (long long)t->keep_id);
	if (store_record_get(c, e, t->merge_id, &delete_sc, a, &merge) != VK_OK)
		return vk_fail(t->err, VK_ENOTFOUND, "merge", "no %s %lld", e->name, (long long)t->merge_id);
	if ((t->keep_version && t->keep_version != keep.version) || (t->merge_version && t->merge_version != merge.version)) {
		vk_fail(t->err, VK_ECONFLICT, t->keep_version != keep.version ? "keep_version" : "merge_version",
		        "one of the records changed since you compared them; reload and try again");
		t->err->code = "stale";
		return VK_ECONFLICT;
	}
	struct value *v = arena_alloc(a, sizeof *v * (size_t)e->n_fields);
	bool *changed = arena_alloc(a, sizeof *changed * (size_t)e->n_fields);
	memcpy(v, keep.v, sizeof *v * (size_t)e->n_fields);
	for (int i = 0; i < e->n_fields; i++) {
		const struct fdef *f = &e->fields[i];
		if ((f->flags & FF_READONLY) || f->type == FT_CUSTOM || f->type == FT_PIPELINE || f->type == FT_STAGE)
			continue;
		const struct value *from = t->pick[i] == PICK_MERGE ? &merge.v[i]
		                         : t->pick[i] == PICK_KEEP ? &keep.v[i]
		                         : keep.v[i].kind != V_NULL ? &keep.v[i] : &merge.v[i];
		if (!record_same_value(from, &keep.v[i])) {
			v[i] = *from;
			changed[i] = true;
		}
	}
	int si = record_field_index(e, "stage_id");
	if (si >= 0) {
		int pi = record_field_index(e, "pipeline_id"), sci = record_field_index(e, "stage_changed_at");
		bool take = t->stage_pick == PICK_MERGE ||
		            (t->stage_pick == PICK_DEFAULT && keep.v[si].kind == V_NULL && merge.v[si].kind != V_NULL);
		if (take && !record_same_value(&merge.v[si], &keep.v[si])) {
			v[pi] = merge.v[pi];
			v[si] = merge.v[si];
			v[sci] = merge.v[sci];
			changed[pi] = changed[si] = changed[sci] = true;
		}
	}
	int cfi = record_field_index(e, "custom");
	const char *custom = merged_custom(t, &keep.v[cfi], &merge.v[cfi]);
	struct value cv = custom ? (struct value){ .kind = V_TEXT, .s = custom } : (struct value){ .kind = V_NULL };
	if (!record_same_value(&cv, &keep.v[cfi])) {
		v[cfi] = cv;
		changed[cfi] = true;
	}
	const char **phones, **emails;
	int n_phones = unite(a, keep.phones, keep.n_phones, merge.phones, merge.n_phones, &phones);
	int n_emails = unite(a, keep.emails, keep.n_emails, merge.emails, merge.n_emails, &emails);
	if (n_phones > MAX_MULTI || n_emails > MAX_MULTI) {
		vk_fail(t->err, VK_EUNPROC, n_phones > MAX_MULTI ? "phones" : "emails",
		        "together the records have %d %s; at most %d fit on one record, remove some first",
		        n_phones > MAX_MULTI ? n_phones : n_emails, n_phones > MAX_MULTI ? "phone numbers" : "e-mail addresses",
		        MAX_MULTI);
		t->err->code = "too_many";
		return VK_EUNPROC;
	}
	bool phones_changed = n_phones != keep.n_phones, emails_changed = n_emails != keep.n_emails;
	/* the kept record changes even if only its links do: its version tells editors to reload */
	if ((rc = store_record_update(c, e, keep.id, keep.version, v, changed, t->p->user_id, t->now)) != VK_OK)
		return rc == VK_ECONFLICT ? vk_fail(t->err, rc, "keep", "the record changed meanwhile; reload") : rc;
	if (phones_changed && (rc = store_record_set_phones(c, e, keep.id, phones, phones, n_phones)) != VK_OK)
		return rc;
	if (emails_changed && (rc = store_record_set_emails(c, e, keep.id, emails, n_emails)) != VK_OK)
		return rc;
	if ((rc = copy_timeline(c, t, &t->out->events)) != VK_OK)
		return rc;
	rc = record_change_events(c, t->p, e, keep.id, t->now, keep.v, v, changed, "merge", a);
	if (rc == VK_OK && phones_changed)
		rc = add_event(c, t, e, keep.id, "update", "phones", record_list_json(a, keep.phones, keep.n_phones),
		               record_list_json(a, phones, n_phones), "merge");
	if (rc == VK_OK && emails_changed)
		rc = add_event(c, t, e, keep.id, "update", "emails", record_list_json(a, keep.emails, keep.n_emails),
		               record_list_json(a, emails, n_emails), "merge");
	if (rc != VK_OK)
		return rc;
	if (e == &entity_contact)
		rc = repoint(c, t, &entity_deal, "contact_id", &t->out->deals);
	if (e == &entity_company) {
		rc = repoint(c, t, &entity_contact, "company_id", &t->out->contacts);
		if (rc == VK_OK)
			rc = repoint(c, t, &entity_deal, "company_id", &t->out->deals);
	}
	if (rc == VK_OK)
		rc = store_move_activity(c, e->name, merge.id, keep.id, t->now, &t->out->notes, &t->out->tasks);
	if (rc == VK_OK)
		rc = store_record_delete(c, e, merge.id, t->now);
	if (rc == VK_OK)
		rc = store_record_index(c, e, keep.id, record_search_text(c, a, e, v, phones, n_phones, emails, n_emails));
	int ti = record_field_index(e, e->title);
	if (rc == VK_OK) {
		json_t *o = json_pack("{s:I, s:s}", "merged", (json_int_t)merge.id, "name", merge.v[ti].s ? merge.v[ti].s : "");
		rc = add_event(c, t, e, keep.id, "merge", NULL, NULL, record_json_text(a, o), NULL);
		json_decref(o);
	}
	if (rc == VK_OK) {
		json_t *o = json_pack("{s:I, s:s}", "into", (json_int_t)keep.id, "name", v[ti].s ? v[ti].s : "");
		rc = add_event(c, t, e, merge.id, "merge", NULL, NULL, record_json_text(a, o),
		               arena_printf(a, "merged into %s %lld", e->name, (long long)keep.id));
		json_decref(o);
	}
	/* a company that got its first contacts may move on (lead → firm), as on a link by hand */
	int ci = record_field_index(e, "company_id");
	if (rc == VK_OK && e == &entity_company && t->out->contacts > 0)
		rc = record_auto_move(c, t->p, e, keep.id, "contact_linked", "a contact was linked", t->now, a);
	if (rc == VK_OK && e == &entity_contact && changed[ci] && v[ci].kind == V_INT)
		rc = record_auto_move(c, t->p, &entity_company, v[ci].i, "contact_linked", "a contact was linked", t->now, a);
	return rc;
}

enum vk_rc merge_records(struct store *s, const struct principal *p, const struct entity *e, json_t *in,
                         struct arena *a, struct merge_result *out, struct vk_err *err)
{
	static const char *const keys[] = { "keep", "merge", "fields", "keep_version", "merge_version", NULL };
	struct merge_tx t = { .p = p, .e = e, .a = a, .err = err, .now = clock_now_ms(), .out = out };
	bool present;
	enum vk_rc rc;
	memset(out, 0, sizeof *out);
	if (e != &entity_contact && e != &entity_company)
		return vk_fail(err, VK_EINVAL, NULL, "only contacts and companies can be merged");
	if ((rc = json_only_keys(in, keys, err)) != VK_OK ||
	    (rc = json_get_int(in, "keep", true, 1, INT64_MAX, &t.keep_id, &present, err)) != VK_OK ||
	    (rc = json_get_int(in, "merge", true, 1, INT64_MAX, &t.merge_id, &present, err)) != VK_OK ||
	    (rc = json_get_int(in, "keep_version", false, 1, INT64_MAX, &t.keep_version, &present, err)) != VK_OK ||
	    (rc = json_get_int(in, "merge_version", false, 1, INT64_MAX, &t.merge_version, &present, err)) != VK_OK)
		return rc;
	if (t.keep_id == t.merge_id)
		return vk_fail(err, VK_EINVAL, "merge", "keep and merge must be two different records");
	rc = read_choices(s, &t, json_object_get(in, "fields"), err);
	if (rc == VK_OK)
		rc = store_write(s, merge_write, &t);
	json_decref(t.custom_picks);
	if (rc != VK_OK)
		return rc;
	if (record_get(s, p, e, t.keep_id, a, &out->kept) != VK_OK) {
		memset(&out->kept, 0, sizeof out->kept);
		out->kept.e = e;
		out->kept.id = t.keep_id;
	}
	return VK_OK;
}
