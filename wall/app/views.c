/*
 * views.c - the one path for every change to what the wall shows.  Keys
 * (input.c), the control socket (control.c), the tour timer and the layout
 * file watch (here) build a struct ws_cmd; app_command() applies it to the
 * wall state (wallstate/), records it in the audit log, and makes the rest
 * follow: windows and render targets for the outputs, the basemap, the feed
 * set, the redraw.  Start and reload are the same command (a layout read);
 * reloads read the file on libuv's thread pool, never on the render thread,
 * and a broken file keeps the last good layout on screen, with a banner
 * carrying the file:line:column message.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "base/log.h"
#include "base/secret.h"
#include "base/timeutil.h"
#include "output/output.h"
#include "overlay/server.h"
#include "registry/registry.h"
#include "render/render.h"

#define RELOAD_SETTLE_MS 150 /* editors write in several steps */

/* A layout file read on the thread pool: the worker fills layout and diags,
 * the render thread takes them in reload_done(). */
struct app_reload {
    uv_work_t req;
    struct app *app;
    char *path;
    enum ws_origin origin;
    struct layout *layout;
    struct layout_diags diags;
    struct registry *registry;    /* the layout's "registry", or NULL */
    char *reg_path;               /* its path, for reg_diags */
    struct layout_diags reg_diags;
    const char *secret_path;      /* --supervisor-secret-file (re-read too), or NULL */
    char secret[sizeof(((struct app *)0)->supervisor_secret)];
    int secret_ret;
};

static void close_targets(struct app *app);

/* ---- what follows a command ---- */

/* The directory of layout l's "basemap" (a relative one is relative to the
 * layout file's directory), or NULL without one; *err is -ENOMEM when it
 * cannot be built. */
static char *basemap_dir(const struct app *app, const struct layout *l, int *err)
{
    *err = 0;
    if (!l->basemap)
        return NULL;
    char *copy = strdup(app->opt.layout_path), *dir = NULL;
    size_t n = (copy ? strlen(copy) : 0) + strlen(l->basemap) + 2;
    if (l->basemap[0] == '/')
        dir = strdup(l->basemap);
    else if (copy && (dir = malloc(n)))
        snprintf(dir, n, "%s/%s", dirname(copy), l->basemap);
    free(copy);
    *err = dir ? 0 : -ENOMEM;
    return dir;
}

/* One wall image per output of the view: kept where the size stayed,
 * made anew where it changed or the output is new.  0, -ENOMEM or -EIO. */
static int apply_targets(struct app *app)
{
    int n = app_output_count(app);
    struct render_target **t = calloc((size_t)n + 1, sizeof(*t));
    int (*wh)[2] = calloc((size_t)n + 1, sizeof(*wh));
    if (!t || !wh) {
        free(t);
        free(wh);
        return -ENOMEM;
    }
    for (int o = 0; o < n; o++) {
        const struct layout_output *lo = app_output(app, o);
        wh[o][0] = lo->width;
        wh[o][1] = lo->height;
        if (o < app->n_targets && app->target_wh[o][0] == lo->width &&
            app->target_wh[o][1] == lo->height) {
            t[o] = app->targets[o];
            app->targets[o] = NULL;
        } else if (!(t[o] = render_target_create(lo->width, lo->height))) {
            tlog_err(app->log, "cannot create a %dx%d framebuffer for output %s",
                     lo->width, lo->height, lo->name);
        }
    }
    close_targets(app);
    app->targets = t;
    app->target_wh = wh;
    app->n_targets = n;
    for (int o = 0; o < n; o++)
        if (!t[o])
            return -EIO;
    return 0;
}

/* A new layout: windows, targets and the basemap follow its outputs. */
static int follow_layout(struct app *app)
{
    const struct layout_view *v = &app->layout->views[app->ws.view];
    int ret, err;
    if (out_set_apply(app->outs, v->outputs, v->n_outputs) < 0)
        tlog_err(app->log, "cannot make the windows for the new outputs");
    if ((ret = apply_targets(app)) < 0)
        return ret;
    char *dir = basemap_dir(app, app->layout, &err);
    if (err < 0)
        return err;
    free(app->basemap_dir);
    app->basemap_dir = dir;
    return 0;
}

