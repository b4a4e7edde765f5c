/* Request-body JSON on top of jansson: parse with limits, read typed fields with errors a user
 * can act on ("name must be a string of 1-200 characters"). */
#ifndef VK_JSON_H
#define VK_JSON_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rc.h"

/* Parse body as a JSON object. On failure returns VK_EINVAL with err->code "bad_json".
 * The caller owns *out (json_decref). */
enum vk_rc json_parse_object(const char *body, size_t len, json_t **out, struct vk_err *err);

/* Refuse keys not in the NULL-terminated list (typos must not be silently ignored). */
enum vk_rc json_only_keys(json_t *obj, const char *const *allowed, struct vk_err *err);

/* Typed getters. Absent optional field: VK_OK and *out untouched, *present=false.
 * min/max count characters (UTF-8 code points). The string stays owned by obj. */
enum vk_rc json_get_str(json_t *obj, const char *key, bool required, size_t min, size_t max,
                        const char **out, struct vk_err *err);
enum vk_rc json_get_bool(json_t *obj, const char *key, bool required, bool *out, bool *present,
                         struct vk_err *err);
enum vk_rc json_get_int(json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                        int64_t *out, bool *present, struct vk_err *err);

size_t utf8_chars(const char *s);

/* s as JSON text ("\"Ivan\"") in the arena; NULL stays NULL. Timeline values are JSON text. */
#include "core/arena.h"
const char *json_text_str(struct arena *a, const char *s);
#endif
