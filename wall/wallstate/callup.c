/*
 * callup.c - the call-up part of the wall state: incidents' call-ups kept in
 * rank order (most urgent first; equal priority keeps the older), and the
 * call-up slots of the view shown derived from them.  Nothing is written
 * over a slot: the slots are recomputed after every command, so a more
 * urgent incident takes slots from a less urgent one, the less urgent one
 * gets them back when the other is released, a call-up that gets no slot
 * waits (queued), a pinned slot is never handed out, and a released slot
 * shows what the layout puts there again.  Pure data, like wallstate.c.
 */
#include "wallstate/wallstate_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int find_callup(const struct wall_state *ws, const char *incident)
{
    for (int i = 0; i < ws->n_callups; i++)
        if (strcmp(ws->callups[i].incident, incident) == 0)
            return i;
    return -1;
}

static bool ranks_before(const struct ws_callup *a, const struct ws_callup *b)
{
    return a->priority != b->priority ? a->priority < b->priority : a->order < b->order;
}

/* Moves call-up i to its place in rank order. */
static void reorder(struct wall_state *ws, int i)
{
    struct ws_callup c = ws->callups[i];
    memmove(&ws->callups[i], &ws->callups[i + 1],
            (size_t)(ws->n_callups - i - 1) * sizeof(c));
    int n = ws->n_callups - 1, at = 0;
    while (at < n && ranks_before(&ws->callups[at], &c))
        at++;
    memmove(&ws->callups[at + 1], &ws->callups[at], (size_t)(n - at) * sizeof(c));
    ws->callups[at] = c;
}

/* Copies cmd's cameras into c, without repeats; false if one is no feed. */
static bool take_cameras(const struct wall_state *ws, const struct ws_cmd *cmd,
                         struct ws_callup *c)
{
    c->n_cameras = 0;
    for (int i = 0; i < cmd->n_cameras; i++) {
        int f = cmd->cameras[i], j = 0;
        if (f < 0 || f >= ws->layout->n_feeds)
            return false;
        while (j < c->n_cameras && c->cameras[j] != f)
            j++;
        if (j == c->n_cameras)
            c->cameras[c->n_cameras++] = f;
    }
    return true;
}

int ws__callup(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed)
{
    struct ws_callup c = {0};
    if (!cmd->incident[0] || !memchr(cmd->incident, '\0', sizeof(cmd->incident)) ||
        cmd->priority < 1 || cmd->priority > 9 || cmd->n_cameras < 1 ||
        cmd->n_cameras > LAYOUT_MAX_CALLUP_CAMERAS || !(cmd->hold_s >= 0) ||
        !take_cameras(ws, cmd, &c))
        return -EINVAL;
    int i = find_callup(ws, cmd->incident);
    if (i < 0) {
        struct ws_callup *all =
            realloc(ws->callups, (size_t)(ws->n_callups + 1) * sizeof(*all));
        if (!all)
            return -ENOMEM;
        ws->callups = all;
        i = ws->n_callups++;
        memcpy(c.incident, cmd->incident, sizeof(c.incident));
        c.order = ws->seq + 1; /* this command's number */
        c.since_us = cmd->now_us;
    } else {
        memcpy(c.incident, ws->callups[i].incident, sizeof(c.incident));
        c.order = ws->callups[i].order;
        c.since_us = ws->callups[i].since_us;
    }
    c.priority = cmd->priority;
    c.expires_us = cmd->hold_s > 0 ? cmd->now_us + (int64_t)(cmd->hold_s * 1e6) : 0;
    ws->callups[i] = c;
    reorder(ws, i);
    *changed |= WS_CHANGED_TILES | WS_CHANGED_FEEDS;
    return 0;
}

static void remove_at(struct wall_state *ws, int i)
{
    memmove(&ws->callups[i], &ws->callups[i + 1],
            (size_t)(ws->n_callups - i - 1) * sizeof(*ws->callups));
    ws->n_callups--;
}

int ws__release(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed)
{
    int i = memchr(cmd->incident, '\0', sizeof(cmd->incident)) ? find_callup(ws, cmd->incident)
                                                               : -1;
    if (i < 0)
        return -ENOENT;
    remove_at(ws, i);
    *changed |= WS_CHANGED_TILES | WS_CHANGED_FEEDS;
    return 0;
}

