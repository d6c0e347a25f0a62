/*
 * output.c - SDL windows, the one shared GL context, which display each
 * window goes on, and the kiosk behaviour (kiosk.h) on top of SDL.
 *
 * Placement: a window is borderless at its display's bounds (no fullscreen
 * mode: SDL_WINDOW_FULLSCREEN_DESKTOP needs a window manager, which a wall
 * PC may not run).  An output without "display" keeps its layout size and
 * goes to the top-left corner of display i (its output index) when that
 * exists, else of display 0.  An output whose display is missing keeps
 * being drawn into its framebuffer, its window hidden, until a display event
 * brings it back; then every window is placed again at the displays' new
 * bounds.  Vsync: swap interval 1 on the first shown window only, 0 on the
 * others, so that one present waits for the refresh and the rest do not
 * queue behind it (several windows each with vsync serialise their waits).
 *
 * Headless runs use SDL's offscreen video driver, which creates EGL pbuffer
 * surfaces: there, Debian's GLX-built GLEW reports GLEW_ERROR_NO_GLX_DISPLAY
 * although it loaded the GL functions, so that one error is accepted after
 * checking that the entry points the renderer needs are really there.
 * Headless windows stay hidden at their layout size; "display" is ignored.
 */
#include "output/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <GL/glew.h>
#include <SDL2/SDL.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "output/kiosk.h"

/* Where a window is. */
enum out_place {
    OUT_PLACE_NEW = 0, /* not placed yet */
    OUT_PLACE_SHOWN,   /* on display `display` at `rect` */
    OUT_PLACE_MISSING, /* its display is not there: hidden, drawn offscreen */
};

struct out_window {
    SDL_Window *window;
    char *name;
    int width, height;     /* the layout's size */
    int want_index;        /* the layout's "display": index, or -1 */
    char *want_name;       /* ... or name, or NULL */
    enum out_place place;
    int target;            /* the SDL display it should be on, or -1 */
    int display;           /* SDL display index when shown */
    SDL_Rect rect;         /* where it was put when shown */
    bool remote;           /* another node (PC) drives this output */
};

struct out_set {
    const struct tlog *log;
    struct out_window *win;
    int n;
    int spare;             /* windows past n kept hidden for reuse (the
                              context was made with window 0) */
    SDL_GLContext gl;
    bool headless, vsync;
    int vsync_window;      /* the window with swap interval 1, or -1 */
    struct kiosk kiosk;
    char gl_desc[256];
    char node[64];         /* this PC's node, or "" (every output is ours) */
};

static void set_gl_attributes(void)
{
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
    SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);
    SDL_GL_SetAttribute(SDL_GL_SHARE_WITH_CURRENT_CONTEXT, 1);
}

/* True when every GL entry point the renderer calls was loaded. */
static bool gl_entry_points_loaded(void)
{
    return glCreateShader && glShaderSource && glCompileShader &&
           glCreateProgram && glLinkProgram && glUseProgram &&
           glGetUniformLocation && glUniform4f && glUniformMatrix3fv &&
           glGenVertexArrays && glBindVertexArray && glActiveTexture &&
           glBindFramebuffer && glDeleteVertexArrays;
}

/* Loads GL entry points; see the file comment for the EGL case. */
static int load_gl(const struct tlog *log)
{
    glewExperimental = GL_TRUE;
    GLenum err = glewInit();
    glGetError(); /* glewInit queries extensions the core profile lacks */
    if (err == GLEW_ERROR_NO_GLX_DISPLAY && gl_entry_points_loaded()) {
        tlog_debug(log, "GLEW has no GLX display (EGL context); GL functions are loaded");
        return 0;
    }
    if (err != GLEW_OK) {
        tlog_err(log, "glewInit: %s", (const char *)glewGetErrorString(err));
        return -1;
    }
    if (!gl_entry_points_loaded()) {
        tlog_err(log, "the OpenGL 3.3 core functions are missing");
        return -1;
    }
    return 0;
}

