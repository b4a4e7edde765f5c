#include "store/db.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STMT_CACHE 256
#define MAX_BATCH 512
#define READER_CACHE_KIB 4096   /* a thread's own reader (outside requests) */
#ifndef POOL_CACHE_KIB
#define POOL_CACHE_KIB 12288    /* each pooled reader */
#endif
#ifndef OVERFLOW_CACHE_KIB
#define OVERFLOW_CACHE_KIB 1024 /* a pool thread's own reader, used when the pool is all taken */
#endif
#ifndef POOL_PER_CPU
#define POOL_PER_CPU 2
#endif
#define POOL_MAX 16
#define WRITER_CACHE_KIB "16384"

struct cached {
	const char *sql;  /* the caller's literal, or owned (a copy) for dynamic SQL */
	sqlite3_stmt *st;
	bool busy, owned;
	uint64_t used;    /* for evicting the least recently used dynamic statement */
	uint64_t hash;    /* of dynamic SQL: list queries share kilobytes of prefix, so strcmp alone
	                   * walked most of each cached one */
};

static uint64_t sql_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

#define MEMO_SLOTS 32
struct memo {
	char key[96];
	char *value; /* malloc'd, value_len bytes and a NUL */
	size_t value_len;
};

struct conn {
	sqlite3 *db;
	struct store *store;
	bool reader;
	/* readers: inside store_read_begin/_end (scoped) statements share one read transaction,
	 * begun at the first statement (in_tx) */
	int scoped;
	bool in_tx;
	/* pooled readers keep their transaction between requests while nothing was committed
	 * (see pool_take): its commit count and start, and whether the current request has not
	 * read from it yet (it then counts as new) */
	uint64_t tx_commits;
	int64_t tx_us;
	bool tx_kept;
	sqlite3_stmt *begin, *commit;
	bool auth_changed; /* the writer: a job of this batch changed sessions, users or roles */
	bool config_changed; /* the writer: … custom field definitions or settings */
	uint64_t tx_config_epoch; /* readers: the config epoch read before this transaction began */
	struct cached cache[STMT_CACHE];
	int n_cached;
	uint64_t tick;
	struct conn *next_reader; /* in store->readers */
	bool pooled;
	struct memo memo[MEMO_SLOTS]; /* answers of this snapshot: see store_memo_get */
	int n_memo;
};

/* What this thread holds between store_read_begin and store_read_end. */
struct scope_state {
	int depth;
	struct conn *held; /* a pooled reader, taken at the first read of the outermost pair */
};

struct job {
	store_write_fn fn;
	void *ctx;
	void (*free_ctx)(void *);
	bool async, done;
	enum vk_rc rc;
	struct job *next;
};

struct store {
	char *path;
	struct conn *writer;
	pthread_t writer_thread;
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct job *head, *tail;
	bool stopping;
	pthread_key_t reader_key;
	pthread_mutex_t readers_lock;
	struct conn *readers;
	/* Requests read through a few pooled readers with large caches instead of one small one
	 * per thread: see store_reader. */
	pthread_key_t scope_key;
	pthread_mutex_t pool_lock;
	struct conn *pool[POOL_MAX], *idle[POOL_MAX];
	int pool_size, n_pool, n_idle;
	pthread_mutex_t stats_lock;
	struct store_stats stats;
	_Atomic uint64_t reads;
	_Atomic uint64_t auth_epoch;
	_Atomic uint64_t config_epoch; /* starts at a value no other store of the process had */
	/* the checkpointer: its own connection and thread (see wal_hook) */
	sqlite3 *ckpt_db;
	pthread_t ckpt_thread;
	bool ckpt_started, ckpt_due, ckpt_stop;
	pthread_mutex_t ckpt_lock;
	pthread_cond_t ckpt_wake;
	_Atomic int ckpt_next;         /* WAL size (pages) at which the writer next asks for one */
	int ckpt_done;                 /* frames backfilled as of the last run (under stats_lock) */
	_Atomic uint64_t commits;      /* moves after every commit, before its writers hear of it */
};

/* WAL pages before a checkpoint is asked for (16 MiB of 4 KiB pages, SQLite's own default is
 * 1000), and the size at which the writer stops waiting for the checkpointer and does one
 * itself, so the log cannot grow without bound if the checkpointer falls behind. */
#define CKPT_PAGES 4000
#define CKPT_INLINE_PAGES 16000

const double store_stats_bounds_us[12] = { 250, 500, 1000, 2000, 4000, 8000, 16000, 32000,
                                           64000, 128000, 512000, 2000000 };

static void die_sql(sqlite3 *db, const char *what, const char *sql)
{
	fprintf(stderr, "voronka: SQL bug: %s: %s\n  in: %s\n", what, sqlite3_errmsg(db), sql);
	abort();
}

