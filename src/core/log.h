/* Structured log lines (logfmt) to stderr. A line is written with one write(2) so threads do
 * not interleave; the server's access lines (one per request) may instead wait in a buffer
 * that the server flushes every 100 ms, when it fills, before any other line and at exit: a
 * write per request was a syscall per request. */
#ifndef VK_LOG_H
#define VK_LOG_H
#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* fmt continues the line after "ts=… level=…", e.g. log_msg(LOG_INFO, "msg=\"started\" port=%d", p) */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* An info line already formatted (after "level=info "), buffered while buffering is on. */
void log_access(const char *text, size_t len);
/* Buffer access lines (on) or write each at once (off, the default); either way what waits
 * is written first. */
void log_buffer_access(bool on);
void log_flush(void);
#endif