/* ---- displays ---- */

/* Whether SDL display d is called name: exactly (pass 0) or ignoring case. */
static bool display_called(int d, const char *name, int pass)
{
    const char *dn = SDL_GetDisplayName(d);
    return dn && (pass ? strcasecmp(dn, name) : strcmp(dn, name)) == 0;
}

/* The output before i that goes on display d, or -1. */
static int taken_by(const struct out_set *set, int i, int d)
{
    for (int j = 0; j < i; j++)
        if (set->win[j].target == d)
            return j;
    return -1;
}

/* The display output i goes on now (the outputs before it assigned), or -1
 * when the one it names is missing (or there is no display at all).  A name
 * gives the first display of that name (exactly, else ignoring case) that
 * no earlier output takes: identical monitors share a name (SDL names a
 * monitor after its EDID model and size), so the second output naming one
 * gets the second. */
static int wanted_display(const struct out_set *set, int i)
{
    const struct out_window *w = &set->win[i];
    int n = SDL_GetNumVideoDisplays();
    for (int pass = 0; w->want_name && pass < 2; pass++)
        for (int d = 0; d < n; d++)
            if (display_called(d, w->want_name, pass) && taken_by(set, i, d) < 0)
                return d;
    if (w->want_name)
        return -1;
    if (w->want_index >= 0)
        return w->want_index < n ? w->want_index : -1;
    int k = 0; /* this output's place among this PC's outputs */
    for (int j = 0; j < i; j++)
        k += !set->win[j].remote;
    return k < n ? k : n > 0 ? 0 : -1;
}

/* Sets every output's target display, in output order. */
static void assign_displays(struct out_set *set)
{
    for (int i = 0; i < set->n; i++)
        set->win[i].target = -1;
    for (int i = 0; i < set->n; i++)
        set->win[i].target = set->win[i].remote ? -1 : wanted_display(set, i);
}

/* Why output i has no display, for log lines. */
static const char *missing_text(const struct out_set *set, int i, char *buf, size_t n)
{
    const struct out_window *w = &set->win[i];
    int count = SDL_GetNumVideoDisplays(), by = -1;
    for (int d = 0; w->want_name && by < 0 && d < count; d++)
        if (display_called(d, w->want_name, 1))
            by = taken_by(set, i, d);
    if (by >= 0)
        snprintf(buf, n, "\"%s\" is taken by output %s (identical monitors share "
                 "a name: is another one connected?)", w->want_name, set->win[by].name);
    else if (w->want_name)
        snprintf(buf, n, "\"%s\" is not connected", w->want_name);
    else
        snprintf(buf, n, "%d is not connected", w->want_index);
    return buf;
}

/* The displays there are, as "0 \"DUMMY0\", 1 \"DUMMY1\"" for log lines. */
static const char *displays_text(char *buf, size_t n)
{
    int count = SDL_GetNumVideoDisplays();
    size_t len = 0;
    buf[0] = '\0';
    for (int d = 0; d < count && len < n; d++) {
        const char *dn = SDL_GetDisplayName(d);
        len += (size_t)snprintf(buf + len, n - len, "%s%d \"%s\"", d ? ", " : "", d,
                                dn ? dn : "");
    }
    return count > 0 ? buf : "none";
}

/* ---- placing windows ---- */

/* Hides output i's window: its display is missing.  Logs once per loss. */
static void hide_window(struct out_set *set, int i)
{
    struct out_window *w = &set->win[i];
    char want[256], have[512];
    if (w->place == OUT_PLACE_MISSING)
        return;
    tlog_err(set->log, "output %s: display %s (displays: %s); drawing it offscreen "
             "until it appears", w->name, missing_text(set, i, want, sizeof(want)),
             displays_text(have, sizeof(have)));
    SDL_HideWindow(w->window);
    w->place = OUT_PLACE_MISSING;
}

