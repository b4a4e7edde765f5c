/* GET /api/events: Server-Sent Events for the signed-in user. A stream with nothing to send
 * is suspended in libmicrohttpd (no thread waits on it) and resumed when an event arrives or
 * the heartbeat is due, so thousands of open tabs cost memory, not threads. */
#ifndef VK_EVENTS_H
#define VK_EVENTS_H
#include <stdint.h>

#include "http/http.h"

void events_init(void);
/* Queue an SSE event for every stream of user_id (thread-safe). */
void events_publish(int64_t user_id, const char *event, const char *json);
/* Comment line to every stream (keeps proxies from closing idle ones). */
void events_heartbeat(void);
/* End user_id's streams (all, or all but keep_session's): logout, password change,
 * deactivation must not leave an old tab listening. session_id 0 = every stream of the user. */
void events_close_user(int64_t user_id, int64_t only_session, int64_t keep_session);
/* End every stream (shutdown). */
void events_close_all(void);
int events_open_streams(void);
void events_handler(struct req *r);
#endif
