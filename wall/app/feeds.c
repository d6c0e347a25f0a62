/*
 * feeds.c - the wall's feeds as the render thread sees them: starting the
 * feeds the shown view needs (all in parallel), keeping those a new view or a
 * reloaded layout shares with the old one (same id and source: no reconnect,
 * no black flash), taking new frames from the mailboxes, tile status text, and
 * switching between a camera's substream and main stream without a gap (the
 * old stream stays on screen until the new one has a picture).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_internal.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/url.h"
#include "hwdec/hwdec.h"
#include <cjson/cJSON.h>

#include "app/consent.h"
#include "overlay/state.h"
#include "registry/registry.h"
#include "render/render.h"

/* Tiles at least this large (pixels) show the main stream; smaller ones the
 * substream, when the feed has one. */
#define MAIN_STREAM_MIN_PIXELS (800 * 450)

/* Feed thread: a new frame is in a mailbox (opaque: the app's wake handle,
 * whose data, the app, was set before any feed started). */
static void notify_frame(void *opaque)
{
    uv_async_t *wake = opaque;
    app_gap_due(&((struct app *)wake->data)->gap, tm_now_us());
    uv_async_send(wake);
}

/* A layout feed's "hwdec" as a decode mode (DEFAULT: the --hwdec setting). */
static enum hwdec_mode layout_hwdec_mode(enum layout_hwdec h)
{
    switch (h) {
    case LAYOUT_HWDEC_AUTO: return HWDEC_MODE_AUTO;
    case LAYOUT_HWDEC_NVDEC: return HWDEC_MODE_NVDEC;
    case LAYOUT_HWDEC_VAAPI: return HWDEC_MODE_VAAPI;
    case LAYOUT_HWDEC_SW: return HWDEC_MODE_SW;
    default: return HWDEC_MODE_DEFAULT;
    }
}

/* Creates and starts a feed reading lf's main stream or substream. */
static struct feed *open_feed(struct app *app, const struct layout_feed *lf, bool sub)
{
    struct feed_config cfg = {
        .id = lf->id, .url = sub ? lf->substream : lf->url, .loop = lf->loop,
        .pack_yuv = app->pack_yuv,
        .smooth = !app->opt.latency_low,
        .stall_after_us = (int64_t)(lf->stall_after * 1e6),
        .notify = notify_frame, .notify_opaque = &app->wake,
        .hwdec = hwdec_mode_resolve(layout_hwdec_mode(lf->hwdec),
                                    (enum hwdec_mode)app->opt.hwdec),
        .hwdec_devices = app->hw,
        .transport = lf->transport == LAYOUT_TRANSPORT_TCP   ? FEED_TRANSPORT_TCP
                     : lf->transport == LAYOUT_TRANSPORT_UDP ? FEED_TRANSPORT_UDP
                                                             : FEED_TRANSPORT_AUTO,
    };
    struct feed *f = feed_create(&cfg, app->log);
    if (f && feed_start(f) < 0) {
        feed_destroy(f);
        f = NULL;
    }
    return f;
}

/* Largest tile area (pixels) showing feed i in the current view. */
static long largest_tile(const struct app *app, int feed)
{
    const struct layout_view *v = &app->layout->views[app->ws.view];
    long best = 0;
    for (int o = 0; o < v->n_outputs; o++) {
        const struct layout_output *lo = &v->outputs[o];
        for (int t = 0; t < lo->n_tiles; t++) {
            if (app_tile_feed(app, o, t) != feed)
                continue;
            struct layout_rect r = app_tile_rect(app, o, t);
            if ((long)r.w * r.h > best)
                best = (long)r.w * r.h;
        }
    }
    return best;
}

/* The size at which feed i's whole picture is drawn in its largest tile of
 * the view (a cover fit draws part of a larger picture), in pixels; 0 x 0
 * before its first picture or when no tile shows it. */
