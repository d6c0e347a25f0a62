/*
 * test_wire.c - wall-state commands and snapshots on the wire
 * (wall/wallstate/wire.c, snapshot.c): every command type written as JSON,
 * printed, parsed and read back is the same command; a state reached by a
 * table of commands (tours, pins, an enlarged tile, call-ups, an on-demand
 * registry camera) and adopted from its snapshot by a fresh state on its own
 * copy of the layout shows the same thing and keeps the same schedule; bad
 * input gives -EINVAL and an error naming the field, and changes nothing.
 * Layouts are parsed from the JSON below; in it a ' stands for a ".
 */
#include "wallstate/wallstate.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "registry/registry.h"

#define FEEDS "'feeds': {'a': {'url': 'x'}, 'b': {'url': 'x'}, 'c': {'url': 'x'}, " \
              "'d': {'url': 'x'}, 'e': {'url': 'x'}}, "
#define AT(f, c) "{'feed': '" f "', 'cell': [" c ", 0]}"
#define SLOT(k, c) "{'callup': " k ", 'cell': [" c ", 0]}"
#define TOUR(f1, f2, dwell, c) "{'tour': {'feeds': ['" f1 "', '" f2 "'], 'dwell': " dwell \
                               "}, 'cell': [" c ", 0]}"
#define OUT(name, cols, tiles) "{'name': '" name "', 'size': [640, 360], 'grid': [" cols \
                               ", 1], 'tiles': [" tiles "]}"

/* Two views of outputs left and right, a wall tour day -> night every 10 s,
 * tile tours, call-up slots 1 and 2 on right. */
static const char layout_text[] =
    "{" FEEDS "'layouts': {"
    "'day': {'outputs': [" OUT("left", "2", AT("a", "0") ", " TOUR("b", "c", "2", "1")) ", "
    OUT("right", "3", SLOT("1", "0") ", " SLOT("2", "1") ", " TOUR("d", "e", "3", "2")) "]}, "
    "'night': {'outputs': [" OUT("left", "2", AT("e", "0") ", " AT("a", "1")) ", "
    OUT("right", "3", AT("b", "0") ", " SLOT("1", "1") ", " TOUR("d", "e", "3", "2")) "]}}, "
    "'tour': {'layouts': ['day', 'night'], 'dwell': 10}}";

/* The same names with other tile counts (another version of the file). */
static const char other_text[] =
    "{" FEEDS "'layouts': {"
    "'day': {'outputs': [" OUT("left", "1", AT("a", "0")) ", "
    OUT("right", "3", SLOT("1", "0") ", " SLOT("2", "1") ", " TOUR("d", "e", "3", "2")) "]}, "
    "'night': {'outputs': [" OUT("left", "1", AT("e", "0")) ", "
    OUT("right", "3", AT("b", "0") ", " SLOT("1", "1") ", " TOUR("d", "e", "3", "2")) "]}}}";

/* A registry with the on-demand camera reg7. */
static const char registry_text[] =
    "{'type': 'FeatureCollection', 'features': [{'type': 'Feature', 'geometry': "
    "{'type': 'Point', 'coordinates': [7, 45]}, 'properties': {'id': 'reg7', "
    "'url': 'rtsp://h/reg7'}}]}";

static char *unquote(const char *text)
{
    char *s = strdup(text);
    for (char *p = s; p && *p; p++)
        *p = *p == '\'' ? '"' : *p;
    return s;
}

static struct layout *parse_layout(struct check_counts *cc, const char *text)
{
    char *json = unquote(text);
    struct layout *l = NULL;
    struct layout_diags d = {0};
    layout_parse(json, strlen(json), &l, &d);
    if (!l)
        layout_diags_print(&d, "layout", stderr);
    CHECK(cc, l != NULL, "layout parses");
    layout_diags_clear(&d);
    free(json);
    return l;
}

/* The app's resolver, as a test sees it: a registry camera joins the layout
 * on demand; every call is counted. */
struct resolver {
    struct layout *layout;
    const struct registry *reg;
    int calls;
};

static int resolve(void *opaque, const char *id)
{
    struct resolver *r = opaque;
    r->calls++;
    int i = reg_find(r->reg, id);
    return i < 0 ? -1 : reg_layout_add_camera(r->layout, reg_camera_at(r->reg, i));
}

/* A command parsed from JSON text (' for ") against ws; returns the result. */
static int cmd_from_text(const struct wall_state *ws, const char *text, struct resolver *r,
                         struct ws_cmd *cmd, char *err, size_t n)
{
    char *s = unquote(text);
    cJSON *j = cJSON_Parse(s);
    int ret = ws_cmd_from_json(ws, j, r ? resolve : NULL, r, cmd, err, n);
    cJSON_Delete(j);
    free(s);
    return ret;
}

/* Applies a command given as JSON text at ws; checks it reads and applies. */
static void apply_text(struct check_counts *cc, struct wall_state *ws, const char *text,
                       struct resolver *r)
{
    struct ws_cmd cmd;
    char err[160];
    int ret = cmd_from_text(ws, text, r, &cmd, err, sizeof(err));
    CHECK(cc, ret == 0, "%s reads: %s", text, err);
    if (ret == 0)
        CHECK(cc, ws_apply(ws, &cmd, NULL) == 0, "%s applies", text);
}