/* The rectangle output i's window takes on display d. */
static SDL_Rect window_rect(const struct out_window *w, int d)
{
    SDL_Rect b = {0, 0, w->width, w->height};
    SDL_GetDisplayBounds(d, &b);
    if (w->want_name || w->want_index >= 0)
        return b;                  /* the display's bounds */
    return (SDL_Rect){b.x, b.y, w->width, w->height};
}

/* Puts output i where it belongs now (see the file comment); returns true
 * when that changed anything. */
static bool place_window(struct out_set *set, int i)
{
    struct out_window *w = &set->win[i];
    if (set->headless)
        return false;
    if (w->remote) { /* another PC shows it */
        bool changed = w->place == OUT_PLACE_SHOWN;
        SDL_HideWindow(w->window);
        w->place = OUT_PLACE_NEW;
        return changed;
    }
    int d = w->target;
    if (d < 0) {
        bool changed = w->place != OUT_PLACE_MISSING;
        hide_window(set, i);
        return changed;
    }
    SDL_Rect r = window_rect(w, d);
    if (w->place == OUT_PLACE_SHOWN && w->display == d && SDL_RectEquals(&r, &w->rect))
        return false;
    SDL_SetWindowSize(w->window, r.w, r.h);
    SDL_SetWindowPosition(w->window, r.x, r.y);
    SDL_ShowWindow(w->window);
    const char *dn = SDL_GetDisplayName(d);
    tlog_info(set->log, "output %s: %sdisplay %d \"%s\" at %dx%d+%d+%d%s", w->name,
              w->place == OUT_PLACE_MISSING ? "now on " : "on ", d, dn ? dn : "",
              r.w, r.h, r.x, r.y,
              r.w != w->width || r.h != w->height ? " (picture scaled to fit)" : "");
    w->place = OUT_PLACE_SHOWN;
    w->display = d;
    w->rect = r;
    return true;
}

/* Swap interval 1 on the first shown window (vsync on), 0 on the others. */
static void apply_vsync(struct out_set *set)
{
    int v = -1;
    for (int i = 0; set->vsync && v < 0 && i < set->n; i++)
        if (set->headless || set->win[i].place == OUT_PLACE_SHOWN)
            v = i;
    if (v == set->vsync_window)
        return;
    bool ok = true;
    for (int i = 0; i < set->n; i++) {
        SDL_GL_MakeCurrent(set->win[i].window, set->gl);
        if (SDL_GL_SetSwapInterval(i == v ? 1 : 0) < 0 && i == v)
            ok = false;
    }
    if (v >= 0 && !set->headless)
        tlog_printf(set->log, ok ? TLOG_DEBUG : TLOG_INFO, "vsync on output %s only%s%s",
                    set->win[v].name, ok ? "" : ": not available here: ",
                    ok ? "" : SDL_GetError());
    set->vsync_window = v;
}

/* Warns about shown outputs that overlap on one display. */
static void warn_shared_displays(const struct out_set *set)
{
    for (int i = 0; i < set->n; i++)
        for (int j = i + 1; j < set->n; j++) {
            const struct out_window *a = &set->win[i], *b = &set->win[j];
            if (a->place == OUT_PLACE_SHOWN && b->place == OUT_PLACE_SHOWN &&
                SDL_HasIntersection(&a->rect, &b->rect))
                tlog_warn(set->log, "outputs %s and %s overlap on display %d", a->name,
                          b->name, b->display);
        }
}

/* Places every window again (displays changed); true when any moved. */
static bool place_all(struct out_set *set)
{
    bool changed = false;
    assign_displays(set);
    for (int i = 0; i < set->n; i++)
        changed |= place_window(set, i);
    if (changed)
        warn_shared_displays(set);
    if (changed && set->gl)
        apply_vsync(set);
    return changed;
}

/* ---- the set ---- */

