/* Prometheus counters: requests by route and status, a latency histogram per route,
 * and the store's commit timings. Lock-free on the request path (atomics). */
#ifndef VK_METRICS_H
#define VK_METRICS_H
#include <stdatomic.h>
#include <stdint.h>

#include "http/http.h"

#define METRIC_ROUTE_STATIC (-1)
#define METRIC_ROUTE_UNMATCHED (-2)
#define METRIC_N_STATUS 19
#define METRIC_N_BUCKETS 12

struct metric_row {
	_Atomic uint64_t by_status[METRIC_N_STATUS];
	_Atomic uint64_t buckets[METRIC_N_BUCKETS]; /* non-cumulative; summed when written */
	_Atomic uint64_t count, sum_us;
};

struct metrics {
	const struct route **routes;
	int n_routes;
	struct metric_row *rows; /* n_routes + 2 (static, unmatched) */
	int64_t started_ms;
};

void metrics_init(struct metrics *m, const struct route **routes, int n_routes);
void metrics_release(struct metrics *m);
void metrics_observe(struct metrics *m, int route, int status, int64_t us);
void metrics_write(struct metrics *m, struct store *s, int in_flight, struct req *r);
#endif
