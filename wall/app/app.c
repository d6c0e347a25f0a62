/*
 * app.c - the program's owner and its frame loop.
 *
 * The render thread (main thread) sleeps in a libuv loop: feed threads wake it
 * through a uv_async handle when a new frame is in a mailbox (libuv coalesces
 * the wake-ups), a timer paces drawing to at most --max-fps and refreshes
 * status text, and the overlay socket (when there is one) lives on the same
 * loop.  Nothing on this thread blocks on a feed.
 */
#include "app/app.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libavformat/avformat.h>
#include <uv.h>

#include "app/app_internal.h"
#include "app/cli.h"
#include "app/consent.h"
#include "app/snapshots.h"
#include "audit/audit.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "feed/feed.h"
#include "hwdec/hwdec.h"
#include "layout/layout.h"
#include "output/output.h"
#include "registry/registry.h"
#include "render/render.h"

/* ---- logging from FFmpeg and SDL (through output/) ---- */

/* FFmpeg's messages lack the feed they concern, and each feed already logs
 * what happened to it once, with its name; so FFmpeg's errors and warnings
 * show from --log-level debug on, its information at trace. */
static void av_log_to_tlog(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level > av_log_get_level())
        return;
    char line[4096]; /* whole URLs, so the logger can redact them */
    int prefix = 1;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof(line), &prefix);
    tlog_printf(NULL, level <= AV_LOG_FATAL ? TLOG_ERROR : TLOG_INFO, "ffmpeg: %s", line);
}

static void route_library_logs(struct app *app)
{
    static const int av_levels[] = {AV_LOG_FATAL, AV_LOG_FATAL, AV_LOG_FATAL,
                                    AV_LOG_WARNING, AV_LOG_INFO};
    av_log_set_level(av_levels[app->opt.log_level]);
    av_log_set_callback(av_log_to_tlog);
    out_route_logs(app->log);
}

/* ---- layout ---- */

/* Loads and validates the layout and its camera registry (into *reg, NULL
 * without one), printing every diagnostic on stderr.  Returns NULL when
 * either has errors. */
static struct layout *load_layout(const char *path, struct registry **reg,
                                  char hash[APP_HASH_MAX])
{
    struct layout_diags diags = {0}, reg_diags = {0};
    struct layout *layout = NULL;
    char *reg_path = NULL;
    reg_load_layout(path, &layout, reg, &reg_path, &diags, &reg_diags);
    layout_diags_print(&diags, path, stderr);
    layout_diags_print(&reg_diags, reg_path, stderr);
    layout_diags_clear(&diags);
    layout_diags_clear(&reg_diags);
    if (layout && hash)
        app_layout_hash(path, reg_path, hash);
    free(reg_path);
    return layout;
}

/* This PC's host name as a node name (what a start with "sync" and no
 * --node takes): characters a node name cannot hold become '-'. */
static void host_node(char *buf, size_t n)
{
    if (gethostname(buf, n - 1) < 0)
        snprintf(buf, n, "node");
    buf[n - 1] = '\0';
    for (char *c = buf; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c))
            *c = '-';
}

/* --validate's warnings for what a start on this PC would also need of
 * "sync" (the file may be checked on another PC, so they are not errors):
 * an output for the host name when no --node is given, and the credential
 * and TLS files readable. */
static void warn_sync_here(const struct app_options *opt, const struct layout *l)
{
    const struct layout_sync *s = &l->sync;
    char host[64];
    if (!s->given)
        return;
    host_node(host, sizeof(host));
    if (!opt->node && layout_uses_nodes(l) && !layout_has_node(l, host))
        fprintf(stderr, "%s:%d:%d: warning: no output names this PC's host name \"%s\": "
                "a start here needs --node\n", opt->layout_path, s->line, s->col, host);
    const char *files[][2] = {{"username_file", s->username_file},
                              {"password_file", s->password_file},
                              {"ca_file", s->tls_files.ca_file},
                              {"cert_file", s->tls_files.cert_file},
                              {"key_file", s->tls_files.key_file}};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        if (files[i][1] && access(files[i][1], R_OK) != 0)
            fprintf(stderr, "%s:%d:%d: warning: \"%s\" %s cannot be read here (%s): a start "
                    "here would fail\n", opt->layout_path, s->line, s->col, files[i][0],
                    files[i][1], strerror(errno));
}

