#include "harness.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "store/db.h"
#include "store/event.h"
#include "store/setting.h"

struct put { int64_t n; bool fail; };

static enum vk_rc add_event_job(struct conn *c, void *ctx)
{
	return event_add(c, ctx);
}

static enum vk_rc put_write(struct conn *c, void *ctx)
{
	struct put *p = ctx;
	char key[32], val[32];
	snprintf(key, sizeof key, "k%lld", (long long)p->n);
	snprintf(val, sizeof val, "v%lld", (long long)p->n);
	enum vk_rc rc = store_setting_put(c, key, val, p->n);
	return p->fail ? VK_EINVAL : rc; /* a failing job's write must be rolled back */
}

struct worker { struct store *s; int base, n; };

static void *writer_thread(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < w->n; i++) {
		struct put p = { w->base + i, (w->base + i) % 7 == 0 };
		enum vk_rc rc = store_write(w->s, put_write, &p);
		if ((rc == VK_OK) == p.fail)
			__atomic_fetch_add(&unit_failed, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void group_commit(void)
{
	const char *path = unit_tmp_db();
	struct store *s;
	struct vk_err err = { 0 };
	CHECK(store_open(path, &s, &err) == VK_OK);
	enum { THREADS = 8, EACH = 50 };
	pthread_t t[THREADS];
	struct worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ s, i * EACH + 1, EACH };
		pthread_create(&t[i], NULL, writer_thread, &w[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	struct store_stats st;
	store_get_stats(s, &st);
	CHECK(st.jobs == THREADS * EACH);
	CHECK(st.commits <= st.jobs);
	struct arena *a = arena_new(1024);
	struct conn *r = store_reader(s);
	int present = 0, wrong = 0;
	for (int i = 1; i <= THREADS * EACH; i++) {
		char key[32];
		snprintf(key, sizeof key, "k%d", i);
		const char *v = store_setting_get(r, key, a);
		if (i % 7 == 0)
			wrong += v != NULL; /* failed jobs left nothing */
		else
			present += v != NULL;
	}
	CHECK(wrong == 0);
	CHECK(present == THREADS * EACH - THREADS * EACH / 7);
	store_close(s);

	/* reopening applies no migration twice and sees the data */
	CHECK(store_open(path, &s, &err) == VK_OK);
	CHECK(store_schema_version(store_reader(s)) >= 1);
	CHECK(store_setting_get(store_reader(s), "k1", a) != NULL);
	/* full-text segments merge sixteen at a time (a quarter fewer CPU seconds an import row) */
	sqlite3_stmt *am = store_stmt(store_reader(s), "SELECT v FROM search_fts_config WHERE k = 'automerge'");
	CHECK(store_int(store_reader(s), am) == 16);

	/* the timeline is append-only */
	struct event e = { .entity = "user", .entity_id = 1, .kind = "create", .at = 5 };
	CHECK(store_write(s, add_event_job, &e) == VK_OK);
	CHECK(store_exec(store_reader(s), "SELECT 1", NULL) == VK_OK);
	struct event *items;
	int n;
	event_list(store_reader(s), "user", 1, 0, 10, a, &items, &n);
	CHECK(n == 1 && strcmp(items[0].kind, "create") == 0 && items[0].field == NULL);

	/* online backup gives an openable copy with the same rows */
	char bak[96];
	snprintf(bak, sizeof bak, "%s.bak", path);
	unit_rm_db(bak);
	CHECK(store_backup(s, bak, &err) == VK_OK);
	store_close(s);
	struct store *b;
	CHECK(store_open(bak, &b, &err) == VK_OK);
	CHECK(store_setting_get(store_reader(b), "k1", a) != NULL);
	event_list(store_reader(b), "user", 1, 0, 10, a, &items, &n);
	CHECK(n == 1);
	store_close(b);
	arena_free(a);
	unit_rm_db(bak);
	unit_rm_db(path);
}

static enum vk_rc try_update_event(struct conn *c, void *ctx)
{
	(void)ctx;
	return store_exec(c, "UPDATE events SET kind = 'x'", NULL);
}

static void append_only(void)
{
	const char *path = unit_tmp_db();
	struct store *s;
	CHECK(store_open(path, &s, NULL) == VK_OK);
	struct event e = { .entity = "user", .entity_id = 1, .kind = "create", .at = 5 };
	CHECK(store_write(s, add_event_job, &e) == VK_OK);
	CHECK(store_write(s, try_update_event, NULL) != VK_OK);
	store_close(s);
	unit_rm_db(path);
}

struct put_kv { const char *key, *value; bool auth; };

static enum vk_rc put_kv_write(struct conn *c, void *ctx)
{
	struct put_kv *p = ctx;
	if (p->auth)
		store_auth_changed(c);
	return store_setting_put(c, p->key, p->value, 1);
}

struct kv_job { struct store *s; struct put_kv p; };

static void *put_kv_thread(void *ctx)
{
	struct kv_job *j = ctx;
	if (store_write(j->s, put_kv_write, &j->p) != VK_OK)
		__atomic_fetch_add(&unit_failed, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Another thread's write, waited for. */
static void write_elsewhere(struct store *s, const char *key, const char *value)
{
	struct kv_job job = { s, { key, value, false } };
	pthread_t t;
	pthread_create(&t, NULL, put_kv_thread, &job);
	pthread_join(t, NULL);
}

static bool value_is(struct store *s, const char *key, const char *want, struct arena *a)
{
	const char *v = store_setting_get(store_reader(s), key, a);
	return want ? v && strcmp(v, want) == 0 : v == NULL;
}

/* A request's reads share one snapshot; its own write ends it, so it reads what it wrote. */
static void read_scope(void)
{
	const char *path = unit_tmp_db();
	struct store *s;
	CHECK(store_open(path, &s, NULL) == VK_OK);
	struct arena *a = arena_new(1024);
	struct put_kv first = { "k", "1", false };
	CHECK(store_write(s, put_kv_write, &first) == VK_OK);

	store_read_begin(s);
	CHECK(!store_in_read_tx(store_reader(s)));
	CHECK(value_is(s, "k", "1", a));
	CHECK(store_in_read_tx(store_reader(s)));
	write_elsewhere(s, "k", "2");
	CHECK(value_is(s, "k", "1", a)); /* still the request's snapshot */
	struct put_kv own = { "mine", "x", false };
	CHECK(store_write(s, put_kv_write, &own) == VK_OK);
	CHECK(!store_in_read_tx(store_reader(s)));
	CHECK(value_is(s, "mine", "x", a));
	CHECK(value_is(s, "k", "2", a));
	store_read_begin(s); /* nested pairs keep the outer transaction */
	store_read_end(s);
	CHECK(store_in_read_tx(store_reader(s)));
	store_read_end(s);
	CHECK(!store_in_read_tx(store_reader(s)));

	/* outside a pair every statement sees the latest commit */
	CHECK(value_is(s, "k", "2", a));
	CHECK(!store_in_read_tx(store_reader(s)));
	write_elsewhere(s, "k", "3");
	CHECK(value_is(s, "k", "3", a));

	/* Settings are cached by config epoch. A read transaction that began before a change
	 * reads the old value, and what it read must not be served once the change is visible. */
	store_read_begin(s);
	CHECK(store_schema_version(store_reader(s)) > 0); /* the snapshot is taken here */
	write_elsewhere(s, "k", "4");                      /* moves the epoch */
	CHECK(value_is(s, "k", "3", a)); /* read from this snapshot, filed under its older epoch */
	store_read_end(s);
	CHECK(value_is(s, "k", "4", a));
	CHECK(value_is(s, "k", "4", a)); /* and from the cache */
	store_read_begin(s);
	CHECK(value_is(s, "k", "4", a));
	store_read_end(s);

	/* store_read_fresh: a request whose writes run on other threads (an import) drops its
	 * snapshot, so what is committed meanwhile is not held in the WAL for it; its next read
	 * takes a new one, inside the same pair */
	store_read_begin(s);
	CHECK(store_schema_version(store_reader(s)) > 0); /* the snapshot is taken here */
	write_elsewhere(s, "k", "5");
	CHECK(value_is(s, "k", "4", a));
	store_read_fresh(s);
	CHECK(!store_in_read_tx(store_reader(s)));
	CHECK(value_is(s, "k", "5", a));
	CHECK(store_schema_version(store_reader(s)) > 0);
	CHECK(store_in_read_tx(store_reader(s)));
	store_read_end(s);
	CHECK(!store_in_read_tx(store_reader(s)));

	/* the auth epoch moves with a committed write that says so, and only then */
	uint64_t e0 = store_auth_epoch(s);
	CHECK(store_write(s, put_kv_write, &own) == VK_OK);
	CHECK(store_auth_epoch(s) == e0);
	struct put_kv auth = { "a", "1", true };
	CHECK(store_write(s, put_kv_write, &auth) == VK_OK);
	CHECK(store_auth_epoch(s) == e0 + 1);
	arena_free(a);
	store_close(s);
	unit_rm_db(path);
}

static enum vk_rc megabyte_write(struct conn *c, void *ctx)
{
	(void)ctx;
	enum vk_rc rc = store_exec(c, "CREATE TABLE IF NOT EXISTS blobs (b BLOB)", NULL);
	return rc != VK_OK ? rc : store_exec(c, "INSERT INTO blobs VALUES (randomblob(1048576))", NULL);
}

/* The WAL is checkpointed by a thread beside the writer once it passes 16 MiB: the commits go on
 * meanwhile, nothing is lost, and the writer does not stop to checkpoint itself. */
static void checkpoint_beside_writer(void)
{
	const char *path = unit_tmp_db();
	struct store *s;
	CHECK(store_open(path, &s, NULL) == VK_OK);
	enum { MB = 24 };
	for (int i = 0; i < MB; i++)
		CHECK(store_write(s, megabyte_write, NULL) == VK_OK);
	struct store_stats st = { 0 };
	for (int i = 0; i < 400; i++) { /* the thread runs when it gets a core: wait for it, up to 20 s */
		store_get_stats(s, &st);
		if (st.checkpoint_pages >= 4000)
			break;
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	CHECK(st.checkpoints >= 1);
	CHECK(st.checkpoint_pages >= 4000); /* 16 MiB of 4 KiB pages copied by it */
	CHECK(st.checkpoints_inline == 0);
	store_close(s);
	CHECK(store_open(path, &s, NULL) == VK_OK);
	struct arena *a = arena_new(1024);
	sqlite3_stmt *q = store_stmt(store_reader(s), "SELECT count(*), sum(length(b)) FROM blobs");
	CHECK(sqlite3_step(q) == SQLITE_ROW);
	CHECK(sqlite3_column_int(q, 0) == MB);
	CHECK(sqlite3_column_int64(q, 1) == (int64_t)MB * 1048576);
	store_done(store_reader(s), q);
	arena_free(a);
	store_close(s);
	unit_rm_db(path);
}

void test_store(void)
{
	group_commit();
	checkpoint_beside_writer();
	append_only();
	read_scope();
}