static void drawn_size(const struct app *app, int feed, int *w, int *h)
{
    const struct app_feed *af = &app->feeds[feed];
    *w = *h = 0;
    int pw, ph;
    double sar;
    if (!render_video_ready(af->video))
        return;
    render_video_size(af->video, &pw, &ph, &sar);
    for (int o = 0; o < app_output_count(app); o++) {
        const struct layout_output *lo = app_output(app, o);
        for (int t = 0; t < lo->n_tiles; t++) {
            struct layout_rect r = app_tile_rect(app, o, t), dst;
            float uv[4];
            if (app_tile_feed(app, o, t) != feed || r.w <= 0 || r.h <= 0)
                continue;
            layout_fit_rect(lo->tiles[t].fit, r, pw, ph, sar, &dst, uv);
            int fw = (int)(dst.w / (double)(uv[2] - uv[0]) + 0.5);
            int fh = (int)(dst.h / (double)(uv[3] - uv[1]) + 0.5);
            if ((long)fw * fh > (long)*w * *h) {
                *w = fw;
                *h = fh;
            }
        }
    }
}

/* Software OpenGL (app->scale_rgb): feed i's threads scale its pictures to
 * the size they are drawn at, so tiles are drawn 1:1 (decode/scale.h). */
static void set_scale(struct app *app, int i)
{
    struct app_feed *af = &app->feeds[i];
    int w = 0, h = 0;
    if (app->scale_rgb)
        drawn_size(app, i, &w, &h);
    if (w == af->scale_w && h == af->scale_h)
        return;
    af->scale_w = w;
    af->scale_h = h;
    feed_set_scale(af->feed, w, h);
    if (af->next)
        feed_set_scale(af->next, w, h);
}

/* Whether feed i should read its substream now. */
static bool wants_sub(const struct app *app, int i)
{
    return app->layout->feeds[i].substream &&
           largest_tile(app, i) < MAIN_STREAM_MIN_PIXELS;
}

/* True when two layout feeds read the same source the same way. */
static bool same_source(const struct layout_feed *a, const struct layout_feed *b)
{
    return strcmp(a->id, b->id) == 0 && strcmp(a->url, b->url) == 0 &&
           a->loop == b->loop && a->hwdec == b->hwdec && a->transport == b->transport &&
           !(a->substream || b->substream
                 ? !a->substream || !b->substream || strcmp(a->substream, b->substream)
                 : 0);
}

/* Stops af's streams without waiting for them (the reaper joins them) and
 * frees its picture. */
static void release_feed(struct app *app, struct app_feed *af)
{
    feed_release(app->reaper, af->next);
    feed_release(app->reaper, af->feed);
    render_video_destroy(af->video);
    memset(af, 0, sizeof(*af));
}

/* Finds the old feed a new layout feed can take over, or NULL. */
static struct app_feed *reusable(struct app_feed *old, const struct layout *old_layout,
                                 const struct layout_feed *lf)
{
    for (int j = 0; old && j < old_layout->n_feeds; j++)
        if (old[j].feed && same_source(&old_layout->feeds[j], lf))
            return &old[j];
    return NULL;
}

/* Gives feed i's picture the masks of the stream it shows.  A mask that
 * cannot be built hides the picture (render_video_set_masks fails closed). */
static void apply_masks(struct app *app, int i)
{
    struct app_feed *af = &app->feeds[i];
    const struct layout_feed *lf = &app->layout->feeds[i];
    int n;
    const struct layout_mask *m = layout_feed_masks(lf, af->on_sub, &n);
    int ret = render_video_set_masks(af->video, m, n);
    if (ret < 0)
        tlog_err(app->log, "feed %s: its privacy masks cannot be applied (%s): "
                 "its picture is hidden", lf->id, strerror(-ret));
    af->masks_sub = af->on_sub;
    af->status_changed = true;
}

int app_feeds_apply(struct app *app, const struct layout *old_layout)
{
    const struct layout *layout = app->layout;
    struct app_feed *old = app->feeds, *fresh = calloc((size_t)layout->n_feeds + 1,
                                                       sizeof(*fresh));
    if (!fresh)
        return -ENOMEM;
    app->feeds = fresh; /* wants_sub() and the tile helpers read the new set */
    if (app->ovl) /* incidents expire after the layout's "incident_ttl" */
        ovl_state_set_incident_ttl(app->ovl, (int64_t)(layout->incident_ttl + 0.999));
    for (int i = 0; i < layout->n_feeds; i++) {
        if (!ws_feed_wanted_on(&app->ws, i, app_node(app)))
            continue;
        struct app_feed *keep = reusable(old, old_layout, &layout->feeds[i]);
        if (keep) {
            fresh[i] = *keep; /* thread, texture and counters move over */
            memset(keep, 0, sizeof(*keep));
            fresh[i].status_changed = true;
            continue;
        }
        fresh[i].shown = true;
        fresh[i].gate = -1; /* decided below */
    }
    for (int j = 0; old && j < old_layout->n_feeds; j++)
        release_feed(app, &old[j]); /* signalled now, joined by the reaper */
    free(old);
    app_feeds_gate(app, time(NULL));
    for (int i = 0; i < layout->n_feeds; i++) /* a reload may change masks */
        if (fresh[i].video)
            apply_masks(app, i);
    return 0;
}