/* --validate: the layout, its registry and --node (as a start would check
 * them), reported on stdout/stderr; the exit status. */
static int validate_only(const struct app_options *opt)
{
    struct registry *reg = NULL;
    struct layout *l = load_layout(opt->layout_path, &reg, NULL);
    if (!l)
        return EXIT_FAILURE_RUN;
    if (opt->node && layout_uses_nodes(l) && !layout_has_node(l, opt->node)) {
        fprintf(stderr, "%s: --node %s: no output of this file names that node\n",
                opt->layout_path, opt->node);
        reg_destroy(reg);
        layout_destroy(l);
        return EXIT_FAILURE_RUN;
    }
    warn_sync_here(opt, l);
    if (reg)
        printf("%s: ok: %d registry camera%s\n", l->registry, reg_count(reg),
               reg_count(reg) == 1 ? "" : "s");
    reg_destroy(reg);
    int tiles = 0;
    for (int i = 0; i < l->n_outputs; i++)
        tiles += l->outputs[i].n_tiles;
    char views[32] = "";
    if (l->n_views > 1)
        snprintf(views, sizeof(views), "%d layouts, ", l->n_views);
    printf("%s: ok: %d feed%s, %s%d output%s, %d tile%s; consent dates in %s (%s)\n",
           opt->layout_path, l->n_feeds, l->n_feeds == 1 ? "" : "s", views, l->n_outputs,
           l->n_outputs == 1 ? "" : "s", tiles, tiles == 1 ? "" : "s", l->timezone,
           l->timezone_given ? "the layout's \"timezone\"" : "the machine's time zone");
    layout_destroy(l);
    return EXIT_OK;
}

/* ---- shaders ---- */

static bool has_shaders(const char *dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/quad.vert", dir);
    return access(path, R_OK) == 0;
}

/* Finds the shader directory: --shaders, $TESSERA_SHADERS, next to the
 * installed binary, the install prefix, then the source tree. */
static const char *find_shaders(const struct app_options *opt, char *buf, size_t n)
{
    if (opt->shader_dir)
        return opt->shader_dir;
    const char *env = getenv("TESSERA_SHADERS");
    if (env && has_shaders(env))
        return env;
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (len > 0) {
        exe[len] = '\0';
        snprintf(buf, n, "%s/../share/tessera/shaders", dirname(exe));
        if (has_shaders(buf))
            return buf;
    }
    if (has_shaders(TESSERA_INSTALL_SHADERS))
        return TESSERA_INSTALL_SHADERS;
    return TESSERA_SOURCE_SHADERS;
}

/* ---- drawing ---- */

/* Draws the kiosk's close-confirmation banner (out_banner) across the middle
 * of output lo, when there is one. */
static void draw_kiosk_banner(struct app *app, const struct layout_output *lo)
{
    const char *banner = out_banner(app->outs);
    if (!banner)
        return;
    int px = lo->height / 18 < 16 ? 16 : lo->height / 18 > 96 ? 96 : lo->height / 18;
    struct layout_rect all = {0, 0, lo->width, lo->height};
    render_text(app->render, banner, px, all, RENDER_ALIGN_CENTER,
                (struct render_color){1, 0.85f, 0.3f, 1}, true);
}

/* The two passes over an output's tiles (draw_output). */
enum tile_pass { TILE_PICTURES, TILE_OVERLAYS };

