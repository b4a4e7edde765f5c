/* Custom fields: typed definitions per entity (changed from the settings screen) and the
 * validation of the values records carry under "custom". Value lists live here too. */
#ifndef VK_CRM_FIELD_H
#define VK_CRM_FIELD_H
#include <jansson.h>

#include "auth/auth.h"
#include "store/field.h"
#include "store/schema.h"

bool field_type_valid(const char *type);
/* Does a custom value of this type make sense to filter and sort by (gets an index)? */
bool field_type_indexed(const char *type);

enum vk_rc field_create(struct store *s, const struct principal *p, json_t *in, struct arena *a,
                        struct field_row *out, struct vk_err *err);
enum vk_rc field_update(struct store *s, const struct principal *p, int64_t id, json_t *in, struct arena *a,
                        struct field_row *out, struct vk_err *err);
enum vk_rc field_delete(struct store *s, const struct principal *p, int64_t id, struct vk_err *err);

/* Merge the "custom" object of a request into the record's current values (JSON text or
 * NULL), validating each against its definition; *out is the new JSON text (NULL if empty).
 * creating: required fields must be present. */
enum vk_rc custom_apply(struct conn *c, const struct entity *e, json_t *in, const char *current, bool creating,
                        const char *country, struct arena *a, const char **out, struct vk_err *err);
/* Is key set (non-empty) in the custom JSON text? */
bool custom_has(const char *json_text, const char *key);
/* Values to put into the full-text index (text-like fields), space separated. */
const char *custom_search_text(struct conn *c, const struct entity *e, const char *json_text, struct arena *a);

enum vk_rc list_put(struct store *s, const struct principal *p, const char *key, json_t *in, struct arena *a,
                    struct value_list *out, struct vk_err *err);
enum vk_rc list_delete(struct store *s, const struct principal *p, const char *key, struct vk_err *err);
#endif
