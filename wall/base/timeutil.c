/*
 * timeutil.c - clock reads and sleeping, in microseconds.
 */
#include "base/timeutil.h"

#include <stdio.h>
#include <time.h>

int64_t tm_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t tm_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void tm_sleep_us(int64_t us)
{
    if (us <= 0)
        return;
    struct timespec ts = {.tv_sec = us / 1000000,
                          .tv_nsec = (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

void tm_format_age(int64_t seconds, char *buf, int size)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds >= 3600)
        snprintf(buf, (size_t)size, "%lld:%02lld:%02lld",
                 (long long)(seconds / 3600), (long long)(seconds / 60 % 60),
                 (long long)(seconds % 60));
    else
        snprintf(buf, (size_t)size, "%02lld:%02lld", (long long)(seconds / 60),
                 (long long)(seconds % 60));
}
