/*
 * jitter.h - the playout logic of a feed's jitter buffer, on timestamps only
 * (no frames, no threads, no clock: the caller passes the times in), so that
 * it is tested with synthetic arrivals.
 *
 * Each frame gets a due time: its presentation timestamp mapped onto the
 * local clock through the smallest transit seen (arrival - pts, rising slowly
 * so that clock drift cannot strand it), plus a playout delay.  The delay
 * follows the arrival jitter, measured as in RFC 3550 (6.4.1: the smoothed
 * difference between the spacing of arrivals and the spacing of timestamps):
 * none on a steady source, up to two frame intervals on a bursty one.  It
 * rises at once and shrinks slowly, so shrinking never skips a frame.
 *
 * The queue holds at most JIT_MAX entries in a ring; the caller keeps its
 * frames in a parallel array indexed by jit_slot().  With smooth off every
 * frame is due at once and the queue holds one entry: the newest frame wins.
 *
 * Threads: none of its own; the owner (the mailbox) serialises every call.
 */
#ifndef TESSERA_JITTER_H
#define TESSERA_JITTER_H

#include <stdbool.h>
#include <stdint.h>

#define JIT_MAX 4                 /* frames held at most */
#define JIT_NONE INT64_MIN        /* an unknown timestamp */

struct jit {
    bool smooth;                  /* false: newest wins, no delay */
    int head, count;              /* the ring: oldest entry, entries held */
    int64_t due_us[JIT_MAX];      /* per slot: when the frame is due */
    int64_t prev_pts_us;          /* the previous frame's pts; JIT_NONE */
    int64_t prev_arrival_us;      /* ... and when it arrived */
    int64_t last_due_us;          /* due times never go backwards */
    int64_t frame_us;             /* smoothed timestamp step; 0: unknown */
    double jitter_us;             /* RFC 3550 interarrival jitter */
    int64_t offset_us;            /* smallest transit (arrival - pts) */
    bool have_offset;
    int64_t delay_us;             /* playout delay in force */
    uint64_t late;                /* frames passed over: a newer one was due
                                     too, or the queue was full */
};

/* Empties j and sets its mode (smooth: jitter buffer; else newest wins). */
void jit_init(struct jit *j, bool smooth);

/* Queues a frame with presentation time pts_us (JIT_NONE: unknown, due at
 * once) that became available at arrival_us.  Returns the slot to store the
 * frame in.  When the queue was full its oldest entry was removed: *evicted
 * is then that entry's slot, whose frame the caller must release (it counts
 * as late in smooth mode), else -1. */
int jit_push(struct jit *j, int64_t pts_us, int64_t arrival_us, int *evicted);

/* How many of the queued entries (oldest first) are due at now_us. */
int jit_due_count(const struct jit *j, int64_t now_us);

/* The slot of the i-th oldest queued entry (0 <= i < count). */
int jit_slot(const struct jit *j, int i);

/* Removes the n oldest entries; all but the last of them count as late (the
 * caller shows the last one).  n <= count. */
void jit_pop(struct jit *j, int n);

/* When the oldest queued entry is due, or INT64_MAX when none is queued. */
int64_t jit_next_due(const struct jit *j);

/* Drops every queued entry (not counted as late); estimates are kept. */
void jit_clear(struct jit *j);

#endif
