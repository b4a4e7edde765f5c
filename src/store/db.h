/* The SQLite driver: the only code that opens connections or runs SQL (with the store/<domain>.c
 * files it serves). One writer connection on its own thread group-commits concurrent writes:
 * every job queued with store_write() runs in its own SAVEPOINT inside one transaction that is
 * committed with synchronous=FULL, so store_write() returns only after the job is on disk.
 * Requests read through a small pool of readers, other threads through their own (WAL lets
 * them run beside the writer). */
#ifndef VK_STORE_DB_H
#define VK_STORE_DB_H
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/rc.h"

struct store;
struct conn; /* a connection with its statement cache; used by one thread at a time */

enum vk_rc store_open(const char *path, struct store **out, struct vk_err *err);
/* Finish queued writes, stop the writer, close every connection. */
void store_close(struct store *s);

/* This thread's read-only connection: inside store_read_begin/_end one of the pool, held to
 * the end of the pair; otherwise the thread's own (opened on first use, closed at exit). */
struct conn *store_reader(struct store *s);
/* Between these two, every statement of this thread's reader runs in one read transaction:
 * one snapshot and one WAL read lock for a whole HTTP request instead of one per statement.
 * Nested pairs are fine. store_write() ends the transaction first (the next read sees the
 * write); outside a pair statements run on their own, as before. */
void store_read_begin(struct store *s);
void store_read_end(struct store *s);
/* Ends this thread's snapshot now; its next read takes a new one. store_write() does it itself;
 * a request whose writes run on other threads (an import's batches) calls it once it has read
 * what it needs, or its snapshot keeps every frame written meanwhile in the WAL. */
void store_read_fresh(struct store *s);
/* Has this request's snapshot been taken (by a statement of this request)? */
bool store_in_read_tx(struct conn *c);
/* Ends the snapshots idle pooled readers kept past their use (the server's ticker calls it
 * every 100 ms), so that they do not hold the WAL back. */
void store_release_idle(struct store *s);

/* A value (len bytes, NUL-terminated) remembered for the snapshot c reads now, under key:
 * for small queries whose answer a request needs again and again (a role's scopes). NULL when
 * unknown, or outside a read transaction, where nothing is remembered. */
const char *store_memo_get(struct conn *c, const char *key, size_t *len);
void store_memo_put(struct conn *c, const char *key, const char *value, size_t len);
/* A memo key "kind:n[:a[:b]]" (a, b may be NULL) in out, which holds at least 96 bytes. */
const char *store_memo_key(char *out, size_t size, const char *kind, int64_t n, const char *a, const char *b);

/* Sessions, users and roles change rarely and are read on every request, so auth caches
 * them. A write job that changes one of them calls store_auth_changed(c) on the writer; the
 * epoch then moves once the transaction is committed, before store_write() returns. */
void store_auth_changed(struct conn *c);
uint64_t store_auth_epoch(struct store *s);
/* The same for custom field definitions and settings, read by every list and lookup: the
 * store caches them by this epoch. store_config_epoch answers 0 (do not cache) on the writer,
 * and on a reader the epoch that holds for what that connection reads now. */
void store_config_changed(struct conn *c);
uint64_t store_config_epoch(struct conn *c);

typedef enum vk_rc (*store_write_fn)(struct conn *c, void *ctx);
/* Run fn(c, ctx) on the writer inside a transaction shared with other concurrent jobs; its own
 * SAVEPOINT is rolled back if fn fails. Returns fn's result once the transaction is durable,
 * or VK_EIO if the commit failed. */
enum vk_rc store_write(struct store *s, store_write_fn fn, void *ctx);
/* Same, without waiting; fn must not refer to the caller's stack. free_ctx (may be NULL) is
 * called with ctx afterwards. Used for best-effort bookkeeping such as session last-seen. */
void store_write_async(struct store *s, store_write_fn fn, void *ctx, void (*free_ctx)(void *));

/* Statements are cached per connection and keyed by the address of the SQL text, so pass
 * string literals. store_stmt returns a statement ready to bind; store_done resets it.
 * Preparing invalid SQL is a bug: it aborts with the SQLite message. */
sqlite3_stmt *store_stmt(struct conn *c, const char *sql);
void store_done(struct conn *c, sqlite3_stmt *st);
/* Steps st once and gives it back (store_done): its first column as an integer, 0 when there is
 * no row. For COUNT(*) and single-id lookups. */
int64_t store_int(struct conn *c, sqlite3_stmt *st);
/* For SQL built at run time from trusted metadata (never from user text): cached by content,
 * least recently used evicted. Values are always bound, never pasted. */
sqlite3_stmt *store_stmt_dyn(struct conn *c, const char *sql);
/* The SQL of the statement c handed out last, and the query plan of sql on c (EXPLAIN QUERY
 * PLAN, one step a line: "SEARCH t USING INDEX …"), arena-owned: for tests that keep a query
 * on its index, and for looking at a slow one. */
const char *store_last_sql(struct conn *c);
const char *store_plan(struct conn *c, const char *sql, struct arena *a);
/* Step a statement expecting no row (INSERT/UPDATE/DELETE); VK_ECONFLICT on a UNIQUE violation. */
enum vk_rc store_exec_stmt(struct conn *c, sqlite3_stmt *st);
int64_t store_last_id(struct conn *c);
int store_changes(struct conn *c);
/* Run literal SQL (no parameters), for migrations and pragmas. */
enum vk_rc store_exec(struct conn *c, const char *sql, struct vk_err *err);

/* Binding helpers that accept NULL for SQL NULL. */
void store_bind_text(sqlite3_stmt *st, int i, const char *s);
void store_bind_int(sqlite3_stmt *st, int i, int64_t v);
const char *store_col_text(sqlite3_stmt *st, int i); /* "" for NULL */

/* Online backup of the live database into dest (while serving). */
enum vk_rc store_backup(struct store *s, const char *dest, struct vk_err *err);

/* Metrics: write transactions, jobs and commit latency. */
struct store_stats {
	uint64_t commits, jobs, failed_commits;
	uint64_t commit_us_total;
	uint64_t commit_us_buckets[12]; /* cumulative, bounds in store_stats_bounds_us */
	uint64_t reads; /* statements handed out on reader connections */
	uint64_t checkpoints, checkpoint_pages; /* background checkpoints run, WAL pages they copied */
	uint64_t checkpoints_inline;            /* done by the writer because the log grew too long */
};
extern const double store_stats_bounds_us[12];
void store_get_stats(struct store *s, struct store_stats *out);

/* Schema migrations compiled into the binary (store/migrations.c). */
enum vk_rc store_migrate(struct conn *c, int *applied, struct vk_err *err);
int store_schema_version(struct conn *c);
#endif
