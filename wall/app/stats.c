/*
 * stats.c - what the wall knows about itself, once a second: the --stats
 * JSON file (rewritten atomically by a libuv worker so the render thread
 * never waits on the disk), the operator HUD lines, and the document the
 * control socket's "stats" request returns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app/app_internal.h"
#include "app/consent.h"
#include "base/log.h"
#include "base/prio.h"
#include "base/url.h"
#include "cot/inputs.h"
#include "layout/layout.h"
#include "overlay/state.h"
#include "render/render.h"

/* Adds {"p50": ms, "p99": ms} (null when there are no samples). */
static void add_percentiles(cJSON *parent, const char *name, const struct ring *r)
{
    cJSON *o = cJSON_AddObjectToObject(parent, name);
    int64_t p50 = ring_percentile(r, 50), p99 = ring_percentile(r, 99);
    if (p50 < 0) {
        cJSON_AddNullToObject(o, "p50");
        cJSON_AddNullToObject(o, "p99");
        return;
    }
    cJSON_AddNumberToObject(o, "p50", (double)p50 / 1000.0);
    cJSON_AddNumberToObject(o, "p99", (double)p99 / 1000.0);
}

/* Adds "status_text" (the tile banner, already redacted), "retry_in_s" (to
 * the next connection attempt, or null) and "transport" (RTSP's in use, or
 * null). */
static void add_retry_transport(cJSON *o, const struct app_feed *af,
                                const struct feed_status *st, int64_t now_us)
{
    cJSON_AddStringToObject(o, "status_text", af->status_text);
    if (af->feed && st->retry_at_us)
        cJSON_AddNumberToObject(o, "retry_in_s",
                                (double)((st->retry_at_us - now_us + 999999) / 1000000));
    else
        cJSON_AddNullToObject(o, "retry_in_s");
    if (af->feed && st->transport[0])
        cJSON_AddStringToObject(o, "transport", st->transport);
    else
        cJSON_AddNullToObject(o, "transport");
}

/* Adds "screen": the texts the renderer is given for this feed's tiles
 * (label, status banner, incident highlight, HUD line), exactly as drawn, so
 * a test can check what reaches the screen. */
static void add_screen_texts(const struct app *app, cJSON *o, int i)
{
    const struct app_feed *af = &app->feeds[i];
    cJSON *s = cJSON_AddObjectToObject(o, "screen");
    cJSON_AddStringToObject(s, "label", app->layout->feeds[i].label);
    cJSON_AddStringToObject(s, "status", af->status_text);
    cJSON_AddStringToObject(s, "highlight", af->highlight);
    cJSON_AddStringToObject(s, "hud", app->hud ? af->hud_text : "");
}

