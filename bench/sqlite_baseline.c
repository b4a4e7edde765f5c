/* Same-run baseline for voronka's storage-bound operations: raw SQLite in the mode voronka uses
 * (WAL, synchronous=FULL, and the same mmap/cache pragmas as src/store/db.c for its writer and
 * reader connections), no HTTP, no JSON, one thread.
 *
 *   sqlite_baseline --dir DIR [--seconds S] [--rows N]
 *
 *   insert_fsync   one row per transaction: each commit is fsynced (the durable-write ceiling
 *                  without group commit)
 *   insert_batch   1000 rows per transaction into a table with a random-key unique index
 *   point_lookup   SELECT by an indexed phone on a table of N rows (loaded in big transactions,
 *                  indexed afterwards), random existing keys, all cached
 *
 * Every test runs for S seconds (and at most a fixed count). Prints a human line per test and,
 * last, one line "BENCH_JSON {...}" that bench/run.mjs reads. Latencies are per commit, per
 * 1000-row batch and per lookup respectively.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 2000000
#define BATCH 1000

static double *lat;   /* per-operation latencies of the current test, µs */
static long nlat;

struct result {
	const char *name, *unit;
	long ops, rows;
	double seconds, ops_per_s, rows_per_s, p50_us, p99_us;
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sqlite_baseline: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
	exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "sqlite_baseline: %s: %s\n", sql, err ? err : "?");
		exit(1);
	}
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die(db, sql);
	return st;
}

/* A phone-like unique key for row i, in random order: a bijection of the 32-bit index. */
static void phone_of(uint32_t i, char *out, size_t n)
{
	uint32_t x = i * 2654435761u; /* odd multiplier: bijective mod 2^32 */
	x ^= x >> 16;                 /* xorshift is bijective too */
	snprintf(out, n, "+79%010u", x);
}

/* The pragmas of voronka's writer and reader connections (src/store/db.c). */
static sqlite3 *open_conn(const char *path, bool reader)
{
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK)
		die(db, path);
	exec(db, reader
		? "PRAGMA foreign_keys=ON; PRAGMA mmap_size=1073741824; PRAGMA cache_size=-32768;"
		: "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
		  " PRAGMA mmap_size=1073741824; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=4000;");
	return db;
}