static int create_window(struct out_set *set, int i, const struct layout_output *lo)
{
    struct out_window *w = &set->win[i];
    Uint32 flags = SDL_WINDOW_OPENGL | SDL_WINDOW_HIDDEN;
    if (!set->headless)
        flags |= SDL_WINDOW_BORDERLESS;
    w->remote = !layout_output_on_node(lo, set->node[0] ? set->node : NULL);
    w->width = lo->width;
    w->height = lo->height;
    w->want_index = lo->display_index;
    w->name = strdup(lo->name);
    w->want_name = lo->display_name ? strdup(lo->display_name) : NULL;
    w->window = SDL_CreateWindow(lo->name, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                 w->remote ? 16 : lo->width, w->remote ? 16 : lo->height,
                                 flags); /* another PC's: no room for its picture */
    if (!w->window || !w->name || (lo->display_name && !w->want_name)) {
        tlog_err(set->log, "cannot create the window for output %s: %s", lo->name,
                 SDL_GetError());
        return -1;
    }
    if (set->headless && (lo->display_name || lo->display_index >= 0))
        tlog_debug(set->log, "output %s: headless, so \"display\" is not used", lo->name);
    return 0;
}

/* Whether SDL fell back on a driver that shows nothing (offscreen, dummy)
 * although nobody asked for it with SDL_VIDEODRIVER: there is no display
 * server, and windows would open nowhere. */
static bool fell_back_to_nothing(void)
{
    const char *drv = SDL_GetCurrentVideoDriver();
    const char *asked = SDL_getenv("SDL_VIDEODRIVER");
    bool invisible = drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy"));
    return invisible && !(asked && strstr(asked, drv));
}

/* Starts SDL video with the kiosk's settings; 0 or -1 (logged).  Without
 * headless it refuses to go on without a display server (a wall started
 * before the graphical session must fail, and be started again, rather
 * than run unseen). */
static int start_video(bool headless, const struct tlog *log)
{
    if (headless)
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) {
        tlog_err(log, "cannot start SDL video: %s", SDL_GetError());
        return -1;
    }
    if (!headless && fell_back_to_nothing()) {
        tlog_err(log, "no display server to show the wall on (SDL found none and fell back "
                 "to its invisible \"%s\" driver; DISPLAY or WAYLAND_DISPLAY unset?): start "
                 "it in the graphical session, or use --headless",
                 SDL_GetCurrentVideoDriver());
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return -1;
    }
    SDL_DisableScreenSaver();
    return 0;
}

/* Stops SDL video and, once nothing of SDL is in use, SDL itself (its
 * thread-local storage and hints go too): nothing of SDL outlives the last
 * output set. */
static void stop_video(void)
{
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    if (SDL_WasInit(SDL_INIT_EVERYTHING) == 0)
        SDL_Quit();
}

/* ---- sizes from displays ---- */

/* The display an output of a view names (as wanted_display() does, with
 * taken[] marking displays earlier outputs of the view took), or -1. */
static int named_display(const struct layout_output *lo, const bool *taken, int n)
{
    for (int pass = 0; lo->display_name && pass < 2; pass++)
        for (int d = 0; d < n; d++)
            if (!taken[d] && display_called(d, lo->display_name, pass))
                return d;
    return !lo->display_name && lo->display_index < n ? lo->display_index : -1;
}

/* Gives output lo of a view its display's size (see out_resolve_sizes). */
static void size_from_display(struct layout_output *lo, bool headless, bool *taken,
                              int n, const struct tlog *log)
{
    int d = headless ? -1 : named_display(lo, taken, n);
    SDL_Rect b = {0, 0, 0, 0};
    if (d >= 0 && SDL_GetDisplayBounds(d, &b) == 0 && b.w > 0 && b.h > 0) {
        taken[d] = true;
        lo->width = b.w;
        lo->height = b.h;
        tlog_info(log, "output %s: no \"size\": %dx%d, the size of display %d", lo->name,
                  b.w, b.h, d);
        return;
    }
    lo->width = OUT_DEFAULT_WIDTH;
    lo->height = OUT_DEFAULT_HEIGHT;
    tlog_printf(log, headless ? TLOG_INFO : TLOG_WARN, "output %s: no \"size\" and %s: "
                "%dx%d", lo->name, headless ? "headless" : "its display is not connected",
                lo->width, lo->height);
}

