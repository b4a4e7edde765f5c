#include "auth/auth.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/auth.h"
#include "store/event.h"
#include "store/pipeline.h"
#include "store/record.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

const char *const auth_capabilities[] = {
	CAP_USERS_READ, CAP_USERS_MANAGE, CAP_ROLES_READ, CAP_SETTINGS_MANAGE,
	CAP_TOKENS_MANAGE, CAP_TIMELINE_READ, "records.merge", "records.allow_duplicate", NULL,
};

bool auth_capability_known(const char *cap)
{
	if (strcmp(cap, "*") == 0)
		return true;
	for (const char *const *c = auth_capabilities; *c; c++)
		if (strcmp(*c, cap) == 0)
			return true;
	return false;
}

bool auth_all(const struct principal *p)
{
	for (int i = 0; p && i < p->n_caps; i++)
		if (strcmp(p->caps[i], "*") == 0)
			return true;
	return false;
}

bool auth_can(const struct principal *p, const char *capability)
{
	if (!p)
		return false;
	for (int i = 0; i < p->n_caps; i++)
		if (strcmp(p->caps[i], "*") == 0 || strcmp(p->caps[i], capability) == 0)
			return true;
	return false;
}

/* ---- login throttling: failures per key in a sliding window, in memory ---- */

#define THROTTLE_BUCKETS 1024
#define THROTTLE_KEEP 64 /* failure times kept per key; limits above this act as this */

struct tentry {
	struct tentry *next;
	char *key;
	int64_t fails[THROTTLE_KEEP]; /* ring of failure times */
	int n, head;
};

/* ---- resolved principals, cached ----
 * Resolving a cookie took three queries (session, user with role, capabilities): ~40 µs of the
 * 60 µs of GET /api/me, paid by every authenticated request. A resolved session or token is
 * kept by its hash until the store's auth epoch moves: every write to sessions, users or roles
 * (logout, password change, deactivation, role edits, token revocation) moves it once
 * committed, before that write's request is answered, so the next request is checked against
 * the database again. PCACHE_TTL_MS bounds how long a change made by another process (the
 * CLI on the same database) could go unseen. */
#define PCACHE_SLOTS 1024 /* direct-mapped by the token hash: a collision costs a miss */
#define PCACHE_LOCKS 16
#define PCACHE_TTL_MS 5000

struct pcache_entry {
	bool used, token;
	unsigned char hash[32];
	uint64_t epoch;
	int64_t loaded_ms;              /* monotonic */
	int64_t created_at, last_seen_at; /* sessions: idle and age limits; tokens: last use */
	struct principal p;             /* strings point into mem */
	char *mem;
};

struct auth {
	struct store *store;
	const struct config *cfg;
	pthread_mutex_t lock;
	struct tentry *buckets[THROTTLE_BUCKETS];
	pthread_mutex_t pcache_locks[PCACHE_LOCKS];
	struct pcache_entry pcache[PCACHE_SLOTS];
};

static unsigned hash_key(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % THROTTLE_BUCKETS;
}

static struct tentry *tentry_get(struct auth *a, const char *key, bool create)
{
	struct tentry **pp = &a->buckets[hash_key(key)];
	for (; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->key, key) == 0)
			return *pp;
	if (!create)
		return NULL;
	struct tentry *e = xcalloc(1, sizeof *e);
	e->key = xstrdup(key);
	*pp = e;
	return e;
}

/* Failures of e within the window ending at now; sets *oldest to the earliest one counted. */
static int tentry_count(const struct tentry *e, int64_t now, int64_t window, int64_t *oldest)
{
	int n = 0;
	*oldest = now;
	for (int i = 0; i < e->n; i++) {
		int64_t t = e->fails[i];
		if (t > now - window) {
			n++;
			if (t < *oldest)
				*oldest = t;
		}
	}
	return n;
}

