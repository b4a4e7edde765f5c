#include "core/json.h"

#include <stdlib.h>
#include <string.h>

enum vk_rc json_parse_object(const char *body, size_t len, json_t **out, struct vk_err *err)
{
	json_error_t jerr;
	*out = NULL;
	if (!body || len == 0) {
		vk_fail(err, VK_EINVAL, NULL, "request body is empty; a JSON object is expected");
		goto bad;
	}
	json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!v) {
		vk_fail(err, VK_EINVAL, NULL, "malformed JSON at line %d column %d: %s", jerr.line,
		        jerr.column, jerr.text);
		goto bad;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		vk_fail(err, VK_EINVAL, NULL, "a JSON object is expected");
		goto bad;
	}
	*out = v;
	return VK_OK;
bad:
	if (err)
		err->code = "bad_json";
	return VK_EINVAL;
}

enum vk_rc json_only_keys(json_t *obj, const char *const *allowed, struct vk_err *err)
{
	const char *key;
	json_t *value;
	json_object_foreach(obj, key, value) {
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, key) == 0) {
				ok = true;
				break;
			}
		if (!ok) {
			/* the key string is owned by obj, which outlives the error */
			return vk_fail(err, VK_EINVAL, key, "unknown field \"%.64s\"", key);
		}
	}
	return VK_OK;
}

size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

enum vk_rc json_get_str(json_t *obj, const char *key, bool required, size_t min, size_t max,
                        const char **out, struct vk_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			return vk_fail(err, VK_EMISSING, key, "%s is required", key);
		return VK_OK;
	}
	if (!json_is_string(v))
		return vk_fail(err, VK_EINVAL, key, "%s must be a string", key);
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return vk_fail(err, VK_EINVAL, key, "%s must not contain NUL characters", key);
	size_t n = utf8_chars(s);
	if (n < min || n > max)
		return vk_fail(err, VK_EINVAL, key, "%s must be %zu to %zu characters long", key, min, max);
	*out = s;
	return VK_OK;
}

enum vk_rc json_get_bool(json_t *obj, const char *key, bool required, bool *out, bool *present,
                         struct vk_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (present)
		*present = v != NULL;
	if (!v) {
		if (required)
			return vk_fail(err, VK_EMISSING, key, "%s is required", key);
		return VK_OK;
	}
	if (!json_is_boolean(v))
		return vk_fail(err, VK_EINVAL, key, "%s must be true or false", key);
	*out = json_is_true(v);
	return VK_OK;
}

enum vk_rc json_get_int(json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                        int64_t *out, bool *present, struct vk_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (present)
		*present = v != NULL;
	if (!v) {
		if (required)
			return vk_fail(err, VK_EMISSING, key, "%s is required", key);
		return VK_OK;
	}
	if (!json_is_integer(v))
		return vk_fail(err, VK_EINVAL, key, "%s must be an integer", key);
	json_int_t i = json_integer_value(v);
	if (i < min || i > max)
		return vk_fail(err, VK_EINVAL, key, "%s must be between %lld and %lld", key,
		               (long long)min, (long long)max);
	*out = i;
	return VK_OK;
}

const char *json_text_str(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	json_t *j = json_string(s);
	if (!j) /* not UTF-8: cannot happen for input that came through the JSON parser */
		return arena_strdup(a, "null");
	char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(j);
	const char *out = arena_strdup(a, text);
	free(text);
	return out;
}