/* Explains a refused command in err. */
static void explain(const struct app *app, const struct ws_cmd *cmd, int ret, char *err,
                    size_t n)
{
    const struct wall_state *ws = &app->ws;
    bool out_ok = cmd->output >= 0 && cmd->output < app_output_count(app);
    if (!err || !n)
        return;
    if (ret == -ENOMEM)
        snprintf(err, n, "out of memory");
    else if (cmd->type == WS_CMD_SHOW_VIEW && ret == -ENOENT)
        snprintf(err, n, "no layout number %d", cmd->view + 1);
    else if (cmd->type == WS_CMD_SHOW_VIEW)
        snprintf(err, n, "layout \"%s\" does not fit the wall's outputs",
                 ws->layout->views[cmd->view].name);
    else if (cmd->type == WS_CMD_RESTART_FEED)
        snprintf(err, n, "no such feed");
    else if (!out_ok)
        snprintf(err, n, "no such output");
    else if (cmd->type == WS_CMD_PIN && cmd->tile >= 0 &&
             cmd->tile < ws->outputs[cmd->output].n_tiles)
        snprintf(err, n, "tile %d of output \"%s\" shows no feed to pin", cmd->tile,
                 app_output(app, cmd->output)->name);
    else
        snprintf(err, n, "output \"%s\" has no tile %d", app_output(app, cmd->output)->name,
                 cmd->tile);
}

/* Makes the rest of the app follow a command that changed what (old: the
 * layout before it).  0 or a negative errno. */
static int follow(struct app *app, const struct layout *old, unsigned what,
                  const struct ws_cmd *cmd)
{
    int ret = 0, r;
    if (what & WS_CHANGED_LAYOUT) /* first: what follows from it comes after */
        app_audit_layout(app, cmd->origin == WS_ORIGIN_START ? "loaded" : "reloaded");
    if (what & (WS_CHANGED_VIEW | WS_CHANGED_LAYOUT))
        ret = app_audit_vis_reset(app, old);
    if ((what & WS_CHANGED_LAYOUT) && (r = follow_layout(app)) < 0)
        ret = r;
    /* always: app->feeds must match app->layout */
    if ((what & WS_CHANGED_FEEDS) && (r = app_feeds_apply(app, old ? old : app->layout)) < 0)
        ret = r;
    if ((what & WS_RESTART_FEED) && (r = app_feeds_restart(app, cmd->feed)) < 0)
        ret = r;
    if ((what & WS_CHANGED_VIEW) && !(what & WS_CHANGED_LAYOUT)) {
        tlog_info(app->log, "showing layout \"%s\"", app->layout->views[app->ws.view].name);
        app_audit_layout(app, "switched");
    }
    if (what & (WS_CHANGED_VIEW | WS_CHANGED_FEEDS))
        app->ovl_generation--; /* recompute camera highlights for the new feeds */
    if (what & WS_CHANGED_TILES)
        app->dirty = app->full_redraw = app->panels_dirty = true;
    return ret;
}

int app_command(struct app *app, struct ws_cmd *cmd, char *err, size_t errlen)
{
    const struct layout *old = app->ws.layout;
    unsigned what = 0;
    const struct ovl_client_info *who = app->cmd_client;
    if (cmd->origin == WS_ORIGIN_SOCKET && who && who->kind == OVL_PEER_TCP)
        snprintf(cmd->client, sizeof(cmd->client), "%s", who->addr);
    else if (cmd->origin == WS_ORIGIN_SOCKET && who && who->has_cred)
        snprintf(cmd->client, sizeof(cmd->client), "uid %ld", (long)who->uid);
    int ret = ws_apply(&app->ws, cmd, &what);
    if (ret < 0)
        explain(app, cmd, ret, err, errlen);
    app_audit_ws_command(app, cmd, ret, err ? err : "");
    if (ret < 0)
        return ret;
    char text[256];
    tlog_debug(app->log, "%s", ws_cmd_describe(&app->ws, cmd, text, sizeof(text)));
    ret = follow(app, old, what, cmd);
    if (ret < 0 && err)
        snprintf(err, errlen, "the wall could not follow: %s", strerror(-ret));
    return ret;
}

