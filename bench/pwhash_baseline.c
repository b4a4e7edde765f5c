/* Same-run baseline for POST /api/login: raw argon2id password verification through libsodium
 * at the limits voronka uses (crypto_pwhash_*_INTERACTIVE: 64 MiB, 2 passes), on T threads for
 * S seconds. Login is argon2-bound by design, so this is its ceiling on this machine.
 *
 *   pwhash_baseline [--seconds S] [--threads T]
 *
 * Prints a human line and, last, one line "BENCH_JSON {...}" that bench/run.mjs reads.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SAMPLES 100000

static const char *password = "admin-pass-1";
static char hash[crypto_pwhash_STRBYTES];
static double seconds = 3.0;

struct worker {
	pthread_t th;
	double *lat_us;
	long n;
	int failed;
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	double end = now_us() + seconds * 1e6;
	while (w->n < MAX_SAMPLES) {
		double t = now_us();
		if (t >= end)
			break;
		if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
			w->failed = 1;
		w->lat_us[w->n++] = now_us() - t;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int threads = 2;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--threads"))
			threads = atoi(argv[i + 1]);
		else {
			fprintf(stderr, "usage: pwhash_baseline [--seconds S] [--threads T]\n");
			return 2;
		}
	}
	if (threads < 1 || threads > 64 || seconds <= 0) {
		fprintf(stderr, "pwhash_baseline: bad --threads or --seconds\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	if (crypto_pwhash_str_alg(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                          crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		fprintf(stderr, "pwhash_baseline: out of memory\n");
		return 1;
	}

	struct worker *w = calloc((size_t)threads, sizeof *w);
	double *all = malloc(sizeof(double) * MAX_SAMPLES * (size_t)threads);
	if (!w || !all)
		return 1;
	double t0 = now_us();
	for (int i = 0; i < threads; i++) {
		w[i].lat_us = all + (size_t)i * MAX_SAMPLES;
		pthread_create(&w[i].th, NULL, run, &w[i]);
	}
	long n = 0;
	int failed = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].th, NULL);
		failed |= w[i].failed;
	}
	double elapsed = (now_us() - t0) / 1e6;
	/* Gather the samples contiguously, then sort for percentiles. */
	for (int i = 0; i < threads; i++) {
		memmove(all + n, w[i].lat_us, sizeof(double) * (size_t)w[i].n);
		n += w[i].n;
	}
	if (n == 0 || failed) {
		fprintf(stderr, "pwhash_baseline: %s\n", failed ? "verification failed" : "no samples");
		return 1;
	}
	qsort(all, (size_t)n, sizeof(double), cmp_double);
	double p50 = all[(size_t)((double)(n - 1) * 0.50)], p99 = all[(size_t)((double)(n - 1) * 0.99)];
	printf("argon2id verify (64 MiB, 2 passes), %d threads: %.1f/s  p50 %.1f ms  p99 %.1f ms  (%ld in %.1f s)\n",
	       threads, (double)n / elapsed, p50 / 1000, p99 / 1000, n, elapsed);
	printf("BENCH_JSON {\"argon2id_verify\":{\"threads\":%d,\"ops\":%ld,\"seconds\":%.3f,"
	       "\"ops_per_s\":%.2f,\"p50_us\":%.0f,\"p99_us\":%.0f}}\n",
	       threads, n, elapsed, (double)n / elapsed, p50, p99);
	free(all);
	free(w);
	return 0;
}
