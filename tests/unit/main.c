#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int unit_passed, unit_failed;

static const struct {
	const char *name;
	void (*fn)(void);
} suites[] = {
	{ "core", test_core }, { "phone", test_phone }, { "text", test_text }, { "store", test_store }, { "auth", test_auth },
	{ "http", test_http }, { "settings", test_settings }, { "csv", test_csv }, { "plan", test_plan },
	{ "taskplan", test_taskplan },
};

const char *unit_tmp_db(void)
{
	static char path[64];
	static int n;
	snprintf(path, sizeof path, "/tmp/voronka-unit-%d-%d.db", (int)getpid(), n++);
	unit_rm_db(path);
	return path;
}

void unit_rm_db(const char *path)
{
	char side[96];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "all";
	int ran = 0;
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
		if (strcmp(which, "all") != 0 && strcmp(which, suites[i].name) != 0)
			continue;
		int before = unit_failed;
		suites[i].fn();
		fprintf(stderr, "unit %s: %s\n", suites[i].name, unit_failed == before ? "ok" : "FAILED");
		ran++;
	}
	if (!ran) {
		fprintf(stderr, "unit: no suite named %s\n", which);
		return 2;
	}
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
