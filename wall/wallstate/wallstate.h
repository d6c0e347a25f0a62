/*
 * wallstate.h - what the wall shows, as one piece of pure data, and the
 * typed commands that are the only way to change it.
 *
 * Keys, the control socket, the tour timer and the layout file watch each
 * build a struct ws_cmd; ws_apply() is the one function that changes a
 * struct wall_state.  The state holds the view shown, the operator state of
 * each tile of each output (maximized, selected, tour position, feed held
 * while enlarged), the wall tour's schedule and the pins.  Rendering and the
 * feed set read it through the ws_ look-ups; they never write it.
 *
 * No GL, no SDL, no libuv, no clock: every time comes in a command, so the
 * state is unit-tested with tables and can later be replicated between PCs
 * (the same commands applied in the same order give the same state).
 *
 * Threads: a wall_state belongs to one thread (the render thread in the app).
 */
#ifndef TESSERA_WALLSTATE_H
#define TESSERA_WALLSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout/layout.h"

/* Where a command came from (audited with it). */
enum ws_origin {
    WS_ORIGIN_START = 0,   /* the layout read at start */
    WS_ORIGIN_KEY,         /* the operator's keyboard or mouse */
    WS_ORIGIN_SOCKET,      /* a control-socket client */
    WS_ORIGIN_TIMER,       /* the tour timer */
    WS_ORIGIN_FILE_WATCH,  /* the layout file changed on disk */
    WS_ORIGIN_POLICY,      /* the call-up policy (an incident arrived,
                              moved or closed) */
    WS_ORIGIN_PEER,        /* the wall's state taken from another node
                              (a wall of several PCs) */
};

enum ws_cmd_type {
    WS_CMD_LAYOUT = 0,     /* a layout read (start or reload): .layout */
    WS_CMD_SHOW_VIEW,      /* show named layout .view (operator: restores) */
    WS_CMD_MAXIMIZE,       /* enlarge .tile of .output; the same tile again
                              (or .tile -1) restores */
    WS_CMD_RESTORE,        /* restore .output's grid */
    WS_CMD_SELECT,         /* select .tile of .output (-1: none) */
    WS_CMD_MOVE,           /* move .output's selection by (.dx, .dy) */
    WS_CMD_PIN,            /* keep .tile of .output on its feed now */
    WS_CMD_UNPIN,          /* let it follow its tour and layout again */
    WS_CMD_TOUR_TICK,      /* steps every tour due at .now_us */
    WS_CMD_RESTART_FEED,   /* restart .feed now (the feed set acts; the
                              state only checks and sequences it) */
    WS_CMD_CALLUP,         /* call up .cameras for .incident (again: update
                              its cameras, priority and hold) */
    WS_CMD_RELEASE,        /* release .incident's call-up */
    WS_CMD_ADOPT,          /* take over .snapshot (a node joining a wall) */
    WS_CMD_COUNT
};

/* A command: filled in by whoever builds it, sequenced by ws_apply(). */
struct ws_snapshot; /* opaque: a parsed snapshot, see ws_snapshot_parse() */

struct ws_cmd {
    enum ws_cmd_type type;
    enum ws_origin origin;
    char client[64];       /* who (socket: "uid 1000" / an address); or "" */
    uint64_t seq;          /* set by ws_apply(): 1, 2, … per state */
    int64_t now_us;        /* monotonic time of the command: tours count from it */
    int output, tile;      /* MAXIMIZE, RESTORE, SELECT, MOVE, PIN, UNPIN */
    int view;              /* SHOW_VIEW */
    int dx, dy;            /* MOVE: one of them 0, the other -1 or 1 */
    int feed;              /* RESTART_FEED */
    const struct layout *layout; /* LAYOUT: borrowed; must outlive its use
                                    as the state's layout */
    char incident[64];     /* CALLUP, RELEASE: the incident id (an ad-hoc
                              point: "@LAT,LON") */
    int priority;          /* CALLUP: 1 (most urgent) .. 9 */
    int cameras[LAYOUT_MAX_CALLUP_CAMERAS]; /* CALLUP: feeds, best first (the
                              caller ranks them and applies max_cameras) */
    int n_cameras;
    double hold_s;         /* CALLUP: released after this long without
                              another CALLUP for it; 0: held until released */
    const struct ws_snapshot *snapshot; /* ADOPT: borrowed (ws_snapshot_parse()) */
};

