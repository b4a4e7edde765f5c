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
};

int store_schema_version(struct conn *c)
{
	sqlite3_stmt *st = store_stmt(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
	int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	store_done(c, st);
	return v;
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
	return VK_OK;
}