#define TICK(ms) "{'type': 'tour-step', 'origin': 'timer', 'now_us': " #ms "000}"

/* The commands that bring state A (after its WS_CMD_LAYOUT at 0) where the
 * round trip starts. */
static const char *const script[] = {
    TICK(2000),                                                /* left 1: c */
    "{'type': 'maximize', 'origin': 'key', 'now_us': 2100000, 'output': 'left', 'tile': 1}",
    "{'type': 'select', 'origin': 'key', 'now_us': 2200000, 'output': 'right', 'tile': 2}",
    "{'type': 'pin', 'origin': 'socket', 'client': 'uid 7', 'now_us': 2300000, "
    "'output': 'left', 'tile': 0}",
    TICK(3000),                                                /* right 2: e */
    "{'type': 'callup', 'origin': 'policy', 'now_us': 3100000, 'incident': 'I1', "
    "'priority': 3, 'cameras': ['a', 'b'], 'hold_s': 60}",
    "{'type': 'callup', 'origin': 'policy', 'now_us': 3200000, 'incident': 'I2', "
    "'priority': 1, 'cameras': ['reg7'], 'hold_s': 0}",
    "{'type': 'callup', 'origin': 'socket', 'now_us': 3300000, 'incident': '@45.1,7.2', "
    "'priority': 5, 'cameras': ['e', 'c'], 'hold_s': 30.5}",
    TICK(10000),                                               /* night, left 1 held */
    "{'type': 'move', 'origin': 'key', 'now_us': 10100000, 'output': 'left', 'dx': -1, "
    "'dy': 0}",
    TICK(13000),                                               /* right 2: e */
};
#define N_SCRIPT (int)(sizeof(script) / sizeof(script[0]))

/* Fails a check for each way a and b differ in what they show. */
static void check_same(struct check_counts *cc, const struct wall_state *a,
                       const struct wall_state *b, const char *when)
{
    CHECK(cc, a->view == b->view, "%s: view %d, %d", when, a->view, b->view);
    CHECK_INT(cc, ws_next_tour_us(a), ws_next_tour_us(b));
    CHECK(cc, ws_output_count(a) == ws_output_count(b), "%s: outputs", when);
    for (int o = 0; o < ws_output_count(a) && o < ws_output_count(b); o++) {
        CHECK(cc, a->outputs[o].maximized == b->outputs[o].maximized &&
                      a->outputs[o].selected == b->outputs[o].selected,
              "%s: output %d enlarged/selected", when, o);
        for (int t = 0; t < ws_output(a, o)->n_tiles; t++) {
            int fa = ws_tile_feed(a, o, t), fb = ws_tile_feed(b, o, t);
            const char *ia = fa < 0 ? "-" : a->layout->feeds[fa].id;
            const char *ib = fb < 0 ? "-" : b->layout->feeds[fb].id;
            CHECK(cc, strcmp(ia, ib) == 0 && ws_tile_pinned(a, o, t) == ws_tile_pinned(b, o, t),
                  "%s: output %d tile %d shows %s, %s", when, o, t, ia, ib);
        }
    }
    int na, nb;
    const struct ws_callup *ca = ws_callups(a, &na), *cb = ws_callups(b, &nb);
    CHECK(cc, na == nb, "%s: %d call-ups, %d", when, na, nb);
    for (int i = 0; i < na && i < nb; i++) {
        bool same = strcmp(ca[i].incident, cb[i].incident) == 0 &&
                    ca[i].priority == cb[i].priority && ca[i].order == cb[i].order &&
                    ca[i].since_us == cb[i].since_us && ca[i].expires_us == cb[i].expires_us &&
                    ca[i].n_cameras == cb[i].n_cameras && ca[i].n_slots == cb[i].n_slots;
        for (int k = 0; same && k < ca[i].n_cameras; k++)
            same = strcmp(a->layout->feeds[ca[i].cameras[k]].id,
                          b->layout->feeds[cb[i].cameras[k]].id) == 0;
        CHECK(cc, same, "%s: call-up %d (%s, %s)", when, i, ca[i].incident, cb[i].incident);
    }
}

/* The snapshot of ws as text (owned by the caller). */
static char *snapshot_text(const struct wall_state *ws)
{
    cJSON *j = ws_snapshot_to_json(ws);
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    return s;
}

/* What both states are given after the adopt: they must stay the same. */
static const char *const after[] = {
    TICK(16000), TICK(20000), /* the wall tour: day again */
    "{'type': 'unpin', 'origin': 'key', 'now_us': 21000000, 'output': 'left', 'tile': 0}",
    TICK(23000), TICK(33800), /* the ad-hoc call-up's hold ran out */
    "{'type': 'release', 'origin': 'socket', 'now_us': 35000000, 'incident': 'I2'}",
    TICK(40000), TICK(63100), /* I1's hold ran out */
};

