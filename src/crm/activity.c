#include "crm/activity.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/text.h"
#include "crm/record.h"
#include "store/auth.h"
#include "store/event.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MENTIONS 20

static void (*_Atomic sink_fn)(int64_t, const char *);

void activity_set_sink(void (*sink)(int64_t user_id, const char *json))
{
	atomic_store(&sink_fn, sink);
}

char *notification_json(const struct notification *n)
{
	json_t *o = json_pack("{s:I, s:s, s:o, s:o, s:s, s:o, s:I, s:b}", "id", (json_int_t)n->id, "kind", n->kind,
	                      "entity", n->entity ? json_string(n->entity) : json_null(), "record_id",
	                      n->record_id ? json_integer(n->record_id) : json_null(), "title", n->title, "body",
	                      n->body ? json_string(n->body) : json_null(), "created_at", (json_int_t)n->created_at,
	                      "read", n->read_at != 0);
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

static void publish(const struct notification *n)
{
	void (*sink)(int64_t, const char *) = atomic_load(&sink_fn);
	if (!sink)
		return;
	char *text = notification_json(n);
	sink(n->user_id, text);
	free(text);
}

/* A record the principal may read, by entity name ("deal") and id. */
static enum vk_rc readable(struct conn *c, const struct principal *p, const char *entity, int64_t id,
                           struct arena *a, struct record *r)
{
	const struct entity *e = entity_by_name(entity);
	struct scope sc;
	if (!e)
		return VK_EINVAL;
	auth_scope(c, p, e->name, "read", &sc);
	return store_record_get(c, e, id, &sc, a, r);
}

static const char *record_title(const struct record *r)
{
	for (int i = 0; i < r->e->n_fields; i++)
		if (!strcmp(r->e->fields[i].key, r->e->title) && r->v[i].kind == V_TEXT)
			return r->v[i].s;
	return "";
}

static const char *snippet(struct arena *a, const char *body)
{
	size_t n = 0, chars = 0;
	while (body[n] && chars < 140) {
		n++;
		while (((unsigned char)body[n] & 0xC0) == 0x80)
			n++;
		chars++;
	}
	return body[n] ? arena_printf(a, "%.*s…", (int)n, body) : body;
}

/* ---- notes ---- */

struct note_tx {
	const struct principal *p;
	const char *entity, *body;
	int64_t record_id, id, now;
	int64_t mentioned[MAX_MENTIONS];
	int n_mentioned;
	struct notification notes[MAX_MENTIONS];
	struct arena *a;
	struct vk_err *err;
};

static enum vk_rc note_write(struct conn *c, void *ctx)
{
	struct note_tx *t = ctx;
	struct record rec;
	if (readable(c, t->p, t->entity, t->record_id, t->a, &rec) != VK_OK)
		return vk_fail(t->err, VK_EINVAL, "record_id", "no %s with id %lld", t->entity, (long long)t->record_id);
	enum vk_rc rc = store_note_insert(c, t->entity, t->record_id, t->p->user_id, t->body, t->now, &t->id);
	struct event ev = { .entity = t->entity, .entity_id = t->record_id, .actor_id = t->p->user_id,
	                    .kind = "note", .new_value = json_text_str(t->a, t->body), .at = t->now };
	if (rc == VK_OK)
		rc = event_add(c, &ev);
	/* @login mentions: each must be an active colleague who can see the record */
	for (const char *at = strchr(t->body, '@'); rc == VK_OK && at; at = strchr(at + 1, '@')) {
		if (at > t->body && (isalnum((unsigned char)at[-1]) || at[-1] == '.'))
			continue; /* part of an e-mail address */
		char login[65];
		size_t n = 0;
		for (const char *q = at + 1; n < 64 && (isalnum((unsigned char)*q) || *q == '.' || *q == '_' || *q == '-'); q++)
			login[n++] = (char)tolower((unsigned char)*q);
		while (n && login[n - 1] == '.')
			n--; /* "@ivan." at the end of a sentence */
		login[n] = '\0';
		if (!n)
			continue;
		struct user u;
		struct principal them;
		if (store_user_by_login(c, login, t->a, &u, NULL) != VK_OK || !u.active)
			return vk_fail(t->err, VK_EINVAL, "body", "no active user @%s", login);
		if (auth_principal_of(c, u.id, t->a, &them) != VK_OK || readable(c, &them, t->entity, t->record_id, t->a, &rec) != VK_OK)
			return vk_fail(t->err, VK_EUNPROC, "body", "@%s cannot see this %s; hand it over or share it first",
			               login, t->entity);
		bool dup = u.id == t->p->user_id;
		for (int i = 0; i < t->n_mentioned; i++)
			dup = dup || t->mentioned[i] == u.id;
		if (dup)
			continue;
		if (t->n_mentioned == MAX_MENTIONS)
			return vk_fail(t->err, VK_EINVAL, "body", "at most %d people can be mentioned in one note", MAX_MENTIONS);
		rc = store_mention_insert(c, t->id, u.id);
		struct notification *nt = &t->notes[t->n_mentioned];
		*nt = (struct notification){ .user_id = u.id, .kind = "mention", .entity = t->entity,
		                             .record_id = t->record_id, .note_id = t->id, .created_at = t->now,
		                             .title = arena_printf(t->a, "%s: %s", t->p->name, record_title(&rec)),
		                             .body = snippet(t->a, t->body) };
		if (rc == VK_OK)
			rc = store_notification_insert(c, nt, &nt->id);
		t->mentioned[t->n_mentioned++] = u.id;
	}
	return rc;
}

enum vk_rc note_create(struct store *s, const struct principal *p, const char *entity, int64_t record_id,
                       const char *body, struct arena *a, struct note *out, struct vk_err *err)
{
	if (!entity_by_name(entity))
		return vk_fail(err, VK_EINVAL, "entity", "entity must be contact, company or deal");
	if (p->user_id <= 0 || p->token_id)
		return vk_fail(err, VK_EFORBIDDEN, NULL, "notes are written by people, not tokens");
	struct note_tx t = { .p = p, .entity = entity, .body = body, .record_id = record_id, .now = clock_now_ms(),
	                     .a = a, .err = err };
	enum vk_rc rc = store_write(s, note_write, &t);
	if (rc != VK_OK)
		return rc;
	for (int i = 0; i < t.n_mentioned; i++)
		publish(&t.notes[i]);
	return store_note_get(store_reader(s), t.id, p->user_id, a, out);
}

enum vk_rc note_list(struct store *s, const struct principal *p, const char *entity, int64_t record_id,
                     int64_t before_id, int limit, struct arena *a, struct note **items, int *n,
                     struct vk_err *err)
{
	struct record rec;
	struct conn *c = store_reader(s);
	if (!entity_by_name(entity))
		return vk_fail(err, VK_EINVAL, "entity", "entity must be contact, company or deal");
	if (readable(c, p, entity, record_id, a, &rec) != VK_OK)
		return vk_fail(err, VK_ENOTFOUND, NULL, "no such record");
	return store_note_list(c, entity, record_id, p->user_id, before_id, limit, a, items, n);
}

/* Colleagues an @mention on this record may name: active, not the writer, able to read the
 * record (the same test note_create applies, so a suggestion is never refused). q matches a
 * login or name fragment in any case; names that start with it come first. The number of
 * active users of a company is small, so every one is tested; each test is one indexed read. */
struct mentionable_hit { struct user u; int rank; const char *key; };

static int mentionable_cmp(const void *x, const void *y)
{
	const struct mentionable_hit *a = x, *b = y;
	if (a->rank != b->rank)
		return a->rank - b->rank;
	int c = strcmp(a->key, b->key);
	return c ? c : (a->u.id > b->u.id) - (a->u.id < b->u.id);
}

/* 0: the login or a word of the name starts with q; 1: q is inside; -1: no match */
static int mention_rank(const char *q, const char *login, const char *name)
{
	if (!*q)
		return 0;
	const char *in_login = strstr(login, q), *in_name = strstr(name, q);
	if (!in_login && !in_name)
		return -1;
	if (in_login == login)
		return 0;
	for (const char *w = name; (w = strstr(w, q)); w++)
		if (w == name || w[-1] == ' ' || w[-1] == '-')
			return 0;
	return 1;
}

enum vk_rc note_mentionable(struct store *s, const struct principal *p, const char *entity, int64_t record_id,
                            const char *q, int limit, struct arena *a, struct user **items, int *n,
                            struct vk_err *err)
{
	struct conn *c = store_reader(s);
	struct record rec;
	*n = 0;
	if (!entity_by_name(entity))
		return vk_fail(err, VK_EINVAL, "entity", "entity must be contact, company or deal");
	if (p->user_id <= 0 || p->token_id)
		return vk_fail(err, VK_EFORBIDDEN, NULL, "mentions are written by people, not tokens");
	if (readable(c, p, entity, record_id, a, &rec) != VK_OK)
		return vk_fail(err, VK_ENOTFOUND, NULL, "no such record");
	char fq[256];
	text_fold(q ? q : "", fq, sizeof fq);
	struct mentionable_hit *hits = NULL;
	int n_hits = 0, cap = 0;
	int64_t after = 0;
	for (;;) {
		struct user *page;
		int got;
		store_user_list(c, NULL, 1, after, 200, a, &page, &got);
		for (int i = 0; i < got; i++) {
			char login[256], name[512];
			struct principal them;
			text_fold(page[i].login, login, sizeof login);
			text_fold(page[i].name ? page[i].name : "", name, sizeof name);
			int rank = page[i].id == p->user_id ? -1 : mention_rank(fq, login, name);
			if (rank < 0 || auth_principal_of(c, page[i].id, a, &them) != VK_OK ||
			    readable(c, &them, entity, record_id, a, &rec) != VK_OK)
				continue;
			if (n_hits == cap) {
				cap = cap ? cap * 2 : 64;
				struct mentionable_hit *grown = arena_alloc(a, sizeof *grown * (size_t)cap);
				if (n_hits)
					memcpy(grown, hits, sizeof *hits * (size_t)n_hits);
				hits = grown;
			}
			hits[n_hits++] = (struct mentionable_hit){ page[i], rank, arena_strdup(a, name) };
		}
		if (got < 200)
			break;
		after = page[got - 1].id;
	}
	if (n_hits)
		qsort(hits, (size_t)n_hits, sizeof *hits, mentionable_cmp);
	*items = arena_alloc(a, sizeof **items * (size_t)(limit > 0 ? limit : 1));
	for (int i = 0; i < n_hits && i < limit; i++)
		(*items)[(*n)++] = hits[i].u;
	return VK_OK;
}

struct note_id_tx { const struct principal *p; int64_t id, now; bool del; struct arena *a; struct vk_err *err; };

static enum vk_rc note_id_write(struct conn *c, void *ctx)
{
	struct note_id_tx *t = ctx;
	struct note n;
	struct record rec;
	if (store_note_get(c, t->id, t->p->user_id, t->a, &n) != VK_OK ||
	    readable(c, t->p, n.entity, n.record_id, t->a, &rec) != VK_OK)
		return vk_fail(t->err, VK_ENOTFOUND, NULL, "no such note");
	if (!t->del) {
		/* reading the note on the record also settles the bell's item about it */
		enum vk_rc rc = store_mention_read(c, t->id, t->p->user_id, t->now);
		return rc == VK_OK ? store_notification_read_mention(c, t->p->user_id, t->id, t->now) : rc;
	}
	if (n.author_id != t->p->user_id && !auth_all(t->p))
		return vk_fail(t->err, VK_EFORBIDDEN, NULL, "only the author may delete a note");
	enum vk_rc rc = store_note_delete(c, t->id, t->now);
	struct event ev = { .entity = n.entity, .entity_id = n.record_id, .actor_id = t->p->user_id,
	                    .kind = "note_deleted", .old_value = json_text_str(t->a, n.body), .at = t->now };
	return rc == VK_OK ? event_add(c, &ev) : rc;
}

static enum vk_rc note_id_op(struct store *s, const struct principal *p, int64_t id, bool del, struct vk_err *err)
{
	struct arena *a = arena_new(2048);
	struct note_id_tx t = { p, id, clock_now_ms(), del, a, err };
	enum vk_rc rc = store_write(s, note_id_write, &t);
	arena_free(a);
	return rc;
}

enum vk_rc note_read(struct store *s, const struct principal *p, int64_t id, struct vk_err *err)
{
	return note_id_op(s, p, id, false, err);
}

enum vk_rc note_delete(struct store *s, const struct principal *p, int64_t id, struct vk_err *err)
{
	return note_id_op(s, p, id, true, err);
}

/* ---- tasks ---- */

bool task_kind_valid(const char *kind)
{
	static const char *const kinds[] = { "call", "meeting", "email", "visit", "other", NULL };
	for (const char *const *k = kinds; *k; k++)
		if (!strcmp(*k, kind))
			return true;
	return false;
}

static enum vk_rc task_load(struct store *s, const struct principal *p, int64_t id, bool check_visible,
                            struct arena *a, struct task *out);

/* A task is the business of its assignee and its author; "*" roles see all. */
static bool task_visible(const struct principal *p, const struct task *t)
{
	return auth_all(p) || t->assignee_id == p->user_id || t->created_by == p->user_id;
}

struct task_tx {
	const struct principal *p;
	const struct task_input *in;
	struct task t;
	int64_t now;
	struct arena *a;
	struct vk_err *err;
	struct notification note;
	bool notify;
};

static enum vk_rc task_event(struct conn *c, struct task_tx *x, const char *kind, const char *value)
{
	if (!x->t.entity || x->t.record_id <= 0)
		return VK_OK;
	struct event ev = { .entity = x->t.entity, .entity_id = x->t.record_id, .actor_id = x->p->user_id,
	                    .kind = kind, .field = "task", .new_value = value, .at = x->now };
	return event_add(c, &ev);
}

/* Someone else gave you a task: you hear of it at once. */
static enum vk_rc notify_assignee(struct conn *c, struct task_tx *x)
{
	if (x->t.assignee_id == x->p->user_id)
		return VK_OK;
	x->note = (struct notification){ .user_id = x->t.assignee_id, .kind = "task_assigned", .entity = x->t.entity,
	                                 .record_id = x->t.record_id, .created_at = x->now,
	                                 .title = arena_printf(x->a, "%s: %s", x->p->name, x->t.title) };
	x->notify = true;
	return store_notification_insert(c, &x->note, &x->note.id);
}

/* A task about a record goes to someone who can open that record. */
static enum vk_rc assignee_can_see(struct conn *c, struct task_tx *x)
{
	struct principal them;
	struct record rec;
	if (!x->t.entity || x->t.record_id <= 0)
		return VK_OK;
	if (auth_principal_of(c, x->t.assignee_id, x->a, &them) != VK_OK ||
	    readable(c, &them, x->t.entity, x->t.record_id, x->a, &rec) != VK_OK)
		return vk_fail(x->err, VK_EUNPROC, "assignee_id", "this colleague cannot open the %s; hand it over first",
		               x->t.entity);
	return VK_OK;
}

static enum vk_rc task_create_write(struct conn *c, void *ctx)
{
	struct task_tx *x = ctx;
	struct record rec;
	if (x->t.entity && readable(c, x->p, x->t.entity, x->t.record_id, x->a, &rec) != VK_OK)
		return vk_fail(x->err, VK_EINVAL, "record_id", "no %s with id %lld", x->t.entity, (long long)x->t.record_id);
	if (!store_user_active(c, x->t.assignee_id))
		return vk_fail(x->err, VK_EINVAL, "assignee_id", "no active user with id %lld", (long long)x->t.assignee_id);
	enum vk_rc rc = assignee_can_see(c, x);
	if (rc != VK_OK)
		return rc;
	rc = store_task_insert(c, &x->t, x->now, &x->t.id);
	if (rc == VK_OK)
		rc = task_event(c, x, "task", json_text_str(x->a, x->t.title));
	if (rc == VK_OK)
		rc = notify_assignee(c, x);
	return rc;
}

enum vk_rc task_create(struct store *s, const struct principal *p, const struct task_input *in,
                       struct arena *a, struct task *out, struct vk_err *err)
{
	if (p->user_id <= 0)
		return vk_fail(err, VK_EFORBIDDEN, NULL, "tasks belong to people; this token has no user");
	struct task_tx x = { .p = p, .in = in, .now = clock_now_ms(), .a = a, .err = err };
	x.t = (struct task){ .kind = in->kind ? in->kind : "other", .title = in->title, .due_at = in->due_at,
	                     .assignee_id = in->has_assignee ? in->assignee_id : p->user_id, .created_by = p->user_id,
	                     .entity = in->has_record ? in->entity : NULL, .record_id = in->has_record ? in->record_id : 0 };
	enum vk_rc rc = store_write(s, task_create_write, &x);
	if (rc != VK_OK)
		return rc;
	if (x.notify)
		publish(&x.note);
	return task_load(s, p, x.t.id, false, a, out);
}

static enum vk_rc task_update_write(struct conn *c, void *ctx)
{
	struct task_tx *x = ctx;
	const struct task_input *in = x->in;
	struct task cur;
	if (store_task_get(c, x->t.id, x->a, &cur) != VK_OK || !task_visible(x->p, &cur))
		return vk_fail(x->err, VK_ENOTFOUND, NULL, "no such task");
	if (cur.version != in->version) {
		vk_fail(x->err, VK_ECONFLICT, "version", "this task changed since you opened it; reload");
		x->err->code = "stale";
		return VK_ECONFLICT;
	}
	int64_t id = x->t.id;
	x->t = cur;
	x->t.id = id;
	if (in->title)
		x->t.title = in->title;
	if (in->kind)
		x->t.kind = in->kind;
	if (in->has_due)
		x->t.due_at = in->due_at;
	bool reassigned = in->has_assignee && in->assignee_id != cur.assignee_id;
	if (reassigned) {
		if (!store_user_active(c, in->assignee_id))
			return vk_fail(x->err, VK_EINVAL, "assignee_id", "no active user with id %lld", (long long)in->assignee_id);
		x->t.assignee_id = in->assignee_id;
		enum vk_rc arc = assignee_can_see(c, x);
		if (arc != VK_OK)
			return arc;
	}
	bool finished = in->done == 1 && !cur.done_at, reopened = in->done == 0 && cur.done_at;
	if (finished) {
		x->t.done_at = x->now;
		x->t.done_by = x->p->user_id;
	} else if (reopened) {
		x->t.done_at = 0;
	}
	enum vk_rc rc = store_task_update(c, &x->t, x->now);
	if (rc == VK_OK && finished)
		rc = task_event(c, x, "task_done", json_text_str(x->a, x->t.title));
	if (rc == VK_OK && reassigned)
		rc = notify_assignee(c, x);
	return rc;
}

enum vk_rc task_update(struct store *s, const struct principal *p, int64_t id, const struct task_input *in,
                       struct arena *a, struct task *out, struct vk_err *err)
{
	struct task_tx x = { .p = p, .in = in, .now = clock_now_ms(), .a = a, .err = err };
	x.t.id = id;
	enum vk_rc rc = store_write(s, task_update_write, &x);
	if (rc != VK_OK)
		return rc;
	if (x.notify)
		publish(&x.note);
	/* not task_get: a task just handed to someone else is no longer the editor's to see, but
	 * the answer still says what became of it */
	return task_load(s, p, id, false, a, out);
}

static enum vk_rc task_delete_write(struct conn *c, void *ctx)
{
	struct task_tx *x = ctx;
	struct task cur;
	if (store_task_get(c, x->t.id, x->a, &cur) != VK_OK || !task_visible(x->p, &cur))
		return vk_fail(x->err, VK_ENOTFOUND, NULL, "no such task");
	return store_task_delete(c, x->t.id, x->now);
}

enum vk_rc task_delete(struct store *s, const struct principal *p, int64_t id, struct vk_err *err)
{
	struct arena *a = arena_new(1024);
	struct task_tx x = { .p = p, .now = clock_now_ms(), .a = a, .err = err };
	x.t.id = id;
	enum vk_rc rc = store_write(s, task_delete_write, &x);
	arena_free(a);
	return rc;
}

/* Label tasks with their records' titles, for the records p may read: a task outlives a
 * hand-over of its record, and then the record is none of p's business (title stays NULL). */
static void task_titles(struct conn *c, const struct principal *p, struct task *items, int n, struct arena *a)
{
	const struct entity *ents[] = { &entity_contact, &entity_company, &entity_deal };
	struct scope sc[3];
	bool have[3] = { false, false, false };
	for (int i = 0; i < n; i++) {
		struct task *t = &items[i];
		int k = -1;
		for (int j = 0; j < 3 && t->entity; j++)
			if (!strcmp(t->entity, ents[j]->name))
				k = j;
		if (k < 0 || t->record_id <= 0)
			continue;
		for (int j = 0; j < i; j++) /* the same record a few rows up: no second query */
			if (items[j].record_id == t->record_id && items[j].entity && !strcmp(items[j].entity, t->entity)) {
				t->record_title = items[j].record_title;
				goto next;
			}
		if (!have[k]) {
			auth_scope(c, p, ents[k]->name, "read", &sc[k]);
			have[k] = true;
		}
		t->record_title = store_record_title(c, ents[k], t->record_id, &sc[k], a);
	next:;
	}
}

static enum vk_rc task_load(struct store *s, const struct principal *p, int64_t id, bool check_visible,
                            struct arena *a, struct task *out)
{
	struct conn *c = store_reader(s);
	enum vk_rc rc = store_task_get(c, id, a, out);
	if (rc == VK_OK && check_visible && !task_visible(p, out))
		rc = VK_ENOTFOUND;
	if (rc == VK_OK)
		task_titles(c, p, out, 1, a);
	return rc;
}

enum vk_rc task_get(struct store *s, const struct principal *p, int64_t id, struct arena *a, struct task *out)
{
	return task_load(s, p, id, true, a, out);
}

enum vk_rc task_list(struct store *s, const struct principal *p, struct task_query *q, struct arena *a,
                     struct task **items, int *n, struct vk_err *err)
{
	struct conn *c = store_reader(s);
	bool star = auth_all(p);
	*n = 0;
	if (q->assignee_id != 0 && q->assignee_id != p->user_id && !star)
		return vk_fail(err, VK_EFORBIDDEN, "assignee", "you may list only your own tasks");
	q->visible_to = star ? 0 : p->user_id;
	if (q->entity) {
		struct record rec;
		if (!entity_by_name(q->entity))
			return vk_fail(err, VK_EINVAL, "entity", "entity must be contact, company or deal");
		if (readable(c, p, q->entity, q->record_id, a, &rec) != VK_OK)
			return vk_fail(err, VK_ENOTFOUND, NULL, "no such record");
	}
	store_task_list(c, q, a, items, n);
	task_titles(c, p, *items, *n, a);
	return VK_OK;
}

/* ---- reminders ---- */

struct tick_tx { int64_t now; struct arena *a; struct notification notes[64]; int n; };

static enum vk_rc tick_write(struct conn *c, void *ctx)
{
	struct tick_tx *x = ctx;
	struct task *due;
	int n;
	store_task_due(c, x->now, 64, x->a, &due, &n);
	enum vk_rc rc = VK_OK;
	for (int i = 0; i < n && rc == VK_OK; i++) {
		struct notification *nt = &x->notes[x->n];
		*nt = (struct notification){ .user_id = due[i].assignee_id, .kind = "task_due", .entity = due[i].entity,
		                             .record_id = due[i].record_id, .title = due[i].title,
		                             .body = due[i].kind, .created_at = x->now };
		rc = store_notification_insert(c, nt, &nt->id);
		if (rc == VK_OK)
			rc = store_task_mark_notified(c, due[i].id, x->now);
		x->n++;
	}
	return rc;
}

int activity_tick(struct store *s, int64_t now)
{
	struct arena *a = arena_new(8192);
	struct task *due;
	int n = 0;
	/* look first on a reader: most seconds nothing is due, and then nothing is written */
	store_task_due(store_reader(s), now, 1, a, &due, &n);
	if (!n) {
		arena_free(a);
		return 0;
	}
	struct tick_tx x = { .now = now, .a = a };
	int sent = 0;
	if (store_write(s, tick_write, &x) == VK_OK) {
		for (int i = 0; i < x.n; i++)
			publish(&x.notes[i]);
		sent = x.n;
	}
	arena_free(a);
	return sent;
}