/* Draws one pass of camera tile t of output o: its picture, or the texts
 * and outlines over it; now is the frame's time (the same for both). */
static void draw_camera_tile(struct app *app, int o, int t, struct layout_rect rect,
                             enum tile_pass pass, int64_t now)
{
    const struct layout_tile *tile = &app_output(app, o)->tiles[t];
    int feed = app_tile_feed(app, o, t);
    struct app_feed *af = &app->feeds[feed];
    enum feed_state s = af->status.state;
    struct render_tile_info info = {
        .rect = rect,
        .fit = tile->fit,
        .video = af->video,
        .label = tile->label ? tile->label : app->layout->feeds[feed].label,
        .status = af->status_text[0] ? af->status_text : NULL,
        .alert = s == FEED_OFFLINE || s == FEED_ERROR || af->gate == CONSENT_REFUSED,
        .dim = s != FEED_LIVE,
        .highlight = af->highlight[0] ? af->highlight : NULL,
        .selected = app->ws.outputs[o].selected == t,
        .unmasked = af->unmask_until_us > now,
    };
    if (pass == TILE_PICTURES) {
        af->drawn = render_tile_picture(app->render, &info);
        return;
    }
    char label[256];
    if ((info.unmasked || af->status.degraded) && info.label) {
        snprintf(label, sizeof(label), "%s%s%s", info.label,
                 info.unmasked ? " · MASKS LIFTED" : "",
                 af->status.degraded ? " · KEY FRAMES ONLY" : "");
        info.label = label;
    }
    render_tile_overlay(app->render, &info);
    if (app->hud && af->hud_text[0])
        render_text(app->render, af->hud_text, 13, rect, RENDER_ALIGN_TOP_LEFT,
                    (struct render_color){0.85f, 1, 0.85f, 1}, true);
}

/* Text across output lo: the reload banner at the top, the key map. */
static void draw_notices(struct app *app, const struct layout_output *lo)
{
    struct layout_rect all = {0, 0, lo->width, lo->height};
    int px = lo->height / 40 < 14 ? 14 : lo->height / 40 > 40 ? 40 : lo->height / 40;
    if (app->banner[0])
        render_text(app->render, app->banner, px, all, RENDER_ALIGN_TOP_LEFT,
                    (struct render_color){1, 0.4f, 0.35f, 1}, true);
    const char *sync = app_sync_hud(app); /* "SYNC LOST", missing nodes */
    if (sync)
        render_text(app->render, sync, px, all, RENDER_ALIGN_TOP_RIGHT,
                    (struct render_color){1, 0.75f, 0.2f, 1}, true);
    if (app->help)
        app_draw_help(app, all, px);
}

/* Draws the tiles of output o that changed (all of them when full), and its
 * panels of the APP_PANEL_* kinds in panels (all when full), into its target;
 * returns whether anything was drawn. */
static bool draw_output(struct app *app, int o, bool full, unsigned panels)
{
    bool drew = false;
    panels = full ? APP_PANEL_ALL : panels;
    const struct layout_output *lo = app_output(app, o);
    /* translucent boxes over the whole output must not pile up */
    full = full || out_banner(app->outs) || app->banner[0] || app->help || app_sync_hud(app);
    render_begin(app->render, app->targets[o], full);
    int64_t now = tm_now_us();
    /* Every picture first, then the overlays: with a software rasteriser a
     * picture copied into the target waits for the drawing queued before it
     * (render/video.c), so the copies go together.  Tiles never overlap,
     * and overlays stay inside their tile: the order changes no pixel. */
    for (int pass = TILE_PICTURES; pass <= TILE_OVERLAYS; pass++) {
        for (int t = 0; t < lo->n_tiles; t++) {
            struct layout_rect rect = app_tile_rect(app, o, t);
            if (rect.w <= 0)
                continue; /* hidden by an enlarged tile */
            int feed = app_tile_feed(app, o, t);
            if (feed < 0) {
                if (pass == TILE_PICTURES && (panels & app_panel_kind(&lo->tiles[t]))) {
                    app_draw_panel(app, &lo->tiles[t], rect);
                    drew = true;
                }
                continue;
            }
            const struct app_feed *af = &app->feeds[feed];
            if (full || af->fresh || af->status_changed) {
                draw_camera_tile(app, o, t, rect, (enum tile_pass)pass, now);
                drew = true;
            }
        }
    }
    draw_notices(app, lo);
    draw_kiosk_banner(app, lo);
    render_end(app->render);
    return drew || full;
}

