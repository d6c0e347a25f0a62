/*
 * kiosk.c - the cursor and close-confirmation state machine of kiosk.h; pure
 * (the caller passes the time), so the unit test drives it step by step.
 */
#include "output/kiosk.h"

#include <stddef.h>

void kiosk_init(struct kiosk *k, int64_t now_us)
{
    *k = (struct kiosk){.last_motion_us = now_us, .cursor_visible = true};
}

/* Expires what has timed out at now_us; returns kiosk_step's flags. */
static unsigned kiosk_expire(struct kiosk *k, int64_t now_us)
{
    unsigned out = 0;
    if (k->banner && now_us >= k->banner_until_us) {
        k->banner = false;
        out |= KIOSK_REDRAW;
    }
    if (k->cursor_visible && now_us - k->last_motion_us >= KIOSK_CURSOR_IDLE_US) {
        k->cursor_visible = false;
        out |= KIOSK_CURSOR_CHANGED;
    }
    return out;
}

unsigned kiosk_step(struct kiosk *k, enum kiosk_input in, int64_t now_us)
{
    unsigned out = 0;
    switch (in) {
    case KIOSK_TICK:
        break;
    case KIOSK_MOTION:
        k->last_motion_us = now_us;
        if (!k->cursor_visible) {
            k->cursor_visible = true;
            out |= KIOSK_CURSOR_CHANGED;
        }
        break;
    case KIOSK_CLOSE:
        if (!k->banner)
            out |= KIOSK_REDRAW;
        k->banner = true;
        k->banner_until_us = now_us + KIOSK_BANNER_US;
        break;
    case KIOSK_KEEP:
        if (k->banner) {
            k->banner = false;
            out |= KIOSK_REDRAW;
        }
        break;
    }
    return out | kiosk_expire(k, now_us);
}

const char *kiosk_banner(const struct kiosk *k)
{
    return k->banner ? KIOSK_BANNER_TEXT : NULL;
}

bool kiosk_cursor_visible(const struct kiosk *k)
{
    return k->cursor_visible;
}
