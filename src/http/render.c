#include "http/render.h"
#include "core/buf.h"
#include "store/product.h"
#include "store/record.h"

#include <stdio.h>
#include <stdlib.h>
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

/* ---- the same record as JSON text, without a jansson tree ----
 * A list page built and freed ~40 jansson values per record (~2,000 for 50 deals): half of the
 * page's CPU. render_record_text writes the text json_dumps(render_record(…), JSON_COMPACT)
 * gives, byte for byte (tests/unit/http_test.c holds it to that). */

static bool valid_utf8(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 0 : (*s & 0xE0) == 0xC0 ? 1 : (*s & 0xF0) == 0xE0 ? 2 : (*s & 0xF8) == 0xF0 ? 3 : -1;
		if (n < 0 || (n == 1 && *s < 0xC2))
			return false;
		uint32_t cp = n == 0 ? *s : n == 1 ? *s & 0x1F : n == 2 ? *s & 0x0F : *s & 0x07;
		s++;
		for (int i = 0; i < n; i++, s++) {
			if ((*s & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (*s & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
	}
	return true;
}

/* A JSON string as jansson writes it (no escaping of "/" or of non-ASCII); null for text
 * jansson would refuse (not UTF-8), as json_string() would have given NULL. */
static void text_str(struct buf *b, const char *s)
{
	if (!s || !valid_utf8((const unsigned char *)s)) {
		buf_puts(b, "null");
		return;
	}
	buf_append(b, "\"", 1);
	const char *run = s;
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		const char *esc = NULL;
		char u[8];
		switch (ch) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (ch < 0x20) {
				snprintf(u, sizeof u, "\\u%04X", ch);
				esc = u;
			}
		}
		if (esc) {
			buf_append(b, run, (size_t)(p - run));
			buf_puts(b, esc);
			run = p + 1;
		}
	}
	buf_append(b, run, strlen(run));
	buf_append(b, "\"", 1);
}

void render_text_str(struct buf *b, const char *s)
{
	text_str(b, s);
}

static void key_str(struct buf *b, bool *first, const char *key)
{
	if (!*first)
		buf_append(b, ",", 1);
	*first = false;
	text_str(b, key);
	buf_append(b, ":", 1);
}

/* A JSON object field (messengers, custom values) as render_record shows it: parsed and dumped
 * again, hidden custom keys removed. Rare and small, so jansson does it. */
static void object_text(struct buf *b, const struct fdef *f, const struct value *v, const char *const *hidden,
                        int n_hidden)
{
	json_t *j = v->kind == V_TEXT ? json_loads(v->s, 0, NULL) : NULL;
	if (!j)
		j = json_object();
	if (f->type == FT_CUSTOM)
		for (int h = 0; h < n_hidden; h++)
			if (!strncmp(hidden[h], "custom.", 7))
				json_object_del(j, hidden[h] + 7);
	char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	buf_puts(b, text ? text : "null");
	free(text);
}

/* An upper bound of the record's text: every byte escaped as \u00XX, numbers and keys at most
 * 100 bytes a field. Checked before writing, so a record is never left half written. */
static size_t text_bound(const struct record *r)
{
	size_t n = 64;
	for (int i = 0; r->v && i < r->e->n_fields; i++) {
		n += 200;
		if (r->v[i].kind == V_TEXT)
			n += 6 * strlen(r->v[i].s);
		if (r->v[i].label)
			n += 6 * strlen(r->v[i].label);
	}
	for (int i = 0; i < r->n_phones; i++)
		n += 6 * strlen(r->phones[i]) + 3;
	for (int i = 0; i < r->n_emails; i++)
		n += 6 * strlen(r->emails[i]) + 3;
	return n;
}

bool render_record_text(struct buf *b, const struct record *r, const char *const *hidden, int n_hidden)
{
	const struct entity *e = r->e;
	bool first = true;
	if (b->len + text_bound(r) > b->max)
		return false;
	buf_append(b, "{", 1);
	key_str(b, &first, "id");
	buf_printf(b, "%lld", (long long)r->id);
	key_str(b, &first, "version");
	buf_printf(b, "%lld", (long long)r->version);
	if (r->v) {
		for (int i = 0; i < e->n_fields; i++) {
			const struct fdef *f = &e->fields[i];
			const struct value *v = &r->v[i];
			if (is_hidden(f->key, hidden, n_hidden))
				continue;
			key_str(b, &first, f->key);
			if (f->type == FT_JSONOBJ || f->type == FT_CUSTOM)
				object_text(b, f, v, hidden, n_hidden);
			else if (v->kind == V_INT)
				buf_printf(b, "%lld", (long long)v->i);
			else if (v->kind == V_TEXT)
				text_str(b, v->s);
			else
				buf_puts(b, "null");
			/* a label that is not UTF-8 made json_string() NULL, and the key was left out */
			bool labelled = f->type == FT_USER || f->type == FT_REF || f->type == FT_PIPELINE || f->type == FT_STAGE;
			if (labelled && (!v->label || valid_utf8((const unsigned char *)v->label))) {
				char lk[80];
				label_key(f, lk, sizeof lk);
				key_str(b, &first, lk);
				text_str(b, v->label);
			}
		}
		if (e->has_phones) {
			for (int list = 0; list < 2; list++) {
				const char *const *items = list ? r->emails : r->phones;
				int n = list ? r->n_emails : r->n_phones, written = 0;
				key_str(b, &first, list ? "emails" : "phones");
				buf_append(b, "[", 1);
				for (int i = 0; i < n; i++)
					if (valid_utf8((const unsigned char *)items[i])) { /* jansson drops the rest */
						if (written++)
							buf_append(b, ",", 1);
						text_str(b, items[i]);
					}
				buf_append(b, "]", 1);
			}
		}
	}
	return buf_append(b, "}", 1);
}

json_t *render_deal_items(struct conn *c, int64_t deal_id, bool prices, struct arena *a)
{
	struct deal_item *items;
	int n;
	store_deal_items(c, deal_id, a, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I, s:o, s:o, s:s, s:s, s:f}", "id", (json_int_t)items[i].id, "product_id",
		                      items[i].product_id ? json_integer(items[i].product_id) : json_null(), "code",
		                      items[i].code ? json_string(items[i].code) : json_null(), "name", items[i].name,
		                      "unit", items[i].unit, "qty", (double)items[i].qty_milli / 1000.0);
		if (prices) {
			json_object_set_new(o, "price", json_integer(items[i].price));
			json_object_set_new(o, "amount", json_integer(items[i].amount));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

