/*
 * wallstate.c - the wall state and ws_apply(), the one function that changes
 * it (see wallstate.h).  Pure data: no clock, no I/O, no other module but
 * the layout model.
 */
#include "wallstate/wallstate_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cmd_names[WS_CMD_COUNT] = {
    [WS_CMD_LAYOUT] = "layout-read",   [WS_CMD_SHOW_VIEW] = "layout",
    [WS_CMD_MAXIMIZE] = "maximize",    [WS_CMD_RESTORE] = "restore",
    [WS_CMD_SELECT] = "select",        [WS_CMD_MOVE] = "move",
    [WS_CMD_PIN] = "pin",              [WS_CMD_UNPIN] = "unpin",
    [WS_CMD_TOUR_TICK] = "tour-step",  [WS_CMD_RESTART_FEED] = "restart",
    [WS_CMD_CALLUP] = "callup",        [WS_CMD_RELEASE] = "release",
    [WS_CMD_ADOPT] = "adopt",
};

const char *ws_cmd_name(enum ws_cmd_type type)
{
    return type >= 0 && type < WS_CMD_COUNT ? cmd_names[type] : "?";
}

const char *ws_origin_name(enum ws_origin origin)
{
    static const char *const names[] = {"start", "key",    "socket",
                                        "timer", "file",   "policy", "peer"};
    return origin >= 0 && origin <= WS_ORIGIN_PEER ? names[origin] : "?";
}

/* Whether tile t of output o's tour is stopped (enlarged or pinned). */
static bool tour_frozen(const struct wall_state *ws, int o, int t)
{
    return ws->outputs[o].maximized == t || ws__find_pin(ws, o, t) != NULL;
}

int64_t ws_next_tour_us(const struct wall_state *ws)
{
    int64_t next = ws->layout ? ws->tour_next_us : 0;
    int64_t hold = ws__callups_next(ws);
    if (hold && (!next || hold < next))
        next = hold;
    for (int o = 0; o < ws_output_count(ws); o++)
        for (int t = 0; t < ws->outputs[o].n_tiles; t++) {
            int64_t due = ws->outputs[o].tiles[t].tour_next_us;
            if (due && !tour_frozen(ws, o, t) && (!next || due < next))
                next = due;
        }
    return next;
}

/* ---- building outputs for a view ---- */

static void free_outputs(struct ws_output *outs, int n)
{
    for (int o = 0; outs && o < n; o++)
        free(outs[o].tiles);
    free(outs);
}

static int64_t dwell_us(double seconds)
{
    return (int64_t)(seconds * 1e6);
}

/* Fresh operator state for view v of l: nothing enlarged or selected, tile
 * tours at their start.  Returns 0 or -ENOMEM. */
static int new_outputs(const struct layout *l, int v, int64_t now,
                       struct ws_output **out)
{
    const struct layout_view *view = &l->views[v];
    struct ws_output *outs = calloc((size_t)view->n_outputs + 1, sizeof(*outs));
    for (int o = 0; outs && o < view->n_outputs; o++) {
        const struct layout_output *lo = &view->outputs[o];
        outs[o] = (struct ws_output){.maximized = -1, .selected = -1, .n_tiles = lo->n_tiles};
        if (!(outs[o].tiles = calloc((size_t)lo->n_tiles + 1, sizeof(struct ws_tile)))) {
            free_outputs(outs, o);
            return -ENOMEM;
        }
        for (int t = 0; t < lo->n_tiles; t++) {
            const struct layout_tile *tile = &lo->tiles[t];
            outs[o].tiles[t].hold_feed = -1;
            outs[o].tiles[t].callup_feed = -1;
            if (tile->n_tour >= 2 && tile->dwell > 0)
                outs[o].tiles[t].tour_next_us = now + dwell_us(tile->dwell);
        }
    }
    *out = outs;
    return outs ? 0 : -ENOMEM;
}

/* Feed f of layout from, as an index of layout to (by id), or -1. */
static int map_feed(const struct layout *from, int f, const struct layout *to)
{
    if (f < 0 || from == to)
        return f;
    return layout_find_feed(to, from->feeds[f].id);
}

/* Carries one tile's tour position from a (state sa) to b when both have
 * the same tour. */
static void carry_tour(const struct layout_tile *a, const struct ws_tile *sa,
                       const struct layout_tile *b, struct ws_tile *sb)
{
    if (a->n_tour != b->n_tour || a->n_tour < 2 || a->dwell != b->dwell)
        return;
    sb->tour_pos = sa->tour_pos;
    sb->tour_next_us = sa->tour_next_us;
}