void out_resolve_sizes(struct layout *layout, bool headless, const struct tlog *log)
{
    bool any = false, video = false;
    for (int v = 0; v < layout->n_views; v++)
        for (int o = 0; o < layout->views[v].n_outputs; o++)
            any = any || layout->views[v].outputs[o].width <= 0;
    if (!any)
        return;
    if (!headless)
        video = start_video(false, log) == 0;
    int n = video ? SDL_GetNumVideoDisplays() : 0;
    bool *taken = calloc((size_t)(n > 0 ? n : 1), sizeof(*taken));
    for (int v = 0; v < layout->n_views; v++) {
        for (int d = 0; taken && d < n; d++)
            taken[d] = false; /* each view places its outputs afresh */
        for (int o = 0; o < layout->views[v].n_outputs; o++) {
            struct layout_output *lo = &layout->views[v].outputs[o];
            if (lo->width <= 0 || lo->height <= 0)
                size_from_display(lo, headless || !taken || n <= 0, taken, n, log);
        }
    }
    free(taken);
    if (video)
        stop_video();
}

struct out_set *out_set_create(const struct layout *layout,
                               const struct out_options *opt,
                               const struct tlog *log)
{
    if (start_video(opt->headless, log) < 0)
        return NULL;
    struct out_set *set = calloc(1, sizeof(*set));
    if (!set || !(set->win = calloc((size_t)layout->n_outputs, sizeof(*set->win))))
        goto fail;
    set->log = log;
    set->n = layout->n_outputs;
    set->headless = opt->headless;
    set->vsync = opt->vsync;
    out_set_node(set, opt->node);
    set->vsync_window = -2; /* not set yet */
    set_gl_attributes();
    for (int i = 0; i < set->n; i++)
        if (create_window(set, i, &layout->outputs[i]) < 0)
            goto fail;
    set->gl = SDL_GL_CreateContext(set->win[0].window);
    if (!set->gl) {
        tlog_err(log, "cannot create an OpenGL 3.3 core context: %s", SDL_GetError());
        goto fail;
    }
    if (load_gl(log) < 0)
        goto fail;
    place_all(set);
    apply_vsync(set);
    kiosk_init(&set->kiosk, tm_now_us()); /* the clock the app passes */
    snprintf(set->gl_desc, sizeof(set->gl_desc), "%s, OpenGL %s (SDL driver %s)",
             (const char *)glGetString(GL_RENDERER), (const char *)glGetString(GL_VERSION),
             SDL_GetCurrentVideoDriver());
    tlog_info(log, "%s", set->gl_desc);
    return set;
fail:
    out_set_destroy(set);
    if (!set)
        stop_video();
    return NULL;
}

void out_set_destroy(struct out_set *set)
{
    if (!set)
        return;
    if (set->gl)
        SDL_GL_DeleteContext(set->gl);
    for (int i = 0; set->win && i < set->n + set->spare; i++) {
        if (set->win[i].window)
            SDL_DestroyWindow(set->win[i].window);
        free(set->win[i].name);
        free(set->win[i].want_name);
    }
    free(set->win);
    free(set);
    stop_video();
}

/* Makes existing window i show output lo (name, size, display wanted);
 * 0 or -1. */
