/*
 * layout.h - the layout model: feeds, outputs and tiles, parsed from the JSON
 * files supervisors write by hand, plus the pure geometry that places tiles and
 * fits pictures into them.  Depends only on base/ and cJSON; no GL, no FFmpeg.
 *
 * Ownership: a struct layout owns every string and array reachable from it.
 * It is immutable after layout_parse() returns and may be read from any thread.
 */
#ifndef TESSERA_LAYOUT_H
#define TESSERA_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Limits of a layout; layout_parse() reports anything beyond them. */
#define LAYOUT_MAX_BYTES (1 << 20) /* size of a layout file */
#define LAYOUT_MAX_SIZE 16384      /* output width and height, pixels */
#define LAYOUT_MAX_GRID 64         /* grid columns and rows */
#define LAYOUT_MAX_TILES (LAYOUT_MAX_GRID * LAYOUT_MAX_GRID) /* per output */
#define LAYOUT_MAX_FEEDS 1024
#define LAYOUT_MAX_OUTPUTS 64
#define LAYOUT_MAX_ID 64           /* bytes in a feed id or a layout name */
#define LAYOUT_MAX_VIEWS 64        /* named layouts in "layouts" */
#define LAYOUT_MAX_TOUR 1024       /* entries in a tour's list */
#define LAYOUT_MAX_STALL_AFTER 3600.0 /* "stall_after", seconds */
#define LAYOUT_MAX_RANGE_M 100000.0   /* "range_m", metres */
#define LAYOUT_MAX_DWELL 86400.0      /* a tour's "dwell", seconds */
#define LAYOUT_MAX_ZOOM 19            /* a map panel's "zoom" */
#define LAYOUT_MAX_CONSENT_REF 64     /* characters in a consent "ref" */
#define LAYOUT_CONSENT_WARN_DAYS 30   /* warn this many days before expiry */
#define LAYOUT_INCIDENT_TTL_DEFAULT 3600.0 /* "incident_ttl", seconds */
#define LAYOUT_MAX_INCIDENT_TTL 604800.0   /* a week */
#define LAYOUT_MAX_NODE 63            /* characters in a "node" name */
#define LAYOUT_MAX_WALL 64            /* characters in "sync"'s "wall" */
#define LAYOUT_KEEPALIVE_DEFAULT 2.0  /* "keepalive_s", seconds */
#define LAYOUT_MAX_KEEPALIVE 60.0

enum layout_fit {
    LAYOUT_FIT_CONTAIN = 0, /* letterbox: whole picture visible (default) */
    LAYOUT_FIT_COVER,       /* crop: tile fully covered */
    LAYOUT_FIT_STRETCH,     /* ignore aspect ratio */
};

enum layout_hwdec {
    LAYOUT_HWDEC_DEFAULT = 0, /* not given: the --hwdec setting */
    LAYOUT_HWDEC_AUTO,
    LAYOUT_HWDEC_NVDEC,
    LAYOUT_HWDEC_VAAPI,
    LAYOUT_HWDEC_SW,
};

enum layout_transport {
    LAYOUT_TRANSPORT_AUTO = 0, /* "auto" (default): TCP, then UDP if refused */
    LAYOUT_TRANSPORT_TCP,
    LAYOUT_TRANSPORT_UDP,
};

enum layout_owner {
    LAYOUT_OWNER_AGENCY = 0, /* default: the operating agency's own camera */
    LAYOUT_OWNER_PRIVATE,    /* shared by a private owner under a waiver */
};

enum layout_consent_scope {
    LAYOUT_CONSENT_LIVE = 0,      /* may be shown at any time */
    LAYOUT_CONSENT_INCIDENT_ONLY, /* only while an open incident is in range */
};

/* "consent": {"ref", "granted", "expires", "scope"}; each time is a date
 * (YYYY-MM-DD, read in the layout's "timezone") or an RFC 3339 time with an
 * offset (2027-01-05T00:00:00-06:00). */
struct layout_consent {
    bool present;
    char *ref;                    /* waiver reference, e.g. "W-2026-0012" */
    char granted[40], expires[40]; /* as written */
    long long granted_epoch;      /* the instant it starts (a date: local
                                     midnight starting that day) */
    long long expires_epoch;      /* the instant it ends (a date: local
                                     midnight AFTER that day: the consent
                                     covers the whole expiry day) */
    enum layout_consent_scope scope;
};

enum layout_mask_style { LAYOUT_MASK_SOLID = 0, LAYOUT_MASK_PIXELATE };

