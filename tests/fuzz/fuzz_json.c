/* libFuzzer target: request-body JSON as every handler receives it — parse with the server's
 * limits, then read it the way handlers do (typed getters, key allow-lists). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = NULL;
	struct vk_err err = { 0 };
	if (json_parse_object((const char *)data, size, &j, &err) != VK_OK)
		return 0;
	static const char *const keys[] = { "login", "name", "password", "role", "active", NULL };
	const char *s = NULL;
	bool b, present;
	int64_t n;
	json_only_keys(j, keys, &err);
	json_get_str(j, "login", true, 2, 64, &s, &err);
	json_get_str(j, "name", false, 1, 200, &s, &err);
	json_get_bool(j, "active", false, &b, &present, &err);
	json_get_int(j, "limit", false, 1, 200, &n, &present, &err);
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v) {
		if (json_is_string(v))
			(void)utf8_chars(json_string_value(v));
	}
	char *out = json_dumps(j, JSON_COMPACT);
	free(out);
	json_decref(j);
	return 0;
}