/* The --snapshot file for output index: PATH, or PATH-NAME.png with several. */
static void snapshot_path(const struct app *app, int index, char *buf, size_t n)
{
    const char *path = app->opt.snapshot;
    int here = 0;
    for (int o = 0; o < app_output_count(app); o++)
        here += app_output_here(app, o);
    if (here == 1) { /* this PC draws one output (of one or several) */
        snprintf(buf, n, "%s", path);
        return;
    }
    size_t len = strlen(path);
    size_t stem = len >= 4 && strcmp(path + len - 4, ".png") == 0 ? len - 4 : len;
    snprintf(buf, n, "%.*s-%s.png", (int)stem, path, out_name(app->outs, index));
}

/* Counts what the last present put on screen: frames, latencies, time. */
static void account_presented(struct app *app, int64_t t0, int64_t now)
{
    for (int i = 0; i < app->layout->n_feeds; i++) {
        struct app_feed *af = &app->feeds[i];
        af->status_changed = false;
        if (!af->fresh)
            continue;
        af->fresh = false;
        af->displayed++;
        if (!af->first_shown_us)
            af->first_shown_us = now;
        ring_add(&af->latency, now - af->arrival_us);
    }
    app_callups_presented(app, app_ws_now(app));
    app->frames++;
    ring_add(&app->frame_time, now - t0);
}

/* Draws what changed on every output, reads back the outputs for the
 * snapshots waiting when take_snapshot (written off this thread), and
 * presents each output's window (headless: nothing to present). */
static void draw_wall(struct app *app, bool take_snapshot)
{
    int w, h;
    int64_t t0 = tm_now_us();
    /* a snapshot shows the panels as they are now, never a throttled map */
    unsigned panels = take_snapshot || app_panels_due(app) ? app->panels_dirty : 0;
    int n = app_output_count(app) < out_count(app->outs) ? app_output_count(app)
                                                          : out_count(app->outs);
    out_begin(app->outs, 0, &w, &h);
    render_frame_start(app->render);
    for (int i = 0; i < n; i++) {
        if (i >= app->n_targets || !app->targets[i])
            continue; /* its framebuffer could not be made (logged) */
        bool drew = draw_output(app, i, app->full_redraw, panels);
        if (take_snapshot)
            app_snaps_capture(app->snaps, app->render, app->targets[i], i);
        /* an output with nothing new keeps its picture: no copy, no swap */
        if (out_visible(app->outs, i) && (drew || app->present_all)) {
            out_begin(app->outs, i, &w, &h);
            render_present(app->render, app->targets[i], w, h);
            out_present(app->outs, i);
        }
    }
    if (take_snapshot)
        app_snaps_submit(app->snaps);
    if (panels) {
        app->panels_dirty = 0;
        app->panels_drawn_us = tm_now_us();
        app->panels_cost_us = app->panels_drawn_us - t0;
    }
    if (render_basemap_take_waiting(app->render)) /* tiles left for the next redraw */
        app->panels_dirty |= APP_PANEL_MAP;
    app->dirty = app->full_redraw = app->present_all = false;
    account_presented(app, t0, tm_now_us());
}

/* ---- the loop ---- */

void app_stop(struct app *app, int exit_code)
{
    if (app->stopping)
        return;
    app->stopping = true;
    app->exit_code = exit_code;
    uv_stop(&app->loop);
}

