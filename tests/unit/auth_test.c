#include "harness.h"

#include <string.h>

#include "auth/auth.h"
#include "auth/users.h"
#include "core/clock.h"

static struct store *s;

static enum vk_rc noop(struct conn *c, void *ctx)
{
	(void)c, (void)ctx;
	return VK_OK;
}

/* The writer queue is FIFO: once a no-op job is done, earlier async touches are on disk. */
static void barrier(void)
{
	store_write(s, noop, NULL);
}
static struct config cfg;

static void setup(void)
{
	config_defaults(&cfg);
	CHECK(store_open(unit_tmp_db(), &s, NULL) == VK_OK);
}

static void passwords_and_caps(void)
{
	char h[AUTH_HASH_LEN];
	CHECK(auth_hash_password("correct horse", h) == VK_OK);
	CHECK(strncmp(h, "$argon2id$", 10) == 0);
	CHECK(auth_verify_password(h, "correct horse"));
	CHECK(!auth_verify_password(h, "correct horsE"));
	struct vk_err err = { 0 };
	CHECK(auth_check_password_rules("short", "password", &err) == VK_EINVAL);
	const char *caps[] = { "users.read" };
	struct principal p = { .caps = caps, .n_caps = 1 };
	CHECK(auth_can(&p, "users.read"));
	CHECK(!auth_can(&p, "users.manage"));
	const char *all[] = { "*" };
	struct principal admin = { .caps = all, .n_caps = 1 };
	CHECK(auth_can(&admin, "users.manage"));
	CHECK(!auth_can(NULL, "users.read"));
	CHECK(auth_capability_known("tokens.manage") && !auth_capability_known("tokens.steal"));
}

static void login_sessions_throttle(void)
{
	struct auth *a = auth_new(s, &cfg);
	struct arena *ar = arena_new(4096);
	struct vk_err err = { 0 };
	struct user u;
	struct user_input in = { .login = "ivan", .name = "Иван", .password = "password-1",
	                         .role = "admin", .active = -1 };
	CHECK(user_create(s, NULL, &in, ar, &u, &err) == VK_OK);
	in.login = "Ivan!";
	CHECK(user_create(s, NULL, &in, ar, &u, &err) == VK_EINVAL && !strcmp(err.field, "login"));
	in.login = "ivan";
	CHECK(user_create(s, NULL, &in, ar, &u, &err) == VK_ECONFLICT);
	in.login = "petr";
	in.role = "ghost";
	CHECK(user_create(s, NULL, &in, ar, &u, &err) == VK_EINVAL && !strcmp(err.field, "role"));

	clock_set_ms(1800000000000LL);
	struct principal p;
	char cookie[65];
	int retry = 0;
	CHECK(auth_login(a, "ivan", "password-1", "10.0.0.1", "ua", ar, &p, cookie, &retry, &err) == VK_OK);
	CHECK(strlen(cookie) == 64 && p.session_id > 0 && auth_can(&p, "users.manage"));
	struct principal q;
	CHECK(auth_session(a, cookie, ar, &q) == VK_OK && q.user_id == p.user_id);
	CHECK(auth_csrf_ok(&q, p.csrf));
	CHECK(!auth_csrf_ok(&q, "nope"));
	CHECK(!auth_csrf_ok(&q, NULL));
	CHECK(auth_session(a, "0000000000000000000000000000000000000000000000000000000000000000", ar, &q) == VK_EAUTH);

	/* idle expiry */
	clock_advance_ms(cfg.session_idle_minutes * 60000 + 1000);
	CHECK(auth_session(a, cookie, ar, &q) == VK_EAUTH);

	/* throttling: 5 failures per login lock it; the window passing unlocks it */
	for (int i = 0; i < 5; i++)
		CHECK(auth_login(a, "ivan", "wrong-pass", "10.0.0.2", "ua", ar, &p, cookie, &retry, &err) == VK_EAUTH);
	CHECK(auth_login(a, "ivan", "password-1", "10.0.0.2", "ua", ar, &p, cookie, &retry, &err) == VK_ETHROTTLED);
	CHECK(retry > 0 && retry <= cfg.login_window_minutes * 60);
	clock_advance_ms(cfg.login_window_minutes * 60000 + 1000);
	CHECK(auth_login(a, "ivan", "password-1", "10.0.0.2", "ua", ar, &p, cookie, &retry, &err) == VK_OK);

	/* logout revokes */
	CHECK(auth_session(a, cookie, ar, &q) == VK_OK);
	CHECK(auth_logout(a, &q) == VK_OK);
	CHECK(auth_session(a, cookie, ar, &q) == VK_EAUTH);

	/* absolute expiry, however active */
	CHECK(auth_login(a, "ivan", "password-1", "10.0.0.2", "ua", ar, &p, cookie, &retry, &err) == VK_OK);
	for (int h = 0; h < cfg.session_max_hours; h += 6) {
		clock_advance_ms(6 * 3600000LL);
		if (h + 6 < cfg.session_max_hours)
			CHECK(auth_session(a, cookie, ar, &q) == VK_OK);
		barrier();
	}
	clock_advance_ms(1000); /* exactly session_max_hours is still allowed; just past it is not */
	CHECK(auth_session(a, cookie, ar, &q) == VK_EAUTH);

	/* API tokens: hashed, role-scoped, revocable */
	struct token_created tc;
	CHECK(token_create(s, NULL, "site", "integration", ar, &tc, &err) == VK_OK);
	CHECK(strncmp(tc.secret, "vk_", 3) == 0);
	CHECK(auth_bearer(a, tc.secret, ar, &q) == VK_OK && !auth_can(&q, "users.read") && q.token_id);
	CHECK(auth_csrf_ok(&q, NULL)); /* bearer: no CSRF */
	CHECK(token_revoke(s, NULL, tc.token.id, &err) == VK_OK);
	CHECK(auth_bearer(a, tc.secret, ar, &q) == VK_EAUTH);
	CHECK(token_revoke(s, NULL, tc.token.id, &err) == VK_ENOTFOUND);
	CHECK(token_create(s, NULL, "x", "ghost", ar, &tc, &err) == VK_EINVAL);

	clock_use_real();
	arena_free(ar);
	auth_free(a);
}

void test_auth(void)
{
	setup();
	passwords_and_caps();
	login_sessions_throttle();
	store_close(s);
}