/* Fresh state b adopts a's snapshot (through text) and follows a after it. */
static void test_round_trip(struct check_counts *cc, const struct registry *reg)
{
    struct layout *la = parse_layout(cc, layout_text), *lb = parse_layout(cc, layout_text);
    struct resolver ra = {la, reg, 0}, rb = {lb, reg, 0};
    struct wall_state a, b;
    ws_init(&a);
    ws_init(&b);
    struct ws_cmd c = {.type = WS_CMD_LAYOUT, .layout = la};
    CHECK_INT(cc, ws_apply(&a, &c, NULL), 0);
    c.layout = lb;
    CHECK_INT(cc, ws_apply(&b, &c, NULL), 0);
    for (int i = 0; i < N_SCRIPT; i++)
        apply_text(cc, &a, script[i], &ra);
    CHECK_INT(cc, ra.calls, 1); /* reg7, once: then a feed of la */
    char *text = snapshot_text(&a);
    CHECK(cc, text != NULL, "a snapshot");
    cJSON *j = cJSON_Parse(text ? text : "");
    char err[160] = "";
    struct ws_snapshot *snap = NULL;
    CHECK_INT(cc, ws_snapshot_parse(&b, j, resolve, &rb, &snap, err, sizeof(err)), 0);
    CHECK(cc, err[0] == '\0', "no error: %s", err);
    CHECK(cc, rb.calls == 1 && lb->n_feeds == 6, "reg7 resolved on b: %d calls", rb.calls);
    c = (struct ws_cmd){.type = WS_CMD_ADOPT, .origin = WS_ORIGIN_START, .snapshot = snap};
    unsigned changed = 0;
    CHECK_INT(cc, ws_apply(&b, &c, &changed), 0);
    CHECK_INT(cc, changed, WS_CHANGED_TILES | WS_CHANGED_VIEW | WS_CHANGED_FEEDS);
    CHECK(cc, b.seq == a.seq + 1 && c.seq == b.seq, "seq %llu after %llu",
          (unsigned long long)b.seq, (unsigned long long)a.seq);
    char buf[160];
    CHECK_STR(cc, ws_cmd_describe(&b, &c, buf, sizeof(buf)),
              "#13 adopt from start: view night seq 12 (pins 1, call-ups 3)");
    check_same(cc, &a, &b, "adopted");
    char *again = snapshot_text(&b);
    CHECK(cc, again && strstr(again, "\"seq\":13"), "b's snapshot has its own seq");
    for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
        apply_text(cc, &a, after[i], &ra);
        apply_text(cc, &b, after[i], &rb);
        check_same(cc, &a, &b, after[i]);
    }
    int n;
    ws_callups(&a, &n);
    CHECK_INT(cc, n, 0); /* the table went through every call-up's end */
    free(again);
    ws_snapshot_free(snap);
    cJSON_Delete(j);
    free(text);
    ws_uninit(&a);
    ws_uninit(&b);
    layout_destroy(la);
    layout_destroy(lb);
}

/* Whether x (read against wy's layout) is y (written against wx's): the
 * fields x's type uses, feeds compared by id. */
static bool same_cmd(const struct wall_state *wx, const struct ws_cmd *x,
                     const struct wall_state *wy, const struct ws_cmd *y)
{
    const struct layout *lx = wx->layout, *ly = wy->layout;
    if (x->type != y->type || x->origin != y->origin || strcmp(x->client, y->client) ||
        x->now_us != y->now_us)
        return false;
    switch (x->type) {
    case WS_CMD_SHOW_VIEW: return strcmp(lx->views[x->view].name, ly->views[y->view].name) == 0;
    case WS_CMD_MAXIMIZE: case WS_CMD_SELECT: case WS_CMD_PIN: case WS_CMD_UNPIN:
        return x->output == y->output && x->tile == y->tile;
    case WS_CMD_RESTORE: return x->output == y->output;
    case WS_CMD_MOVE: return x->output == y->output && x->dx == y->dx && x->dy == y->dy;
    case WS_CMD_RESTART_FEED: return strcmp(lx->feeds[x->feed].id, ly->feeds[y->feed].id) == 0;
    case WS_CMD_CALLUP:
        if (x->priority != y->priority || x->hold_s != y->hold_s ||
            x->n_cameras != y->n_cameras || strcmp(x->incident, y->incident))
            return false;
        for (int k = 0; k < x->n_cameras; k++)
            if (strcmp(lx->feeds[x->cameras[k]].id, ly->feeds[y->cameras[k]].id))
                return false;
        return true;
    case WS_CMD_RELEASE: return strcmp(x->incident, y->incident) == 0;
    default: return true;
    }
}

