#include "http/metrics.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/mem.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

static const int statuses[METRIC_N_STATUS] = { 200, 201, 204, 304, 400, 401, 403, 404, 405,
                                               409, 413, 414, 415, 422, 429, 431, 500, 503, 0 };
static const double bounds_s[METRIC_N_BUCKETS] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                   0.01, 0.025, 0.05, 0.1, 0.5, 2.5 };

void metrics_init(struct metrics *m, const struct route **routes, int n_routes)
{
	m->routes = routes;
	m->n_routes = n_routes;
	m->rows = xcalloc((size_t)n_routes + 2, sizeof *m->rows);
	m->started_ms = clock_now_ms();
}

void metrics_release(struct metrics *m)
{
	free(m->rows);
	m->rows = NULL;
}

static struct metric_row *row(struct metrics *m, int route)
{
	if (route == METRIC_ROUTE_STATIC)
		return &m->rows[m->n_routes];
	if (route < 0 || route >= m->n_routes)
		return &m->rows[m->n_routes + 1];
	return &m->rows[route];
}

void metrics_observe(struct metrics *m, int route, int status, int64_t us)
{
	struct metric_row *rw = row(m, route);
	int si = METRIC_N_STATUS - 1; /* "other" */
	for (int i = 0; i < METRIC_N_STATUS - 1; i++)
		if (statuses[i] == status)
			si = i;
	atomic_fetch_add_explicit(&rw->by_status[si], 1, memory_order_relaxed);
	double s = (double)us / 1e6;
	for (int i = 0; i < METRIC_N_BUCKETS; i++)
		if (s <= bounds_s[i]) {
			atomic_fetch_add_explicit(&rw->buckets[i], 1, memory_order_relaxed);
			break;
		}
	atomic_fetch_add_explicit(&rw->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&rw->sum_us, (uint64_t)us, memory_order_relaxed);
}

static const char *route_label(struct metrics *m, int i, char *tmp, size_t n)
{
	if (i == m->n_routes)
		return "static";
	if (i == m->n_routes + 1)
		return "unmatched";
	snprintf(tmp, n, "%s %s", m->routes[i]->method, m->routes[i]->pattern);
	return tmp;
}

void metrics_write(struct metrics *m, struct store *s, int in_flight, struct req *r)
{
	struct buf b;
	buf_init(&b, 4u << 20);
	char label[160];
	buf_puts(&b, "# HELP voronka_http_requests_total HTTP requests by route and status.\n"
	             "# TYPE voronka_http_requests_total counter\n");
	for (int i = 0; i < m->n_routes + 2; i++)
		for (int si = 0; si < METRIC_N_STATUS; si++) {
			uint64_t v = atomic_load(&m->rows[i].by_status[si]);
			if (!v)
				continue;
			char st[8];
			if (statuses[si])
				snprintf(st, sizeof st, "%d", statuses[si]);
			else
				strcpy(st, "other");
			buf_printf(&b, "voronka_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
			           route_label(m, i, label, sizeof label), st, (unsigned long long)v);
		}
	buf_puts(&b, "# HELP voronka_http_request_duration_seconds Time from request headers to response.\n"
	             "# TYPE voronka_http_request_duration_seconds histogram\n");
	for (int i = 0; i < m->n_routes + 2; i++) {
		uint64_t count = atomic_load(&m->rows[i].count);
		if (!count)
			continue;
		const char *rl = route_label(m, i, label, sizeof label);
		uint64_t cum = 0;
		for (int k = 0; k < METRIC_N_BUCKETS; k++) {
			cum += atomic_load(&m->rows[i].buckets[k]);
			buf_printf(&b, "voronka_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
			           rl, bounds_s[k], (unsigned long long)cum);
		}
		buf_printf(&b, "voronka_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
		               "voronka_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
		               "voronka_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
		           rl, (unsigned long long)count, rl,
		           (double)atomic_load(&m->rows[i].sum_us) / 1e6, rl, (unsigned long long)count);
	}
	struct store_stats ss;
	store_get_stats(s, &ss);
	buf_printf(&b,
		"# HELP voronka_db_commits_total Write transactions committed (each fsynced; one holds many jobs).\n"
		"# TYPE voronka_db_commits_total counter\nvoronka_db_commits_total %llu\n"
		"# HELP voronka_db_commit_failures_total Write transactions that failed to commit.\n"
		"# TYPE voronka_db_commit_failures_total counter\nvoronka_db_commit_failures_total %llu\n"
		"# HELP voronka_db_write_jobs_total Writes grouped into those commits.\n"
		"# TYPE voronka_db_write_jobs_total counter\nvoronka_db_write_jobs_total %llu\n"
		"# HELP voronka_db_reads_total Statements run on reader connections.\n"
		"# TYPE voronka_db_reads_total counter\nvoronka_db_reads_total %llu\n"
		"# HELP voronka_db_checkpoints_total WAL checkpoints run beside the writer.\n"
		"# TYPE voronka_db_checkpoints_total counter\nvoronka_db_checkpoints_total %llu\n"
		"# HELP voronka_db_checkpoint_pages_total WAL pages those checkpoints copied into the database.\n"
		"# TYPE voronka_db_checkpoint_pages_total counter\nvoronka_db_checkpoint_pages_total %llu\n"
		"# HELP voronka_db_checkpoints_inline_total Checkpoints the writer ran itself because the log grew too long.\n"
		"# TYPE voronka_db_checkpoints_inline_total counter\nvoronka_db_checkpoints_inline_total %llu\n"
		"# HELP voronka_db_commit_duration_seconds Time of a group commit including fsync.\n"
		"# TYPE voronka_db_commit_duration_seconds histogram\n",
		(unsigned long long)ss.commits, (unsigned long long)ss.failed_commits,
		(unsigned long long)ss.jobs, (unsigned long long)ss.reads, (unsigned long long)ss.checkpoints,
		(unsigned long long)ss.checkpoint_pages, (unsigned long long)ss.checkpoints_inline);
	for (int k = 0; k < 12; k++)
		buf_printf(&b, "voronka_db_commit_duration_seconds_bucket{le=\"%g\"} %llu\n",
		           store_stats_bounds_us[k] / 1e6, (unsigned long long)ss.commit_us_buckets[k]);
	buf_printf(&b, "voronka_db_commit_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
	               "voronka_db_commit_duration_seconds_sum %.6f\n"
	               "voronka_db_commit_duration_seconds_count %llu\n"
	               "# HELP voronka_http_requests_in_flight Requests received and not yet answered (this one too).\n"
	               "# TYPE voronka_http_requests_in_flight gauge\nvoronka_http_requests_in_flight %d\n"
	               "# HELP voronka_start_time_seconds When this process started.\n"
	               "# TYPE voronka_start_time_seconds gauge\nvoronka_start_time_seconds %lld\n",
	           (unsigned long long)ss.commits, (double)ss.commit_us_total / 1e6,
	           (unsigned long long)ss.commits, in_flight, (long long)(m->started_ms / 1000));

	struct MHD_Response *resp = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_FREE);
	b.data = NULL; /* MHD owns it now */
	http_set_response(r, 200, resp);
	MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
}
