/*
 * overlay_view.c - what the wall draws from the overlay state: map and
 * incident-list panels, and the highlight of camera tiles that have an open
 * incident within their range.  Render-thread only; nothing here is redone
 * unless the overlay state's generation changed (or once a second for ages).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_internal.h"
#include "base/geo.h"
#include "base/timeutil.h"
#include "layout/layout.h"
#include "overlay/state.h"
#include "registry/registry.h"
#include "render/render.h"

/* Priority colours: 1 red, 2 orange, 3 yellow, others blue. */
static struct render_color priority_color(const struct ovl_incident_data *d)
{
    int p = d->fields & OVL_INC_PRIORITY ? d->priority : 9;
    return p == 1 ? (struct render_color){0.95f, 0.15f, 0.15f, 1}
         : p == 2 ? (struct render_color){1.0f, 0.55f, 0.1f, 1}
         : p == 3 ? (struct render_color){0.95f, 0.85f, 0.2f, 1}
                  : (struct render_color){0.35f, 0.6f, 1.0f, 1};
}

/* The nearest open incident within the feed's range, or NULL; *dist_m gets
 * its distance.  cad_only: only incidents a cad client sent (those alone may
 * open an incident-only camera). */
static const struct ovl_incident *incident_in_range(struct app *app,
                                                    const struct layout_feed *lf,
                                                    bool cad_only, double *dist_m)
{
    const struct ovl_incident *const *inc, *best = NULL;
    size_t n = ovl_state_incidents(app->ovl, &inc);
    for (size_t i = 0; i < n; i++) {
        if (!(inc[i]->d.fields & OVL_INC_POS) || (cad_only && !inc[i]->cad))
            continue;
        double d = geo_distance_m(lf->lat, lf->lon, inc[i]->d.lat, inc[i]->d.lon);
        if (d <= lf->range_m && (!best || d < *dist_m)) {
            best = inc[i];
            *dist_m = d;
        }
    }
    return best;
}

/* Panels are redrawn at most every 100 ms, and a map so full that the frame
 * drawing it took D waits 4·D (at most 2 s) before the next redraw: drawing
 * panels never takes more than a fifth of the render thread, so thousands of
 * units updating at once slow the map's refresh, not the cameras' frames. */
bool app_panels_due(const struct app *app)
{
    int64_t gap = 4 * app->panels_cost_us;
    gap = gap < 100000 ? 100000 : gap > 2000000 ? 2000000 : gap;
    return app->panels_dirty && tm_now_us() - app->panels_drawn_us >= gap;
}

bool app_incident_near(struct app *app, const struct layout_feed *lf)
{
    double dist = 0;
    return app->ovl && lf->has_location && lf->range_m > 0 &&
           incident_in_range(app, lf, true, &dist) != NULL;
}

bool app_overlay_update(struct app *app)
{
    uint64_t gen = ovl_state_generation(app->ovl);
    if (gen == app->ovl_generation)
        return false;
    app->ovl_generation = gen;
    app->dirty = true;
    app->panels_dirty = APP_PANEL_ALL;
    for (int i = 0; i < app->layout->n_feeds; i++) {
        struct app_feed *af = &app->feeds[i];
        const struct layout_feed *lf = &app->layout->feeds[i];
        char text[sizeof(af->highlight)] = "";
        double dist = 0;
        const struct ovl_incident *inc = lf->has_location && lf->range_m > 0
                                             ? incident_in_range(app, lf, false, &dist) : NULL;
        if (inc)
            snprintf(text, sizeof(text), "INCIDENT %s%s%s · %.0f m", inc->d.id,
                     inc->d.fields & OVL_INC_KIND ? " " : "",
                     inc->d.fields & OVL_INC_KIND ? inc->d.kind : "", dist);
        if (strcmp(text, af->highlight) != 0) {
            memcpy(af->highlight, text, sizeof(text));
            af->status_changed = true;
        }
    }
    return true;
}

/* Grows app->markers to hold n; returns 0 or -1. */
static int reserve_markers(struct app *app, size_t n)
{
    if (n <= app->markers_cap)
        return 0;
    struct render_marker *m = realloc(app->markers, n * sizeof(*m));
    if (!m)
        return -1;
    app->markers = m;
    app->markers_cap = n;
    return 0;
}

/* Basemap tiles the visible map panels of every output show together
 * (a panel of w x h pixels touches at most w/256+2 by h/256+2 tiles). */
static int map_tiles_on_screen(const struct app *app)
{
    int n = 0;
    for (int o = 0; o < app_output_count(app); o++) {
        const struct layout_output *lo = app_output(app, o);
        for (int t = 0; t < lo->n_tiles; t++) {
            struct layout_rect rect = app_tile_rect(app, o, t);
            if (lo->tiles[t].panel == LAYOUT_PANEL_MAP && rect.w > 0)
                n += (rect.w / 256 + 2) * (rect.h / 256 + 2);
        }
    }
    return n;
}