/* One of each command type (and a few edges); cameras 5 is reg7. */
static const struct ws_cmd wire_cmds[] = {
    {.type = WS_CMD_SHOW_VIEW, .origin = WS_ORIGIN_KEY, .now_us = 1, .view = 1},
    {.type = WS_CMD_MAXIMIZE, .origin = WS_ORIGIN_SOCKET, .client = "uid 1000",
     .now_us = 1733400000123456, .output = 1, .tile = 2},
    {.type = WS_CMD_MAXIMIZE, .origin = WS_ORIGIN_KEY, .now_us = 7, .output = 0, .tile = -1},
    {.type = WS_CMD_RESTORE, .origin = WS_ORIGIN_KEY, .now_us = 8, .output = 1},
    {.type = WS_CMD_SELECT, .origin = WS_ORIGIN_KEY, .client = "10.0.0.7:5000", .now_us = 9,
     .output = 0, .tile = -1},
    {.type = WS_CMD_MOVE, .origin = WS_ORIGIN_KEY, .now_us = 10, .output = 1, .dx = 0, .dy = 1},
    {.type = WS_CMD_PIN, .origin = WS_ORIGIN_SOCKET, .now_us = 11, .output = 1, .tile = 2},
    {.type = WS_CMD_UNPIN, .origin = WS_ORIGIN_SOCKET, .now_us = 12, .output = 0, .tile = 1},
    {.type = WS_CMD_TOUR_TICK, .origin = WS_ORIGIN_TIMER, .now_us = -5},
    {.type = WS_CMD_RESTART_FEED, .origin = WS_ORIGIN_FILE_WATCH, .now_us = 13, .feed = 4},
    {.type = WS_CMD_CALLUP, .origin = WS_ORIGIN_POLICY, .now_us = 4000000000000000,
     .incident = "@45.123456,-7.5", .priority = 9, .cameras = {4, 0, 5}, .n_cameras = 3,
     .hold_s = 0.1},
    {.type = WS_CMD_RELEASE, .origin = WS_ORIGIN_POLICY, .now_us = 14, .incident = "I1"},
};

/* Commands ws_cmd_to_json() refuses: they do not travel, or index nothing. */
static const struct ws_cmd unwritable[] = {
    {.type = WS_CMD_LAYOUT},
    {.type = WS_CMD_ADOPT},
    {.type = WS_CMD_COUNT},
    {.type = WS_CMD_RESTORE, .output = 2},
    {.type = WS_CMD_SELECT, .output = 0, .tile = 2},
    {.type = WS_CMD_PIN, .output = 0, .tile = -2},
    {.type = WS_CMD_SHOW_VIEW, .view = 2},
    {.type = WS_CMD_RESTART_FEED, .feed = 6},
    {.type = WS_CMD_CALLUP, .incident = "I", .priority = 1, .cameras = {99}, .n_cameras = 1},
    {.type = WS_CMD_CALLUP, .incident = "I", .priority = 1, .n_cameras = 65},
    {.type = WS_CMD_CALLUP, .incident = "I", .priority = 0, .cameras = {1}, .n_cameras = 1},
    {.type = WS_CMD_CALLUP, .incident = "I", .priority = 1, .cameras = {1}, .n_cameras = 1,
     .hold_s = -1},
    {.type = WS_CMD_CALLUP, .incident = "I", .priority = 1, .n_cameras = 0},
    {.type = WS_CMD_RELEASE, .incident = "I\n"},
    {.type = WS_CMD_RELEASE, .incident = ""},
    {.type = WS_CMD_MOVE, .output = 0, .dx = 2},
    {.type = WS_CMD_TOUR_TICK, .client = "a\tb"},
    {.type = WS_CMD_TOUR_TICK, .origin = (enum ws_origin)99},
    {.type = WS_CMD_TOUR_TICK, .now_us = 4000000000000001},
};

/* Every command type: written, printed, parsed and read back on another
 * node's layout (which learns reg7 through the resolver) is the same. */
static void test_commands(struct check_counts *cc, const struct registry *reg)
{
    struct layout *la = parse_layout(cc, layout_text), *lb = parse_layout(cc, layout_text);
    struct resolver rb = {lb, reg, 0};
    struct wall_state a, b;
    ws_init(&a);
    ws_init(&b);
    CHECK_INT(cc, reg_layout_add_camera(la, reg_camera_at(reg, 0)), 5);
    struct ws_cmd c = {.type = WS_CMD_LAYOUT, .layout = la};
    CHECK_INT(cc, ws_apply(&a, &c, NULL), 0);
    c.layout = lb;
    CHECK_INT(cc, ws_apply(&b, &c, NULL), 0);
    for (size_t i = 0; i < sizeof(wire_cmds) / sizeof(wire_cmds[0]); i++) {
        cJSON *j = ws_cmd_to_json(&a, &wire_cmds[i]);
        char *text = j ? cJSON_PrintUnformatted(j) : NULL;
        cJSON *back = cJSON_Parse(text ? text : "");
        char err[160];
        struct ws_cmd got;
        int ret = ws_cmd_from_json(&b, back, resolve, &rb, &got, err, sizeof(err));
        CHECK(cc, ret == 0, "%s: %s reads back: %s", ws_cmd_name(wire_cmds[i].type),
              text ? text : "(not written)", err);
        CHECK(cc, ret == 0 && same_cmd(&a, &wire_cmds[i], &b, &got), "%s: the same",
              text ? text : "(not written)");
        free(text);
        cJSON_Delete(back);
        cJSON_Delete(j);
    }
    CHECK(cc, rb.calls == 1 && lb->n_feeds == 6, "reg7 resolved once: %d", rb.calls);
    for (size_t i = 0; i < sizeof(unwritable) / sizeof(unwritable[0]); i++) {
        cJSON *j = ws_cmd_to_json(&a, &unwritable[i]);
        CHECK(cc, j == NULL, "unwritable %zu: not written", i);
        cJSON_Delete(j);
    }
    ws_uninit(&a);
    ws_uninit(&b);
    layout_destroy(la);
    layout_destroy(lb);
}