/* Takes over what an operator set on output oo of the state for output no
 * (same name) of view v of layout l: the selection, and the enlarged tile
 * (with the feed it holds) when keep_max; tiles that no longer exist lose it. */
static void carry_output(const struct wall_state *ws, int oo, const struct layout *l,
                         int v, int no, struct ws_output *n, bool keep_max)
{
    const struct ws_output *old = &ws->outputs[oo];
    const struct layout_output *lo_old = ws_output(ws, oo);
    const struct layout_output *lo_new = &l->views[v].outputs[no];
    if (old->selected < n->n_tiles)
        n->selected = old->selected;
    if (keep_max && old->maximized < n->n_tiles)
        n->maximized = old->maximized;
    bool same_view = strcmp(ws->layout->views[ws->view].name, l->views[v].name) == 0;
    for (int t = 0; same_view && t < n->n_tiles && t < old->n_tiles; t++)
        carry_tour(&lo_old->tiles[t], &old->tiles[t], &lo_new->tiles[t], &n->tiles[t]);
    if (n->maximized >= 0 && n->maximized == old->maximized)
        n->tiles[n->maximized].hold_feed =
            map_feed(ws->layout, old->tiles[old->maximized].hold_feed, l);
}

/* Operator state for view v of layout l, keeping what applies from ws. */
static int derive_outputs(const struct wall_state *ws, const struct layout *l, int v,
                          bool keep_max, int64_t now, struct ws_output **out)
{
    int ret = new_outputs(l, v, now, out);
    for (int no = 0; ret == 0 && no < l->views[v].n_outputs; no++) {
        int oo = ws->layout ? ws_output_index(ws, l->views[v].outputs[no].name) : -1;
        if (oo >= 0)
            carry_output(ws, oo, l, v, no, &(*out)[no], keep_max);
    }
    return ret;
}

static void set_outputs(struct wall_state *ws, struct ws_output *outs, int n)
{
    free_outputs(ws->outputs, ws->n_outputs);
    ws->outputs = outs;
    ws->n_outputs = n;
}

/* ---- commands ---- */

/* Whether view v has the outputs of the view shown (names and sizes): a
 * switch then needs no new windows. */
static bool view_fits(const struct wall_state *ws, int v)
{
    const struct layout_view *now = &ws->layout->views[ws->view];
    const struct layout_view *next = &ws->layout->views[v];
    if (next->n_outputs != now->n_outputs)
        return false;
    for (int o = 0; o < now->n_outputs; o++) {
        const struct layout_output *a = &now->outputs[o], *b = &next->outputs[o];
        if (strcmp(a->name, b->name) || a->width != b->width || a->height != b->height)
            return false;
    }
    return true;
}

/* Shows view v of the state's layout; keep_max keeps enlarged tiles (a
 * wall-tour step), an operator's switch restores them. */
static int show_view(struct wall_state *ws, int v, bool keep_max, int64_t now,
                     unsigned *changed)
{
    if (v < 0 || v >= ws->layout->n_views)
        return -ENOENT;
    if (v == ws->view)
        return 0;
    if (!view_fits(ws, v))
        return -EINVAL;
    struct ws_output *outs;
    int ret = derive_outputs(ws, ws->layout, v, keep_max, now, &outs);
    if (ret < 0)
        return ret;
    ws->view = v;
    set_outputs(ws, outs, ws->layout->views[v].n_outputs);
    *changed |= WS_CHANGED_TILES | WS_CHANGED_VIEW | WS_CHANGED_FEEDS;
    return 0;
}

/* Pins follow their feed (by id) into layout l; those whose feed is gone
 * are dropped. */
static void remap_pins(struct wall_state *ws, const struct layout *l)
{
    int kept = 0;
    for (int i = 0; i < ws->n_pins; i++) {
        struct ws_pin p = ws->pins[i];
        p.feed = map_feed(ws->layout, p.feed, l);
        if (p.feed < 0)
            free(p.output);
        else
            ws->pins[kept++] = p;
    }
    ws->n_pins = kept;
}

/* A new layout (start or reload): the view of the same name stays shown
 * (else the first), operator state stays on tiles that still exist. */
