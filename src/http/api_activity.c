/* /api/notes, /api/tasks, /api/notifications, /api/events */
#include "http/http.h"
#include "core/clock.h"
#include "core/json.h"
#include "crm/activity.h"
#include "crm/record.h"
#include "http/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *render_note(const struct note *n)
{
	json_t *mentions = json_array();
	for (int i = 0; i < n->n_mentions; i++)
		json_array_append_new(mentions, json_pack("{s:I, s:s, s:b}", "user_id", (json_int_t)n->mentions[i].user_id,
		                                          "name", n->mentions[i].name, "read", n->mentions[i].read));
	return json_pack("{s:I, s:s, s:I, s:o, s:o, s:s, s:I, s:o, s:b}", "id", (json_int_t)n->id, "entity", n->entity,
	                 "record_id", (json_int_t)n->record_id, "author_id",
	                 n->author_id ? json_integer(n->author_id) : json_null(), "author_name",
	                 n->author_name ? json_string(n->author_name) : json_null(), "body", n->body, "created_at",
	                 (json_int_t)n->created_at, "mentions", mentions, "pinned", n->pinned);
}

static json_t *render_task(const struct task *t, int64_t now)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:b, s:o, s:I, s:I, s:b}", "id", (json_int_t)t->id,
	                 "kind", t->kind, "title", t->title, "due_at", (json_int_t)t->due_at, "assignee_id",
	                 (json_int_t)t->assignee_id, "assignee_name",
	                 t->assignee_name ? json_string(t->assignee_name) : json_null(), "entity",
	                 t->entity ? json_string(t->entity) : json_null(), "record_id",
	                 t->record_id ? json_integer(t->record_id) : json_null(), "done", t->done_at != 0, "done_at",
	                 t->done_at ? json_integer(t->done_at) : json_null(), "created_by", (json_int_t)t->created_by,
	                 "version", (json_int_t)t->version, "overdue", !t->done_at && t->due_at < now);
	json_object_set_new(o, "record_title", t->record_title ? json_string(t->record_title) : json_null());
	return o;
}

static bool parse_i64(const char *s, int64_t *out)
{
	char *end;
	if (!s || !*s || strlen(s) > 19)
		return false;
	long long v = strtoll(s, &end, 10);
	if (*end)
		return false;
	*out = v;
	return true;
}

/* ---- notes ---- */

static void notes_create(struct req *r)
{
	static const char *const keys[] = { "entity", "record_id", "body", NULL };
	struct vk_err err = { 0 };
	const char *entity = NULL, *body = NULL;
	int64_t record_id = 0;
	bool present;
	struct note n;
	enum vk_rc rc = json_only_keys(r->json, keys, &err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "entity", true, 1, 20, &entity, &err);
	if (rc == VK_OK)
		rc = json_get_int(r->json, "record_id", true, 1, INT64_MAX, &record_id, &present, &err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "body", true, 1, 10000, &body, &err);
	if (rc == VK_OK)
		rc = note_create(req_store(r), r->user, entity, record_id, body, r->arena, &n, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 201, render_note(&n));
}

static void notes_list(struct req *r)
{
	int limit;
	int64_t cursor, record_id;
	const char *entity = req_query(r, "entity");
	if (!req_list_args(r, &limit, &cursor))
		return;
	if (!entity)
		return reply_error_msg(r, 400, "missing", "entity", "entity is required");
	if (!parse_i64(req_query(r, "record_id"), &record_id) || record_id <= 0)
		return reply_error_msg(r, 400, "invalid", "record_id", "record_id must be a positive integer");
	struct vk_err err = { 0 };
	struct note *items;
	int n;
	enum vk_rc rc = note_list(req_store(r), r->user, entity, record_id, cursor, limit + 1, r->arena, &items, &n, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	json_t *arr = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(arr, render_note(&items[i]));
	reply_list(r, arr, n > limit ? items[limit - 1].id : 0);
}

/* GET /api/notes/mentionable?entity=E&record_id=N&q=TEXT&limit=10: who the @ autocomplete
 * offers on this record. Any person who may read the record may ask, with no users.read:
 * the colleagues' names are already on every note and record they share. */
static void notes_mentionable(struct req *r)
{
	int64_t record_id, limit = 10;
	const char *entity = req_query(r, "entity"), *q = req_query(r, "q"), *limit_s = req_query(r, "limit");
	if (!entity)
		return reply_error_msg(r, 400, "missing", "entity", "entity is required");
	if (!req_query(r, "record_id"))
		return reply_error_msg(r, 400, "missing", "record_id", "record_id is required");
	if (!parse_i64(req_query(r, "record_id"), &record_id) || record_id <= 0)
		return reply_error_msg(r, 400, "invalid", "record_id", "record_id must be a positive integer");
	if (limit_s && (!parse_i64(limit_s, &limit) || limit < 1 || limit > 50))
		return reply_error_msg(r, 400, "invalid", "limit", "limit must be an integer from 1 to 50");
	size_t q_chars = 0;
	for (const char *c = q; c && *c; c++)
		q_chars += ((unsigned char)*c & 0xC0) != 0x80;
	if (q_chars > 100)
		return reply_error_msg(r, 400, "invalid", "q", "q is at most 100 characters");
	struct vk_err err = { 0 };
	struct user *items;
	int n;
	enum vk_rc rc = note_mentionable(req_store(r), r->user, entity, record_id, q, (int)limit, r->arena, &items, &n, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)items[i].id, "login", items[i].login,
		                                     "name", items[i].name ? items[i].name : items[i].login));
	reply_list(r, arr, 0);
}