static cJSON *feed_json(const struct app *app, int i, int64_t now_us)
{
    const struct app_feed *af = &app->feeds[i];
    const struct feed_status *st = &af->status;
    char url[512];
    url_redact(app->layout->feeds[i].url, url, sizeof(url));
    struct mbox_counts mc = af->feed ? feed_mbox_counts(af->feed) : (struct mbox_counts){0};
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", app->layout->feeds[i].id);
    cJSON_AddStringToObject(o, "url", url);
    if (app->layout->feeds[i].on_demand) /* a registry camera called up */
        cJSON_AddStringToObject(o, "camera", app->layout->feeds[i].camera);
    /* a feed its consent keeps off is not connected at all */
    cJSON_AddStringToObject(o, "state", af->gate == CONSENT_REFUSED ? "refused"
                                        : af->gate == CONSENT_STANDBY ? "standby"
                                        : feed_state_name(st->state));
    char detail[sizeof(st->detail) * 3];
    url_redact_text(af->feed ? st->detail : af->status_text, detail, sizeof(detail));
    cJSON_AddStringToObject(o, "detail", detail);
    add_retry_transport(o, af, st, now_us);
    /* "masked" only when masks are really in place on the picture */
    cJSON_AddBoolToObject(o, "masked", render_video_mask_state(af->video) > 0 &&
                                           af->unmask_until_us <= now_us);
    cJSON_AddBoolToObject(o, "mask_error", render_video_mask_state(af->video) < 0);
    add_screen_texts(app, o, i);
    cJSON_AddNumberToObject(o, "frames_decoded", (double)st->frames_decoded);
    cJSON_AddNumberToObject(o, "frames_displayed", (double)af->displayed);
    cJSON_AddNumberToObject(o, "frames_dropped", (double)mc.dropped);
    cJSON_AddNumberToObject(o, "frames_late", (double)mc.late);
    cJSON_AddNumberToObject(o, "jitter_ms", (double)(int)(mc.jitter_us / 100 + 0.5) / 10);
    cJSON_AddNumberToObject(o, "buffer_ms", (double)(int)(mc.buffer_us / 100 + 0.5) / 10);
    cJSON_AddNumberToObject(o, "decode_errors", (double)st->decode_errors);
    cJSON_AddNumberToObject(o, "reconnects", (double)st->reconnects);
    if (st->last_frame_us)
        cJSON_AddNumberToObject(o, "last_frame_age_ms",
                                (double)((now_us - st->last_frame_us) / 1000));
    else
        cJSON_AddNullToObject(o, "last_frame_age_ms");
    cJSON_AddNumberToObject(o, "width", st->width);
    cJSON_AddNumberToObject(o, "height", st->height);
    if (st->scaled_w > 0) { /* software GL: scaled to the tile on the feed thread */
        cJSON *sz = cJSON_AddArrayToObject(o, "scaled_to");
        cJSON_AddItemToArray(sz, cJSON_CreateNumber(st->scaled_w));
        cJSON_AddItemToArray(sz, cJSON_CreateNumber(st->scaled_h));
    } else {
        cJSON_AddNullToObject(o, "scaled_to");
    }
    static const char *const drawn[] = {
        [RENDER_DRAWN_SHADER] = "shader", [RENDER_DRAWN_COPY] = "copy"};
    if (af->drawn == RENDER_DRAWN_NONE) /* how its picture reaches the wall */
        cJSON_AddNullToObject(o, "drawn");
    else
        cJSON_AddStringToObject(o, "drawn", drawn[af->drawn]);
    cJSON_AddStringToObject(o, "codec", st->codec);
    cJSON_AddStringToObject(o, "stream", af->on_sub ? "sub" : "main");
    cJSON_AddBoolToObject(o, "degraded", st->degraded);
    cJSON_AddNumberToObject(o, "behind_ms", (double)(st->behind_us / 1000));
    cJSON_AddStringToObject(o, "hwdec", st->hwdec);
    if (st->hwdec_fallback[0])
        cJSON_AddStringToObject(o, "hwdec_fallback", st->hwdec_fallback);
    else
        cJSON_AddNullToObject(o, "hwdec_fallback");
    cJSON_AddNumberToObject(o, "fps", (double)(int)(st->fps * 10 + 0.5) / 10);
    cJSON_AddNumberToObject(o, "bitrate_kbps", (double)(int)(af->kbps + 0.5));
    add_percentiles(o, "latency_ms", &af->latency);
    if (af->first_shown_us)
        cJSON_AddNumberToObject(o, "first_frame_ms",
                                (double)((af->first_shown_us - app->start_us) / 1000));
    else
        cJSON_AddNullToObject(o, "first_frame_ms");
    return o;
}

/* What each output shows now: the feed (or panel) of every tile, and the
 * enlarged and selected tiles. */
