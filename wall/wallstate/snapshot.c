/*
 * snapshot.c - the shared part of a wall state as JSON, and WS_CMD_ADOPT,
 * which puts a parsed snapshot in place (see wallstate.h, "on the wire").
 * A node that joins a wall late adopts the others' snapshot: the view, per
 * output the enlarged and selected tiles and the tile tours, the wall
 * tour's schedule, the pins and the call-ups.  The call-up slots are not
 * part of it: ws_apply() derives them again after the adopt.
 *
 * A parsed snapshot keeps names (the view's, the outputs', feed ids in one
 * table), not indexes: the layout may change between parse and adopt, so
 * the adopt resolves and checks everything again, and changes nothing when
 * anything does not fit.
 */
#include "wallstate/wallstate_priv.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CALLUPS 4096 /* call-ups in a snapshot */

struct snap_tile {
    int tour_pos;
    int64_t tour_next_us;
    int hold;                 /* index into ids, or -1 */
};

struct snap_output {
    char *name;
    int maximized, selected;
    struct snap_tile *tiles;
    int n_tiles;
};

struct snap_pin {
    char *output;
    int tile;
    int feed;                 /* index into ids */
};

/* Owned by whoever parsed it (any thread; the app's render thread), read-only
 * once parsed: WS_CMD_ADOPT borrows it. */
struct ws_snapshot {
    char *view;
    uint64_t seq;
    int64_t tour_next_us;
    double tour_dwell;
    struct snap_output *outputs;
    int n_outputs;
    struct snap_pin *pins;
    int n_pins;
    struct ws_callup *callups; /* cameras index ids; n_slots 0 */
    int n_callups;
    char **ids;                /* the feed ids it names, each once */
    int n_ids;
};

void ws_snapshot_free(struct ws_snapshot *s)
{
    if (!s)
        return;
    for (int o = 0; s->outputs && o < s->n_outputs; o++) {
        free(s->outputs[o].name);
        free(s->outputs[o].tiles);
    }
    for (int i = 0; i < s->n_pins; i++)
        free(s->pins[i].output);
    for (int i = 0; i < s->n_ids; i++)
        free(s->ids[i]);
    free(s->view);
    free(s->outputs);
    free(s->pins);
    free(s->callups);
    free(s->ids);
    free(s);
}

/* ---- writing ---- */

/* f's feed id, or NULL (no feed). */
static const char *feed_id(const struct wall_state *ws, int f)
{
    return f >= 0 && f < ws->layout->n_feeds ? ws->layout->feeds[f].id : NULL;
}

