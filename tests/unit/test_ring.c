/*
 * test_ring.c - nearest-rank percentiles over a sliding window.
 */
#include "base/ring.h"
#include "check.h"

int main(void)
{
    struct check_counts cc = {0};
    static struct ring r;
    CHECK_INT(&cc, ring_percentile(&r, 50), -1);
    for (int i = 1; i <= 100; i++)
        ring_add(&r, i);
    CHECK_INT(&cc, ring_percentile(&r, 50), 50);
    CHECK_INT(&cc, ring_percentile(&r, 99), 99);
    CHECK_INT(&cc, ring_percentile(&r, 100), 100);
    CHECK_INT(&cc, ring_percentile(&r, 0), 1);
    /* the window forgets the oldest samples */
    for (int i = 0; i < RING_WINDOW; i++)
        ring_add(&r, 1000 + i % 10);
    CHECK_INT(&cc, r.n, RING_WINDOW);
    CHECK_INT(&cc, ring_percentile(&r, 0), 1000);
    CHECK_INT(&cc, ring_percentile(&r, 100), 1009);
    return check_report(&cc);
}
