/*
 * ring.h - a window of the most recent samples (e.g. latencies in
 * microseconds) and their percentiles, for stats.  Plain data: embed it and
 * zero-initialise it; one thread at a time.
 */
#ifndef TESSERA_RING_H
#define TESSERA_RING_H

#include <stdint.h>

#define RING_WINDOW 512

struct ring {
    int64_t v[RING_WINDOW];
    int n;    /* samples held, up to RING_WINDOW */
    int next; /* where the next one goes */
};

/* Adds a sample, forgetting the oldest once the window is full. */
void ring_add(struct ring *r, int64_t v);

/* The p-th percentile (0..100, nearest rank) of the samples held, or -1 when
 * there are none. */
int64_t ring_percentile(const struct ring *r, double p);

#endif