/* Loop thread: a basemap tile was decoded; the panels redraw to show it. */
static void basemap_tile_ready(void *opaque)
{
    struct app *app = opaque;
    app->dirty = true;
    app->panels_dirty |= APP_PANEL_MAP;
}

void app_panels_init(struct app *app)
{
    render_basemap_set_worker(app->render, &app->loop, basemap_tile_ready, app);
}

/* Whether registry camera id is one of the cameras called up for the most
 * urgent call-up (the first in rank order). */
static bool called_up(const struct app *app, const char *id)
{
    int n;
    const struct ws_callup *c = ws_callups(&app->ws, &n);
    for (int k = 0; n > 0 && k < c[0].n_cameras; k++) {
        const char *cam = app->layout->feeds[c[0].cameras[k]].camera;
        if (cam && strcmp(cam, id) == 0)
            return true;
    }
    return false;
}

/* Fills app->sectors with the registry cameras that may show on the panel
 * (a cheap box test in degrees; the renderer clips exactly); returns how
 * many, 0 without a registry. */
static int map_sectors(struct app *app, const struct layout_tile *tile,
                       struct layout_rect rect)
{
    int n_cams = app->registry ? reg_count(app->registry) : 0, n = 0;
    if (n_cams == 0 || (size_t)n_cams > app->sectors_cap) {
        struct render_sector *s = n_cams ? realloc(app->sectors, (size_t)n_cams * sizeof(*s))
                                         : NULL;
        if (!s)
            return 0;
        app->sectors = s;
        app->sectors_cap = (size_t)n_cams;
    }
    double cx, cy, lat0, lon0, lat1, lon1;
    geo_project(tile->center[0], tile->center[1], tile->zoom, &cx, &cy);
    geo_unproject(cx - rect.w / 2.0, cy - rect.h / 2.0, tile->zoom, &lat0, &lon0);
    geo_unproject(cx + rect.w / 2.0, cy + rect.h / 2.0, tile->zoom, &lat1, &lon1);
    bool lon_ok = lon0 < lon1 && rect.w < 256 << tile->zoom; /* no wrap in view */
    for (int i = 0; i < n_cams; i++) {
        const struct reg_camera *c = reg_camera_at(app->registry, i);
        double dlat = c->range_m / 111000.0, cosl = cos(c->lat * M_PI / 180.0);
        double dlon = cosl > 1e-6 ? dlat / cosl : 360.0;
        if (c->range_m <= 0 || (c->fov_deg <= 0 && !c->ptz) || c->lat - dlat > lat0 || c->lat + dlat < lat1 ||
            (lon_ok && (c->lon + dlon < lon0 || c->lon - dlon > lon1)))
            continue;
        app->sectors[n++] = (struct render_sector){
            .lat = c->lat, .lon = c->lon, .heading_deg = (float)c->heading_deg,
            .fov_deg = (float)c->fov_deg,
            .range_m = (float)c->range_m, .ptz = c->ptz, .highlight = called_up(app, c->id)};
    }
    return n;
}

/* A unit's accuracy (CoT ce) is drawn as a ring only when it means
 * something at street level. */
#define UNIT_RING_MAX_M 300.0

