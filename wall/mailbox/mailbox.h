/*
 * mailbox.h - the latest-frame slot between one feed thread (producer) and the
 * render thread (consumer).  The newest frame always wins: a frame the
 * consumer has not taken yet is dropped when a newer one arrives, so nothing
 * ever queues and latency stays bounded however slow the consumer is.
 *
 * Frames move by reference (av_frame_move_ref), so handing one over copies no
 * pixels and allocates nothing.
 */
#ifndef TESSERA_MAILBOX_H
#define TESSERA_MAILBOX_H

#include <stdint.h>

#include <libavutil/frame.h>

struct mbox;

/* Called by mbox_put() on the producer's thread after a frame was stored,
 * outside the mailbox lock.  Must be cheap and thread-safe. */
typedef void (*mbox_notify_fn)(void *opaque);

struct mbox_counts {
    uint64_t put;     /* frames handed in */
    uint64_t taken;   /* frames the consumer took */
    uint64_t dropped; /* frames replaced before the consumer took them */
};

/* Creates an empty mailbox; notify may be NULL.  NULL on allocation failure. */
struct mbox *mbox_create(mbox_notify_fn notify, void *opaque);

/* Frees the mailbox and any frame still in it; accepts NULL.  Neither side may
 * use it afterwards. */
void mbox_destroy(struct mbox *mb);

/* Producer: moves frame's references into the slot (frame is left blank),
 * replacing and counting as dropped any frame not yet taken.  The extra
 * value travels with the frame (e.g. its arrival time). */
void mbox_put(struct mbox *mb, AVFrame *frame, int64_t extra);

/* Consumer: if a frame arrived since the last take, moves it into dst (which
 * must be blank), stores its extra value in *extra (if not NULL) and returns
 * 1; else returns 0 and leaves dst untouched. */
int mbox_take(struct mbox *mb, AVFrame *dst, int64_t *extra);

/* Drops any frame waiting in the slot (e.g. when its feed restarts). */
void mbox_clear(struct mbox *mb);

/* A consistent copy of the counters. */
struct mbox_counts mbox_counts(struct mbox *mb);

#endif
