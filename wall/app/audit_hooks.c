/*
 * audit_hooks.c - what the wall tells its audit log (--audit): start and
 * stop, layouts loaded, switched and reloaded, every interval a feed was
 * visible in a tile, consent refusals, masks lifted and restored, and the
 * commands (from keys, the socket and timers alike) that changed what is
 * shown: app_command() records each one here.  Without --audit every hook
 * does nothing.  Records go to the audit module's writer thread: the render
 * thread never waits on the disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "audit/audit.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "overlay/server.h"
#include "render/render.h"

int app_audit_open(struct app *app)
{
    if (!app->opt.audit_path)
        return 0;
    int err = 0;
    app->audit = audit_open(app->opt.audit_path, app->log, &err);
    if (!app->audit) {
        tlog_err(app->log, "cannot open the audit log %s", app->opt.audit_path);
        return err < 0 ? err : -1;
    }
    audit_program_start(app->audit, TESSERA_VERSION, app->opt.layout_path);
    return 0; /* the layout's "loaded" comes with its command (views.c) */
}

void app_audit_close(struct app *app, const char *reason)
{
    if (!app->audit)
        return;
    app_audit_visibility(app, true);
    audit_program_stop(app->audit, reason);
    audit_close(app->audit);
    app->audit = NULL;
}

void app_audit_layout(struct app *app, const char *action)
{
    if (app->audit)
        audit_layout(app->audit, app->opt.layout_path,
                     app->layout->views[app->ws.view].name, action);
}

void app_audit_consent(struct app *app, int feed, const char *why)
{
    const struct layout_feed *lf = &app->layout->feeds[feed];
    if (app->audit)
        audit_consent_refused(app->audit, lf->id,
                              lf->consent.present ? lf->consent.ref : NULL, why);
}

/* Who the control client running a command is, for the audit log: "uid U,
 * pid P" on the Unix socket, "tcp ADDR" over TCP, else "supervisor" (the
 * role that lifting a mask needs; its client is not known). */
static void client_name(const struct ovl_client_info *who, char *buf, size_t n)
{
    if (who && who->kind == OVL_PEER_UNIX && who->has_cred)
        snprintf(buf, n, "uid %ld, pid %ld", (long)who->uid, (long)who->pid);
    else if (who && who->kind == OVL_PEER_TCP)
        snprintf(buf, n, "tcp %s", who->addr);
    else
        snprintf(buf, n, "supervisor");
}

void app_audit_mask(struct app *app, int feed, bool lifted, const char *reason,
                    int64_t until_wall_us)
{
    const char *id = app->layout->feeds[feed].id;
    char by[96];
    client_name(app->cmd_client, by, sizeof(by));
    if (app->audit && lifted)
        audit_mask_lifted(app->audit, id, by, reason, until_wall_us);
    else if (app->audit)
        audit_mask_restored(app->audit, id);
}

void app_audit_command(struct app *app, const struct ovl_client_info *who,
                       const char *type, const char *summary)
{
    if (!app->audit)
        return;
    audit_command(app->audit, type,
                  who && who->kind == OVL_PEER_UNIX && who->has_cred ? (long)who->uid : -1,
                  who && who->kind == OVL_PEER_TCP ? who->addr : NULL, summary);
}

/* The feed tile t of output o puts on screen now, or -1 (panel, hidden by
 * an enlarged tile, no picture, picture hidden for a mask error, or not
 * connected). */
static int visible_feed(const struct app *app, int o, int t)
{
    int f = app_tile_feed(app, o, t);
    if (f < 0 || app_tile_rect(app, o, t).w <= 0)
        return -1;
    const struct app_feed *af = &app->feeds[f];
    bool hidden = render_video_mask_state(af->video) < 0 && af->unmask_until_us <= tm_now_us();
    return af->feed && render_video_ready(af->video) && !hidden ? f : -1; /* MASK ERROR: hidden */
}