static enum vk_rc conn_open(struct store *s, bool reader, int cache_kib, struct conn **out, struct vk_err *err)
{
	struct conn *c = xcalloc(1, sizeof *c);
	c->store = s;
	c->reader = reader;
	int flags = reader ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	flags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(s->path, &c->db, flags, NULL) != SQLITE_OK) {
		vk_fail(err, VK_EIO, NULL, "cannot open database %s: %s", s->path,
		        c->db ? sqlite3_errmsg(c->db) : "out of memory");
		sqlite3_close(c->db);
		free(c);
		return VK_EIO;
	}
	sqlite3_busy_timeout(c->db, 5000);
	sqlite3_extended_result_codes(c->db, 1);
	/* FULL: in WAL mode this fsyncs the log at every commit, the "acknowledged = on disk" rule. */
	/* No mmap: a reader re-maps the file after every commit, and with writes going on that cost
	 * more than it saved (bench: PATCH at half the CPU without it); and each connection maps the
	 * file on its own, so RSS counted every touched page once per reader (4.5 GB at 1M).
	 * Page caches: see store_reader.
	 * its cache with its own copy of the hot pages, while the kernel's page cache holds the file
	 * once for all of them. At 1M records 4 MiB per reader cost no CPU against 32 MiB (the
	 * interior pages of the hot indexes fit) and took RSS from 565 MiB to under 200. */
	char pragmas[256];
	if (reader)
		snprintf(pragmas, sizeof pragmas, "PRAGMA foreign_keys=ON; PRAGMA mmap_size=0; PRAGMA cache_size=-%d;",
		         cache_kib);
	else
		snprintf(pragmas, sizeof pragmas, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
		         " PRAGMA mmap_size=0; PRAGMA cache_size=-" WRITER_CACHE_KIB ";");
	enum vk_rc rc = store_exec(c, pragmas, err);
	if (rc != VK_OK) {
		sqlite3_close(c->db);
		free(c);
		return rc;
	}
	if (reader && (sqlite3_prepare_v3(c->db, "BEGIN", -1, SQLITE_PREPARE_PERSISTENT, &c->begin, NULL) != SQLITE_OK ||
	               sqlite3_prepare_v3(c->db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &c->commit, NULL) != SQLITE_OK))
		die_sql(c->db, "prepare", "BEGIN/COMMIT");
	*out = c;
	return VK_OK;
}

static void memo_clear(struct conn *c)
{
	for (int i = 0; i < c->n_memo; i++)
		free(c->memo[i].value);
	c->n_memo = 0;
}

static void conn_close(struct conn *c)
{
	if (!c)
		return;
	memo_clear(c);
	for (int i = 0; i < c->n_cached; i++) {
		sqlite3_finalize(c->cache[i].st);
		if (c->cache[i].owned)
			free((char *)c->cache[i].sql);
	}
	if (c->in_tx)
		sqlite3_step(c->commit);
	sqlite3_finalize(c->begin);
	sqlite3_finalize(c->commit);
	sqlite3_close(c->db);
	free(c);
}

enum vk_rc store_exec(struct conn *c, const char *sql, struct vk_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		vk_fail(err, VK_EIO, NULL, "database error: %s", msg ? msg : sqlite3_errmsg(c->db));
		sqlite3_free(msg);
		return VK_EIO;
	}
	return VK_OK;
}

/* A scoped reader's first statement opens the shared read transaction. BEGIN is deferred: the
 * snapshot is taken when that statement first steps. */
static void read_tx_open(struct conn *c)
{
	if (!c->scoped || c->in_tx)
		return;
	c->tx_config_epoch = atomic_load(&c->store->config_epoch); /* before the snapshot: see store_config_epoch */
	c->tx_commits = atomic_load(&c->store->commits);
	c->tx_us = clock_mono_us();
	memo_clear(c); /* a new snapshot: what the old one answered may have changed */
	if (sqlite3_step(c->begin) != SQLITE_DONE)
		die_sql(c->db, "begin a read transaction", "BEGIN");
	sqlite3_reset(c->begin);
	c->in_tx = true;
}

static void read_tx_close(struct conn *c)
{
	if (!c->in_tx)
		return;
	/* read-only: nothing to lose; a failure (it should not happen) is rolled back instead */
	if (sqlite3_step(c->commit) != SQLITE_DONE) {
		log_error("msg=\"ending a read transaction failed\" err=\"%s\"", sqlite3_errmsg(c->db));
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	}
	sqlite3_reset(c->commit);
	c->in_tx = false;
	c->tx_kept = false;
}

