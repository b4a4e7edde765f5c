#include "harness.h"

#include <string.h>

#include "http/http.h"

static void routing(void)
{
	struct req r = { .arena = arena_new(1024) };
	CHECK(route_match("/api/users", "/api/users", &r) && r.n_params == 0);
	CHECK(!route_match("/api/users", "/api/users/", NULL));
	CHECK(!route_match("/api/users", "/api/user", NULL));
	CHECK(route_match("/api/users/:id", "/api/users/42", &r) && r.n_params == 1 &&
	      strcmp(r.params[0], "42") == 0);
	CHECK(!route_match("/api/users/:id", "/api/users/", NULL));
	CHECK(!route_match("/api/users/:id", "/api/users/1/x", NULL));
	CHECK(route_match("/a/:x/b/:y", "/a/1/b/2", &r) && r.n_params == 2 && !strcmp(r.params[1], "2"));
	arena_free(r.arena);
}

void test_http(void)
{
	routing();
}