static void notes_read(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = note_read(req_store(r), r->user, id, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_status(r, 204);
}

static void notes_delete(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = note_delete(req_store(r), r->user, id, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_status(r, 204);
}

/* ---- tasks ---- */

static enum vk_rc read_task_input(json_t *j, bool create, struct task_input *in, struct vk_err *err)
{
	static const char *const create_keys[] = { "title", "kind", "due_at", "assignee_id", "entity", "record_id", NULL };
	static const char *const update_keys[] = { "title", "kind", "due_at", "assignee_id", "done", "version", NULL };
	memset(in, 0, sizeof *in);
	in->done = -1;
	bool present, done = false;
	enum vk_rc rc = json_only_keys(j, create ? create_keys : update_keys, err);
	if (rc == VK_OK)
		rc = json_get_str(j, "title", create, 1, 500, &in->title, err);
	if (rc == VK_OK)
		rc = json_get_str(j, "kind", false, 1, 20, &in->kind, err);
	if (rc == VK_OK && in->kind && !task_kind_valid(in->kind))
		rc = vk_fail(err, VK_EINVAL, "kind", "kind must be call, meeting, email, visit or other");
	if (rc == VK_OK)
		rc = json_get_int(j, "due_at", create, 0, 32503680000000LL, &in->due_at, &in->has_due, err);
	if (rc == VK_OK)
		rc = json_get_int(j, "assignee_id", false, 1, INT64_MAX, &in->assignee_id, &in->has_assignee, err);
	if (rc == VK_OK && create) {
		rc = json_get_str(j, "entity", false, 1, 20, &in->entity, err);
		if (rc == VK_OK)
			rc = json_get_int(j, "record_id", in->entity != NULL, 1, INT64_MAX, &in->record_id, &in->has_record, err);
		if (rc == VK_OK && in->has_record && !in->entity)
			rc = vk_fail(err, VK_EMISSING, "entity", "entity is required with record_id");
		if (rc == VK_OK && in->entity && strcmp(in->entity, "contact") && strcmp(in->entity, "company") &&
		    strcmp(in->entity, "deal"))
			rc = vk_fail(err, VK_EINVAL, "entity", "entity must be contact, company or deal");
	}
	if (rc == VK_OK && !create) {
		rc = json_get_bool(j, "done", false, &done, &present, err);
		if (rc == VK_OK && present)
			in->done = done;
		if (rc == VK_OK)
			rc = json_get_int(j, "version", true, 1, INT64_MAX, &in->version, &present, err);
	}
	return rc;
}

static void tasks_create(struct req *r)
{
	struct vk_err err = { 0 };
	struct task_input in;
	struct task t;
	enum vk_rc rc = read_task_input(r->json, true, &in, &err);
	if (rc == VK_OK)
		rc = task_create(req_store(r), r->user, &in, r->arena, &t, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 201, render_task(&t, clock_now_ms()));
}

static void tasks_update(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	struct task_input in;
	struct task t;
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = read_task_input(r->json, false, &in, &err);
	if (rc == VK_OK)
		rc = task_update(req_store(r), r->user, id, &in, r->arena, &t, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 200, render_task(&t, clock_now_ms()));
}

static void tasks_get(struct req *r)
{
	int64_t id;
	struct task t;
	if (!req_param_id(r, 0, &id))
		return;
	if (task_get(req_store(r), r->user, id, r->arena, &t) != VK_OK)
		return reply_error_msg(r, 404, "not_found", NULL, "no such task");
	reply_json(r, 200, render_task(&t, clock_now_ms()));
}

static void tasks_delete(struct req *r)
{
	int64_t id;
	struct vk_err err = { 0 };
	if (!req_param_id(r, 0, &id))
		return;
	enum vk_rc rc = task_delete(req_store(r), r->user, id, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_status(r, 204);
}

/* GET /api/tasks?assignee=me|any|ID&done=false&due.from=&due.to=&entity=&record_id=&sort= ; a
 * calendar asks for a range, a to-do list for what is open, a record card for its record's.
 * Who may see what is task_list's business. */
static void tasks_list(struct req *r)
{
	const char *assignee = req_query(r, "assignee"), *done = req_query(r, "done"), *entity = req_query(r, "entity");
	const char *limit_s = req_query(r, "limit"), *cursor = req_query(r, "cursor"), *sort = req_query(r, "sort");
	const char *record_s = req_query(r, "record_id");
	struct task_query q = { .assignee_id = r->user->user_id, .done = -1, .due_from = INT64_MIN, .due_to = INT64_MIN,
	                        .limit = 100 };
	int64_t v;
	if (limit_s && (!parse_i64(limit_s, &v) || v < 1 || v > 500))
		return reply_error_msg(r, 400, "invalid", "limit", "limit must be an integer from 1 to 500");
	if (limit_s)
		q.limit = (int)v;
	if (assignee && strcmp(assignee, "me") != 0) {
		if (!strcmp(assignee, "any"))
			q.assignee_id = 0;
		else if (!parse_i64(assignee, &q.assignee_id) || q.assignee_id <= 0)
			return reply_error_msg(r, 400, "invalid", "assignee", "assignee must be me, any or a user id");
	}
	if (done && strcmp(done, "true") && strcmp(done, "false"))
		return reply_error_msg(r, 400, "invalid", "done", "done must be true or false");
	if (done)
		q.done = !strcmp(done, "true");
	const char *f = req_query(r, "due.from"), *t = req_query(r, "due.to");
	if (f && !parse_i64(f, &q.due_from))
		return reply_error_msg(r, 400, "invalid", "due.from", "due.from must be UTC milliseconds");
	if (t && !parse_i64(t, &q.due_to))
		return reply_error_msg(r, 400, "invalid", "due.to", "due.to must be UTC milliseconds");
	if (entity && (!parse_i64(record_s, &q.record_id) || q.record_id <= 0))
		return reply_error_msg(r, 400, "invalid", "record_id", "record_id must be given with entity");
	if (!entity && record_s)
		return reply_error_msg(r, 400, "missing", "entity", "entity is required with record_id");
	q.entity = entity;
	if (sort && strcmp(sort, "due_at") && strcmp(sort, "+due_at") && strcmp(sort, "-due_at"))
		return reply_error_msg(r, 400, "invalid", "sort", "sort must be due_at or -due_at");
	q.desc = sort && sort[0] == '-';
	if (cursor && *cursor) {
		char *copy = arena_strdup(r->arena, cursor), *sep = strchr(copy, '_');
		if (!sep || !parse_i64(sep + 1, &q.after_id) || q.after_id <= 0)
			return reply_error_msg(r, 400, "invalid", "cursor", "cursor is not one this server gave out");
		*sep = '\0';
		if (!parse_i64(copy, &q.after_due))
			return reply_error_msg(r, 400, "invalid", "cursor", "cursor is not one this server gave out");
	}
	int limit = q.limit;
	q.limit = limit + 1;
	struct vk_err err = { 0 };
	struct task *items;
	int n;
	enum vk_rc rc = task_list(req_store(r), r->user, &q, r->arena, &items, &n, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	json_t *arr = json_array();
	int64_t now = clock_now_ms();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(arr, render_task(&items[i], now));
	json_t *body = json_pack("{s:o}", "items", arr);
	json_object_set_new(body, "next", n > limit ? json_string(arena_printf(r->arena, "%lld_%lld",
	                                                                       (long long)items[limit - 1].due_at,
	                                                                       (long long)items[limit - 1].id))
	                                            : json_null());
	/* the server's clock, which "overdue" was judged by: a client's "today" follows it */
	json_object_set_new(body, "now", json_integer(now));
	reply_json(r, 200, body);
}

/* ---- notifications ---- */

/* Notifications are a person's; an API token acts for a system, not for its creator. */
static bool person(struct req *r)
{
	if (r->user->user_id > 0 && !r->user->token_id)
		return true;
	reply_error_msg(r, 403, "forbidden", NULL, "notifications are for signed-in people, not API tokens");
	return false;
}

static void notifications_list(struct req *r)
{
	int limit;
	if (!person(r))
		return;
	int64_t cursor;
	if (!req_list_args(r, &limit, &cursor))
		return;
	const char *unread = req_query(r, "unread");
	struct notification *items;
	int n;
	struct conn *c = store_reader(req_store(r));
	store_notification_list(c, r->user->user_id, unread && !strcmp(unread, "true"), cursor, limit + 1, r->arena,
	                        &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n && i < limit; i++) {
		char *text = notification_json(&items[i]);
		json_array_append_new(arr, json_loads(text, 0, NULL));
		free(text);
	}
	json_t *body = json_pack("{s:o, s:o, s:I}", "items", arr, "next",
	                         n > limit ? json_string(arena_printf(r->arena, "%lld", (long long)items[limit - 1].id))
	                                   : json_null(),
	                         "unread", (json_int_t)store_notification_unread(c, r->user->user_id));
	reply_json(r, 200, body);
}

struct read_tx { int64_t user_id, now; int64_t ids[200]; int n; };

static enum vk_rc read_write(struct conn *c, void *ctx)
{
	struct read_tx *t = ctx;
	return store_notification_read(c, t->user_id, t->ids, t->n, t->now);
}

static void notifications_read(struct req *r)
{
	static const char *const keys[] = { "ids", "all", NULL };
	if (!person(r))
		return;
	struct vk_err err = { 0 };
	struct read_tx t = { .user_id = r->user->user_id, .now = clock_now_ms() };
	bool all = false, present = false;
	enum vk_rc rc = json_only_keys(r->json, keys, &err);
	if (rc == VK_OK)
		rc = json_get_bool(r->json, "all", false, &all, &present, &err);
	json_t *ids = json_object_get(r->json, "ids");
	if (rc == VK_OK && !all) {
		if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > 200)
			return reply_error_msg(r, 400, "invalid", "ids", "ids must be a list of 1 to 200 notification ids, or send all: true");
		size_t i;
		json_t *v;
		json_array_foreach(ids, i, v) {
			if (!json_is_integer(v) || json_integer_value(v) <= 0)
				return reply_error_msg(r, 400, "invalid", "ids", "ids must be positive integers");
			t.ids[t.n++] = json_integer_value(v);
		}
	} else if (rc == VK_OK) {
		t.n = -1;
	}
	if (rc == VK_OK)
		rc = store_write(req_store(r), read_write, &t);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	reply_json(r, 200, json_pack("{s:I}", "unread",
	                             (json_int_t)store_notification_unread(store_reader(req_store(r)), r->user->user_id)));
}

/* ---- saved filters: a user's named list queries ("owner=me&stage=new") ---- */

static json_t *render_filter(const struct saved_filter *f)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)f->id, "entity", f->entity, "name", f->name,
	                 "query", f->query, "created_at", (json_int_t)f->created_at);
}