static cJSON *outputs_json(const struct app *app)
{
    cJSON *outs = cJSON_CreateArray();
    for (int o = 0; o < app_output_count(app); o++) {
        const struct layout_output *lo = app_output(app, o);
        cJSON *out = cJSON_CreateObject(), *tiles, *pinned;
        cJSON_AddStringToObject(out, "name", lo->name);
        cJSON_AddNumberToObject(out, "width", lo->width);
        cJSON_AddNumberToObject(out, "height", lo->height);
        cJSON_AddBoolToObject(out, "here", app_output_here(app, o)); /* this PC draws it */
        cJSON_AddNumberToObject(out, "maximized", app->ws.outputs[o].maximized);
        cJSON_AddNumberToObject(out, "selected", app->ws.outputs[o].selected);
        pinned = cJSON_AddArrayToObject(out, "pinned");
        for (int t = 0; t < lo->n_tiles; t++)
            if (ws_tile_pinned(&app->ws, o, t))
                cJSON_AddItemToArray(pinned, cJSON_CreateNumber(t));
        tiles = cJSON_AddArrayToObject(out, "tiles");
        for (int t = 0; t < lo->n_tiles; t++) {
            int f = app_tile_feed(app, o, t);
            char panel[24];
            if (lo->tiles[t].panel == LAYOUT_PANEL_CALLUP)
                snprintf(panel, sizeof panel, "callup:%d", lo->tiles[t].callup);
            else
                snprintf(panel, sizeof panel, "panel:%s",
                         lo->tiles[t].panel == LAYOUT_PANEL_MAP ? "map" : "incidents");
            cJSON_AddItemToArray(tiles, cJSON_CreateString(f >= 0 ? app->layout->feeds[f].id
                                                                  : panel));
        }
        cJSON_AddItemToArray(outs, out);
    }
    return outs;
}

cJSON *app_stats_json(struct app *app, int64_t now_us)
{
    cJSON *doc = cJSON_CreateObject();
    if (!doc)
        return NULL;
    cJSON_AddNumberToObject(doc, "uptime_s", (double)((now_us - app->start_us) / 1000000));
    /* the same instant in ms: the counters below were read then, whenever
     * the file itself is written */
    cJSON_AddNumberToObject(doc, "uptime_ms", (double)((now_us - app->start_us) / 1000));
    cJSON_AddStringToObject(doc, "layout", app->layout->views[app->ws.view].name);
    cJSON_AddNumberToObject(doc, "commands", (double)app->ws.seq);
    if (app->banner[0])
        cJSON_AddStringToObject(doc, "layout_error", app->banner);
    cJSON *feeds = cJSON_AddArrayToObject(doc, "feeds");
    for (int i = 0; i < app->layout->n_feeds; i++)
        if (app->feeds[i].shown)
            cJSON_AddItemToArray(feeds, feed_json(app, i, now_us));
    cJSON_AddItemToObject(doc, "outputs", outputs_json(app));
    cJSON_AddItemToObject(doc, "callups", app_callups_json(app, app_ws_now(app)));
    app_sync_stats(app, doc);
    cJSON *render = cJSON_AddObjectToObject(doc, "render");
    cJSON_AddNumberToObject(render, "frames", (double)app->frames);
    cJSON_AddStringToObject(render, "latency", app->opt.latency_low ? "low" : "smooth");
    cJSON_AddNumberToObject(render, "fps", (double)(int)(app->render_fps * 10 + 0.5) / 10);
    add_percentiles(render, "frame_ms", &app->frame_time);
    cJSON_AddNumberToObject(render, "max_gap_ms", app_gap_last_ms(&app->gap, now_us));
    cJSON_AddNumberToObject(render, "max_gap_ms_total", app_gap_total_ms(&app->gap, now_us));
    cot_inputs_stats(app->inputs, cJSON_AddArrayToObject(doc, "inputs"));
    return doc;
}

/* ---- the --stats file ---- */

struct stats_write {
    uv_work_t req;
    struct app *app;
    char *path;
    char *text;
    int err;
};

static void write_work(uv_work_t *req)
{
    prio_background(); /* a pool thread: below the render thread */
    struct stats_write *w = req->data;
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", w->path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        w->err = errno;
        return;
    }
    size_t len = strlen(w->text);
    bool ok = fwrite(w->text, 1, len, f) == len && fputc('\n', f) != EOF;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, w->path) != 0) {
        w->err = ok ? errno : EIO;
        remove(tmp);
    }
}

static void write_done(uv_work_t *req, int status)
{
    struct stats_write *w = req->data;
    if (status == 0 && w->err)
        tlog_warn(w->app->log, "cannot write stats to %s: %s", w->path, strerror(w->err));
    w->app->stats_writing = false;
    free(w->text);
    free(w);
}

