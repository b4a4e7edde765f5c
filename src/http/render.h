/* JSON shapes of the API's objects (docs/api.md). */
#ifndef VK_RENDER_H
#define VK_RENDER_H
#include <jansson.h>

#include "auth/auth.h"
#include "store/auth.h"
#include "store/event.h"

json_t *render_user(const struct user *u);
json_t *render_me(const struct principal *p, struct conn *c, struct arena *a);
json_t *render_role(const struct role *r);
json_t *render_token(const struct token_row *t);
json_t *render_event(const struct event *e);
struct record;
/* hidden: field keys ("amount", "custom.purchase_price") the reader's role may not see */
json_t *render_record(const struct record *r, const char *const *hidden, int n_hidden);
/* The same object as compact JSON text appended to b (what json_dumps of render_record gives,
 * without building it); false when b's cap was reached. */
struct buf;
bool render_record_text(struct buf *b, const struct record *r, const char *const *hidden, int n_hidden);
/* s as a JSON string (jansson's escaping; null when s is NULL or not UTF-8), appended to b. */
void render_text_str(struct buf *b, const char *s);
/* A deal's line items as the API shows them; without `prices` (a role that may not see the
 * deal's amount) the lines carry no price and no amount. */
json_t *render_deal_items(struct conn *c, int64_t deal_id, bool prices, struct arena *a);
#endif
