/*
 * input.c - the operator's keys and mouse: every action here goes through
 * the same app_action_* / app_switch_view functions the control socket uses,
 * and the F1 key map lists them all (one table, so the help cannot drift from
 * what the keys do).
 */
#include <SDL2/SDL.h>

#include "app/app_internal.h"
#include "output/output.h"
#include "render/render.h"

/* The key map, as shown by F1 (and in the README). */
static const char *const key_map[] = {
    "1 … 9          show named layout 1 … 9",
    "click a tile   enlarge it / click again to restore",
    "arrow keys     move the selection",
    "Enter          enlarge / restore the selected tile",
    "keypad 1 … 9   enlarge / restore tile 1 … 9",
    "Esc            restore (and keep the wall running)",
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

/* The output a window event belongs to (the first without a window). */
static int event_output(struct app *app, uint32_t window_id)
{
    int o = app->outs ? out_index_of_window(app->outs, window_id) : -1;
    return o >= 0 && o < app->outputs_n ? o : 0;
}

static void on_key(struct app *app, const SDL_KeyboardEvent *key)
{
    SDL_Keycode k = key->keysym.sym;
    int o = event_output(app, key->windowID);
    if (k == SDLK_q && (key->keysym.mod & KMOD_CTRL))
        app_stop(app, EXIT_OK);
    else if (key->repeat && k != SDLK_LEFT && k != SDLK_RIGHT && k != SDLK_UP && k != SDLK_DOWN)
        return;
    else if (k == SDLK_h)
        app->hud = !app->hud;
    else if (k == SDLK_F1)
        app->help = !app->help;
    else if (k >= SDLK_1 && k <= SDLK_9)
        app_switch_view(app, (int)(k - SDLK_1));
    else if (k >= SDLK_KP_1 && k <= SDLK_KP_9)
        app_action_maximize(app, o, (int)(k - SDLK_KP_1));
    else if (k == SDLK_RETURN || k == SDLK_KP_ENTER)
        app_action_maximize(app, o, app->outputs[o].selected);
    else if (k == SDLK_ESCAPE && app->outputs[o].maximized >= 0)
        app_action_maximize(app, o, -1);
    else if (k == SDLK_LEFT || k == SDLK_RIGHT)
        app_action_move(app, o, k == SDLK_LEFT ? -1 : 1, 0);
    else if (k == SDLK_UP || k == SDLK_DOWN)
        app_action_move(app, o, 0, k == SDLK_UP ? -1 : 1);
    app->dirty = app->full_redraw = true;
}

/* A click enlarges the tile under the pointer; a click on the enlarged tile
 * restores the grid. */
static void on_click(struct app *app, const SDL_MouseButtonEvent *b)
{
    if (b->button != SDL_BUTTON_LEFT)
        return;
    int o = event_output(app, b->windowID);
    if (app->outputs[o].maximized >= 0) {
        app_action_maximize(app, o, -1);
        return;
    }
    int w = 0, h = 0;
    SDL_Window *win = SDL_GetWindowFromID(b->windowID);
    if (win)
        SDL_GetWindowSize(win, &w, &h);
    const struct layout_output *lo = app_output(app, o);
    int x = w > 0 ? b->x * lo->width / w : b->x, y = h > 0 ? b->y * lo->height / h : b->y;
    int t = layout_tile_at(lo, x, y);
    if (t >= 0)
        app_action_maximize(app, o, t);
}

void app_input_event(struct app *app, const SDL_Event *ev)
{
    if (ev->type == SDL_KEYDOWN)
        on_key(app, &ev->key);
    else if (ev->type == SDL_MOUSEBUTTONDOWN)
        on_click(app, &ev->button);
}