static int reuse_window(struct out_set *set, int i, const struct layout_output *lo)
{
    struct out_window *w = &set->win[i];
    char *name = strdup(lo->name), *want = lo->display_name ? strdup(lo->display_name) : NULL;
    if (!name || (lo->display_name && !want)) {
        free(name);
        free(want);
        return -1;
    }
    free(w->name);
    free(w->want_name);
    w->name = name;
    w->want_name = want;
    w->want_index = lo->display_index;
    bool remote = !layout_output_on_node(lo, set->node[0] ? set->node : NULL);
    if (w->width != lo->width || w->height != lo->height || remote != w->remote)
        SDL_SetWindowSize(w->window, remote ? 16 : lo->width, remote ? 16 : lo->height);
    w->remote = remote;
    w->width = lo->width;
    w->height = lo->height;
    SDL_SetWindowTitle(w->window, lo->name);
    if (w->place == OUT_PLACE_SHOWN)
        w->place = OUT_PLACE_NEW; /* placed again below */
    return 0;
}

int out_set_apply(struct out_set *set, const struct layout_output *outs, int n)
{
    int have = set->n + set->spare;
    if (n > have) {
        struct out_window *win = realloc(set->win, (size_t)n * sizeof(*win));
        if (!win)
            return -1;
        memset(win + have, 0, (size_t)(n - have) * sizeof(*win));
        set->win = win;
    }
    for (int i = 0; i < n; i++) {
        int ret = i < have ? reuse_window(set, i, &outs[i]) : create_window(set, i, &outs[i]);
        if (ret < 0) {
            set->spare = (i < have ? have : i + 1) - set->n;
            return -1;
        }
    }
    for (int i = n; i < set->n; i++) {
        SDL_HideWindow(set->win[i].window);
        set->win[i].place = OUT_PLACE_NEW;
    }
    set->spare = (have > n ? have : n) - n;
    set->n = n;
    set->vsync_window = -2;
    place_all(set);
    apply_vsync(set);
    return 0;
}

void out_set_node(struct out_set *set, const char *node)
{
    snprintf(set->node, sizeof(set->node), "%s", node ? node : "");
}

int out_count(const struct out_set *set)
{
    return set->n;
}

void out_begin(struct out_set *set, int i, int *width, int *height)
{
    SDL_GL_MakeCurrent(set->win[i].window, set->gl);
    SDL_GL_GetDrawableSize(set->win[i].window, width, height);
}

void out_present(struct out_set *set, int i)
{
    if (set->headless || set->win[i].place == OUT_PLACE_SHOWN)
        SDL_GL_SwapWindow(set->win[i].window);
}

bool out_visible(const struct out_set *set, int i)
{
    return !set->headless && set->win[i].place == OUT_PLACE_SHOWN;
}

int out_index_of_window(const struct out_set *set, uint32_t window_id)
{
    for (int i = 0; i < set->n; i++)
        if (SDL_GetWindowID(set->win[i].window) == window_id)
            return i;
    return -1;
}

const char *out_name(const struct out_set *set, int i)
{
    return set->win[i].name;
}

const char *out_gl_description(const struct out_set *set)
{
    return set->gl_desc;
}

/* ---- events and the kiosk ---- */

/* Steps the kiosk and shows or hides the cursor; returns OUT_REDRAW or 0. */
static unsigned kiosk_apply(struct out_set *set, enum kiosk_input in, int64_t now_us)
{
    unsigned k = kiosk_step(&set->kiosk, in, now_us);
    if ((k & KIOSK_CURSOR_CHANGED) && !set->headless)
        SDL_ShowCursor(kiosk_cursor_visible(&set->kiosk) ? SDL_ENABLE : SDL_DISABLE);
    return k & KIOSK_REDRAW ? OUT_REDRAW : 0;
}