#define HEAD "'origin': 'key', 'now_us': 5, "

/* Bad commands: each gives -EINVAL and an error that starts with want. */
static const struct bad_cmd {
    const char *json, *want;
} bad_cmds[] = {
    {"[1]", "a command is a JSON object"},
    {"{'origin': 'key', 'now_us': 5}", "type: missing"},
    {"{'type': 7, " HEAD "'output': 'left'}", "type: not a string"},
    {"{'type': 'fly', " HEAD "'output': 'left'}", "type: \"fly\" is no command"},
    {"{'type': 'layout-read', " HEAD "'view': 'day'}", "type: \"layout-read\" is no command"},
    {"{'type': 'adopt', " HEAD "'view': 'day'}", "type: \"adopt\" is no command"},
    {"{'type': 'restore', 'origin': 'ufo', 'now_us': 5, 'output': 'left'}", "origin: unknown"},
    {"{'type': 'restore', 'origin': 'key', 'output': 'left'}", "now_us: missing"},
    {"{'type': 'restore', 'origin': 'key', 'now_us': '5', 'output': 'left'}",
     "now_us: not a number"},
    {"{'type': 'restore', 'origin': 'key', 'now_us': 1e300, 'output': 'left'}",
     "now_us: 1e+300 is out of range"},
    {"{'type': 'restore', 'origin': 'key', 'now_us': 0.5, 'output': 'left'}",
     "now_us: 0.5 is not an integer"},
    {"{'type': 'restore', " HEAD "'client': 'a\\nb', 'output': 'left'}",
     "client: control character"},
    {"{'type': 'restore', " HEAD "'client': '" "0123456789012345678901234567890123456789"
     "012345678901234567890123', 'output': 'left'}", "client: too long"},
    {"{'type': 'restore', " HEAD "'output': 'middle'}", "output: no output \"middle\""},
    {"{'type': 'restore', " HEAD "'output': 0}", "output: not a string"},
    {"{'type': 'restore', " HEAD "'output': ''}", "output: empty"},
    {"{'type': 'maximize', " HEAD "'output': 'left'}", "tile: missing"},
    {"{'type': 'maximize', " HEAD "'output': 'left', 'tile': 2}", "tile: 2 is out of range"},
    {"{'type': 'pin', " HEAD "'output': 'left', 'tile': 0.5}", "tile: 0.5 is not an integer"},
    {"{'type': 'select', " HEAD "'output': 'left', 'tile': null}", "tile: not a number"},
    {"{'type': 'move', " HEAD "'output': 'left', 'dx': 2, 'dy': 0}", "dx: 2 is out of range"},
    {"{'type': 'move', " HEAD "'output': 'left', 'dx': 1}", "dy: missing"},
    {"{'type': 'layout', " HEAD "'view': 'dusk'}", "view: no layout \"dusk\""},
    {"{'type': 'layout', " HEAD "'view': ['day']}", "view: not a string"},
    {"{'type': 'restart', " HEAD "'feed': 'zzz'}", "feed: no feed \"zzz\""},
    {"{'type': 'restart', " HEAD "'feed': true}", "feed: not a string"},
    {"{'type': 'restart', " HEAD "'fed': 'a'}", "feed: missing"},
    {"{'type': 'release', " HEAD "'incident': ''}", "incident: empty"},
    {"{'type': 'release', " HEAD "'incident': 'I\\u0001'}", "incident: control character"},
    {"{'type': 'callup', " HEAD "'incident': 'I', 'priority': 0, 'cameras': ['a'], "
     "'hold_s': 0}", "priority: 0 is out of range"},
    {"{'type': 'callup', " HEAD "'incident': 'I', 'priority': 1, 'cameras': ['a'], "
     "'hold_s': -1}", "hold_s: -1 is out of range"},
    {"{'type': 'callup', " HEAD "'incident': 'I', 'priority': 1, 'cameras': 'a', "
     "'hold_s': 0}", "cameras: not an array"},
    {"{'type': 'callup', " HEAD "'incident': 'I', 'priority': 1, 'cameras': [], "
     "'hold_s': 0}", "cameras: empty"},
    {"{'type': 'callup', " HEAD "'incident': 'I', 'priority': 1, 'cameras': ['a', 'nope'], "
     "'hold_s': 0}", "cameras[1]: no feed \"nope\""},
    {"{'type': 'callup', " HEAD "'incident': 'I', 'priority': 1, 'cameras': [{}], "
     "'hold_s': 0}", "cameras[0]: not a string"},
};

