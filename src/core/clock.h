/* The injectable clock. Everything that cares about "now" asks clock_now_ms(), so tests and
 * rule previews can run "at" any moment. Real time unless clock_set_ms/clock_advance_ms
 * were called (only the --test-clock route and unit tests do). */
#ifndef VK_CLOCK_H
#define VK_CLOCK_H
#include <stdint.h>

int64_t clock_now_ms(void);
void clock_set_ms(int64_t now_ms);      /* freeze at now_ms */
void clock_advance_ms(int64_t delta_ms);/* freeze at now + delta */
void clock_use_real(void);
/* Monotonic time for durations (never faked). */
int64_t clock_mono_us(void);
#endif
