#include "http/render.h"
#include "store/product.h"
#include "store/record.h"

#include <stdio.h>
#include <string.h>

json_t *render_user(const struct user *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:I, s:I}", "id", (json_int_t)u->id,
	                 "login", u->login, "name", u->name, "role", u->role_key,
	                 "role_name", u->role_name, "active", u->active,
	                 "team_id", u->team_id ? json_integer(u->team_id) : json_null(),
	                 "team_name", u->team_name ? json_string(u->team_name) : json_null(),
	                 "created_at", (json_int_t)u->created_at, "updated_at", (json_int_t)u->updated_at);
}

static json_t *caps_array(const char *const *caps, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_string(caps[i]));
	return a;
}

json_t *render_me(const struct principal *p, struct conn *c, struct arena *a)
{
	json_t *me;
	struct user u;
	if (!p->token_id && store_user_get(c, p->user_id, a, &u) == VK_OK) {
		me = render_user(&u);
	} else {
		me = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)p->user_id, "login",
		               p->login ? p->login : "", "name", p->name ? p->name : "", "role",
		               p->role_key ? p->role_key : "", "role_name", p->role_name ? p->role_name : "",
		               "active", 1);
		if (p->token_id)
			json_object_set_new(me, "token_id", json_integer(p->token_id));
	}
	json_object_set_new(me, "capabilities", caps_array(p->caps, p->n_caps));
	/* what the role may do with records, so the UI offers only what will work */
	static const char *const entities[] = { "contact", "company", "deal" };
	static const char *const actions[] = { "read", "create", "edit", "delete", "export" };
	static const char *const kinds[] = { "none", "own", "team", "all" };
	json_t *scopes = json_object(), *hidden = json_object();
	for (size_t e = 0; e < 3; e++) {
		json_t *acts = json_object();
		for (size_t k = 0; k < 5; k++) {
			struct scope sc;
			auth_scope(c, p, entities[e], actions[k], &sc);
			json_object_set_new(acts, actions[k], json_string(sc.linked ? "linked" : kinds[sc.kind]));
		}
		json_object_set_new(scopes, entities[e], acts);
		const char **keys;
		int n = 0;
		if (!auth_all(p))
			store_hidden_fields(c, p->role_id, entities[e], a, &keys, &n);
		json_t *list = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(list, json_string(keys[i]));
		json_object_set_new(hidden, entities[e], list);
	}
	json_object_set_new(me, "scopes", scopes);
	json_object_set_new(me, "hidden_fields", hidden);
	return me;
}

json_t *render_role(const struct role *r)
{
	return json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)r->id, "key", r->key, "name", r->name,
	                 "capabilities", caps_array(r->caps, r->n_caps));
}

json_t *render_token(const struct token_row *t)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:o, s:b}", "id", (json_int_t)t->id, "name", t->name,
	                 "role", t->role_key, "created_at", (json_int_t)t->created_at, "last_used_at",
	                 t->last_used_at ? json_integer(t->last_used_at) : json_null(), "revoked", t->revoked);
}

static json_t *opt_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *json_or_null(const char *text)
{
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	return v ? v : json_null();
}

json_t *render_event(const struct event *e)
{
	json_t *actor = e->actor_id ? json_pack("{s:I, s:o}", "id", (json_int_t)e->actor_id, "name",
	                                        opt_str(e->actor_name))
	                            : json_null();
	return json_pack("{s:I, s:s, s:I, s:o, s:s, s:o, s:o, s:o, s:I, s:o}", "id", (json_int_t)e->id,
	                 "entity", e->entity, "entity_id", (json_int_t)e->entity_id, "actor", actor,
	                 "kind", e->kind, "field", opt_str(e->field), "old", json_or_null(e->old_value),
	                 "new", json_or_null(e->new_value), "at", (json_int_t)e->at,
	                 "reason", opt_str(e->reason));
}

/* "owner_id" → "owner_name", "stage_id" → "stage": where a field's label goes. */
static void label_key(const struct fdef *f, char *out, size_t size)
{
	size_t n = strlen(f->key);
	bool id = n > 3 && strcmp(f->key + n - 3, "_id") == 0;
	if (f->type == FT_PIPELINE || f->type == FT_STAGE)
		snprintf(out, size, "%.*s", (int)(n - 3), f->key);
	else
		snprintf(out, size, "%.*s_name", (int)(id ? n - 3 : n), f->key);
}

static bool is_hidden(const char *key, const char *const *hidden, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(hidden[i], key))
			return true;
	return false;
}

json_t *render_record(const struct record *r, const char *const *hidden, int n_hidden)
{
	const struct entity *e = r->e;
	json_t *o = json_pack("{s:I, s:I}", "id", (json_int_t)r->id, "version", (json_int_t)r->version);
	if (!r->v)
		return o; /* written but no longer visible to the caller */
	for (int i = 0; i < e->n_fields; i++) {
		const struct fdef *f = &e->fields[i];
		const struct value *v = &r->v[i];
		if (is_hidden(f->key, hidden, n_hidden))
			continue;
		json_t *j = v->kind == V_INT ? json_integer(v->i) : v->kind == V_TEXT ? json_string(v->s) : json_null();
		if ((f->type == FT_JSONOBJ || f->type == FT_CUSTOM) && v->kind == V_TEXT) {
			json_decref(j);
			j = json_loads(v->s, 0, NULL);
			if (!j)
				j = json_object();
		} else if (f->type == FT_JSONOBJ || f->type == FT_CUSTOM) {
			json_decref(j);
			j = json_object();
		}
		if (f->type == FT_CUSTOM && j)
			for (int h = 0; h < n_hidden; h++)
				if (!strncmp(hidden[h], "custom.", 7))
					json_object_del(j, hidden[h] + 7);
		json_object_set_new(o, f->key, j ? j : json_null());
		if (f->type == FT_USER || f->type == FT_REF || f->type == FT_PIPELINE || f->type == FT_STAGE) {
			char lk[80];
			label_key(f, lk, sizeof lk);
			json_object_set_new(o, lk, v->label ? json_string(v->label) : json_null());
		}
	}
	if (e->has_phones) {
		json_t *ph = json_array(), *em = json_array();
		for (int i = 0; i < r->n_phones; i++)
			json_array_append_new(ph, json_string(r->phones[i]));
		for (int i = 0; i < r->n_emails; i++)
			json_array_append_new(em, json_string(r->emails[i]));
		json_object_set_new(o, "phones", ph);
		json_object_set_new(o, "emails", em);
	}
	return o;
}

json_t *render_deal_items(struct conn *c, int64_t deal_id, struct arena *a)
{
	struct deal_item *items;
	int n;
	store_deal_items(c, deal_id, a, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:s, s:s, s:f, s:I, s:I}", "id", (json_int_t)items[i].id,
		                                     "product_id", items[i].product_id ? json_integer(items[i].product_id) : json_null(),
		                                     "code", items[i].code ? json_string(items[i].code) : json_null(),
		                                     "name", items[i].name, "unit", items[i].unit,
		                                     "qty", (double)items[i].qty_milli / 1000.0, "price", (json_int_t)items[i].price,
		                                     "amount", (json_int_t)items[i].amount));
	return arr;
}