/* Input and window events.  A window close or a quit request does not stop the
 * wall: the outputs show a confirmation banner (Ctrl+Q quits, Esc keeps it
 * running); display changes re-place the windows; both redraw everything.
 * Keys and clicks become commands (input.c). */
static void pump_events(struct app *app)
{
    struct out_input in;
    unsigned flags = 0;
    int64_t now = tm_now_us();
    while (out_poll(app->outs, now, &in, &flags))
        if (app_input(app, &in))
            app_stop(app, EXIT_OK);
    flags |= out_tick(app->outs, now); /* banner timed out */
    if (flags & OUT_REDRAW)
        app->dirty = app->full_redraw = true;
    if (flags & OUT_PRESENT)
        app->dirty = app->present_all = true; /* the targets hold the picture */
}

/* Microseconds until the next deadline (snapshot, duration, tour, a frame
 * due, at its --max-fps slot), capped at cap. */
static int64_t next_deadline(const struct app *app, int64_t now, int64_t cap)
{
    int64_t wait = cap;
    if (app->opt.snapshot && !app->snapshot_queued) {
        int64_t due = app->start_us + (int64_t)(app->opt.snapshot_after * 1e6) - now;
        wait = due < wait ? due : wait;
    }
    if (app->opt.duration > 0) {
        int64_t due = app->start_us + (int64_t)(app->opt.duration * 1e6) - now;
        wait = due < wait ? due : wait;
    }
    int64_t tour = app_tours_due(app);
    if (tour && tour - now < wait)
        wait = tour - now;
    /* a frame waiting in a jitter buffer: when it is due, at the pace of
     * --max-fps, and never at once: libuv runs a timer re-armed with 0 from
     * its own callback again before it polls, which would starve the loop
     * whenever drawing takes longer than the frames' spacing */
    int64_t frame = app_feeds_next_due(app);
    if (frame != INT64_MAX) {
        int64_t paced = app->last_render_us + app->min_interval_us;
        frame = (frame > paced ? frame : paced) - now;
        frame = frame < 1000 ? 1000 : frame;
        wait = frame < wait ? frame : wait;
    }
    return wait < 0 ? 0 : wait;
}

static void schedule(struct app *app, int64_t delay_us);

/* The --snapshot files are written: the one-shot is over. */
static void on_oneshot_written(void *opaque, int ret)
{
    app_stop(opaque, ret < 0 ? EXIT_FAILURE_RUN : EXIT_OK);
}

/* Asks for the --snapshot one-shot (every output) at the next frame. */
static void queue_oneshot(struct app *app)
{
    int n = out_count(app->outs);
    char(*paths)[PATH_MAX] = calloc((size_t)n, sizeof(*paths));
    const char **list = calloc((size_t)n, sizeof(*list));
    int ret = paths && list ? 0 : -ENOMEM;
    for (int i = 0; ret == 0 && i < n; i++) {
        snapshot_path(app, i, paths[i], sizeof(paths[i]));
        list[i] = app_output_here(app, i) ? paths[i] : NULL; /* others: another PC's */
    }
    if (ret == 0)
        ret = app_snaps_request_paths(app->snaps, list, n, on_oneshot_written, app);
    free(list);
    free(paths);
    app->snapshot_queued = true;
    if (ret < 0)
        app_stop(app, EXIT_FAILURE_RUN);
}

