/*
 * read.c - reading the wall state: outputs, tiles, pins and the feed each
 * tile shows (see wallstate.h).  A leaf of the module: the command code in
 * wallstate.c and callup.c reads through it, it calls neither.
 */
#include "wallstate/wallstate_priv.h"

#include <string.h>

int ws_output_count(const struct wall_state *ws)
{
    return ws->layout ? ws->n_outputs : 0;
}

const struct layout_output *ws_output(const struct wall_state *ws, int o)
{
    return &ws->layout->views[ws->view].outputs[o];
}

int ws_output_index(const struct wall_state *ws, const char *name)
{
    for (int o = 0; o < ws_output_count(ws); o++)
        if (!name || strcmp(ws_output(ws, o)->name, name) == 0)
            return o;
    return -1;
}

bool ws__valid_tile(const struct wall_state *ws, int o, int t)
{
    return o >= 0 && o < ws_output_count(ws) && t >= 0 && t < ws->outputs[o].n_tiles;
}

const struct ws_pin *ws__find_pin(const struct wall_state *ws, int o, int t)
{
    const char *name = ws_output(ws, o)->name;
    for (int i = 0; i < ws->n_pins; i++)
        if (ws->pins[i].tile == t && strcmp(ws->pins[i].output, name) == 0)
            return &ws->pins[i];
    return NULL;
}

bool ws_tile_pinned(const struct wall_state *ws, int o, int t)
{
    return ws__valid_tile(ws, o, t) && ws__find_pin(ws, o, t) != NULL;
}

/* The feed the layout itself puts in a tile now (tour position), or -1. */
static int layout_feed_of(const struct layout_tile *tile, const struct ws_tile *st)
{
    if (tile->panel != LAYOUT_PANEL_NONE)
        return -1;
    return tile->n_tour >= 2 ? tile->tour[st->tour_pos % tile->n_tour] : tile->feed;
}

int ws_tile_feed(const struct wall_state *ws, int o, int t)
{
    if (!ws__valid_tile(ws, o, t))
        return -1;
    const struct ws_pin *pin = ws__find_pin(ws, o, t);
    const struct ws_tile *st = &ws->outputs[o].tiles[t];
    if (pin)
        return pin->feed;
    if (ws->outputs[o].maximized == t && st->hold_feed >= 0)
        return st->hold_feed;
    if (st->callup_feed >= 0)
        return st->callup_feed;
    return layout_feed_of(&ws_output(ws, o)->tiles[t], st);
}

struct layout_rect ws_tile_rect(const struct wall_state *ws, int o, int t)
{
    const struct layout_output *lo = ws_output(ws, o);
    int max = ws->outputs[o].maximized;
    if (max < 0)
        return layout_tile_rect(lo, &lo->tiles[t]);
    if (max == t)
        return (struct layout_rect){0, 0, lo->width, lo->height};
    return (struct layout_rect){0, 0, 0, 0};
}

bool ws_feed_wanted(const struct wall_state *ws, int f)
{
    if (!ws->layout)
        return false;
    if (layout_feed_shown(ws->layout, ws->view, f))
        return true;
    for (int o = 0; o < ws->n_outputs; o++)
        for (int t = 0; t < ws->outputs[o].n_tiles; t++)
            if (ws_tile_feed(ws, o, t) == f)
                return true;
    return false;
}


/* Whether tile lt may show feed f (its own feed or one of its tour). */
static bool tile_may_show(const struct layout_tile *lt, int f)
{
    if (lt->feed == f)
        return true;
    for (int i = 0; lt->tour && i < lt->n_tour; i++)
        if (lt->tour[i] == f)
            return true;
    return false;
}

bool ws_feed_wanted_on(const struct wall_state *ws, int f, const char *node)
{
    if (!node)
        return ws_feed_wanted(ws, f);
    for (int o = 0; o < ws->n_outputs; o++) {
        const struct layout_output *out = ws_output(ws, o);
        if (!layout_output_on_node(out, node))
            continue;
        for (int t = 0; t < ws->outputs[o].n_tiles; t++)
            if (ws_tile_feed(ws, o, t) == f || tile_may_show(&out->tiles[t], f))
                return true;
    }
    return false;
}