/* A privacy mask: a polygon in picture coordinates normalised to 0..1
 * (x right, y down), so it survives a resolution change. */
struct layout_mask {
    float (*points)[2];
    int n_points;               /* 3..LAYOUT_MAX_MASK_POINTS */
    enum layout_mask_style style;
};

#define LAYOUT_MAX_MASKS 16
#define LAYOUT_MAX_MASK_POINTS 32

struct layout_feed {
    char *id;    /* key in "feeds"; unique */
    char *url;   /* anything FFmpeg opens; may carry credentials: never log raw */
    char *label; /* shown on tiles; defaults to id */
    bool loop;   /* files: start again at the end (demos) */
    char *substream;      /* "substream": the camera's low-resolution URL, or NULL */
    double stall_after;   /* "stall_after": seconds without a frame before the
                             tile says STALLED; 0: automatic */
    enum layout_hwdec hwdec;  /* "hwdec" */
    enum layout_transport transport; /* "transport": RTSP over TCP or UDP */
    bool has_location;    /* "location": [lat, lon] */
    double lat, lon;
    double range_m;       /* "range_m": metres the camera covers; 0: none */
    enum layout_owner owner;        /* "owner": "agency" | "private" */
    struct layout_consent consent;  /* "consent" */
    struct layout_mask *masks;      /* "masks": [...] (both streams), or
                                       "masks": {"main": [...]} */
    int n_masks;
    struct layout_mask *sub_masks;  /* "masks": {"substream": [...]}, or NULL:
                                       the substream uses "masks" too */
    int n_sub_masks;
    bool privacy_given;   /* "owner", "consent" or "masks" is in this entry
                             (else they come from another entry of the same
                             camera, if any) */
    char *camera;         /* "camera": a registry camera id whose url, label,
                             place and privacy this feed takes (filled in by
                             reg_layout_resolve()), or NULL */
    int camera_line, camera_col; /* where "camera"'s value is in the layout */
    bool on_demand;       /* not in the file: a registry camera added for a
                             call-up (reg_layout_add_camera()) */
};

/* The masks of lf's main stream (sub false) or substream (sub true); their
 * number in *n. */
const struct layout_mask *layout_feed_masks(const struct layout_feed *lf, bool sub,
                                            int *n);

enum layout_panel {
    LAYOUT_PANEL_NONE = 0, /* a camera tile */
    LAYOUT_PANEL_MAP,      /* "panel": "map" */
    LAYOUT_PANEL_INCIDENTS,/* "panel": "incidents" */
    LAYOUT_PANEL_CALLUP,   /* "callup": K, a call-up slot (no feed of its own) */
};

struct layout_tile {
    int feed;      /* index into layout.feeds; -1 for a panel; for a tour,
                      its first feed */
    int col, row;  /* "cell": [column, row] from the top left */
    int cols, rows;/* "span": [columns, rows], default 1x1 */
    enum layout_fit fit;
    char *label;   /* "label" override, or NULL to use the feed's label */
    enum layout_panel panel;  /* a panel instead of a feed */
    double center[2];         /* map: "center": [lat, lon] */
    int zoom;                 /* map: "zoom", slippy-map level 0..19
                                 (14 when not given, on every tile) */
    int *tour;                /* "tour": {"feeds": [...]}: feed indexes, or NULL */
    int n_tour;               /* 0, or at least 2 */
    double dwell;             /* "tour": {"dwell": seconds}, default 10 (set
                                 on every tile; used only with a tour) */
    int callup;               /* "callup": slot number K (1..LAYOUT_MAX_SLOT)
                                 with panel LAYOUT_PANEL_CALLUP, else 0 */
};

struct layout_output {
    char *name;            /* unique */
    int width, height;     /* "size" in pixels; 0x0 when left out (allowed
                              with "display": the monitor's size, filled in
                              by out_resolve_sizes() before use) */
    int grid_cols, grid_rows; /* "grid": [columns, rows] */
    int gap;               /* "gap": pixels between tiles, default 0 */
    struct layout_tile *tiles;
    int n_tiles;
    int display_index;     /* "display": 1 (an SDL display index), or -1 */
    char *display_name;    /* "display": "DP-2" (SDL's name), or NULL */
    char *node;            /* "node": the PC (tessera --node NAME) that drives
                              this output, or NULL (not given) */
    int node_line, node_col; /* where "node"'s value is (0 when not given) */
};

/* One named layout of a file ("layouts": {"day": {"outputs": [...]}}); the
 * classic form with top-level "outputs" is a single view named "default". */