static sqlite3_stmt *hand_out(struct conn *c, struct cached *e)
{
	e->busy = true;
	e->used = ++c->tick;
	if (c->reader) {
		atomic_fetch_add_explicit(&c->store->reads, 1, memory_order_relaxed);
		read_tx_open(c);
		c->tx_kept = false;
	}
	return e->st;
}

sqlite3_stmt *store_stmt(struct conn *c, const char *sql)
{
	for (int i = 0; i < c->n_cached; i++) {
		if (!c->cache[i].owned && c->cache[i].sql == sql) {
			if (c->cache[i].busy)
				die_sql(c->db, "statement reused before store_done (leak?)", sql);
			return hand_out(c, &c->cache[i]);
		}
	}
	if (c->n_cached == STMT_CACHE)
		die_sql(c->db, "statement cache full; raise STMT_CACHE", sql);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		die_sql(c->db, "prepare", sql);
	c->cache[c->n_cached] = (struct cached){ sql, st, false, false, 0, 0 };
	return hand_out(c, &c->cache[c->n_cached++]);
}

sqlite3_stmt *store_stmt_dyn(struct conn *c, const char *sql)
{
	uint64_t h = sql_hash(sql);
	for (int i = 0; i < c->n_cached; i++)
		if (c->cache[i].owned && c->cache[i].hash == h && strcmp(c->cache[i].sql, sql) == 0) {
			if (c->cache[i].busy)
				die_sql(c->db, "statement reused before store_done (leak?)", sql);
			return hand_out(c, &c->cache[i]);
		}
	struct cached *slot = NULL;
	if (c->n_cached < STMT_CACHE) {
		slot = &c->cache[c->n_cached++];
	} else {
		for (int i = 0; i < c->n_cached; i++) {
			struct cached *e = &c->cache[i];
			if (e->owned && !e->busy && (!slot || e->used < slot->used))
				slot = e;
		}
		if (!slot)
			die_sql(c->db, "statement cache full of busy statements", sql);
		sqlite3_finalize(slot->st);
		free((char *)slot->sql);
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		die_sql(c->db, "prepare", sql);
	*slot = (struct cached){ xstrdup(sql), st, false, true, 0, h };
	return hand_out(c, slot);
}

void store_done(struct conn *c, sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	for (int i = 0; i < c->n_cached; i++)
		if (c->cache[i].st == st) {
			c->cache[i].busy = false;
			return;
		}
}

int64_t store_int(struct conn *c, sqlite3_stmt *st)
{
	int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(c, st);
	return n;
}

const char *store_last_sql(struct conn *c)
{
	const struct cached *last = NULL;
	for (int i = 0; i < c->n_cached; i++)
		if (!last || c->cache[i].used > last->used)
			last = &c->cache[i];
	return last ? sqlite3_sql(last->st) : "";
}

const char *store_plan(struct conn *c, const char *sql, struct arena *a)
{
	char *q = arena_printf(a, "EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(c->db, q, -1, &st, NULL) != SQLITE_OK)
		return arena_printf(a, "error: %s", sqlite3_errmsg(c->db));
	/* steps of subqueries are indented under theirs, two spaces a level */
	enum { MAX_STEPS = 256 };
	int ids[MAX_STEPS], depth[MAX_STEPS], n = 0;
	const char *plan = "";
	while (sqlite3_step(st) == SQLITE_ROW) {
		int id = sqlite3_column_int(st, 0), parent = sqlite3_column_int(st, 1), d = 0;
		for (int i = 0; i < n; i++)
			if (ids[i] == parent)
				d = depth[i] + 1;
		if (n < MAX_STEPS) {
			ids[n] = id;
			depth[n++] = d;
		}
		plan = arena_printf(a, "%s%*s%s\n", plan, 2 * d, "", (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_finalize(st);
	return plan;
}

enum vk_rc store_exec_stmt(struct conn *c, sqlite3_stmt *st)
{
	int r = sqlite3_step(st);
	enum vk_rc rc = VK_OK;
	if (r == SQLITE_CONSTRAINT_UNIQUE || r == SQLITE_CONSTRAINT_PRIMARYKEY)
		rc = VK_ECONFLICT;
	else if (r != SQLITE_DONE && r != SQLITE_ROW) {
		log_error("msg=\"sql step failed\" err=\"%s\" sql=\"%.80s\"", sqlite3_errmsg(c->db),
		          sqlite3_sql(st));
		rc = VK_EIO;
	}
	store_done(c, st);
	return rc;
}

int64_t store_last_id(struct conn *c)
{
	return sqlite3_last_insert_rowid(c->db);
}

int store_changes(struct conn *c)
{
	return sqlite3_changes(c->db);
}

void store_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void store_bind_int(sqlite3_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(st, i, v);
}

const char *store_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

/* ---- readers ---- */

/* Two kinds of readers. A request (between store_read_begin and store_read_end) reads through
 * one of a few pooled connections with large page caches, taken at its first read and given
 * back at its end; any other thread (the reminder ticker, import batches, the CLI, a pool
 * thread outside a request) through its own connection with a small cache, opened on first
 * use and closed at thread exit.
 *
 * Why a pool: with one reader per libmicrohttpd thread (16 on 2 CPUs) every reader kept its own
 * copy of the same hot pages, and at 1M records a 4 MiB cache could not even keep the interior
 * pages of the indexes a caller-ID walks: 14 preads a lookup with its deal, at ~4 µs each on
 * these machines.
 * 2 readers per CPU with 12 MiB each keep them (2.2 reads a lookup; 24 MiB gave 1.8 but RSS
 * went past 300 MiB after the bench) for less memory than the 16 small caches took. A request
 * takes one at its first read and keeps it to its end, also while its own write waits for the
 * group commit (store_write), so a connection it holds stays valid across the write; when all
 * are taken (writers waiting for a commit hold theirs, or more heavy requests run than there
 * are readers) it reads through its thread's own reader, with a 1 MiB cache, instead of
 * waiting, so that readers never limit how many writes share a commit. */

static void reader_destroy(void *p)
{
	struct conn *c = p;
	struct store *s = c->store;
	pthread_mutex_lock(&s->readers_lock);
	for (struct conn **pp = &s->readers; *pp; pp = &(*pp)->next_reader)
		if (*pp == c) {
			*pp = c->next_reader;
			break;
		}
	pthread_mutex_unlock(&s->readers_lock);
	conn_close(c);
}

static struct conn *open_reader(struct store *s, int cache_kib)
{
	struct conn *c;
	struct vk_err err;
	if (conn_open(s, true, cache_kib, &c, &err) != VK_OK) {
		fprintf(stderr, "voronka: %s\n", err.message);
		abort(); /* the writer opened the same file a moment ago: this is not recoverable */
	}
	return c;
}

/* cache_kib applies when the thread has none yet: a libmicrohttpd thread's is opened for a
 * request that found the pool all taken and only stands in, so it stays small (16 of them
 * with 4 MiB each were +64 MiB of RSS under the bench's heavy rows). */
static struct conn *own_reader(struct store *s, int cache_kib)
{
	struct conn *c = pthread_getspecific(s->reader_key);
	if (c)
		return c;
	c = open_reader(s, cache_kib);
	pthread_setspecific(s->reader_key, c);
	pthread_mutex_lock(&s->readers_lock);
	c->next_reader = s->readers;
	s->readers = c;
	pthread_mutex_unlock(&s->readers_lock);
	return c;
}

/* How long a pooled reader may keep a snapshot between requests. Commits made here end it at
 * once (store->commits); this bounds how late a request sees a write another process made
 * (the CLI), and how long an idle reader holds the WAL back from a checkpoint. */
#define KEPT_TX_US 100000

/* Is c's kept transaction still as new as a new one would be? */
static bool tx_current(struct conn *c, int64_t now_us)
{
	return c->tx_commits == atomic_load(&c->store->commits) && now_us - c->tx_us < KEPT_TX_US;
}

/* An idle pooled reader (opened when all are busy and the pool is not full yet), waiting for
 * one when none is left. Beginning and ending a read transaction was a sixth of a caller-ID's
 * CPU (the WAL read lock is a fcntl on the -shm file each way whenever no other reader of
 * the process holds it), so a reader keeps its transaction between requests for as long as
 * nothing was committed: the request then reads exactly what a new transaction would show. */
static struct conn *pool_take(struct store *s)
{
	pthread_mutex_lock(&s->pool_lock);
	struct conn *c = NULL;
	if (s->n_idle) {
		c = s->idle[--s->n_idle];
	} else if (s->n_pool < s->pool_size) {
		int slot = s->n_pool++; /* reserved: open it without holding the lock */
		pthread_mutex_unlock(&s->pool_lock);
		c = open_reader(s, POOL_CACHE_KIB);
		c->pooled = true;
		pthread_mutex_lock(&s->pool_lock);
		s->pool[slot] = c;
	}
	pthread_mutex_unlock(&s->pool_lock);
	if (!c) {
		/* All busy (requests waiting for their group commit keep theirs): read through the
		 * thread's own reader rather than wait, so that no request waits for another. */
		c = own_reader(s, OVERFLOW_CACHE_KIB);
		c->scoped = 1;
		return c;
	}
	if (c->in_tx && !tx_current(c, clock_mono_us()))
		read_tx_close(c);
	c->tx_kept = c->in_tx;
	c->scoped = 1;
	return c;
}

static void pool_give(struct store *s, struct conn *c)
{
	c->scoped = 0;
	if (!c->pooled) {
		read_tx_close(c); /* a thread's own reader keeps no snapshot */
		return;
	}
	pthread_mutex_lock(&s->pool_lock);
	s->idle[s->n_idle++] = c;
	pthread_mutex_unlock(&s->pool_lock);
}

void store_release_idle(struct store *s)
{
	int64_t now = clock_mono_us();
	pthread_mutex_lock(&s->pool_lock);
	for (int i = 0; i < s->n_idle; i++)
		if (s->idle[i]->in_tx && !tx_current(s->idle[i], now))
			read_tx_close(s->idle[i]);
	pthread_mutex_unlock(&s->pool_lock);
}

static struct scope_state *scope_of(struct store *s, bool create)
{
	struct scope_state *st = pthread_getspecific(s->scope_key);
	if (!st && create) {
		st = xcalloc(1, sizeof *st);
		pthread_setspecific(s->scope_key, st);
	}
	return st;
}

/* A thread that ends inside a request (it should not) gives its pooled reader back. */
static void scope_destroy(void *p)
{
	struct scope_state *st = p;
	if (st->held && st->held->pooled) /* a thread's own reader is closed by reader_destroy */
		pool_give(st->held->store, st->held);
	free(st);
}

struct conn *store_reader(struct store *s)
{
	struct scope_state *st = scope_of(s, false);
	if (st && st->depth > 0) {
		if (!st->held)
			st->held = pool_take(s);
		return st->held;
	}
	return own_reader(s, READER_CACHE_KIB);
}

void store_read_begin(struct store *s)
{
	scope_of(s, true)->depth++;
}

void store_read_end(struct store *s)
{
	struct scope_state *st = scope_of(s, false);
	if (!st || st->depth == 0)
		return;
	if (--st->depth == 0 && st->held) {
		pool_give(s, st->held);
		st->held = NULL;
	}
}

bool store_in_read_tx(struct conn *c)
{
	return c->in_tx && !c->tx_kept;
}

/* Inside a read transaction the same query gives the same answer, and pooled readers keep
 * their transaction across requests (pool_take): what a role may see and hide, asked by
 * every request of a non-admin, is asked once per snapshot instead of ~6 statements a
 * request. Only while the snapshot has been taken; never on the writer. */
const char *store_memo_get(struct conn *c, const char *key, size_t *len)
{
	if (!c->reader || !c->in_tx)
		return NULL;
	for (int i = 0; i < c->n_memo; i++)
		if (!strcmp(c->memo[i].key, key)) {
			if (len)
				*len = c->memo[i].value_len;
			return c->memo[i].value;
		}
	return NULL;
}

/* "kind:n[:a[:b]]" into out (size >= 96; longer parts are cut), by hand: snprintf for these
 * keys was a third of what a token's caller-ID spent on its permissions. */
const char *store_memo_key(char *out, size_t size, const char *kind, int64_t n, const char *a, const char *b)
{
	size_t at = 0;
	const char *parts[3] = { kind, a, b };
	for (int i = 0; i < 3; i++) {
		if (!parts[i])
			continue;
		if (i)
			out[at++] = ':';
		size_t len = strlen(parts[i]);
		if (len > 24)
			len = 24;
		memcpy(out + at, parts[i], len);
		at += len;
		if (i == 0) {
			char d[24];
			int k = 0;
			uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
			do
				d[k++] = (char)('0' + u % 10);
			while ((u /= 10));
			out[at++] = ':';
			if (n < 0)
				out[at++] = '-';
			while (k)
				out[at++] = d[--k];
		}
	}
	out[at < size ? at : size - 1] = '\0';
	return out;
}

void store_memo_put(struct conn *c, const char *key, const char *value, size_t len)
{
	if (!c->reader || !c->in_tx || c->n_memo == MEMO_SLOTS || strlen(key) >= sizeof c->memo[0].key)
		return;
	struct memo *m = &c->memo[c->n_memo++];
	strcpy(m->key, key);
	m->value = xmalloc(len + 1);
	memcpy(m->value, value, len);
	m->value[len] = '\0';
	m->value_len = len;
}

/* Before this thread waits for a write: its snapshot would hide what the write does from its
 * own next read (a record it just created), and would hold the WAL from being checkpointed. */
void store_read_fresh(struct store *s)
{
	struct scope_state *st = scope_of(s, false);
	if (st && st->held)
		read_tx_close(st->held);
	struct conn *c = pthread_getspecific(s->reader_key);
	if (c)
		read_tx_close(c);
}

/* ---- the writer ---- */

static void record_commit(struct store *s, int64_t us, int jobs, bool ok)
{
	pthread_mutex_lock(&s->stats_lock);
	s->stats.commits++;
	s->stats.jobs += (uint64_t)jobs;
	if (!ok)
		s->stats.failed_commits++;
	s->stats.commit_us_total += (uint64_t)us;
	for (int i = 0; i < 12; i++)
		if ((double)us <= store_stats_bounds_us[i])
			s->stats.commit_us_buckets[i]++;
	pthread_mutex_unlock(&s->stats_lock);
}

static void run_batch(struct store *s, struct job *batch)
{
	struct conn *c = s->writer;
	int64_t t0 = clock_mono_us();
	int n = 0;
	bool ok = store_exec(c, "BEGIN IMMEDIATE", NULL) == VK_OK;
	for (struct job *j = batch; j; j = j->next) {
		n++;
		if (!ok) {
			j->rc = VK_EIO;
			continue;
		}
		store_exec(c, "SAVEPOINT job", NULL);
		j->rc = j->fn(c, j->ctx);
		if (j->rc != VK_OK)
			store_exec(c, "ROLLBACK TO job", NULL);
		store_exec(c, "RELEASE job", NULL);
	}
	bool auth_changed = c->auth_changed, config_changed = c->config_changed;
	c->auth_changed = c->config_changed = false;
	if (ok && store_exec(c, "COMMIT", NULL) != VK_OK) {
		log_error("msg=\"commit failed\" err=\"%s\"", sqlite3_errmsg(c->db));
		store_exec(c, "ROLLBACK", NULL);
		ok = false;
		for (struct job *j = batch; j; j = j->next)
			j->rc = VK_EIO;
	}
	/* After the commit and before any job's caller hears of it: a reader that sees the new
	 * epoch reads the new rows (a rolled-back change costs only a needless refresh). */
	atomic_fetch_add(&s->commits, 1);
	if (auth_changed)
		atomic_fetch_add(&s->auth_epoch, 1);
	if (config_changed)
		atomic_fetch_add(&s->config_epoch, 1);
	record_commit(s, clock_mono_us() - t0, n, ok);
}

static void *writer_main(void *arg)
{
	struct store *s = arg;
	int64_t next_optimize = clock_mono_us() + 3600LL * 1000000;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->head && !s->stopping) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 60;
			pthread_cond_timedwait(&s->work, &s->lock, &until);
			/* keep the planner's statistics fresh as tables grow (SQLite's advice for
			 * long-lived connections); cheap when nothing changed much */
			if (!s->head && !s->stopping && clock_mono_us() > next_optimize) {
				pthread_mutex_unlock(&s->lock);
				store_exec(s->writer, "PRAGMA optimize", NULL);
				pthread_mutex_lock(&s->lock);
				next_optimize = clock_mono_us() + 3600LL * 1000000;
			}
		}
		if (!s->head && s->stopping)
			break;
		/* Take up to MAX_BATCH queued jobs; everything queued while we commit forms the next group. */
		struct job *batch = s->head, *last = batch;
		for (int i = 1; i < MAX_BATCH && last->next; i++)
			last = last->next;
		s->head = last->next;
		if (!s->head)
			s->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&s->lock);

		run_batch(s, batch);

		pthread_mutex_lock(&s->lock);
		for (struct job *j = batch, *next; j; j = next) {
			next = j->next;
			if (j->async) {
				if (j->free_ctx)
					j->free_ctx(j->ctx);
				free(j);
			} else {
				j->done = true;
			}
		}
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void enqueue(struct store *s, struct job *j)
{
	j->next = NULL;
	if (s->tail)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	pthread_cond_signal(&s->work);
}

enum vk_rc store_write(struct store *s, store_write_fn fn, void *ctx)
{
	struct job j = { .fn = fn, .ctx = ctx };
	store_read_fresh(s);
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->lock);
		return VK_EIO;
	}
	enqueue(s, &j);
	while (!j.done)
		pthread_cond_wait(&s->done, &s->lock);
	pthread_mutex_unlock(&s->lock);
	return j.rc;
}

void store_write_async(struct store *s, store_write_fn fn, void *ctx, void (*free_ctx)(void *))
{
	struct job *j = xcalloc(1, sizeof *j);
	j->fn = fn;
	j->ctx = ctx;
	j->free_ctx = free_ctx;
	j->async = true;
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->lock);
		if (free_ctx)
			free_ctx(ctx);
		free(j);
		return;
	}
	enqueue(s, j);
	pthread_mutex_unlock(&s->lock);
}

