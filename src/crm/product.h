/* The product and service catalogue, and the line items of deals (orders) that price a deal. */
#ifndef VK_CRM_PRODUCT_H
#define VK_CRM_PRODUCT_H
#include <jansson.h>

#include "auth/auth.h"
#include "store/product.h"

enum vk_rc product_create(struct store *s, const struct principal *p, json_t *in, struct arena *a,
                          struct product *out, struct vk_err *err);
enum vk_rc product_update(struct store *s, const struct principal *p, int64_t id, json_t *in, struct arena *a,
                          struct product *out, struct vk_err *err);

/* Replace a deal's items ([{product_id?, name?, unit?, qty, price?}]); the deal's amount becomes
 * their sum. version is the deal version the user edited (stale → VK_ECONFLICT). */
enum vk_rc deal_items_set(struct store *s, const struct principal *p, int64_t deal_id, int64_t version,
                          json_t *items, struct arena *a, struct vk_err *err);
#endif
