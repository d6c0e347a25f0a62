/*
 * callup.c - call-up requests on the wall: the cameras of the layout's
 * registry are ranked for an incident or an ad-hoc point (the consent rules
 * of consent.c decide about private cameras), the best ones that are feeds
 * of the layout become one WS_CMD_CALLUP, and app_command() applies and
 * audits it like every other change.  Also the socket requests "callup" and
 * "release" and the call-ups in the stats.
 *
 * A registry camera that is no feed of the layout is added to it as an
 * on-demand feed (reg_layout_add_camera()): like every feed, the feed set
 * starts it while the wall state shows it (through its consent gate, with its
 * masks) and stops it when no slot does; its entry stays, unstarted, until
 * the layout is reloaded, and a reload carries the entries of cameras still
 * called up over to the new layout (views.c, carry_callups()).
 *
 * app_callup_point() serves the operator's click on a map panel.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "app/app_internal.h"
#include "app/consent.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "overlay/state.h"
#include "registry/registry.h"
#include "render/render.h"

/* What the consent check of one call-up needs to know. */
struct allow_ctx {
    long long now_s;
    bool cad; /* the incident came from a cad client */
};

/* A private camera only where its consent allows it now; an incident-only
 * one only for a cad incident that lies in its range. */
static bool allow_camera(const struct reg_camera *cam, double distance_m, bool sees,
                         void *opaque)
{
    const struct allow_ctx *ctx = opaque;
    struct layout_feed view;
    char text[160];
    (void)distance_m;
    reg_camera_feed_view(cam, &view);
    return consent_gate(&view, ctx->now_s, sees && ctx->cad, text, sizeof(text)) ==
           CONSENT_OPEN;
}

/* Ranks the registry for the point and fills cmd->cameras (at most max);
 * returns how many. */
static int rank_cameras(struct app *app, const char *incident, const char *kind, double lat,
                        double lon, bool cad, const struct layout_callup_rule *rule,
                        struct ws_cmd *cmd)
{
    struct reg_pick picks[4 * LAYOUT_MAX_CALLUP_CAMERAS];
    const char *links[2] = {incident, kind};
    struct allow_ctx ctx = {(long long)time(NULL), cad};
    struct reg_query q = {lat, lon, links, kind ? 2 : 1, rule->radius_m, allow_camera, &ctx};
    int n = reg_rank(app->registry, &q, picks, (int)(sizeof(picks) / sizeof(picks[0])));
    cmd->n_cameras = 0;
    for (int i = 0; i < n && cmd->n_cameras < rule->max_cameras; i++) {
        int f = app_feed_of_camera(app, picks[i].camera);
        if (f >= 0)
            cmd->cameras[cmd->n_cameras++] = f;
    }
    return cmd->n_cameras;
}

/* Calls up the cameras for incident (id) at lat/lon with its priority and
 * kind (may be NULL); cad: it came from a cad client; origin: who asked.
 * The command goes to *cmd.  0 or a negative errno with err set. */
static int callup(struct app *app, const char *incident, double lat, double lon,
                  int priority, const char *kind, bool cad, enum ws_origin origin,
                  struct ws_cmd *cmd, char *err, size_t errlen)
{
    const struct layout_callup_rule *rule = layout_callup_rule(app->layout, kind);
    *cmd = (struct ws_cmd){.type = WS_CMD_CALLUP, .origin = origin, .now_us = app_ws_now(app),
                           .priority = priority, .hold_s = rule->hold_s};
    snprintf(cmd->incident, sizeof(cmd->incident), "%s", incident);
    if (!app->registry) {
        snprintf(err, errlen, "the layout has no camera \"registry\"");
        return -ENOENT;
    }
    if (rank_cameras(app, incident, kind, lat, lon, cad, rule, cmd) == 0) {
        snprintf(err, errlen, "no registry camera can show %s", incident);
        return -ENOENT;
    }
    return app_command(app, cmd, err, errlen);
}

/* Adds "incident" and the feed ids of its call-up to reply, and its slots
 * once applied.  With "sync" the command is on its way to the broker: the
 * cameras it ranked, and "sent". */
