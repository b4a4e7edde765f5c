/* voronka: command dispatch. */
#include "auth/auth.h"
#include "auth/users.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "http/http.h"
#include "preset/gen.h"
#include "preset/preset.h"
#include "store/auth.h"
#include "store/db.h"
#include "version.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(out,
		"voronka %s — a self-hosted CRM server\n\n"
		"usage:\n"
		"  voronka serve   [--db PATH] [--listen HOST:PORT] [--config FILE] [--web DIR] [--OPTION VALUE]...\n"
		"  voronka demo    --db PATH --preset cleaning|dealers|eshop|b2c|logistics [--password P]\n"
		"  voronka migrate --db PATH\n"
		"  voronka user add --db PATH --login L --password P --role R [--name N]\n"
		"  voronka backup  --db PATH --to FILE\n"
		"  voronka bench-gen --db PATH [--contacts 100k] [--deals 100k] [--companies N] [--managers 20] [--seed S]\n"
		"  voronka config  --defaults\n"
		"  voronka routes  (every API route, one \"METHOD /path\" a line)\n"
		"  voronka version\n\n"
		"Options of serve are those of `voronka config --defaults` (--max-body-kib 2048 etc.).\n",
		VORONKA_VERSION);
}

/* Pull --name VALUE pairs out of argv into a small table (a CLI, not a parser library). */
struct args {
	const char *names[32], *values[32];
	int n;
	bool flags_test_clock;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0) {
			fprintf(stderr, "voronka: unexpected argument \"%s\"\n", argv[i]);
			return -1;
		}
		const char *name = argv[i] + 2;
		if (!strcmp(name, "test-clock") || !strcmp(name, "defaults")) {
			a->names[a->n] = name;
			a->values[a->n++] = "true";
			continue;
		}
		if (i + 1 >= argc || a->n == 32) {
			fprintf(stderr, "voronka: --%s needs a value\n", name);
			return -1;
		}
		a->names[a->n] = name;
		a->values[a->n++] = argv[++i];
	}
	return 0;
}

static const char *arg(const struct args *a, const char *name)
{
	for (int i = 0; i < a->n; i++)
		if (!strcmp(a->names[i], name))
			return a->values[i];
	return NULL;
}

static const char *need(const struct args *a, const char *name)
{
	const char *v = arg(a, name);
	if (!v) {
		fprintf(stderr, "voronka: --%s is required\n", name);
		exit(2);
	}
	return v;
}

static int fail(const struct vk_err *err)
{
	fprintf(stderr, "voronka: %s%s%s\n", err->message, err->field ? " — field " : "",
	        err->field ? err->field : "");
	return 1;
}

static int open_store(const char *path, struct store **s)
{
	struct vk_err err = { 0 };
	if (store_open(path, s, &err) != VK_OK)
		return fail(&err);
	return 0;
}

/* Make the directory holding the db file if missing (data/ on a fresh checkout). */
static void ensure_parent_dir(const char *path)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			fprintf(stderr, "voronka: cannot create %s: %s\n", dir, strerror(errno));
	}
}

static void random_password(char out[17])
{
	auth_random_hex(out, 8);
}

/* First run: an empty database gets an administrator whose password is printed once. */
static int bootstrap_admin(struct store *s)
{
	if (store_user_count(store_reader(s)) > 0)
		return 0;
	char pw[17];
	random_password(pw);
	struct user_input in = { .login = "admin", .name = "Administrator", .password = pw,
	                         .role = "admin", .active = -1 };
	struct user u;
	struct vk_err err = { 0 };
	struct arena *a = arena_new(1024);
	enum vk_rc rc = user_create(s, NULL, &in, a, &u, &err);
	arena_free(a);
	if (rc != VK_OK)
		return fail(&err);
	printf("voronka: created the administrator: login admin, password %s (shown once; change it"
	       " in the user menu)\n", pw);
	fflush(stdout);
	return 0;
}

