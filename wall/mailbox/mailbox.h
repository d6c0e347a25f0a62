/*
 * mailbox.h - the hand-over between one feed thread (producer) and the render
 * thread (consumer), in one of two modes chosen at creation:
 *
 * - newest wins (--latency low): one slot; a frame the consumer has not taken
 *   yet is dropped when a newer one arrives, so nothing ever queues.
 * - jitter buffer (--latency smooth): up to JIT_MAX frames, each due at a
 *   time planned from its timestamp and the measured arrival jitter
 *   (mailbox/jitter.h), so that a source delivering in bursts still shows
 *   every frame at a steady cadence, at most two frame intervals later.
 *
 * Frames move by reference (av_frame_move_ref), so handing one over copies no
 * pixels and allocates nothing.
 */
#ifndef TESSERA_MAILBOX_H
#define TESSERA_MAILBOX_H

#include <stdbool.h>
#include <stdint.h>

#include <libavutil/frame.h>

struct mbox;

/* Called by mbox_put() on the producer's thread after a frame was stored,
 * outside the mailbox lock.  Must be cheap and thread-safe. */
typedef void (*mbox_notify_fn)(void *opaque);

struct mbox_counts {
    uint64_t put;       /* frames handed in */
    uint64_t taken;     /* frames the consumer took */
    uint64_t dropped;   /* frames that never reached the consumer */
    uint64_t late;      /* jitter buffer: those of the dropped that missed
                           their time (a newer frame was due too, or the
                           buffer was full) */
    double jitter_us;   /* RFC 3550 interarrival jitter of the frames */
    int64_t buffer_us;  /* jitter buffer: the playout delay in force */
};

/* Creates an empty mailbox (smooth: a jitter buffer, else newest wins);
 * notify may be NULL.  NULL on allocation failure. */
struct mbox *mbox_create(bool smooth, mbox_notify_fn notify, void *opaque);

/* Frees the mailbox and any frame still in it; accepts NULL.  Neither side may
 * use it afterwards. */
void mbox_destroy(struct mbox *mb);

/* Producer: moves frame's references into the mailbox (frame is left blank);
 * pts_us is its presentation time in microseconds (INT64_MIN: unknown, due
 * at once) and now_us when it became available (monotonic).  A frame pushed
 * out (newest wins, or a full jitter buffer) counts as dropped.  The extra
 * value travels with the frame (e.g. its arrival time). */
void mbox_put_timed(struct mbox *mb, AVFrame *frame, int64_t extra, int64_t pts_us,
                    int64_t now_us);

/* Producer: mbox_put_timed() of a frame due at once. */
void mbox_put(struct mbox *mb, AVFrame *frame, int64_t extra);

/* Consumer: if a frame is due at now_us, moves the newest such frame into
 * dst (which must be blank), stores its extra value in *extra (if not NULL)
 * and returns 1 (older due frames are dropped as late); else returns 0 and
 * leaves dst untouched. */
int mbox_take_due(struct mbox *mb, int64_t now_us, AVFrame *dst, int64_t *extra);

/* Consumer: mbox_take_due() with every queued frame due. */
int mbox_take(struct mbox *mb, AVFrame *dst, int64_t *extra);

/* When the next queued frame is due (monotonic us); INT64_MAX if none. */
int64_t mbox_next_due(struct mbox *mb);

/* Drops any frame waiting (e.g. when its feed restarts). */
void mbox_clear(struct mbox *mb);

/* A consistent copy of the counters. */
struct mbox_counts mbox_counts(struct mbox *mb);

#endif
