/* clock: the time now, in the units the code keeps it in. */
#ifndef UTIL_CLOCK_H
#define UTIL_CLOCK_H

#include <stdint.h>

#include "util_names.h"

/* Milliseconds since the Unix epoch (CLOCK_REALTIME): times stored or shown. */
int64_t util_now_ms(void);
/* Milliseconds on the monotonic clock (CLOCK_MONOTONIC): intervals and deadlines. */
int64_t util_mono_ms(void);
/* Seconds on the monotonic clock, to the nanosecond. */
double util_mono_s(void);

#endif