static int apply_layout(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed)
{
    const struct layout *l = cmd->layout;
    if (!l || l->n_views < 1)
        return -EINVAL;
    int v = ws->layout ? layout_find_view(l, ws->layout->views[ws->view].name) : 0;
    v = v < 0 ? 0 : v;
    struct ws_output *outs;
    int ret = derive_outputs(ws, l, v, true, cmd->now_us, &outs);
    if (ret < 0)
        return ret;
    if (ws->layout) {
        remap_pins(ws, l);
        ws__callups_remap(ws, l);
    }
    bool tour = l->n_tour_views >= 2 && l->tour_dwell > 0;
    if (!tour)
        ws->tour_next_us = 0;
    else if (!ws->tour_next_us || ws->tour_dwell != l->tour_dwell)
        ws->tour_next_us = cmd->now_us + dwell_us(l->tour_dwell);
    ws->tour_dwell = l->tour_dwell;
    ws->layout = l;
    ws->view = v;
    set_outputs(ws, outs, l->views[v].n_outputs);
    *changed |= WS_CHANGED_TILES | WS_CHANGED_VIEW | WS_CHANGED_LAYOUT | WS_CHANGED_FEEDS;
    return 0;
}

/* Restores output o: the enlarged tile lets go of its feed and its tour
 * goes on from now. */
static void restore(struct wall_state *ws, int o, int64_t now)
{
    struct ws_output *out = &ws->outputs[o];
    int t = out->maximized;
    if (t < 0)
        return;
    const struct layout_tile *tile = &ws_output(ws, o)->tiles[t];
    out->tiles[t].hold_feed = -1;
    if (out->tiles[t].tour_next_us)
        out->tiles[t].tour_next_us = now + dwell_us(tile->dwell);
    out->maximized = -1;
}

static int maximize(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed)
{
    int o = cmd->output, t = cmd->tile;
    if (o < 0 || o >= ws->n_outputs || t < -1 || t >= ws->outputs[o].n_tiles)
        return -EINVAL;
    struct ws_output *out = &ws->outputs[o];
    int was = out->maximized;
    restore(ws, o, cmd->now_us);
    if (t >= 0 && t != was) {
        out->tiles[t].hold_feed = ws_tile_feed(ws, o, t);
        out->maximized = out->selected = t;
    }
    *changed |= WS_CHANGED_TILES | WS_CHANGED_FEEDS;
    return 0;
}

static int select_tile(struct wall_state *ws, int o, int t, unsigned *changed)
{
    if (o < 0 || o >= ws->n_outputs || t < -1 || t >= ws->outputs[o].n_tiles)
        return -EINVAL;
    ws->outputs[o].selected = t;
    *changed |= WS_CHANGED_TILES;
    return 0;
}

/* The tile whose centre is nearest to the selected one's in direction
 * (dx, dy); the first tile when none is selected. */
static int move_selection(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed)
{
    int o = cmd->output;
    if (o < 0 || o >= ws->n_outputs || (cmd->dx != 0) == (cmd->dy != 0))
        return -EINVAL;
    const struct layout_output *lo = ws_output(ws, o);
    int cur = ws->outputs[o].selected, best = -1;
    long best_d = 0;
    if (cur < 0)
        return lo->n_tiles ? select_tile(ws, o, 0, changed) : 0;
    struct layout_rect c = layout_tile_rect(lo, &lo->tiles[cur]);
    for (int t = 0; t < lo->n_tiles; t++) {
        struct layout_rect r = layout_tile_rect(lo, &lo->tiles[t]);
        long ddx = (r.x + r.w / 2) - (c.x + c.w / 2), ddy = (r.y + r.h / 2) - (c.y + c.h / 2);
        if (t == cur || (cmd->dx && ddx * cmd->dx <= 0) || (cmd->dy && ddy * cmd->dy <= 0))
            continue;
        long d = ddx * ddx + ddy * ddy;
        if (best < 0 || d < best_d) {
            best = t;
            best_d = d;
        }
    }
    return best >= 0 ? select_tile(ws, o, best, changed) : 0;
}

static int pin(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed)
{
    int o = cmd->output, t = cmd->tile;
    int f = ws_tile_feed(ws, o, t);
    if (f < 0)
        return -EINVAL; /* no such tile, or a panel: nothing to keep */
    if (ws__find_pin(ws, o, t))
        return 0;
    struct ws_pin *pins = realloc(ws->pins, (size_t)(ws->n_pins + 1) * sizeof(*pins));
    if (!pins)
        return -ENOMEM;
    ws->pins = pins;
    char *name = strdup(ws_output(ws, o)->name);
    if (!name)
        return -ENOMEM;
    pins[ws->n_pins++] = (struct ws_pin){.output = name, .tile = t, .feed = f};
    *changed |= WS_CHANGED_TILES | WS_CHANGED_FEEDS;
    return 0;
}