int app_feeds_reserve(struct app *app)
{
    int n = app->layout->n_feeds;
    struct app_feed *all = realloc(app->feeds, (size_t)(n + 2) * sizeof(*all));
    if (!all)
        return -ENOMEM;
    memset(&all[n], 0, 2 * sizeof(*all));
    app->feeds = all;
    return 0;
}

/* Connects feed i (its gate just opened). */
static void connect_feed(struct app *app, int i)
{
    struct app_feed *af = &app->feeds[i];
    const struct layout_feed *lf = &app->layout->feeds[i];
    af->video = render_video_create();
    af->scale_w = af->scale_h = 0;
    af->on_sub = wants_sub(app, i);
    af->feed = open_feed(app, lf, af->on_sub);
    if (!af->video || !af->feed)
        tlog_err(app->log, "cannot start feed %s", lf->id);
    else
        apply_masks(app, i);
    af->status_text[0] = '\0';
}

/* Disconnects feed i (its gate closed): nothing more is fetched, and its last
 * picture goes too. */
static void disconnect_feed(struct app *app, int i)
{
    struct app_feed *af = &app->feeds[i];
    feed_release(app->reaper, af->next);
    feed_release(app->reaper, af->feed);
    render_video_destroy(af->video);
    af->next = af->feed = NULL;
    af->video = NULL;
}

void app_feeds_gate(struct app *app, long long now_s)
{
    for (int i = 0; i < app->layout->n_feeds; i++) {
        struct app_feed *af = &app->feeds[i];
        const struct layout_feed *lf = &app->layout->feeds[i];
        if (!af->shown)
            continue;
        char text[sizeof(af->status_text)];
        int gate = (int)consent_gate(lf, now_s, app_incident_near(app, lf), text, sizeof(text));
        if (gate == af->gate)
            continue;
        if (gate == CONSENT_OPEN && !af->feed) {
            connect_feed(app, i);
        } else if (gate != CONSENT_OPEN) {
            if (af->feed || af->gate < 0)
                tlog_info(app->log, "feed %s not connected: %s", lf->id, text);
            if (gate == CONSENT_REFUSED)
                app_audit_consent(app, i, text);
            disconnect_feed(app, i);
            snprintf(af->status_text, sizeof(af->status_text), "%s", text);
        }
        af->gate = gate;
        af->status_changed = true;
        app->dirty = true;
    }
}

int app_unmask(struct app *app, int f, double minutes, const char *reason, cJSON *reply)
{
    struct app_feed *af = &app->feeds[f];
    int64_t span = (int64_t)(minutes * 60e6);
    af->unmask_until_us = tm_now_us() + span;
    af->status_changed = true;
    app->dirty = true;
    app_audit_mask(app, f, true, reason, tm_wall_us() + span);
    tlog_warn(app->log, "feed %s: privacy masks lifted for %.0f min: %s",
              app->layout->feeds[f].id, minutes, reason);
    cJSON_AddNumberToObject(reply, "seconds", (double)(span / 1000000));
    return 0;
}

void app_masks_tick(struct app *app, int64_t now_us)
{
    for (int i = 0; app->feeds && i < app->layout->n_feeds; i++) {
        struct app_feed *af = &app->feeds[i];
        if (!af->unmask_until_us || now_us < af->unmask_until_us)
            continue;
        af->unmask_until_us = 0;
        af->status_changed = true;
        app->dirty = true;
        app_audit_mask(app, i, false, NULL, 0);
        tlog_info(app->log, "feed %s: privacy masks back", app->layout->feeds[i].id);
    }
}

/* The next feed to shed (to_shed: the unshed one with the smallest tile) or
 * to restore (the shed one with the largest tile); -1 if none. */
static int shed_candidate(struct app *app, bool to_shed)
{
    int best = -1;
    long best_px = 0;
    for (int i = 0; i < app->layout->n_feeds; i++) {
        struct app_feed *af = &app->feeds[i];
        if (!af->feed || af->shed == to_shed)
            continue;
        long px = largest_tile(app, i);
        if (best < 0 || (to_shed ? px < best_px : px > best_px)) {
            best = i;
            best_px = px;
        }
    }
    return best;
}