/* One turn of the wall: input, new frames, status, drawing, deadlines. */
static void app_frame(struct app *app)
{
    int64_t now = tm_now_us();
    /* new pictures only at the pace of --max-fps: a window's event polling
     * (every idle_us) also runs this, between the slots */
    bool slot = now - app->last_render_us >= app->min_interval_us;
    if (slot)
        app_gap_collect(&app->gap); /* before any new picture is taken */
    pump_events(app);
    app_callups_expire(app, app_ws_now(app)); /* each one its own audited release */
    app_tours_tick(app, app_ws_now(app));
    app_sync_tick(app, now);
    if (slot)
        app_feeds_collect(app, now);
    if (app_overlay_update(app)) {
        app_callups_follow(app); /* incidents that call up or release */
        app_feeds_gate(app, time(NULL)); /* incident-only cameras */
    }
    app_audit_visibility(app, false);
    if (app_panels_due(app))
        app->dirty = true;
    if (app->opt.snapshot && !app->snapshot_queued &&
        now - app->start_us >= (int64_t)(app->opt.snapshot_after * 1e6))
        queue_oneshot(app);
    bool snap = app_snaps_waiting(app->snaps);
    if (app->dirty || snap) {
        app_gap_dirty(&app->gap, now);
        draw_wall(app, snap);
        app_gap_presented(&app->gap, tm_now_us());
        app->last_render_us = now;
    } else {
        app_gap_idle(&app->gap);
    }
    if (app->opt.duration > 0 &&
        now - app->start_us >= (int64_t)(app->opt.duration * 1e6))
        app_stop(app, EXIT_OK);
    if (!app->stopping) /* panels held back by their rate come back soon */
        schedule(app, next_deadline(app, tm_now_us(),
                                    app->panels_dirty && app->idle_us > 100000 ? 100000
                                                                              : app->idle_us));
}

static void on_tick(uv_timer_t *timer)
{
    app_frame(timer->data);
}

static void schedule(struct app *app, int64_t delay_us)
{
    uv_timer_start(&app->tick, on_tick, (uint64_t)((delay_us + 999) / 1000), 0);
}

/* A feed has a new frame: draw at the next allowed slot (--max-fps). */
static void on_wake(uv_async_t *async)
{
    struct app *app = async->data;
    if (app->stopping)
        return;
    int64_t wait = app->last_render_us + app->min_interval_us - tm_now_us();
    wait = wait < 0 ? 0 : wait;
    if (!uv_is_active((uv_handle_t *)&app->tick) ||
        uv_timer_get_due_in(&app->tick) * 1000 > (uint64_t)wait)
        schedule(app, wait);
}

/* A snapshot's images are ready: read them back at the next frame. */
static void on_snaps_ready(void *opaque)
{
    struct app *app = opaque;
    if (!app->stopping)
        schedule(app, 0);
}

static void on_stats_timer(uv_timer_t *timer)
{
    struct app *app = timer->data;
    app_stats_tick(app, tm_now_us());
    app_feeds_gate(app, time(NULL)); /* consent expiring while running */
    app_masks_tick(app, tm_now_us());
    app_feeds_shed(app);
}

static void on_signal(uv_signal_t *sig, int signum)
{
    struct app *app = sig->data;
    tlog_info(app->log, "signal %d: stopping", signum);
    app_stop(app, EXIT_OK);
}

/* ---- set-up and tear-down ---- */

static int init_loop(struct app *app)
{
    if (uv_loop_init(&app->loop) < 0)
        return -ENOMEM;
    app->loop_ready = true;
    uv_async_init(&app->loop, &app->wake, on_wake);
    uv_timer_init(&app->loop, &app->tick);
    uv_timer_init(&app->loop, &app->stats_timer);
    uv_signal_init(&app->loop, &app->sigint);
    uv_signal_init(&app->loop, &app->sigterm);
    app->wake.data = app->tick.data = app->stats_timer.data = app;
    app->sigint.data = app->sigterm.data = app;
    uv_signal_start(&app->sigint, on_signal, SIGINT);
    uv_signal_start(&app->sigterm, on_signal, SIGTERM);
    return 0;
}

static void close_loop(struct app *app)
{
    if (!app->loop_ready)
        return;
    uv_close((uv_handle_t *)&app->wake, NULL);
    uv_close((uv_handle_t *)&app->tick, NULL);
    uv_close((uv_handle_t *)&app->stats_timer, NULL);
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
    uv_run(&app->loop, UV_RUN_DEFAULT);
    uv_loop_close(&app->loop);
}