static void reply_callup(const struct app *app, const struct ws_cmd *cmd, cJSON *reply)
{
    const char *incident = cmd->incident;
    cJSON_AddStringToObject(reply, "incident", incident);
    if (app->sync) {
        cJSON *cams = cJSON_AddArrayToObject(reply, "cameras");
        for (int k = 0; cams && k < cmd->n_cameras; k++)
            cJSON_AddItemToArray(cams, cJSON_CreateString(app->layout->feeds[cmd->cameras[k]].id));
        cJSON_AddBoolToObject(reply, "sent", true);
        return;
    }
    int n;
    const struct ws_callup *c = ws_callups(&app->ws, &n);
    for (int i = 0; i < n; i++) {
        if (strcmp(c[i].incident, incident) != 0)
            continue;
        cJSON *cams = cJSON_AddArrayToObject(reply, "cameras");
        for (int k = 0; cams && k < c[i].n_cameras; k++)
            cJSON_AddItemToArray(cams, cJSON_CreateString(app->layout->feeds[c[i].cameras[k]].id));
        cJSON_AddNumberToObject(reply, "slots", c[i].n_slots);
    }
}

/* Reads {"incident": ID} (an open incident with a position) or {"lat": …,
 * "lon": …} (an ad-hoc point, priority "priority" or 1) and calls up. */
int app_cmd_callup(struct app *app, const cJSON *msg, cJSON *reply, char *err, size_t errlen)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "incident");
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(msg, "lat");
    const cJSON *lon = cJSON_GetObjectItemCaseSensitive(msg, "lon");
    const cJSON *prio = cJSON_GetObjectItemCaseSensitive(msg, "priority");
    enum ws_origin origin = app->cmd_client ? WS_ORIGIN_SOCKET : WS_ORIGIN_POLICY;
    struct ws_cmd cmd;
    char name[64];
    int ret;
    if (cJSON_IsString(id)) {
        const struct ovl_incident *inc = ovl_state_find_incident(app->ovl, id->valuestring);
        if (!inc || !(inc->d.fields & OVL_INC_POS)) {
            snprintf(err, errlen, "no open incident \"%.64s\" with a position", id->valuestring);
            return -EINVAL;
        }
        int p = inc->d.fields & OVL_INC_PRIORITY ? inc->d.priority : 9;
        snprintf(name, sizeof(name), "%s", inc->d.id);
        ret = callup(app, name, inc->d.lat, inc->d.lon, p,
                     inc->d.fields & OVL_INC_KIND ? inc->d.kind : NULL, inc->cad, origin, &cmd,
                     err, errlen);
    } else if (cJSON_IsNumber(lat) && cJSON_IsNumber(lon) && fabs(lat->valuedouble) <= 90 &&
               fabs(lon->valuedouble) <= 180) {
        double pv = prio ? (cJSON_IsNumber(prio) ? prio->valuedouble : 0) : 1;
        int p = pv >= 1 && pv <= 9 && pv == (int)pv ? (int)pv : 0;
        if (p == 0) { /* an integer, as an incident's priority */
            snprintf(err, errlen, "\"priority\" must be an integer from 1 (most urgent) to 9");
            return -EINVAL;
        }
        snprintf(name, sizeof(name), "@%.6f,%.6f", lat->valuedouble, lon->valuedouble);
        ret = callup(app, name, lat->valuedouble, lon->valuedouble, p, NULL, false, origin,
                     &cmd, err, errlen);
    } else {
        snprintf(err, errlen, "give \"incident\" (an open incident's id) or \"lat\" and "
                 "\"lon\" (degrees)");
        return -EINVAL;
    }
    if (ret == 0)
        reply_callup(app, &cmd, reply);
    return ret < 0 ? -EINVAL : 0;
}

int app_callup_point(struct app *app, double lat, double lon, enum ws_origin origin,
                     char *err, size_t errlen)
{
    char name[64];
    struct ws_cmd cmd;
    snprintf(name, sizeof(name), "@%.6f,%.6f", lat, lon);
    return callup(app, name, lat, lon, 1, NULL, false, origin, &cmd, err, errlen);
}