void app_feeds_shed(struct app *app)
{
    uint64_t put = 0, dropped = 0;
    int active = 0;
    for (int i = 0; i < app->layout->n_feeds; i++) {
        struct app_feed *af = &app->feeds[i];
        if (!af->feed)
            continue;
        struct mbox_counts c = feed_mbox_counts(af->feed);
        put += c.put - af->prev_put;
        dropped += c.dropped - af->prev_dropped;
        af->prev_put = c.put;
        af->prev_dropped = c.dropped;
        active++;
    }
    /* decoded but never shown: the machine decodes more than it can draw;
     * start-up bursts (first 5 s) and single bad seconds do not count */
    double frac = put ? (double)dropped / (double)put : 0.0;
    bool warm = tm_now_us() - app->start_us > 5000000;
    app->overloaded_s = warm && frac > 0.4 ? app->overloaded_s + 1 : 0;
    app->relaxed_s = warm && frac < 0.1 ? app->relaxed_s + 1 : 0;
    int n = app->overloaded_s >= 2 ? (int)(active * (frac - 0.3)) + 1
          : app->relaxed_s >= 3 ? 1 : 0;
    for (bool shed = app->overloaded_s >= 2; n > 0; n--) {
        int i = shed_candidate(app, shed);
        if (i < 0)
            break;
        app->feeds[i].shed = shed;
        feed_set_shed(app->feeds[i].feed, shed);
    }
    if (app->relaxed_s >= 3)
        app->relaxed_s = 0; /* one feed back every three calm seconds */
}

int app_feeds_restart(struct app *app, int f)
{
    if (f < 0 || f >= app->layout->n_feeds)
        return -EINVAL;
    struct app_feed *af = &app->feeds[f];
    if (!af->feed)
        return -ENOTCONN;
    tlog_info(app->log, "feed %s: restarting", app->layout->feeds[f].id);
    feed_restart(af->feed);
    feed_restart(af->next);
    return 0;
}

void app_feeds_stop_all(struct app *app)
{
    if (!app->feeds)
        return;
    for (int i = 0; i < app->layout->n_feeds; i++)
        release_feed(app, &app->feeds[i]); /* all stop at once */
    free(app->feeds);
    app->feeds = NULL;
}

/* Starts the other stream when the tile sizes call for it; once it has a
 * picture, it replaces the current one (see take_frame). */
static void choose_stream(struct app *app, int i)
{
    struct app_feed *af = &app->feeds[i];
    bool sub = wants_sub(app, i);
    if (!af->feed || sub == af->on_sub || (af->next && af->next_sub == sub))
        return;
    feed_release(app->reaper, af->next);
    af->next = open_feed(app, &app->layout->feeds[i], sub);
    af->next_sub = sub;
    af->scale_w = af->scale_h = -1; /* set_scale() tells it the size */
    tlog_info(app->log, "feed %s: switching to its %s", app->layout->feeds[i].id,
              sub ? "substream" : "main stream");
}

/* Takes a frame from the pending stream (switching to it) or else from the
 * current one; returns 1 with the frame in app->scratch. */
static int take_frame(struct app *app, struct app_feed *af, int64_t now_us,
                      int64_t *arrival)
{
    if (af->next && feed_take_frame(af->next, now_us, app->scratch, arrival)) {
        feed_release(app->reaper, af->feed);
        af->feed = af->next;
        af->on_sub = af->next_sub;
        af->next = NULL;
        af->prev_bytes_us = 0; /* the new stream counts its bytes from 0 */
        af->shed = false;      /* ... and decodes everything */
        af->prev_put = af->prev_dropped = 0;
        return 1;
    }
    return feed_take_frame(af->feed, now_us, app->scratch, arrival);
}

/* "ERROR · reason · retry in 2:10" (the countdown while a retry is due),
 * reason already redacted. */
static void error_text(const struct feed_status *st, const char *detail,
                       int64_t now_us, char *buf, size_t n)
{
    if (!st->retry_at_us) {
        snprintf(buf, n, "ERROR · %s", detail);
        return;
    }
    int64_t left = (st->retry_at_us - now_us + 999999) / 1000000;
    left = left < 0 ? 0 : left;
    snprintf(buf, n, "ERROR · %s · retry in %d:%02d", detail, (int)(left / 60),
             (int)(left % 60));
}

