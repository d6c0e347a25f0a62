/*
 * timeutil.h - monotonic and wall-clock time in microseconds, and sleeping.
 */
#ifndef TESSERA_TIMEUTIL_H
#define TESSERA_TIMEUTIL_H

#include <stdint.h>

/* Microseconds on the monotonic clock (arbitrary origin, never goes back). */
int64_t tm_now_us(void);

/* Microseconds since the Unix epoch (wall clock; may jump). */
int64_t tm_wall_us(void);

/* Sleeps for us microseconds (returns early only on a signal). */
void tm_sleep_us(int64_t us);

/* Formats an age in whole seconds as "MM:SS" (or "H:MM:SS" past an hour)
 * into buf. */
void tm_format_age(int64_t seconds, char *buf, int size);

#endif
