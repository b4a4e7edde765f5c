/* Query plans of the lists the screens ask for: each must walk an index in the order of the
 * page and stop after it, never sort every matching row in a temporary B-tree (that cost 0.4 s
 * a page at 1M deals). Checked without statistics (a young database) and with the statistics
 * of a database of 1M contacts and deals, which is where a planner mistake costs. */
#include "harness.h"

#include <string.h>

#include "store/db.h"
#include "store/event.h"
#include "store/record.h"

static int field_of(const struct entity *e, const char *key)
{
	for (int i = 0; i < e->n_fields; i++)
		if (!strcmp(e->fields[i].key, key))
			return i;
	return -1;
}

/* The plan of the list (or count) query store_record_list (store_record_count) ran. */
static const char *list_plan(struct conn *c, const struct entity *e, const struct scope *sc, struct list_query *q,
                             bool count, struct arena *a)
{
	struct record *items;
	int n;
	if (count)
		store_record_count(c, e, sc, q);
	else
		store_record_list(c, e, sc, q, a, &items, &n);
	return store_plan(c, store_last_sql(c), a);
}

/* The record's own table is read through index, and no sort step belongs to the query itself
 * (a record's phones are sorted in their subquery: one to three rows). */
static bool uses(const char *plan, const char *index)
{
	return strstr(plan, index) != NULL && strncmp(plan, "USE TEMP B-TREE", 15) != 0 &&
	       strstr(plan, "\nUSE TEMP B-TREE") == NULL;
}

static bool report(bool ok, const char *what, const char *plan)
{
	if (!ok)
		fprintf(stderr, "plan of %s:\n%s", what, plan);
	return ok;
}

static enum vk_rc stats_1m(struct conn *c, void *ctx)
{
	(void)ctx;
	/* sqlite_stat1 of the bench database: 1M contacts and deals, 100k companies, 20 managers */
	return store_exec(c,
		"ANALYZE;"
		"DELETE FROM sqlite_stat1;"
		"INSERT INTO sqlite_stat1 VALUES"
		" ('deals','deals_owner','1000050 37039 1'), ('deals','deals_owner_stage','1000050 37039 6136 1'),"
		" ('deals','deals_stage','1000050 100005 1'), ('deals','deals_contact','1000050 2'),"
		" ('deals','deals_company','1000050 1000050'),"
		" ('deals','deals_live_owner_updated','1000050 37039 1 1 1'),"
		" ('deals','deals_live_updated','1000050 1 1 1'),"
		" ('deals','deals_live_owner_stage','1000050 37039 33335 6136 1 1 1'),"
		" ('deals','deals_live_stage','1000050 500025 100005 1 1 1'),"
		" ('contacts','contacts_owner','1000046 38464 1'), ('contacts','contacts_company','1000046 11'),"
		" ('contacts','contacts_name_key','1000046 46'),"
		" ('contacts','contacts_live_owner_updated','1000046 38464 1 1 1'),"
		" ('contacts','contacts_live_updated','1000046 1 1 1'),"
		" ('companies','companies_owner','100000 3847 1'),"
		" ('companies','companies_live_owner_updated','100000 3847 1 1 1'),"
		" ('companies','companies_live_updated','100000 1 1 1'),"
		" ('phones','phones_e164','1100054 1 1 1'), ('phones','phones_record','1100054 2 1 1 1'),"
		" ('emails','emails_email','900000 1 1 1'), ('emails','emails_record','900000 2 1 1 1'),"
		" ('events','events_entity','2100129 300019 1 1');",
		NULL);
}

