/*
 * framegap.c - the longest gap between wall frames while one was due
 * (render.max_gap_ms; see framegap.h).
 */
#include "app/framegap.h"

void app_gap_due(struct app_gap *g, int64_t now_us)
{
    int64_t zero = 0;
    /* the first note since the last collect wins: it is the earliest */
    atomic_compare_exchange_strong_explicit(&g->due_us, &zero, now_us,
                                            memory_order_relaxed, memory_order_relaxed);
}

void app_gap_collect(struct app_gap *g)
{
    int64_t due = atomic_exchange_explicit(&g->due_us, 0, memory_order_relaxed);
    if (due && (!g->pending_us || due < g->pending_us))
        g->pending_us = due;
}

void app_gap_dirty(struct app_gap *g, int64_t now_us)
{
    if (!g->pending_us || now_us < g->pending_us)
        g->pending_us = now_us;
}

void app_gap_idle(struct app_gap *g)
{
    g->pending_us = 0;
}

/* The gap running at now_us: from the later of the last frame and the
 * moment a frame became due; 0 when nothing is due. */
static int64_t running_gap(const struct app_gap *g, int64_t now_us)
{
    int64_t due = g->pending_us;
    int64_t noted = atomic_load_explicit(&g->due_us, memory_order_relaxed);
    if (noted && (!due || noted < due))
        due = noted;
    if (!due)
        return 0;
    int64_t from = due > g->last_frame_us ? due : g->last_frame_us;
    return now_us > from ? now_us - from : 0;
}

void app_gap_presented(struct app_gap *g, int64_t now_us)
{
    if (g->pending_us) {
        int64_t from = g->pending_us > g->last_frame_us ? g->pending_us : g->last_frame_us;
        int64_t gap = now_us - from;
        if (gap > g->bucket_max_us)
            g->bucket_max_us = gap;
        if (gap > g->total_max_us)
            g->total_max_us = gap;
    }
    g->pending_us = 0;
    g->last_frame_us = now_us;
}

void app_gap_roll(struct app_gap *g)
{
    g->prev_bucket_us = g->bucket_max_us;
    g->bucket_max_us = 0;
}

static double to_ms(int64_t us)
{
    return (double)(us / 100) / 10.0; /* 0.1 ms steps */
}

double app_gap_last_ms(const struct app_gap *g, int64_t now_us)
{
    int64_t m = g->bucket_max_us > g->prev_bucket_us ? g->bucket_max_us : g->prev_bucket_us;
    int64_t run = running_gap(g, now_us);
    return to_ms(run > m ? run : m);
}

double app_gap_total_ms(const struct app_gap *g, int64_t now_us)
{
    int64_t run = running_gap(g, now_us);
    return to_ms(run > g->total_max_us ? run : g->total_max_us);
}
