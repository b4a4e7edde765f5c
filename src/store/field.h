/* Tables fields (custom field definitions), lists and list_items (value lists a business owner
 * edits himself: districts, city blacklists, categories). */
#ifndef VK_STORE_FIELD_H
#define VK_STORE_FIELD_H
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/db.h"

struct field_row {
	int64_t id;
	const char *entity, *key, *label, *type;
	const char *options;  /* JSON array of allowed values for select/multiselect */
	const char *list_key; /* or the values of this list */
	bool required;
	int sort;
};

struct list_item { const char *value, *label; };
struct value_list {
	int64_t id;
	const char *key, *name;
	struct list_item *items;
	int n_items;
};

enum vk_rc store_field_list(struct conn *c, const char *entity, struct arena *a, struct field_row **items, int *n);
enum vk_rc store_field_get(struct conn *c, int64_t id, struct arena *a, struct field_row *out);
enum vk_rc store_field_insert(struct conn *c, const struct field_row *f, int64_t now, int64_t *id);
enum vk_rc store_field_update(struct conn *c, const struct field_row *f);
enum vk_rc store_field_delete(struct conn *c, int64_t id);
/* The expression index that makes filters and sorts on a custom field fast. */
/* Remove the field's values from every record of table (before its index is dropped). */
enum vk_rc store_field_clear(struct conn *c, const char *table, const char *key);
enum vk_rc store_field_index(struct conn *c, const char *table, const char *key, bool create);

enum vk_rc store_list_all(struct conn *c, struct arena *a, struct value_list **items, int *n);
enum vk_rc store_list_by_key(struct conn *c, const char *key, struct arena *a, struct value_list *out);
enum vk_rc store_list_put(struct conn *c, const char *key, const char *name, int64_t now, int64_t *id);
enum vk_rc store_list_items_replace(struct conn *c, int64_t list_id, const struct list_item *items, int n);
enum vk_rc store_list_delete(struct conn *c, int64_t id);
bool store_list_has(struct conn *c, const char *list_key, const char *value);
#endif
