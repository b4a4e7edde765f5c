/* Numbered schema migrations, compiled into the binary and applied in order at start.
 * Never edit a released migration: add the next number. SQL stays portable to PostgreSQL
 * (integer times and money, no SQLite-only types). */
#include "store/db.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"

struct migration {
	int version;
	const char *name;
	const char *sql;
};

static const struct migration migrations[] = {
	{ 1, "platform: roles, users, sessions, tokens, settings, timeline",
	  "CREATE TABLE roles ("
	  "  id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
	  "  created_at INTEGER NOT NULL);"
	  "CREATE TABLE role_capabilities ("
	  "  role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,"
	  "  capability TEXT NOT NULL, PRIMARY KEY (role_id, capability));"
	  "CREATE TABLE users ("
	  "  id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
	  "  password_hash TEXT NOT NULL, role_id INTEGER NOT NULL REFERENCES roles(id),"
	  "  active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	  "CREATE TABLE sessions ("
	  "  id INTEGER PRIMARY KEY, token_hash BLOB NOT NULL UNIQUE,"
	  "  user_id INTEGER NOT NULL REFERENCES users(id), csrf TEXT NOT NULL,"
	  "  created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, revoked_at INTEGER,"
	  "  ip TEXT, user_agent TEXT);"
	  "CREATE INDEX sessions_user ON sessions(user_id);"
	  "CREATE TABLE api_tokens ("
	  "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, token_hash BLOB NOT NULL UNIQUE,"
	  "  role_id INTEGER NOT NULL REFERENCES roles(id), created_by INTEGER REFERENCES users(id),"
	  "  created_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER);"
	  "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);"
	  "CREATE TABLE events ("
	  "  id INTEGER PRIMARY KEY, entity TEXT NOT NULL, entity_id INTEGER NOT NULL,"
	  "  actor_id INTEGER, kind TEXT NOT NULL, field TEXT, old TEXT, new TEXT, at INTEGER NOT NULL);"
	  "CREATE INDEX events_entity ON events(entity, entity_id, id);"
	  /* The timeline is an audit trail: append-only. */
	  "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	  "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
	  "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
	  "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
	  "INSERT INTO roles (key, name, created_at) VALUES"
	  "  ('admin', 'Administrator', 0), ('manager', 'Manager', 0), ('integration', 'Integration', 0);"
	  "INSERT INTO role_capabilities (role_id, capability)"
	  "  SELECT id, '*' FROM roles WHERE key = 'admin';" },
	{ 2, "crm core: teams, scopes, pipelines, companies, contacts, deals, fields, lists, notes, tasks",
	  "ALTER TABLE events ADD COLUMN reason TEXT;"
	  "CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);"
	  "ALTER TABLE users ADD COLUMN team_id INTEGER REFERENCES teams(id);"
	  /* scope per role, entity and action: none | own | team | all */
	  "CREATE TABLE role_scopes ("
	  "  role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE, entity TEXT NOT NULL,"
	  "  action TEXT NOT NULL, scope TEXT NOT NULL, PRIMARY KEY (role_id, entity, action));"
	  "CREATE TABLE role_hidden_fields ("
	  "  role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE, entity TEXT NOT NULL,"
	  "  field TEXT NOT NULL, PRIMARY KEY (role_id, entity, field));"
	  "CREATE TABLE pipelines ("
	  "  id INTEGER PRIMARY KEY, entity TEXT NOT NULL, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
	  "  sort INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);"
	  /* a pipeline listed here is visible only to these roles (logistics' request pool) */
	  "CREATE TABLE pipeline_roles ("
	  "  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,"
	  "  role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE, PRIMARY KEY (pipeline_id, role_id));"
	  "CREATE TABLE stages ("
	  "  id INTEGER PRIMARY KEY, pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,"
	  "  key TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, color TEXT NOT NULL,"
	  "  sort INTEGER NOT NULL, required_fields TEXT NOT NULL DEFAULT '[]', UNIQUE (pipeline_id, key));"
	  "CREATE TABLE stage_transitions ("
	  "  role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,"
	  "  from_stage_id INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,"
	  "  to_stage_id INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,"
	  "  PRIMARY KEY (role_id, from_stage_id, to_stage_id));"
	  "CREATE TABLE stage_auto_moves ("
	  "  id INTEGER PRIMARY KEY, from_stage_id INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,"
	  "  to_stage_id INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE, condition TEXT NOT NULL);"
	  /* items that must be done before a record may enter the stage */
	  "CREATE TABLE checklist_items ("
	  "  id INTEGER PRIMARY KEY, stage_id INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,"
	  "  key TEXT NOT NULL, label TEXT NOT NULL, sort INTEGER NOT NULL, UNIQUE (stage_id, key));"
	  "CREATE TABLE record_checklist ("
	  "  entity TEXT NOT NULL, record_id INTEGER NOT NULL,"
	  "  item_id INTEGER NOT NULL REFERENCES checklist_items(id) ON DELETE CASCADE,"
	  "  done_by INTEGER REFERENCES users(id), done_at INTEGER NOT NULL,"
	  "  PRIMARY KEY (entity, record_id, item_id));"
	  "CREATE TABLE companies ("
	  "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL, domain TEXT, website TEXT,"
	  "  inn TEXT, owner_id INTEGER REFERENCES users(id), pipeline_id INTEGER REFERENCES pipelines(id),"
	  "  stage_id INTEGER REFERENCES stages(id), category TEXT, customer_type TEXT, address TEXT,"
	  "  city TEXT, region TEXT, district TEXT, source TEXT, utm_source TEXT, utm_medium TEXT,"
	  "  utm_campaign TEXT, utm_content TEXT, utm_term TEXT, notes TEXT, stage_changed_at INTEGER,"
	  "  created_by INTEGER REFERENCES users(id), created_at INTEGER NOT NULL,"
	  "  updated_by INTEGER REFERENCES users(id), updated_at INTEGER NOT NULL,"
	  "  version INTEGER NOT NULL DEFAULT 1, deleted_at INTEGER);"
	  "CREATE INDEX companies_owner ON companies(owner_id, id);"
	  "CREATE INDEX companies_stage ON companies(stage_id, id);"
	  "CREATE INDEX companies_name_key ON companies(name_key);"
	  "CREATE INDEX companies_domain ON companies(domain);"
	  "CREATE TABLE contacts ("
	  "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL,"
	  "  company_id INTEGER REFERENCES companies(id), position TEXT, owner_id INTEGER REFERENCES users(id),"
	  "  birthday TEXT, messengers TEXT, category TEXT, customer_type TEXT, address TEXT, city TEXT,"
	  "  region TEXT, district TEXT, source TEXT, utm_source TEXT, utm_medium TEXT, utm_campaign TEXT,"
	  "  utm_content TEXT, utm_term TEXT, notes TEXT,"
	  "  created_by INTEGER REFERENCES users(id), created_at INTEGER NOT NULL,"
	  "  updated_by INTEGER REFERENCES users(id), updated_at INTEGER NOT NULL,"
	  "  version INTEGER NOT NULL DEFAULT 1, deleted_at INTEGER);"
	  "CREATE INDEX contacts_owner ON contacts(owner_id, id);"
	  "CREATE INDEX contacts_company ON contacts(company_id);"
	  "CREATE INDEX contacts_name_key ON contacts(name_key);"
	  "CREATE TABLE deals ("
	  "  id INTEGER PRIMARY KEY, title TEXT NOT NULL, contact_id INTEGER REFERENCES contacts(id),"
	  "  company_id INTEGER REFERENCES companies(id), owner_id INTEGER REFERENCES users(id),"
	  "  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id), stage_id INTEGER NOT NULL REFERENCES stages(id),"
	  "  amount INTEGER NOT NULL DEFAULT 0, currency TEXT NOT NULL, category TEXT, customer_type TEXT,"
	  "  address TEXT, city TEXT, region TEXT, district TEXT, source TEXT, utm_source TEXT,"
	  "  utm_medium TEXT, utm_campaign TEXT, utm_content TEXT, utm_term TEXT, notes TEXT,"
	  "  stage_changed_at INTEGER, closed_at INTEGER,"
	  "  created_by INTEGER REFERENCES users(id), created_at INTEGER NOT NULL,"
	  "  updated_by INTEGER REFERENCES users(id), updated_at INTEGER NOT NULL,"
	  "  version INTEGER NOT NULL DEFAULT 1, deleted_at INTEGER);"
	  "CREATE INDEX deals_stage ON deals(stage_id, id);"
	  "CREATE INDEX deals_owner_stage ON deals(owner_id, stage_id, id);"
	  "CREATE INDEX deals_contact ON deals(contact_id);"
	  "CREATE INDEX deals_company ON deals(company_id);"
	  "CREATE TABLE phones ("
	  "  id INTEGER PRIMARY KEY, entity TEXT NOT NULL, record_id INTEGER NOT NULL, e164 TEXT NOT NULL,"
	  "  raw TEXT NOT NULL, sort INTEGER NOT NULL);"
	  "CREATE INDEX phones_e164 ON phones(e164);"
	  "CREATE INDEX phones_record ON phones(entity, record_id);"
	  "CREATE TABLE emails ("
	  "  id INTEGER PRIMARY KEY, entity TEXT NOT NULL, record_id INTEGER NOT NULL, email TEXT NOT NULL,"
	  "  sort INTEGER NOT NULL);"
	  "CREATE INDEX emails_email ON emails(email);"
	  "CREATE INDEX emails_record ON emails(entity, record_id);"
	  "CREATE TABLE products ("
	  "  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, unit TEXT NOT NULL,"
	  "  price INTEGER NOT NULL, currency TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,"
	  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	  "CREATE TABLE deal_items ("
	  "  id INTEGER PRIMARY KEY, deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,"
	  "  product_id INTEGER REFERENCES products(id), name TEXT NOT NULL, unit TEXT NOT NULL,"
	  "  qty_milli INTEGER NOT NULL, price INTEGER NOT NULL, amount INTEGER NOT NULL, sort INTEGER NOT NULL);"
	  "CREATE INDEX deal_items_deal ON deal_items(deal_id, sort);"
	  "CREATE TABLE fields ("
	  "  id INTEGER PRIMARY KEY, entity TEXT NOT NULL, key TEXT NOT NULL, label TEXT NOT NULL,"
	  "  type TEXT NOT NULL, options TEXT NOT NULL DEFAULT '[]', list_key TEXT,"
	  "  required INTEGER NOT NULL DEFAULT 0, sort INTEGER NOT NULL DEFAULT 0,"
	  "  created_at INTEGER NOT NULL, UNIQUE (entity, key));"
	  "CREATE TABLE lists (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
	  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	  "CREATE TABLE list_items ("
	  "  id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,"
	  "  value TEXT NOT NULL, label TEXT NOT NULL, sort INTEGER NOT NULL, UNIQUE (list_id, value));"
	  "CREATE TABLE notes ("
	  "  id INTEGER PRIMARY KEY, entity TEXT NOT NULL, record_id INTEGER NOT NULL,"
	  "  author_id INTEGER REFERENCES users(id), body TEXT NOT NULL, created_at INTEGER NOT NULL,"
	  "  deleted_at INTEGER);"
	  "CREATE INDEX notes_record ON notes(entity, record_id, id);"
	  "CREATE TABLE note_mentions ("
	  "  note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,"
	  "  user_id INTEGER NOT NULL REFERENCES users(id), read_at INTEGER, PRIMARY KEY (note_id, user_id));"
	  "CREATE INDEX note_mentions_user ON note_mentions(user_id, read_at);"
	  "CREATE TABLE tasks ("
	  "  id INTEGER PRIMARY KEY, entity TEXT, record_id INTEGER, kind TEXT NOT NULL, title TEXT NOT NULL,"
	  "  due_at INTEGER NOT NULL, assignee_id INTEGER NOT NULL REFERENCES users(id), done_at INTEGER,"
	  "  done_by INTEGER REFERENCES users(id), notified_at INTEGER,"
	  "  created_by INTEGER REFERENCES users(id), created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	  "  version INTEGER NOT NULL DEFAULT 1, deleted_at INTEGER);"
	  "CREATE INDEX tasks_assignee ON tasks(assignee_id, done_at, due_at);"
	  "CREATE INDEX tasks_record ON tasks(entity, record_id);"
	  "CREATE INDEX tasks_due ON tasks(due_at) WHERE done_at IS NULL AND notified_at IS NULL;"
	  "CREATE TABLE notifications ("
	  "  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), kind TEXT NOT NULL,"
	  "  entity TEXT, record_id INTEGER, title TEXT NOT NULL, body TEXT, created_at INTEGER NOT NULL,"
	  "  read_at INTEGER);"
	  "CREATE INDEX notifications_user ON notifications(user_id, id);"
	  "CREATE TABLE saved_filters ("
	  "  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), entity TEXT NOT NULL,"
	  "  name TEXT NOT NULL, query TEXT NOT NULL, created_at INTEGER NOT NULL);"
	  "CREATE INDEX saved_filters_user ON saved_filters(user_id, entity);"
	  /* SQLite-specific: trigram full-text index over names, e-mails, company names (the
	   * PostgreSQL driver will use pg_trgm). rowid = record id; entity kept beside. */
	  "CREATE VIRTUAL TABLE search_fts USING fts5(body, entity UNINDEXED, record_id UNINDEXED,"
	  "  tokenize = 'trigram');" },
	{ 3, "custom field values",
	  /* a JSON object of validated values; each filterable field gets an expression index */
	  "ALTER TABLE contacts ADD COLUMN custom TEXT;"
	  "ALTER TABLE companies ADD COLUMN custom TEXT;"
	  "ALTER TABLE deals ADD COLUMN custom TEXT;" },
	{ 4, "indexes the planner cannot mistake (found by bench-gen at 1M)",
	  /* (entity, record_id) let a lookup by number walk every contact's phone when SQLite had
	   * no statistics; record_id first leaves e164 the only index for "which record has it" */
	  "DROP INDEX phones_record; CREATE INDEX phones_record ON phones(record_id, entity);"
	  "DROP INDEX emails_record; CREATE INDEX emails_record ON emails(record_id, entity);"
	  /* a manager's own deals, newest first, without a stage */
	  "CREATE INDEX deals_owner ON deals(owner_id, id);" },
	{ 5, "teams: an optional lead; members found by team",
	  "ALTER TABLE teams ADD COLUMN lead_id INTEGER REFERENCES users(id);"
	  /* the team scope asks "who is in this team" on every scoped read */
	  "CREATE INDEX users_team ON users(team_id);" },
	{ 6, "a mention notification knows its note",
	  /* reading the note settles the bell's item about it; before, the two were matched by
	   * user, record and creation time, which two notes in one millisecond could mix up */
	  "ALTER TABLE notifications ADD COLUMN note_id INTEGER REFERENCES notes(id);"
	  "UPDATE notifications SET note_id = (SELECT n.id FROM notes n WHERE n.entity = notifications.entity"
	  "  AND n.record_id = notifications.record_id AND n.created_at = notifications.created_at"
	  "  ORDER BY n.id LIMIT 1) WHERE kind = 'mention';"
	  "CREATE INDEX notifications_note ON notifications(note_id) WHERE note_id IS NOT NULL;" },
	{ 7, "kanban column totals",
	  /* GET /api/pipelines/KEY/summary: count and amount per stage and currency, scoped by owner
	   * and pipeline visibility, read from the index alone (a stage may hold a million deals);
	   * deleted_at is a column, not a partial-index condition, because SQLite 3.40 reads the
	   * table to test a partial index's own condition */
	  "CREATE INDEX deals_board ON deals(stage_id, owner_id, currency, amount, pipeline_id, deleted_at);" },
	{ 8, "indexes in the order the screens sort, of live records only",
	  /* The lists sort by last change and the board by the last stage move, with a total. With
	   * only (owner_id, id) a manager's page read and sorted all ~38k of their deals at 1M
	   * (0.4 s) and the count read every row again for deleted_at. These hold the exact order
	   * (sort column, id), so a page stops after its rows. deleted_at is a column too (always
	   * NULL here) because SQLite 3.40 counts through a partial index without the table only
	   * when the index holds every column the WHERE names; it comes last, after id, or the
	   * planner would prefer these two-equality indexes for the default id order and sort.
	   * With an owner for "own" scopes, without for "all". store_migrate analyzes them. */
	  "CREATE INDEX deals_live_owner_updated ON deals(owner_id, updated_at, id, deleted_at) WHERE deleted_at IS NULL;"
	  "CREATE INDEX deals_live_updated ON deals(updated_at, id, deleted_at) WHERE deleted_at IS NULL;"
	  "CREATE INDEX deals_live_owner_stage ON deals(owner_id, pipeline_id, stage_id, stage_changed_at, id, deleted_at)"
	  "  WHERE deleted_at IS NULL;"
	  "CREATE INDEX deals_live_stage ON deals(pipeline_id, stage_id, stage_changed_at, id, deleted_at)"
	  "  WHERE deleted_at IS NULL;"
	  "CREATE INDEX contacts_live_owner_updated ON contacts(owner_id, updated_at, id, deleted_at) WHERE deleted_at IS NULL;"
	  "CREATE INDEX contacts_live_updated ON contacts(updated_at, id, deleted_at) WHERE deleted_at IS NULL;"
	  "CREATE INDEX companies_live_owner_updated ON companies(owner_id, updated_at, id, deleted_at)"
	  "  WHERE deleted_at IS NULL;"
	  "CREATE INDEX companies_live_updated ON companies(updated_at, id, deleted_at) WHERE deleted_at IS NULL;"
	  /* A caller-ID lookup and every row of a contacts page read phones and e-mails: these hold
	   * what those queries read, in their order, so no phones or emails row is visited (at 1M
	   * each was a random page: ~3 of the ~5 reads from disk cache a caller-ID made). */
	  "DROP INDEX phones_e164; CREATE INDEX phones_e164 ON phones(e164, entity, record_id);"
	  "DROP INDEX phones_record; CREATE INDEX phones_record ON phones(record_id, entity, sort, e164);"
	  "DROP INDEX emails_email; CREATE INDEX emails_email ON emails(email, entity, record_id);"
	  "DROP INDEX emails_record; CREATE INDEX emails_record ON emails(record_id, entity, sort, email);" },
	{ 9, "tasks found by who set them",
	  /* "Every task you may see" is (assignee_id = me OR created_by = me): with an index on each
	   * side SQLite answers the OR from both indexes instead of walking every task by due time. */
	  "CREATE INDEX tasks_created_by ON tasks(created_by, done_at, due_at);" },
	{ 10, "full-text segments merged sixteen at a time",
	  /* FTS5 merges a level's segments once it has 'automerge' of them (4 by default), so
	   * every posting is rewritten once per level: at 1M records with ~70 trigrams a contact
	   * that rewriting was most of an import's full-text cost. At 16 (crisismerge's default)
	   * half as many levels: a CSV import into the 1M database 18.6k -> 24k rows/s, and
	   * searches no slower (p99 538 -> 469 ms over the same 300 queries after 300k rows). */
	  "INSERT INTO search_fts(search_fts, rank) VALUES ('automerge', 16);" },
};