/* This PC's node: --node, else with "sync" the host name; when outputs
 * name nodes, one of them must name it.  0 or -EINVAL (logged). */
static int pick_node(struct app *app)
{
    const struct layout *l = app->layout;
    app->ws_wall_clock = l->sync.given; /* for good: one clock per run */
    if (app->opt.node)
        snprintf(app->node, sizeof(app->node), "%s", app->opt.node);
    else if (l->sync.given)
        host_node(app->node, sizeof(app->node));
    if (!app->node[0] || !layout_uses_nodes(l) || layout_has_node(l, app->node))
        return 0;
    if (app->opt.node)
        tlog_err(app->log, "--node %s: no output of %s names that node", app->node,
                 app->opt.layout_path);
    else
        tlog_err(app->log, "this PC's node \"%s\" (its host name) drives no output of %s: "
                 "name one with --node", app->node, app->opt.layout_path);
    return -EINVAL;
}

static int app_init(struct app *app)
{
    char buf[PATH_MAX];
    route_library_logs(app);
    if (!(app->layout = load_layout(app->opt.layout_path, &app->registry, app->layout_hash)))
        return -EINVAL;
    if (pick_node(app) < 0)
        return -EINVAL;
    out_resolve_sizes(app->layout, app->opt.headless, app->log);
    if (!(app->scratch = av_frame_alloc()) || init_loop(app) < 0 ||
        !(app->snaps = app_snaps_create(&app->loop, app->opt.snapshot_dir, app->log,
                                        on_snaps_ready, app)))
        return -ENOMEM;
    struct out_options oo = {.headless = app->opt.headless, .vsync = app->opt.vsync,
                             .node = app_node(app)};
    if (!(app->outs = out_set_create(app->layout, &oo, app->log)))
        return -EIO;
    const char *shaders = find_shaders(&app->opt, buf, sizeof(buf));
    if (!(app->render = render_create(shaders, app->log)))
        return -EIO;
    app_panels_init(app); /* basemap tiles decode on the thread pool */
    app->pack_yuv = app->opt.yuv_upload == 2 ||
                    (app->opt.yuv_upload == 0 && render_is_software(app->render));
    app->scale_rgb = app->opt.yuv_upload == 0 && render_is_software(app->render);
    tlog_debug(app->log, "YUV upload: %s", app->scale_rgb ? "scaled to the tiles, RGB"
                                           : app->pack_yuv ? "packed" : "planar");
    app->min_interval_us = (int64_t)(1e6 / (app->opt.max_fps > 0 ? app->opt.max_fps : 30));
    app->idle_us = app->opt.headless ? 250000 : 20000;
    app->start_us = tm_now_us();
    app->dirty = app->full_redraw = true;
    if (!(app->hw = hwdec_devices_create(app->log)) ||
        !(app->reaper = feed_reaper_create(app->log)))
        return -ENOMEM;
    app_secrets_load(app);
    if (app_control_start(app) < 0 || app_audit_open(app) < 0)
        return -EIO;
    struct layout *l = app->layout;
    app->layout = NULL; /* app_apply_layout() takes it over */
    if (app_apply_layout(app, l, WS_ORIGIN_START, 0) < 0 || app_sync_start(app) < 0)
        return -EIO;
    if (!app->opt.snapshot)
        app_watch_start(app); /* a one-shot snapshot does not reload */
    return 0;
}

