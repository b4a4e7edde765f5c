/* A growable byte buffer with a hard cap (curl's dynbuf "toobig"): request bodies, frames and
 * rows are all bounded. */
#ifndef VK_BUF_H
#define VK_BUF_H
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;     /* NUL-terminated when len > 0 */
	size_t len, cap, max;
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
/* Append n bytes; false (and b unchanged) if the result would exceed max. */
bool buf_append(struct buf *b, const void *p, size_t n);
bool buf_puts(struct buf *b, const char *s);
bool buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
/* Room for n more bytes at once (one allocation instead of a few doublings); false past max. */
bool buf_reserve(struct buf *b, size_t n);
#endif