struct layout_view {
    char *name;
    struct layout_output *outputs;
    int n_outputs;
};

/* What a call-up does for incidents of one kind (or the default). */
struct layout_callup_rule {
    int up_to_priority;   /* "up_to_priority": incidents of this priority or
                             more urgent (1 is the most urgent) call up by
                             themselves; 0: none do (manual call-up only) */
    int max_cameras;      /* "max_cameras": slots one incident may take */
    double radius_m;      /* "radius_m": other cameras this near also rank */
    double hold_s;        /* "hold_s": released after this long without an
                             update of the incident */
};

/* "kinds": {"fire": {...}}: overrides for incidents of one kind; the keys
 * not given keep the policy's values. */
struct layout_callup_kind {
    char *kind;
    struct layout_callup_rule rule;
};

/* The "callup" policy object (defaults when absent: up_to_priority 3,
 * max_cameras 4, radius_m 250, hold_s 900). */
struct layout_callup {
    bool given;                       /* "callup" was in the file */
    struct layout_callup_rule rule;
    struct layout_callup_kind *kinds; /* "kinds", in file order */
    int n_kinds;
};

#define LAYOUT_MAX_SLOT 64            /* call-up slot numbers 1..64 */
#define LAYOUT_MAX_CALLUP_CAMERAS 64  /* "max_cameras" */
#define LAYOUT_MAX_CALLUP_KINDS 64    /* entries in "kinds" */
#define LAYOUT_MAX_HOLD 604800.0      /* "hold_s": a week */

/* "sync": {"tls": {...}}: TLS to the broker (also used for an mqtts:// broker
 * without this object: then the system's CA store).  Paths as for
 * struct layout_sync's files. */
struct layout_sync_tls {
    bool given;
    char *ca_file, *cert_file, *key_file; /* resolved paths, or NULL */
};

/* Top-level "sync": the MQTT broker that keeps several nodes of one wall in
 * step (issue 16).  given == false: the node runs alone (every other field
 * then zero, except keepalive_s).
 *
 * File paths: layout_parse() keeps them as written; layout_load_file()
 * (which knows the layout's path) resolves a relative one against the
 * layout file's directory ("/etc/tessera/wall.json" with "mqtt.pass" gives
 * "/etc/tessera/mqtt.pass"), the directory "basemap" and "registry" are
 * found in.  Nothing here reads the files: their contents are the app's. */
struct layout_sync {
    bool given;
    char *broker;          /* as written: "mqtt://host:1883" (never holds
                              credentials: the parser refuses user@) */
    char *host;            /* parsed from it ("[::1]" -> "::1") */
    int port;              /* parsed; default 1883 (mqtt://), 8883 (mqtts://) */
    bool tls;              /* mqtts:// or a "tls" object */
    char *wall;            /* "wall": the wall's name in topic names */
    char *username_file, *password_file; /* resolved paths, or NULL */
    struct layout_sync_tls tls_files;
    double keepalive_s;    /* "keepalive_s": 1..60, default 2 */
    int line, col;         /* where "sync"'s value is (for messages) */
};

struct layout {
    struct layout_feed *feeds;   /* shared by every view */
    int n_feeds;
    struct layout_output *outputs; /* views[0]'s outputs (an alias, not owned
                                      separately): the view shown at start */
    int n_outputs;
    struct layout_view *views;
    int n_views;
    int *tour_views;             /* top-level "tour": {"layouts": [...]}: view
                                    indexes cycled on the whole wall, or NULL */
    int n_tour_views;
    double tour_dwell;           /* seconds per view, default 30 (set even
                                    without a tour) */
    char *basemap;               /* "basemap": XYZ tile directory
                                    ({z}/{x}/{y}.png) or MBTiles file
                                    (".mbtiles"), or NULL: graticule */
    int basemap_line, basemap_col; /* where "basemap"'s value is */
    char *timezone;              /* the zone consent dates were read in: the
                                    "timezone" key (IANA name) or, without
                                    it, the machine's zone */
    bool timezone_given;         /* "timezone" was in the file */
    double incident_ttl;         /* "incident_ttl": seconds an incident may go
                                    without an update (default 3600) */
    char *registry;              /* "registry": camera registry (GeoJSON),
                                    relative to the layout file, or NULL */
    struct layout_callup callup; /* "callup": the call-up policy */
    struct layout_sync sync;     /* "sync": the broker of a multi-node wall */
};

/* Whether output out is driven by node: true for every output when node is
 * NULL (no --node), else when out->node equals it. */
bool layout_output_on_node(const struct layout_output *out, const char *node);