static void write_stats_file(struct app *app, int64_t now_us)
{
    if (app->stats_writing)
        return; /* the disk is slow: skip a second rather than queue */
    struct stats_write *w = calloc(1, sizeof(*w));
    cJSON *doc = app_stats_json(app, now_us);
    if (w && doc && (w->text = cJSON_PrintUnformatted(doc))) {
        w->app = app;
        w->path = (char *)app->opt.stats_path;
        w->req.data = w;
        if (uv_queue_work(&app->loop, &w->req, write_work, write_done) == 0) {
            app->stats_writing = true;
            w = NULL;
        }
    }
    if (w)
        free(w->text);
    free(w);
    cJSON_Delete(doc);
}

/* ---- once a second ---- */

static void hud_line(struct app_feed *af)
{
    const struct feed_status *st = &af->status;
    int64_t p50 = ring_percentile(&af->latency, 50), p99 = ring_percentile(&af->latency, 99);
    snprintf(af->hud_text, sizeof(af->hud_text),
             "%s%s · %dx%d %s · %.1f fps · %.0f kb/s · lat %lld/%lld ms · err %llu · rc %llu",
             feed_state_name(st->state), st->degraded ? " (key frames only)" : "",
             st->width, st->height,
             st->codec[0] ? st->codec : "-", st->fps, af->kbps,
             p50 < 0 ? 0LL : (long long)(p50 / 1000), p99 < 0 ? 0LL : (long long)(p99 / 1000),
             (unsigned long long)st->decode_errors, (unsigned long long)st->reconnects);
}

/* Without --max-fps the wall presents at most at twice the rate of its
 * fastest feed (30 to 60 a second; 60 while no feed has a rate yet):
 * presenting faster than any picture changes costs a full copy per output
 * for nothing.  Never below 30: a picture that comes just after a frame
 * waits up to one interval, and at 15 a second that wait alone would be
 * two frame intervals of a 30 fps wall (issue 13's render.max_gap_ms). */
static void pace_to_feeds(struct app *app)
{
    if (app->opt.max_fps > 0)
        return;
    double fastest = 0;
    for (int i = 0; app->feeds && i < app->layout->n_feeds; i++)
        if (app->feeds[i].feed && app->feeds[i].status.fps > fastest)
            fastest = app->feeds[i].status.fps;
    /* twice the feed rate, so one feed's jittery frames rarely meet in one
     * interval (the second would replace the first in the mailbox) */
    double rate = fastest <= 0 ? 60 : fastest * 2 < 30 ? 30 : fastest * 2 > 60 ? 60 : fastest * 2;
    app->min_interval_us = (int64_t)(1e6 / rate);
}

void app_stats_tick(struct app *app, int64_t now_us)
{
    double dt = (double)(now_us - app->last_stats_us) / 1e6;
    if (app->last_stats_us && dt > 0)
        app->render_fps = (double)(app->frames - app->frames_at_last_stats) / dt;
    app->frames_at_last_stats = app->frames;
    app->last_stats_us = now_us;
    app_gap_roll(&app->gap);
    for (int i = 0; app->feeds && i < app->layout->n_feeds; i++) {
        struct app_feed *af = &app->feeds[i];
        if (!af->feed)
            continue;
        double fdt = (double)(now_us - af->prev_bytes_us) / 1e6;
        if (af->prev_bytes_us && fdt > 0 && af->status.bytes >= af->prev_bytes)
            af->kbps = (double)(af->status.bytes - af->prev_bytes) * 8.0 / 1000.0 / fdt;
        af->prev_bytes = af->status.bytes;
        af->prev_bytes_us = now_us;
        hud_line(af);
    }
    if (app->hud)
        app->dirty = app->full_redraw = true;
    pace_to_feeds(app);
    if (app->ovl) {
        const struct ovl_incident *const *inc;
        if (ovl_state_incidents(app->ovl, &inc) > 0) { /* incident ages tick */
            app->dirty = true;
            app->panels_dirty |= APP_PANEL_LIST;
        }
    }
    if (app->opt.stats_path)
        write_stats_file(app, now_us);
}
