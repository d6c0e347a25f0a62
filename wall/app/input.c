/*
 * input.c - the operator's keys and mouse, as the output module hands them
 * over (struct out_input: no SDL here).  Each one becomes a wall-state
 * command for app_command(), the same path the control socket and the
 * timers take; the F1 key map lists them all (one table, so the help cannot
 * drift from what the keys do).
 */
#include <math.h>

#include "app/app_internal.h"
#include "base/geo.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "render/render.h"

/* The key map, as shown by F1 (and in the README). */
static const char *const key_map[] = {
    "1 … 9          show named layout 1 … 9",
    "click a tile   enlarge it / click again to restore",
    "click a map    call up the cameras that see that point",
    "arrow keys     move the selection",
    "Enter          enlarge / restore the selected tile",
    "keypad 1 … 9   enlarge / restore tile 1 … 9",
    "Esc            restore (and keep the wall running)",
    "P              pin / unpin the selected tile",
    "R              restart the selected tile's feed",
    "H              operator HUD: state, rate, latency per tile",
    "F1             this key map",
    "Ctrl+Q         quit",
};

void app_draw_help(struct app *app, struct layout_rect all, int px)
{
    int n = (int)(sizeof(key_map) / sizeof(key_map[0]));
    int line = px + px / 2, w = px * 26, h = line * (n + 2);
    struct layout_rect box = {all.x + (all.w - w) / 2, all.y + (all.h - h) / 2, w, h};
    render_rect(app->render, box, (struct render_color){0, 0, 0, 0.8f});
    struct layout_rect row = {box.x + px, box.y + px / 2, w - 2 * px, line};
    render_text(app->render, "KEYS", px, row, RENDER_ALIGN_TOP_LEFT,
                (struct render_color){0.4f, 0.8f, 1, 1}, false);
    for (int i = 0; i < n; i++) {
        row.y += line;
        render_text(app->render, key_map[i], px, row, RENDER_ALIGN_TOP_LEFT,
                    (struct render_color){1, 1, 1, 1}, false);
    }
}

/* Applies a command of the operator's (refusals are logged at debug: a key
 * pressed where it means nothing). */
static void key_command(struct app *app, struct ws_cmd cmd)
{
    char err[160];
    cmd.origin = WS_ORIGIN_KEY;
    cmd.now_us = app_ws_now(app);
    if (app_command(app, &cmd, err, sizeof(err)) < 0)
        tlog_debug(app->log, "key: %s: %s", ws_cmd_name(cmd.type), err);
}

/* Keys that act on the selected tile of output o: Enter, P, R. */
static void on_selected(struct app *app, int o, const struct out_input *in)
{
    int t = app->ws.outputs[o].selected;
    if (in->key == OUT_KEY_ENTER)
        key_command(app, (struct ws_cmd){.type = WS_CMD_MAXIMIZE, .output = o, .tile = t});
    else if (t >= 0 && in->letter == 'p')
        key_command(app, (struct ws_cmd){.type = ws_tile_pinned(&app->ws, o, t)
                                                     ? WS_CMD_UNPIN : WS_CMD_PIN,
                                         .output = o, .tile = t});
    else if (t >= 0 && in->letter == 'r' && app_tile_feed(app, o, t) >= 0)
        key_command(app, (struct ws_cmd){.type = WS_CMD_RESTART_FEED,
                                         .feed = app_tile_feed(app, o, t)});
}

static void on_key(struct app *app, const struct out_input *in)
{
    int o = in->output < app_output_count(app) ? in->output : 0;
    bool arrow = in->key >= OUT_KEY_LEFT && in->key <= OUT_KEY_DOWN;
    if (in->repeat && !arrow)
        return;
    else if (in->key == OUT_KEY_LETTER && in->letter == 'h')
        app->hud = !app->hud;
    else if (in->key == OUT_KEY_F1)
        app->help = !app->help;
    else if (in->key == OUT_KEY_DIGIT)
        key_command(app, (struct ws_cmd){.type = WS_CMD_SHOW_VIEW, .view = in->digit - 1});
    else if (in->key == OUT_KEY_KEYPAD_DIGIT)
        key_command(app, (struct ws_cmd){.type = WS_CMD_MAXIMIZE, .output = o,
                                         .tile = in->digit - 1});
    else if (in->key == OUT_KEY_ESCAPE && app->ws.outputs[o].maximized >= 0)
        key_command(app, (struct ws_cmd){.type = WS_CMD_RESTORE, .output = o});
    else if (arrow)
        key_command(app, (struct ws_cmd){
                             .type = WS_CMD_MOVE, .output = o,
                             .dx = in->key == OUT_KEY_LEFT ? -1 : in->key == OUT_KEY_RIGHT,
                             .dy = in->key == OUT_KEY_UP ? -1 : in->key == OUT_KEY_DOWN});
    else if (in->key == OUT_KEY_ENTER || in->key == OUT_KEY_LETTER)
        on_selected(app, o, in);
    app->dirty = app->full_redraw = true;
}

/* A click on a map panel as drawn now (enlarged or not) calls up the point
 * under the pointer, through the map's inverse projection; returns whether
 * the click fell on a map panel. */
static bool click_map(struct app *app, int o, int x, int y)
{
    const struct layout_output *lo = app_output(app, o);
    for (int t = 0; t < lo->n_tiles; t++) {
        const struct layout_tile *tile = &lo->tiles[t];
        struct layout_rect r = app_tile_rect(app, o, t);
        if (tile->panel != LAYOUT_PANEL_MAP || r.w <= 0 || x < r.x || y < r.y ||
            x >= r.x + r.w || y >= r.y + r.h)
            continue;
        double cx, cy, lat, lon;
        char err[160];
        geo_project(tile->center[0], tile->center[1], tile->zoom, &cx, &cy);
        geo_unproject(cx - r.w / 2.0 + (x - r.x) + 0.5, cy - r.h / 2.0 + (y - r.y) + 0.5,
                      tile->zoom, &lat, &lon);
        lon = fmod(fmod(lon + 180.0, 360.0) + 360.0, 360.0) - 180.0; /* a wrapped world */
        if (app_callup_point(app, lat, lon, WS_ORIGIN_KEY, err, sizeof(err)) < 0)
            tlog_info(app->log, "map click at %.6f,%.6f: %s", lat, lon, err);
        app->dirty = true;
        app->panels_dirty = APP_PANEL_ALL;
        return true;
    }
    return false;
}

/* A click on a map panel calls up that point; elsewhere it enlarges the tile
 * under the pointer, and a click on the enlarged tile restores the grid. */
static void on_click(struct app *app, const struct out_input *in)
{
    int o = in->output < app_output_count(app) ? in->output : 0;
    if (click_map(app, o, in->x, in->y))
        return;
    if (app->ws.outputs[o].maximized >= 0) {
        key_command(app, (struct ws_cmd){.type = WS_CMD_RESTORE, .output = o});
        return;
    }
    int t = layout_tile_at(app_output(app, o), in->x, in->y);
    if (t >= 0)
        key_command(app, (struct ws_cmd){.type = WS_CMD_MAXIMIZE, .output = o, .tile = t});
}

bool app_input(struct app *app, const struct out_input *in)
{
    if (in->kind == OUT_INPUT_KEY && in->key == OUT_KEY_LETTER && in->letter == 'q' &&
        in->ctrl)
        return true;
    if (app_output_count(app) == 0)
        return false;
    if (in->kind == OUT_INPUT_KEY)
        on_key(app, in);
    else if (in->kind == OUT_INPUT_CLICK)
        on_click(app, in);
    return false;
}
