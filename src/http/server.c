/* Request lifecycle on libmicrohttpd: accept headers, stream the body into a capped buffer,
 * route, authenticate, run the handler, log and count. See ../shared/notes/performance.md for
 * why the first call only returns MHD_YES (keep-alive). */
#include "http/http.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "crm/activity.h"
#include "http/events.h"
#include "http/metrics.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_HEADERS 100
#define MAX_HEADER_BYTES (16 * 1024)
#define MAX_URL_BYTES (4 * 1024)
/* libmicrohttpd answers requests that overflow a connection's memory with its own HTML page,
 * so our limits above must trip first; but it also zeroes that memory (and half of it again)
 * between keep-alive requests, so more costs every request (bench: 256 KiB made /api/health 30%
 * dearer; 64 → 48 KiB took 24 KiB of memset off each request). 40 KiB is too little for a
 * 16 KiB header to reach our own 431. */
#define CONNECTION_MEMORY (48 * 1024)

#define ROUTE_BUCKETS 64

struct server {
	const struct config *cfg;
	struct store *store;
	struct auth *auth;
	struct MHD_Daemon *daemon;
	const struct route **routes;
	size_t *literal; /* per route: the length of its pattern before the first ":" */
	int n_routes;
	/* route indexes by the hash of their first two segments ("/api/contacts"), in table
	 * order; a route with a parameter there is in every bucket */
	int *bucket[ROUTE_BUCKETS];
	int n_bucket[ROUTE_BUCKETS];
	_Atomic int in_flight;
	struct metrics metrics;
	unsigned port;
	pthread_t ticker;
	_Atomic bool stopping;
	bool ticker_started;
};

/* The request as this file sees it; handlers see only the embedded struct req. */
struct rstate {
	struct req r;
	struct MHD_Connection *conn;
	struct buf body;
	bool too_large, queued;
	int status;
	struct MHD_Response *resp;
	int64_t start_us;
	int metric_route;
};

#define STATE(req) ((struct rstate *)(void *)(req))

struct store *req_store(struct req *r) { return r->srv->store; }
struct MHD_Connection *http_connection(struct req *r) { return STATE(r)->conn; }
struct auth *req_auth(struct req *r) { return r->srv->auth; }
const struct config *req_config(struct req *r) { return r->srv->cfg; }

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(STATE(r)->conn, MHD_HEADER_KIND, name);
}

const char *req_query(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(STATE(r)->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_cookie(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(STATE(r)->conn, MHD_COOKIE_KIND, name);
}

const char *req_body(struct req *r, size_t *len)
{
	*len = STATE(r)->body.len;
	return STATE(r)->body.data ? STATE(r)->body.data : "";
}

static bool parse_id(const char *s, int64_t *out)
{
	if (!s || !*s || strlen(s) > 18)
		return false;
	int64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v <= 0)
		return false;
	*out = v;
	return true;
}

struct each_ctx { void (*cb)(void *, const char *, const char *); void *ctx; };

static enum MHD_Result each_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct each_ctx *e = cls;
	e->cb(e->ctx, key, value ? value : "");
	return MHD_YES;
}

int req_query_each(struct req *r, void (*cb)(void *ctx, const char *key, const char *value), void *ctx)
{
	struct each_ctx e = { cb, ctx };
	return MHD_get_connection_values(STATE(r)->conn, MHD_GET_ARGUMENT_KIND, each_arg, &e);
}

bool req_param_id(struct req *r, int i, int64_t *id)
{
	if (i < r->n_params && parse_id(r->params[i], id))
		return true;
	reply_error_msg(r, 404, "not_found", NULL, "no such record");
	return false;
}

bool req_list_args(struct req *r, int *limit, int64_t *cursor)
{
	const char *l = req_query(r, "limit"), *c = req_query(r, "cursor");
	int64_t v;
	*limit = 50;
	*cursor = 0;
	if (l) {
		if (!parse_id(l, &v) || v > 200) {
			reply_error_msg(r, 400, "invalid", "limit", "limit must be an integer from 1 to 200");
			return false;
		}
		*limit = (int)v;
	}
	if (c && *c) {
		if (!parse_id(c, &v)) {
			reply_error_msg(r, 400, "invalid", "cursor", "cursor is not one this server gave out");
			return false;
		}
		*cursor = v;
	}
	return true;
}

/* ---- replies ---- */

void http_set_response(struct req *r, int status, struct MHD_Response *resp)
{
	struct rstate *st = STATE(r);
	if (st->resp)
		MHD_destroy_response(st->resp); /* a later reply wins; should not happen */
	st->resp = resp;
	st->status = status;
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
}

