#include "http/events.h"
#include "core/buf.h"
#include "core/mem.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_MAX_PENDING (256 * 1024) /* a client this far behind is cut off */

struct stream {
	struct stream *next;
	struct MHD_Connection *conn;
	int64_t user_id, session_id;
	struct buf pending;
	bool suspended, closed, overflow;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct stream *streams;
static int n_streams;
static bool shutting_down;

void events_init(void)
{
	pthread_mutex_lock(&lock);
	shutting_down = false;
	pthread_mutex_unlock(&lock);
}

/* with lock held */
static void wake(struct stream *s)
{
	if (s->suspended) {
		s->suspended = false;
		MHD_resume_connection(s->conn);
	}
}

static void push(struct stream *s, const char *text)
{
	if (!buf_puts(&s->pending, text))
		s->overflow = true;
	wake(s);
}

void events_publish(int64_t user_id, const char *event, const char *json)
{
	char *msg = NULL;
	size_t n = strlen(json) + strlen(event) + 32;
	msg = xmalloc(n);
	snprintf(msg, n, "event: %s\ndata: %s\n\n", event, json);
	pthread_mutex_lock(&lock);
	for (struct stream *s = streams; s; s = s->next)
		if (s->user_id == user_id && !s->closed)
			push(s, msg);
	pthread_mutex_unlock(&lock);
	free(msg);
}

void events_heartbeat(void)
{
	pthread_mutex_lock(&lock);
	for (struct stream *s = streams; s; s = s->next)
		if (!s->closed)
			push(s, ": ping\n\n");
	pthread_mutex_unlock(&lock);
}

void events_close_user(int64_t user_id, int64_t only_session, int64_t keep_session)
{
	pthread_mutex_lock(&lock);
	for (struct stream *s = streams; s; s = s->next)
		if (s->user_id == user_id && (!only_session || s->session_id == only_session) &&
		    (!keep_session || s->session_id != keep_session)) {
			s->closed = true;
			buf_reset(&s->pending); /* nothing more for a signed-out tab, not even what was queued */
			wake(s);
		}
	pthread_mutex_unlock(&lock);
}

void events_close_all(void)
{
	pthread_mutex_lock(&lock);
	shutting_down = true;
	for (struct stream *s = streams; s; s = s->next) {
		s->closed = true;
		wake(s);
	}
	pthread_mutex_unlock(&lock);
}

int events_open_streams(void)
{
	pthread_mutex_lock(&lock);
	int n = n_streams;
	pthread_mutex_unlock(&lock);
	return n;
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
	(void)pos;
	struct stream *s = cls;
	ssize_t n = 0;
	pthread_mutex_lock(&lock);
	if (s->overflow || (s->closed && s->pending.len == 0)) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else if (s->pending.len) {
		size_t k = s->pending.len < max ? s->pending.len : max;
		memcpy(out, s->pending.data, k);
		memmove(s->pending.data, s->pending.data + k, s->pending.len - k);
		s->pending.len -= k;
		n = (ssize_t)k;
	} else {
		/* nothing to send: park the connection until publish/heartbeat/close wakes it */
		s->suspended = true;
		MHD_suspend_connection(s->conn);
	}
	pthread_mutex_unlock(&lock);
	return n;
}

static void release(void *cls)
{
	struct stream *s = cls;
	pthread_mutex_lock(&lock);
	for (struct stream **pp = &streams; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			n_streams--;
			break;
		}
	pthread_mutex_unlock(&lock);
	buf_release(&s->pending);
	free(s);
}

void events_handler(struct req *r)
{
	struct stream *s = xcalloc(1, sizeof *s);
	s->conn = http_connection(r);
	s->user_id = r->user->user_id;
	s->session_id = r->user->session_id;
	buf_init(&s->pending, STREAM_MAX_PENDING);
	/* the first bytes tell the browser the stream is open, and how soon to reconnect */
	buf_puts(&s->pending, "retry: 3000\n: connected\n\n");
	pthread_mutex_lock(&lock);
	if (shutting_down) {
		pthread_mutex_unlock(&lock);
		buf_release(&s->pending);
		free(s);
		return reply_error_msg(r, 503, "unavailable", NULL, "the server is stopping");
	}
	s->next = streams;
	streams = s;
	n_streams++;
	pthread_mutex_unlock(&lock);
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, s, release);
	http_set_response(r, 200, resp);
	MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
}