void store_auth_changed(struct conn *c)
{
	if (!c->reader)
		c->auth_changed = true;
}

uint64_t store_auth_epoch(struct store *s)
{
	return atomic_load(&s->auth_epoch);
}

void store_config_changed(struct conn *c)
{
	if (!c->reader)
		c->config_changed = true;
}

/* Inside a read transaction: the epoch read before its snapshot was taken. A write committed
 * after that moved the epoch past it, so what the transaction reads is never filed under an
 * epoch whose rows it does not see (it may be filed under an older one: only a wasted copy).
 * The writer gets 0: inside a job it may read what it has just changed, uncommitted. */
uint64_t store_config_epoch(struct conn *c)
{
	if (!c->reader)
		return 0;
	if (c->in_tx)
		return c->tx_config_epoch;
	/* a statement still open holds the snapshot it began with: no telling how old */
	for (int i = 0; i < c->n_cached; i++)
		if (c->cache[i].busy)
			return 0;
	return atomic_load(&c->store->config_epoch);
}

/* ---- lifecycle ---- */

/* Before SQLite's first use in the process. Without memory statistics every allocation skips a
 * global mutex that all the pool's readers otherwise take; voronka does not read them. */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

/* Checkpoints run on a thread of their own. SQLite's automatic checkpoint runs inside the commit
 * that crosses the threshold: the writer copies 16 MiB of log into the database and fsyncs it
 * while every queued write waits (an import spent ~6% of its writer time there, and the fsync
 * besides). A passive checkpoint on another connection runs beside the writer, which keeps
 * appending to the log meanwhile; durability is the log's fsync at commit either way. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store *s = arg;
	if (pages >= CKPT_INLINE_PAGES) {
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&s->stats_lock);
		s->stats.checkpoints_inline++;
		pthread_mutex_unlock(&s->stats_lock);
		return SQLITE_OK;
	}
	if (pages >= atomic_load(&s->ckpt_next)) {
		pthread_mutex_lock(&s->ckpt_lock);
		s->ckpt_due = true;
		pthread_cond_signal(&s->ckpt_wake);
		pthread_mutex_unlock(&s->ckpt_lock);
	}
	return SQLITE_OK;
}

static void *ckpt_main(void *arg)
{
	struct store *s = arg;
	pthread_mutex_lock(&s->ckpt_lock);
	for (;;) {
		while (!s->ckpt_due && !s->ckpt_stop)
			pthread_cond_wait(&s->ckpt_wake, &s->ckpt_lock);
		if (s->ckpt_stop)
			break;
		s->ckpt_due = false;
		pthread_mutex_unlock(&s->ckpt_lock);
		int log = 0, done = 0, before = 0;
		int rc = sqlite3_wal_checkpoint_v2(s->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
		pthread_mutex_lock(&s->stats_lock);
		s->stats.checkpoints++;
		before = s->ckpt_done;
		/* fewer than last time: the log was restarted in between */
		s->stats.checkpoint_pages += (uint64_t)(done >= before ? done - before : done > 0 ? done : 0);
		s->ckpt_done = done;
		pthread_mutex_unlock(&s->stats_lock);
		/* All copied: the writer restarts the log at its next write and counts from zero.
		 * Some frames still read by an open read transaction: ask again only once the log
		 * has grown, not after every commit. */
		atomic_store(&s->ckpt_next, rc == SQLITE_OK && done >= log ? CKPT_PAGES : log + CKPT_PAGES / 4);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_error("msg=\"checkpoint failed\" rc=%d err=\"%s\"", rc, sqlite3_errmsg(s->ckpt_db));
		pthread_mutex_lock(&s->ckpt_lock);
	}
	pthread_mutex_unlock(&s->ckpt_lock);
	return NULL;
}

