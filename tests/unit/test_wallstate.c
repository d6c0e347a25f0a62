/*
 * test_wallstate.c - table tests for the wall state and its commands
 * (wall/wallstate): each scenario is a list of steps, each step one command
 * (times in milliseconds) and what the state must say after it: the result,
 * the view shown, the feeds on output 0's tiles, the enlarged and selected
 * tiles.  Layouts are parsed from the JSON below; in it a ' stands for a ".
 */
#include "wallstate/wallstate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define FEEDS "'feeds': {'a': {'url': 'x'}, 'b': {'url': 'x'}, 'c': {'url': 'x'}, " \
              "'d': {'url': 'x'}}, "
#define OUT2(w, t0, t1) "{'outputs': [{'name': 'main', 'size': [" w ", 360], " \
                        "'grid': [2, 1], 'tiles': [" t0 ", " t1 "]}]}"
#define AT(f, c) "{'feed': '" f "', 'cell': [" c ", 0]}"
#define TOUR_BC "{'tour': {'feeds': ['b', 'c'], 'dwell': 1}, 'cell': [1, 0]}"
#define VIEWS(w) "'layouts': {'one': " OUT2(w, AT("a", "0"), TOUR_BC) ", " \
                 "'two': " OUT2(w, AT("c", "0"), AT("a", "1")) ", " \
                 "'three': " OUT2(w, AT("d", "0"), AT("b", "1")) "}"

#define SLOT(k, c) "{'callup': " k ", 'cell': [" c ", 0]}"
#define SLOTS "{'outputs': [{'name': 'main', 'size': [640, 360], 'grid': [4, 1], " \
              "'tiles': [" AT("a", "0") ", " SLOT("2", "1") ", " SLOT("1", "2") ", " \
              SLOT("3", "3") "]}]}"

/* The layouts the scenarios load (by index). */
static const char *const layouts[] = {
    /* 0: three views, a wall tour one -> two every 5 s */
    "{" FEEDS VIEWS("640") ", 'tour': {'layouts': ['one', 'two'], 'dwell': 5}}",
    /* 1: the same without the wall tour */
    "{" FEEDS VIEWS("640") "}",
    /* 2: the tour back (view two no longer fits the windows: skipped), output
     * main resized with a third tile, output side added */
    "{" FEEDS "'layouts': {'one': {'outputs': [{'name': 'main', 'size': [960, 360], "
    "'grid': [3, 1], 'tiles': [" AT("a", "0") ", " TOUR_BC ", " AT("d", "2") "]}, "
    "{'name': 'side', 'size': [320, 240], 'grid': [1, 1], 'tiles': [" AT("b", "0") "]}]}, "
    "'two': " OUT2("640", AT("c", "0"), AT("a", "1")) "}, "
    "'tour': {'layouts': ['one', 'two'], 'dwell': 5}}",
    /* 3: one tile left, feed c gone */
    "{'feeds': {'a': {'url': 'x'}, 'b': {'url': 'x'}}, 'outputs': [{'name': 'main', "
    "'size': [640, 360], 'grid': [1, 1], 'tiles': [" AT("a", "0") "]}]}",
    /* 4: feed a, then call-up slots 2, 1 and 3; a view "plain" without slots */
    "{" FEEDS "'layouts': {'slots': " SLOTS ", 'plain': " OUT2("640", AT("a", "0"),
    AT("b", "1")) "}}",
    /* 5: the same slots, feed c gone */
    "{'feeds': {'a': {'url': 'x'}, 'b': {'url': 'x'}, 'd': {'url': 'x'}}, "
    "'layouts': {'slots': " SLOTS "}}",
};
#define N_LAYOUTS (int)(sizeof(layouts) / sizeof(layouts[0]))

#define ANY -99 /* a step that does not check this */

struct step {
    enum ws_cmd_type type;
    int a, b;            /* output and tile; view; feed; dx and dy; layout */
    int at_ms;
    int want_ret;
    const char *want_view;
    const char *want_tiles; /* feed ids of output 0's tiles, "-" for a panel */
    int want_max, want_sel;
    const char *incident;   /* CALLUP, RELEASE */
    int priority, hold_s;   /* CALLUP */
    const char *cameras;    /* CALLUP: feed ids, best first ("?": no feed) */
    const char *want_callups; /* "INCIDENT:SLOTS ..." in rank order, or NULL */
};

