/* Structured log lines (logfmt) to stderr, one write(2) per line so threads do not interleave. */
#ifndef VK_LOG_H
#define VK_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* fmt continues the line after "ts=… level=…", e.g. log_msg(LOG_INFO, "msg=\"started\" port=%d", p) */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#endif