void app_audit_visibility(struct app *app, bool closing)
{
    if (!app->audit || !app->vis)
        return;
    int64_t now = tm_wall_us();
    for (int o = 0; o < app->vis_n; o++) {
        struct app_vis *v = &app->vis[o];
        for (int t = 0; t < v->n_tiles; t++) {
            int f = closing ? -1 : visible_feed(app, o, t);
            if (f == v->vis_feed[t])
                continue;
            if (v->vis_feed[t] >= 0)
                audit_visible(app->audit, app->layout->feeds[v->vis_feed[t]].id, v->output,
                              t, v->vis_from[t], now);
            v->vis_feed[t] = f;
            v->vis_from[t] = now;
        }
    }
}

/* Ends every interval still open, naming feeds from layout old. */
static void end_intervals(struct app *app, const struct layout *old)
{
    int64_t now = tm_wall_us();
    for (int o = 0; app->audit && old && o < app->vis_n; o++) {
        const struct app_vis *v = &app->vis[o];
        for (int t = 0; t < v->n_tiles; t++)
            if (v->vis_feed[t] >= 0)
                audit_visible(app->audit, old->feeds[v->vis_feed[t]].id, v->output, t,
                              v->vis_from[t], now);
    }
}

void app_audit_vis_free(struct app *app)
{
    for (int o = 0; app->vis && o < app->vis_n; o++) {
        free(app->vis[o].output);
        free(app->vis[o].vis_feed);
        free(app->vis[o].vis_from);
    }
    free(app->vis);
    app->vis = NULL;
    app->vis_n = 0;
}

int app_audit_vis_reset(struct app *app, const struct layout *old)
{
    end_intervals(app, old);
    app_audit_vis_free(app);
    int n = app_output_count(app);
    if (!(app->vis = calloc((size_t)n + 1, sizeof(*app->vis))))
        return -ENOMEM;
    app->vis_n = n;
    for (int o = 0; o < n; o++) {
        struct app_vis *v = &app->vis[o];
        size_t tiles = (size_t)app_output(app, o)->n_tiles + 1;
        v->output = strdup(app_output(app, o)->name);
        v->vis_feed = malloc(tiles * sizeof(int));
        v->vis_from = calloc(tiles, sizeof(int64_t));
        if (!v->output || !v->vis_feed || !v->vis_from)
            return -ENOMEM; /* freed with the rest */
        v->n_tiles = (int)tiles - 1;
        for (size_t t = 0; t < tiles; t++)
            v->vis_feed[t] = -1;
    }
    return 0;
}

void app_audit_ws_command(struct app *app, const struct ws_cmd *cmd, int ret,
                          const char *err)
{
    static const bool audited[WS_CMD_COUNT] = {
        [WS_CMD_SHOW_VIEW] = true, [WS_CMD_MAXIMIZE] = true, [WS_CMD_RESTORE] = true,
        [WS_CMD_PIN] = true, [WS_CMD_UNPIN] = true, [WS_CMD_RESTART_FEED] = true,
        [WS_CMD_CALLUP] = true, [WS_CMD_RELEASE] = true, [WS_CMD_ADOPT] = true,
    };
    if (!app->audit || cmd->type < 0 || cmd->type >= WS_CMD_COUNT || !audited[cmd->type])
        return;
    char text[256], summary[512];
    ws_cmd_describe(&app->ws, cmd, text, sizeof(text));
    snprintf(summary, sizeof(summary), "%s%s%s", text, ret < 0 ? " -> refused: " : "",
             ret < 0 ? err : "");
    const struct ovl_client_info *who =
        cmd->origin == WS_ORIGIN_SOCKET ? app->cmd_client : NULL;
    audit_command(app->audit, ws_cmd_name(cmd->type),
                  who && who->kind == OVL_PEER_UNIX && who->has_cred ? (long)who->uid : -1,
                  who && who->kind == OVL_PEER_TCP ? who->addr : NULL, summary);
}