#define LAYOUT(i, ms) {WS_CMD_LAYOUT, i, 0, ms, 0, NULL, NULL, ANY, ANY}
#define TICK(ms, view, tiles) {WS_CMD_TOUR_TICK, 0, 0, ms, 0, view, tiles, ANY, ANY}
#define CMD(type, a, b, ms, ret) {type, a, b, ms, ret, NULL, NULL, ANY, ANY}
#define CALLUP(inc, prio, cams, hold, ms, ret, tiles, callups) \
    {WS_CMD_CALLUP, 0, 0, ms, ret, NULL, tiles, ANY, ANY, inc, prio, hold, cams, callups}
#define RELEASE(inc, ms, ret, tiles, callups) \
    {WS_CMD_RELEASE, 0, 0, ms, ret, NULL, tiles, ANY, ANY, inc, 0, 0, NULL, callups}

struct scenario {
    const char *name;
    struct step steps[24];
};

/* Rows name only the fields they check: the call-up ones (incident ...
 * want_callups) are left out of the others and read as zero. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct scenario scenarios[] = {
    {"nothing before a layout", {
        CMD(WS_CMD_SELECT, 0, 0, 0, -EINVAL),
        CMD(WS_CMD_TOUR_TICK, 0, 0, 0, -EINVAL),
        {WS_CMD_LAYOUT, 0, 0, 0, 0, "one", "a b", -1, -1},
    }},
    {"tile tour, wall tour, enlarged tile held through both", {
        {WS_CMD_LAYOUT, 0, 0, 0, 0, "one", "a b", -1, -1},
        TICK(999, "one", "a b"),
        TICK(1000, "one", "a c"),
        {WS_CMD_MAXIMIZE, 0, 1, 1100, 0, "one", "a c", 1, 1},
        TICK(2100, "one", "a c"),           /* an enlarged tour tile stops */
        {WS_CMD_RESTORE, 0, 0, 2200, 0, "one", "a c", -1, 1}, /* where it stopped */
        TICK(3100, "one", "a c"),
        TICK(3200, "one", "a b"),           /* then goes on */
        {WS_CMD_MAXIMIZE, 0, 1, 3300, 0, "one", "a b", 1, 1},
        {WS_CMD_MAXIMIZE, 0, 1, 3400, 0, "one", "a b", -1, 1},
        {WS_CMD_MAXIMIZE, 0, 1, 3500, 0, "one", "a b", 1, 1},
        {WS_CMD_TOUR_TICK, 0, 0, 5000, 0, "two", "c b", 1, 1}, /* kept, holds b */
        {WS_CMD_MAXIMIZE, 0, 1, 5100, 0, "two", "c a", -1, 1}, /* again: restore */
        TICK(10000, "one", "a b"),
        {WS_CMD_MAXIMIZE, 0, 0, 10100, 0, "one", "a b", 0, 0},
        {WS_CMD_SHOW_VIEW, 1, 0, 10200, 0, "two", "c a", -1, 0}, /* operator: restores */
    }},
    {"an enlarged plain tile keeps its camera through a wall-tour step", {
        LAYOUT(0, 0),
        {WS_CMD_MAXIMIZE, 0, 0, 100, 0, "one", "a b", 0, 0},
        {WS_CMD_TOUR_TICK, 0, 0, 5000, 0, "two", "a a", 0, 0},
    }},
    {"pin through tours and layout switches", {
        LAYOUT(0, 0),
        CMD(WS_CMD_PIN, 0, 1, 100, 0),
        TICK(1200, "one", "a b"),           /* pinned: the tile tour stops */
        TICK(5000, "two", "c b"),           /* and the wall tour keeps it */
        {WS_CMD_SHOW_VIEW, 2, 0, 5100, 0, "three", "d b", ANY, ANY},
        {WS_CMD_PIN, 0, 0, 5200, 0, "three", "d b", ANY, ANY},
        {WS_CMD_SHOW_VIEW, 1, 0, 5300, 0, "two", "d b", ANY, ANY},
        CMD(WS_CMD_UNPIN, 0, 0, 5400, 0),
        {WS_CMD_SHOW_VIEW, 0, 0, 5500, 0, "one", "a b", ANY, ANY},
        CMD(WS_CMD_UNPIN, 0, 1, 5600, 0),
        TICK(6599, "one", "a b"),
        TICK(6600, "one", "a c"),           /* unpinned: cycles again */
        CMD(WS_CMD_UNPIN, 0, 1, 6700, 0),   /* not pinned: nothing to do */
        CMD(WS_CMD_PIN, 0, 2, 6800, -EINVAL),
        CMD(WS_CMD_PIN, 1, 0, 6800, -EINVAL),
    }},
    {"selection and moves", {
        LAYOUT(0, 0),
        {WS_CMD_MOVE, 1, 0, 10, 0, "one", NULL, -1, 0}, /* none: the first */
        {WS_CMD_MOVE, 1, 0, 20, 0, "one", NULL, -1, 1},
        {WS_CMD_MOVE, 1, 0, 30, 0, "one", NULL, -1, 1}, /* nothing further right */
        {WS_CMD_MOVE, 0, 1, 35, 0, "one", NULL, -1, 1}, /* nothing below */
        {WS_CMD_MOVE, -1, 0, 40, 0, "one", NULL, -1, 0},
        CMD(WS_CMD_MOVE, 0, 0, 50, -EINVAL),
        {WS_CMD_SELECT, 0, -1, 60, 0, "one", NULL, -1, -1},
        CMD(WS_CMD_SELECT, 0, 2, 70, -EINVAL),
        CMD(WS_CMD_SELECT, 1, 0, 70, -EINVAL),
        CMD(WS_CMD_MAXIMIZE, 0, 2, 70, -EINVAL),
        CMD(WS_CMD_RESTORE, 1, 0, 70, -EINVAL),
        CMD(WS_CMD_SHOW_VIEW, 7, 0, 70, -ENOENT),
        CMD(WS_CMD_RESTART_FEED, 3, 0, 70, 0),
        CMD(WS_CMD_RESTART_FEED, 4, 0, 70, -EINVAL),
    }},
    {"reloads keep operator state on tiles that still exist", {
        LAYOUT(0, 0),
        {WS_CMD_MAXIMIZE, 0, 1, 100, 0, "one", "a b", 1, 1},
        {WS_CMD_LAYOUT, 1, 0, 200, 0, "one", "a b", 1, 1},   /* tour removed */
        TICK(100000, "one", "a b"),                          /* no wall tour */
        CMD(WS_CMD_PIN, 0, 0, 100100, 0),
        {WS_CMD_LAYOUT, 2, 0, 100200, 0, "one", "a b d", 1, 1}, /* resized, added */
        TICK(105200, "one", "a b d"),    /* wall tour back, two skipped; held */
        {WS_CMD_RESTORE, 0, 0, 105300, 0, "one", "a b d", -1, 1},
        TICK(106300, "one", "a c d"),
        {WS_CMD_LAYOUT, 3, 0, 106400, 0, "default", "a", -1, -1}, /* tile 1 gone */
    }},
    /* slots in number order: tile 2 is slot 1, tile 1 slot 2, tile 3 slot 3 */
    {"call-up: preemption, equal priority, queue, pins, exact restore", {
        {WS_CMD_LAYOUT, 4, 0, 0, 0, "slots", "a - - -", ANY, ANY},
        CALLUP("I1", 3, "b c d", 0, 100, 0, "a c b d", "I1:3"),
        /* more urgent: takes slots 1 and 2; I1 keeps slot 3 with a camera
         * not shown yet */
        CALLUP("I2", 1, "a b", 0, 200, 0, "a b a c", "I2:2 I1:1"),
        /* equal priority keeps the older: I3 after I2, I1 queued */
        CALLUP("I3", 1, "d", 0, 300, 0, "a b a d", "I2:2 I3:1 I1:0"),
        CMD(WS_CMD_PIN, 0, 1, 400, 0),     /* slot 2 keeps b */
        RELEASE("I2", 500, 0, "a b d c", "I3:1 I1:1"), /* b is pinned: c */
        CALLUP("I4", 1, "c", 0, 600, 0, "a b d c", "I3:1 I4:1 I1:0"),
        RELEASE("I4", 700, 0, "a b d c", "I3:1 I1:1"),
        CMD(WS_CMD_UNPIN, 0, 1, 800, 0),
        RELEASE("I3", 900, 0, "a c b d", "I1:3"), /* I1 back as it was */
        RELEASE("I1", 1000, 0, "a - - -", ""),    /* the layout's tiles again */
        RELEASE("I1", 1100, -ENOENT, "a - - -", ""),
    }},
    {"call-up: hold, update, bad commands, views without slots, reloads", {
        {WS_CMD_LAYOUT, 4, 0, 0, 0, "slots", "a - - -", ANY, ANY},
        CALLUP("I1", 2, "b", 1, 0, 0, "a - b -", "I1:1"),
        TICK(999, "slots", "a - b -"),
        CALLUP("I1", 2, "c b", 1, 900, 0, "a b c -", "I1:2"), /* update: held again */
        TICK(1899, "slots", "a b c -"),
        TICK(1900, "slots", "a - - -"),           /* 1 s without an update */
        CALLUP("I1", 0, "b", 0, 2000, -EINVAL, "a - - -", ""),
        CALLUP("I1", 2, "?", 0, 2000, -EINVAL, "a - - -", ""),
        CALLUP("", 2, "b", 0, 2000, -EINVAL, "a - - -", ""),
        CALLUP("I1", 2, "", 0, 2000, -EINVAL, "a - - -", ""),
        CALLUP("I1", 2, "c b", 0, 2100, 0, "a b c -", "I1:2"),
        {WS_CMD_SHOW_VIEW, 1, 0, 2200, 0, "plain", "a b", ANY, ANY},
        RELEASE(NULL, 2250, ANY, NULL, "I1:0"),   /* queued: no slots here */
        {WS_CMD_SHOW_VIEW, 0, 0, 2300, 0, "slots", "a b c -", ANY, ANY},
        {WS_CMD_LAYOUT, 5, 0, 2400, 0, "slots", "a - b -", ANY, ANY}, /* c gone */
    }},
};
#pragma GCC diagnostic pop

