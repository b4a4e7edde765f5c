/* /api/products and /api/deals/ID/items */
#include "http/http.h"
#include "core/json.h"
#include "crm/product.h"
#include "crm/record.h"
#include "http/render.h"

#include <string.h>

static json_t *render_product(const struct product *p)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:b, s:I, s:I}", "id", (json_int_t)p->id, "code", p->code,
	                 "name", p->name, "unit", p->unit, "price", (json_int_t)p->price, "currency", p->currency,
	                 "active", p->active, "created_at", (json_int_t)p->created_at, "updated_at",
	                 (json_int_t)p->updated_at);
}

static void products_list(struct req *r)
{
	int limit;
	int64_t cursor;
	if (!req_list_args(r, &limit, &cursor))
		return;
	const char *q = req_query(r, "q"), *active = req_query(r, "active");
	int act = -1;
	if (active && strcmp(active, "true") && strcmp(active, "false"))
		return reply_error_msg(r, 400, "invalid", "active", "active must be true or false");
	if (active)
		act = !strcmp(active, "true");
	if (q && strlen(q) > 200)
		return reply_error_msg(r, 400, "invalid", "q", "the search text is too long");
	struct product *items;
	int n;
	store_product_list(store_reader(req_store(r)), q, act, cursor, limit + 1, r->arena, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(arr, render_product(&items[i]));
	reply_list(r, arr, n > limit ? items[limit - 1].id : 0);
}

static void products_get(struct req *r)
{
	int64_t id;
	struct product p;
	if (!req_param_id(r, 0, &id))
		return;
	if (store_product_get(store_reader(req_store(r)), id, r->arena, &p) != VK_OK)
		return reply_error_msg(r, 404, "not_found", NULL, "no such product");
	reply_json(r, 200, render_product(&p));
}

static void products_create(struct req *r)
{
	struct vk_err err = { 0 };
	struct product p;
	enum vk_rc rc = product_create(req_store(r), r->user, r->json, r->arena, &p, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 201, render_product(&p));
}

static void products_update(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	struct product p;
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = product_update(req_store(r), r->user, id, r->json, r->arena, &p, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 200, render_product(&p));
}

static void items_get(struct req *r)
{
	int64_t id;
	struct record rec;
	if (!req_param_id(r, 0, &id))
		return;
	if (record_get(req_store(r), r->user, &entity_deal, id, r->arena, &rec) != VK_OK)
		return reply_error_msg(r, 404, "not_found", NULL, "no such deal");
	struct conn *c = store_reader(req_store(r));
	reply_list(r, render_deal_items(c, id, !auth_field_hidden(c, r->user, "deal", "amount", r->arena), r->arena), 0);
}

static void items_put(struct req *r)
{
	static const char *const keys[] = { "version", "items", NULL };
	int64_t id, version = 0;
	bool present;
	struct vk_err err = { 0 };
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = json_only_keys(r->json, keys, &err);
	if (rc == VK_OK)
		rc = json_get_int(r->json, "version", true, 1, INT64_MAX, &version, &present, &err);
	if (rc == VK_OK && !json_object_get(r->json, "items"))
		rc = vk_fail(&err, VK_EMISSING, "items", "items is required (an empty list clears them)");
	if (rc == VK_OK)
		rc = deal_items_set(req_store(r), r->user, id, version, json_object_get(r->json, "items"), r->arena, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	struct record rec;
	/* deal_items_set refused a role that may not see the amount: prices are shown */
	json_t *items = render_deal_items(store_reader(req_store(r)), id, true, r->arena);
	json_t *body = json_pack("{s:o}", "items", items);
	if (record_get(req_store(r), r->user, &entity_deal, id, r->arena, &rec) == VK_OK) {
		json_object_set_new(body, "version", json_integer(rec.version));
		int ai = -1;
		for (int i = 0; i < rec.e->n_fields; i++)
			if (!strcmp(rec.e->fields[i].key, "amount"))
				ai = i;
		json_object_set_new(body, "amount", json_integer(rec.v[ai].i));
	}
	reply_json(r, 200, body);
}

const struct route api_products_routes[] = {
	{ "GET", "/api/products", products_list, R_AUTH, NULL },
	{ "POST", "/api/products", products_create, R_AUTH | R_JSON, CAP_SETTINGS_MANAGE },
	{ "GET", "/api/products/:id", products_get, R_AUTH, NULL },
	{ "PATCH", "/api/products/:id", products_update, R_AUTH | R_JSON, CAP_SETTINGS_MANAGE },
	{ "GET", "/api/deals/:id/items", items_get, R_AUTH, NULL },
	{ "PUT", "/api/deals/:id/items", items_put, R_AUTH | R_JSON, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