int app_apply_layout(struct app *app, struct layout *l, enum ws_origin origin)
{
    struct layout *old = app->layout;
    struct ws_cmd cmd = {.type = WS_CMD_LAYOUT, .origin = origin, .now_us = tm_now_us(),
                         .layout = l};
    app->layout = l; /* the feed set and the targets read the new one */
    int ret = app_command(app, &cmd, NULL, 0);
    if (ret < 0 && app->ws.layout != l) {
        app->layout = old; /* refused: nothing changed */
        layout_destroy(l);
        return ret;
    }
    if (old != l)
        layout_destroy(old);
    if (origin != WS_ORIGIN_START) {
        app->banner[0] = '\0';
        tlog_info(app->log, "reloaded %s", app->opt.layout_path);
    }
    return ret;
}

/* ---- tours ---- */

int64_t app_tours_due(const struct app *app)
{
    return ws_next_tour_us(&app->ws);
}

void app_tours_tick(struct app *app, int64_t now_us)
{
    int64_t due = ws_next_tour_us(&app->ws);
    if (!due || now_us < due)
        return;
    struct ws_cmd cmd = {.type = WS_CMD_TOUR_TICK, .origin = WS_ORIGIN_TIMER,
                         .now_us = now_us};
    app_command(app, &cmd, NULL, 0);
}

/* ---- reloading the file ---- */

/* Before a reloaded layout to (with registry reg, may be NULL) is applied:
 * adds to it the on-demand feeds of registry cameras that call-ups show now,
 * so they stay called up (and connected) through the reload. */
static void carry_callups(const struct app *app, struct layout *to, const struct registry *reg)
{
    int n;
    const struct ws_callup *c = ws_callups(&app->ws, &n);
    for (int i = 0; reg && i < n; i++) {
        for (int k = 0; k < c[i].n_cameras; k++) {
            const struct layout_feed *lf = &app->layout->feeds[c[i].cameras[k]];
            int r = lf->on_demand ? reg_find(reg, lf->camera) : -1;
            if (r >= 0 && reg_layout_add_camera(to, reg_camera_at(reg, r)) < 0)
                tlog_err(app->log, "call-up %s: camera %s dropped: out of memory",
                         c[i].incident, lf->camera);
        }
    }
}


/* Sets the banner from the first error (and the count of the others). */
static void set_banner(struct app *app, const struct layout_diags *d)
{
    int errors = layout_diags_count(d, LAYOUT_ERROR);
    for (int i = 0; i < d->n; i++) {
        if (d->items[i].severity != LAYOUT_ERROR)
            continue;
        snprintf(app->banner, sizeof(app->banner),
                 "LAYOUT NOT RELOADED · %s:%d:%d: %s%s", app->opt.layout_path,
                 d->items[i].line, d->items[i].col, d->items[i].message,
                 errors > 1 ? " (and more: see the log)" : "");
        break;
    }
    app->dirty = app->full_redraw = true;
}

/* On the thread pool: reads and checks the file; touches nothing else. */
static void reload_work(uv_work_t *req)
{
    struct app_reload *job = req->data;
    reg_load_layout(job->path, &job->layout, &job->registry, &job->reg_path, &job->diags,
                    &job->reg_diags);
    if (job->secret_path) /* a reload re-reads the supervisor secret too */
        job->secret_ret = secret_read_file(job->secret_path, job->secret, sizeof(job->secret));
}

static void reload_free(struct app_reload *job)
{
    secret_wipe(job->secret, sizeof(job->secret));
    layout_destroy(job->layout);
    layout_diags_clear(&job->diags);
    reg_destroy(job->registry);
    free(job->reg_path);
    layout_diags_clear(&job->reg_diags);
    free(job->path);
    free(job);
}