void reply_json(struct req *r, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text)
		abort(); /* jansson only fails to dump on out-of-memory */
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	http_set_response(r, status, resp);
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
}

void reply_json_text(struct req *r, int status, struct buf *b)
{
	if (!b->data && !buf_puts(b, "null"))
		abort();
	struct MHD_Response *resp = MHD_create_response_from_buffer(b->len, b->data, MHD_RESPMEM_MUST_FREE);
	b->data = NULL;
	b->len = b->cap = 0;
	http_set_response(r, status, resp);
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
}

void reply_status(struct req *r, int status)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	http_set_response(r, status, resp);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
}

void reply_header(struct req *r, const char *name, const char *value)
{
	if (STATE(r)->resp)
		MHD_add_response_header(STATE(r)->resp, name, value);
}

void reply_error_msg(struct req *r, int status, const char *code, const char *field, const char *msg)
{
	json_t *e = json_pack("{s:s, s:s}", "code", code, "message", msg);
	if (field)
		json_object_set_new(e, "field", json_string(field));
	reply_json(r, status, json_pack("{s:o}", "error", e));
}

void reply_error(struct req *r, enum vk_rc rc, const struct vk_err *err)
{
	int status;
	const char *msg = err && err->message[0] ? err->message : NULL;
	switch (rc) {
	case VK_EINVAL: status = 400; break;
	case VK_EMISSING: status = 400; break;
	case VK_ENOTFOUND: status = 404; msg = msg ? msg : "no such record"; break;
	case VK_EFORBIDDEN: status = 403; msg = msg ? msg : "you may not do this"; break;
	case VK_ECONFLICT: status = 409; break;
	case VK_EUNPROC: status = 422; break;
	case VK_EAUTH: status = 401; msg = msg ? msg : "sign in first"; break;
	case VK_ETHROTTLED: status = 429; break;
	case VK_EUPSTREAM: status = 502; break;
	case VK_OK:
	case VK_EIO:
	default:
		status = 500;
		log_error("msg=\"internal error\" path=%s detail=\"%s\"", r->path, msg ? msg : "");
		msg = "internal error; the administrator can find details in the server log";
		err = NULL;
		break;
	}
	const char *code = err && err->code ? err->code : vk_rc_name(rc);
	if (status == 500)
		code = "internal";
	reply_error_msg(r, status, code, err ? err->field : NULL, msg ? msg : vk_rc_name(rc));
}

void reply_list(struct req *r, json_t *items, int64_t next)
{
	json_t *body = json_pack("{s:o}", "items", items);
	json_object_set_new(body, "next", next ? json_string(arena_printf(r->arena, "%lld", (long long)next))
	                                       : json_null());
	reply_json(r, 200, body);
}

/* ---- routing ---- */

bool route_match(const char *pattern, const char *path, struct req *r)
{
	int n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return false;
		p++, s++;
		const char *pe = strchr(p, '/'), *se = strchr(s, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p), sl = se ? (size_t)(se - s) : strlen(s);
		if (*p == ':') {
			if (sl == 0 || n == REQ_MAX_PARAMS)
				return false;
			if (r)
				r->params[n] = arena_strndup(r->arena, s, sl);
			n++;
		} else if (pl != sl || strncmp(p, s, pl) != 0) {
			return false;
		}
		p += pl, s += sl;
	}
	if (*p || *s)
		return false;
	if (r)
		r->n_params = n;
	return true;
}

static bool route_enabled(const struct server *srv, const struct route *rt)
{
	if ((rt->flags & R_TEST_ONLY) && !srv->cfg->test_clock)
		return false;
	if ((rt->flags & R_METRICS) && !srv->cfg->metrics)
		return false;
	return true;
}

/* Index of the route for method+path, or -1; allow lists the methods the path does have. */
/* The hash of a path's first two segments ("/api/telephony" of "/api/telephony/lookup"),
 * or -1 when they hold a route parameter. */
static int bucket_of(const char *path)
{
	size_t n = 1 + strcspn(path + 1, "/");
	if (path[n] == '/')
		n += 1 + strcspn(path + n + 1, "/");
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		if (path[i] == ':')
			return -1;
		h = (h ^ (unsigned char)path[i]) * 16777619u;
	}
	return (int)(h % ROUTE_BUCKETS);
}

