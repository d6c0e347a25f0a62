/*
 * app_internal.h - the app's state, shared by the files of app/ only.
 *
 * Threads: everything here belongs to the render thread.
 */
#ifndef TESSERA_APP_INTERNAL_H
#define TESSERA_APP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <libavutil/frame.h>
#include <uv.h>

#include "app/cli.h"
#include "app/framegap.h"
#include "base/ring.h"
#include "base/secret.h"
#include "base/timeutil.h"
#include "feed/feed.h"
#include "layout/layout.h"
#include "output/output.h"
#include "render/render.h"
#include "wallstate/wallstate.h"

struct app_reload;
struct app_sync;
struct registry;
struct audit;
struct cJSON;
struct cot_inputs;
struct hwdec_devices;
struct ovl_client_info;
struct ovl_server;
struct ovl_state;
struct out_set;
struct renderer;
struct render_video;
struct tlog;
struct render_marker;

/* A layout version: SHA-256 of the file and its registry, in hex. */
#define APP_HASH_MAX 65

/* Render-thread view of one layout feed. */
struct app_feed {
    struct feed *feed;            /* NULL when no tile of the view shows it */
    struct feed *next;            /* the other stream, starting; or NULL */
    bool on_sub, next_sub;        /* which stream feed / next read */
    bool shown;                   /* a tile of the current view shows it */
    int gate;                     /* enum consent_gate; -1 before deciding */
    int64_t unmask_until_us;      /* privacy masks lifted until then */
    bool masks_sub;               /* video holds the substream's masks */
    bool shed;                    /* asked to decode key frames only */
    uint64_t prev_put, prev_dropped; /* mailbox counts a second ago */
    int scale_w, scale_h;         /* size the feed was asked to scale to
                                     (feed_set_scale); 0 x 0: none */
    struct render_video *video;
    struct feed_status status;    /* refreshed every frame */
    char status_text[192];        /* tile banner; empty when live */
    char hud_text[192];           /* HUD line, refreshed once a second */
    char highlight[160];          /* open incident in range; empty if none */
    uint64_t displayed;           /* frames uploaded and presented */
    int64_t first_shown_us;       /* when its first picture was presented; 0: not yet */
    bool fresh;                   /* uploaded since the last present */
    bool status_changed;          /* banner or state changed since then */
    enum render_drawn drawn;      /* how its picture was last drawn */
    int64_t arrival_us;           /* packet arrival of the fresh frame */
    struct ring latency;          /* packet arrival to on screen, us */
    uint64_t prev_bytes;          /* for the bitrate */
    int64_t prev_bytes_us;
    double kbps;
};

/* What the audit log last saw on one output of the view shown. */
struct app_vis {
    char *output;                 /* the output's name */
    int n_tiles;
    int *vis_feed;                /* per tile: feed on screen, or -1 */
    int64_t *vis_from;            /* per tile: since when (wall clock, us) */
};

