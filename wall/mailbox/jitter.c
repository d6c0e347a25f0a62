/*
 * jitter.c - the jitter buffer's playout plan (see jitter.h): RFC 3550
 * jitter, the smallest transit, the adaptive delay and the ring of due times.
 */
#include "mailbox/jitter.h"

#include <stdlib.h>

#define JIT_JUMP_US 1000000       /* a timestamp step or transit change this
                                     large is a discontinuity, not jitter */
#define JIT_DEFAULT_FRAME_US 40000

void jit_init(struct jit *j, bool smooth)
{
    *j = (struct jit){.smooth = smooth, .prev_pts_us = JIT_NONE};
}

/* The frame interval in use (a default until the timestamps tell). */
static int64_t frame_interval(const struct jit *j)
{
    return j->frame_us > 0 ? j->frame_us : JIT_DEFAULT_FRAME_US;
}

/* Updates the frame interval, the jitter and the transit floor with one
 * arrival; a jump in the timestamps starts the floor again. */
static void measure(struct jit *j, int64_t pts_us, int64_t arrival_us)
{
    if (j->prev_pts_us != JIT_NONE) {
        int64_t step = pts_us - j->prev_pts_us;
        int64_t d = (arrival_us - j->prev_arrival_us) - step;
        if (step <= 0 || step > JIT_JUMP_US || llabs(d) > JIT_JUMP_US) {
            j->have_offset = false;
        } else {
            j->frame_us = j->frame_us ? (7 * j->frame_us + step) / 8 : step;
            j->jitter_us += ((double)llabs(d) - j->jitter_us) / 16.0;
        }
    }
    j->prev_pts_us = pts_us;
    j->prev_arrival_us = arrival_us;
    int64_t transit = arrival_us - pts_us;
    if (j->have_offset)
        j->offset_us += frame_interval(j) / 256; /* drift must not strand it */
    if (!j->have_offset || transit < j->offset_us) {
        j->offset_us = transit;
        j->have_offset = true;
    }
}

/* Moves the playout delay towards what the jitter asks for: none below an
 * eighth of a frame interval, else 1.5 x the jitter, at most two intervals;
 * up at once, down by a 32nd of an interval per frame. */
static void adapt_delay(struct jit *j)
{
    int64_t fr = frame_interval(j);
    int64_t target = j->jitter_us < (double)fr / 8 ? 0 : (int64_t)(1.5 * j->jitter_us);
    if (target > 2 * fr)
        target = 2 * fr;
    if (target >= j->delay_us) {
        j->delay_us = target;
        return;
    }
    int64_t step = fr / 32 + 1;
    j->delay_us = j->delay_us - target > step ? j->delay_us - step : target;
}

/* When a frame with pts_us arriving at arrival_us is due. */
static int64_t plan(struct jit *j, int64_t pts_us, int64_t arrival_us)
{
    if (pts_us == JIT_NONE) {
        j->prev_pts_us = JIT_NONE;
        return arrival_us;
    }
    measure(j, pts_us, arrival_us);
    if (!j->smooth)
        return arrival_us;
    adapt_delay(j);
    int64_t due = pts_us + j->offset_us + j->delay_us;
    if (due < j->last_due_us)
        due = j->last_due_us;
    if (due > arrival_us + 2 * frame_interval(j)) /* never a backlog */
        due = arrival_us + 2 * frame_interval(j);
    j->last_due_us = due;
    return due;
}

int jit_push(struct jit *j, int64_t pts_us, int64_t arrival_us, int *evicted)
{
    int cap = j->smooth ? JIT_MAX : 1;
    int64_t due = plan(j, pts_us, arrival_us);
    *evicted = j->count >= cap ? j->head : -1;
    if (*evicted >= 0) {
        j->head = (j->head + 1) % JIT_MAX;
        j->count--;
        j->late += j->smooth;
    }
    int slot = (j->head + j->count) % JIT_MAX;
    j->due_us[slot] = due;
    j->count++;
    return slot;
}

int jit_due_count(const struct jit *j, int64_t now_us)
{
    int n = 0;
    while (n < j->count && j->due_us[jit_slot(j, n)] <= now_us)
        n++;
    return n;
}

int jit_slot(const struct jit *j, int i)
{
    return (j->head + i) % JIT_MAX;
}

void jit_pop(struct jit *j, int n)
{
    if (n <= 0)
        return;
    j->head = (j->head + n) % JIT_MAX;
    j->count -= n;
    if (j->smooth)
        j->late += (uint64_t)(n - 1);
}

int64_t jit_next_due(const struct jit *j)
{
    return j->count ? j->due_us[j->head] : INT64_MAX;
}

void jit_clear(struct jit *j)
{
    j->head = j->count = 0;
}