/* Index of the route for method+path, or -1; allow lists the methods the path does have.
 * Only the routes of the path's bucket are tried, in table order: a route elsewhere differs
 * from the path in its first two segments, which are literal. */
static int find_route(struct server *srv, struct req *r, char *allow, size_t allow_size)
{
	const char *method = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
	allow[0] = '\0';
	int b = bucket_of(r->path), n = b < 0 ? srv->n_routes : srv->n_bucket[b];
	for (int k = 0; k < n; k++) {
		int i = b < 0 ? k : srv->bucket[b][k]; /* a ':' in the path itself: try them all */
		const struct route *rt = srv->routes[i];
		/* most routes differ from the path in their literal start: a memcmp, not a parse */
		if (strncmp(rt->pattern, r->path, srv->literal[i]) != 0)
			continue;
		if (!route_enabled(srv, rt) || !route_match(rt->pattern, r->path, NULL))
			continue;
		if (strcmp(rt->method, method) == 0) {
			route_match(rt->pattern, r->path, r);
			return i;
		}
		if (!strstr(allow, rt->method)) {
			if (allow[0])
				strncat(allow, ", ", allow_size - strlen(allow) - 1);
			strncat(allow, rt->method, allow_size - strlen(allow) - 1);
		}
	}
	return -1;
}

static bool is_json_content_type(const char *ct)
{
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, "application/json", 16) == 0 && (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
}

static bool authenticate(struct req *r)
{
	struct principal *p = arena_alloc(r->arena, sizeof *p);
	const char *authz = req_header(r, "Authorization");
	enum vk_rc rc = VK_EAUTH;
	bool by_cookie = false;
	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7) == 0)
			rc = auth_bearer(r->srv->auth, authz + 7, r->arena, p);
	} else {
		const char *cookie = req_cookie(r, "vk_session");
		if (cookie) {
			by_cookie = true;
			rc = auth_session(r->srv->auth, cookie, r->arena, p);
		}
	}
	if (rc != VK_OK) {
		reply_error_msg(r, 401, "unauthorized", NULL,
		                authz || by_cookie ? "your session has expired or was revoked; sign in again"
		                                   : "sign in first");
		return false;
	}
	r->user = p;
	bool safe = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
	if (!safe && !auth_csrf_ok(p, req_header(r, "X-CSRF-Token"))) {
		reply_error_msg(r, 403, "csrf", NULL,
		                "missing or wrong X-CSRF-Token header; reload the page and try again");
		return false;
	}
	return true;
}

static void dispatch(struct rstate *st)
{
	struct req *r = &st->r;
	struct server *srv = r->srv;
	char allow[64];
	int i = find_route(srv, r, allow, sizeof allow);
	if (i < 0) {
		st->metric_route = METRIC_ROUTE_UNMATCHED;
		if (allow[0]) {
			reply_error_msg(r, 405, "method_not_allowed", NULL, "this method is not allowed here");
			reply_header(r, "Allow", allow);
		} else if ((!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) &&
		           strncmp(r->path, "/api/", 5) != 0 && strcmp(r->path, "/api") != 0) {
			st->metric_route = METRIC_ROUTE_STATIC;
			static_serve(r);
		} else {
			reply_error_msg(r, 404, "not_found", NULL, "no such API endpoint");
		}
		return;
	}
	const struct route *rt = srv->routes[i];
	r->route = rt;
	st->metric_route = i;
	if (st->too_large) {
		reply_error_msg(r, 413, "too_large", NULL, "the request body is too large");
		return;
	}
	if ((rt->flags & R_AUTH) && !authenticate(r))
		return;
	if (rt->capability && !auth_can(r->user, rt->capability)) {
		reply_error_msg(r, 403, "forbidden", NULL, "your role does not allow this");
		return;
	}
	if (rt->flags & R_JSON) {
		if (!is_json_content_type(req_header(r, "Content-Type"))) {
			reply_error_msg(r, 415, "unsupported_media_type", NULL,
			                "send the body as JSON with Content-Type: application/json");
			return;
		}
		struct vk_err err = { 0 };
		if (json_parse_object(st->body.data, st->body.len, &r->json, &err) != VK_OK) {
			reply_error(r, VK_EINVAL, &err);
			return;
		}
	}
	rt->handler(r);
	if (!st->resp) {
		log_error("msg=\"handler did not reply\" route=\"%s %s\"", rt->method, rt->pattern);
		reply_error(r, VK_EIO, NULL);
	}
}

/* ---- libmicrohttpd callbacks ---- */

/* Per TCP connection, from accept to close: the peer's address as text, formatted once for
 * all the requests of a keep-alive connection. */