static int cmd_serve(int argc, char **argv)
{
	struct args a;
	struct config cfg;
	struct vk_err err = { 0 };
	if (parse_args(argc, argv, &a) < 0)
		return 2;
	config_defaults(&cfg);
	const char *file = arg(&a, "config");
	if (file && config_load_file(&cfg, file, &err) != VK_OK)
		return fail(&err);
	for (int i = 0; i < a.n; i++) {
		if (!strcmp(a.names[i], "config"))
			continue;
		char key[64];
		snprintf(key, sizeof key, "%s", !strcmp(a.names[i], "web") ? "web_dir" : a.names[i]);
		for (char *p = key; *p; p++)
			if (*p == '-')
				*p = '_';
		if (config_set(&cfg, key, a.values[i], &err) != VK_OK)
			return fail(&err);
	}

	/* Signals are taken by sigwait below; block them before any thread starts. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	int64_t t0 = clock_mono_us();
	ensure_parent_dir(cfg.db);
	struct store *s;
	if (open_store(cfg.db, &s))
		return 1;
	if (bootstrap_admin(s)) {
		store_close(s);
		return 1;
	}
	struct auth *au = auth_new(s, &cfg);
	struct server *srv = server_new(&cfg, s, au, &err);
	if (!srv) {
		auth_free(au);
		store_close(s);
		return fail(&err);
	}
	server_start_background(srv);
	char host[128];
	snprintf(host, sizeof host, "%s", cfg.listen);
	*strrchr(host, ':') = '\0';
	if (!host[0] || !strcmp(host, "0.0.0.0"))
		snprintf(host, sizeof host, "127.0.0.1");
	log_info("msg=\"started\" version=%s db=%s listen=%s startup_ms=%.1f%s", VORONKA_VERSION, cfg.db,
	         cfg.listen, (double)(clock_mono_us() - t0) / 1000.0,
	         cfg.test_clock ? " test_clock=1" : "");
	printf("voronka: listening on http://%s:%u\n", host, server_port(srv));
	fflush(stdout);

	int sig = 0;
	sigwait(&sigs, &sig);
	log_info("msg=\"stopping\" signal=%d", sig);
	server_shutdown(srv, (int)cfg.shutdown_grace_s);
	server_free(srv);
	auth_free(au);
	store_close(s);
	log_info("msg=\"stopped\"");
	return 0;
}

static int cmd_demo(int argc, char **argv)
{
	struct args a;
	if (parse_args(argc, argv, &a) < 0)
		return 2;
	const char *db = need(&a, "db"), *preset = need(&a, "preset"), *pw = arg(&a, "password");
	char generated[17];
	if (!pw) {
		random_password(generated);
		pw = generated;
	}
	ensure_parent_dir(db);
	struct stat st;
	bool existed = stat(db, &st) == 0;
	struct store *s;
	if (open_store(db, &s))
		return 1;
	if (store_user_count(store_reader(s)) > 0) {
		fprintf(stderr, "voronka: %s already has users; a preset loads only into a new database\n", db);
		store_close(s);
		return 1;
	}
	struct vk_err err = { 0 };
	int n_users = 0;
	enum vk_rc rc = preset_load(s, preset, pw, &n_users, &err);
	store_close(s);
	if (rc != VK_OK) {
		if (!existed) { /* leave nothing half-loaded behind */
			char side[600];
			unlink(db);
			snprintf(side, sizeof side, "%s-wal", db);
			unlink(side);
			snprintf(side, sizeof side, "%s-shm", db);
			unlink(side);
		}
		fprintf(stderr, "voronka: preset %s: ", preset);
		return fail(&err);
	}
	printf("voronka: loaded preset %s into %s: %d users; every user's password is %s; "
	       "the administrator's login is admin\n", preset, db, n_users, pw);
	return 0;
}

static int cmd_migrate(int argc, char **argv)
{
	struct args a;
	if (parse_args(argc, argv, &a) < 0)
		return 2;
	const char *db = need(&a, "db");
	ensure_parent_dir(db);
	struct store *s;
	if (open_store(db, &s))
		return 1;
	printf("voronka: %s is at schema version %d\n", db, store_schema_version(store_reader(s)));
	store_close(s);
	return 0;
}

