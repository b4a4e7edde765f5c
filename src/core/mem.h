/* Allocation that aborts on out-of-memory (like Redis's zmalloc): callers never check. */
#ifndef VK_MEM_H
#define VK_MEM_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
#endif