struct conn_ctx {
	char ip[INET6_ADDRSTRLEN];
};

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		free(*socket_context);
		*socket_context = NULL;
		return;
	}
	struct conn_ctx *cc = xcalloc(1, sizeof *cc);
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, cc->ip, sizeof cc->ip);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, cc->ip, sizeof cc->ip);
	}
	*socket_context = cc;
}

static const char *client_ip(struct server *srv, struct MHD_Connection *conn, struct arena *a,
                             bool *secure)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	const struct conn_ctx *cc = ci ? ci->socket_context : NULL;
	const char *ip = cc ? cc->ip : "";
	*secure = false;
	/* Believe X-Forwarded-For only from a proxy we were told to trust; take its last hop. */
	const char *list = srv->cfg->trusted_proxies;
	size_t n = strlen(ip);
	bool trusted = false;
	for (const char *p = list; n && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		while (len && *p == ' ')
			p++, len--;
		if (len == n && strncmp(p, ip, n) == 0)
			trusted = true;
		p += len + (e ? 1 : 0);
	}
	if (trusted) {
		const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
		const char *proto = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
		*secure = proto && strcasecmp(proto, "https") == 0;
		if (xff && *xff) {
			const char *last = strrchr(xff, ',');
			last = last ? last + 1 : xff;
			while (*last == ' ')
				last++;
			if (strlen(last) < INET6_ADDRSTRLEN)
				return arena_strdup(a, last);
		}
	}
	return ip; /* lives as long as the connection, which outlives the request */
}

