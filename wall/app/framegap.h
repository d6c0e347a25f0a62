/*
 * framegap.h - render.max_gap_ms: the longest time between two wall frames
 * while a frame was due (a feed had a new picture, or something else asked
 * for drawing), over the last second and since start.  Idle time, when
 * nothing needed drawing, does not count: a gap runs from the later of the
 * previous frame and the moment a frame became due, to the next frame.
 *
 * Threads: app_gap_due() may be called on any thread (feed threads, when
 * they hand over a frame); everything else on the render thread.
 */
#ifndef TESSERA_APP_FRAMEGAP_H
#define TESSERA_APP_FRAMEGAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct app_gap {
    _Atomic int64_t due_us;  /* any thread: when a frame first became due
                                since the last app_gap_collect; 0: not yet */
    int64_t pending_us;      /* render thread: earliest due moment not yet
                                presented; 0: none */
    int64_t last_frame_us;   /* render thread: the last frame's present */
    int64_t bucket_max_us;   /* render thread: longest gap this second */
    int64_t prev_bucket_us;  /* ... and in the second before */
    int64_t total_max_us;    /* ... and since start */
};

/* Notes that a frame is due from now_us on (keeps the earliest moment);
 * any thread, lock-free. */
void app_gap_due(struct app_gap *g, int64_t now_us);

/* At the start of a frame, before new pictures are taken: takes over what
 * the feed threads noted. */
void app_gap_collect(struct app_gap *g);

/* The frame about to be drawn was due at now_us at the latest (something
 * other than a feed asked for it). */
void app_gap_dirty(struct app_gap *g, int64_t now_us);

/* This turn draws nothing: what was noted needed no frame after all. */
void app_gap_idle(struct app_gap *g);

/* A wall frame was presented at now_us: ends the gap running since then. */
void app_gap_presented(struct app_gap *g, int64_t now_us);

/* Once a second: starts a new one-second bucket. */
void app_gap_roll(struct app_gap *g);

/* The longest gap in milliseconds over the last second (the current and
 * the previous one-second bucket, and a gap still running at now_us), and
 * since start. */
double app_gap_last_ms(const struct app_gap *g, int64_t now_us);
double app_gap_total_ms(const struct app_gap *g, int64_t now_us);

#endif
