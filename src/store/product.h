/* Tables products (the catalogue of goods and services) and deal_items (what an order holds). */
#ifndef VK_STORE_PRODUCT_H
#define VK_STORE_PRODUCT_H
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"

struct product {
	int64_t id, price, created_at, updated_at;
	const char *code, *name, *unit, *currency;
	bool active;
};

struct deal_item {
	int64_t id, product_id, qty_milli, price, amount;
	const char *name, *unit, *code;
};

enum vk_rc store_product_get(struct conn *c, int64_t id, struct arena *a, struct product *out);
enum vk_rc store_product_list(struct conn *c, const char *q, int active, int64_t after_id, int limit,
                              struct arena *a, struct product **items, int *n);
enum vk_rc store_product_insert(struct conn *c, const struct product *p, int64_t now, int64_t *id);
enum vk_rc store_product_update(struct conn *c, const struct product *p, int64_t now);

enum vk_rc store_deal_items(struct conn *c, int64_t deal_id, struct arena *a, struct deal_item **items, int *n);
bool store_deal_has_items(struct conn *c, int64_t deal_id);
enum vk_rc store_deal_items_replace(struct conn *c, int64_t deal_id, const struct deal_item *items, int n);
#endif