static enum MHD_Result count_header_bytes(void *cls, enum MHD_ValueKind kind, const char *key,
                                          const char *value)
{
	(void)kind;
	*(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

struct length_seen { const char *value; bool conflict; };

/* Header iterator: notes a second, different Content-Length, which is how request smuggling
 * starts. */
static enum MHD_Result one_content_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                          const char *value)
{
	(void)kind;
	struct length_seen *seen = cls;
	if (strcasecmp(key, "Content-Length") != 0)
		return MHD_YES;
	if (seen->value && strcmp(seen->value, value) != 0) {
		seen->conflict = true;
		return MHD_NO;
	}
	seen->value = value;
	return MHD_YES;
}

static enum MHD_Result queue(struct rstate *st)
{
	if (!st->resp)
		reply_error(&st->r, VK_EIO, NULL);
	st->queued = true;
	return MHD_queue_response(st->conn, (unsigned)st->status, st->resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct server *srv = cls;
	struct rstate *st = *con_cls;
	if (!st) {
		st = xcalloc(1, sizeof *st);
		st->start_us = clock_mono_us();
		st->conn = conn;
		st->metric_route = METRIC_ROUTE_UNMATCHED;
		st->r.srv = srv;
		st->r.arena = arena_new(8192);
		st->r.method = arena_strdup(st->r.arena, method);
		st->r.path = arena_strdup(st->r.arena, url);
		st->r.ip = client_ip(srv, conn, st->r.arena, &st->r.secure);
		buf_init(&st->body, (size_t)srv->cfg->max_body_kib * 1024);
		atomic_fetch_add(&srv->in_flight, 1);
		*con_cls = st;
		/* Refuse early what we will refuse anyway, before reading a body we would throw away. */
		size_t header_bytes = 0;
		int n_headers = MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header_bytes, &header_bytes);
		if (n_headers > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES) {
			reply_error_msg(&st->r, 431, "too_many_headers", NULL,
			                n_headers > MAX_HEADERS ? "too many request headers" : "request headers too large");
			return queue(st);
		}
		/* url has no query string: count its arguments too */
		size_t url_bytes = strlen(url);
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, count_header_bytes, &url_bytes);
		if (url_bytes > MAX_URL_BYTES) {
			reply_error_msg(&st->r, 414, "uri_too_long", NULL, "the request URL is too long");
			return queue(st);
		}
		struct length_seen seen = { NULL, false };
		MHD_get_connection_values(conn, MHD_HEADER_KIND, one_content_length, &seen);
		const char *cl = seen.value;
		if (seen.conflict) {
			reply_error_msg(&st->r, 400, "bad_request", NULL, "conflicting Content-Length headers");
			return queue(st);
		}
		/* A body somewhat over the limit is read and dropped so the client can read our 413
		 * (answering mid-upload makes many clients see a reset instead); a huge one is cut off. */
		unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
		if (declared > st->body.max)
			st->too_large = true;
		if (declared > (unsigned long long)st->body.max * 64) {
			reply_error_msg(&st->r, 413, "too_large", NULL, "the request body is too large");
			return queue(st);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!st->too_large && !buf_append(&st->body, upload_data, *upload_size)) {
			st->too_large = true;
			buf_release(&st->body);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (st->queued)
		return MHD_YES;
	/* one snapshot for the whole request: a caller-ID lookup ran ~8 statements, each taking
	 * and dropping the WAL read lock (~15% of its CPU) */
	store_read_begin(srv->store);
	dispatch(st);
	store_read_end(srv->store);
	return queue(st);
}

/* The access log line, "method=GET path=/api/me status=200 dur_ms=0.123 user=admin
 * ip=127.0.0.1", put together by hand: through printf it was a tenth of a small request. */
struct line { char *p, *end; };

static void put(struct line *l, const char *s, size_t n)
{
	if (n > (size_t)(l->end - l->p))
		n = (size_t)(l->end - l->p);
	memcpy(l->p, s, n);
	l->p += n;
}

static void put_str(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static void put_uint(struct line *l, uint64_t v, int min_digits)
{
	char d[24];
	int n = 0;
	do {
		d[sizeof d - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v || n < min_digits);
	put(l, d + sizeof d - n, (size_t)n);
}

static void access_line(const struct req *r, int status, int64_t us, bool aborted)
{
	char text[1024];
	struct line l = { text, text + sizeof text };
	put_str(&l, "method=");
	put_str(&l, r->method);
	put_str(&l, " path=");
	put_str(&l, r->path);
	put_str(&l, " status=");
	put_uint(&l, (uint64_t)(status < 0 ? 0 : status), 1);
	put_str(&l, " dur_ms=");
	put_uint(&l, (uint64_t)(us < 0 ? 0 : us) / 1000, 1);
	put_str(&l, ".");
	put_uint(&l, (uint64_t)(us < 0 ? 0 : us) % 1000, 3);
	put_str(&l, " user=");
	put_str(&l, r->user ? (r->user->token_id ? r->user->name : r->user->login) : "-");
	put_str(&l, " ip=");
	put_str(&l, r->ip);
	if (aborted)
		put_str(&l, " aborted=1");
	log_access(text, (size_t)(l.p - text));
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	struct server *srv = cls;
	struct rstate *st = *con_cls;
	if (!st)
		return;
	int64_t us = clock_mono_us() - st->start_us;
	struct req *r = &st->r;
	int status = st->queued ? st->status : 0;
	metrics_observe(&srv->metrics, st->metric_route, status, us);
	access_line(r, status, us, toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
	if (st->resp)
		MHD_destroy_response(st->resp);
	json_decref(r->json);
	buf_release(&st->body);
	arena_free(r->arena);
	free(st);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	for (char *p = msg; *p; p++)
		if (*p == '"')
			*p = '\'';
	log_msg(LOG_WARN, "msg=\"libmicrohttpd: %s\"", msg);
}

/* ---- lifecycle ---- */

static const struct route *const route_tables[] = { api_core_routes, api_auth_routes, api_users_routes,
	api_transfer_routes, api_records_routes, api_activity_routes, api_fields_routes, api_products_routes,
	api_teams_routes, api_telephony_routes };

void server_print_routes(FILE *out)
{
	for (size_t t = 0; t < sizeof route_tables / sizeof route_tables[0]; t++)
		for (const struct route *rt = route_tables[t]; rt->method; rt++)
			fprintf(out, "%s %s%s\n", rt->method, rt->pattern, rt->flags & R_TEST_ONLY ? " test-only" : "");
}

static void collect_routes(struct server *srv)
{
	const struct route *const *tables = route_tables;
	const size_t n_tables = sizeof route_tables / sizeof route_tables[0];
	int n = 0;
	for (size_t t = 0; t < n_tables; t++)
		for (const struct route *rt = tables[t]; rt->method; rt++)
			n++;
	srv->routes = xcalloc((size_t)n, sizeof *srv->routes);
	srv->literal = xcalloc((size_t)n, sizeof *srv->literal);
	for (size_t t = 0; t < n_tables; t++)
		for (const struct route *rt = tables[t]; rt->method; rt++) {
			srv->literal[srv->n_routes] = strcspn(rt->pattern, ":");
			srv->routes[srv->n_routes++] = rt;
		}
	for (int b = 0; b < ROUTE_BUCKETS; b++)
		srv->bucket[b] = xcalloc((size_t)n, sizeof *srv->bucket[b]);
	for (int i = 0; i < srv->n_routes; i++) {
		int b = bucket_of(srv->routes[i]->pattern);
		for (int k = 0; k < ROUTE_BUCKETS; k++)
			if (b < 0 || b == k)
				srv->bucket[k][srv->n_bucket[k]++] = i;
	}
}

static bool parse_listen(const char *listen, struct sockaddr_storage *ss, struct vk_err *err)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof host)
		goto bad;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535 || end == colon + 1)
		goto bad;
	memset(ss, 0, sizeof *ss);
	if (host[0] == '[') {
		size_t hl = strlen(host);
		if (hl < 3 || host[hl - 1] != ']')
			goto bad;
		host[hl - 1] = '\0';
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			goto bad;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &s4->sin_addr) != 1)
			goto bad;
	}
	return true;
bad:
	vk_fail(err, VK_EINVAL, "listen", "listen must be IPv4:PORT or [IPv6]:PORT, got \"%s\"", listen);
	return false;
}