static void check_plans(struct store *s, const char *when)
{
	struct conn *c = store_reader(s);
	struct arena *a = arena_new(4096);
	struct scope own = { .kind = SCOPE_OWN, .user_id = 5, .role_id = -1 };
	struct scope all = { .kind = SCOPE_ALL, .role_id = -1 };
	const struct entity *d = &entity_deal;
	int updated = field_of(d, "updated_at"), moved = field_of(d, "stage_changed_at");
	int pipeline = field_of(d, "pipeline_id"), stage = field_of(d, "stage_id");
	struct value v_pipeline = { .kind = V_INT, .i = 1 }, v_stage = { .kind = V_INT, .i = 3 };
	struct filter column[2] = { { .field = pipeline, .op = FOP_EQ, .values = &v_pipeline, .n_values = 1 },
	                            { .field = stage, .op = FOP_EQ, .values = &v_stage, .n_values = 1 } };
	const char *p;
	fprintf(stderr, "  plans %s\n", when);

	/* the deals screen: own deals by last change, its next page, and the total */
	struct list_query q = { .sort_field = updated, .desc = true, .limit = 51 };
	p = list_plan(c, d, &own, &q, false, a);
	CHECK(report(uses(p, "deals_live_owner_updated"), "own deals by -updated_at", p));
	q.has_cursor = true;
	q.cursor_value = (struct value){ .kind = V_INT, .i = 1700000000000 };
	q.cursor_id = 1000;
	p = list_plan(c, d, &own, &q, false, a);
	CHECK(report(uses(p, "deals_live_owner_updated") && strstr(p, "updated_at<"), "own deals, next page", p));
	q.has_cursor = false;
	p = list_plan(c, d, &own, &q, true, a);
	CHECK(report(uses(p, "COVERING INDEX deals_live_owner"), "count of own deals", p));

	/* a board column: own deals of a stage by the last stage move, and its total */
	struct list_query k = { .filters = column, .n_filters = 2, .sort_field = moved, .desc = true, .limit = 21 };
	p = list_plan(c, d, &own, &k, false, a);
	CHECK(report(uses(p, "deals_live_owner_stage"), "own board column", p));
	k.has_cursor = true;
	k.cursor_value = (struct value){ .kind = V_INT, .i = 1700000000000 };
	k.cursor_id = 1000;
	p = list_plan(c, d, &own, &k, false, a);
	CHECK(report(uses(p, "deals_live_owner_stage"), "own board column, next page", p));
	k.has_cursor = false;
	p = list_plan(c, d, &own, &k, true, a);
	CHECK(report(uses(p, "COVERING INDEX deals_live_owner_stage"), "count of an own board column", p));
	p = list_plan(c, d, &all, &k, false, a);
	CHECK(report(uses(p, "deals_live_stage"), "board column, all deals", p));
	p = list_plan(c, d, &all, &k, true, a);
	CHECK(report(uses(p, "COVERING INDEX deals_live_stage"), "count of a board column, all deals", p));

	/* all deals by last change; the default order (id) keeps its own index */
	p = list_plan(c, d, &all, &q, false, a);
	CHECK(report(uses(p, "deals_live_updated"), "all deals by -updated_at", p));
	struct list_query by_id = { .sort_field = -1, .desc = true, .limit = 51 };
	p = list_plan(c, d, &own, &by_id, false, a);
	CHECK(report(uses(p, "deals_owner"), "own deals by id", p));
	p = list_plan(c, d, &all, &by_id, false, a);
	CHECK(report(uses(p, "SCAN t"), "all deals by id", p));

	/* contacts and companies screens */
	struct list_query qc = { .sort_field = field_of(&entity_contact, "updated_at"), .desc = true, .limit = 51 };
	p = list_plan(c, &entity_contact, &own, &qc, false, a);
	CHECK(report(uses(p, "contacts_live_owner_updated"), "own contacts by -updated_at", p));
	p = list_plan(c, &entity_contact, &own, &qc, true, a);
	CHECK(report(uses(p, "COVERING INDEX contacts_live_owner_updated"), "count of own contacts", p));
	struct list_query qo = { .sort_field = field_of(&entity_company, "updated_at"), .desc = true, .limit = 51 };
	p = list_plan(c, &entity_company, &own, &qo, false, a);
	CHECK(report(uses(p, "companies_live_owner_updated"), "own companies by -updated_at", p));

	/* caller-ID: the number's records and each one's phones and e-mails, without their rows */
	struct list_query cid = { .sort_field = -1, .desc = true, .limit = 51, .phone = "+79161234567" };
	p = list_plan(c, &entity_contact, &all, &cid, false, a);
	CHECK(report(uses(p, "COVERING INDEX phones_e164") && strstr(p, "COVERING INDEX phones_record") &&
	             strstr(p, "COVERING INDEX emails_record"), "caller-ID", p));

	/* the PBX's caller-ID: the number's records in one statement on the phone index, read
	 * backwards for the order; a match's open deal through its own link's index (with the
	 * bench's statistics deals_company looks useless: every deal there has no company) */
	struct scope sc3[3] = { all, all, all }, own3[3] = { own, own, own };
	struct phone_match m[10];
	int found;
	for (int round = 0; round < 2; round++) {
		const struct scope *x = round ? own3 : sc3;
		const char *who = round ? "own" : "all";
		store_phone_lookup(c, "+79160000002", x, true, a, m, 10, &found);
		p = store_plan(c, store_last_sql(c), a);
		CHECK(report(uses(p, "INDEX deals_company") && !strstr(p, "SCAN"), who, p));
		store_phone_lookup(c, "+79160000001", x, true, a, m, 10, &found);
		p = store_plan(c, store_last_sql(c), a);
		CHECK(report(uses(p, "INDEX deals_contact") && !strstr(p, "SCAN"), who, p));
		store_phone_lookup(c, "+79160000001", x, false, a, m, 10, &found);
		p = store_plan(c, store_last_sql(c), a);
		CHECK(report(uses(p, "COVERING INDEX phones_e164") && !strstr(p, "SCAN"), who, p));
	}
	/* all: the contact first, then the company of the same number */
	store_phone_lookup(c, "+79160000003", sc3, true, a, m, 10, &found);
	CHECK(found == 2 && m[0].e == &entity_contact && m[1].e == &entity_company && m[0].deal_id == 1 &&
	      m[1].deal_id == 1 && m[0].company_id == 1 && !strcmp(m[0].company_name, "Co"));
	CHECK(!strcmp(m[0].owner_name, "U5") && !strcmp(m[1].name, "Co"));
	for (int i = 0; i < 3; i++)
		own3[i].user_id = 6;
	store_phone_lookup(c, "+79160000003", own3, true, a, m, 10, &found);
	CHECK(found == 0); /* user 6 owns neither */

	/* a record's history, first page and the next */
	struct event *ev;
	int n;
	event_list(c, "deal", 7, 0, 30, a, &ev, &n);
	p = store_plan(c, store_last_sql(c), a);
	CHECK(report(uses(p, "events_entity"), "a record's timeline", p));
	arena_free(a);
}

