#include "core/clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t fixed_ms = -1;

static int64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_now_ms(void)
{
	int64_t f = atomic_load(&fixed_ms);
	return f >= 0 ? f : real_ms();
}

void clock_set_ms(int64_t now_ms)
{
	atomic_store(&fixed_ms, now_ms < 0 ? 0 : now_ms);
}

void clock_advance_ms(int64_t delta_ms)
{
	clock_set_ms(clock_now_ms() + delta_ms);
}

void clock_use_real(void)
{
	atomic_store(&fixed_ms, -1);
}

int64_t clock_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