/* A hold that cJSON would print to 15 digits, losing its last bit, reads
 * the same after it is written and read again (nodes agree on it). */
static void check_stable(struct check_counts *cc, const struct wall_state *ws)
{
    struct ws_cmd c1, c2;
    char err[160];
    CHECK_INT(cc, cmd_from_text(ws, "{'type': 'callup', " HEAD "'incident': 'I', 'priority': 1, "
                                    "'cameras': ['a'], 'hold_s': 0.30000000000000004}",
                                NULL, &c1, err, sizeof(err)), 0);
    cJSON *j = ws_cmd_to_json(ws, &c1);
    char *text = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON *back = cJSON_Parse(text ? text : "");
    CHECK_INT(cc, ws_cmd_from_json(ws, back, NULL, NULL, &c2, err, sizeof(err)), 0);
    CHECK(cc, c1.hold_s == c2.hold_s, "hold %.17g, then %.17g", c1.hold_s, c2.hold_s);
    cJSON_Delete(back);
    free(text);
    cJSON_Delete(j);
}

static void test_bad_commands(struct check_counts *cc, const struct registry *reg)
{
    struct layout *l = parse_layout(cc, layout_text);
    struct resolver r = {l, reg, 0};
    struct wall_state ws;
    ws_init(&ws);
    struct ws_cmd c;
    char err[160] = "";
    CHECK_INT(cc, cmd_from_text(&ws, TICK(1), &r, &c, err, sizeof(err)), -EINVAL);
    CHECK_STR(cc, err, "no layout yet");
    c = (struct ws_cmd){.type = WS_CMD_LAYOUT, .layout = l};
    CHECK_INT(cc, ws_apply(&ws, &c, NULL), 0);
    for (size_t i = 0; i < sizeof(bad_cmds) / sizeof(bad_cmds[0]); i++) {
        const struct bad_cmd *k = &bad_cmds[i];
        int calls = r.calls;
        int ret = cmd_from_text(&ws, k->json, &r, &c, err, sizeof(err));
        CHECK(cc, ret == -EINVAL && strncmp(err, k->want, strlen(k->want)) == 0 &&
                      !strchr(err, '\n'),
              "%s: returned %d, \"%s\", want \"%s\"", k->json, ret, err, k->want);
        if (strstr(k->want, "no feed"))
            CHECK(cc, r.calls == calls + 1, "%s: the resolver was asked", k->json);
    }
    CHECK_INT(cc, l->n_feeds, 5);
    check_stable(cc, &ws);
    ws_uninit(&ws);
    layout_destroy(l);
}

/* Edits of a good snapshot's text (the first from becomes to): each is
 * refused with an error that starts with want. */
static const struct bad_snap {
    const char *from, *to, *want;
} bad_snaps[] = {
    {"'view':'night'", "'view':'dusk'", "view: no layout \"dusk\""},
    {"'view':'night'", "'view':null", "view: not a string"},
    {"'seq':12", "'seq':'12'", "seq: not a number"},
    {"'seq':12", "'seq':-1", "seq: -1 is out of range"},
    {"'tour_dwell':10", "'tour_dwell':1e9", "tour_dwell: 1e+09 is out of range"},
    {"'name':'left'", "'name':'top'", "outputs[0].name: \"top\", but this layout has"},
    {"'outputs':[{", "'outputs':[7,{", "outputs: 3 outputs, but layout \"night\" has 2"},
    {"'maximized':1", "'maximized':2", "outputs[0].maximized: 2 is out of range"},
    {"'selected':0", "'selected':true", "outputs[0].selected: not a number"},
    {"'tour_pos':1", "'tour_pos':2", "outputs[1].tiles[2].tour_pos: 2 is out of range"},
    {"'hold_feed':'c'", "'hold_feed':'zzz'", "outputs[0].tiles[1].hold_feed: no feed \"zzz\""},
    {"'hold_feed':'c'", "'hold_fed':'c'", "outputs[0].tiles[1].hold_feed: missing"},
    {"'tiles':[{", "'tiles':[[],{", "outputs[0].tiles: 3 tiles, but output \"left\" has 2"},
    {"'tiles':[{'tour_pos':0,'tour_next_us':0,'hold_feed':null}", "'tiles':[1",
     "outputs[0].tiles[0]: not an object"},
    {"'pins':[{", "'pins':[{'output':'left','tile':0,'feed':'a'},{",
     "pins[1].tile: pinned twice"},
    {"'pins':[{'output':'left'", "'pins':[{'output':'up'", "pins[0].output: no output \"up\""},
    {"'feed':'a'", "'feed':'gone'", "pins[0].feed: no feed \"gone\""},
    {"'incident':'I1'", "'incident':'I2'", "callups[1].incident: \"I2\" twice"},
    {"'priority':1", "'priority':10", "callups[0].priority: 10 is out of range"},
    {"'cameras':['reg7']", "'cameras':['reg7','reg7']", "callups[0].cameras[1]: named twice"},
    {"'cameras':['reg7']", "'cameras':['nope']", "callups[0].cameras[0]: no feed \"nope\""},
    {"'cameras':['reg7']", "'cameras':[]", "callups[0].cameras: empty"},
    {"'callups':[", "'callups':7,'x':[", "callups: not an array"},
    {"'since_us':3200000", "'since_us':1.5", "callups[0].since_us: 1.5 is not an integer"},
};