/* A contact and its company, each with a number and one that both have, and an open deal
 * of both: what the caller-ID statements need to run to their deal lookups. */
static enum vk_rc caller_rows(struct conn *c, void *ctx)
{
	(void)ctx;
	return store_exec(c,
		"INSERT INTO users (id, login, name, password_hash, role_id, created_at, updated_at)"
		" SELECT 5, 'u5', 'U5', '-', min(id), 0, 0 FROM roles UNION ALL SELECT 6, 'u6', 'U6', '-', min(id), 0, 0 FROM roles;"
		"INSERT INTO pipelines (id, entity, key, name, sort, created_at) VALUES (1, 'deal', 'p', 'P', 0, 0);"
		"INSERT INTO stages (id, pipeline_id, key, name, kind, color, sort) VALUES (1, 1, 'new', 'New', 'open', '#000000', 0);"
		"INSERT INTO companies (id, name, name_key, owner_id, created_at, updated_at) VALUES (1, 'Co', 'co', 5, 0, 0);"
		"INSERT INTO contacts (id, name, name_key, company_id, owner_id, created_at, updated_at)"
		" VALUES (1, 'Ivan', 'ivan', 1, 5, 0, 0);"
		"INSERT INTO phones (entity, record_id, e164, raw, sort) VALUES ('contact', 1, '+79160000001', '', 0),"
		" ('company', 1, '+79160000002', '', 0), ('contact', 1, '+79160000003', '', 1), ('company', 1, '+79160000003', '', 1);"
		"INSERT INTO deals (id, title, contact_id, company_id, owner_id, pipeline_id, stage_id, currency, created_at,"
		" updated_at) VALUES (1, 'D', 1, 1, 5, 1, 1, 'RUB', 0, 0);",
		NULL);
}

void test_plan(void)
{
	const char *path = unit_tmp_db();
	struct store *s;
	CHECK(store_open(path, &s, NULL) == VK_OK);
	CHECK(store_write(s, caller_rows, NULL) == VK_OK);
	check_plans(s, "without statistics");
	CHECK(store_write(s, stats_1m, NULL) == VK_OK);
	store_close(s); /* statistics are read when a connection loads the schema */
	CHECK(store_open(path, &s, NULL) == VK_OK);
	check_plans(s, "with the statistics of 1M records");
	store_close(s);
	unit_rm_db(path);
}
