/*
 * mailbox.c - a ring of at most JIT_MAX AVFrames guarded by a mutex, planned
 * by mailbox/jitter.c; the lock is held only for the reference moves and the
 * arithmetic, never while decoding or uploading.
 */
#include "mailbox/mailbox.h"

#include <pthread.h>
#include <stdlib.h>

#include "mailbox/jitter.h"

struct mbox {
    pthread_mutex_t lock;
    AVFrame *slot[JIT_MAX];    /* under lock; blank when not queued */
    int64_t extra[JIT_MAX];    /* under lock */
    struct jit jit;            /* under lock: which slots, due when */
    struct mbox_counts counts; /* under lock */
    mbox_notify_fn notify;     /* immutable */
    void *opaque;              /* immutable */
};

struct mbox *mbox_create(bool smooth, mbox_notify_fn notify, void *opaque)
{
    struct mbox *mb = calloc(1, sizeof(*mb));
    if (!mb)
        return NULL;
    bool ok = pthread_mutex_init(&mb->lock, NULL) == 0;
    for (int i = 0; i < JIT_MAX; i++)
        ok = (mb->slot[i] = av_frame_alloc()) && ok;
    if (!ok) {
        for (int i = 0; i < JIT_MAX; i++)
            av_frame_free(&mb->slot[i]);
        pthread_mutex_destroy(&mb->lock);
        free(mb);
        return NULL;
    }
    jit_init(&mb->jit, smooth);
    mb->notify = notify;
    mb->opaque = opaque;
    return mb;
}

void mbox_destroy(struct mbox *mb)
{
    if (!mb)
        return;
    for (int i = 0; i < JIT_MAX; i++)
        av_frame_free(&mb->slot[i]);
    pthread_mutex_destroy(&mb->lock);
    free(mb);
}

void mbox_put_timed(struct mbox *mb, AVFrame *frame, int64_t extra, int64_t pts_us,
                    int64_t now_us)
{
    int evicted;
    pthread_mutex_lock(&mb->lock);
    int s = jit_push(&mb->jit, pts_us == INT64_MIN ? JIT_NONE : pts_us, now_us, &evicted);
    if (evicted >= 0) {
        av_frame_unref(mb->slot[evicted]);
        mb->counts.dropped++;
    }
    av_frame_move_ref(mb->slot[s], frame);
    mb->extra[s] = extra;
    mb->counts.put++;
    pthread_mutex_unlock(&mb->lock);
    if (mb->notify)
        mb->notify(mb->opaque);
}

void mbox_put(struct mbox *mb, AVFrame *frame, int64_t extra)
{
    mbox_put_timed(mb, frame, extra, INT64_MIN, INT64_MIN);
}

int mbox_take_due(struct mbox *mb, int64_t now_us, AVFrame *dst, int64_t *extra)
{
    pthread_mutex_lock(&mb->lock);
    int n = jit_due_count(&mb->jit, now_us);
    for (int i = 0; i + 1 < n; i++) /* passed over: a newer one is due */
        av_frame_unref(mb->slot[jit_slot(&mb->jit, i)]);
    if (n > 0) {
        int s = jit_slot(&mb->jit, n - 1);
        av_frame_move_ref(dst, mb->slot[s]);
        if (extra)
            *extra = mb->extra[s];
        mb->counts.dropped += (uint64_t)(n - 1);
        mb->counts.taken++;
        jit_pop(&mb->jit, n);
    }
    pthread_mutex_unlock(&mb->lock);
    return n > 0;
}

int mbox_take(struct mbox *mb, AVFrame *dst, int64_t *extra)
{
    return mbox_take_due(mb, INT64_MAX, dst, extra);
}

int64_t mbox_next_due(struct mbox *mb)
{
    pthread_mutex_lock(&mb->lock);
    int64_t due = jit_next_due(&mb->jit);
    pthread_mutex_unlock(&mb->lock);
    return due;
}

void mbox_clear(struct mbox *mb)
{
    pthread_mutex_lock(&mb->lock);
    for (int i = 0; i < mb->jit.count; i++)
        av_frame_unref(mb->slot[jit_slot(&mb->jit, i)]);
    mb->counts.dropped += (uint64_t)mb->jit.count;
    jit_clear(&mb->jit);
    pthread_mutex_unlock(&mb->lock);
}

struct mbox_counts mbox_counts(struct mbox *mb)
{
    pthread_mutex_lock(&mb->lock);
    struct mbox_counts c = mb->counts;
    c.late = mb->jit.late;
    c.jitter_us = mb->jit.jitter_us;
    c.buffer_us = mb->jit.smooth ? mb->jit.delay_us : 0;
    pthread_mutex_unlock(&mb->lock);
    return c;
}