static void filters_list(struct req *r)
{
	const char *entity = req_query(r, "entity");
	if (entity && !entity_by_name(entity))
		return reply_error_msg(r, 400, "invalid", "entity", "entity must be contact, company or deal");
	struct saved_filter *items;
	int n;
	store_filter_list(store_reader(req_store(r)), r->user->user_id, entity, r->arena, &items, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, render_filter(&items[i]));
	reply_list(r, arr, 0);
}

/* Split "a=1&b=x%20y" into arguments as the list endpoint would receive them; -1 if there
 * are more than max (the list endpoint would refuse them too). */
static int split_query(struct arena *a, const char *q, struct query_arg *out, int max)
{
	int n = 0;
	char *copy = arena_strdup(a, q);
	for (char *save = NULL, *part = strtok_r(copy, "&", &save); part; part = strtok_r(NULL, "&", &save)) {
		if (n == max)
			return -1;
		char *eq = strchr(part, '=');
		if (eq)
			*eq = '\0';
		char *val = eq ? eq + 1 : part + strlen(part);
		for (char *p = val; *p; p++)
			if (*p == '+')
				*p = ' ';
		/* percent-decoding in place */
		char *w = val;
		for (char *p = val; *p; p++) {
			if (*p == '%' && p[1] && p[2]) {
				char hex[3] = { p[1], p[2], 0 };
				*w++ = (char)strtol(hex, NULL, 16);
				p += 2;
			} else {
				*w++ = *p;
			}
		}
		*w = '\0';
		out[n++] = (struct query_arg){ part, val };
	}
	return n;
}