static bool ckpt_start(struct store *s)
{
	if (sqlite3_open_v2(s->path, &s->ckpt_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->ckpt_db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(s->ckpt_db);
		s->ckpt_db = NULL;
		return false;
	}
	atomic_store(&s->ckpt_next, CKPT_PAGES);
	if (pthread_create(&s->ckpt_thread, NULL, ckpt_main, s) != 0) {
		sqlite3_close(s->ckpt_db);
		s->ckpt_db = NULL;
		return false;
	}
	s->ckpt_started = true;
	sqlite3_wal_hook(s->writer->db, wal_hook, s);
	return true;
}

static void ckpt_stop(struct store *s)
{
	if (!s->ckpt_started)
		return;
	pthread_mutex_lock(&s->ckpt_lock);
	s->ckpt_stop = true;
	pthread_cond_signal(&s->ckpt_wake);
	pthread_mutex_unlock(&s->ckpt_lock);
	pthread_join(s->ckpt_thread, NULL);
	sqlite3_close(s->ckpt_db);
	s->ckpt_started = false;
}

enum vk_rc store_open(const char *path, struct store **out, struct vk_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	static _Atomic uint64_t stores;
	struct store *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	/* caches keyed by epoch (store/field.c, store/setting.c) then never mix two stores' rows */
	atomic_store(&s->config_epoch, (atomic_fetch_add(&stores, 1) + 1) << 32);
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->readers_lock, NULL);
	pthread_mutex_init(&s->stats_lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->done, NULL);
	pthread_mutex_init(&s->ckpt_lock, NULL);
	pthread_cond_init(&s->ckpt_wake, NULL);
	pthread_key_create(&s->reader_key, reader_destroy);
	pthread_key_create(&s->scope_key, scope_destroy);
	pthread_mutex_init(&s->pool_lock, NULL);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	s->pool_size = (int)(cpus < 1 ? POOL_PER_CPU : cpus * POOL_PER_CPU);
	if (s->pool_size > POOL_MAX)
		s->pool_size = POOL_MAX;
	enum vk_rc rc = conn_open(s, false, 0, &s->writer, err);
	if (rc != VK_OK)
		goto fail;
	int applied = 0;
	rc = store_migrate(s->writer, &applied, err);
	if (rc != VK_OK)
		goto fail;
	if (applied)
		log_info("msg=\"migrations applied\" count=%d version=%d", applied,
		         store_schema_version(s->writer));
	/* without the thread, SQLite's own checkpoint in the commit does the job */
	if (!ckpt_start(s))
		store_exec(s->writer, "PRAGMA wal_autocheckpoint=4000", NULL); /* CKPT_PAGES */
	if (pthread_create(&s->writer_thread, NULL, writer_main, s) != 0) {
		rc = vk_fail(err, VK_EIO, NULL, "cannot start the writer thread");
		goto fail;
	}
	*out = s;
	return VK_OK;
fail:
	ckpt_stop(s);
	conn_close(s->writer);
	pthread_key_delete(s->reader_key);
	pthread_key_delete(s->scope_key);
	free(s->path);
	free(s);
	return rc;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->writer_thread, NULL);
	ckpt_stop(s);
	/* Readers of threads that are still alive (e.g. the main thread's). */
	struct conn *mine = pthread_getspecific(s->reader_key);
	if (mine)
		pthread_setspecific(s->reader_key, NULL);
	pthread_mutex_lock(&s->readers_lock);
	struct conn *r = s->readers;
	s->readers = NULL;
	pthread_mutex_unlock(&s->readers_lock);
	while (r) {
		struct conn *next = r->next_reader;
		conn_close(r);
		r = next;
	}
	/* the pool: this thread's request (if it is in one) is over; no other may be */
	struct scope_state *st = scope_of(s, false);
	if (st) {
		if (st->held)
			pool_give(s, st->held);
		free(st);
		pthread_setspecific(s->scope_key, NULL);
	}
	for (int i = 0; i < s->n_pool; i++)
		conn_close(s->pool[i]);
	/* Statistics for the planner, as SQLite advises before closing; then checkpoint so the
	 * db file is self-contained after a clean stop. */
	store_exec(s->writer, "PRAGMA optimize", NULL);
	store_exec(s->writer, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
	conn_close(s->writer);
	pthread_key_delete(s->reader_key);
	pthread_key_delete(s->scope_key);
	free(s->path);
	free(s);
}