static int unpin(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed)
{
    int o = cmd->output, t = cmd->tile;
    if (!ws__valid_tile(ws, o, t))
        return -EINVAL;
    const struct ws_pin *p = ws__find_pin(ws, o, t);
    if (!p)
        return 0;
    int i = (int)(p - ws->pins);
    free(ws->pins[i].output);
    ws->pins[i] = ws->pins[--ws->n_pins];
    struct ws_tile *st = &ws->outputs[o].tiles[t];
    if (st->tour_next_us)
        st->tour_next_us = cmd->now_us + dwell_us(ws_output(ws, o)->tiles[t].dwell);
    *changed |= WS_CHANGED_TILES | WS_CHANGED_FEEDS;
    return 0;
}

/* The wall tour's next view after the one shown (the first when the view
 * shown is not in the tour). */
static int next_tour_view(const struct wall_state *ws)
{
    const struct layout *l = ws->layout;
    for (int i = 0; i < l->n_tour_views; i++)
        if (l->tour_views[i] == ws->view)
            return l->tour_views[(i + 1) % l->n_tour_views];
    return l->tour_views[0];
}

/* Steps each cycling tile whose time has come (enlarged and pinned tiles
 * stay where they are). */
static void tick_tiles(struct wall_state *ws, int64_t now, unsigned *changed)
{
    for (int o = 0; o < ws->n_outputs; o++)
        for (int t = 0; t < ws->outputs[o].n_tiles; t++) {
            struct ws_tile *st = &ws->outputs[o].tiles[t];
            const struct layout_tile *tile = &ws_output(ws, o)->tiles[t];
            if (!st->tour_next_us || now < st->tour_next_us || tour_frozen(ws, o, t))
                continue;
            st->tour_pos = (st->tour_pos + 1) % tile->n_tour;
            st->tour_next_us += dwell_us(tile->dwell);
            if (st->tour_next_us <= now)
                st->tour_next_us = now + dwell_us(tile->dwell);
            *changed |= WS_CHANGED_TILES;
        }
}

static int tour_tick(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed)
{
    int64_t now = cmd->now_us;
    if (ws->tour_next_us && now >= ws->tour_next_us) {
        ws->tour_next_us = now + dwell_us(ws->tour_dwell);
        /* a view that does not fit the windows is skipped */
        int ret = show_view(ws, next_tour_view(ws), true, now, changed);
        if (ret == -ENOMEM)
            return ret;
    }
    tick_tiles(ws, now, changed);
    ws__callups_expire(ws, now, changed);
    return 0;
}

static int dispatch(struct wall_state *ws, struct ws_cmd *cmd, unsigned *changed)
{
    switch (cmd->type) {
    case WS_CMD_LAYOUT: return apply_layout(ws, cmd, changed);
    case WS_CMD_SHOW_VIEW: return show_view(ws, cmd->view, false, cmd->now_us, changed);
    case WS_CMD_MAXIMIZE: return maximize(ws, cmd, changed);
    case WS_CMD_RESTORE:
        if (cmd->output < 0 || cmd->output >= ws->n_outputs)
            return -EINVAL;
        restore(ws, cmd->output, cmd->now_us);
        *changed |= WS_CHANGED_TILES | WS_CHANGED_FEEDS;
        return 0;
    case WS_CMD_SELECT: return select_tile(ws, cmd->output, cmd->tile, changed);
    case WS_CMD_MOVE: return move_selection(ws, cmd, changed);
    case WS_CMD_PIN: return pin(ws, cmd, changed);
    case WS_CMD_UNPIN: return unpin(ws, cmd, changed);
    case WS_CMD_TOUR_TICK: return tour_tick(ws, cmd, changed);
    case WS_CMD_RESTART_FEED:
        if (cmd->feed < 0 || cmd->feed >= ws->layout->n_feeds)
            return -EINVAL;
        *changed |= WS_RESTART_FEED;
        return 0;
    case WS_CMD_CALLUP: return ws__callup(ws, cmd, changed);
    case WS_CMD_RELEASE: return ws__release(ws, cmd, changed);
    case WS_CMD_ADOPT: return ws__adopt(ws, cmd, changed);
    default: return -EINVAL;
    }
}