/* {"type":"release","incident":ID} releases that call-up's slots. */
int app_cmd_release(struct app *app, const cJSON *msg, cJSON *reply, char *err, size_t errlen)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "incident");
    struct ws_cmd cmd = {.type = WS_CMD_RELEASE, .origin = WS_ORIGIN_SOCKET,
                         .now_us = app_ws_now(app)};
    if (!cJSON_IsString(id)) {
        snprintf(err, errlen, "\"incident\" must name a call-up (an incident id or \"@LAT,LON\")");
        return -EINVAL;
    }
    snprintf(cmd.incident, sizeof(cmd.incident), "%s", id->valuestring);
    int ret = app_command(app, &cmd, err, errlen);
    if (ret == -ENOENT)
        snprintf(err, errlen, "no call-up for \"%.64s\"", id->valuestring);
    else if (ret == 0)
        cJSON_AddStringToObject(reply, "incident", cmd.incident);
    return ret < 0 ? -EINVAL : 0;
}

/* Releases the call-ups of incidents that are no longer open. */
static void release_closed(struct app *app)
{
    int n;
    const struct ws_callup *c = ws_callups(&app->ws, &n);
    for (int i = n - 1; i >= 0; i--) {
        if (c[i].incident[0] == '@' || ovl_state_find_incident(app->ovl, c[i].incident))
            continue;
        struct ws_cmd cmd = {.type = WS_CMD_RELEASE, .origin = WS_ORIGIN_POLICY,
                             .now_us = app_ws_now(app)};
        memcpy(cmd.incident, c[i].incident, sizeof(cmd.incident));
        app_command(app, &cmd, NULL, 0);
        c = ws_callups(&app->ws, &n);
    }
}

void app_callups_expire(struct app *app, int64_t now_us)
{
    if (!app_sync_decides(app))
        return; /* the wall's leader does it */
    int n;
    const struct ws_callup *c = ws_callups(&app->ws, &n);
    for (int i = n - 1; i >= 0; i--) {
        if (!c[i].expires_us || now_us < c[i].expires_us)
            continue;
        struct ws_cmd cmd = {.type = WS_CMD_RELEASE, .origin = WS_ORIGIN_TIMER,
                             .now_us = now_us};
        memcpy(cmd.incident, c[i].incident, sizeof(cmd.incident));
        app_command(app, &cmd, NULL, 0);
        c = ws_callups(&app->ws, &n);
    }
}

void app_callups_follow(struct app *app)
{
    const struct ovl_incident *const *inc;
    char err[160];
    if (!app->ovl || !app->layout || !app_sync_leads(app))
        return; /* on a wall of several PCs the leader decides */
    release_closed(app);
    size_t n = ovl_state_incidents(app->ovl, &inc);
    int64_t seen = app->callup_seen_us;
    for (size_t i = 0; app->registry && i < n; i++) {
        const struct ovl_incident_data *d = &inc[i]->d;
        const char *kind = d->fields & OVL_INC_KIND ? d->kind : NULL;
        int up_to = layout_callup_rule(app->layout, kind)->up_to_priority;
        if (inc[i]->changed_wall_us > seen)
            app->callup_seen_us = inc[i]->changed_wall_us > app->callup_seen_us
                                      ? inc[i]->changed_wall_us : app->callup_seen_us;
        if (inc[i]->changed_wall_us <= seen || !(d->fields & OVL_INC_POS) ||
            !(d->fields & OVL_INC_PRIORITY) || d->priority > up_to)
            continue;
        struct ws_cmd cmd;
        if (callup(app, d->id, d->lat, d->lon, d->priority, kind, inc[i]->cad,
                   app->cmd_client ? WS_ORIGIN_SOCKET : WS_ORIGIN_POLICY, &cmd, err,
                   sizeof(err)) < 0)
            tlog_debug(app->log, "call-up for incident %s: %s", d->id, err);
    }
}

/* Whether every slot c holds shows a picture now. */
static bool slots_show_pictures(const struct app *app, const struct ws_callup *c)
{
    int held = 0;
    for (int o = 0; o < app_output_count(app); o++) {
        for (int t = 0; t < app->ws.outputs[o].n_tiles; t++) {
            int f = app->ws.outputs[o].tiles[t].callup_feed;
            bool mine = false;
            for (int k = 0; f >= 0 && k < c->n_cameras; k++)
                mine = mine || c->cameras[k] == f;
            if (!mine)
                continue;
            if (!app->feeds[f].first_shown_us || !render_video_ready(app->feeds[f].video))
                return false;
            held++;
        }
    }
    return held == c->n_slots;
}