static void app_uninit(struct app *app)
{
    int w, h;
    app->stopping = true; /* a layout read still in flight is dropped */
    if (app->loop_ready) { /* nothing may fire while the rest goes away */
        uv_timer_stop(&app->tick);
        uv_timer_stop(&app->stats_timer);
    }
    if (app->outs)
        out_begin(app->outs, 0, &w, &h); /* GL objects go with the context current */
    app_audit_close(app, app->exit_code == EXIT_OK ? "stopped" : "failed");
    app_feeds_stop_all(app);
    feed_reaper_destroy(app->reaper); /* every feed thread joined, before the
                                         loop closes: feeds wake its async handle */
    app->reaper = NULL;
    hwdec_devices_unref(app->hw);
    app_sync_stop(app); /* goodbye to the other nodes */
    app_control_stop(app);
    app_watch_close(app);
    app_views_close(app);
    render_destroy(app->render);
    out_set_destroy(app->outs);
    close_loop(app); /* snapshots being written finish here */
    app_snaps_destroy(app->snaps);
    av_frame_free(&app->scratch);
    free(app->markers);
    free(app->sectors);
    free(app->basemap_dir);
    layout_destroy(app->layout);
    reg_destroy(app->registry);
    app_callups_free(app);
    tlog_destroy(app->log);
}

static int app_run(const struct app_options *opt)
{
    struct app app = {.opt = *opt};
    app.log = tlog_create_root(opt->log_level);
    if (!app.log)
        return EXIT_FAILURE_RUN;
    int ret = app_init(&app);
    if (ret == 0) {
        schedule(&app, 0);
        uv_timer_start(&app.stats_timer, on_stats_timer, 1000, 1000);
        uv_run(&app.loop, UV_RUN_DEFAULT);
        ret = app.exit_code;
    } else {
        if (ret != -EINVAL)
            tlog_err(app.log, "cannot start the wall");
        ret = EXIT_FAILURE_RUN;
    }
    app_uninit(&app);
    /* libuv's thread pool (--stats writes) would otherwise be joined by a
     * library destructor after main returns, while the leak checker runs */
    uv_library_shutdown();
    return ret;
}

/* --list-hwdec: tries every decode backend and prints what works; exit 0. */
static int list_hwdec(const struct app_options *opt)
{
    struct app app = {.opt = *opt};
    if (!(app.log = tlog_create_root(opt->log_level)))
        return EXIT_FAILURE_RUN;
    route_library_logs(&app);
    hwdec_list(stdout, app.log);
    tlog_destroy(app.log);
    return EXIT_OK;
}

/* --list-displays: prints the displays SDL sees, one a line; exit 0 (1 when
 * SDL video cannot start, e.g. no DISPLAY). */
static int list_displays(const struct app_options *opt)
{
    struct app app = {.opt = *opt};
    if (!(app.log = tlog_create_root(opt->log_level)))
        return EXIT_FAILURE_RUN;
    route_library_logs(&app);
    int ret = out_list_displays(stdout, app.log);
    tlog_destroy(app.log);
    return ret < 0 ? EXIT_FAILURE_RUN : EXIT_OK;
}

/* --verify-audit: checks an audit log's chain; exit 0 intact, 1 broken, 2
 * unreadable. */
static int verify_audit(const char *path)
{
    int ret = audit_verify(path, stdout);
    if (ret < 0)
        fprintf(stderr, "tessera: cannot read %s: %s\n", path, strerror(-ret));
    return ret == 0 ? EXIT_OK : ret == 1 ? EXIT_FAILURE_RUN : EXIT_USAGE;
}

int app_main(int argc, char **argv)
{
    struct app_options opt;
    switch (cli_parse(argc, argv, &opt, stdout, stderr)) {
    case CLI_DONE: return EXIT_OK;
    case CLI_ERROR: return EXIT_USAGE;
    case CLI_RUN: break;
    }
    if (opt.verify_audit)
        return verify_audit(opt.verify_audit);
    if (opt.list_hwdec)
        return list_hwdec(&opt);
    if (opt.list_displays)
        return list_displays(&opt);
    if (opt.validate)
        return validate_only(&opt);
    return app_run(&opt);
}