int store_schema_version(struct conn *c)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
	int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	store_done(c, st);
	return v;
}

/* When the database has statistics (bench-gen and PRAGMA optimize make them), an index a
 * migration added has none, and SQLite then takes it for the most selective one: at 1M deals
 * a manager's default list (by id) went through a new sort index and sorted 38k rows. Give such
 * indexes their statistics; a database without any keeps the planner's defaults. */
static void analyze_new_indexes(struct conn *c)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'");
	bool has_stats = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	store_done(c, st);
	if (!has_stats)
		return;
	char names[64][64];
	int n = 0;
	st = store_stmt(c,
		"SELECT m.name FROM sqlite_master m WHERE m.type = 'index' AND m.sql IS NOT NULL"
		" AND NOT EXISTS (SELECT 1 FROM sqlite_stat1 s WHERE s.idx = m.name) LIMIT 64");
	while (n < 64 && sqlite3_step(st) == SQLITE_ROW)
		snprintf(names[n++], sizeof names[0], "%.63s", store_col_text(st, 0));
	store_done(c, st);
	for (int i = 0; i < n; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "ANALYZE \"%.63s\"", names[i]);
		store_exec(c, sql, NULL);
	}
}

enum vk_rc store_migrate(struct conn *c, int *applied, struct vk_err *err)
{
	*applied = 0;
	enum vk_rc rc = store_exec(c,
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		"  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)", err);
	if (rc != VK_OK)
		return rc;
	int current = store_schema_version(c);
	int newest = migrations[sizeof migrations / sizeof migrations[0] - 1].version;
	if (current > newest)
		return vk_fail(err, VK_EINVAL, NULL,
		               "database schema version %d is newer than this binary's %d; upgrade voronka",
		               current, newest);
	for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
		const struct migration *m = &migrations[i];
		if (m->version <= current)
			continue;
		if ((rc = store_exec(c, "BEGIN IMMEDIATE", err)) != VK_OK)
			return rc;
		rc = store_exec(c, m->sql, err);
		if (rc == VK_OK) {
			sqlite3_stmt *st = store_stmt(c,
				"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
			sqlite3_bind_int(st, 1, m->version);
			store_bind_text(st, 2, m->name);
			store_bind_int(st, 3, clock_now_ms());
			rc = store_exec_stmt(c, st);
		}
		if (rc == VK_OK)
			rc = store_exec(c, "COMMIT", err);
		if (rc != VK_OK) {
			store_exec(c, "ROLLBACK", NULL);
			char what[160];
			snprintf(what, sizeof what, "migration %d (%.100s) failed: ", m->version, m->name);
			vk_err_prefix(err, what);
			return rc;
		}
		(*applied)++;
	}
	if (*applied)
		analyze_new_indexes(c);
	return VK_OK;
}