/* The timing entry of call-up c, added when missing; NULL without memory. */
static struct app_callup_time *callup_time(struct app *app, const struct ws_callup *c)
{
    for (int i = 0; i < app->n_callup_times; i++)
        if (app->callup_times[i].order == c->order &&
            strcmp(app->callup_times[i].incident, c->incident) == 0)
            return &app->callup_times[i];
    struct app_callup_time *all = realloc(app->callup_times,
                                          (size_t)(app->n_callup_times + 1) * sizeof(*all));
    if (!all)
        return NULL;
    app->callup_times = all;
    struct app_callup_time *t = &all[app->n_callup_times++];
    memset(t, 0, sizeof(*t));
    memcpy(t->incident, c->incident, sizeof(t->incident));
    t->order = c->order;
    return t;
}

/* Forgets the timings of call-ups no longer in the wall state. */
static void forget_released(struct app *app)
{
    int n, kept = 0;
    const struct ws_callup *c = ws_callups(&app->ws, &n);
    for (int i = 0; i < app->n_callup_times; i++) {
        bool live = false;
        for (int k = 0; k < n && !live; k++)
            live = c[k].order == app->callup_times[i].order &&
                   strcmp(c[k].incident, app->callup_times[i].incident) == 0;
        if (live)
            app->callup_times[kept++] = app->callup_times[i];
    }
    app->n_callup_times = kept;
}

void app_callups_presented(struct app *app, int64_t now_us)
{
    int n;
    const struct ws_callup *c = ws_callups(&app->ws, &n);
    forget_released(app);
    for (int i = 0; i < n; i++) {
        if (c[i].n_slots == 0 || now_us < c[i].since_us || !slots_show_pictures(app, &c[i]))
            continue;
        struct app_callup_time *t = callup_time(app, &c[i]);
        if (t && !t->shown_us) {
            t->shown_us = now_us;
            t->shown_wall_us = tm_wall_us();
        }
    }
}

void app_callups_free(struct app *app)
{
    free(app->callup_times);
    app->callup_times = NULL;
    app->n_callup_times = 0;
}

/* The timing of call-up c, or NULL (not shown yet). */
static const struct app_callup_time *shown_time(const struct app *app,
                                                const struct ws_callup *c)
{
    for (int i = 0; i < app->n_callup_times; i++)
        if (app->callup_times[i].order == c->order && app->callup_times[i].shown_us &&
            strcmp(app->callup_times[i].incident, c->incident) == 0)
            return &app->callup_times[i];
    return NULL;
}

cJSON *app_callups_json(const struct app *app, int64_t now_us)
{
    int n;
    const struct ws_callup *c = ws_callups(&app->ws, &n);
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; list && i < n; i++) {
        cJSON *o = cJSON_CreateObject(), *cams;
        if (!o)
            break;
        cJSON_AddStringToObject(o, "incident", c[i].incident);
        cJSON_AddNumberToObject(o, "priority", c[i].priority);
        cams = cJSON_AddArrayToObject(o, "cameras");
        for (int k = 0; cams && k < c[i].n_cameras; k++)
            cJSON_AddItemToArray(cams, cJSON_CreateString(app->layout->feeds[c[i].cameras[k]].id));
        cJSON_AddNumberToObject(o, "slots", c[i].n_slots);
        cJSON_AddBoolToObject(o, "queued", c[i].n_slots == 0);
        cJSON_AddNumberToObject(o, "since_s", (double)((now_us - c[i].since_us) / 1000000));
        const struct app_callup_time *t = shown_time(app, &c[i]);
        if (t) {
            cJSON_AddNumberToObject(o, "pictures_ms",
                                    (double)((t->shown_us - c[i].since_us) / 1000));
            cJSON_AddNumberToObject(o, "pictures_wall_ms", (double)(t->shown_wall_us / 1000));
        } else {
            cJSON_AddNullToObject(o, "pictures_ms");
            cJSON_AddNullToObject(o, "pictures_wall_ms");
        }
        cJSON_AddItemToArray(list, o);
    }
    return list;
}