static const struct layout *parsed[N_LAYOUTS];

static void parse_layouts(struct check_counts *cc)
{
    for (int i = 0; i < N_LAYOUTS; i++) {
        char *json = strdup(layouts[i]);
        for (char *p = json; *p; p++)
            *p = *p == '\'' ? '"' : *p;
        struct layout *l = NULL;
        struct layout_diags d = {0};
        layout_parse(json, strlen(json), &l, &d);
        if (!l)
            layout_diags_print(&d, "layout", stderr);
        CHECK(cc, l != NULL, "layout %d parses", i);
        parsed[i] = l;
        layout_diags_clear(&d);
        free(json);
    }
}

/* The feed ids of output 0's tiles, space separated. */
static const char *tiles_text(const struct wall_state *ws, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int t = 0; ws_output_count(ws) && t < ws_output(ws, 0)->n_tiles; t++) {
        int f = ws_tile_feed(ws, 0, t);
        len += (size_t)snprintf(buf + len, n - len, "%s%s", t ? " " : "",
                                f < 0 ? "-" : ws->layout->feeds[f].id);
    }
    return buf;
}

static struct ws_cmd make_cmd(const struct step *s)
{
    struct ws_cmd c = {.type = s->type, .origin = WS_ORIGIN_KEY,
                       .now_us = (int64_t)s->at_ms * 1000, .output = s->a, .tile = s->b,
                       .view = s->a, .feed = s->a};
    if (s->type == WS_CMD_MOVE) {
        c.output = 0;
        c.dx = s->a;
        c.dy = s->b;
    }
    if (s->type == WS_CMD_LAYOUT)
        c.layout = parsed[s->a];
    if (s->incident)
        snprintf(c.incident, sizeof(c.incident), "%s", s->incident);
    c.priority = s->priority;
    c.hold_s = s->hold_s;
    for (const char *p = s->cameras; p && *p && c.n_cameras < LAYOUT_MAX_CALLUP_CAMERAS;) {
        char id[8] = "";
        int len = 0;
        sscanf(p, "%7s%n", id, &len);
        c.cameras[c.n_cameras++] = parsed[4] ? layout_find_feed(parsed[4], id) : -1;
        p += len;
        while (*p == ' ')
            p++;
    }
    return c;
}