void ws__callups_expire(struct wall_state *ws, int64_t now, unsigned *changed)
{
    for (int i = ws->n_callups - 1; i >= 0; i--) {
        if (ws->callups[i].expires_us && now >= ws->callups[i].expires_us) {
            remove_at(ws, i);
            *changed |= WS_CHANGED_TILES | WS_CHANGED_FEEDS;
        }
    }
}

int64_t ws__callups_next(const struct wall_state *ws)
{
    int64_t next = 0;
    for (int i = 0; i < ws->n_callups; i++) {
        int64_t e = ws->callups[i].expires_us;
        if (e && (!next || e < next))
            next = e;
    }
    return next;
}

void ws__callups_remap(struct wall_state *ws, const struct layout *to)
{
    int kept = 0;
    for (int i = 0; i < ws->n_callups; i++) {
        struct ws_callup c = ws->callups[i];
        int n = 0;
        for (int j = 0; j < c.n_cameras; j++) {
            int f = layout_find_feed(to, ws->layout->feeds[c.cameras[j]].id);
            if (f >= 0)
                c.cameras[n++] = f;
        }
        c.n_cameras = n;
        if (n > 0)
            ws->callups[kept++] = c;
    }
    ws->n_callups = kept;
}

/* The highest slot number of the view shown (0: no slots). */
static int max_slot(const struct wall_state *ws)
{
    int k = 0;
    for (int o = 0; o < ws->n_outputs; o++)
        for (int t = 0; t < ws->outputs[o].n_tiles; t++)
            if (ws_output(ws, o)->tiles[t].callup > k)
                k = ws_output(ws, o)->tiles[t].callup;
    return k;
}

/* Whether feed f is on a call-up slot already (a camera called up, or one
 * pinned there): a camera is shown in one slot at most. */
static bool on_a_slot(const struct wall_state *ws, int f)
{
    for (int o = 0; o < ws->n_outputs; o++)
        for (int t = 0; t < ws->outputs[o].n_tiles; t++)
            if (ws_output(ws, o)->tiles[t].callup && ws_tile_feed(ws, o, t) == f)
                return true;
    return false;
}

/* The next camera of the call-ups from (*ci, *cam) on that is not on a slot
 * yet, or -1; advances the position past it. */
static int next_camera(struct wall_state *ws, int *ci, int *cam)
{
    while (*ci < ws->n_callups) {
        const struct ws_callup *c = &ws->callups[*ci];
        if (*cam >= c->n_cameras) {
            (*ci)++;
            *cam = 0;
            continue;
        }
        int f = c->cameras[(*cam)++];
        if (!on_a_slot(ws, f))
            return f;
    }
    return -1;
}

void ws__callups_assign(struct wall_state *ws)
{
    int ci = 0, cam = 0, slots = max_slot(ws);
    for (int o = 0; o < ws->n_outputs; o++)
        for (int t = 0; t < ws->outputs[o].n_tiles; t++)
            ws->outputs[o].tiles[t].callup_feed = -1;
    for (int i = 0; i < ws->n_callups; i++)
        ws->callups[i].n_slots = 0;
    for (int k = 1; k <= slots; k++) {
        for (int o = 0; o < ws->n_outputs; o++) {
            for (int t = 0; t < ws->outputs[o].n_tiles; t++) {
                if (ws_output(ws, o)->tiles[t].callup != k || ws_tile_pinned(ws, o, t))
                    continue;
                int f = next_camera(ws, &ci, &cam);
                if (f < 0)
                    return;
                ws->outputs[o].tiles[t].callup_feed = f;
                ws->callups[ci].n_slots++;
            }
        }
    }
}

void ws__callups_free(struct wall_state *ws)
{
    free(ws->callups);
    ws->callups = NULL;
    ws->n_callups = 0;
}

const struct ws_callup *ws_callups(const struct wall_state *ws, int *n)
{
    *n = ws->n_callups;
    return ws->callups;
}

int ws_tile_slot(const struct wall_state *ws, int o, int t)
{
    if (o < 0 || o >= ws_output_count(ws) || t < 0 || t >= ws->outputs[o].n_tiles)
        return 0;
    return ws_output(ws, o)->tiles[t].callup;
}
