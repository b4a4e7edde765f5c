/* /api/health, /api/settings, /api/timeline, /api/openapi.json, /metrics, /api/test/clock */
#include "http/http.h"
#include "core/builtin.h"
#include "core/clock.h"
#include "core/json.h"
#include "crm/record.h"
#include "http/render.h"
#include "org/settings.h"
#include "version.h"

#include <string.h>

static void health(struct req *r)
{
	reply_json(r, 200, json_pack("{s:b, s:s}", "ok", 1, "version", VORONKA_VERSION));
}

static json_t *settings_json(struct req *r)
{
	json_t *o = json_object();
	struct conn *c = store_reader(req_store(r));
	for (const struct setting_def *d = settings_defs; d->key; d++)
		json_object_set_new(o, d->key, json_string(settings_get(c, d->key, r->arena)));
	return o;
}

static void settings_show(struct req *r)
{
	reply_json(r, 200, settings_json(r));
}

static void settings_patch(struct req *r)
{
	struct vk_err err = { 0 };
	size_t n = json_object_size(r->json);
	struct setting_change *ch = arena_alloc(r->arena, sizeof *ch * (n + 1));
	int i = 0;
	const char *key;
	json_t *value;
	json_object_foreach(r->json, key, value) {
		if (!settings_find(key))
			return reply_error_msg(r, 400, "invalid", key, "unknown setting");
		if (!json_is_string(value))
			return reply_error_msg(r, 400, "invalid", key, "a setting's value must be a string");
		ch[i++] = (struct setting_change){ key, json_string_value(value) };
	}
	enum vk_rc rc = settings_update(req_store(r), r->user, ch, i, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 200, settings_json(r));
}

/* Everyone may read their own user record's timeline; other timelines need timeline.read.
 * Record-level scopes (a record outside scope answers 404) join here as entities arrive. */
static bool own_record(const struct principal *p, const char *entity, int64_t id)
{
	return strcmp(entity, "user") == 0 && id == p->user_id && !p->token_id;
}

static void timeline(struct req *r)
{
	static const char *const entities[] = { "user", "settings", "token", "role", "contact", "company", "deal",
	                                             "team", "pipeline", "field", "list", "product", NULL };
	const char *entity = req_query(r, "entity"), *ids = req_query(r, "id");
	int limit;
	int64_t cursor, id = 0;
	if (!req_list_args(r, &limit, &cursor))
		return;
	if (!entity)
		return reply_error_msg(r, 400, "missing", "entity", "entity is required");
	bool known = false;
	for (const char *const *e = entities; *e; e++)
		known = known || strcmp(*e, entity) == 0;
	if (!known)
		return reply_error_msg(r, 400, "invalid", "entity", "unknown entity");
	if (!ids)
		return reply_error_msg(r, 400, "missing", "id", "id is required");
	if (strcmp(ids, "0") != 0) {
		char *end;
		long long v = strtoll(ids, &end, 10);
		if (*end || v <= 0)
			return reply_error_msg(r, 400, "invalid", "id", "id must be a positive integer");
		id = v;
	}
	const struct entity *crm = entity_by_name(entity);
	if (crm) {
		/* a record's history is readable exactly when the record is */
		struct record rec;
		bool star = auth_all(r->user);
		/* an administrator audits deleted records too: their history ends with the delete */
		if (record_get(req_store(r), r->user, crm, id, r->arena, &rec) != VK_OK &&
		    !(star && store_record_ever_existed(store_reader(req_store(r)), crm, id)))
			return reply_error_msg(r, 404, "not_found", NULL, "no such record");
	} else if (!own_record(r->user, entity, id) && !auth_can(r->user, CAP_TIMELINE_READ)) {
		return reply_error_msg(r, 403, "forbidden", NULL, "your role does not allow reading this timeline");
	}
	struct event *items;
	int n;
	event_list(store_reader(req_store(r)), entity, id, cursor, limit + 1, r->arena, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n && i < limit; i++) {
		/* a field the role may not see has no visible history either */
		if (crm && items[i].field && auth_field_hidden(store_reader(req_store(r)), r->user, entity, items[i].field, r->arena))
			continue;
		/* a deal's line items carry their amounts: hidden with the amount */
		if (crm == &entity_deal && items[i].field && !strcmp(items[i].field, "items") &&
		    auth_field_hidden(store_reader(req_store(r)), r->user, entity, "amount", r->arena))
			continue;
		json_array_append_new(arr, render_event(&items[i]));
	}
	reply_list(r, arr, n > limit ? items[limit - 1].id : 0);
}

static void openapi(struct req *r)
{
	const struct builtin_file *f = builtin_find("docs/openapi.json");
	json_error_t jerr;
	json_t *doc = f ? json_loadb((const char *)f->data, f->len, 0, &jerr) : NULL;
	if (!doc)
		return reply_error(r, VK_EIO, NULL);
	reply_json(r, 200, doc);
}

static void metrics(struct req *r)
{
	metrics_render(r->srv, r);
}

/* Only with --test-clock: lets black-box tests move time (session expiry, schedules). */
static void test_clock(struct req *r)
{
	static const char *const keys[] = { "now_ms", "advance_ms", NULL };
	struct vk_err err = { 0 };
	int64_t v;
	bool has_now = false, has_adv = false;
	enum vk_rc rc = json_only_keys(r->json, keys, &err);
	if (rc == VK_OK)
		rc = json_get_int(r->json, "now_ms", false, 0, INT64_MAX / 2, &v, &has_now, &err);
	if (rc == VK_OK && has_now)
		clock_set_ms(v);
	if (rc == VK_OK)
		rc = json_get_int(r->json, "advance_ms", false, -(INT64_MAX / 4), INT64_MAX / 4, &v, &has_adv, &err);
	if (rc == VK_OK && has_adv)
		clock_advance_ms(v);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 200, json_pack("{s:I}", "now_ms", (json_int_t)clock_now_ms()));
}

const struct route api_core_routes[] = {
	{ "GET", "/api/health", health, 0, NULL },
	{ "GET", "/api/settings", settings_show, R_AUTH, NULL },
	{ "PATCH", "/api/settings", settings_patch, R_AUTH | R_JSON, CAP_SETTINGS_MANAGE },
	{ "GET", "/api/timeline", timeline, R_AUTH, NULL },
	{ "GET", "/api/openapi.json", openapi, 0, NULL },
	{ "GET", "/metrics", metrics, R_METRICS, NULL },
	{ "POST", "/api/test/clock", test_clock, R_JSON | R_TEST_ONLY, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