struct app {
    struct app_options opt;
    struct tlog *log;
    struct layout *layout;        /* owned; app->ws borrows it */
    struct registry *registry;    /* owned: app->layout's camera registry
                                     ("registry"), or NULL */
    struct wall_state ws;         /* what the wall shows: changed by
                                     app_command() only */
    struct app_vis *vis;          /* per output of the view (audit) */
    int vis_n;
    struct app_reload *reload;    /* a layout read in flight, or NULL */
    bool reload_again;            /* the file changed again meanwhile */
    char banner[512];             /* a reload error shown on every output */
    bool help;                    /* the F1 key map is shown */
    struct app_snaps *snaps;      /* snapshots (app/snapshots.h) */
    bool snapshot_queued;         /* the --snapshot one-shot was asked for */
    uv_fs_event_t watch;          /* the layout file's directory */
    uv_timer_t reload_timer;      /* lets an editor finish writing */
    bool watching;
    char watch_name[256];         /* the layout file's name in it */
    char registry_watch_name[256];/* the registry file's name in it, when it
                                     lies there too (else "") */
    struct hwdec_devices *hw;     /* shared hardware decoders */
    struct audit *audit;          /* --audit log, or NULL */
    bool pack_yuv;                /* feeds hand over packed YUV (software GL) */
    bool scale_rgb;               /* feeds scale pictures to their tiles, as
                                     RGB (software GL, --yuv-upload auto) */
    struct app_feed *feeds;
    struct feed_reaper *reaper;   /* joins stopped feeds off this thread */
    struct out_set *outs;
    struct renderer *render;
    struct render_target **targets; /* per output: the wall image */
    int (*target_wh)[2];          /* ... and its width and height */
    int n_targets;
    AVFrame *scratch;
    struct ovl_state *ovl;        /* incidents and units (overlay socket) */
    struct cot_inputs *inputs;    /* --cot, --eido-dir and socket EIDO; or NULL */
    struct ovl_server *control;   /* NULL without a control socket */
    struct tlog *control_log;
    uint64_t ovl_generation;      /* overlay state last looked at */
    int64_t callup_seen_us;       /* incident changes (wall clock) the call-up
                                     policy has looked at */
    struct app_callup_time *callup_times; /* when each call-up's slots first
                                     all showed pictures (app/callup.c) */
    int n_callup_times;
    unsigned panels_dirty;        /* APP_PANEL_* bits: panels that need drawing */
    int64_t panels_drawn_us;      /* when they were last drawn */
    int64_t panels_cost_us;       /* how long the frame that drew them took */
    struct render_marker *markers;/* scratch for map panels */
    size_t markers_cap;
    struct render_sector *sectors;/* scratch for map panels: registry views */
    size_t sectors_cap;
    char *basemap_dir;            /* resolved "basemap", or NULL */
    uv_loop_t loop;
    uv_async_t wake;
    uv_timer_t tick;
    uv_timer_t stats_timer;
    uv_signal_t sigint, sigterm;
    int64_t start_us, last_render_us, min_interval_us, idle_us;
    bool dirty;                   /* something to draw */
    bool full_redraw;             /* every tile, not only changed ones */
    bool present_all;             /* present outputs with nothing new too */
    bool stopping, loop_ready;
    bool hud;                     /* operator HUD shown */
    int overloaded_s, relaxed_s;  /* consecutive seconds of many / few drops */
    bool stats_writing;           /* a --stats write is in flight */
    int exit_code;
    uint64_t frames;              /* wall frames presented */
    uint64_t frames_at_last_stats;
    int64_t last_stats_us;
    double render_fps;
    struct ring frame_time;       /* draw + present of one wall frame, us */
    char supervisor_secret[257];  /* --supervisor-secret-file's first line,
                                     read at start and on reload; "" if none */
    struct secret_guard unmask_guard; /* failed unmask attempts per client */
    const struct ovl_client_info *cmd_client; /* sender of the control command
                                     being run (NULL outside command_hook) */
    struct app_gap gap;           /* render.max_gap_ms (app/framegap.h) */
    struct app_sync *sync;        /* the wall's other nodes (app/sync.c), or
                                     NULL: this node runs alone */
    char layout_hash[APP_HASH_MAX]; /* the version shown: app_layout_hash() */
    char node[64];                /* this PC's node: --node, or with "sync"
                                     the host name; "" alone */
    bool ws_wall_clock;           /* the wall state's times are wall-clock
                                     (the start layout has "sync") */
};

/* Opens the control socket (--control, or the default under
 * $XDG_RUNTIME_DIR) on the app's loop.  Returns 0, or a negative errno when
 * an explicitly requested socket could not be opened (a default one that
 * cannot be opened is logged and skipped). */
int app_control_start(struct app *app);

/* Closes the control socket and frees the overlay state; accepts a stopped
 * one. */
void app_control_stop(struct app *app);

/* Requests the wall to stop with exit_code (from any render-thread callback). */
void app_stop(struct app *app, int exit_code);

#define APP_LIST_ROWS 64

/* ---- sync.c: the command path, alone or on a wall of several PCs ---- */

/* Where every command arrives (keys, socket, timer, policy): applied at
 * once (app_command_apply()) when the node runs alone; with "sync", sent to
 * every node, this one included, and applied when it comes back from the
 * broker.  Returns 0 (applied, or sent), or a negative errno with err. */
int app_command(struct app *app, struct ws_cmd *cmd, char *err, size_t errlen);


/* Whether this node steps tours and lets holds run out now: it runs alone,
 * or it leads the wall and its last such command came round. */
bool app_sync_decides(const struct app *app);

/* Whether this node runs the call-up policy: alone, or the leader. */
bool app_sync_leads(const struct app *app);

/* A layout (and registry, version hash) read from the file: shown at once
 * alone; with "sync", sent round first and shown when its turn comes.
 * Takes l and reg over. */
void app_layout_read(struct app *app, struct layout *l, struct registry *reg, const char *hash,
                     enum ws_origin origin);

/* Runs the commands that waited for the version now shown. */
void app_sync_retry(struct app *app);

/* Connects to the layout's "sync" broker (nothing without one): 0, or a
 * negative errno (logged) when this node cannot be part of the wall. */
int app_sync_start(struct app *app);

/* Leaves the wall (goodbye, disconnect) and frees the sync state. */
void app_sync_stop(struct app *app);

