#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum opt_type { OPT_STR, OPT_INT, OPT_BOOL };

struct opt {
	const char *name;
	enum opt_type type;
	size_t offset, size;
	const char *def;
	long min, max;
	const char *help;
};

#define STR(f, d, h) { #f, OPT_STR, offsetof(struct config, f), sizeof(((struct config *)0)->f), d, 0, 0, h }
#define INT(f, d, lo, hi, h) { #f, OPT_INT, offsetof(struct config, f), 0, d, lo, hi, h }
#define BOOL(f, d, h) { #f, OPT_BOOL, offsetof(struct config, f), 0, d, 0, 1, h }

static const struct opt opts[] = {
	STR(db, "data/voronka.db", "SQLite database file"),
	STR(listen, "127.0.0.1:8080", "address:port to serve HTTP on (port 0 = any free port)"),
	STR(web_dir, "", "serve UI files live from this directory (development); empty = built-in"),
	STR(trusted_proxies, "127.0.0.1", "comma-separated proxy IPs whose X-Forwarded-For is believed"),
	INT(threads, "0", 0, 256, "HTTP worker threads; 0 = 8 per CPU (a request waiting for its commit holds one)"),
	INT(max_body_kib, "1024", 1, 65536, "largest accepted request body, KiB"),
	INT(max_connections, "1024", 16, 65536, "simultaneous client connections"),
	INT(client_timeout_s, "30", 1, 3600, "idle/slow client connection timeout, seconds"),
	INT(session_idle_minutes, "720", 1, 525600, "a session expires after this much inactivity"),
	INT(session_max_hours, "168", 1, 8760, "a session expires this long after login, however active"),
	INT(login_fails_per_login, "5", 1, 1000, "failed logins per login name within the window before 429"),
	INT(login_fails_per_ip, "20", 1, 100000, "failed logins per client IP within the window before 429"),
	INT(login_window_minutes, "15", 1, 1440, "login throttling window, minutes"),
	INT(shutdown_grace_s, "10", 0, 600, "on SIGTERM, wait this long for in-flight requests"),
	BOOL(metrics, "true", "serve Prometheus metrics at /metrics"),
	BOOL(test_clock, "false", "enable POST /api/test/clock (tests only; never in production)"),
};

static const struct opt *find(const char *name)
{
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	return NULL;
}

static enum vk_rc set_opt(struct config *c, const struct opt *o, const char *value, struct vk_err *err)
{
	char *base = (char *)c + o->offset;
	switch (o->type) {
	case OPT_STR:
		if (strlen(value) >= o->size)
			return vk_fail(err, VK_EINVAL, o->name, "%s: value too long", o->name);
		strcpy(base, value);
		return VK_OK;
	case OPT_INT: {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < o->min || v > o->max)
			return vk_fail(err, VK_EINVAL, o->name, "%s: expected an integer from %ld to %ld",
			               o->name, o->min, o->max);
		*(long *)(void *)base = v;
		return VK_OK;
	}
	case OPT_BOOL:
		if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1") || !strcmp(value, "on"))
			*(bool *)base = true;
		else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0") || !strcmp(value, "off"))
			*(bool *)base = false;
		else
			return vk_fail(err, VK_EINVAL, o->name, "%s: expected true or false", o->name);
		return VK_OK;
	}
	return VK_EINVAL;
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (set_opt(c, &opts[i], opts[i].def, NULL) != VK_OK)
			abort(); /* a default outside its own range is a bug in the table */
}

enum vk_rc config_set(struct config *c, const char *name, const char *value, struct vk_err *err)
{
	const struct opt *o = find(name);
	if (!o)
		return vk_fail(err, VK_EINVAL, name, "unknown option \"%s\"", name);
	return set_opt(c, o, value, err);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

enum vk_rc config_load_file(struct config *c, const char *path, struct vk_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return vk_fail(err, VK_EIO, NULL, "cannot open config %s: %s", path, strerror(errno));
	char line[1024];
	int lineno = 0;
	enum vk_rc rc = VK_OK;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = vk_fail(err, VK_EINVAL, NULL, "%s:%d: expected key = value", path, lineno);
			goto out;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		size_t vl = strlen(value);
		if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
			value[vl - 1] = '\0';
			value++;
		}
		rc = config_set(c, key, value, err);
		if (rc != VK_OK) {
			char where[300];
			snprintf(where, sizeof where, "%.256s:%d: ", path, lineno);
			vk_err_prefix(err, where);
			goto out;
		}
	}
out:
	fclose(f);
	return rc;
}

void config_print_defaults(FILE *out)
{
	fprintf(out, "# voronka configuration: key = value; command-line --key value overrides.\n");
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		const struct opt *o = &opts[i];
		if (o->type == OPT_INT)
			fprintf(out, "\n# %s (%ld..%ld)\n%s = %s\n", o->help, o->min, o->max, o->name, o->def);
		else
			fprintf(out, "\n# %s\n%s = %s\n", o->help, o->name,
			        o->type == OPT_STR && !*o->def ? "\"\"" : o->def);
	}
}