/* What a command changed (bit flags returned through ws_apply()). */
enum {
    WS_CHANGED_TILES = 1,   /* what some tile shows or where: redraw */
    WS_CHANGED_VIEW = 2,    /* another view: feeds to start/stop, audit */
    WS_CHANGED_LAYOUT = 4,  /* another layout: outputs, basemap, masks */
    WS_CHANGED_FEEDS = 8,   /* the set of feeds wanted may have changed */
    WS_RESTART_FEED = 16,   /* RESTART_FEED: the feed set restarts cmd->feed */
};

/* Per tile of an output of the view shown. */
struct ws_tile {
    int tour_pos;          /* position in the tile's tour (0 without one) */
    int64_t tour_next_us;  /* its next step; 0: no tour or not cycling */
    int hold_feed;         /* feed kept while the tile is enlarged, or -1 */
    int callup_feed;       /* a call-up slot: the camera a call-up shows in
                              it, or -1 (derived: ws__callups_assign()) */
};

/* Operator state of one output of the view shown. */
struct ws_output {
    int maximized;         /* tile enlarged to the whole output, or -1 */
    int selected;          /* tile with the selection outline, or -1 */
    struct ws_tile *tiles;
    int n_tiles;
};

/* A pinned tile: output (by name) and tile index keep feed through tours,
 * views and reloads until unpinned. */
struct ws_pin {
    char *output;
    int tile;
    int feed;              /* index into the state's layout's feeds */
};

/* One incident's call-up, active (holding slots) or queued. */
struct ws_callup {
    char incident[64];
    int priority;          /* 1 (most urgent) .. 9 */
    uint64_t order;        /* when it was first called up (seq): equal
                              priority keeps the older */
    int64_t since_us;      /* monotonic time of its first CALLUP */
    int64_t expires_us;    /* released at this time (hold_s); 0: never */
    int cameras[LAYOUT_MAX_CALLUP_CAMERAS]; /* feeds, best first */
    int n_cameras;
    int n_slots;           /* slots it holds now (0: queued) */
};

struct wall_state {
    const struct layout *layout; /* borrowed (see WS_CMD_LAYOUT); NULL before */
    int view;                    /* index into layout->views */
    int64_t tour_next_us;        /* next wall-tour step; 0: no wall tour */
    double tour_dwell;           /* the dwell that scheduled it */
    struct ws_output *outputs;   /* per output of the view shown */
    int n_outputs;
    struct ws_pin *pins;
    int n_pins;
    uint64_t seq;                /* commands applied so far */
    struct ws_callup *callups;   /* in rank order: priority, then age */
    int n_callups;
};

/* Zeroes ws: no layout, nothing shown, until a WS_CMD_LAYOUT. */
void ws_init(struct wall_state *ws);

/* Frees everything ws owns (not its layout); ws may be ws_init()ed again. */
void ws_uninit(struct wall_state *ws);

/* Applies cmd to ws: on success sets cmd->seq, ORs what changed into
 * *changed (may be NULL) and returns 0; otherwise returns -EINVAL (no such
 * output, tile, feed or command; a view that does not fit the outputs),
 * -ENOENT (no such view) or -ENOMEM, and ws is unchanged.  Before the first
 * WS_CMD_LAYOUT every other command fails with -EINVAL. */
int ws_apply(struct wall_state *ws, struct ws_cmd *cmd, unsigned *changed);

/* The command type's name as the audit log and the socket spell it. */
const char *ws_cmd_name(enum ws_cmd_type type);

/* The origin's name ("start", "key", "socket", "timer", "file"). */
const char *ws_origin_name(enum ws_origin origin);

/* Writes a one-line description of cmd (type, origin, arguments) into buf
 * (always terminated); returns buf. */
const char *ws_cmd_describe(const struct wall_state *ws, const struct ws_cmd *cmd,
                            char *buf, size_t n);

/* ---- reading the state (rendering, the feed set, stats) ---- */

/* Output o of the view shown (0 <= o < ws_output_count()). */
const struct layout_output *ws_output(const struct wall_state *ws, int o);

/* The number of outputs of the view shown (0 before a layout). */
int ws_output_count(const struct wall_state *ws);

/* The index of the output named name (NULL: the first), or -1. */
int ws_output_index(const struct wall_state *ws, const char *name);

/* The feed tile t of output o shows now (pin, held, tour or its own feed),
 * or -1 for a panel or indexes out of range. */
int ws_tile_feed(const struct wall_state *ws, int o, int t);

/* Whether tile t of output o is pinned. */
bool ws_tile_pinned(const struct wall_state *ws, int o, int t);

/* Where tile t of output o is drawn: its cell, the whole output when it is
 * enlarged, an empty rectangle when another tile is. */