/* Each frame: leader, snapshot, health, items, the operators' marker. */
void app_sync_tick(struct app *app, int64_t now_us);

/* The marker operators see ("SYNC LOST", "NODE pc3 MISSING"), or NULL. */
const char *app_sync_hud(const struct app *app);

/* Adds "layout_version" and, with "sync", the "sync" object to doc. */
void app_sync_stats(struct app *app, struct cJSON *doc);

/* ---- reload.c ---- */

/* Writes the version of the layout at path with its registry at reg_path
 * (NULL: none) into hash: hex SHA-256 of both files ("" when unreadable). */
void app_layout_hash(const char *path, const char *reg_path, char hash[APP_HASH_MAX]);

/* ---- feeds.c ---- */

/* The feed showing registry camera k: a feed of the layout, or one added
 * to it on demand (started by the feed set once a slot shows it, stopped
 * when none does); -1 when memory ran out. */
int app_feed_of_camera(struct app *app, int k);

/* A ws_feed_resolver: feed id -> index of app->layout's feeds, adding the
 * on-demand feed of a registry camera ("ID" or "registry/ID"); -1 if none. */
int app_feed_resolve(void *opaque, const char *id);


/* Starts the feeds the current view (app->layout, app->view) shows and
 * stops the others, taking over from app->feeds (which belonged to
 * old_layout, possibly the same layout) every feed with the same id and
 * source: those keep their connection and picture.  Returns 0 or -ENOMEM. */
int app_feeds_apply(struct app *app, const struct layout *old_layout);

/* Makes room in app->feeds for one more layout feed (a registry camera
 * called up on demand): 0 or -ENOMEM.  The new entries are zero (not shown,
 * not started); app_feeds_apply() starts the feed once the state wants it. */
int app_feeds_reserve(struct app *app);

/* Applies the consent rules at now_s: connects feeds whose gate opened,
 * disconnects (and forgets the picture of) those whose gate closed. */
void app_feeds_gate(struct app *app, long long now_s);

/* Lifts feed f's privacy masks for minutes (audited with the reason); adds
 * "seconds" to the reply.  Returns 0. */
int app_unmask(struct app *app, int f, double minutes, const char *reason,
               struct cJSON *reply);

/* Puts lifted masks back once their time is up (audited). */
void app_masks_tick(struct app *app, int64_t now_us);

/* (Re)reads the supervisor secret (at start and on every reload, never per
 * request); an unreadable file leaves none, so unmask is refused. */
void app_secrets_load(struct app *app);

/* Once a second: after two seconds in which more than 40 % of the decoded
 * frames were replaced before they could be shown, the feeds with the
 * smallest tiles fall back to key frames (more of them the worse it is);
 * after three calm seconds (under 10 %), the largest such feed decodes
 * everything again. */
void app_feeds_shed(struct app *app);

/* Makes feed f (index into layout->feeds) connect again now, whatever its
 * state (an ERROR waiting for its long retry included).  Returns 0, -EINVAL
 * for no such feed, -ENOTCONN when the view does not connect it now. */
int app_feeds_restart(struct app *app, int f);

/* Stops every feed (the reaper joins them: destroy it to wait) and frees
 * the app's view of them. */
void app_feeds_stop_all(struct app *app);

/* Takes new frames (switching substream/main stream as tile sizes ask),
 * uploads them and refreshes each feed's status and tile text. */
void app_feeds_collect(struct app *app, int64_t now_us);

/* When the next frame waiting in a jitter buffer is due (monotonic us), so
 * that the loop wakes for it; INT64_MAX when none waits. */
int64_t app_feeds_next_due(const struct app *app);

/* ---- audit_hooks.c (each does nothing without --audit) ---- */

/* Opens --audit and records the start (before the layout is applied, so
 * that what applying it does is recorded too); 0 or negative errno. */
int app_audit_open(struct app *app);

/* Closes the visible intervals, records the stop and closes the log. */
void app_audit_close(struct app *app, const char *reason);

/* Records the layout (view) now shown: "loaded", "switched" or "reloaded". */
void app_audit_layout(struct app *app, const char *action);

/* Records that feed's consent refused it, and why. */
void app_audit_consent(struct app *app, int feed, const char *why);

/* Records masks lifted (until, with the reason, by the control client
 * running the command) or restored. */
void app_audit_mask(struct app *app, int feed, bool lifted, const char *reason,
                    int64_t until_wall_us);

/* Records a control command that changed what is shown (who: the socket
 * client, or NULL: none). */
void app_audit_command(struct app *app, const struct ovl_client_info *who,
                       const char *type, const char *summary);