/* The tile banner for a feed's status, its URLs redacted; empty when live. */
static void status_text(const struct feed_status *st, bool has_picture,
                        int64_t now_us, char *buf, size_t n)
{
    char detail[sizeof(st->detail) * 3];
    url_redact_text(st->detail, detail, sizeof(detail));
    char age[32];
    tm_format_age(st->last_frame_us ? (now_us - st->last_frame_us) / 1000000 : 0,
                  age, sizeof(age));
    const char *name = NULL;
    switch (st->state) {
    case FEED_LIVE: buf[0] = '\0'; return;
    case FEED_CONNECTING: snprintf(buf, n, "CONNECTING"); return;
    case FEED_STALLED: name = "STALLED"; break;
    case FEED_OFFLINE: name = "OFFLINE"; break;
    case FEED_ENDED: name = "ENDED"; break;
    case FEED_ERROR: error_text(st, detail, now_us, buf, n); return;
    }
    if (has_picture)
        snprintf(buf, n, "%s · last image %s ago", name, age);
    else
        snprintf(buf, n, "%s%s%s", name, detail[0] ? " · " : "", detail);
}

int64_t app_feeds_next_due(const struct app *app)
{
    int64_t due = INT64_MAX;
    for (int i = 0; app->feeds && i < app->layout->n_feeds; i++) {
        struct app_feed *af = &app->feeds[i];
        int64_t d = af->feed ? feed_next_due(af->feed) : INT64_MAX;
        int64_t n = af->next ? feed_next_due(af->next) : INT64_MAX;
        due = d < due ? d : due;
        due = n < due ? n : due;
    }
    return due;
}

void app_feeds_collect(struct app *app, int64_t now_us)
{
    for (int i = 0; i < app->layout->n_feeds; i++) {
        struct app_feed *af = &app->feeds[i];
        if (!af->feed)
            continue;
        choose_stream(app, i);
        long tile = largest_tile(app, i);
        feed_set_importance(af->feed, (double)tile / (1920.0 * 1080.0));
        /* packing costs the feed thread a pass over every source pixel and
         * saves two texture reads per drawn pixel: it pays when the tile is
         * not much smaller than the picture */
        if (app->pack_yuv && af->status.width > 0)
            feed_set_pack(af->feed, tile * 2 >= (long)af->status.width * af->status.height);
        set_scale(app, i);
        int64_t arrival;
        if (take_frame(app, af, now_us, &arrival)) {
            if (af->masks_sub != af->on_sub)
                apply_masks(app, i); /* switched streams: their own masks */
            if (render_video_upload(af->video, app->scratch) == 0) {
                af->fresh = true;
                af->arrival_us = arrival;
                app->dirty = true;
            }
            av_frame_unref(app->scratch);
        }
        feed_get_status(af->feed, now_us, &af->status);
        char text[sizeof(af->status_text)];
        status_text(&af->status, render_video_ready(af->video), now_us, text,
                    sizeof(text));
        if (render_video_mask_state(af->video) < 0 && af->unmask_until_us <= now_us)
            snprintf(text, sizeof(text), "MASK ERROR · picture hidden");
        if (strcmp(text, af->status_text) != 0) {
            memcpy(af->status_text, text, sizeof(text));
            af->status_changed = true;
            app->dirty = true;
        }
    }
}

int app_feed_of_camera(struct app *app, int k)
{
    if (app_feeds_reserve(app) < 0)
        return -1;
    int n = app->layout->n_feeds;
    int f = reg_layout_add_camera(app->layout, reg_camera_at(app->registry, k));
    if (f >= n)
        tlog_debug(app->log, "registry camera %s: feed %s added for call-ups",
                   app->layout->feeds[f].camera, app->layout->feeds[f].id);
    return f < 0 ? -1 : f;
}

int app_feed_resolve(void *opaque, const char *id)
{
    struct app *app = opaque;
    int f = layout_find_feed(app->layout, id);
    if (f >= 0 || !app->registry)
        return f;
    /* an on-demand feed: named after its camera, or "registry/ID" */
    int k = reg_find(app->registry, strncmp(id, "registry/", 9) == 0 ? id + 9 : id);
    return k < 0 ? -1 : app_feed_of_camera(app, k);
}