/* Checks the call-ups: "INCIDENT:SLOTS" each, in rank order. */
static void check_callups(struct check_counts *cc, const char *name, int i,
                          const struct wall_state *ws, const char *want)
{
    char buf[256] = "";
    size_t len = 0;
    int n;
    const struct ws_callup *c = ws_callups(ws, &n);
    for (int k = 0; k < n && len < sizeof(buf); k++)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s:%d", k ? " " : "",
                                c[k].incident, c[k].n_slots);
    CHECK(cc, strcmp(buf, want) == 0, "%s, step %d: call-ups \"%s\", want \"%s\"", name, i,
          buf, want);
}

static void run_step(struct check_counts *cc, const char *name, int i,
                     struct wall_state *ws, const struct step *s)
{
    struct ws_cmd c = make_cmd(s);
    uint64_t seq = ws->seq;
    if (s->type == WS_CMD_RELEASE && !s->incident) {
        check_callups(cc, name, i, ws, s->want_callups); /* a look only */
        return;
    }
    int ret = ws_apply(ws, &c, NULL);
    char buf[128];
    CHECK(cc, ret == s->want_ret, "%s, step %d (%s): returned %d, want %d", name, i,
          ws_cmd_name(s->type), ret, s->want_ret);
    CHECK(cc, ws->seq == (ret == 0 ? seq + 1 : seq) && (ret < 0 || c.seq == ws->seq),
          "%s, step %d: sequence %llu after %llu", name, i,
          (unsigned long long)ws->seq, (unsigned long long)seq);
    if (s->want_view)
        CHECK(cc, ws->layout && strcmp(ws->layout->views[ws->view].name, s->want_view) == 0,
              "%s, step %d: view %s, want %s", name, i,
              ws->layout ? ws->layout->views[ws->view].name : "(none)", s->want_view);
    if (s->want_tiles)
        CHECK(cc, strcmp(tiles_text(ws, buf, sizeof(buf)), s->want_tiles) == 0,
              "%s, step %d: tiles \"%s\", want \"%s\"", name, i, buf, s->want_tiles);
    if (s->want_max != ANY)
        CHECK(cc, ws->outputs[0].maximized == s->want_max, "%s, step %d: maximized %d, want %d",
              name, i, ws->outputs[0].maximized, s->want_max);
    if (s->want_sel != ANY)
        CHECK(cc, ws->outputs[0].selected == s->want_sel, "%s, step %d: selected %d, want %d",
              name, i, ws->outputs[0].selected, s->want_sel);
    if (s->want_callups)
        check_callups(cc, name, i, ws, s->want_callups);
}

