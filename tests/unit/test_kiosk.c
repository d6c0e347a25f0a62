/*
 * test_kiosk.c - the kiosk state machine (output/kiosk.h): cursor hiding
 * after 3 s without motion, the close-confirmation banner for 10 s, Esc,
 * repeated close requests; as tables of steps {input, time, expected}.
 */
#include "output/kiosk.h"

#include <stddef.h>

#include "check.h"

#define MS 1000LL
#define NONE 0
#define REDRAW KIOSK_REDRAW
#define CURSOR KIOSK_CURSOR_CHANGED

struct step {
    enum kiosk_input in;
    int64_t t_ms;  /* since kiosk_init */
    unsigned want; /* kiosk_step's flags */
    bool banner;   /* a banner after the step */
    bool cursor;   /* cursor visible after the step */
};

struct scenario {
    const char *name;
    const struct step *steps;
    int n;
};

static const struct step cursor_steps[] = {
    {KIOSK_TICK, 0, NONE, false, true},
    {KIOSK_TICK, 2999, NONE, false, true},
    {KIOSK_TICK, 3000, CURSOR, false, false},   /* 3 s idle: hidden */
    {KIOSK_TICK, 5000, NONE, false, false},     /* stays hidden, no repeat */
    {KIOSK_MOTION, 5100, CURSOR, false, true},  /* motion: back */
    {KIOSK_MOTION, 6000, NONE, false, true},
    {KIOSK_TICK, 8999, NONE, false, true},      /* 3 s from the last motion */
    {KIOSK_TICK, 9000, CURSOR, false, false},
};

static const struct step banner_steps[] = {
    {KIOSK_MOTION, 0, NONE, false, true},
    {KIOSK_CLOSE, 1000, REDRAW, true, true},    /* close: banner, no quit */
    {KIOSK_TICK, 2000, NONE, true, true},
    {KIOSK_TICK, 4000, CURSOR, true, false},    /* cursor hides meanwhile */
    {KIOSK_TICK, 10999, NONE, true, false},
    {KIOSK_TICK, 11000, REDRAW, false, false},  /* 10 s: banner gone */
    {KIOSK_TICK, 12000, NONE, false, false},
};

static const struct step keep_steps[] = {
    {KIOSK_KEEP, 100, NONE, false, true},       /* Esc without a banner */
    {KIOSK_CLOSE, 200, REDRAW, true, true},
    {KIOSK_CLOSE, 5200, CURSOR, true, false},   /* again: restarts the 10 s
                                                   (and the idle cursor hides) */
    {KIOSK_TICK, 10200, NONE, true, false},     /* not yet gone at 10.2 s */
    {KIOSK_TICK, 15199, NONE, true, false},
    {KIOSK_TICK, 15200, REDRAW, false, false},
    {KIOSK_CLOSE, 16000, REDRAW, true, false},
    {KIOSK_KEEP, 17000, REDRAW, false, false},  /* Esc: banner gone at once */
    {KIOSK_KEEP, 17100, NONE, false, false},
    {KIOSK_TICK, 30000, NONE, false, false},    /* and it does not come back */
};

/* A late tick handles both timeouts at once. */
static const struct step late_steps[] = {
    {KIOSK_CLOSE, 0, REDRAW, true, true},
    {KIOSK_TICK, 60000, REDRAW | CURSOR, false, false},
    {KIOSK_MOTION, 60001, CURSOR, false, true},
    {KIOSK_CLOSE, 60002, REDRAW, true, true},
};

#define SCENARIO(s) {#s, s, (int)(sizeof(s) / sizeof(s[0]))}

static void run(struct check_counts *cc, const struct scenario *sc, int64_t t0)
{
    struct kiosk k;
    kiosk_init(&k, t0);
    for (int i = 0; i < sc->n; i++) {
        const struct step *s = &sc->steps[i];
        unsigned got = kiosk_step(&k, s->in, t0 + s->t_ms * MS);
        CHECK(cc, got == s->want, "%s step %d: flags %u, want %u", sc->name, i, got,
              s->want);
        CHECK(cc, (kiosk_banner(&k) != NULL) == s->banner, "%s step %d: banner %s",
              sc->name, i, kiosk_banner(&k) ? "shown" : "absent");
        CHECK(cc, kiosk_cursor_visible(&k) == s->cursor, "%s step %d: cursor %s",
              sc->name, i, kiosk_cursor_visible(&k) ? "visible" : "hidden");
    }
}

int main(void)
{
    struct check_counts cc = {0};
    static const struct scenario scenarios[] = {
        SCENARIO(cursor_steps), SCENARIO(banner_steps), SCENARIO(keep_steps),
        SCENARIO(late_steps),
    };
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
        run(&cc, &scenarios[i], 0);
        run(&cc, &scenarios[i], 1234567890123LL); /* any clock origin */
    }
    struct kiosk k;
    kiosk_init(&k, -10 * KIOSK_BANNER_US); /* a banner ending exactly at 0 */
    kiosk_step(&k, KIOSK_CLOSE, -KIOSK_BANNER_US);
    CHECK(&cc, kiosk_banner(&k) != NULL, "banner ending at time 0 is shown");
    CHECK_STR(&cc, kiosk_banner(&k),
              "Press Ctrl+Q to quit, or Esc to keep the wall running");
    CHECK_INT(&cc, kiosk_step(&k, KIOSK_TICK, 0) & KIOSK_REDRAW, KIOSK_REDRAW);
    CHECK(&cc, kiosk_banner(&k) == NULL, "banner gone at time 0");
    return check_report(&cc);
}
