/* /api/contacts, /api/companies, /api/deals, /api/pipelines, /api/duplicates */
#include "http/http.h"
#include "core/json.h"
#include "core/clock.h"
#include "crm/config.h"
#include "crm/record.h"
#include "core/buf.h"
#include "http/render.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Field keys this request's role may not see on e. */
static int hidden_for(struct req *r, const struct entity *e, const char ***keys)
{
	int n = 0;
	*keys = NULL;
	if (!auth_all(r->user))
		store_hidden_fields(store_reader(req_store(r)), r->user->role_id, e->name, r->arena, keys, &n);
	return n;
}

const struct entity *entity_of(struct req *r)
{
	char plural[32];
	const char *p = r->path + 5, *slash = strchr(p, '/');
	size_t n = slash ? (size_t)(slash - p) : strlen(p);
	if (n >= sizeof plural)
		return NULL;
	memcpy(plural, p, n);
	plural[n] = '\0';
	return entity_by_plural(plural);
}

struct args { struct query_arg *items; int n, cap; struct arena *a; };

static void collect(void *ctx, const char *key, const char *value)
{
	struct args *g = ctx;
	if (g->n < g->cap)
		g->items[g->n++] = (struct query_arg){ arena_strdup(g->a, key), arena_strdup(g->a, value) };
	else
		g->n = g->cap + 1;
}

int query_args(struct req *r, int cap, struct query_arg **items)
{
	struct args g = { .cap = cap, .a = r->arena };
	g.items = arena_alloc(r->arena, sizeof *g.items * (size_t)cap);
	req_query_each(r, collect, &g);
	*items = g.items;
	return g.n > cap ? -1 : g.n;
}

static void list(struct req *r)
{
	const struct entity *e = entity_of(r);
	struct query_arg *args;
	int n_args = query_args(r, 40, &args);
	if (n_args < 0)
		return reply_error_msg(r, 400, "invalid", NULL, "too many query arguments");
	struct vk_err err = { 0 };
	struct record_page page;
	enum vk_rc rc = record_list(req_store(r), r->user, e, args, n_args, r->arena, &page, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	const char **hidden;
	int n_hidden = hidden_for(r, e, &hidden);
	/* written as text: a jansson tree of a page was half of its CPU (render_record_text) */
	struct buf b;
	buf_init(&b, 64 * 1024 * 1024);
	bool ok = buf_puts(&b, "{\"items\":[");
	for (int i = 0; ok && i < page.n; i++)
		ok = (i == 0 || buf_puts(&b, ",")) && render_record_text(&b, &page.items[i], hidden, n_hidden);
	/* the cursor is base64url: nothing in it needs escaping */
	ok = ok && buf_printf(&b, "],\"next\":%s%s%s", page.next ? "\"" : "", page.next ? page.next : "null",
	                      page.next ? "\"" : "");
	if (ok && page.total >= 0)
		ok = buf_printf(&b, ",\"total\":%lld", (long long)page.total);
	ok = ok && buf_puts(&b, "}");
	if (!ok) {
		buf_release(&b);
		return reply_error(r, VK_EIO, NULL);
	}
	reply_json_text(r, 200, &b);
}

/* The record with, for pipeline entities, its checklists by stage. */
static json_t *record_detail(struct req *r, const struct record *rec)
{
	const char **hidden;
	int n_hidden = hidden_for(r, rec->e, &hidden);
	json_t *o = render_record(rec, hidden, n_hidden);
	int pi = -1;
	for (int i = 0; rec->v && i < rec->e->n_fields; i++)
		if (rec->e->fields[i].type == FT_PIPELINE)
			pi = i;
	if (pi < 0 || rec->v[pi].kind != V_INT)
		return o;
	struct conn *c = store_reader(req_store(r));
	struct pipeline pl;
	json_t *lists = json_object();
	if (rec->v[pi].label && store_pipeline_by_key(c, rec->v[pi].label, r->arena, &pl) == VK_OK)
		for (int s = 0; s < pl.n_stages; s++) {
			struct checklist_item *items;
			int n;
			store_checklist(c, pl.stages[s].id, rec->e->name, rec->id, r->arena, &items, &n);
			if (!n)
				continue;
			json_t *arr = json_array();
			for (int k = 0; k < n; k++)
				json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "key", items[k].key, "label",
				                                     items[k].label, "done", items[k].done));
			json_object_set_new(lists, pl.stages[s].key, arr);
		}
	json_object_set_new(o, "checklists", lists);
	if (rec->e == &entity_deal)
		json_object_set_new(o, "items", render_deal_items(c, rec->id, !auth_field_hidden(c, r->user, "deal", "amount", r->arena), r->arena));
	return o;
}