/* Ends the visible interval of every tile whose feed changed (all of them
 * when closing) and starts the new ones. */
void app_audit_visibility(struct app *app, bool closing);

/* Ends every visible interval (feed ids from old, the layout they were
 * shown from) and sets the tracking up for the view shown now; 0 or
 * -ENOMEM. */
int app_audit_vis_reset(struct app *app, const struct layout *old);

/* Frees the tracking (after app_audit_close()). */
void app_audit_vis_free(struct app *app);

/* Records a wall-state command (or its refusal, ret < 0, with err). */
void app_audit_ws_command(struct app *app, const struct ws_cmd *cmd, int ret,
                          const char *err);

/* ---- input.c ---- */

/* Turns an operator's key or click into a command (or a HUD/help toggle);
 * returns true for Ctrl+Q: the operator asks the wall to quit. */
bool app_input(struct app *app, const struct out_input *in);

/* Draws the F1 key map centred in rect with text of px pixels. */
void app_draw_help(struct app *app, struct layout_rect rect, int px);

/* ---- reading the wall state (every file of app/ may) ---- */

/* The node whose outputs this PC drives, or NULL: every output (the
 * layout names no nodes). */
static inline const char *app_node(const struct app *app)
{
    return app->node[0] && app->layout && layout_uses_nodes(app->layout) ? app->node : NULL;
}

/* The clock of the wall state's times: the wall clock with "sync" (the same
 * on every PC), else the monotonic clock (us). */
static inline int64_t app_ws_now(const struct app *app)
{
    return app->ws_wall_clock ? tm_wall_us() : tm_now_us();
}

/* Whether output o of the view shown is drawn on this PC. */
static inline bool app_output_here(const struct app *app, int o)
{
    return layout_output_on_node(ws_output(&app->ws, o), app_node(app));
}

/* Output o of the view shown, and how many there are. */
static inline const struct layout_output *app_output(const struct app *app, int o)
{
    return ws_output(&app->ws, o);
}

static inline int app_output_count(const struct app *app)
{
    return ws_output_count(&app->ws);
}

/* The index of the output named name (NULL: the first), or -1. */
static inline int app_output_index(const struct app *app, const char *name)
{
    return ws_output_index(&app->ws, name);
}

/* The feed tile t of output o shows now, or -1 for a panel. */
static inline int app_tile_feed(const struct app *app, int o, int t)
{
    return ws_tile_feed(&app->ws, o, t);
}

/* Where tile t of output o is drawn now (empty: hidden by an enlarged one). */
static inline struct layout_rect app_tile_rect(const struct app *app, int o, int t)
{
    return ws_tile_rect(&app->ws, o, t);
}

/* ---- views.c: the one path for every change to what the wall shows ---- */

/* Applies cmd to the wall state, records it in the audit log, and makes
 * the rest follow what changed: outputs, render targets, basemap, the feed
 * set, the redraw.  Socket commands take their client from app->cmd_client
 * (when set).  Returns 0, or a negative errno with a sentence in err (which
 * may be NULL) and nothing changed.  Only app_command() and sync.c call it. */
int app_command_apply(struct app *app, struct ws_cmd *cmd, char *err, size_t errlen);

/* Shows layout l, read from the file with registry reg and version hash
 * (app_layout_hash()): carries on-demand call-up cameras over, applies it
 * (app_apply_layout(), at now_us) and takes reg over when it was accepted.
 * Takes l and reg over either way; returns 0 or a negative errno. */
int app_layout_accept(struct app *app, struct layout *l, struct registry *reg,
                      const char *hash, enum ws_origin origin, int64_t now_us);

/* Socket requests {"type":"callup","incident":ID} or {"type":"callup","lat":…,
 * "lon":…[,"priority":P]}: ranks the registry and calls up the best cameras
 * that are feeds of the layout (app/callup.c).  0, or -EINVAL with err set. */
int app_cmd_callup(struct app *app, const struct cJSON *msg, struct cJSON *reply, char *err,
                   size_t errlen);

/* Calls up the ad-hoc point lat/lon (named "@LAT,LON", priority 1) for
 * origin, as the socket's {"type":"callup","lat":…,"lon":…} does (an
 * operator's click on a map panel).  0, or a negative errno with err set. */
int app_callup_point(struct app *app, double lat, double lon, enum ws_origin origin,
                     char *err, size_t errlen);

/* {"type":"release","incident":ID}: releases that call-up.  0 or -EINVAL. */
int app_cmd_release(struct app *app, const struct cJSON *msg, struct cJSON *reply, char *err,
                    size_t errlen);