static void run_scenarios(struct check_counts *cc)
{
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
        struct wall_state ws;
        ws_init(&ws);
        const struct scenario *sc = &scenarios[i];
        for (int k = 0; k < 24; k++) {
            const struct step *s = &sc->steps[k];
            if (!s->want_view && !s->want_tiles && !s->want_max && !s->want_sel &&
                !s->want_callups)
                break; /* the zeroed rest of the table */
            run_step(cc, sc->name, k, &ws, s);
        }
        ws_uninit(&ws);
    }
}

/* Feeds wanted: the view's (tours included), pinned and held ones. */
static void test_feeds_wanted(struct check_counts *cc)
{
    struct wall_state ws;
    ws_init(&ws);
    struct ws_cmd c = {.type = WS_CMD_LAYOUT, .layout = parsed[0]};
    CHECK_INT(cc, ws_apply(&ws, &c, NULL), 0);
    CHECK(cc, ws_feed_wanted(&ws, 0) && ws_feed_wanted(&ws, 1) && ws_feed_wanted(&ws, 2) &&
                  !ws_feed_wanted(&ws, 3), "view one wants a, b and c");
    c = (struct ws_cmd){.type = WS_CMD_PIN, .output = 0, .tile = 0};
    CHECK_INT(cc, ws_apply(&ws, &c, NULL), 0);
    CHECK(cc, ws_tile_pinned(&ws, 0, 0) && !ws_tile_pinned(&ws, 0, 1), "tile 0 pinned");
    c = (struct ws_cmd){.type = WS_CMD_SHOW_VIEW, .view = 2};
    unsigned changed = 0;
    CHECK_INT(cc, ws_apply(&ws, &c, &changed), 0);
    CHECK(cc, changed & WS_CHANGED_FEEDS, "a view switch changes the feeds wanted");
    CHECK(cc, ws_feed_wanted(&ws, 0) && ws_feed_wanted(&ws, 1) && !ws_feed_wanted(&ws, 2) &&
                  ws_feed_wanted(&ws, 3), "view three with a pinned: a, b and d");
    CHECK_INT(cc, ws_next_tour_us(&ws), 5000000);
    char buf[160];
    CHECK_STR(cc, ws_cmd_describe(&ws, &c, buf, sizeof(buf)), "#3 layout from start: view three");
    c = (struct ws_cmd){.type = WS_CMD_PIN, .origin = WS_ORIGIN_SOCKET, .client = "uid 7",
                        .seq = 9, .output = 0, .tile = 1};
    CHECK_STR(cc, ws_cmd_describe(&ws, &c, buf, sizeof(buf)),
              "#9 pin from socket (uid 7): output main tile 1");
    ws_uninit(&ws);
}

int main(void)
{
    struct check_counts cc = {0};
    parse_layouts(&cc);
    for (int i = 0; i < N_LAYOUTS; i++)
        if (!parsed[i])
            return check_report(&cc);
    run_scenarios(&cc);
    test_feeds_wanted(&cc);
    for (int i = 0; i < N_LAYOUTS; i++)
        layout_destroy((struct layout *)parsed[i]);
    return check_report(&cc);
}