/* A display came, went or turned: every window is placed again. */
static unsigned on_display_event(struct out_set *set, const SDL_DisplayEvent *de)
{
    static const char *const what[] = {"changed", "changed orientation", "connected",
                                       "disconnected"};
    int k = de->event == SDL_DISPLAYEVENT_ORIENTATION ? 1
          : de->event == SDL_DISPLAYEVENT_CONNECTED ? 2
          : de->event == SDL_DISPLAYEVENT_DISCONNECTED ? 3 : 0;
    char have[512];
    tlog_info(set->log, "display %u %s; displays now: %s", (unsigned)de->display,
              what[k], displays_text(have, sizeof(have)));
    return place_all(set) ? OUT_REDRAW : 0;
}

/* Window events: close asks for confirmation; a window that ended up on
 * another display is put back. */
static unsigned on_window_event(struct out_set *set, const SDL_WindowEvent *we,
                                int64_t now_us)
{
    int i = out_index_of_window(set, we->windowID);
    if (we->event == SDL_WINDOWEVENT_CLOSE) {
        tlog_warn(set->log, "output %s: window closed; the wall keeps running "
                  "(Ctrl+Q quits)", i >= 0 ? set->win[i].name : "?");
        return kiosk_apply(set, KIOSK_CLOSE, now_us);
    }
    if (we->event == SDL_WINDOWEVENT_DISPLAY_CHANGED && i >= 0 &&
        set->win[i].place == OUT_PLACE_SHOWN && we->data1 != set->win[i].display) {
        set->win[i].place = OUT_PLACE_NEW; /* force it back */
        return place_all(set) ? OUT_REDRAW : 0;
    }
    return 0;
}

unsigned out_handle_event(struct out_set *set, const union SDL_Event *ev,
                          int64_t now_us)
{
    switch (ev->type) {
    case SDL_DISPLAYEVENT:
        return on_display_event(set, &ev->display);
    case SDL_WINDOWEVENT:
        return on_window_event(set, &ev->window, now_us);
    case SDL_QUIT:
        tlog_warn(set->log, "quit requested; the wall keeps running (Ctrl+Q quits)");
        return kiosk_apply(set, KIOSK_CLOSE, now_us);
    case SDL_MOUSEMOTION:
        return kiosk_apply(set, KIOSK_MOTION, now_us);
    case SDL_KEYDOWN:
        if (ev->key.keysym.sym == SDLK_q && (ev->key.keysym.mod & KMOD_CTRL))
            tlog_info(set->log, "Ctrl+Q: the wall quits"); /* the app quits */
        if (ev->key.keysym.sym != SDLK_ESCAPE || !kiosk_banner(&set->kiosk))
            return 0;
        tlog_info(set->log, "Esc: the wall keeps running");
        return kiosk_apply(set, KIOSK_KEEP, now_us);
    default:
        return 0;
    }
}

/* The app's name for an SDL key. */
static void translate_key(const SDL_KeyboardEvent *k, struct out_input *in)
{
    SDL_Keycode c = k->keysym.sym;
    in->kind = OUT_INPUT_KEY;
    in->ctrl = (k->keysym.mod & KMOD_CTRL) != 0;
    in->repeat = k->repeat != 0;
    if (c >= SDLK_1 && c <= SDLK_9)
        in->key = OUT_KEY_DIGIT, in->digit = (int)(c - SDLK_1) + 1;
    else if (c >= SDLK_KP_1 && c <= SDLK_KP_9)
        in->key = OUT_KEY_KEYPAD_DIGIT, in->digit = (int)(c - SDLK_KP_1) + 1;
    else if (c >= SDLK_a && c <= SDLK_z)
        in->key = OUT_KEY_LETTER, in->letter = (char)('a' + (c - SDLK_a));
    else
        in->key = c == SDLK_RETURN || c == SDLK_KP_ENTER ? OUT_KEY_ENTER
                : c == SDLK_ESCAPE ? OUT_KEY_ESCAPE : c == SDLK_LEFT ? OUT_KEY_LEFT
                : c == SDLK_RIGHT ? OUT_KEY_RIGHT : c == SDLK_UP ? OUT_KEY_UP
                : c == SDLK_DOWN ? OUT_KEY_DOWN : c == SDLK_F1 ? OUT_KEY_F1 : OUT_KEY_OTHER;
}