/* s with the first from replaced by to (' for " in both); caller frees. */
static char *edit(const char *s, const char *from, const char *to)
{
    char *f = unquote(from), *t = unquote(to);
    const char *at = strstr(s, f);
    size_t n = strlen(s) + strlen(t) + 1;
    char *out = malloc(n);
    if (at)
        snprintf(out, n, "%.*s%s%s", (int)(at - s), s, t, at + strlen(f));
    else
        snprintf(out, n, "%s", s);
    free(f);
    free(t);
    return out;
}

/* The state of the round trip's script, on layout l. */
static void run_script(struct check_counts *cc, struct wall_state *ws, struct layout *l,
                       const struct registry *reg)
{
    struct resolver r = {l, reg, 0};
    struct ws_cmd c = {.type = WS_CMD_LAYOUT, .layout = l};
    ws_init(ws);
    CHECK_INT(cc, ws_apply(ws, &c, NULL), 0);
    for (int i = 0; i < N_SCRIPT; i++)
        apply_text(cc, ws, script[i], &r);
}

/* The state b as text, to see that nothing changed. */
static void check_unchanged(struct check_counts *cc, const struct wall_state *b,
                            const char *before, const char *what)
{
    char *now = snapshot_text(b);
    CHECK(cc, now && strcmp(now, before) == 0, "%s: b unchanged", what);
    free(now);
}

/* Each edit of good is refused by b with its error. */
static void check_edits(struct check_counts *cc, const struct wall_state *b, const char *good,
                        struct resolver *rb)
{
    for (size_t i = 0; i < sizeof(bad_snaps) / sizeof(bad_snaps[0]); i++) {
        const struct bad_snap *k = &bad_snaps[i];
        char *text = edit(good, k->from, k->to), err[200];
        CHECK(cc, strcmp(text, good) != 0, "edit %zu applies", i);
        cJSON *j = cJSON_Parse(text);
        struct ws_snapshot *s = (struct ws_snapshot *)1;
        int ret = ws_snapshot_parse(b, j, resolve, rb, &s, err, sizeof(err));
        char *want = unquote(k->want);
        CHECK(cc, ret == -EINVAL && s == NULL && strncmp(err, want, strlen(want)) == 0,
              "edit %zu (%s): returned %d, \"%s\", want \"%s\"", i, k->to, ret, err, want);
        free(want);
        cJSON_Delete(j);
        free(text);
    }
}

/* Reverses the order of snapshot j's call-ups. */
static void reverse_callups(cJSON *j)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "callups");
    cJSON *rev = cJSON_CreateArray();
    while (arr && rev && cJSON_GetArraySize(arr) > 0)
        cJSON_AddItemToArray(rev, cJSON_DetachItemFromArray(arr, cJSON_GetArraySize(arr) - 1));
    if (rev)
        cJSON_ReplaceItemInObjectCaseSensitive(j, "callups", rev);
}

/* Another version of the file (other tile counts) refuses snapshot j, and
 * the adopt of s, parsed against the right one. */
static void check_other_version(struct check_counts *cc, const cJSON *j,
                                const struct ws_snapshot *s)
{
    struct layout *lo = parse_layout(cc, other_text);
    struct wall_state o;
    ws_init(&o);
    struct ws_cmd c = {.type = WS_CMD_LAYOUT, .layout = lo};
    CHECK_INT(cc, ws_apply(&o, &c, NULL), 0);
    struct ws_snapshot *s2 = NULL;
    char err[160];
    CHECK_INT(cc, ws_snapshot_parse(&o, j, NULL, NULL, &s2, err, sizeof(err)), -EINVAL);
    CHECK_STR(cc, err, "outputs[0].tiles: 2 tiles, but output \"left\" has 1 here");
    c = (struct ws_cmd){.type = WS_CMD_ADOPT, .snapshot = s};
    CHECK_INT(cc, ws_apply(&o, &c, NULL), -EINVAL);
    CHECK_INT(cc, o.seq, 1);
    ws_uninit(&o);
    layout_destroy(lo);
}