/* The call-up policy after the incidents changed: call-ups of incidents no
 * longer open are released, incidents of priority up_to_priority or more
 * urgent that are new or changed (moved) are called up. */
void app_callups_follow(struct app *app);

/* Releases (one WS_CMD_RELEASE each, origin timer) the call-ups whose
 * hold_s ran out by now_us. */
void app_callups_expire(struct app *app, int64_t now_us);


/* When one call-up's slots first all showed pictures (render thread). */
struct app_callup_time {
    char incident[64];
    uint64_t order;          /* the call-up's ws order: a new one of the same
                                incident is timed afresh */
    int64_t shown_us;        /* monotonic; 0: not yet */
    int64_t shown_wall_us;   /* the same instant, wall clock */
};

/* After a present at now_us (monotonic): notes the call-ups whose slots all
 * show a picture for the first time, and forgets released ones. */
void app_callups_presented(struct app *app, int64_t now_us);

/* Frees the call-up timings. */
void app_callups_free(struct app *app);

/* The call-ups for the stats: incident, priority, cameras, slots, queued,
 * since_s, pictures_ms and pictures_wall_ms (when every slot it holds first
 * showed a picture); a new cJSON array (caller owns). */
struct cJSON *app_callups_json(const struct app *app, int64_t now_us);

/* Shows layout l (start or reload; the app takes l over either way): the
 * view of the same name stays, operator state stays on tiles that still
 * exist, feeds of the same source keep their connection.  now_us: the
 * time of the command (a wall of several PCs: the sender's, so tours are
 * scheduled alike everywhere), 0: now.  Returns 0 or a negative errno (then
 * l is freed and the old layout stays). */
int app_apply_layout(struct app *app, struct layout *l, enum ws_origin origin, int64_t now_us);

/* Starts reading the layout file on libuv's thread pool; when it is read,
 * it is shown (app_apply_layout()), or the old one stays with a banner.
 * A reload asked for while one is in flight runs after it.  0 or -ENOMEM. */
int app_reload(struct app *app, enum ws_origin origin);

/* Issues the tour command when a tour step is due at now_us. */
void app_tours_tick(struct app *app, int64_t now_us);

/* The time the next tour step is due (monotonic us), or 0: none, or
 * another node of the wall steps them. */
int64_t app_tours_due(const struct app *app);

/* Frees the wall state, its render targets and the audit tracking. */
void app_views_close(struct app *app);

/* Watches the layout file (and its camera registry, when that lies in the
 * same directory) and reloads them when they change. */
int app_watch_start(struct app *app);

/* Notes the current layout's registry file name for the watch. */
void app_registry_watch(struct app *app);

/* Stops watching the layout file and its registry (the handles close as the
 * loop runs). */
void app_watch_close(struct app *app);

/* Notices overlay changes: marks panels for drawing and recomputes which
 * camera tiles have an open incident within range.  Returns true when the
 * overlay changed (the caller then re-runs the consent gate, which opens and
 * closes incident-only cameras). */
bool app_overlay_update(struct app *app);

/* True when an open incident lies within lf's location/range_m. */
bool app_incident_near(struct app *app, const struct layout_feed *lf);

/* Panel kinds, as bits of app->panels_dirty: what changes a list (incident
 * ages tick every second) need not redraw a map, the costliest thing a wall
 * draws without a GPU. */
enum {
    APP_PANEL_MAP = 1u,   /* map panels */
    APP_PANEL_LIST = 2u,  /* incident lists and free call-up slots */
    APP_PANEL_ALL = 3u,
};

/* The APP_PANEL_* bit of tile's panel kind. */
unsigned app_panel_kind(const struct layout_tile *tile);

/* True when the panels should be drawn this frame: they changed, and were
 * not drawn in the last 100 ms, nor in the last 4x the time the frame that
 * last drew them took (a flood of positions redraws them at most ten times a
 * second, a map too full to draw that often less often). */
bool app_panels_due(const struct app *app);

/* Lets the renderer decode basemap tiles on the loop's thread pool, the
 * panels redrawing as tiles come in. */
void app_panels_init(struct app *app);

/* Draws a panel tile (map or incident list) into rect. */
void app_draw_panel(struct app *app, const struct layout_tile *tile,
                    struct layout_rect rect);

/* Builds the stats document (see README) as a new cJSON object; the caller
 * deletes it.  NULL on allocation failure. */
struct cJSON *app_stats_json(struct app *app, int64_t now_us);

/* Once a second: bitrates, render rate, HUD lines, and the --stats file
 * (written off the render thread, atomically). */
void app_stats_tick(struct app *app, int64_t now_us);

#endif
