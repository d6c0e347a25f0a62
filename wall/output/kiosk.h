/*
 * kiosk.h - the unattended-wall behaviour of the output windows as a pure
 * state machine (no SDL, no clock of its own): the mouse cursor hides after
 * a few seconds without motion and comes back on motion, and a window close
 * or quit request does not end the wall but shows a confirmation banner for a
 * while (Ctrl+Q quits, Esc keeps the wall running).  output.c feeds it SDL's
 * events and the time; the app draws the banner text it returns.
 *
 * Threads: whoever owns the struct (the render thread, through output.c).
 */
#ifndef TESSERA_KIOSK_H
#define TESSERA_KIOSK_H

#include <stdbool.h>
#include <stdint.h>

#define KIOSK_CURSOR_IDLE_US 3000000  /* cursor hides after 3 s without motion */
#define KIOSK_BANNER_US 10000000      /* the close banner shows for 10 s */
#define KIOSK_BANNER_TEXT "Press Ctrl+Q to quit, or Esc to keep the wall running"

/* What happened (the time comes with it). */
enum kiosk_input {
    KIOSK_TICK = 0, /* time passed */
    KIOSK_MOTION,   /* the mouse moved */
    KIOSK_CLOSE,    /* a window close or a quit request (SDL_QUIT) */
    KIOSK_KEEP,     /* Esc: keep the wall running */
};

/* What kiosk_step() asks of its caller (bit flags). */
enum {
    KIOSK_REDRAW = 1,         /* the banner appeared or went: redraw */
    KIOSK_CURSOR_CHANGED = 2, /* show or hide the cursor (kiosk_cursor_visible) */
};

struct kiosk {
    int64_t last_motion_us;  /* last mouse motion, or the start */
    int64_t banner_until_us; /* when the banner goes (if banner) */
    bool banner;             /* the close banner is up */
    bool cursor_visible;
};

/* Starts the machine at now_us: cursor visible (it hides after the idle
 * time), no banner. */
void kiosk_init(struct kiosk *k, int64_t now_us);

/* Applies one input at now_us (times never go backwards) and returns
 * KIOSK_REDRAW and/or KIOSK_CURSOR_CHANGED, or 0.  A close request shows the
 * banner (again: a second one restarts its time); KIOSK_KEEP hides it; a
 * tick ends it once its time is up and hides an idle cursor. */
unsigned kiosk_step(struct kiosk *k, enum kiosk_input in, int64_t now_us);

/* The banner text to draw now, or NULL when there is none.  The string is
 * static. */
const char *kiosk_banner(const struct kiosk *k);

/* Whether the mouse cursor should be visible. */
bool kiosk_cursor_visible(const struct kiosk *k);

#endif
