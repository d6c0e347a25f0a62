/*
 * output.h - the screens a wall draws on: one SDL window per layout output
 * (borderless at its display's bounds, or offscreen with --headless) and one
 * OpenGL 3.3 core context shared by all of them, so a feed's textures are
 * uploaded once and drawn by every output.  It also places the windows on
 * the displays the layout names (and again when displays come and go), and
 * keeps the wall a kiosk: no screen saver, the cursor hides when idle, and a
 * close request asks for confirmation (kiosk.h).  docs/displays.md tells
 * the whole story.
 *
 * Threads: render thread only.
 */
#ifndef TESSERA_OUTPUT_H
#define TESSERA_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "layout/layout.h"

struct tlog;
struct out_set;
union SDL_Event;

struct out_options {
    bool headless; /* SDL's offscreen driver (EGL), no window on any screen */
    bool vsync;    /* swap interval 1 on one output only: the first shown */
    const char *node; /* this PC's node: the windows of outputs another node
                         drives stay hidden (NULL: every output is shown) */
};

/* What out_handle_event() and out_tick() ask of the app (bit flags). */
enum {
    OUT_REDRAW = 1, /* windows moved, appeared or the banner changed: redraw all */
    OUT_PRESENT = 2, /* a window was uncovered: present every output again */
};

/* The operator's keys and clicks, in the app's own terms (out_poll() turns
 * SDL's events into these; nothing outside output/ sees SDL). */
enum out_input_kind { OUT_INPUT_NONE = 0, OUT_INPUT_KEY, OUT_INPUT_CLICK };

enum out_key {
    OUT_KEY_OTHER = 0,
    OUT_KEY_DIGIT,        /* 1 … 9 of the main keys (.digit) */
    OUT_KEY_KEYPAD_DIGIT, /* 1 … 9 of the keypad (.digit) */
    OUT_KEY_ENTER,        /* Return or keypad Enter */
    OUT_KEY_ESCAPE,
    OUT_KEY_LEFT, OUT_KEY_RIGHT, OUT_KEY_UP, OUT_KEY_DOWN,
    OUT_KEY_LETTER,       /* a … z (.letter, lower case) */
    OUT_KEY_F1,
};

struct out_input {
    enum out_input_kind kind;
    int output;           /* the output whose window it came to; 0 if none */
    enum out_key key;     /* KEY */
    int digit;            /* DIGIT, KEYPAD_DIGIT: 1 … 9 */
    char letter;          /* LETTER */
    bool ctrl, repeat;    /* KEY: Ctrl held; the key repeats */
    int x, y;             /* CLICK (left button): in the output's layout pixels */
};

/* The size an output without "size" gets when there is no monitor to ask
 * (headless, or its display is not connected). */
#define OUT_DEFAULT_WIDTH 1920
#define OUT_DEFAULT_HEIGHT 1080

/* Gives every output of every view of layout that has no "size" (0x0) one:
 * the bounds of the display it names or, headless or when that display is
 * missing, OUT_DEFAULT_WIDTH x OUT_DEFAULT_HEIGHT; each choice is logged.
 * Call it once after loading a layout, before anything reads sizes. */
void out_resolve_sizes(struct layout *layout, bool headless, const struct tlog *log);

/* Initialises SDL video, creates one window per output of layout, one GL
 * context, and loads GL entry points with GLEW.  Each window goes to the
 * display its output names (at that display's bounds), else output i to
 * display i (else display 0) at the output's size; an output whose display
 * is missing is logged and drawn offscreen, its window hidden.  Returns NULL
 * (reason logged) on failure. */
struct out_set *out_set_create(const struct layout *layout,
                               const struct out_options *opt,
                               const struct tlog *log);

/* Makes the set show these n outputs (a reloaded layout): windows are
 * renamed, resized and placed again, created for outputs added and hidden
 * for outputs removed; the GL context and its objects stay.  Returns 0, or
 * -1 (logged) when a window cannot be created (the set stays usable, with
 * its old outputs named as far as they were changed). */
int out_set_apply(struct out_set *set, const struct layout_output *outs, int n);