static sqlite3 *open_db(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
	char side[4200];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	sqlite3 *db = open_conn(path, false);
	exec(db, "CREATE TABLE contacts (id INTEGER PRIMARY KEY, phone TEXT NOT NULL, name TEXT NOT NULL,"
	         " created_at INTEGER NOT NULL)");
	return db;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void finish(struct result *r, double elapsed_us)
{
	qsort(lat, (size_t)nlat, sizeof(double), cmp_double);
	r->seconds = elapsed_us / 1e6;
	r->ops_per_s = (double)r->ops / r->seconds;
	r->rows_per_s = (double)r->rows / r->seconds;
	r->p50_us = nlat ? lat[(size_t)((double)(nlat - 1) * 0.50)] : 0;
	r->p99_us = nlat ? lat[(size_t)((double)(nlat - 1) * 0.99)] : 0;
	printf("%-13s %10.0f %s/s  p50 %8.1f µs  p99 %8.1f µs  (%ld in %.1f s)\n", r->name,
	       r->ops_per_s, r->unit, r->p50_us, r->p99_us, r->ops, r->seconds);
	fflush(stdout);
}

static void bind_row(sqlite3_stmt *ins, uint32_t i)
{
	char phone[32], name[48];
	phone_of(i, phone, sizeof phone);
	snprintf(name, sizeof name, "Contact %u", i);
	sqlite3_bind_text(ins, 1, phone, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(ins, 3, 1700000000000LL + i);
}

static void step_done(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die(db, "step");
	sqlite3_reset(st);
}

/* One row per transaction (autocommit): every insert is a fsynced commit. */
static void insert_fsync(const char *dir, double seconds, struct result *r)
{
	sqlite3 *db = open_db(dir, "insert_fsync.db");
	exec(db, "CREATE UNIQUE INDEX contacts_phone ON contacts(phone)");
	sqlite3_stmt *ins = prepare(db, "INSERT INTO contacts (phone, name, created_at) VALUES (?, ?, ?)");
	nlat = 0;
	double t0 = now_us(), end = t0 + seconds * 1e6;
	uint32_t i = 0;
	while (nlat < MAX_SAMPLES) {
		double t = now_us();
		if (t >= end)
			break;
		bind_row(ins, i++);
		step_done(db, ins);
		lat[nlat++] = now_us() - t;
	}
	*r = (struct result){ .name = "insert_fsync", .unit = "commits", .ops = nlat, .rows = nlat };
	finish(r, now_us() - t0);
	sqlite3_finalize(ins);
	sqlite3_close(db);
}

/* 1000 rows per transaction, random-key unique index maintained on insert. */
static void insert_batch(const char *dir, double seconds, struct result *r)
{
	sqlite3 *db = open_db(dir, "insert_batch.db");
	exec(db, "CREATE UNIQUE INDEX contacts_phone ON contacts(phone)");
	sqlite3_stmt *ins = prepare(db, "INSERT INTO contacts (phone, name, created_at) VALUES (?, ?, ?)");
	nlat = 0;
	double t0 = now_us(), end = t0 + seconds * 1e6;
	uint32_t i = 0;
	while (nlat < MAX_SAMPLES) {
		double t = now_us();
		if (t >= end)
			break;
		exec(db, "BEGIN");
		for (int k = 0; k < BATCH; k++) {
			bind_row(ins, i++);
			step_done(db, ins);
		}
		exec(db, "COMMIT");
		lat[nlat++] = now_us() - t;
	}
	*r = (struct result){ .name = "insert_batch", .unit = "rows", .ops = nlat * BATCH, .rows = nlat * BATCH };
	finish(r, now_us() - t0);
	/* The figure that matters is rows/s; the latencies are per 1000-row transaction. */
	sqlite3_finalize(ins);
	sqlite3_close(db);
}

/* Load N rows (bulk path: big transactions, index afterwards), then point lookups. */
static void point_lookup(const char *dir, double seconds, long rows, struct result *r)
{
	sqlite3 *db = open_db(dir, "point_lookup.db");
	sqlite3_stmt *ins = prepare(db, "INSERT INTO contacts (phone, name, created_at) VALUES (?, ?, ?)");
	double tl = now_us();
	exec(db, "BEGIN");
	for (long i = 0; i < rows; i++) {
		bind_row(ins, (uint32_t)i);
		step_done(db, ins);
		if (i % 100000 == 99999) {
			exec(db, "COMMIT");
			exec(db, "BEGIN");
		}
	}
	exec(db, "COMMIT");
	exec(db, "CREATE UNIQUE INDEX contacts_phone ON contacts(phone)");
	exec(db, "ANALYZE");
	sqlite3_finalize(ins);
	double load_s = (now_us() - tl) / 1e6;
	printf("point_lookup  loaded %ld rows + index in %.1f s (%.0f rows/s)\n", rows, load_s,
	       (double)rows / load_s);

	/* Look up through a second connection with the reader pragmas, as voronka's readers do. */
	sqlite3 *rd = open_conn(sqlite3_db_filename(db, "main"), true);
	sqlite3_stmt *q = prepare(rd, "SELECT id, name, created_at FROM contacts WHERE phone = ?");
	uint64_t rnd = 88172645463325252ull;
	nlat = 0;
	long found = 0;
	double t0 = now_us(), end = t0 + seconds * 1e6;
	while (nlat < MAX_SAMPLES) {
		double t = now_us();
		if (t >= end)
			break;
		rnd ^= rnd << 13; /* xorshift64: a cheap random row */
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		char phone[32];
		phone_of((uint32_t)(rnd % (uint64_t)rows), phone, sizeof phone);
		sqlite3_bind_text(q, 1, phone, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(q) == SQLITE_ROW)
			found++;
		sqlite3_reset(q);
		lat[nlat++] = now_us() - t;
	}
	if (found != nlat) {
		fprintf(stderr, "sqlite_baseline: point lookup found %ld of %ld\n", found, nlat);
		exit(1);
	}
	*r = (struct result){ .name = "point_lookup", .unit = "lookups", .ops = nlat, .rows = nlat };
	finish(r, now_us() - t0);
	sqlite3_finalize(q);
	sqlite3_close(rd);
	sqlite3_close(db);
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	double seconds = 3.0;
	long rows = 1000000;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--rows"))
			rows = atol(argv[i + 1]);
	}
	if (!dir || seconds <= 0 || rows < 1 || rows > 100000000) {
		fprintf(stderr, "usage: sqlite_baseline --dir DIR [--seconds S] [--rows N]\n");
		return 2;
	}
	lat = malloc(sizeof(double) * MAX_SAMPLES);
	if (!lat)
		return 1;
	printf("SQLite %s, WAL, synchronous=FULL, dir %s\n", sqlite3_libversion(), dir);
	struct result res[3];
	insert_fsync(dir, seconds, &res[0]);
	insert_batch(dir, seconds, &res[1]);
	point_lookup(dir, seconds, rows, &res[2]);

	printf("BENCH_JSON {\"sqlite_version\":\"%s\",\"lookup_table_rows\":%ld", sqlite3_libversion(), rows);
	for (int i = 0; i < 3; i++)
		printf(",\"%s\":{\"unit\":\"%s\",\"ops\":%ld,\"seconds\":%.3f,\"ops_per_s\":%.1f,"
		       "\"p50_us\":%.1f,\"p99_us\":%.1f}",
		       res[i].name, res[i].unit, res[i].ops, res[i].seconds, res[i].ops_per_s, res[i].p50_us,
		       res[i].p99_us);
	printf("}\n");
	free(lat);
	return 0;
}