/* A left click, in the layout pixels of the output it came to. */
static void translate_click(const struct out_set *set, const SDL_MouseButtonEvent *b,
                            struct out_input *in)
{
    if (b->button != SDL_BUTTON_LEFT || in->output >= set->n)
        return;
    const struct out_window *w = &set->win[in->output];
    int ww = 0, wh = 0;
    SDL_GetWindowSize(w->window, &ww, &wh);
    in->kind = OUT_INPUT_CLICK;
    in->x = ww > 0 ? b->x * w->width / ww : b->x;
    in->y = wh > 0 ? b->y * w->height / wh : b->y;
}

bool out_poll(struct out_set *set, int64_t now_us, struct out_input *in, unsigned *flags)
{
    SDL_Event ev;
    if (!SDL_PollEvent(&ev))
        return false;
    *in = (struct out_input){.kind = OUT_INPUT_NONE};
    *flags |= out_handle_event(set, &ev, now_us);
    if (ev.type == SDL_WINDOWEVENT && ev.window.event == SDL_WINDOWEVENT_EXPOSED) {
        *flags |= OUT_PRESENT; /* the app's targets still hold the picture */
        return true;
    }
    uint32_t id = ev.type == SDL_KEYDOWN ? ev.key.windowID
                : ev.type == SDL_MOUSEBUTTONDOWN ? ev.button.windowID : 0;
    int o = out_index_of_window(set, id);
    in->output = o < 0 ? 0 : o;
    if (ev.type == SDL_KEYDOWN)
        translate_key(&ev.key, in);
    else if (ev.type == SDL_MOUSEBUTTONDOWN)
        translate_click(set, &ev.button, in);
    return true;
}

static void sdl_log_to_tlog(void *opaque, int category, SDL_LogPriority prio,
                            const char *msg)
{
    (void)category;
    tlog_printf(opaque, prio >= SDL_LOG_PRIORITY_ERROR ? TLOG_ERROR
                        : prio >= SDL_LOG_PRIORITY_WARN ? TLOG_WARN : TLOG_DEBUG,
                "SDL: %s", msg);
}

void out_route_logs(const struct tlog *log)
{
    SDL_LogSetOutputFunction(sdl_log_to_tlog, (void *)log);
}

unsigned out_tick(struct out_set *set, int64_t now_us)
{
    return kiosk_apply(set, KIOSK_TICK, now_us);
}

const char *out_banner(const struct out_set *set)
{
    return kiosk_banner(&set->kiosk);
}

/* ---- --list-displays ---- */

/* Prints s as a JSON string (quotes, backslashes and controls escaped). */
static void print_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

int out_list_displays(FILE *f, const struct tlog *log)
{
    if (start_video(false, log) < 0)
        return -1;
    int n = SDL_GetNumVideoDisplays();
    tlog_debug(log, "SDL video driver %s: %d display%s", SDL_GetCurrentVideoDriver(), n,
               n == 1 ? "" : "s");
    for (int d = 0; d < n; d++) {
        SDL_Rect b = {0}, u = {0};
        SDL_DisplayMode mode = {0};
        SDL_GetDisplayBounds(d, &b);
        SDL_GetDisplayUsableBounds(d, &u);
        SDL_GetCurrentDisplayMode(d, &mode);
        fprintf(f, "%d ", d);
        print_json_string(f, SDL_GetDisplayName(d));
        fprintf(f, " bounds %dx%d+%d+%d usable %dx%d+%d+%d refresh ", b.w, b.h, b.x, b.y,
                u.w, u.h, u.x, u.y);
        if (mode.refresh_rate > 0)
            fprintf(f, "%d Hz\n", mode.refresh_rate);
        else
            fprintf(f, "unknown\n");
    }
    fflush(f);
    stop_video();
    return 0;
}
