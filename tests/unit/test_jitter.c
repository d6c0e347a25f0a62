/*
 * test_jitter.c - the jitter buffer's playout plan (mailbox/jitter.h) on
 * synthetic timestamps: a steady source gets no delay and loses nothing; a
 * source delivering in pairs gets a delay of one to two frame intervals and
 * shows every frame (newest-wins loses half of them); the queue never holds
 * more than JIT_MAX frames nor a frame longer than two intervals; timestamp
 * jumps, unknown timestamps and a calming source are handled.
 */
#include <stdlib.h>

#include "check.h"
#include "mailbox/jitter.h"

#define FRAME 33333      /* 30 fps */
#define TICK 16667       /* the renderer wakes at 60 Hz */
#define N 900            /* 30 s of frames */
#define WARM 90          /* frames before the estimates have settled */

/* What a simulated renderer saw. */
struct sim {
    int shown;           /* frames taken (after WARM) */
    int evicted;         /* frames pushed out of a full queue (after WARM) */
    int64_t max_wait;    /* longest arrival-to-taken time (after WARM) */
    int64_t max_delay;   /* largest playout delay seen (after WARM) */
    int64_t last_delay;  /* the delay at the end */
    uint64_t late;       /* jit->late counted after WARM */
};

/* Feeds frames (pts[i] arriving at arr[i]) into j while a renderer takes the
 * newest due frame every TICK, as the mailbox and the render loop do. */
static void simulate(struct jit *j, const int64_t *pts, const int64_t *arr, int n,
                     struct sim *out)
{
    int64_t held[JIT_MAX] = {0}; /* per slot: the frame's index */
    *out = (struct sim){0};
    uint64_t late0 = 0;
    int next = 0;
    for (int64_t t = arr[0]; t < arr[n - 1] + 10 * FRAME; t += TICK) {
        for (; next < n && arr[next] <= t; next++) {
            int ev;
            int s = jit_push(j, pts[next], arr[next], &ev);
            out->evicted += ev >= 0 && next > WARM;
            held[s] = next;
            if (next == WARM)
                late0 = j->late;
            if (next > WARM && j->delay_us > out->max_delay)
                out->max_delay = j->delay_us;
        }
        int k = jit_due_count(j, t);
        if (k == 0)
            continue;
        int i = (int)held[jit_slot(j, k - 1)];
        if (i > WARM) {
            out->shown++;
            if (t - arr[i] > out->max_wait)
                out->max_wait = t - arr[i];
        }
        jit_pop(j, k);
    }
    out->last_delay = j->delay_us;
    out->late = j->late - late0;
}

/* Deterministic scheduling noise of up to +-amp us. */
static int64_t noise(unsigned *seed, int64_t amp)
{
    return (int64_t)(rand_r(seed) % (unsigned)(2 * amp + 1)) - amp;
}

static void make_steady(int64_t *pts, int64_t *arr, int n)
{
    unsigned seed = 7;
    for (int i = 0; i < n; i++) {
        pts[i] = 900000000 + (int64_t)i * FRAME; /* any origin */
        arr[i] = 5000000 + (int64_t)i * FRAME + 3000 + noise(&seed, 1000);
    }
}

/* Frames held back and released two at a time (a server catching up). */
static void make_pairs(int64_t *pts, int64_t *arr, int n)
{
    unsigned seed = 11;
    for (int i = 0; i < n; i++) {
        pts[i] = (int64_t)i * FRAME;
        arr[i] = 5000000 + (int64_t)(i | 1) * FRAME + noise(&seed, 1000);
    }
    for (int i = 1; i < n; i++) /* arrivals never go backwards */
        arr[i] = arr[i] < arr[i - 1] ? arr[i - 1] : arr[i];
}

static void test_steady(struct check_counts *cc)
{
    static int64_t pts[N], arr[N];
    make_steady(pts, arr, N);
    struct jit j;
    jit_init(&j, true);
    struct sim s;
    simulate(&j, pts, arr, N, &s);
    CHECK_INT(cc, s.shown, N - WARM - 1);
    CHECK_INT(cc, s.late, 0);
    CHECK_INT(cc, s.max_delay, 0);
    CHECK(cc, j.jitter_us < 2000, "steady jitter %.0f us", j.jitter_us);
    CHECK(cc, s.max_wait <= TICK, "steady: a frame waited %lld us", (long long)s.max_wait);
    CHECK(cc, j.frame_us > FRAME - 100 && j.frame_us < FRAME + 100, "frame %lld",
          (long long)j.frame_us);
}

static void test_pairs(struct check_counts *cc)
{
    static int64_t pts[N], arr[N];
    make_pairs(pts, arr, N);
    struct jit j;
    jit_init(&j, true);
    struct sim s;
    simulate(&j, pts, arr, N, &s);
    CHECK_INT(cc, s.shown, N - WARM - 1);
    CHECK_INT(cc, s.late, 0);
    CHECK_INT(cc, s.evicted, 0);
    CHECK(cc, j.jitter_us > 25000 && j.jitter_us < 40000, "pairs jitter %.0f us",
          j.jitter_us);
    CHECK(cc, s.max_delay >= FRAME && s.max_delay <= 2 * FRAME, "pairs delay %lld us",
          (long long)s.max_delay);
    CHECK(cc, s.max_wait <= 2 * FRAME + TICK, "pairs: a frame waited %lld us",
          (long long)s.max_wait);

    /* today's newest-wins loses about every other frame of the same source */
    jit_init(&j, false);
    simulate(&j, pts, arr, N, &s);
    CHECK(cc, s.evicted > (N - WARM) / 3, "newest wins evicted only %d", s.evicted);
    CHECK(cc, s.shown < (N - WARM) * 2 / 3, "newest wins showed %d", s.shown);
    CHECK_INT(cc, s.max_delay, 0);
    CHECK_INT(cc, j.late, 0); /* late is a jitter-buffer count */
}