struct filter_tx { struct saved_filter f; int64_t id; bool del; };

static enum vk_rc filter_write(struct conn *c, void *ctx)
{
	struct filter_tx *t = ctx;
	return t->del ? store_filter_delete(c, t->id, t->f.user_id) : store_filter_insert(c, &t->f, &t->id);
}

static void filters_create(struct req *r)
{
	static const char *const keys[] = { "entity", "name", "query", NULL };
	struct vk_err err = { 0 };
	struct filter_tx t = { .f = { .user_id = r->user->user_id, .created_at = clock_now_ms() } };
	enum vk_rc rc = json_only_keys(r->json, keys, &err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "entity", true, 1, 20, &t.f.entity, &err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "name", true, 1, 100, &t.f.name, &err);
	if (rc == VK_OK)
		rc = json_get_str(r->json, "query", true, 0, 2000, &t.f.query, &err);
	const struct entity *e = rc == VK_OK ? entity_by_name(t.f.entity) : NULL;
	if (rc == VK_OK && !e)
		rc = vk_fail(&err, VK_EINVAL, "entity", "entity must be contact, company or deal");
	if (rc == VK_OK) {
		/* a filter that would not run is refused now, not when someone clicks it */
		struct query_arg args[40];
		int n = split_query(r->arena, t.f.query, args, 39);
		if (n < 0)
			return reply_error_msg(r, 400, "invalid", "query", "too many query arguments");
		struct record_page page;
		struct query_arg probe[41];
		memcpy(probe, args, sizeof *args * (size_t)n);
		probe[n] = (struct query_arg){ "limit", "1" };
		rc = record_list(req_store(r), r->user, e, probe, n + 1, r->arena, &page, &err);
		if (rc != VK_OK && err.field) {
			char where[80];
			snprintf(where, sizeof where, "query, %.60s: ", err.field);
			vk_err_prefix(&err, where);
			err.field = "query";
		}
	}
	if (rc == VK_OK)
		rc = store_write(req_store(r), filter_write, &t);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	t.f.id = t.id;
	reply_json(r, 201, render_filter(&t.f));
}