/* The matches of a refused duplicate: what the caller may read by id, name and owner; what
 * they may not only as "a contact (or company) exists" — no id, name or owner. */
static json_t *render_dups(const struct record_dups *d)
{
	json_t *arr = json_array();
	for (int i = 0; i < d->n; i++) {
		const struct dup *x = &d->items[i];
		json_t *o = json_pack("{s:s, s:o, s:s, s:b}", "entity", x->e->name, "id",
		                      x->visible ? json_integer(x->id) : json_null(), "match", x->match, "visible", x->visible);
		if (x->visible) {
			json_object_set_new(o, "name", json_string(x->name));
			json_object_set_new(o, "owner_name", x->owner_name[0] ? json_string(x->owner_name) : json_null());
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

static void create(struct req *r)
{
	struct vk_err err = { 0 };
	struct record rec;
	struct record_dups dups = { 0 };
	enum vk_rc rc = record_create(req_store(r), r->user, entity_of(r), r->json, r->arena, &rec, &dups, &err);
	if (rc == VK_ECONFLICT && err.code && !strcmp(err.code, "duplicate")) {
		json_t *body = json_pack("{s:{s:s, s:s, s:s}, s:o}", "error", "code", "duplicate", "message", err.message, "field",
		                         err.field ? err.field : "", "duplicates", render_dups(&dups));
		return reply_json(r, 409, body);
	}
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 201, record_detail(r, &rec));
}

static void get(struct req *r)
{
	int64_t id;
	struct record rec;
	if (!req_param_id(r, 0, &id))
		return;
	const struct entity *e = entity_of(r);
	if (record_get(req_store(r), r->user, e, id, r->arena, &rec) != VK_OK)
		return reply_error_msg(r, 404, "not_found", NULL, "no such record");
	reply_json(r, 200, record_detail(r, &rec));
}

static void update(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	struct record rec;
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = record_update(req_store(r), r->user, entity_of(r), id, r->json, r->arena, &rec, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 200, record_detail(r, &rec));
}

static void delete(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = record_delete(req_store(r), r->user, entity_of(r), id, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_status(r, 204);
}

static void checklist(struct req *r)
{
	static const char *const keys[] = { "done", NULL };
	int64_t id;
	struct vk_err err = { 0 };
	bool done = false, present;
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = json_only_keys(r->json, keys, &err);
	if (rc == VK_OK)
		rc = json_get_bool(r->json, "done", true, &done, &present, &err);
	if (rc == VK_OK)
		rc = record_checklist_mark(req_store(r), r->user, entity_of(r), id, r->params[1], r->params[2], done, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	struct record rec;
	if (record_get(req_store(r), r->user, entity_of(r), id, r->arena, &rec) != VK_OK)
		return reply_status(r, 204);
	reply_json(r, 200, record_detail(r, &rec));
}

/* Pipelines the user may see, with stages and, per stage, where this user may move a record
 * ("moves" is null when the pipeline has no matrix or the role may do anything). */
static void pipelines(struct req *r)
{
	const char *entity = req_query(r, "entity");
	if (entity && strcmp(entity, "deal") != 0 && strcmp(entity, "company") != 0)
		return reply_error_msg(r, 400, "invalid", "entity", "entity must be deal or company");
	struct conn *c = store_reader(req_store(r));
	bool star = auth_all(r->user);
	struct pipeline *items;
	int n;
	store_pipeline_list(c, entity, star ? -1 : r->user->role_id, r->arena, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		struct pipeline *p = &items[i];
		bool matrix = !star && store_pipeline_has_matrix(c, p->id);
		json_t *stages = json_array();
		for (int s = 0; s < p->n_stages; s++) {
			struct stage *st = &p->stages[s];
			json_t *req = json_loads(st->required_fields, 0, NULL);
			json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)st->id, "key", st->key,
			                      "name", st->name, "kind", st->kind, "color", st->color, "required_fields",
			                      req ? req : json_array());
			if (matrix) {
				int64_t *to;
				int k;
				store_transitions_from(c, r->user->role_id, st->id, r->arena, &to, &k);
				json_t *moves = json_array();
				for (int m = 0; m < k; m++)
					for (int x = 0; x < p->n_stages; x++)
						if (p->stages[x].id == to[m])
							json_array_append_new(moves, json_string(p->stages[x].key));
				json_object_set_new(o, "moves", moves);
			} else {
				json_object_set_new(o, "moves", json_null());
			}
			json_array_append_new(stages, o);
		}
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)p->id, "entity",
		                                     p->entity, "key", p->key, "name", p->name, "stages", stages));
	}
	reply_list(r, arr, 0);
}

