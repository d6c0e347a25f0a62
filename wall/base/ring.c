/*
 * ring.c - sample window and nearest-rank percentiles (sorting a copy: the
 * window is small and percentiles are asked for about once a second).
 */
#include "base/ring.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ring_add(struct ring *r, int64_t v)
{
    r->v[r->next] = v;
    r->next = (r->next + 1) % RING_WINDOW;
    if (r->n < RING_WINDOW)
        r->n++;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t ring_percentile(const struct ring *r, double p)
{
    if (r->n == 0)
        return -1;
    int64_t sorted[RING_WINDOW];
    memcpy(sorted, r->v, sizeof(int64_t) * (size_t)r->n);
    qsort(sorted, (size_t)r->n, sizeof(int64_t), cmp_i64);
    int rank = (int)ceil(p / 100.0 * r->n);
    rank = rank < 1 ? 1 : rank > r->n ? r->n : rank;
    return sorted[rank - 1];
}