static void draw_map(struct app *app, const struct layout_tile *tile,
                     struct layout_rect rect)
{
    const struct ovl_incident *const *inc;
    const struct ovl_unit *const *unit;
    size_t ni = ovl_state_incidents(app->ovl, &inc), nu = ovl_state_units(app->ovl, &unit);
    if (reserve_markers(app, ni + nu + (size_t)app->layout->n_feeds) < 0)
        return;
    int n = 0;
    for (int i = 0; i < app->layout->n_feeds; i++) {
        const struct layout_feed *lf = &app->layout->feeds[i];
        if (lf->has_location && !lf->on_demand) /* the registry's cameras */
            app->markers[n++] = (struct render_marker){
                .lat = lf->lat, .lon = lf->lon, .kind = RENDER_MARKER_CAMERA,
                .color = {0.85f, 0.85f, 0.9f, 1}, .text = lf->label};
    }
    for (size_t i = 0; i < nu; i++)
        if (unit[i]->d.fields & OVL_UNIT_POS)
            app->markers[n++] = (struct render_marker){
                .lat = unit[i]->d.lat, .lon = unit[i]->d.lon, .kind = RENDER_MARKER_UNIT,
                .color = {0.3f, 0.95f, 0.55f, 1}, .heading_deg = (float)unit[i]->d.heading,
                .text = (unit[i]->d.fields & OVL_UNIT_LABEL) ? unit[i]->d.label
                                                              : unit[i]->d.id,
                .faded = unit[i]->stale,
                .ring_m = (unit[i]->d.fields & OVL_UNIT_CE) && unit[i]->d.ce_m < UNIT_RING_MAX_M
                              ? (float)unit[i]->d.ce_m : 0};
    for (size_t i = ni; i-- > 0;) /* highest priority drawn last, on top */
        if (inc[i]->d.fields & OVL_INC_POS)
            app->markers[n++] = (struct render_marker){
                .lat = inc[i]->d.lat, .lon = inc[i]->d.lon, .kind = RENDER_MARKER_INCIDENT,
                .color = priority_color(&inc[i]->d), .text = inc[i]->d.id};
    struct render_map_info info = {
        .rect = rect, .center_lat = tile->center[0], .center_lon = tile->center[1],
        .zoom = tile->zoom, .basemap_dir = app->basemap_dir, .markers = app->markers,
        .n_markers = n, .title = tile->label};
    info.n_sectors = map_sectors(app, tile, rect);
    info.sectors = app->sectors;
    render_basemap_size(app->render, map_tiles_on_screen(app));
    render_map(app->render, &info);
}

/* One incident as a list line: priority, kind, address, status, age, units. */
static void incident_line(const struct ovl_incident *inc, int64_t now_s, char *buf,
                          size_t n)
{
    const struct ovl_incident_data *d = &inc->d;
    char age[24], units[OVL_UNITS_MAX * (OVL_UNIT_ID_MAX + 1) + 1] = "";
    int64_t since = d->fields & OVL_INC_TIME ? d->time_s : inc->created_wall_us / 1000000;
    tm_format_age(now_s - since, age, sizeof(age));
    for (int i = 0; i < d->n_units; i++) {
        strcat(units, i ? " " : "");
        strcat(units, d->units[i]);
    }
    snprintf(buf, n, "P%d %s · %s · %s · %s · %s",
             d->fields & OVL_INC_PRIORITY ? d->priority : 0,
             d->fields & OVL_INC_KIND ? d->kind : "INCIDENT", d->id,
             d->fields & OVL_INC_ADDRESS ? d->address : "-",
             d->fields & OVL_INC_STATUS ? d->status : "-", age);
    if (units[0])
        snprintf(buf + strlen(buf), n - strlen(buf), " · %s", units);
}

static void draw_incident_list(struct app *app, const struct layout_tile *tile,
                               struct layout_rect rect)
{
    const struct ovl_incident *const *inc;
    size_t n = ovl_state_incidents(app->ovl, &inc);
    int shown = n > APP_LIST_ROWS ? APP_LIST_ROWS : (int)n;
    struct render_list_row rows[APP_LIST_ROWS];
    char text[APP_LIST_ROWS][400], title[96];
    int64_t now_s = tm_wall_us() / 1000000;
    for (int i = 0; i < shown; i++) {
        incident_line(inc[i], now_s, text[i], sizeof(text[i]));
        rows[i] = (struct render_list_row){priority_color(&inc[i]->d), text[i]};
    }
    snprintf(title, sizeof(title), "%s (%zu open)", tile->label ? tile->label : "INCIDENTS", n);
    render_list(app->render, rect, title, rows, shown);
}

/* A call-up slot with nothing called up: a dark tile that says which slot. */
static void draw_free_slot(struct app *app, const struct layout_tile *tile,
                           struct layout_rect rect)
{
    char text[96];
    snprintf(text, sizeof(text), "%s%sCALL-UP SLOT %d · free", tile->label ? tile->label : "",
             tile->label ? " · " : "", tile->callup);
    render_rect(app->render, rect, (struct render_color){0.06f, 0.07f, 0.09f, 1});
    render_text(app->render, text, 14, rect, RENDER_ALIGN_CENTER,
                (struct render_color){0.6f, 0.65f, 0.7f, 1}, false);
}

unsigned app_panel_kind(const struct layout_tile *tile)
{
    return tile->panel == LAYOUT_PANEL_MAP ? APP_PANEL_MAP : APP_PANEL_LIST;
}

void app_draw_panel(struct app *app, const struct layout_tile *tile,
                    struct layout_rect rect)
{
    if (tile->panel == LAYOUT_PANEL_MAP)
        draw_map(app, tile, rect);
    else if (tile->panel == LAYOUT_PANEL_INCIDENTS)
        draw_incident_list(app, tile, rect);
    else if (tile->panel == LAYOUT_PANEL_CALLUP)
        draw_free_slot(app, tile, rect);
}