/* GET /api/pipelines/KEY/config: the whole rule set (matrix for every role) for the settings
 * screen; PUT replaces it (the same JSON as presets). */
static void pipeline_config_get(struct req *r)
{
	json_t *p = config_pipeline_json(store_reader(req_store(r)), r->params[0], r->arena);
	if (!p)
		return reply_error_msg(r, 404, "not_found", NULL, "no such pipeline");
	reply_json(r, 200, p);
}

struct pipeline_put_tx { json_t *doc; int64_t actor, now; struct arena *a; struct vk_err *err; };

static enum vk_rc pipeline_put_write(struct conn *c, void *ctx)
{
	struct pipeline_put_tx *t = ctx;
	struct pipeline existing;
	int sort = 0;
	if (store_pipeline_by_key(c, json_string_value(json_object_get(t->doc, "key")), t->a, &existing) == VK_OK)
		sort = existing.sort;
	else {
		struct pipeline *all;
		int n;
		store_pipeline_list(c, NULL, -1, t->a, &all, &n);
		sort = n;
	}
	return config_pipeline(c, t->doc, sort, t->actor, t->now, t->a, t->err);
}

static void pipeline_config_put(struct req *r)
{
	static const char *const keys[] = { "key", "entity", "name", "stages", "transitions", "auto_moves", "visible_to", NULL };
	struct vk_err err = { 0 };
	enum vk_rc rc = json_only_keys(r->json, keys, &err);
	json_t *k = json_object_get(r->json, "key");
	if (rc == VK_OK && k && (!json_is_string(k) || strcmp(json_string_value(k), r->params[0])))
		rc = vk_fail(&err, VK_EINVAL, "key", "key must match the URL");
	if (rc == VK_OK && !k)
		json_object_set_new(r->json, "key", json_string(r->params[0]));
	struct pipeline_put_tx t = { r->json, r->user->user_id, clock_now_ms(), r->arena, &err };
	if (rc == VK_OK)
		rc = store_write(req_store(r), pipeline_put_write, &t);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 200, config_pipeline_json(store_reader(req_store(r)), r->params[0], r->arena));
}

static json_t *render_total(const struct pipeline_summary *sum, const struct stage_total *t)
{
	json_t *o = json_pack("{s:I}", "count", (json_int_t)t->count);
	if (!sum->amounts) {
		json_object_set_new(o, "sums", json_null());
		return o;
	}
	json_t *sums = json_object();
	for (int i = 0; i < t->n_sums; i++) {
		double v = t->sums[i].amount;
		json_object_set_new(sums, t->sums[i].currency, json_integer(v > 9.2e18 ? INT64_MAX : (json_int_t)llround(v)));
	}
	json_object_set_new(o, "sums", sums);
	return o;
}