static void test_bad_snapshots(struct check_counts *cc, const struct registry *reg)
{
    struct layout *la = parse_layout(cc, layout_text), *lb = parse_layout(cc, layout_text);
    struct wall_state a, b;
    run_script(cc, &a, la, reg);
    char *good = snapshot_text(&a), err[200];
    struct resolver rb = {lb, reg, 0};
    ws_init(&b);
    struct ws_cmd c = {.type = WS_CMD_LAYOUT, .layout = lb};
    CHECK_INT(cc, ws_apply(&b, &c, NULL), 0);
    char *before = snapshot_text(&b);
    if (good)
        check_edits(cc, &b, good, &rb);
    check_unchanged(cc, &b, before, "bad snapshots");
    cJSON *j = cJSON_Parse(good ? good : "");
    struct ws_snapshot *s = NULL;
    CHECK_INT(cc, ws_snapshot_parse(&b, j, resolve, &rb, &s, err, sizeof(err)), 0);
    check_other_version(cc, j, s);
    /* the layout changes between parse and adopt: refused, nothing changed */
    struct layout *lc = parse_layout(cc, layout_text); /* without reg7 */
    c.layout = lc;
    CHECK_INT(cc, ws_apply(&b, &c, NULL), 0);
    free(before);
    before = snapshot_text(&b);
    uint64_t seq = b.seq;
    CHECK_INT(cc, ws_apply(&b, &(struct ws_cmd){.type = WS_CMD_ADOPT, .snapshot = s}, NULL),
              -EINVAL);
    CHECK_INT(cc, ws_apply(&b, &(struct ws_cmd){.type = WS_CMD_ADOPT}, NULL), -EINVAL);
    CHECK(cc, b.seq == seq, "seq unchanged");
    check_unchanged(cc, &b, before, "adopts refused");
    c.layout = lb; /* reg7 is back */
    CHECK_INT(cc, ws_apply(&b, &c, NULL), 0);
    CHECK_INT(cc, ws_apply(&b, &(struct ws_cmd){.type = WS_CMD_ADOPT, .snapshot = s}, NULL), 0);
    check_same(cc, &a, &b, "adopted after all");
    ws_snapshot_free(s);
    /* call-ups out of order are put in rank order */
    reverse_callups(j);
    CHECK_INT(cc, ws_snapshot_parse(&b, j, resolve, &rb, &s, err, sizeof(err)), 0);
    CHECK_INT(cc, ws_apply(&b, &(struct ws_cmd){.type = WS_CMD_ADOPT, .snapshot = s}, NULL), 0);
    check_same(cc, &a, &b, "call-ups reversed");
    ws_snapshot_free(s);
    ws_snapshot_free(NULL);
    cJSON_Delete(j);
    free(before);
    free(good);
    ws_uninit(&a);
    ws_uninit(&b);
    layout_destroy(la);
    layout_destroy(lb);
    layout_destroy(lc);
}

#define SOLO "'solo': {'outputs': [" OUT("left", "1", AT("a", "0")) "]}"
#define DUO "'duo': {'outputs': [" OUT("left", "1", AT("b", "0")) ", " \
            OUT("right", "1", AT("c", "0")) "]}"

/* A snapshot of a view with other outputs than the one shown: the adopt
 * also says the windows change. */
static void test_other_windows(struct check_counts *cc)
{
    struct layout *lx = parse_layout(cc, "{" FEEDS "'layouts': {" SOLO ", " DUO "}}");
    struct layout *ly = parse_layout(cc, "{" FEEDS "'layouts': {" DUO ", " SOLO "}}");
    struct wall_state a, b;
    ws_init(&a);
    ws_init(&b);
    struct ws_cmd c = {.type = WS_CMD_LAYOUT, .layout = lx};
    CHECK_INT(cc, ws_apply(&a, &c, NULL), 0);
    c.layout = ly;
    CHECK_INT(cc, ws_apply(&b, &c, NULL), 0);
    cJSON *j = ws_snapshot_to_json(&a);
    struct ws_snapshot *s = NULL;
    char err[160];
    CHECK_INT(cc, ws_snapshot_parse(&b, j, NULL, NULL, &s, err, sizeof(err)), 0);
    unsigned changed = 0;
    CHECK_INT(cc, ws_apply(&b, &(struct ws_cmd){.type = WS_CMD_ADOPT, .snapshot = s}, &changed),
              0);
    CHECK_INT(cc, changed, WS_CHANGED_TILES | WS_CHANGED_VIEW | WS_CHANGED_FEEDS |
                               WS_CHANGED_LAYOUT);
    CHECK(cc, ws_output_count(&b) == 1 && ws_tile_feed(&b, 0, 0) == 0, "b shows solo");
    CHECK(cc, ws_snapshot_to_json(&(struct wall_state){0}) == NULL, "no layout: no snapshot");
    b.seq = 4000000000000001; /* a reader would refuse it */
    CHECK(cc, ws_snapshot_to_json(&b) == NULL, "seq beyond 4e15: no snapshot");
    ws_snapshot_free(s);
    cJSON_Delete(j);
    ws_uninit(&a);
    ws_uninit(&b);
    layout_destroy(lx);
    layout_destroy(ly);
}

int main(void)
{
    struct check_counts cc = {0, 0};
    char *text = unquote(registry_text);
    struct layout_diags d = {0};
    struct registry *reg = NULL;
    CHECK_INT(&cc, reg_parse(text, strlen(text), NULL, &reg, &d), 0);
    if (!reg) {
        layout_diags_print(&d, "registry", stderr);
        return check_report(&cc);
    }
    test_commands(&cc, reg);
    test_bad_commands(&cc, reg);
    test_round_trip(&cc, reg);
    test_bad_snapshots(&cc, reg);
    test_other_windows(&cc);
    reg_destroy(reg);
    layout_diags_clear(&d);
    free(text);
    return check_report(&cc);
}
