#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;

/* Access lines waiting for the next flush; every other line is written at once, after them. */
#define ACCESS_BUF (64 * 1024)
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char pending[ACCESS_BUF];
static size_t n_pending;
static bool buffered;

void log_set_level(enum log_level level)
{
	min_level = level;
}

/* "ts=2026-11-22T16:49:23.123Z level=info " into out (at least 64 bytes); answers its length.
 * The part up to the second is formatted once a second per thread: gmtime and a printf per
 * line were a tenth of a small request's CPU. */
static size_t prefix(char *out, enum log_level level)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	static __thread time_t sec = -1;
	static __thread char date[32];
	static __thread size_t n_date;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != sec) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		n_date = (size_t)snprintf(date, sizeof date, "ts=%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
		                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		sec = ts.tv_sec;
	}
	memcpy(out, date, n_date);
	int ms = (int)(ts.tv_nsec / 1000000);
	char *p = out + n_date;
	*p++ = (char)('0' + ms / 100);
	*p++ = (char)('0' + ms / 10 % 10);
	*p++ = (char)('0' + ms % 10);
	size_t n = strlen(names[level]);
	memcpy(p, "Z level=", 8);
	memcpy(p + 8, names[level], n);
	p[8 + n] = ' ';
	return (size_t)(p - out) + 9 + n;
}

static void write_all(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(STDERR_FILENO, s, n);
		if (w <= 0)
			return; /* nowhere to report it */
		s += w;
		n -= (size_t)w;
	}
}

static void flush_locked(void)
{
	write_all(pending, n_pending);
	n_pending = 0;
}

void log_flush(void)
{
	pthread_mutex_lock(&lock);
	flush_locked();
	pthread_mutex_unlock(&lock);
}

void log_buffer_access(bool on)
{
	pthread_mutex_lock(&lock);
	flush_locked();
	buffered = on;
	pthread_mutex_unlock(&lock);
}

/* One line: prefix, text, newline, written with the pending access lines before it so that
 * the file stays in time order. */
static void emit(enum log_level level, const char *text, size_t len, bool access)
{
	char line[2048];
	size_t n = prefix(line, level);
	if (len > sizeof line - n - 1)
		len = sizeof line - n - 1;
	memcpy(line + n, text, len);
	n += len;
	line[n++] = '\n';
	pthread_mutex_lock(&lock);
	if (access && buffered) {
		if (n_pending + n > sizeof pending)
			flush_locked();
		memcpy(pending + n_pending, line, n);
		n_pending += n;
	} else {
		flush_locked();
		write_all(line, n);
	}
	pthread_mutex_unlock(&lock);
}

void log_access(const char *text, size_t len)
{
	if (LOG_INFO >= min_level)
		emit(LOG_INFO, text, len, true);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level < min_level)
		return;
	char text[2048];
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	size_t len = m < 0 ? 0 : (size_t)m;
	if (len >= sizeof text)
		len = sizeof text - 1;
	emit(level, text, len, false);
}