/* GET /api/pipelines/KEY/summary?FILTERS: the board's column totals in one query */
static void pipeline_summary(struct req *r)
{
	struct query_arg *args;
	int n_args = query_args(r, 40, &args);
	if (n_args < 0)
		return reply_error_msg(r, 400, "invalid", NULL, "too many query arguments");
	struct vk_err err = { 0 };
	struct pipeline_summary sum;
	enum vk_rc rc = record_summary(req_store(r), r->user, r->params[0], args, n_args, r->arena, &sum, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	json_t *stages = json_array();
	for (int i = 0; i < sum.n_stages; i++) {
		json_t *o = render_total(&sum, &sum.stages[i]);
		json_object_set_new(o, "stage", json_string(sum.stages[i].stage));
		json_array_append_new(stages, o);
	}
	reply_json(r, 200, json_pack("{s:s, s:s, s:b, s:o, s:o}", "pipeline", sum.pipeline, "entity", sum.e->name,
	                             "amounts", sum.amounts, "stages", stages, "total", render_total(&sum, &sum.total)));
}

static void duplicates(struct req *r)
{
	const char *phone = req_query(r, "phone"), *email = req_query(r, "email"), *name = req_query(r, "name"),
	           *domain = req_query(r, "domain");
	if (!phone && !email && !name && !domain)
		return reply_error_msg(r, 400, "missing", "name", "give at least one of phone, email, name, domain");
	struct vk_err err = { 0 };
	struct dup *items;
	int n;
	enum vk_rc rc = record_duplicates(req_store(r), r->user, phone, email, name, domain, r->arena, &items, &n, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		const struct dup *d = &items[i];
		/* what the user may not read is named, not opened */
		json_array_append_new(arr, json_pack("{s:s, s:o, s:s, s:o, s:s, s:b}", "entity", d->e->name, "id",
		                                     d->visible ? json_integer(d->id) : json_null(), "name", d->name,
		                                     "owner_name", d->owner_name[0] ? json_string(d->owner_name) : json_null(),
		                                     "match", d->match, "visible", d->visible));
	}
	reply_list(r, arr, 0);
}

/* POST /api/companies/reassign {"to_owner_id":5, "ids":[…] | "from_owner_id":4, "cascade":true} */
static void reassign(struct req *r)
{
	static const char *const keys[] = { "to_owner_id", "from_owner_id", "ids", "cascade", NULL };
	struct vk_err err = { 0 };
	int64_t to = 0, from = 0;
	bool has_from = false, present, cascade = true;
	enum vk_rc rc = json_only_keys(r->json, keys, &err);
	if (rc == VK_OK)
		rc = json_get_int(r->json, "to_owner_id", true, 1, INT64_MAX, &to, &present, &err);
	if (rc == VK_OK)
		rc = json_get_int(r->json, "from_owner_id", false, 1, INT64_MAX, &from, &has_from, &err);
	if (rc == VK_OK)
		rc = json_get_bool(r->json, "cascade", false, &cascade, &present, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	json_t *ids = json_object_get(r->json, "ids");
	int64_t *list = NULL;
	int n = 0;
	if (ids) {
		if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > 10000)
			return reply_error_msg(r, 400, "invalid", "ids", "ids must be a list of 1 to 10000 record ids");
		list = arena_alloc(r->arena, sizeof *list * json_array_size(ids));
		size_t i;
		json_t *v;
		json_array_foreach(ids, i, v) {
			if (!json_is_integer(v) || json_integer_value(v) <= 0)
				return reply_error_msg(r, 400, "invalid", "ids", "ids must be positive integers");
			list[n++] = json_integer_value(v);
		}
	}
	if (!ids == !has_from)
		return reply_error_msg(r, 400, "missing", "ids", "give either ids or from_owner_id");
	int moved = 0;
	rc = record_reassign(req_store(r), r->user, entity_of(r), list, n, from, to, cascade, &moved, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 200, json_pack("{s:i}", "moved", moved));
}

#define RECORD_ROUTES(plural)                                                                   \
	{ "GET", "/api/" plural, list, R_AUTH, NULL },                                              \
	{ "POST", "/api/" plural, create, R_AUTH | R_JSON, NULL },                                  \
	{ "GET", "/api/" plural "/:id", get, R_AUTH, NULL },                                        \
	{ "PATCH", "/api/" plural "/:id", update, R_AUTH | R_JSON, NULL },                          \
	{ "DELETE", "/api/" plural "/:id", delete, R_AUTH, NULL }

const struct route api_records_routes[] = {
	RECORD_ROUTES("contacts"),
	RECORD_ROUTES("companies"),
	RECORD_ROUTES("deals"),
	{ "POST", "/api/contacts/reassign", reassign, R_AUTH | R_JSON, NULL },
	{ "POST", "/api/companies/reassign", reassign, R_AUTH | R_JSON, NULL },
	{ "POST", "/api/deals/reassign", reassign, R_AUTH | R_JSON, NULL },
	{ "PUT", "/api/companies/:id/checklist/:stage/:item", checklist, R_AUTH | R_JSON, NULL },
	{ "PUT", "/api/deals/:id/checklist/:stage/:item", checklist, R_AUTH | R_JSON, NULL },
	{ "GET", "/api/pipelines", pipelines, R_AUTH, NULL },
	{ "GET", "/api/pipelines/:key/config", pipeline_config_get, R_AUTH, CAP_SETTINGS_MANAGE },
	{ "GET", "/api/pipelines/:key/summary", pipeline_summary, R_AUTH, NULL },
	{ "PUT", "/api/pipelines/:key/config", pipeline_config_put, R_AUTH | R_JSON, CAP_SETTINGS_MANAGE },
	{ "GET", "/api/duplicates", duplicates, R_AUTH, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
