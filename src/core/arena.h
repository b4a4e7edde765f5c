/* A bump allocator that frees everything at once (h2o's req->pool). One per request:
 * what a handler parses and renders lives here and dies with the request. */
#ifndef VK_ARENA_H
#define VK_ARENA_H
#include <stddef.h>

struct arena;

struct arena *arena_new(size_t chunk_size);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);       /* zeroed, 16-byte aligned */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t arena_used(const struct arena *a);
#endif