struct layout_rect ws_tile_rect(const struct wall_state *ws, int o, int t);

/* Whether the feed set should run feed f: a tile of the view shown may show
 * it (directly, in its tour, pinned or held). */
bool ws_feed_wanted(const struct wall_state *ws, int f);

/* ws_feed_wanted() for the outputs that node drives (layout
 * "node"; NULL: every output): a feed another PC's outputs show is not
 * decoded here. */
bool ws_feed_wanted_on(const struct wall_state *ws, int f, const char *node);

/* The earliest time a WS_CMD_TOUR_TICK has something to do (a tour step,
 * a call-up's hold running out), or 0 (none). */
int64_t ws_next_tour_us(const struct wall_state *ws);

/* The call-ups, active and queued, in rank order (most urgent first, then
 * the older); *n gets their number.  Valid until the next ws_apply(). */
const struct ws_callup *ws_callups(const struct wall_state *ws, int *n);

/* Tile t of output o's call-up slot number (its layout "callup"), or 0. */
int ws_tile_slot(const struct wall_state *ws, int o, int t);

/* ---- on the wire (wire.c, snapshot.c): what the nodes of a wall exchange ----
 *
 * Indexes (view, output, feed) may differ between nodes, so commands and
 * snapshots travel with names: the view's name, the output's name, feed ids.
 * Times travel as they are (the app makes them wall-clock microseconds when
 * synced).  Members a reader does not know are ignored, so an envelope may
 * share the object.  See docs/architecture.md, "Commands on the wire". */

struct cJSON;

/* Maps a feed id to an index of ws->layout->feeds, or -1; the app's resolver
 * may append an on-demand registry camera to the layout first. */
typedef int (*ws_feed_resolver)(void *opaque, const char *id);

/* cmd as a new JSON object that names things instead of indexing them:
 * {"type":"maximize","origin":"key","client":"…","now_us":N,"output":"left","tile":3}
 * ("view":"night" for show-view, "feed":"cam7" for restart, "incident","priority",
 * "cameras":["cam1",…],"hold_s" for callup, "incident" for release, "dx","dy" for move);
 * only the fields the type uses.  NULL for WS_CMD_LAYOUT and WS_CMD_ADOPT (they do not
 * travel this way), an index out of range, a value ws_cmd_from_json() would refuse
 * (a time beyond ±4e15, a control character...), or no memory.  The caller owns the
 * result. */
struct cJSON *ws_cmd_to_json(const struct wall_state *ws, const struct ws_cmd *cmd);

/* Fills *cmd from j as ws_cmd_to_json() writes it, against ws's layout (names ->
 * indexes; feed ids through resolve, which may be NULL).  0, or -EINVAL with a
 * one-line err naming the field (unknown type, view, output, feed; wrong JSON type;
 * out-of-range numbers; strings too long or with control characters).  Never
 * crashes on any input (fuzzed). */
int ws_cmd_from_json(const struct wall_state *ws, const struct cJSON *j,
                     ws_feed_resolver resolve, void *opaque, struct ws_cmd *cmd,
                     char *err, size_t errlen);

/* The shared state as a new JSON object: the view's name, seq, the wall tour's
 * schedule (tour_next_us, tour_dwell), per output (by name, in order) maximized,
 * selected and per tile tour_pos, tour_next_us, hold_feed (feed id or null), the
 * pins (output name, tile, feed id), the call-ups in rank order (incident, priority,
 * order, since_us, expires_us, cameras as feed ids; n_slots is derived so left out).
 * NULL without a layout or memory, or when ws_snapshot_parse() would refuse a
 * value (a time or number beyond ±4e15, a control character in an incident).
 * The caller owns the result. */
struct cJSON *ws_snapshot_to_json(const struct wall_state *ws);

/* Parses j (as ws_snapshot_to_json() writes it) against ws's layout into a new
 * *out: 0, or -EINVAL with err (a view, output, tile count or feed that this
 * layout does not have: the snapshot was made from another layout), -ENOMEM.
 * The snapshot keeps names, not indexes: WS_CMD_ADOPT checks it against the
 * layout of the moment again.  Never crashes on any input (fuzzed). */
int ws_snapshot_parse(const struct wall_state *ws, const struct cJSON *j,
                      ws_feed_resolver resolve, void *opaque, struct ws_snapshot **out,
                      char *err, size_t errlen);

/* Frees a parsed snapshot; accepts NULL. */
void ws_snapshot_free(struct ws_snapshot *s);

#endif