/* Adds a new object to array arr (NULL when out of memory). */
static cJSON *add_object(cJSON *arr)
{
    cJSON *o = cJSON_CreateObject();
    if (o && !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Adds output o's operator state to arr. */
static bool add_output(const struct wall_state *ws, int o, cJSON *arr)
{
    const struct ws_output *out = &ws->outputs[o];
    cJSON *jo = add_object(arr);
    cJSON *tiles = jo && ws__json_add_str(jo, "name", ws_output(ws, o)->name) &&
                           ws__json_add_int(jo, "maximized", out->maximized) &&
                           ws__json_add_int(jo, "selected", out->selected)
                       ? cJSON_AddArrayToObject(jo, "tiles") : NULL;
    for (int t = 0; tiles && t < out->n_tiles; t++) {
        const struct ws_tile *st = &out->tiles[t];
        cJSON *jt = add_object(tiles);
        if (!jt || !ws__json_add_int(jt, "tour_pos", st->tour_pos) ||
            !ws__json_add_int(jt, "tour_next_us", st->tour_next_us) ||
            !ws__json_add_str(jt, "hold_feed", feed_id(ws, st->hold_feed)))
            return false;
    }
    return tiles != NULL;
}

/* Adds the pins to j. */
static bool add_pins(const struct wall_state *ws, cJSON *j)
{
    cJSON *arr = cJSON_AddArrayToObject(j, "pins");
    for (int i = 0; arr && i < ws->n_pins; i++) {
        const struct ws_pin *p = &ws->pins[i];
        cJSON *jp = add_object(arr);
        if (!jp || !feed_id(ws, p->feed) || !ws__json_add_str(jp, "output", p->output) ||
            !ws__json_add_int(jp, "tile", p->tile) ||
            !ws__json_add_str(jp, "feed", feed_id(ws, p->feed)))
            return false;
    }
    return arr != NULL;
}

/* Adds call-up c to arr. */
static bool add_callup(const struct wall_state *ws, const struct ws_callup *c, cJSON *arr)
{
    cJSON *jc = add_object(arr);
    bool ok = c->order <= WS__JSON_MAX_INT &&
              ws__wire_text_ok(c->incident, sizeof(c->incident), false);
    cJSON *cams = ok && jc && ws__json_add_str(jc, "incident", c->incident) &&
                          ws__json_add_int(jc, "priority", c->priority) &&
                          ws__json_add_int(jc, "order", (long long)c->order) &&
                          ws__json_add_int(jc, "since_us", c->since_us) &&
                          ws__json_add_int(jc, "expires_us", c->expires_us)
                      ? cJSON_AddArrayToObject(jc, "cameras") : NULL;
    for (int k = 0; cams && k < c->n_cameras; k++) {
        const char *id = feed_id(ws, c->cameras[k]);
        cJSON *s = id ? cJSON_CreateString(id) : NULL;
        if (!s || !cJSON_AddItemToArray(cams, s)) {
            cJSON_Delete(s);
            return false;
        }
    }
    return cams != NULL;
}

cJSON *ws_snapshot_to_json(const struct wall_state *ws)
{
    if (!ws->layout)
        return NULL;
    if (ws->seq > WS__JSON_MAX_INT)
        return NULL;
    cJSON *j = cJSON_CreateObject();
    cJSON *outs = j && ws__json_add_str(j, "view", ws->layout->views[ws->view].name) &&
                          ws__json_add_int(j, "seq", (long long)ws->seq) &&
                          ws__json_add_int(j, "tour_next_us", ws->tour_next_us) &&
                          ws__json_add_real(j, "tour_dwell", ws->tour_dwell)
                      ? cJSON_AddArrayToObject(j, "outputs") : NULL;
    bool ok = outs != NULL;
    for (int o = 0; ok && o < ws_output_count(ws); o++)
        ok = add_output(ws, o, outs);
    ok = ok && add_pins(ws, j);
    cJSON *cups = ok ? cJSON_AddArrayToObject(j, "callups") : NULL;
    ok = cups != NULL;
    for (int i = 0; ok && i < ws->n_callups; i++)
        ok = add_callup(ws, &ws->callups[i], cups);
    if (!ok) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

/* ---- parsing ---- */

/* What ws_snapshot_parse() reads with. */
struct sp {
    const struct wall_state *ws;
    ws_feed_resolver resolve;
    void *opaque;
    struct ws_snapshot *s;
    int view;                 /* the snapshot's view in ws's layout */
    char *err;
    size_t n;
};

static int no_memory(const struct sp *p)
{
    ws__json_fail(p->err, p->n, "out of memory");
    return -ENOMEM;
}

/* Feed id item (the value of what) as an index into p->s->ids: resolved
 * against the layout first (the resolver may add it), then kept once. */
static int intern_feed(struct sp *p, const cJSON *item, const char *what, int *out)
{
    const char *id = ws__json_str_item(item, what, WS__WIRE_MAX_NAME, false, p->err, p->n);
    if (!id)
        return -EINVAL;
    if (ws__feed_ref(p->ws, id, p->resolve, p->opaque) < 0)
        return ws__json_fail(p->err, p->n, "%s: no feed \"%s\" in this layout", what, id);
    struct ws_snapshot *s = p->s;
    int i = 0;
    while (i < s->n_ids && strcmp(s->ids[i], id) != 0)
        i++;
    if (i == s->n_ids) {
        char **ids = realloc(s->ids, (size_t)(s->n_ids + 1) * sizeof(*ids));
        if (!ids)
            return no_memory(p);
        s->ids = ids;
        if (!(ids[i] = strdup(id)))
            return no_memory(p);
        s->n_ids++;
    }
    *out = i;
    return 0;
}

/* Reads the view and the wall tour's schedule. */
static int parse_top(struct sp *p, const cJSON *j)
{
    long long seq, next;
    const char *view = ws__json_str(j, "", "view", WS__WIRE_MAX_NAME, false, p->err, p->n);
    if (!view)
        return -EINVAL;
    if ((p->view = layout_find_view(p->ws->layout, view)) < 0)
        return ws__json_fail(p->err, p->n, "view: no layout \"%s\" in this layout file", view);
    if (!(p->s->view = strdup(view)))
        return no_memory(p);
    /* half the range: the adopting state goes on counting and still writes */
    int ret = ws__json_int(j, "", "seq", 0, WS__JSON_MAX_INT / 2, &seq, p->err, p->n);
    if (ret == 0)
        ret = ws__json_int(j, "", "tour_next_us", -WS__JSON_MAX_INT, WS__JSON_MAX_INT, &next,
                           p->err, p->n);
    if (ret == 0)
        ret = ws__json_num(j, "", "tour_dwell", 0, LAYOUT_MAX_DWELL, &p->s->tour_dwell,
                           p->err, p->n);
    p->s->seq = ret == 0 ? (uint64_t)seq : 0;
    p->s->tour_next_us = ret == 0 ? next : 0;
    return ret;
}

/* Reads tile jt (at where) of layout tile lt into st. */
static int parse_tile(struct sp *p, const cJSON *jt, const char *where,
                      const struct layout_tile *lt, struct snap_tile *st)
{
    long long pos, next;
    if (!cJSON_IsObject(jt))
        return ws__json_fail(p->err, p->n, "%s: not an object", where);
    char at[64];
    snprintf(at, sizeof(at), "%s.", where);
    int ret = ws__json_int(jt, at, "tour_pos", 0, lt->n_tour >= 2 ? lt->n_tour - 1 : 0, &pos,
                           p->err, p->n);
    if (ret == 0)
        ret = ws__json_int(jt, at, "tour_next_us", -WS__JSON_MAX_INT, WS__JSON_MAX_INT, &next,
                           p->err, p->n);
    if (ret < 0)
        return ret;
    st->tour_pos = (int)pos;
    st->tour_next_us = next;
    st->hold = -1;
    const cJSON *hold = cJSON_GetObjectItemCaseSensitive(jt, "hold_feed");
    snprintf(at, sizeof(at), "%s.hold_feed", where);
    if (!hold)
        return ws__json_fail(p->err, p->n, "%s: missing", at);
    return cJSON_IsNull(hold) ? 0 : intern_feed(p, hold, at, &st->hold);
}

/* Reads output jo (number o of the view) into so. */
static int parse_output(struct sp *p, const cJSON *jo, int o, struct snap_output *so)
{
    const struct layout_output *lo = &p->ws->layout->views[p->view].outputs[o];
    char where[32];
    long long max, sel;
    if (!cJSON_IsObject(jo))
        return ws__json_fail(p->err, p->n, "outputs[%d]: not an object", o);
    snprintf(where, sizeof(where), "outputs[%d].", o);
    const char *name = ws__json_str(jo, where, "name", WS__WIRE_MAX_NAME, false, p->err, p->n);
    if (!name)
        return -EINVAL;
    if (strcmp(name, lo->name) != 0)
        return ws__json_fail(p->err, p->n, "%sname: \"%s\", but this layout has \"%s\" there",
                             where, name, lo->name);
    const cJSON *tiles = ws__json_array(jo, where, "tiles", LAYOUT_MAX_TILES, p->err, p->n);
    if (!tiles)
        return -EINVAL;
    if (cJSON_GetArraySize(tiles) != lo->n_tiles)
        return ws__json_fail(p->err, p->n, "%stiles: %d tiles, but output \"%s\" has %d here",
                             where, cJSON_GetArraySize(tiles), lo->name, lo->n_tiles);
    int ret = ws__json_int(jo, where, "maximized", -1, lo->n_tiles - 1, &max, p->err, p->n);
    if (ret == 0)
        ret = ws__json_int(jo, where, "selected", -1, lo->n_tiles - 1, &sel, p->err, p->n);
    if (ret < 0)
        return ret;
    if (!(so->name = strdup(name)) ||
        !(so->tiles = calloc((size_t)lo->n_tiles + 1, sizeof(*so->tiles))))
        return no_memory(p);
    so->maximized = (int)max;
    so->selected = (int)sel;
    const cJSON *jt;
    cJSON_ArrayForEach(jt, tiles) {
        char at[48];
        snprintf(at, sizeof(at), "%stiles[%d]", where, so->n_tiles);
        if ((ret = parse_tile(p, jt, at, &lo->tiles[so->n_tiles], &so->tiles[so->n_tiles])) < 0)
            return ret;
        so->n_tiles++;
    }
    return 0;
}

/* Reads "outputs": the view's outputs, by name, in order. */
static int parse_outputs(struct sp *p, const cJSON *j)
{
    const struct layout_view *v = &p->ws->layout->views[p->view];
    const cJSON *arr = ws__json_array(j, "", "outputs", LAYOUT_MAX_OUTPUTS, p->err, p->n);
    if (!arr)
        return -EINVAL;
    if (cJSON_GetArraySize(arr) != v->n_outputs)
        return ws__json_fail(p->err, p->n, "outputs: %d outputs, but layout \"%s\" has %d here",
                             cJSON_GetArraySize(arr), v->name, v->n_outputs);
    if (!(p->s->outputs = calloc((size_t)v->n_outputs + 1, sizeof(*p->s->outputs))))
        return no_memory(p);
    const cJSON *jo;
    cJSON_ArrayForEach(jo, arr) {
        int o = p->s->n_outputs++;
        int ret = parse_output(p, jo, o, &p->s->outputs[o]);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* Whether some view of layout l has an output named name. */
static bool has_output(const struct layout *l, const char *name)
{
    for (int v = 0; v < l->n_views; v++)
        for (int o = 0; o < l->views[v].n_outputs; o++)
            if (strcmp(l->views[v].outputs[o].name, name) == 0)
                return true;
    return false;
}

/* Reads pin jp (number i) into the snapshot's next pin. */
static int parse_pin(struct sp *p, const cJSON *jp, int i)
{
    char where[32], at[48];
    long long tile;
    snprintf(where, sizeof(where), "pins[%d].", i);
    const char *out = ws__json_str(jp, where, "output", WS__WIRE_MAX_NAME, false, p->err, p->n);
    if (!out)
        return -EINVAL;
    if (!has_output(p->ws->layout, out))
        return ws__json_fail(p->err, p->n, "%soutput: no output \"%s\" in this layout", where,
                             out);
    int ret = ws__json_int(jp, where, "tile", 0, LAYOUT_MAX_TILES - 1, &tile, p->err, p->n);
    if (ret < 0)
        return ret;
    for (int k = 0; k < p->s->n_pins; k++)
        if (p->s->pins[k].tile == tile && strcmp(p->s->pins[k].output, out) == 0)
            return ws__json_fail(p->err, p->n, "%stile: pinned twice", where);
    struct snap_pin *pin = &p->s->pins[p->s->n_pins];
    const cJSON *feed = cJSON_GetObjectItemCaseSensitive(jp, "feed");
    snprintf(at, sizeof(at), "%sfeed", where);
    if (!feed)
        return ws__json_fail(p->err, p->n, "%s: missing", at);
    if ((ret = intern_feed(p, feed, at, &pin->feed)) < 0)
        return ret;
    if (!(pin->output = strdup(out)))
        return no_memory(p);
    pin->tile = (int)tile;
    p->s->n_pins++;
    return 0;
}

/* Reads "pins". */
static int parse_pins(struct sp *p, const cJSON *j)
{
    const cJSON *arr = ws__json_array(j, "", "pins", LAYOUT_MAX_OUTPUTS * LAYOUT_MAX_TILES,
                                      p->err, p->n);
    if (!arr)
        return -EINVAL;
    int n = cJSON_GetArraySize(arr);
    if (!(p->s->pins = calloc((size_t)n + 1, sizeof(*p->s->pins))))
        return no_memory(p);
    const cJSON *jp;
    int i = 0, ret;
    cJSON_ArrayForEach(jp, arr) {
        if (!cJSON_IsObject(jp))
            return ws__json_fail(p->err, p->n, "pins[%d]: not an object", i);
        if ((ret = parse_pin(p, jp, i++)) < 0)
            return ret;
    }
    return 0;
}

/* Reads call-up jc's cameras (at where) into c, each once. */
static int parse_cameras(struct sp *p, const cJSON *jc, const char *where,
                         struct ws_callup *c)
{
    const cJSON *arr = ws__json_array(jc, where, "cameras", LAYOUT_MAX_CALLUP_CAMERAS, p->err,
                                      p->n);
    if (!arr)
        return -EINVAL;
    if (cJSON_GetArraySize(arr) < 1)
        return ws__json_fail(p->err, p->n, "%scameras: empty", where);
    const cJSON *item;
    cJSON_ArrayForEach(item, arr) {
        char at[64];
        snprintf(at, sizeof(at), "%scameras[%d]", where, c->n_cameras);
        int f, ret = intern_feed(p, item, at, &f);
        if (ret < 0)
            return ret;
        for (int k = 0; k < c->n_cameras; k++)
            if (c->cameras[k] == f)
                return ws__json_fail(p->err, p->n, "%s: named twice", at);
        c->cameras[c->n_cameras++] = f;
    }
    return 0;
}

/* Reads call-up jc (number i) into c. */
static int parse_callup(struct sp *p, const cJSON *jc, int i, struct ws_callup *c)
{
    char where[32];
    long long prio, order, since, expires;
    snprintf(where, sizeof(where), "callups[%d].", i);
    if (!cJSON_IsObject(jc))
        return ws__json_fail(p->err, p->n, "callups[%d]: not an object", i);
    const char *inc = ws__json_str(jc, where, "incident", sizeof(c->incident), false, p->err,
                                   p->n);
    if (!inc)
        return -EINVAL;
    for (int k = 0; k < i; k++)
        if (strcmp(p->s->callups[k].incident, inc) == 0)
            return ws__json_fail(p->err, p->n, "%sincident: \"%s\" twice", where, inc);
    int ret = ws__json_int(jc, where, "priority", 1, 9, &prio, p->err, p->n);
    if (ret == 0)
        ret = ws__json_int(jc, where, "order", 0, WS__JSON_MAX_INT, &order, p->err, p->n);
    if (ret == 0)
        ret = ws__json_int(jc, where, "since_us", -WS__JSON_MAX_INT, WS__JSON_MAX_INT, &since,
                           p->err, p->n);
    if (ret == 0)
        ret = ws__json_int(jc, where, "expires_us", -WS__JSON_MAX_INT, WS__JSON_MAX_INT,
                           &expires, p->err, p->n);
    if (ret < 0)
        return ret;
    memcpy(c->incident, inc, strlen(inc) + 1);
    c->priority = (int)prio;
    c->order = (uint64_t)order;
    c->since_us = since;
    c->expires_us = expires;
    return parse_cameras(p, jc, where, c);
}

/* Puts the call-ups in rank order (most urgent, then the older, first),
 * keeping the snapshot's order among equals. */
static void rank_callups(struct ws_snapshot *s)
{
    for (int i = 1; i < s->n_callups; i++) {
        struct ws_callup c = s->callups[i];
        int k = i;
        while (k > 0 && (s->callups[k - 1].priority > c.priority ||
                         (s->callups[k - 1].priority == c.priority &&
                          s->callups[k - 1].order > c.order))) {
            s->callups[k] = s->callups[k - 1];
            k--;
        }
        s->callups[k] = c;
    }
}

/* Reads "callups". */
static int parse_callups(struct sp *p, const cJSON *j)
{
    const cJSON *arr = ws__json_array(j, "", "callups", MAX_CALLUPS, p->err, p->n);
    if (!arr)
        return -EINVAL;
    int n = cJSON_GetArraySize(arr);
    if (!(p->s->callups = calloc((size_t)n + 1, sizeof(*p->s->callups))))
        return no_memory(p);
    const cJSON *jc;
    cJSON_ArrayForEach(jc, arr) {
        int i = p->s->n_callups;
        int ret = parse_callup(p, jc, i, &p->s->callups[i]);
        if (ret < 0)
            return ret;
        p->s->n_callups++;
    }
    rank_callups(p->s);
    return 0;
}

int ws_snapshot_parse(const struct wall_state *ws, const cJSON *j, ws_feed_resolver resolve,
                      void *opaque, struct ws_snapshot **out, char *err, size_t errlen)
{
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    if (!ws->layout)
        return ws__json_fail(err, errlen, "no layout yet");
    if (!cJSON_IsObject(j))
        return ws__json_fail(err, errlen, "a snapshot is a JSON object");
    struct sp p = {ws, resolve, opaque, calloc(1, sizeof(struct ws_snapshot)), -1, err, errlen};
    if (!p.s)
        return no_memory(&p);
    int ret = parse_top(&p, j);
    if (ret == 0)
        ret = parse_outputs(&p, j);
    if (ret == 0)
        ret = parse_pins(&p, j);
    if (ret == 0)
        ret = parse_callups(&p, j);
    if (ret < 0) {
        ws_snapshot_free(p.s);
        return ret;
    }
    *out = p.s;
    return 0;
}

/* ---- WS_CMD_ADOPT ---- */

/* Whether view v of l has the snapshot's outputs and tiles (names, tile
 * counts, tour lengths). */
static bool view_matches(const struct layout *l, int v, const struct ws_snapshot *s)
{
    const struct layout_view *view = &l->views[v];
    if (view->n_outputs != s->n_outputs)
        return false;
    for (int o = 0; o < s->n_outputs; o++) {
        const struct layout_output *lo = &view->outputs[o];
        const struct snap_output *so = &s->outputs[o];
        if (strcmp(lo->name, so->name) != 0 || lo->n_tiles != so->n_tiles ||
            so->maximized >= lo->n_tiles || so->selected >= lo->n_tiles)
            return false;
        for (int t = 0; t < so->n_tiles; t++)
            if (so->tiles[t].tour_pos >= (lo->tiles[t].n_tour >= 2 ? lo->tiles[t].n_tour : 1))
                return false;
    }
    return true;
}

/* The snapshot's feed ids as indexes of l (a new array), or NULL with *ret
 * -EINVAL (a feed l does not have) or -ENOMEM. */
static int *map_ids(const struct layout *l, const struct ws_snapshot *s, int *ret)
{
    int *feeds = calloc((size_t)s->n_ids + 1, sizeof(*feeds));
    *ret = feeds ? 0 : -ENOMEM;
    for (int i = 0; feeds && i < s->n_ids; i++)
        if ((feeds[i] = layout_find_feed(l, s->ids[i])) < 0) {
            free(feeds);
            *ret = -EINVAL;
            return NULL;
        }
    return feeds;
}

/* What an adopt puts in place, built before anything is changed. */
struct adopted {
    struct ws_output *outputs;
    int n_outputs;
    struct ws_pin *pins;
    int n_pins;
    struct ws_callup *callups;
    int n_callups;
};

static void free_adopted(struct adopted *a)
{
    for (int o = 0; a->outputs && o < a->n_outputs; o++)
        free(a->outputs[o].tiles);
    for (int i = 0; i < a->n_pins; i++)
        free(a->pins[i].output);
    free(a->outputs);
    free(a->pins);
    free(a->callups);
    memset(a, 0, sizeof(*a));
}

/* Builds the operator state of the snapshot's outputs (feeds: its ids as
 * indexes); 0 or -ENOMEM. */
static int build_outputs(const struct ws_snapshot *s, const int *feeds, struct adopted *a)
{
    if (!(a->outputs = calloc((size_t)s->n_outputs + 1, sizeof(*a->outputs))))
        return -ENOMEM;
    for (int o = 0; o < s->n_outputs; o++) {
        const struct snap_output *so = &s->outputs[o];
        struct ws_output *out = &a->outputs[o];
        if (!(out->tiles = calloc((size_t)so->n_tiles + 1, sizeof(*out->tiles))))
            return -ENOMEM;
        a->n_outputs++;
        out->maximized = so->maximized;
        out->selected = so->selected;
        out->n_tiles = so->n_tiles;
        for (int t = 0; t < so->n_tiles; t++) {
            const struct snap_tile *st = &so->tiles[t];
            out->tiles[t] = (struct ws_tile){.tour_pos = st->tour_pos,
                                             .tour_next_us = st->tour_next_us,
                                             .hold_feed = st->hold >= 0 ? feeds[st->hold] : -1,
                                             .callup_feed = -1};
        }
    }
    return 0;
}

/* Builds the pins and the call-ups of the snapshot; 0 or -ENOMEM. */
static int build_pins_callups(const struct ws_snapshot *s, const int *feeds, struct adopted *a)
{
    if (!(a->pins = calloc((size_t)s->n_pins + 1, sizeof(*a->pins))) ||
        !(a->callups = calloc((size_t)s->n_callups + 1, sizeof(*a->callups))))
        return -ENOMEM;
    for (int i = 0; i < s->n_pins; i++) {
        const struct snap_pin *sp = &s->pins[i];
        if (!(a->pins[i].output = strdup(sp->output)))
            return -ENOMEM;
        a->n_pins++;
        a->pins[i].tile = sp->tile;
        a->pins[i].feed = feeds[sp->feed];
    }
    for (int i = 0; i < s->n_callups; i++) {
        struct ws_callup *c = &a->callups[i];
        *c = s->callups[i];
        for (int k = 0; k < c->n_cameras; k++)
            c->cameras[k] = feeds[c->cameras[k]];
        c->n_slots = 0;
    }
    a->n_callups = s->n_callups;
    return 0;
}

/* Whether view v needs other windows than the view shown (names, sizes). */
static bool other_windows(const struct wall_state *ws, int v)
{
    const struct layout_view *now = &ws->layout->views[ws->view], *next = &ws->layout->views[v];
    if (now->n_outputs != next->n_outputs)
        return true;
    for (int o = 0; o < now->n_outputs; o++) {
        const struct layout_output *a = &now->outputs[o], *b = &next->outputs[o];
        if (strcmp(a->name, b->name) || a->width != b->width || a->height != b->height)
            return true;
    }
    return false;
}

/* Puts a in place of ws's operator state, pins and call-ups (a is emptied). */
static void replace(struct wall_state *ws, struct adopted *a)
{
    for (int o = 0; ws->outputs && o < ws->n_outputs; o++)
        free(ws->outputs[o].tiles);
    free(ws->outputs);
    for (int i = 0; i < ws->n_pins; i++)
        free(ws->pins[i].output);
    free(ws->pins);
    ws__callups_free(ws);
    ws->outputs = a->outputs;
    ws->n_outputs = a->n_outputs;
    ws->pins = a->pins;
    ws->n_pins = a->n_pins;
    ws->callups = a->callups;
    ws->n_callups = a->n_callups;
    memset(a, 0, sizeof(*a));
}

int ws__adopt(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed)
{
    const struct ws_snapshot *s = cmd->snapshot;
    int v = s ? layout_find_view(ws->layout, s->view) : -1;
    if (v < 0 || !view_matches(ws->layout, v, s))
        return -EINVAL;
    int ret;
    int *feeds = map_ids(ws->layout, s, &ret);
    if (!feeds)
        return ret;
    struct adopted a = {0};
    ret = build_outputs(s, feeds, &a);
    if (ret == 0)
        ret = build_pins_callups(s, feeds, &a);
    free(feeds);
    if (ret < 0) {
        free_adopted(&a);
        return ret;
    }
    if (other_windows(ws, v))
        *changed |= WS_CHANGED_LAYOUT; /* the app makes the view's windows */
    replace(ws, &a);
    ws->view = v;
    ws->tour_next_us = s->tour_next_us;
    ws->tour_dwell = s->tour_dwell;
    if (s->seq > ws->seq)
        ws->seq = s->seq;
    *changed |= WS_CHANGED_TILES | WS_CHANGED_VIEW | WS_CHANGED_FEEDS;
    return 0;
}

void ws__snapshot_describe(const struct ws_snapshot *s, char *buf, size_t n)
{
    if (!n)
        return;
    if (!s)
        snprintf(buf, n, ": no snapshot");
    else
        snprintf(buf, n, ": view %s seq %llu (pins %d, call-ups %d)", s->view,
                 (unsigned long long)s->seq, s->n_pins, s->n_callups);
}