/* After a bursty spell the delay shrinks back to 0 without skipping. */
static void test_calms_down(struct check_counts *cc)
{
    static int64_t pts[2 * N], arr[2 * N];
    make_pairs(pts, arr, N);
    for (int i = N; i < 2 * N; i++) {
        pts[i] = (int64_t)i * FRAME;
        arr[i] = 5000000 + (int64_t)i * FRAME + FRAME + 2000;
    }
    struct jit j;
    jit_init(&j, true);
    struct sim s;
    simulate(&j, pts, arr, 2 * N, &s);
    CHECK_INT(cc, s.last_delay, 0);
    CHECK_INT(cc, s.late, 0);
    CHECK_INT(cc, s.shown, 2 * N - WARM - 1);
}

/* The queue is bounded and never holds a frame beyond two intervals. */
static void test_bounded(struct check_counts *cc)
{
    struct jit j;
    jit_init(&j, true);
    int ev;
    int evicted = 0;
    for (int i = 0; i < 200; i++) { /* bursty: 10 frames at once */
        int64_t a = (int64_t)(i / 10) * 10 * FRAME;
        int oldest = j.count ? jit_slot(&j, 0) : -1;
        int s = jit_push(&j, (int64_t)i * FRAME, a, &ev);
        evicted += ev >= 0;
        CHECK(cc, ev < 0 || ev == oldest, "frame %d evicted slot %d, oldest %d", i, ev, oldest);
        CHECK(cc, s != jit_slot(&j, 0) || j.count == 1, "frame %d stored over the oldest", i);
        CHECK(cc, j.count <= JIT_MAX, "count %d", j.count);
        CHECK(cc, jit_next_due(&j) <= a + 2 * j.frame_us + 1, "frame %d due %lld after arrival",
              i, (long long)(jit_next_due(&j) - a));
    }
    CHECK_INT(cc, evicted, 200 - JIT_MAX);
    CHECK_INT(cc, j.late, 200 - JIT_MAX);
    jit_pop(&j, jit_due_count(&j, INT64_MAX));
    CHECK_INT(cc, j.count, 0);
    CHECK_INT(cc, jit_next_due(&j), INT64_MAX);
}

/* A loop (pts back to 0) or a jump does not hold frames back, nor make
 * them all late. */
static void test_jumps(struct check_counts *cc)
{
    static int64_t pts[N], arr[N];
    make_steady(pts, arr, N);
    for (int i = N / 2; i < N; i++)
        pts[i] = (int64_t)(i - N / 2) * FRAME; /* back to 0 */
    struct jit j;
    jit_init(&j, true);
    struct sim s;
    simulate(&j, pts, arr, N, &s);
    CHECK_INT(cc, s.shown, N - WARM - 1);
    CHECK(cc, s.late <= 1, "late after a jump %llu", (unsigned long long)s.late);
    CHECK(cc, s.max_wait <= 2 * FRAME + TICK, "jump: waited %lld", (long long)s.max_wait);
}

static void test_unknown_pts(struct check_counts *cc)
{
    struct jit j;
    jit_init(&j, true);
    int ev;
    jit_push(&j, JIT_NONE, 1000, &ev);
    CHECK_INT(cc, jit_next_due(&j), 1000);
    CHECK_INT(cc, jit_due_count(&j, 1000), 1);
    jit_push(&j, JIT_NONE, 2000, &ev);
    CHECK_INT(cc, jit_due_count(&j, 5000), 2);
    jit_pop(&j, 2);
    CHECK_INT(cc, j.late, 1);
    jit_push(&j, 0, 3000, &ev);
    jit_clear(&j);
    CHECK_INT(cc, j.count, 0);
    CHECK_INT(cc, j.late, 1);
}

/* Newest wins: one entry; the evicted slot is the one that held it, and the
 * new frame goes into a slot that no queued frame holds. */
static void test_low_slots(struct check_counts *cc)
{
    struct jit j;
    jit_init(&j, false);
    int ev, held = -1;
    for (int i = 0; i < 10; i++) {
        int s = jit_push(&j, (int64_t)i * FRAME, (int64_t)i * FRAME, &ev);
        CHECK_INT(cc, ev, held);
        CHECK_INT(cc, j.count, 1);
        CHECK(cc, s >= 0 && s < JIT_MAX, "slot %d", s);
        held = s;
    }
    CHECK_INT(cc, jit_due_count(&j, 9 * FRAME), 1);
    jit_pop(&j, 1);
    CHECK_INT(cc, j.late, 0);
    CHECK_INT(cc, j.count, 0);
}

int main(void)
{
    struct check_counts cc = {0};
    test_steady(&cc);
    test_pairs(&cc);
    test_calms_down(&cc);
    test_bounded(&cc);
    test_jumps(&cc);
    test_unknown_pts(&cc);
    test_low_slots(&cc);
    return check_report(&cc);
}