/* Back on the render thread: shows what was read, or keeps the old layout. */
static void reload_done(uv_work_t *req, int status)
{
    struct app_reload *job = req->data;
    struct app *app = job->app;
    app->reload = NULL;
    if (status < 0 || app->stopping) {
        reload_free(job);
        return;
    }
    if (job->secret_path && job->secret_ret < 0)
        tlog_err(app->log, "cannot read the supervisor secret from %s (%s): masks cannot "
                 "be lifted", job->secret_path, strerror(-job->secret_ret));
    if (job->secret_path)
        memcpy(app->supervisor_secret, job->secret, sizeof(job->secret));
    layout_diags_print(&job->diags, job->path, stderr);
    layout_diags_print(&job->reg_diags, job->reg_path, stderr);
    if (!job->layout) {
        tlog_err(app->log, "%s has errors: keeping the layout on screen", job->path);
        set_banner(app, job->diags.n ? &job->diags : &job->reg_diags);
    } else {
        struct layout *l = job->layout;
        out_resolve_sizes(l, app->opt.headless, app->log); /* asks SDL */
        job->layout = NULL; /* the app's now */
        carry_callups(app, l, job->registry); /* on-demand cameras stay */
        app_apply_layout(app, l, job->origin);
        if (app->layout == l) { /* accepted: its registry comes along */
            reg_destroy(app->registry);
            app->registry = job->registry;
            job->registry = NULL;
            app_registry_watch(app);
        }
    }
    enum ws_origin origin = job->origin;
    reload_free(job);
    if (app->reload_again) {
        app->reload_again = false;
        app_reload(app, origin);
    }
}

int app_reload(struct app *app, enum ws_origin origin)
{
    if (app->reload) {
        app->reload_again = true;
        return 0;
    }
    struct app_reload *job = calloc(1, sizeof(*job));
    if (!job || !(job->path = strdup(app->opt.layout_path))) {
        free(job);
        return -ENOMEM;
    }
    job->app = app;
    job->origin = origin;
    job->secret_path = app->opt.supervisor_secret_file;
    job->req.data = job;
    int ret = uv_queue_work(&app->loop, &job->req, reload_work, reload_done);
    if (ret < 0) {
        reload_free(job);
        return ret;
    }
    app->reload = job;
    return 0;
}

static void on_reload_timer(uv_timer_t *timer)
{
    app_reload(timer->data, WS_ORIGIN_FILE_WATCH);
}

static void on_file_event(uv_fs_event_t *ev, const char *name, int events, int status)
{
    struct app *app = ev->data;
    (void)events;
    if (status < 0 || (name && strcmp(name, app->watch_name) != 0 &&
                       strcmp(name, app->registry_watch_name) != 0))
        return;
    uv_timer_start(&app->reload_timer, on_reload_timer, RELOAD_SETTLE_MS, 0);
}

void app_registry_watch(struct app *app)
{
    const char *r = app->layout ? app->layout->registry : NULL;
    /* only a registry beside the layout: the watch is on that directory */
    snprintf(app->registry_watch_name, sizeof(app->registry_watch_name), "%s",
             r && !strchr(r, '/') ? r : "");
}

int app_watch_start(struct app *app)
{
    app_registry_watch(app);
    char *copy = strdup(app->opt.layout_path), *copy2 = strdup(app->opt.layout_path);
    int ret = copy && copy2 ? 0 : -ENOMEM;
    if (ret == 0) {
        snprintf(app->watch_name, sizeof(app->watch_name), "%s", basename(copy));
        uv_timer_init(&app->loop, &app->reload_timer);
        uv_fs_event_init(&app->loop, &app->watch);
        app->reload_timer.data = app->watch.data = app;
        app->watching = true;
        /* the directory, not the file: editors replace files by renaming */
        ret = uv_fs_event_start(&app->watch, on_file_event, dirname(copy2), 0);
        if (ret < 0)
            tlog_warn(app->log, "cannot watch %s for changes: %s", app->opt.layout_path,
                      uv_strerror(ret));
    }
    free(copy);
    free(copy2);
    return ret;
}

void app_watch_close(struct app *app)
{
    if (!app->watching)
        return;
    uv_close((uv_handle_t *)&app->watch, NULL);
    uv_close((uv_handle_t *)&app->reload_timer, NULL);
    app->watching = false;
}

/* Destroys the render targets (NULL entries too). */
static void close_targets(struct app *app)
{
    for (int o = 0; o < app->n_targets; o++)
        render_target_destroy(app->targets[o]);
    free(app->targets);
    free(app->target_wh);
    app->targets = NULL;
    app->target_wh = NULL;
    app->n_targets = 0;
}

void app_views_close(struct app *app)
{
    close_targets(app);
    app_audit_vis_free(app);
    ws_uninit(&app->ws);
}