int ws_apply(struct wall_state *ws, struct ws_cmd *cmd, unsigned *changed)
{
    unsigned local = 0;
    if (!ws->layout && cmd->type != WS_CMD_LAYOUT)
        return -EINVAL;
    int ret = dispatch(ws, cmd, &local);
    if (ret < 0)
        return ret;
    cmd->seq = ++ws->seq;
    ws__callups_assign(ws); /* slots follow every change: views, pins, call-ups */
    if (changed)
        *changed |= local;
    return 0;
}

void ws_init(struct wall_state *ws)
{
    memset(ws, 0, sizeof(*ws));
}

void ws_uninit(struct wall_state *ws)
{
    free_outputs(ws->outputs, ws->n_outputs);
    for (int i = 0; i < ws->n_pins; i++)
        free(ws->pins[i].output);
    free(ws->pins);
    ws__callups_free(ws);
    ws_init(ws);
}

/* Writes ": incident ID priority P cameras A,B" (RELEASE: the incident). */
static void describe_callup(const struct wall_state *ws, const struct ws_cmd *cmd,
                            char *buf, size_t n)
{
    int len = snprintf(buf, n, ": incident %.63s", cmd->incident);
    if (cmd->type != WS_CMD_CALLUP || len < 0 || (size_t)len >= n)
        return;
    len += snprintf(buf + len, n - (size_t)len, " priority %d cameras", cmd->priority);
    for (int i = 0; i < cmd->n_cameras && len > 0 && (size_t)len < n; i++) {
        int f = cmd->cameras[i];
        len += snprintf(buf + len, n - (size_t)len, "%s%s", i ? "," : " ",
                        ws->layout && f >= 0 && f < ws->layout->n_feeds
                            ? ws->layout->feeds[f].id : "?");
    }
    for (int i = 0; i < ws->n_callups && len > 0 && (size_t)len < n; i++)
        if (strcmp(ws->callups[i].incident, cmd->incident) == 0) /* once applied */
            snprintf(buf + len, n - (size_t)len, " slots %d", ws->callups[i].n_slots);
}

/* Appends " output NAME tile T" (or what applies) to buf at *len. */
static void describe_target(const struct wall_state *ws, const struct ws_cmd *cmd,
                            char *buf, size_t n, size_t len)
{
    const char *out = cmd->output >= 0 && cmd->output < ws_output_count(ws)
                          ? ws_output(ws, cmd->output)->name : "?";
    switch (cmd->type) {
    case WS_CMD_SHOW_VIEW:
        snprintf(buf + len, n - len, ": view %s",
                 ws->layout && cmd->view >= 0 && cmd->view < ws->layout->n_views
                     ? ws->layout->views[cmd->view].name : "?");
        break;
    case WS_CMD_MAXIMIZE: case WS_CMD_SELECT: case WS_CMD_PIN: case WS_CMD_UNPIN:
        snprintf(buf + len, n - len, ": output %s tile %d", out, cmd->tile);
        break;
    case WS_CMD_RESTORE: snprintf(buf + len, n - len, ": output %s", out); break;
    case WS_CMD_CALLUP: case WS_CMD_RELEASE:
        describe_callup(ws, cmd, buf + len, n - len);
        break;
    case WS_CMD_MOVE:
        snprintf(buf + len, n - len, ": output %s by %d,%d", out, cmd->dx, cmd->dy);
        break;
    case WS_CMD_RESTART_FEED:
        snprintf(buf + len, n - len, ": feed %s",
                 ws->layout && cmd->feed >= 0 && cmd->feed < ws->layout->n_feeds
                     ? ws->layout->feeds[cmd->feed].id : "?");
        break;
    case WS_CMD_ADOPT: ws__snapshot_describe(cmd->snapshot, buf + len, n - len); break;
    default: break;
    }
}

const char *ws_cmd_describe(const struct wall_state *ws, const struct ws_cmd *cmd,
                            char *buf, size_t n)
{
    if (!n)
        return buf;
    int len = snprintf(buf, n, "#%llu %s from %s%s%s%s", (unsigned long long)cmd->seq,
                       ws_cmd_name(cmd->type), ws_origin_name(cmd->origin),
                       cmd->client[0] ? " (" : "", cmd->client, cmd->client[0] ? ")" : "");
    if (len > 0 && (size_t)len < n)
        describe_target(ws, cmd, buf, n, (size_t)len);
    return buf;
}