static void filters_delete(struct req *r)
{
	struct filter_tx t = { .f = { .user_id = r->user->user_id }, .del = true };
	if (!req_param_id(r, 0, &t.id))
		return;
	enum vk_rc rc = store_write(req_store(r), filter_write, &t);
	if (rc != VK_OK)
		return reply_error(r, rc, NULL);
	reply_status(r, 204);
}

static void events(struct req *r)
{
	if (r->user->user_id <= 0 || r->user->token_id)
		return reply_error_msg(r, 403, "forbidden", NULL, "event streams are for signed-in people");
	events_handler(r);
}

const struct route api_activity_routes[] = {
	{ "GET", "/api/notes", notes_list, R_AUTH, NULL },
	{ "POST", "/api/notes", notes_create, R_AUTH | R_JSON, NULL },
	{ "GET", "/api/notes/mentionable", notes_mentionable, R_AUTH, NULL },
	{ "POST", "/api/notes/:id/read", notes_read, R_AUTH, NULL },
	{ "DELETE", "/api/notes/:id", notes_delete, R_AUTH, NULL },
	{ "GET", "/api/tasks", tasks_list, R_AUTH, NULL },
	{ "POST", "/api/tasks", tasks_create, R_AUTH | R_JSON, NULL },
	{ "GET", "/api/tasks/:id", tasks_get, R_AUTH, NULL },
	{ "PATCH", "/api/tasks/:id", tasks_update, R_AUTH | R_JSON, NULL },
	{ "DELETE", "/api/tasks/:id", tasks_delete, R_AUTH, NULL },
	{ "GET", "/api/notifications", notifications_list, R_AUTH, NULL },
	{ "POST", "/api/notifications/read", notifications_read, R_AUTH | R_JSON, NULL },
	{ "GET", "/api/events", events, R_AUTH, NULL },
	{ "GET", "/api/filters", filters_list, R_AUTH, NULL },
	{ "POST", "/api/filters", filters_create, R_AUTH | R_JSON, NULL },
	{ "DELETE", "/api/filters/:id", filters_delete, R_AUTH, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