/* Whether some output of some view of l names node. */
bool layout_has_node(const struct layout *l, const char *node);

/* Whether outputs of l name nodes at all. */
bool layout_uses_nodes(const struct layout *l);

/* Whether name is a valid node name ("node", tessera --node NAME): 1 to
 * LAYOUT_MAX_NODE characters from A-Z, a-z, 0-9, '.', '-' and '_'. */
bool layout_node_name_valid(const char *name);

/* The call-up rule for incidents of kind (NULL or not in "kinds": the
 * policy's own rule); valid while layout is. */
const struct layout_callup_rule *layout_callup_rule(const struct layout *layout,
                                                    const char *kind);

enum layout_severity { LAYOUT_ERROR = 0, LAYOUT_WARNING };

struct layout_diag {
    int line, col;             /* 1-based; col counts UTF-8 code points */
    enum layout_severity severity;
    char *message;             /* owned; no "file:line:col: " prefix */
};

/* A growable list of diagnostics; zero-initialise before first use. */
struct layout_diags {
    struct layout_diag *items;
    int n, cap;
};

/* Parses and validates a layout held in text[0..len), as layout_parse_at()
 * does at the current time. */
int layout_parse(const char *text, size_t len, struct layout **out,
                 struct layout_diags *diags);

/* Parses and validates a layout held in text[0..len) as of now_epoch
 * (seconds since 1970-01-01 UTC; it only decides the warnings about consent
 * that has expired, expires within LAYOUT_CONSENT_WARN_DAYS days or has not
 * started).  On success returns 0 and stores a new layout in *out (caller
 * destroys it); diagnostics may still hold warnings.  On any error returns
 * -EINVAL (-ENOMEM on allocation failure), leaves *out NULL and appends every
 * problem found to diags, sorted by position. */
int layout_parse_at(const char *text, size_t len, long long now_epoch,
                    struct layout **out, struct layout_diags *diags);

/* Reads path and calls layout_parse().  An unreadable file is reported as a
 * diagnostic at 1:1 and returns a negative errno. */
int layout_load_file(const char *path, struct layout **out,
                     struct layout_diags *diags);

/* layout_load_file() as of now_epoch (see layout_parse_at()). */
int layout_load_file_at(const char *path, long long now_epoch,
                        struct layout **out, struct layout_diags *diags);

/* Frees a layout and everything it owns (its outputs through its views; a
 * hand-built layout without views owns "outputs" directly); accepts NULL. */
void layout_destroy(struct layout *layout);

/* Number of diagnostics of the given severity. */
int layout_diags_count(const struct layout_diags *diags,
                       enum layout_severity severity);

/* Writes each diagnostic as "file:line:column: error: message" (or
 * "warning:") on its own line to f. */
void layout_diags_print(const struct layout_diags *diags, const char *file,
                        FILE *f);

/* Frees every diagnostic and empties the list (it stays usable). */
void layout_diags_clear(struct layout_diags *diags);

/* Index of the feed with this id, or -1. */
int layout_find_feed(const struct layout *layout, const char *id);

/* Index of the view (named layout) with this name, or -1. */
int layout_find_view(const struct layout *layout, const char *name);

/* True when a tile of view shows feed, directly or in its tour; false for
 * indexes out of range. */
bool layout_feed_shown(const struct layout *layout, int view, int feed);

/* ---- geometry (pure) ---- */

/* A rectangle in output pixels, origin at the top left. */
struct layout_rect {
    int x, y, w, h;
};

/* The pixel rectangle of a tile in its output: cell edges are rounded so that
 * adjacent tiles share an edge exactly and the grid covers the whole output;
 * "gap" pixels are taken off between neighbouring tiles (not at the border). */
struct layout_rect layout_tile_rect(const struct layout_output *output,
                                    const struct layout_tile *tile);

/* Where a picture of pic_w x pic_h (with sample aspect ratio sar, 1.0 for
 * square pixels) goes inside tile: *dst receives the drawn rectangle (inside
 * tile; smaller than it for contain) and uv[4] = {u0, v0, u1, v1} the part of
 * the picture shown (a sub-range for cover).  A picture with zero size gives
 * dst = tile and the full uv range. */
void layout_fit_rect(enum layout_fit fit, struct layout_rect tile, int pic_w,
                     int pic_h, double sar, struct layout_rect *dst,
                     float uv[4]);

/* Index of the tile of output containing pixel (x, y), or -1. */
int layout_tile_at(const struct layout_output *output, int x, int y);

#endif