static int cmd_user(int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "add") != 0) {
		fprintf(stderr, "voronka: usage: voronka user add --db PATH --login L --password P --role R [--name N]\n");
		return 2;
	}
	struct args a;
	if (parse_args(argc - 1, argv + 1, &a) < 0)
		return 2;
	const char *db = need(&a, "db");
	struct user_input in = { .login = need(&a, "login"), .password = need(&a, "password"),
	                         .role = need(&a, "role"), .active = -1 };
	in.name = arg(&a, "name") ? arg(&a, "name") : in.login;
	ensure_parent_dir(db);
	struct store *s;
	if (open_store(db, &s))
		return 1;
	struct vk_err err = { 0 };
	struct user u;
	struct arena *ar = arena_new(1024);
	enum vk_rc rc = user_create(s, NULL, &in, ar, &u, &err);
	if (rc == VK_OK)
		printf("voronka: user %s (id %lld, role %s) created\n", u.login, (long long)u.id, u.role_key);
	arena_free(ar);
	store_close(s);
	return rc == VK_OK ? 0 : fail(&err);
}

static int64_t count_arg(const struct args *a, const char *name, int64_t def)
{
	const char *v = arg(a, name);
	if (!v)
		return def;
	char *end;
	double x = strtod(v, &end);
	if (*end == 'k' || *end == 'K')
		x *= 1e3, end++;
	else if (*end == 'm' || *end == 'M')
		x *= 1e6, end++;
	if (*end || x < 0 || x > 1e8) {
		fprintf(stderr, "voronka: --%s must be a count such as 1000, 100k or 1m\n", name);
		exit(2);
	}
	return (int64_t)x;
}

/* voronka bench-gen --db PATH [--contacts 100k] [--deals 100k] [--companies N] [--managers 20] [--seed S] */
static int cmd_bench_gen(int argc, char **argv)
{
	struct args a;
	if (parse_args(argc, argv, &a) < 0)
		return 2;
	const char *db = need(&a, "db");
	struct gen_options o = { .contacts = count_arg(&a, "contacts", 10000), .deals = count_arg(&a, "deals", 10000),
	                         .managers = (int)count_arg(&a, "managers", 20), .seed = (uint64_t)count_arg(&a, "seed", 1) };
	o.companies = count_arg(&a, "companies", o.contacts / 10);
	struct store *s;
	if (open_store(db, &s))
		return 1;
	struct vk_err err = { 0 };
	enum vk_rc rc = gen_run(s, &o, &err);
	store_close(s);
	return rc == VK_OK ? 0 : fail(&err);
}

static int cmd_backup(int argc, char **argv)
{
	struct args a;
	if (parse_args(argc, argv, &a) < 0)
		return 2;
	const char *db = need(&a, "db"), *to = need(&a, "to");
	struct stat st;
	if (stat(db, &st) != 0) {
		fprintf(stderr, "voronka: no database at %s\n", db);
		return 1;
	}
	if (stat(to, &st) == 0) {
		fprintf(stderr, "voronka: %s exists; choose a new file name\n", to);
		return 1;
	}
	struct store *s;
	if (open_store(db, &s))
		return 1;
	struct vk_err err = { 0 };
	enum vk_rc rc = store_backup(s, to, &err);
	store_close(s);
	if (rc != VK_OK) {
		unlink(to);
		return fail(&err);
	}
	printf("voronka: backed up %s to %s\n", db, to);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "serve"))
		return cmd_serve(argc - 2, argv + 2);
	if (!strcmp(cmd, "demo"))
		return cmd_demo(argc - 2, argv + 2);
	if (!strcmp(cmd, "migrate"))
		return cmd_migrate(argc - 2, argv + 2);
	if (!strcmp(cmd, "user"))
		return cmd_user(argc - 2, argv + 2);
	if (!strcmp(cmd, "backup"))
		return cmd_backup(argc - 2, argv + 2);
	if (!strcmp(cmd, "bench-gen"))
		return cmd_bench_gen(argc - 2, argv + 2);
	if (!strcmp(cmd, "config") && argc == 3 && !strcmp(argv[2], "--defaults")) {
		config_print_defaults(stdout);
		return 0;
	}
	if (!strcmp(cmd, "routes") && argc == 2) {
		server_print_routes(stdout);
		return 0;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("voronka %s\n", VORONKA_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "voronka: unknown command \"%s\"\n\n", cmd);
	usage(stderr);
	return 2;
}
