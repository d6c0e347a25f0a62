/*
 * mailbox.c - one AVFrame slot guarded by a mutex; the lock is held only for
 * the reference moves, never while decoding or uploading.
 */
#include "mailbox/mailbox.h"

#include <pthread.h>
#include <stdlib.h>

struct mbox {
    pthread_mutex_t lock;
    AVFrame *slot;      /* under lock; blank when empty */
    int full;           /* under lock */
    int64_t extra;      /* under lock */
    struct mbox_counts counts; /* under lock */
    mbox_notify_fn notify;     /* immutable */
    void *opaque;              /* immutable */
};

struct mbox *mbox_create(mbox_notify_fn notify, void *opaque)
{
    struct mbox *mb = calloc(1, sizeof(*mb));
    if (!mb)
        return NULL;
    mb->slot = av_frame_alloc();
    if (!mb->slot || pthread_mutex_init(&mb->lock, NULL) != 0) {
        av_frame_free(&mb->slot);
        free(mb);
        return NULL;
    }
    mb->notify = notify;
    mb->opaque = opaque;
    return mb;
}

void mbox_destroy(struct mbox *mb)
{
    if (!mb)
        return;
    av_frame_free(&mb->slot);
    pthread_mutex_destroy(&mb->lock);
    free(mb);
}

void mbox_put(struct mbox *mb, AVFrame *frame, int64_t extra)
{
    pthread_mutex_lock(&mb->lock);
    if (mb->full) {
        av_frame_unref(mb->slot);
        mb->counts.dropped++;
    }
    av_frame_move_ref(mb->slot, frame);
    mb->full = 1;
    mb->extra = extra;
    mb->counts.put++;
    pthread_mutex_unlock(&mb->lock);
    if (mb->notify)
        mb->notify(mb->opaque);
}

int mbox_take(struct mbox *mb, AVFrame *dst, int64_t *extra)
{
    pthread_mutex_lock(&mb->lock);
    int got = mb->full;
    if (got) {
        av_frame_move_ref(dst, mb->slot);
        if (extra)
            *extra = mb->extra;
        mb->full = 0;
        mb->counts.taken++;
    }
    pthread_mutex_unlock(&mb->lock);
    return got;
}

void mbox_clear(struct mbox *mb)
{
    pthread_mutex_lock(&mb->lock);
    if (mb->full) {
        av_frame_unref(mb->slot);
        mb->full = 0;
        mb->counts.dropped++;
    }
    pthread_mutex_unlock(&mb->lock);
}

struct mbox_counts mbox_counts(struct mbox *mb)
{
    pthread_mutex_lock(&mb->lock);
    struct mbox_counts c = mb->counts;
    pthread_mutex_unlock(&mb->lock);
    return c;
}
