/* The plan of "every task you may see" (GET /api/tasks?assignee=any for a role without "*"):
 * (assignee_id = me OR created_by = me) must be answered from an index on each side (migration 9)
 * rather than by walking every task in due order. */
#include "harness.h"

#include <string.h>

#include "store/activity.h"
#include "store/db.h"

void test_taskplan(void)
{
	const char *path = unit_tmp_db();
	struct store *s;
	CHECK(store_open(path, &s, NULL) == VK_OK);
	struct conn *c = store_reader(s);
	struct arena *a = arena_new(4096);
	for (int done = 0; done <= 1; done++) {
		struct task_query q = { .visible_to = 7, .done = done, .due_from = INT64_MIN, .due_to = INT64_MIN, .limit = 50 };
		struct task *items;
		int n;
		CHECK(store_task_list(c, &q, a, &items, &n) == VK_OK);
		const char *p = store_plan(c, store_last_sql(c), a);
		bool ok = strstr(p, "MULTI-INDEX OR") && strstr(p, "tasks_created_by") && strstr(p, "tasks_assignee");
		if (!ok)
			fprintf(stderr, "plan of the tasks one may see (done=%d):\n%s", done, p);
		CHECK(ok);
	}
	arena_free(a);
	store_close(s);
	unit_rm_db(path);
}