struct server *server_new(const struct config *cfg, struct store *s, struct auth *a, struct vk_err *err)
{
	struct sockaddr_storage ss;
	if (!parse_listen(cfg->listen, &ss, err))
		return NULL;
	struct server *srv = xcalloc(1, sizeof *srv);
	srv->cfg = cfg;
	srv->store = s;
	srv->auth = a;
	collect_routes(srv);
	metrics_init(&srv->metrics, srv->routes, srv->n_routes);
	/* A request waiting for its group commit holds its thread, so the pool is larger than the
	 * CPU count: more writers can then share one fsync (bench: 2 threads gave 1.0 job/commit). */
	long threads = cfg->threads ? cfg->threads : 8 * sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                 MHD_ALLOW_SUSPEND_RESUME;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->client_timeout_s,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
		MHD_OPTION_END);
	if (!srv->daemon) {
		vk_fail(err, VK_EIO, "listen", "cannot listen on %s (address in use or not allowed?)", cfg->listen);
		free(srv->routes);
		free(srv->literal);
		for (int b = 0; b < ROUTE_BUCKETS; b++)
			free(srv->bucket[b]);
		metrics_release(&srv->metrics);
		free(srv);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : 0;
	return srv;
}

unsigned server_port(struct server *srv)
{
	return srv->port;
}

/* Once a second: reminders that fell due; every 15 s a heartbeat on open event streams. */
static void *ticker_main(void *arg)
{
	struct server *srv = arg;
	int seconds = 0;
	while (!atomic_load(&srv->stopping)) {
		activity_tick(srv->store, clock_now_ms());
		if (++seconds % 15 == 0)
			events_heartbeat();
		for (int i = 0; i < 10 && !atomic_load(&srv->stopping); i++) {
			usleep(100000);
			log_flush(); /* the access lines of the last 100 ms */
			store_release_idle(srv->store);
		}
	}
	return NULL;
}

static void sink(int64_t user_id, const char *json)
{
	events_publish(user_id, "notification", json);
}

void server_start_background(struct server *srv)
{
	events_init();
	activity_set_sink(sink);
	log_buffer_access(true);
	srv->ticker_started = pthread_create(&srv->ticker, NULL, ticker_main, srv) == 0;
}

void server_shutdown(struct server *srv, int grace_s)
{
	atomic_store(&srv->stopping, true);
	if (srv->ticker_started)
		pthread_join(srv->ticker, NULL);
	srv->ticker_started = false;
	activity_set_sink(NULL);
	events_close_all();
	MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	int64_t deadline = clock_mono_us() + (int64_t)grace_s * 1000000;
	while (atomic_load(&srv->in_flight) > 0 && clock_mono_us() < deadline)
		usleep(5000);
	int left = atomic_load(&srv->in_flight);
	if (left)
		log_warn("msg=\"shutdown grace over\" in_flight=%d", left);
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
	log_buffer_access(false);
}

void server_free(struct server *srv)
{
	if (!srv)
		return;
	if (srv->ticker_started) {
		atomic_store(&srv->stopping, true);
		pthread_join(srv->ticker, NULL);
	}
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	metrics_release(&srv->metrics);
	free(srv->routes);
	free(srv->literal);
	for (int b = 0; b < ROUTE_BUCKETS; b++)
		free(srv->bucket[b]);
	free(srv);
}

void metrics_render(struct server *srv, struct req *r)
{
	metrics_write(&srv->metrics, srv->store, atomic_load(&srv->in_flight), r);
}
