/* Server configuration: one declarative table of typed, range-checked options with defaults
 * (like Redis's static_configs[]). Sources, later wins: defaults, --config FILE, command line. */
#ifndef VK_CONFIG_H
#define VK_CONFIG_H
#include <stdbool.h>
#include <stdio.h>

#include "core/rc.h"

struct config {
	char db[512];
	char listen[128];
	char web_dir[512];
	char trusted_proxies[256];
	long threads;
	long max_body_kib;
	long max_connections;
	long client_timeout_s;
	long session_idle_minutes;
	long session_max_hours;
	long login_fails_per_login;
	long login_fails_per_ip;
	long login_window_minutes;
	long shutdown_grace_s;
	bool metrics;
	bool test_clock;
};

void config_defaults(struct config *c);
enum vk_rc config_set(struct config *c, const char *name, const char *value, struct vk_err *err);
/* "key = value" lines; '#' starts a comment. */
enum vk_rc config_load_file(struct config *c, const char *path, struct vk_err *err);
void config_print_defaults(FILE *out);
#endif