/* Sets this PC's node (NULL: every output is this PC's) for the next
 * out_set_apply(): another node's outputs get a small hidden window and no
 * display, and the others take the displays in order among themselves. */
void out_set_node(struct out_set *set, const char *node);

/* Destroys windows and the context and shuts SDL video down; accepts NULL. */
void out_set_destroy(struct out_set *set);

/* Number of outputs. */
int out_count(const struct out_set *set);

/* Makes output i current for drawing and returns its drawable size. */
void out_begin(struct out_set *set, int i, int *width, int *height);

/* Presents output i (swaps its buffers); nothing for a hidden output. */
void out_present(struct out_set *set, int i);

/* The output index of the SDL window with this id, or -1. */
int out_index_of_window(const struct out_set *set, uint32_t window_id);

/* The layout name of output i (for snapshot file names). */
const char *out_name(const struct out_set *set, int i);

/* A one-line description of the GL implementation (renderer, version). */
const char *out_gl_description(const struct out_set *set);

#ifndef TESSERA_HEADLESS_ONLY

/* Prints one line per display SDL sees (index, name as a JSON string,
 * bounds and usable bounds as WxH+X+Y, refresh rate) on f.  Starts and
 * stops SDL video itself.  Returns 0, or -1 (reason logged) when SDL video
 * cannot start. */
int out_list_displays(FILE *f, const struct tlog *log);

/* Whether output i has a window on a display (false when headless or while
 * its display is missing): only then is it worth presenting. */
bool out_visible(const struct out_set *set, int i);

/* Takes the SDL events that concern outputs and the kiosk at now_us:
 * displays added or removed (windows re-placed), window close and SDL_QUIT
 * (the confirmation banner, never an exit), mouse motion (cursor back), Esc
 * (banner away).  Returns OUT_REDRAW or 0; other events are ignored. */
unsigned out_handle_event(struct out_set *set, const union SDL_Event *ev,
                          int64_t now_us);

/* Routes SDL's log messages to log (call before out_set_create()). */
void out_route_logs(const struct tlog *log);

/* Takes the pending events one at a time: those that concern outputs and
 * the kiosk are handled here (OUT_REDRAW / OUT_PRESENT ORed into *flags);
 * an operator's key or click fills *in.  Returns true when an event was
 * taken (in->kind is OUT_INPUT_NONE when it was not operator input), false
 * when none is left. */
bool out_poll(struct out_set *set, int64_t now_us, struct out_input *in, unsigned *flags);

/* Lets time pass at now_us (call once per loop turn): the banner ends after
 * 10 s, the cursor hides after 3 s without motion.  Returns OUT_REDRAW or 0. */
unsigned out_tick(struct out_set *set, int64_t now_us);

/* The kiosk banner to draw over every output now, or NULL.  Static text. */
const char *out_banner(const struct out_set *set);

#else /* TESSERA_HEADLESS_ONLY: output_egl.c has the functions above; there
       * are no displays, windows or events, so the rest is inline. */

static inline int out_list_displays(FILE *f, const struct tlog *log)
{
    (void)f, (void)log;
    fprintf(stderr, "tessera: this build has no SDL, so no displays "
                    "(TESSERA_HEADLESS_ONLY)\n");
    return -1;
}

static inline bool out_visible(const struct out_set *set, int i)
{
    (void)set, (void)i;
    return false;
}

static inline unsigned out_handle_event(struct out_set *set, const union SDL_Event *ev,
                                        int64_t now_us)
{
    (void)set, (void)ev, (void)now_us;
    return 0;
}

static inline void out_route_logs(const struct tlog *log)
{
    (void)log;
}

static inline bool out_poll(struct out_set *set, int64_t now_us, struct out_input *in,
                            unsigned *flags)
{
    (void)set, (void)now_us, (void)in, (void)flags;
    return false;
}

static inline unsigned out_tick(struct out_set *set, int64_t now_us)
{
    (void)set, (void)now_us;
    return 0;
}

static inline const char *out_banner(const struct out_set *set)
{
    (void)set;
    return NULL;
}

#endif
#endif
