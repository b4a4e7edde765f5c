#include "store/bulk.h"

#include <stdio.h>
#include <string.h>

static int entity_code(const char *entity)
{
	return !strcmp(entity, "contact") ? 1 : !strcmp(entity, "company") ? 2 : 3;
}

static void bind_opt(sqlite3_stmt *st, int i, int64_t v)
{
	if (v > 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

enum vk_rc store_bulk_insert(struct conn *c, const char *entity, const struct bulk_record *r, int64_t *id)
{
	sqlite3_stmt *st;
	if (!strcmp(entity, "contact")) {
		st = store_stmt(c,
			"INSERT INTO contacts (name, name_key, company_id, position, owner_id, city, region, source,"
			" utm_source, utm_medium, utm_campaign, created_by, created_at, updated_by, updated_at, version)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?5, ?12, ?5, ?12, 1)");
		store_bind_text(st, 1, r->name);
		store_bind_text(st, 2, r->name_key);
		bind_opt(st, 3, r->company_id);
		store_bind_text(st, 4, r->position);
	} else if (!strcmp(entity, "company")) {
		st = store_stmt(c,
			"INSERT INTO companies (name, name_key, domain, owner_id, city, region, source, utm_source,"
			" utm_medium, utm_campaign, pipeline_id, stage_id, stage_changed_at, created_by, created_at,"
			" updated_by, updated_at, version)"
			" VALUES (?1, ?2, ?3, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?14, ?12, ?5, ?12, ?5, ?12, 1)");
		store_bind_text(st, 1, r->name);
		store_bind_text(st, 2, r->name_key);
		store_bind_text(st, 3, r->domain);
		bind_opt(st, 13, r->pipeline_id);
		bind_opt(st, 14, r->stage_id);
	} else {
		st = store_stmt(c,
			"INSERT INTO deals (title, contact_id, company_id, owner_id, city, region, source, utm_source,"
			" utm_medium, utm_campaign, pipeline_id, stage_id, amount, currency, stage_changed_at,"
			" created_by, created_at, updated_by, updated_at, version)"
			" VALUES (?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?14, ?15, ?16, ?12, ?5, ?12, ?5, ?12, 1)");
		store_bind_text(st, 1, r->name);
		bind_opt(st, 3, r->contact_id);
		bind_opt(st, 4, r->company_id);
		store_bind_int(st, 13, r->pipeline_id);
		store_bind_int(st, 14, r->stage_id);
		store_bind_int(st, 15, r->amount);
		store_bind_text(st, 16, r->currency);
	}
	bind_opt(st, 5, r->owner_id);
	store_bind_text(st, 6, r->city);
	store_bind_text(st, 7, r->region);
	store_bind_text(st, 8, r->source);
	store_bind_text(st, 9, r->utm_source);
	store_bind_text(st, 10, r->utm_medium);
	store_bind_text(st, 11, r->utm_campaign);
	store_bind_int(st, 12, r->created_at);
	enum vk_rc rc = store_exec_stmt(c, st);
	if (rc != VK_OK)
		return rc;
	*id = store_last_id(c);
	if (r->phone) {
		st = store_stmt(c, "INSERT INTO phones (entity, record_id, e164, raw, sort) VALUES (?, ?, ?, ?, 0)");
		store_bind_text(st, 1, entity);
		store_bind_int(st, 2, *id);
		store_bind_text(st, 3, r->phone);
		store_bind_text(st, 4, r->phone_raw);
		if ((rc = store_exec_stmt(c, st)) != VK_OK)
			return rc;
	}
	if (r->email) {
		st = store_stmt(c, "INSERT INTO emails (entity, record_id, email, sort) VALUES (?, ?, ?, 0)");
		store_bind_text(st, 1, entity);
		store_bind_int(st, 2, *id);
		store_bind_text(st, 3, r->email);
		if ((rc = store_exec_stmt(c, st)) != VK_OK)
			return rc;
	}
	st = store_stmt(c, "INSERT INTO search_fts (rowid, body, entity, record_id) VALUES (?, ?, ?, ?)");
	store_bind_int(st, 1, *id * 4 + entity_code(entity));
	store_bind_text(st, 2, r->search);
	store_bind_text(st, 3, entity);
	store_bind_int(st, 4, *id);
	if ((rc = store_exec_stmt(c, st)) != VK_OK)
		return rc;
	st = store_stmt(c,
		"INSERT INTO events (entity, entity_id, actor_id, kind, new, at) VALUES (?, ?, ?, 'create', json_quote(?), ?)");
	store_bind_text(st, 1, entity);
	store_bind_int(st, 2, *id);
	bind_opt(st, 3, r->owner_id);
	store_bind_text(st, 4, r->name);
	store_bind_int(st, 5, r->created_at);
	return store_exec_stmt(c, st);
}

/* The CRM tables' own indexes as created by the migrations. */
static const char *const indexes[][2] = {
	{ "companies_owner", "CREATE INDEX companies_owner ON companies(owner_id, id)" },
	{ "companies_stage", "CREATE INDEX companies_stage ON companies(stage_id, id)" },
	{ "companies_name_key", "CREATE INDEX companies_name_key ON companies(name_key)" },
	{ "companies_domain", "CREATE INDEX companies_domain ON companies(domain)" },
	{ "contacts_owner", "CREATE INDEX contacts_owner ON contacts(owner_id, id)" },
	{ "contacts_company", "CREATE INDEX contacts_company ON contacts(company_id)" },
	{ "contacts_name_key", "CREATE INDEX contacts_name_key ON contacts(name_key)" },
	{ "deals_stage", "CREATE INDEX deals_stage ON deals(stage_id, id)" },
	{ "deals_owner_stage", "CREATE INDEX deals_owner_stage ON deals(owner_id, stage_id, id)" },
	{ "deals_contact", "CREATE INDEX deals_contact ON deals(contact_id)" },
	{ "deals_company", "CREATE INDEX deals_company ON deals(company_id)" },
	{ "deals_owner", "CREATE INDEX deals_owner ON deals(owner_id, id)" },
	{ "deals_board", "CREATE INDEX deals_board ON deals(stage_id, owner_id, currency, amount, pipeline_id, deleted_at)" },
	{ "phones_e164", "CREATE INDEX phones_e164 ON phones(e164, entity, record_id)" },
	{ "phones_record", "CREATE INDEX phones_record ON phones(record_id, entity, sort, e164)" },
	{ "emails_email", "CREATE INDEX emails_email ON emails(email, entity, record_id)" },
	{ "emails_record", "CREATE INDEX emails_record ON emails(record_id, entity, sort, email)" },
	{ "events_entity", "CREATE INDEX events_entity ON events(entity, entity_id, id)" },
	{ "deals_live_owner_updated",
	  "CREATE INDEX deals_live_owner_updated ON deals(owner_id, updated_at, id, deleted_at) WHERE deleted_at IS NULL" },
	{ "deals_live_updated", "CREATE INDEX deals_live_updated ON deals(updated_at, id, deleted_at) WHERE deleted_at IS NULL" },
	{ "deals_live_owner_stage", "CREATE INDEX deals_live_owner_stage ON deals(owner_id, pipeline_id, stage_id,"
	                            " stage_changed_at, id, deleted_at) WHERE deleted_at IS NULL" },
	{ "deals_live_stage", "CREATE INDEX deals_live_stage ON deals(pipeline_id, stage_id, stage_changed_at, id, deleted_at)"
	                      " WHERE deleted_at IS NULL" },
	{ "contacts_live_owner_updated", "CREATE INDEX contacts_live_owner_updated ON contacts(owner_id, updated_at,"
	                                 " id, deleted_at) WHERE deleted_at IS NULL" },
	{ "contacts_live_updated",
	  "CREATE INDEX contacts_live_updated ON contacts(updated_at, id, deleted_at) WHERE deleted_at IS NULL" },
	{ "companies_live_owner_updated", "CREATE INDEX companies_live_owner_updated ON companies(owner_id, updated_at,"
	                                  " id, deleted_at) WHERE deleted_at IS NULL" },
	{ "companies_live_updated",
	  "CREATE INDEX companies_live_updated ON companies(updated_at, id, deleted_at) WHERE deleted_at IS NULL" },
};

enum vk_rc store_bulk_indexes(struct conn *c, bool drop)
{
	char sql[256];
	for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++) {
		if (drop)
			snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS %s", indexes[i][0]);
		else
			snprintf(sql, sizeof sql, "%s", indexes[i][1]);
		enum vk_rc rc = store_exec(c, sql, NULL);
		if (rc != VK_OK)
			return rc;
	}
	/* fresh statistics, so the planner knows which index is selective */
	return drop ? VK_OK : store_exec(c, "ANALYZE", NULL);
}
