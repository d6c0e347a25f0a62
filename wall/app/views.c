/*
 * views.c - applying a command to what the wall shows.  Keys (input.c), the
 * control socket (control.c), the tour timer and the layout file watch
 * (reload.c) build a struct ws_cmd and hand it to app_command() (sync.c),
 * which sends it to every node of a wall of several PCs, or applies it here
 * at once when the node runs alone: app_command_apply() applies it to the
 * wall state (wallstate/), records it in the audit log, and makes the rest
 * follow: windows and render targets for the outputs, the basemap, the feed
 * set, the redraw.  Start and reload are the same command (a layout read).
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
        if (!app_output_here(app, o))
            continue; /* another PC draws it */
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
        if (!t[o] && app_output_here(app, o))
            return -EIO;
    return 0;
}

/* A new layout: windows, targets and the basemap follow its outputs. */
static int follow_layout(struct app *app)
{
    const struct layout_view *v = &app->layout->views[app->ws.view];
    int ret, err;
    out_set_node(app->outs, app_node(app)); /* another PC's outputs stay hidden */
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
    if (what & WS_CHANGED_TILES) {
        app->dirty = app->full_redraw = true;
        app->panels_dirty = APP_PANEL_ALL;
    }
    return ret;
}

int app_command_apply(struct app *app, struct ws_cmd *cmd, char *err, size_t errlen)
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

int app_apply_layout(struct app *app, struct layout *l, enum ws_origin origin, int64_t now_us)
{
    struct layout *old = app->layout;
    struct ws_cmd cmd = {.type = WS_CMD_LAYOUT, .origin = origin,
                         .now_us = now_us ? now_us : app_ws_now(app), .layout = l};
    app->layout = l; /* the feed set and the targets read the new one */
    int ret = app_command_apply(app, &cmd, NULL, 0);
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

void app_registry_watch(struct app *app)
{
    const char *r = app->layout ? app->layout->registry : NULL;
    /* only a registry beside the layout: the watch is on that directory */
    snprintf(app->registry_watch_name, sizeof(app->registry_watch_name), "%s",
             r && !strchr(r, '/') ? r : "");
}

int app_layout_accept(struct app *app, struct layout *l, struct registry *reg,
                      const char *hash, enum ws_origin origin, int64_t now_us)
{
    carry_callups(app, l, reg); /* on-demand cameras stay */
    int ret = app_apply_layout(app, l, origin, now_us);
    if (app->layout == l) { /* accepted: its registry comes along */
        reg_destroy(app->registry);
        app->registry = reg;
        reg = NULL;
        snprintf(app->layout_hash, sizeof(app->layout_hash), "%s", hash);
        app_registry_watch(app);
    }
    reg_destroy(reg);
    return ret;
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
