/*
 * test_mailbox.c - the latest-frame slot: newest wins, nothing queues, counts
 * add up, and a producer and a consumer on two threads never lose or
 * duplicate a frame.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"
#include "mailbox/mailbox.h"

#define PRODUCED 20000

static AVFrame *numbered_frame(int n)
{
    AVFrame *f = av_frame_alloc();
    f->format = AV_PIX_FMT_GRAY8;
    f->width = 4;
    f->height = 4;
    av_frame_get_buffer(f, 0);
    f->pts = n;
    return f;
}

static void count_notify(void *opaque)
{
    atomic_fetch_add((atomic_int *)opaque, 1);
}

static void test_latest_wins(struct check_counts *cc)
{
    atomic_int notified = 0;
    struct mbox *mb = mbox_create(false, count_notify, &notified);
    AVFrame *dst = av_frame_alloc();
    int64_t extra = 0;
    CHECK_INT(cc, mbox_take(mb, dst, &extra), 0);
    for (int i = 1; i <= 3; i++) {
        AVFrame *f = numbered_frame(i);
        mbox_put(mb, f, 100 + i);
        CHECK(cc, f->buf[0] == NULL, "put leaves the frame blank");
        av_frame_free(&f);
    }
    CHECK_INT(cc, mbox_take(mb, dst, &extra), 1);
    CHECK_INT(cc, dst->pts, 3);
    CHECK_INT(cc, extra, 103);
    av_frame_unref(dst);
    CHECK_INT(cc, mbox_take(mb, dst, &extra), 0);
    struct mbox_counts c = mbox_counts(mb);
    CHECK_INT(cc, c.put, 3);
    CHECK_INT(cc, c.taken, 1);
    CHECK_INT(cc, c.dropped, 2);
    CHECK_INT(cc, atomic_load(&notified), 3);
    AVFrame *f = numbered_frame(9);
    mbox_put(mb, f, 0);
    mbox_clear(mb);
    CHECK_INT(cc, mbox_take(mb, dst, NULL), 0);
    av_frame_free(&f);
    av_frame_free(&dst);
    mbox_destroy(mb);
}

static void *producer(void *arg)
{
    struct mbox *mb = arg;
    for (int i = 1; i <= PRODUCED; i++) {
        AVFrame *f = numbered_frame(i);
        mbox_put(mb, f, i);
        av_frame_free(&f);
    }
    return NULL;
}

/* Frames arrive in order, none twice, the last one always arrives, and
 * taken + dropped == put. */
static void test_threads(struct check_counts *cc)
{
    struct mbox *mb = mbox_create(false, NULL, NULL);
    pthread_t th;
    pthread_create(&th, NULL, producer, mb);
    AVFrame *dst = av_frame_alloc();
    int64_t last = 0, extra;
    int out_of_order = 0, mismatched = 0;
    while (last < PRODUCED) {
        if (!mbox_take(mb, dst, &extra))
            continue;
        out_of_order += dst->pts <= last;
        mismatched += extra != dst->pts;
        last = dst->pts;
        av_frame_unref(dst);
    }
    pthread_join(th, NULL);
    CHECK_INT(cc, out_of_order, 0);
    CHECK_INT(cc, mismatched, 0);
    CHECK_INT(cc, last, PRODUCED);
    struct mbox_counts c = mbox_counts(mb);
    CHECK_INT(cc, c.put, PRODUCED);
    CHECK_INT(cc, c.taken + c.dropped, PRODUCED);
    av_frame_free(&dst);
    mbox_destroy(mb);
}

/* The jitter buffer mode: frames wait for their due time, at most four are
 * held (the oldest goes, counted late and dropped), frames are never lost
 * or leaked (ASan), and the newest due one is taken. */
static void test_smooth(struct check_counts *cc)
{
    struct mbox *mb = mbox_create(true, NULL, NULL);
    AVFrame *dst = av_frame_alloc();
    int64_t extra = 0;
    for (int i = 0; i < 10; i++) { /* a steady source: due on arrival */
        AVFrame *f = numbered_frame(i);
        mbox_put_timed(mb, f, i, (int64_t)i * 40000, 1000000 + (int64_t)i * 40000);
        av_frame_free(&f);
    }
    struct mbox_counts c = mbox_counts(mb);
    CHECK_INT(cc, c.put, 10);
    CHECK_INT(cc, c.dropped, 6); /* pushed out of the full buffer */
    CHECK_INT(cc, c.late, 6);
    CHECK(cc, mbox_next_due(mb) <= 1000000 + 6 * 40000, "next due %lld",
          (long long)mbox_next_due(mb));
    CHECK_INT(cc, mbox_take_due(mb, 0, dst, &extra), 0); /* nothing due yet */
    CHECK_INT(cc, mbox_take_due(mb, 1000000 + 8 * 40000, dst, &extra), 1);
    CHECK_INT(cc, dst->pts, 8);
    CHECK_INT(cc, extra, 8);
    av_frame_unref(dst);
    c = mbox_counts(mb);
    CHECK_INT(cc, c.dropped, 8); /* 6 and 7 were due too */
    CHECK_INT(cc, c.taken, 1);
    CHECK_INT(cc, mbox_next_due(mb) < INT64_MAX, 1); /* frame 9 waits */
    mbox_destroy(mb); /* frees frame 9 */
    av_frame_free(&dst);
}

int main(void)
{
    struct check_counts cc = {0};
    test_latest_wins(&cc);
    test_smooth(&cc);
    test_threads(&cc);
    mbox_destroy(NULL);
    return check_report(&cc);
}
