/* /api/fields (custom field definitions), /api/lists (value lists), DELETE /api/pipelines/KEY */
#include "http/http.h"
#include "crm/config.h"
#include "crm/field.h"

#include <string.h>

static json_t *render_field(const struct field_row *f)
{
	json_t *opts = json_loads(f->options, 0, NULL);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:i, s:b}", "id", (json_int_t)f->id, "entity", f->entity,
	                 "key", f->key, "label", f->label, "type", f->type, "options", opts ? opts : json_array(), "list",
	                 f->list_key ? json_string(f->list_key) : json_null(), "required", f->required, "sort", f->sort,
	                 "filterable", field_type_indexed(f->type));
}

static json_t *render_list(const struct value_list *l)
{
	json_t *items = json_array();
	for (int i = 0; i < l->n_items; i++)
		json_array_append_new(items, json_pack("{s:s, s:s}", "value", l->items[i].value, "label", l->items[i].label));
	return json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)l->id, "key", l->key, "name", l->name, "items", items);
}

static void fields_list(struct req *r)
{
	const char *entity = req_query(r, "entity");
	if (entity && !entity_by_name(entity))
		return reply_error_msg(r, 400, "invalid", "entity", "entity must be contact, company or deal");
	struct field_row *items;
	int n;
	store_field_list(store_reader(req_store(r)), entity, r->arena, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, render_field(&items[i]));
	reply_list(r, arr, 0);
}

static void fields_create(struct req *r)
{
	struct vk_err err = { 0 };
	struct field_row f;
	enum vk_rc rc = field_create(req_store(r), r->user, r->json, r->arena, &f, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 201, render_field(&f));
}

static void fields_update(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	struct field_row f;
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = field_update(req_store(r), r->user, id, r->json, r->arena, &f, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 200, render_field(&f));
}

static void fields_delete(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = field_delete(req_store(r), r->user, id, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_status(r, 204);
}

static void lists_all(struct req *r)
{
	struct value_list *items;
	int n;
	store_list_all(store_reader(req_store(r)), r->arena, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, render_list(&items[i]));
	reply_list(r, arr, 0);
}

static void lists_get(struct req *r)
{
	struct value_list l;
	if (store_list_by_key(store_reader(req_store(r)), r->params[0], r->arena, &l) != VK_OK)
		return reply_error_msg(r, 404, "not_found", NULL, "no such list");
	reply_json(r, 200, render_list(&l));
}

static void lists_put(struct req *r)
{
	struct vk_err err = { 0 };
	struct value_list l;
	enum vk_rc rc = list_put(req_store(r), r->user, r->params[0], r->json, r->arena, &l, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 200, render_list(&l));
}

static void lists_delete(struct req *r)
{
	struct vk_err err = { 0 };
	enum vk_rc rc = list_delete(req_store(r), r->user, r->params[0], &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_status(r, 204);
}

/* The pipeline's configuration is PUT with the records' routes; deleting it is a settings
 * matter like deleting a field or a list. */
static void pipelines_delete(struct req *r)
{
	struct vk_err err = { 0 };
	enum vk_rc rc = config_pipeline_delete(req_store(r), r->user->user_id, r->params[0], &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_status(r, 204);
}

const struct route api_fields_routes[] = {
	{ "GET", "/api/fields", fields_list, R_AUTH, NULL },
	{ "POST", "/api/fields", fields_create, R_AUTH | R_JSON, CAP_SETTINGS_MANAGE },
	{ "PATCH", "/api/fields/:id", fields_update, R_AUTH | R_JSON, CAP_SETTINGS_MANAGE },
	{ "DELETE", "/api/fields/:id", fields_delete, R_AUTH, CAP_SETTINGS_MANAGE },
	{ "GET", "/api/lists", lists_all, R_AUTH, NULL },
	{ "GET", "/api/lists/:key", lists_get, R_AUTH, NULL },
	{ "PUT", "/api/lists/:key", lists_put, R_AUTH | R_JSON, CAP_SETTINGS_MANAGE },
	{ "DELETE", "/api/lists/:key", lists_delete, R_AUTH, CAP_SETTINGS_MANAGE },
	{ "DELETE", "/api/pipelines/:key", pipelines_delete, R_AUTH, CAP_SETTINGS_MANAGE },
	{ NULL, NULL, NULL, 0, NULL },
};
