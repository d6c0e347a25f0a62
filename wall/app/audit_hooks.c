/*
 * audit_hooks.c - what the wall tells its audit log (--audit): start and
 * stop, layouts loaded, switched and reloaded, every interval a feed was
 * visible in a tile, consent refusals, masks lifted and restored, and the
 * control commands that changed what is shown.  Without --audit every hook
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
    app_audit_layout(app, "loaded");
    return 0;
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
                     app->layout->views[app->view].name, action);
}

void app_audit_consent(struct app *app, int feed, const char *why)
{
    const struct layout_feed *lf = &app->layout->feeds[feed];
    if (app->audit)
        audit_consent_refused(app->audit, lf->id,
                              lf->consent.present ? lf->consent.ref : NULL, why);
}

void app_audit_mask(struct app *app, int feed, bool lifted, const char *reason,
                    int64_t until_wall_us)
{
    const char *id = app->layout->feeds[feed].id;
    if (app->audit && lifted)
        audit_mask_lifted(app->audit, id, "supervisor", reason, until_wall_us);
    else if (app->audit)
        audit_mask_restored(app->audit, id);
}

void app_audit_command(struct app *app, const struct ovl_client_info *who,
                       const char *type, const char *summary)
{
    if (!app->audit)
        return;
    audit_command(app->audit, type,
                  who->kind == OVL_PEER_UNIX && who->has_cred ? (long)who->uid : -1,
                  who->kind == OVL_PEER_TCP ? who->addr : NULL, summary);
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
    if (!app->audit || !app->outputs)
        return;
    int64_t now = tm_wall_us();
    for (int o = 0; o < app->outputs_n; o++) {
        struct app_output *out = &app->outputs[o];
        for (int t = 0; t < app_output(app, o)->n_tiles; t++) {
            int f = closing ? -1 : visible_feed(app, o, t);
            if (f == out->vis_feed[t])
                continue;
            if (out->vis_feed[t] >= 0)
                audit_visible(app->audit, app->layout->feeds[out->vis_feed[t]].id,
                              app_output(app, o)->name, t, out->vis_from[t], now);
            out->vis_feed[t] = f;
            out->vis_from[t] = now;
        }
    }
}
