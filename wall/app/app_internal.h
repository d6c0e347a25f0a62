/*
 * app_internal.h - the app's state, shared by the files of app/ only.
 *
 * Threads: everything here belongs to the render thread.
 */
#ifndef TESSERA_APP_INTERNAL_H
#define TESSERA_APP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <libavutil/frame.h>
#include <uv.h>

#include "app/cli.h"
#include "base/ring.h"
#include "feed/feed.h"
#include "layout/layout.h"

struct ovl_server;
struct ovl_state;
struct out_set;
struct renderer;
struct render_video;
struct tlog;
struct render_marker;

/* Render-thread view of one layout feed. */
struct app_feed {
    struct feed *feed;            /* NULL when no tile shows it */
    struct render_video *video;
    struct feed_status status;    /* refreshed every frame */
    char status_text[192];        /* tile banner; empty when live */
    char hud_text[192];           /* HUD line, refreshed once a second */
    char highlight[160];          /* open incident in range; empty if none */
    uint64_t displayed;           /* frames uploaded and presented */
    int64_t first_shown_us;       /* when its first picture was presented; 0: not yet */
    bool fresh;                   /* uploaded since the last present */
    bool status_changed;          /* banner or state changed since then */
    int64_t arrival_us;           /* packet arrival of the fresh frame */
    struct ring latency;          /* packet arrival to on screen, us */
    uint64_t prev_bytes;          /* for the bitrate */
    int64_t prev_bytes_us;
    double kbps;
};

struct app {
    struct app_options opt;
    struct tlog *log;
    struct layout *layout;
    struct app_feed *feeds;
    struct out_set *outs;
    struct renderer *render;
    struct render_target **targets; /* per output: the wall image */
    AVFrame *scratch;
    struct ovl_state *ovl;        /* incidents and units (overlay socket) */
    struct ovl_server *control;   /* NULL without a control socket */
    struct tlog *control_log;
    uint64_t ovl_generation;      /* overlay state last looked at */
    bool panels_dirty;            /* map/list panels need drawing */
    struct render_marker *markers;/* scratch for map panels */
    size_t markers_cap;
    char *basemap_dir;            /* resolved "basemap", or NULL */
    uv_loop_t loop;
    uv_async_t wake;
    uv_timer_t tick;
    uv_timer_t stats_timer;
    uv_signal_t sigint, sigterm;
    int64_t start_us, last_render_us, min_interval_us, idle_us;
    bool dirty;                   /* something to draw */
    bool full_redraw;             /* every tile, not only changed ones */
    bool stopping, loop_ready;
    bool hud;                     /* operator HUD shown */
    bool stats_writing;           /* a --stats write is in flight */
    int exit_code;
    uint64_t frames;              /* wall frames presented */
    uint64_t frames_at_last_stats;
    int64_t last_stats_us;
    double render_fps;
    struct ring frame_time;       /* draw + present of one wall frame, us */
};

/* Opens the control socket (--control, or the default under
 * $XDG_RUNTIME_DIR) on the app's loop.  Returns 0, or a negative errno when
 * an explicitly requested socket could not be opened (a default one that
 * cannot be opened is logged and skipped). */
int app_control_start(struct app *app);

/* Closes the control socket and frees the overlay state; accepts a stopped
 * one. */
void app_control_stop(struct app *app);

/* Requests the wall to stop with exit_code (from any render-thread callback). */
void app_stop(struct app *app, int exit_code);

#define APP_LIST_ROWS 64

/* Notices overlay changes: marks panels for drawing and recomputes which
 * camera tiles have an open incident within range. */
void app_overlay_update(struct app *app);

/* Draws a panel tile (map or incident list) into rect. */
void app_draw_panel(struct app *app, const struct layout_tile *tile,
                    struct layout_rect rect);

/* Builds the stats document (see README) as a new cJSON object; the caller
 * deletes it.  NULL on allocation failure. */
struct cJSON *app_stats_json(struct app *app, int64_t now_us);

/* Once a second: bitrates, render rate, HUD lines, and the --stats file
 * (written off the render thread, atomically). */
void app_stats_tick(struct app *app, int64_t now_us);

#endif