/* Seconds to wait if key is over limit, else 0. */
static int throttle_wait(struct auth *a, const char *key, long limit, int64_t now)
{
	int64_t window = a->cfg->login_window_minutes * 60000;
	struct tentry *e = tentry_get(a, key, false);
	if (!e)
		return 0;
	int64_t oldest;
	int n = tentry_count(e, now, window, &oldest);
	if (limit > THROTTLE_KEEP)
		limit = THROTTLE_KEEP;
	if (n < limit)
		return 0;
	/* Wait until enough of the counted failures leave the window: the oldest one first. */
	int64_t wait_ms = oldest + window - now;
	return (int)((wait_ms + 999) / 1000);
}

static void throttle_fail(struct auth *a, const char *key, int64_t now)
{
	struct tentry *e = tentry_get(a, key, true);
	e->fails[e->head] = now;
	e->head = (e->head + 1) % THROTTLE_KEEP;
	if (e->n < THROTTLE_KEEP)
		e->n++;
}

static void throttle_clear(struct auth *a, const char *key)
{
	struct tentry *e = tentry_get(a, key, false);
	if (e)
		e->n = e->head = 0;
}

struct auth *auth_new(struct store *s, const struct config *cfg)
{
	if (sodium_init() < 0) {
		log_error("msg=\"libsodium failed to initialise\"");
		abort();
	}
	struct auth *a = xcalloc(1, sizeof *a);
	a->store = s;
	a->cfg = cfg;
	pthread_mutex_init(&a->lock, NULL);
	for (int i = 0; i < PCACHE_LOCKS; i++)
		pthread_mutex_init(&a->pcache_locks[i], NULL);
	return a;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	for (int i = 0; i < THROTTLE_BUCKETS; i++)
		for (struct tentry *e = a->buckets[i], *next; e; e = next) {
			next = e->next;
			free(e->key);
			free(e);
		}
	for (int i = 0; i < PCACHE_SLOTS; i++)
		free(a->pcache[i].mem);
	for (int i = 0; i < PCACHE_LOCKS; i++)
		pthread_mutex_destroy(&a->pcache_locks[i]);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

/* ---- passwords ---- */

enum vk_rc auth_hash_password(const char *password, char out[AUTH_HASH_LEN])
{
	_Static_assert(AUTH_HASH_LEN >= crypto_pwhash_STRBYTES, "hash buffer too small");
	if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                          crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return VK_EIO; /* out of memory in libsodium */
	return VK_OK;
}

bool auth_verify_password(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

enum vk_rc auth_check_password_rules(const char *password, const char *field, struct vk_err *err)
{
	size_t n = strlen(password);
	if (n < 8 || n > 256)
		return vk_fail(err, VK_EINVAL, field, "the password must be 8 to 256 characters long");
	return VK_OK;
}

void auth_random_hex(char *out, size_t n_bytes)
{
	unsigned char raw[64];
	if (n_bytes > sizeof raw)
		abort();
	randombytes_buf(raw, n_bytes);
	sodium_bin2hex(out, n_bytes * 2 + 1, raw, n_bytes);
}

void auth_token_hash(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

/* ---- principals ---- */

static void principal_from_user(struct principal *p, const struct user *u, struct conn *c,
                                struct arena *ar)
{
	struct role r;
	memset(p, 0, sizeof *p);
	p->user_id = u->id;
	p->login = u->login;
	p->name = u->name;
	p->role_id = u->role_id;
	p->role_key = u->role_key;
	p->role_name = u->role_name;
	if (store_role_get(c, u->role_id, ar, &r) == VK_OK) {
		p->caps = r.caps;
		p->n_caps = r.n_caps;
	}
}

static unsigned pcache_slot(const unsigned char hash[32])
{
	unsigned v;
	memcpy(&v, hash, sizeof v); /* a BLAKE2b hash: any bytes of it are uniform */
	return v % PCACHE_SLOTS;
}

static const char *copy_str(char **at, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	memcpy(*at, s, n);
	const char *out = *at;
	*at += n;
	return out;
}

/* Keep p (resolved under epoch) for its hash. */
static void pcache_put(struct auth *a, const unsigned char hash[32], bool token, uint64_t epoch,
                       int64_t created_at, int64_t last_seen_at, const struct principal *p)
{
	const char *strs[] = { p->login, p->name, p->role_key, p->role_name, p->csrf, p->token_name };
	size_t size = sizeof(char *) * (size_t)p->n_caps;
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		size += strs[i] ? strlen(strs[i]) + 1 : 0;
	for (int i = 0; i < p->n_caps; i++)
		size += strlen(p->caps[i]) + 1;
	char *mem = xmalloc(size ? size : 1);
	struct pcache_entry e = { .used = true, .token = token, .epoch = epoch, .loaded_ms = clock_mono_us() / 1000,
	                          .created_at = created_at, .last_seen_at = last_seen_at, .p = *p, .mem = mem };
	memcpy(e.hash, hash, 32);
	e.p.caps = (const char **)(void *)mem;
	char *at = mem + sizeof(char *) * (size_t)p->n_caps;
	for (int i = 0; i < p->n_caps; i++)
		e.p.caps[i] = copy_str(&at, p->caps[i]);
	e.p.login = copy_str(&at, p->login);
	e.p.name = copy_str(&at, p->name);
	e.p.role_key = copy_str(&at, p->role_key);
	e.p.role_name = copy_str(&at, p->role_name);
	e.p.csrf = copy_str(&at, p->csrf);
	e.p.token_name = copy_str(&at, p->token_name);
	unsigned slot = pcache_slot(hash);
	pthread_mutex_t *lock = &a->pcache_locks[slot % PCACHE_LOCKS];
	pthread_mutex_lock(lock);
	char *old = a->pcache[slot].mem;
	a->pcache[slot] = e;
	pthread_mutex_unlock(lock);
	free(old);
}

static const char *arena_str(struct arena *ar, const char *s)
{
	return s ? arena_strdup(ar, s) : NULL;
}

/* A copy of the principal cached for hash into ar, if it is still current. */
static bool pcache_get(struct auth *a, const unsigned char hash[32], bool token, struct arena *ar,
                       struct principal *p, int64_t *created_at, int64_t *last_seen_at)
{
	unsigned slot = pcache_slot(hash);
	pthread_mutex_t *lock = &a->pcache_locks[slot % PCACHE_LOCKS];
	uint64_t epoch = store_auth_epoch(a->store);
	int64_t now = clock_mono_us() / 1000;
	pthread_mutex_lock(lock);
	struct pcache_entry *e = &a->pcache[slot];
	bool hit = e->used && e->token == token && e->epoch == epoch && now - e->loaded_ms < PCACHE_TTL_MS &&
	           memcmp(e->hash, hash, 32) == 0;
	if (hit) {
		*p = e->p;
		p->caps = arena_alloc(ar, sizeof *p->caps * (size_t)(e->p.n_caps ? e->p.n_caps : 1));
		for (int i = 0; i < e->p.n_caps; i++)
			p->caps[i] = arena_strdup(ar, e->p.caps[i]);
		p->login = arena_str(ar, e->p.login);
		p->name = arena_str(ar, e->p.name);
		p->role_key = arena_str(ar, e->p.role_key);
		p->role_name = arena_str(ar, e->p.role_name);
		p->csrf = arena_str(ar, e->p.csrf);
		p->token_name = arena_str(ar, e->p.token_name);
		*created_at = e->created_at;
		*last_seen_at = e->last_seen_at;
	}
	pthread_mutex_unlock(lock);
	return hit;
}

/* The session or token was touched at now: its cached last-seen follows. */
static void pcache_seen(struct auth *a, const unsigned char hash[32], int64_t now)
{
	unsigned slot = pcache_slot(hash);
	pthread_mutex_t *lock = &a->pcache_locks[slot % PCACHE_LOCKS];
	pthread_mutex_lock(lock);
	struct pcache_entry *e = &a->pcache[slot];
	if (e->used && memcmp(e->hash, hash, 32) == 0 && e->last_seen_at < now)
		e->last_seen_at = now;
	pthread_mutex_unlock(lock);
}

static char dummy_hash[AUTH_HASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
	char pw[33];
	auth_random_hex(pw, 16);
	if (auth_hash_password(pw, dummy_hash) != VK_OK)
		abort();
}

struct login_tx {
	int64_t user_id, session_id;
	unsigned char hash[32];
	const char *csrf, *ip, *user_agent, *ip_json;
	int64_t now;
};

static enum vk_rc login_write(struct conn *c, void *ctx)
{
	struct login_tx *t = ctx;
	enum vk_rc rc = store_session_insert(c, t->hash, t->user_id, t->csrf, t->now, t->ip, t->user_agent);
	if (rc != VK_OK)
		return rc;
	t->session_id = store_last_id(c);
	struct event e = { .entity = "user", .entity_id = t->user_id, .actor_id = t->user_id,
	                   .kind = "login", .new_value = t->ip_json, .at = t->now };
	return event_add(c, &e);
}

enum vk_rc auth_login(struct auth *a, const char *login, const char *password, const char *ip,
                      const char *user_agent, struct arena *ar, struct principal *p,
                      char cookie[65], int *retry_after_s, struct vk_err *err)
{
	int64_t now = clock_now_ms();
	char login_key[160], ip_key[80];
	snprintf(login_key, sizeof login_key, "l:%.150s", login);
	snprintf(ip_key, sizeof ip_key, "i:%.70s", ip ? ip : "");

	pthread_mutex_lock(&a->lock);
	int wait_l = throttle_wait(a, login_key, a->cfg->login_fails_per_login, now);
	int wait_i = throttle_wait(a, ip_key, a->cfg->login_fails_per_ip, now);
	pthread_mutex_unlock(&a->lock);
	if (wait_l || wait_i) {
		*retry_after_s = wait_l > wait_i ? wait_l : wait_i;
		return vk_fail(err, VK_ETHROTTLED, NULL,
		               "too many failed logins; try again in %d seconds", *retry_after_s);
	}

	struct conn *c = store_reader(a->store);
	struct user u;
	const char *hash = NULL;
	bool found = store_user_by_login(c, login, ar, &u, &hash) == VK_OK;
	/* Verify against a throwaway hash when the login is unknown so timing does not reveal it. */
	pthread_once(&dummy_once, make_dummy_hash);
	bool ok = auth_verify_password(found ? hash : dummy_hash, password) && found && u.active;
	if (!ok) {
		pthread_mutex_lock(&a->lock);
		throttle_fail(a, login_key, now);
		throttle_fail(a, ip_key, now);
		pthread_mutex_unlock(&a->lock);
		vk_fail(err, VK_EAUTH, NULL, "wrong login or password");
		err->code = "bad_credentials";
		return VK_EAUTH;
	}
	pthread_mutex_lock(&a->lock);
	throttle_clear(a, login_key);
	pthread_mutex_unlock(&a->lock);

	char csrf[65];
	auth_random_hex(cookie, 32);
	auth_random_hex(csrf, 32);
	struct login_tx t = { .user_id = u.id, .csrf = csrf, .ip = ip, .user_agent = user_agent,
	                      .ip_json = json_text_str(ar, ip), .now = now };
	auth_token_hash(cookie, t.hash);
	enum vk_rc rc = store_write(a->store, login_write, &t);
	if (rc != VK_OK)
		return vk_fail(err, rc, NULL, "could not create the session");
	principal_from_user(p, &u, c, ar);
	p->session_id = t.session_id;
	p->csrf = arena_strdup(ar, csrf);
	return VK_OK;
}

static bool hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

struct touch { int64_t id, now; bool token; };

static enum vk_rc touch_write(struct conn *c, void *ctx)
{
	struct touch *t = ctx;
	return t->token ? store_token_touch(c, t->id, t->now) : store_session_touch(c, t->id, t->now);
}

/* Last-seen decides idle expiry, so a session's touch is durable before the request goes on;
 * it is written at most once a minute per session, so this costs little. A token's last use is
 * only shown to admins and is written without waiting. */
static void touch(struct auth *a, int64_t id, bool token, int64_t now)
{
	struct touch *t = xmalloc(sizeof *t);
	*t = (struct touch){ id, now, token };
	if (token) {
		store_write_async(a->store, touch_write, t, free);
	} else {
		store_write(a->store, touch_write, t);
		free(t);
	}
}

/* Idle and age limits, and last-seen bookkeeping, for a session resolved either way. */
static enum vk_rc session_live(struct auth *a, const unsigned char hash[32], int64_t id, int64_t created_at,
                               int64_t last_seen_at)
{
	int64_t now = clock_now_ms();
	if (now - last_seen_at > a->cfg->session_idle_minutes * 60000 ||
	    now - created_at > a->cfg->session_max_hours * 3600000)
		return VK_EAUTH;
	if (now - last_seen_at > 60000) {
		touch(a, id, false, now);
		pcache_seen(a, hash, now);
	}
	return VK_OK;
}

enum vk_rc auth_session(struct auth *a, const char *cookie, struct arena *ar, struct principal *p)
{
	if (!hex64(cookie))
		return VK_EAUTH;
	unsigned char h[32];
	auth_token_hash(cookie, h);
	int64_t created_at, last_seen_at;
	if (pcache_get(a, h, false, ar, p, &created_at, &last_seen_at))
		return session_live(a, h, p->session_id, created_at, last_seen_at);
	struct conn *c = store_reader(a->store);
	/* the epoch is read before the rows: a change committed in between moves it past this one,
	 * so what is cached below can only be too old for an epoch that is already gone */
	bool cacheable = !store_in_read_tx(c);
	uint64_t epoch = store_auth_epoch(a->store);
	struct session_row s;
	if (store_session_find(c, h, ar, &s) != VK_OK || s.revoked)
		return VK_EAUTH;
	struct user u;
	if (store_user_get(c, s.user_id, ar, &u) != VK_OK || !u.active)
		return VK_EAUTH;
	principal_from_user(p, &u, c, ar);
	p->session_id = s.id;
	p->csrf = s.csrf;
	if (cacheable)
		pcache_put(a, h, false, epoch, s.created_at, s.last_seen_at, p);
	return session_live(a, h, s.id, s.created_at, s.last_seen_at);
}

enum vk_rc auth_bearer(struct auth *a, const char *token, struct arena *ar, struct principal *p)
{
	if (!token || strncmp(token, "vk_", 3) != 0 || strlen(token) > 128)
		return VK_EAUTH;
	unsigned char h[32];
	auth_token_hash(token, h);
	int64_t unused, last_used_at;
	if (!pcache_get(a, h, true, ar, p, &unused, &last_used_at)) {
		struct conn *c = store_reader(a->store);
		bool cacheable = !store_in_read_tx(c);
		uint64_t epoch = store_auth_epoch(a->store);
		struct token_row t;
		if (store_token_find(c, h, ar, &t) != VK_OK || t.revoked)
			return VK_EAUTH;
		struct role r;
		if (store_role_get(c, t.role_id, ar, &r) != VK_OK)
			return VK_EAUTH;
		memset(p, 0, sizeof *p);
		p->user_id = t.created_by;
		p->role_id = r.id;
		p->role_key = r.key;
		p->role_name = r.name;
		p->caps = r.caps;
		p->n_caps = r.n_caps;
		p->token_id = t.id;
		p->token_name = t.name;
		p->name = arena_printf(ar, "token: %s", t.name);
		p->login = "";
		last_used_at = t.last_used_at;
		if (cacheable)
			pcache_put(a, h, true, epoch, 0, last_used_at, p);
	}
	int64_t now = clock_now_ms();
	if (now - last_used_at > 60000) {
		touch(a, p->token_id, true, now);
		pcache_seen(a, h, now);
	}
	return VK_OK;
}

struct logout_tx { int64_t session_id, user_id, now; };

static enum vk_rc logout_write(struct conn *c, void *ctx)
{
	struct logout_tx *t = ctx;
	enum vk_rc rc = store_session_revoke(c, t->session_id, t->now);
	if (rc != VK_OK)
		return rc;
	struct event e = { .entity = "user", .entity_id = t->user_id, .actor_id = t->user_id,
	                   .kind = "logout", .at = t->now };
	return event_add(c, &e);
}

enum vk_rc auth_logout(struct auth *a, const struct principal *p)
{
	if (!p->session_id)
		return VK_OK;
	struct logout_tx t = { p->session_id, p->user_id, clock_now_ms() };
	return store_write(a->store, logout_write, &t);
}

bool auth_csrf_ok(const struct principal *p, const char *header_value)
{
	if (!p->session_id)
		return true; /* bearer tokens are not sent by browsers on their own */
	if (!header_value || !p->csrf || strlen(header_value) != strlen(p->csrf))
		return false;
	return sodium_memcmp(header_value, p->csrf, strlen(p->csrf)) == 0;
}

static enum scope_kind scope_kind_of(const char *s)
{
	return !s ? SCOPE_NONE : !strcmp(s, "all") ? SCOPE_ALL : !strcmp(s, "team") ? SCOPE_TEAM
	     : !strcmp(s, "own") ? SCOPE_OWN : SCOPE_NONE;
}

enum vk_rc auth_scope(struct conn *c, const struct principal *p, const char *entity,
                      const char *action, struct scope *out)
{
	memset(out, 0, sizeof *out);
	out->user_id = p->user_id;
	out->role_id = p->role_id;
	if (auth_all(p)) {
		out->kind = SCOPE_ALL;
		out->role_id = -1;
		return VK_OK;
	}
	struct arena *a = arena_new(256);
	const char *s = store_role_scope(c, p->role_id, entity, action, a);
	out->kind = scope_kind_of(s);
	/* "linked": nothing to list, but the contact or company of a deal the role may read opens
	 * by id — a master needs the client's phone and address, not the client base */
	if (s && !strcmp(s, "linked") && !strcmp(action, "read") && strcmp(entity, "deal") != 0) {
		const char *d = store_role_scope(c, p->role_id, "deal", "read", a);
		out->linked = true;
		out->deal_kind = scope_kind_of(d);
	}
	arena_free(a);
	if (out->kind == SCOPE_TEAM || out->deal_kind == SCOPE_TEAM)
		out->team_id = store_user_team(c, p->user_id);
	/* a token's "own" records are those of the user who created it */
	if ((out->kind == SCOPE_OWN || out->kind == SCOPE_TEAM) && out->user_id <= 0)
		out->kind = SCOPE_NONE;
	if ((out->deal_kind == SCOPE_OWN || out->deal_kind == SCOPE_TEAM) && out->user_id <= 0)
		out->linked = false;
	if (out->linked && out->deal_kind == SCOPE_NONE)
		out->linked = false;
	/* Where no pipeline is kept from the role (most companies) the store need not test each
	 * record's pipeline: that test read the table for every row a count or a sort touched,
	 * where an index alone would do. */
	if (out->kind != SCOPE_NONE && store_role_sees_every_pipeline(c, out->role_id))
		out->role_id = -1;
	return VK_OK;
}

enum vk_rc auth_principal_of(struct conn *c, int64_t user_id, struct arena *a, struct principal *p)
{
	struct user u;
	if (store_user_get(c, user_id, a, &u) != VK_OK || !u.active)
		return VK_ENOTFOUND;
	principal_from_user(p, &u, c, a);
	return VK_OK;
}

bool auth_field_hidden(struct conn *c, const struct principal *p, const char *entity, const char *field,
                       struct arena *a)
{
	const char **keys;
	int n;
	if (auth_all(p))
		return false;
	store_hidden_fields(c, p->role_id, entity, a, &keys, &n);
	for (int i = 0; i < n; i++)
		if (!strcmp(keys[i], field))
			return true;
	return false;
}
