/* Files compiled into the binary by tools/mkbuiltin (like Fossil's mkbuiltin): the web UI,
 * the presets and the OpenAPI document. Names are repository paths ("web/index.html"). */
#ifndef VK_BUILTIN_H
#define VK_BUILTIN_H
#include <stddef.h>

struct builtin_file {
	const char *name;
	const unsigned char *data;
	size_t len;
	const char *etag; /* content hash, quoted, for HTTP caching */
};

extern const struct builtin_file builtin_files[];
extern const size_t builtin_count;

const struct builtin_file *builtin_find(const char *name);
#endif