void store_get_stats(struct store *s, struct store_stats *out)
{
	pthread_mutex_lock(&s->stats_lock);
	*out = s->stats;
	pthread_mutex_unlock(&s->stats_lock);
	out->reads = atomic_load(&s->reads);
}

enum vk_rc store_backup(struct store *s, const char *dest, struct vk_err *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	enum vk_rc rc = VK_OK;
	if (sqlite3_open_v2(s->path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = vk_fail(err, VK_EIO, NULL, "cannot open %s: %s", s->path, sqlite3_errmsg(src));
		goto out;
	}
	if (sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = vk_fail(err, VK_EIO, NULL, "cannot create %s: %s", dest, sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		rc = vk_fail(err, VK_EIO, NULL, "backup failed: %s", sqlite3_errmsg(dst));
		goto out;
	}
	int r;
	/* Copy in steps so a busy writer is not locked out for the whole copy. */
	while ((r = sqlite3_backup_step(b, 1024)) == SQLITE_OK || r == SQLITE_BUSY || r == SQLITE_LOCKED)
		sqlite3_sleep(5);
	sqlite3_backup_finish(b);
	if (r != SQLITE_DONE) {
		rc = vk_fail(err, VK_EIO, NULL, "backup failed: %s", sqlite3_errstr(r));
		goto out;
	}
	/* Leave the copy self-contained (no -wal file beside it) and check it before saying done;
	 * a server started on it switches it back to WAL. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE; PRAGMA integrity_check;", NULL, NULL, NULL) != SQLITE_OK)
		rc = vk_fail(err, VK_EIO, NULL, "backup check failed: %s", sqlite3_errmsg(dst));
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc;
}
