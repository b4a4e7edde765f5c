/* A tiny unit-test harness: CHECK(cond) counts, main prints "N passed, N failed". */
#ifndef VK_HARNESS_H
#define VK_HARNESS_H
#include <stdio.h>

extern int unit_passed, unit_failed;

#define CHECK(cond)                                                                   \
	do {                                                                              \
		if (cond) {                                                                   \
			unit_passed++;                                                            \
		} else {                                                                      \
			unit_failed++;                                                            \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
		}                                                                             \
	} while (0)

/* A fresh temporary database path (removed with its -wal/-shm by unit_rm_db). */
const char *unit_tmp_db(void);
void unit_rm_db(const char *path);

void test_core(void);
void test_phone(void);
void test_text(void);
void test_store(void);
void test_auth(void);
void test_http(void);
void test_settings(void);
void test_csv(void);
void test_plan(void);
void test_taskplan(void);
#endif
