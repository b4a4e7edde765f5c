/* The HTTP layer: libmicrohttpd underneath, a routing table on top. Handlers are thin: parse
 * (the request's arena and JSON body are ready), call a domain function, reply. Only this
 * layer maps vk_rc codes to HTTP statuses. */
#ifndef VK_HTTP_H
#define VK_HTTP_H
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/rc.h"
#include "store/db.h"

struct server;
struct req;

typedef void (*handler_fn)(struct req *r);

enum route_flags {
	R_AUTH = 1 << 0,      /* a session or bearer token is required */
	R_JSON = 1 << 1,      /* the body must be a JSON object; r->json holds it */
	R_TEST_ONLY = 1 << 2, /* exists only with --test-clock */
	R_METRICS = 1 << 3,   /* exists only with metrics = true */
};

struct route {
	const char *method;
	const char *pattern;     /* "/api/users/:id" */
	handler_fn handler;
	unsigned flags;
	const char *capability;  /* required capability, or NULL */
};

/* Every module's table ends with { NULL }. */
extern const struct route api_core_routes[], api_auth_routes[], api_users_routes[],
	api_records_routes[], api_activity_routes[], api_fields_routes[], api_products_routes[],
	api_transfer_routes[], api_teams_routes[], api_telephony_routes[];

#define REQ_MAX_PARAMS 4

struct req {
	struct server *srv;
	struct arena *arena;
	const char *method, *path, *ip;
	const struct route *route;
	const char *params[REQ_MAX_PARAMS];
	int n_params;
	json_t *json;                /* parsed body for R_JSON routes; owned by the request */
	struct principal *user;      /* NULL unless authenticated */
	bool secure;                 /* came over HTTPS via a trusted proxy */
};

/* Match path against pattern ("/api/users/:id"); with r, fills r->params from r->arena. */
bool route_match(const char *pattern, const char *path, struct req *r);

/* Server-wide objects handlers may use. */
struct store *req_store(struct req *r);
struct auth *req_auth(struct req *r);
const struct config *req_config(struct req *r);

const char *req_header(struct req *r, const char *name);
const char *req_query(struct req *r, const char *name);
const char *req_cookie(struct req *r, const char *name);
/* The raw body (NUL-terminated; "" when none) for routes that take something other than JSON. */
const char *req_body(struct req *r, size_t *len);
/* Call cb for each URL query argument in order; returns how many there were. */
int req_query_each(struct req *r, void (*cb)(void *ctx, const char *key, const char *value), void *ctx);
/* Route parameter i as a positive id; false (and a 404 reply) if it is not one. */
bool req_param_id(struct req *r, int i, int64_t *id);
/* limit= and cursor= of list endpoints; false (and a 400 reply) on bad values. */
bool req_list_args(struct req *r, int *limit, int64_t *cursor);

/* Replies. reply_json takes ownership of body (decref'd). */
void reply_json(struct req *r, int status, json_t *body);
/* A body already written as JSON text; takes ownership of b's data (b is left empty). */
struct buf;
void reply_json_text(struct req *r, int status, struct buf *b);
void reply_status(struct req *r, int status);                  /* empty body, e.g. 204 */
void reply_error(struct req *r, enum vk_rc rc, const struct vk_err *err);
void reply_error_msg(struct req *r, int status, const char *code, const char *field, const char *msg);
/* Hand a ready libmicrohttpd response to the request (static files, metrics). */
struct MHD_Response;
void http_set_response(struct req *r, int status, struct MHD_Response *resp);
struct MHD_Connection;
struct MHD_Connection *http_connection(struct req *r);
void reply_header(struct req *r, const char *name, const char *value); /* after a reply_* */
/* {"items":[…],"next":…}; takes ownership of items; next 0 = null */
void reply_list(struct req *r, json_t *items, int64_t next);

/* Lifecycle */
struct server *server_new(const struct config *cfg, struct store *s, struct auth *a,
                          struct vk_err *err);
unsigned server_port(struct server *srv);
/* Reminder ticker and live events; call once serving has started. */
void server_start_background(struct server *srv);
/* Stop accepting, wait up to grace_s for in-flight requests, then stop. */
void server_shutdown(struct server *srv, int grace_s);
void server_free(struct server *srv);
/* "METHOD /pattern" per line, every route of every table ("test-only" after those that exist
 * only with --test-clock): what tests/api/routes.test.mjs holds docs/api.md against. */
void server_print_routes(FILE *out);

/* Record routes (api_records.c), shared with import/export: "/api/deals/12" → the deal
 * entity; the URL's query arguments as list arguments (-1 if more than cap). */
struct entity;
struct query_arg;
const struct entity *entity_of(struct req *r);
int query_args(struct req *r, int cap, struct query_arg **items);

/* Static files: built-in assets (tools/mkbuiltin) or a live --web directory. */
bool static_serve(struct req *r);
/* Prometheus text */
void metrics_render(struct server *srv, struct req *r);
#endif
