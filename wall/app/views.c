/*
 * views.c - what the wall shows and how operators change it: the current
 * named layout (view), tile and wall tours, enlarged and selected tiles, the
 * key map overlay, switching views and reloading the layout file when it
 * changes on disk (a broken file keeps the last good layout on screen, with a
 * banner carrying the file:line:column message).
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "output/output.h"
#include "base/log.h"
#include "base/timeutil.h"

#define RELOAD_SETTLE_MS 150 /* editors write in several steps */

const struct layout_output *app_output(const struct app *app, int o)
{
    return &app->layout->views[app->view].outputs[o];
}

int app_output_count(const struct app *app)
{
    return app->layout->views[app->view].n_outputs;
}

/* The current position of a tile's tour (0 without a tour). */
static int tour_index(const struct app *app, const struct layout_tile *tile)
{
    if (tile->n_tour < 2 || tile->dwell <= 0)
        return 0;
    int64_t step = (int64_t)(tile->dwell * 1e6);
    return (int)(((tm_now_us() - app->view_since_us) / step) % tile->n_tour);
}

int app_tile_feed(const struct app *app, int o, int t)
{
    const struct layout_tile *tile = &app_output(app, o)->tiles[t];
    if (tile->panel != LAYOUT_PANEL_NONE)
        return -1;
    return tile->n_tour >= 2 ? tile->tour[tour_index(app, tile)] : tile->feed;
}

struct layout_rect app_tile_rect(const struct app *app, int o, int t)
{
    const struct layout_output *lo = app_output(app, o);
    int max = app->outputs ? app->outputs[o].maximized : -1;
    if (max < 0)
        return layout_tile_rect(lo, &lo->tiles[t]);
    if (max == t)
        return (struct layout_rect){0, 0, lo->width, lo->height};
    return (struct layout_rect){0, 0, 0, 0};
}

/* ---- per-output operator state ---- */

static int reset_outputs(struct app *app)
{
    int n = app_output_count(app);
    struct app_output *outs = calloc((size_t)n, sizeof(*outs));
    if (!outs)
        return -ENOMEM;
    for (int o = 0; o < n; o++) {
        outs[o].maximized = -1;
        outs[o].selected = -1;
        size_t n_tiles = (size_t)app_output(app, o)->n_tiles + 1;
        outs[o].tour_pos = calloc(n_tiles, sizeof(int));
        outs[o].vis_feed = malloc(n_tiles * sizeof(int));
        outs[o].vis_from = calloc(n_tiles, sizeof(int64_t));
        for (size_t t = 0; outs[o].vis_feed && t < n_tiles; t++)
            outs[o].vis_feed[t] = -1;
        if (!outs[o].tour_pos || !outs[o].vis_feed || !outs[o].vis_from) {
            app->outputs_n = n;
            app->outputs = outs;
            return -ENOMEM;
        }
    }
    app_views_free_outputs(app);
    app->outputs = outs;
    app->outputs_n = n;
    return 0;
}

void app_views_free_outputs(struct app *app)
{
    for (int o = 0; app->outputs && o < app->outputs_n; o++) {
        free(app->outputs[o].tour_pos);
        free(app->outputs[o].vis_feed);
        free(app->outputs[o].vis_from);
    }
    free(app->outputs);
    app->outputs = NULL;
    app->outputs_n = 0;
}

/* Why view v of layout l cannot be shown on the wall's windows, or NULL. */
static const char *incompatible(const struct app *app, const struct layout *l, int v)
{
    const struct layout_view *now = &app->layout->views[app->view];
    const struct layout_view *next = &l->views[v];
    if (next->n_outputs != now->n_outputs)
        return "it has another number of outputs";
    for (int o = 0; o < now->n_outputs; o++) {
        const struct layout_output *a = &now->outputs[o], *b = &next->outputs[o];
        if (strcmp(a->name, b->name) != 0 || a->width != b->width || a->height != b->height)
            return "its outputs differ in name or size (restart the wall to apply)";
    }
    return NULL;
}

int app_views_init(struct app *app)
{
    app->view = 0;
    app->view_since_us = tm_now_us();
    app->tour_next_us = app->layout->n_tour_views >= 2
                            ? app->view_since_us + (int64_t)(app->layout->tour_dwell * 1e6)
                            : 0;
    return reset_outputs(app);
}

/* Makes layout l (which replaces the current one when it differs) and its
 * view v current, keeping the feeds both share. */
static int show(struct app *app, struct layout *l, int v)
{
    struct layout *old = app->layout;
    int old_view = app->view;
    app_audit_visibility(app, true); /* the old tiles' intervals end here */
    app->layout = l;
    app->view = v;
    if (reset_outputs(app) < 0 || app_feeds_apply(app, old) < 0) {
        app->layout = old;
        app->view = old_view;
        return -ENOMEM;
    }
    if (old != l)
        layout_destroy(old);
    app->view_since_us = tm_now_us();
    app->dirty = app->full_redraw = app->panels_dirty = true;
    app->ovl_generation--; /* recompute camera highlights for the new feeds */
    return 0;
}

int app_switch_view(struct app *app, int v)
{
    if (v < 0 || v >= app->layout->n_views)
        return -ENOENT;
    if (v == app->view)
        return 0;
    const char *why = incompatible(app, app->layout, v);
    if (why) {
        tlog_err(app->log, "cannot show layout \"%s\": %s", app->layout->views[v].name, why);
        return -EINVAL;
    }
    tlog_info(app->log, "showing layout \"%s\"", app->layout->views[v].name);
    int ret = show(app, app->layout, v);
    if (ret == 0)
        app_audit_layout(app, "switched");
    return ret;
}

