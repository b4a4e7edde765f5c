#include "auth/team.h"
#include "core/clock.h"
#include "core/json.h"
#include "store/event.h"
#include "store/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct team_tx {
	const struct principal *p;
	const struct team_input *in;
	int64_t id, now;
	bool create, del;
	struct arena *a;
	struct vk_err *err;
};

static const char *id_json(struct arena *a, int64_t id)
{
	if (!id)
		return "null";
	char buf[24];
	snprintf(buf, sizeof buf, "%lld", (long long)id);
	return arena_strdup(a, buf);
}

static int cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/* Member ids as a sorted JSON array, for the timeline. */
static const char *ids_json(struct arena *a, const int64_t *ids, int n)
{
	int64_t *sorted = arena_alloc(a, sizeof *sorted * (size_t)(n + 1));
	if (n)
		memcpy(sorted, ids, sizeof *sorted * (size_t)n);
	qsort(sorted, (size_t)n, sizeof *sorted, cmp_id);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_integer(sorted[i]));
	char *text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	const char *out = arena_strdup(a, text);
	free(text);
	return out;
}

static bool has_id(const int64_t *ids, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static enum vk_rc event(struct conn *c, struct team_tx *t, const char *entity, int64_t id, const char *kind,
                        const char *field, const char *old_json, const char *new_json)
{
	struct event ev = { .entity = entity, .entity_id = id, .actor_id = t->p ? t->p->user_id : 0, .kind = kind,
	                    .field = field, .old_value = old_json, .new_value = new_json, .at = t->now };
	return event_add(c, &ev);
}

/* Move user into team_id (0 = none), with the user's timeline event; a lead who leaves their
 * old team stops leading it, since a lead must be a member. */
static enum vk_rc move_user(struct conn *c, struct team_tx *t, int64_t user_id, int64_t team_id)
{
	int64_t from = store_user_team(c, user_id);
	if (from == team_id)
		return VK_OK;
	enum vk_rc rc = store_team_set_user(c, user_id, team_id);
	if (rc == VK_OK)
		rc = event(c, t, "user", user_id, "update", "team_id", id_json(t->a, from), id_json(t->a, team_id));
	struct team old;
	if (rc == VK_OK && from && from != t->id && store_team_get(c, from, t->a, &old) == VK_OK &&
	    old.lead_id == user_id) {
		rc = store_team_update(c, from, NULL, 0);
		if (rc == VK_OK)
			rc = event(c, t, "team", from, "update", "lead_id", id_json(t->a, user_id), "null");
	}
	return rc;
}

static enum vk_rc team_write(struct conn *c, void *ctx)
{
	struct team_tx *t = ctx;
	const struct team_input *in = t->in;
	struct team old = { 0 };
	enum vk_rc rc;
	if (!t->create && store_team_get(c, t->id, t->a, &old) != VK_OK)
		return vk_fail(t->err, VK_ENOTFOUND, NULL, "no such team");
	int64_t *old_ids = arena_alloc(t->a, sizeof *old_ids * (size_t)(old.n_members + 1));
	for (int i = 0; i < old.n_members; i++)
		old_ids[i] = old.members[i].id;

	if (t->del) {
		for (int i = 0; i < old.n_members; i++)
			if ((rc = move_user(c, t, old_ids[i], 0)) != VK_OK)
				return rc;
		if ((rc = store_team_delete(c, t->id)) != VK_OK)
			return rc;
		return event(c, t, "team", t->id, "delete", NULL, json_text_str(t->a, old.name), NULL);
	}

	for (int i = 0; in->has_members && i < in->n_members; i++)
		if (!store_team_user_name(c, in->members[i], t->a))
			return vk_fail(t->err, VK_EINVAL, "members", "no user with id %lld", (long long)in->members[i]);
	if (in->has_lead && in->lead_id && !store_team_user_name(c, in->lead_id, t->a))
		return vk_fail(t->err, VK_EINVAL, "lead_id", "no user with id %lld", (long long)in->lead_id);
	const int64_t *ids = in->has_members ? in->members : old_ids;
	int n_ids = in->has_members ? in->n_members : old.n_members;
	int64_t lead = in->has_lead ? in->lead_id : old.lead_id;
	if (lead && !has_id(ids, n_ids, lead)) {
		if (in->has_lead)
			return vk_fail(t->err, VK_EUNPROC, "lead_id", "the lead must be one of the team's members");
		lead = 0; /* the lead was taken out of the team: nobody leads it now */
	}

	if (t->create) {
		rc = store_team_insert(c, in->name, t->now, &t->id);
		if (rc == VK_ECONFLICT)
			return vk_fail(t->err, rc, "name", "there is already a team named \"%s\"", in->name);
		if (rc == VK_OK)
			rc = event(c, t, "team", t->id, "create", NULL, NULL, json_text_str(t->a, in->name));
	} else {
		rc = VK_OK;
		if (in->name && strcmp(in->name, old.name))
			rc = event(c, t, "team", t->id, "update", "name", json_text_str(t->a, old.name),
			           json_text_str(t->a, in->name));
	}
	if (rc != VK_OK)
		return rc;

	/* members first: the lead is written after, once they are in */
	for (int i = 0; i < old.n_members; i++)
		if (!has_id(ids, n_ids, old_ids[i]) && (rc = move_user(c, t, old_ids[i], 0)) != VK_OK)
			return rc;
	for (int i = 0; i < n_ids; i++)
		if ((rc = move_user(c, t, ids[i], t->id)) != VK_OK)
			return rc;
	rc = store_team_update(c, t->id, in->name, lead);
	if (rc == VK_ECONFLICT)
		return vk_fail(t->err, rc, "name", "there is already a team named \"%s\"", in->name);
	if (rc != VK_OK)
		return rc;
	const char *old_members = ids_json(t->a, old_ids, old.n_members), *new_members = ids_json(t->a, ids, n_ids);
	if (strcmp(old_members, new_members))
		rc = event(c, t, "team", t->id, "update", "members", old_members, new_members);
	if (rc == VK_OK && lead != old.lead_id)
		rc = event(c, t, "team", t->id, "update", "lead_id", id_json(t->a, old.lead_id), id_json(t->a, lead));
	return rc;
}

static enum vk_rc run(struct store *s, struct team_tx *t, struct arena *a, struct team *out)
{
	enum vk_rc rc = store_write(s, team_write, t);
	if (rc == VK_OK && out)
		rc = store_team_get(store_reader(s), t->id, a, out);
	return rc;
}

enum vk_rc team_create(struct store *s, const struct principal *actor, const struct team_input *in,
                       struct arena *a, struct team *out, struct vk_err *err)
{
	if (!in->name)
		return vk_fail(err, VK_EMISSING, "name", "name is required");
	struct team_tx t = { .p = actor, .in = in, .now = clock_now_ms(), .create = true, .a = a, .err = err };
	return run(s, &t, a, out);
}

enum vk_rc team_update(struct store *s, const struct principal *actor, int64_t id,
                       const struct team_input *in, struct arena *a, struct team *out, struct vk_err *err)
{
	struct team_tx t = { .p = actor, .in = in, .id = id, .now = clock_now_ms(), .a = a, .err = err };
	return run(s, &t, a, out);
}

enum vk_rc team_delete(struct store *s, const struct principal *actor, int64_t id, struct vk_err *err)
{
	static const struct team_input none = { 0 };
	struct arena *a = arena_new(4096);
	struct team_tx t = { .p = actor, .in = &none, .id = id, .now = clock_now_ms(), .del = true, .a = a, .err = err };
	enum vk_rc rc = run(s, &t, a, NULL);
	arena_free(a);
	return rc;
}