/* Advances the wall tour and notices tile tours that moved on. */
void app_tours_tick(struct app *app, int64_t now_us)
{
    if (app->tour_next_us && now_us >= app->tour_next_us) {
        const struct layout *l = app->layout;
        int pos = 0;
        for (int i = 0; i < l->n_tour_views; i++)
            if (l->tour_views[i] == app->view)
                pos = (i + 1) % l->n_tour_views;
        app->tour_next_us = now_us + (int64_t)(l->tour_dwell * 1e6);
        app_switch_view(app, l->tour_views[pos]);
    }
    for (int o = 0; o < app->outputs_n; o++) {
        const struct layout_output *lo = app_output(app, o);
        for (int t = 0; t < lo->n_tiles; t++) {
            int pos = tour_index(app, &lo->tiles[t]);
            if (pos != app->outputs[o].tour_pos[t]) {
                app->outputs[o].tour_pos[t] = pos;
                app->dirty = app->full_redraw = true;
            }
        }
    }
}

/* ---- reloading the file ---- */

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

int app_reload(struct app *app)
{
    struct layout_diags diags = {0};
    struct layout *l = NULL;
    app_secrets_load(app); /* a reload re-reads the secrets too */
    layout_load_file(app->opt.layout_path, &l, &diags);
    layout_diags_print(&diags, app->opt.layout_path, stderr);
    if (!l) {
        tlog_err(app->log, "%s has errors: keeping the layout on screen",
                 app->opt.layout_path);
        set_banner(app, &diags);
        layout_diags_clear(&diags);
        return -EINVAL;
    }
    layout_diags_clear(&diags);
    out_resolve_sizes(l, app->opt.headless, app->log);
    int v = layout_find_view(l, app->layout->views[app->view].name);
    v = v < 0 ? 0 : v;
    const char *why = incompatible(app, l, v);
    if (why) {
        snprintf(app->banner, sizeof(app->banner), "LAYOUT NOT RELOADED · %s: %s",
                 app->opt.layout_path, why);
        tlog_err(app->log, "%s", app->banner);
        layout_destroy(l);
        app->dirty = app->full_redraw = true;
        return -EINVAL;
    }
    int ret = show(app, l, v);
    if (ret < 0) {
        layout_destroy(l);
        return ret;
    }
    app->banner[0] = '\0';
    tlog_info(app->log, "reloaded %s", app->opt.layout_path);
    app_audit_layout(app, "reloaded");
    return 0;
}

static void on_reload_timer(uv_timer_t *timer)
{
    struct app *app = timer->data;
    app_reload(app);
}

static void on_file_event(uv_fs_event_t *ev, const char *name, int events, int status)
{
    struct app *app = ev->data;
    (void)events;
    if (status < 0 || (name && strcmp(name, app->watch_name) != 0))
        return;
    uv_timer_start(&app->reload_timer, on_reload_timer, RELOAD_SETTLE_MS, 0);
}

int app_watch_start(struct app *app)
{
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

/* ---- operator actions (keys, mouse and control commands share these) ---- */

int app_action_maximize(struct app *app, int o, int t)
{
    if (o < 0 || o >= app->outputs_n || t < -1 || t >= app_output(app, o)->n_tiles)
        return -EINVAL;
    app->outputs[o].maximized = app->outputs[o].maximized == t ? -1 : t;
    app->outputs[o].selected = t >= 0 ? t : app->outputs[o].selected;
    app->dirty = app->full_redraw = app->panels_dirty = true;
    return 0;
}

int app_action_select(struct app *app, int o, int t)
{
    if (o < 0 || o >= app->outputs_n || t < -1 || t >= app_output(app, o)->n_tiles)
        return -EINVAL;
    app->outputs[o].selected = t;
    app->dirty = app->full_redraw = true;
    return 0;
}

/* The tile whose centre is nearest to the selected one's in direction
 * (dx, dy) (one of them 0). */
int app_action_move(struct app *app, int o, int dx, int dy)
{
    if (o < 0 || o >= app->outputs_n)
        return -EINVAL;
    const struct layout_output *lo = app_output(app, o);
    int cur = app->outputs[o].selected, best = -1;
    long best_d = 0;
    if (cur < 0)
        return lo->n_tiles ? app_action_select(app, o, 0) : 0;
    struct layout_rect c = layout_tile_rect(lo, &lo->tiles[cur]);
    for (int t = 0; t < lo->n_tiles; t++) {
        struct layout_rect r = layout_tile_rect(lo, &lo->tiles[t]);
        long ddx = (r.x + r.w / 2) - (c.x + c.w / 2), ddy = (r.y + r.h / 2) - (c.y + c.h / 2);
        if (t == cur || (dx && ddx * dx <= 0) || (dy && ddy * dy <= 0))
            continue;
        long d = ddx * ddx + ddy * ddy;
        if (best < 0 || d < best_d) {
            best = t;
            best_d = d;
        }
    }
    return best >= 0 ? app_action_select(app, o, best) : 0;
}

int app_output_index(const struct app *app, const char *name)
{
    for (int o = 0; o < app_output_count(app); o++)
        if (!name || strcmp(app_output(app, o)->name, name) == 0)
            return o;
    return -1;
}
