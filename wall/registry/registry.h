/*
 * registry.h - the camera registry: every camera the agency knows of, with
 * where it stands and what it can see, read from a GeoJSON FeatureCollection
 * of Point features (what GIS tools export) and indexed for "which cameras
 * can see this point" in well under a millisecond for 10,000 cameras.
 *
 * Pure data: no GL, no threads of its own.  A registry is immutable once
 * loaded (a reload builds a new one), so any thread may read it.
 */
#ifndef TESSERA_REGISTRY_H
#define TESSERA_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "layout/layout.h"

struct tz_zone;

#define REG_MAX_CAMERAS 100000  /* features in one registry */
#define REG_MAX_LINKED 64       /* entries in a camera's "linked" */
#define REG_MAX_HEIGHT_M 10000.0

/* One registered camera (the properties of its Feature). */
struct reg_camera {
    char *id;            /* "id": unique, at most LAYOUT_MAX_ID - 1 bytes */
    char *url;           /* "url": may carry credentials: never log raw */
    char *label;         /* "label"; defaults to id */
    char *substream;     /* "substream", or NULL */
    double lat, lon;     /* the Point's [lon, lat] */
    bool has_heading;    /* "heading_deg" was given */
    double heading_deg;  /* 0 = north, clockwise, 0 ≤ h < 360 */
    double fov_deg;      /* "fov_deg": horizontal view width, 0 < f ≤ 360 */
    double range_m;      /* "range_m": how far it usefully sees; 0: unknown */
    double height_m;     /* "height_m" above ground; informative */
    bool ptz;            /* "ptz": can look any way (sees a circle) */
    enum layout_owner owner;        /* "owner" */
    struct layout_consent consent;  /* "consent" (as in a layout feed) */
    struct layout_mask *masks;      /* "masks" (as in a layout feed) */
    int n_masks;
    char **linked;       /* "linked": place ids or incident kinds */
    int n_linked;
};

/* A loaded registry with its indexes. */
struct registry;

/* Parses a GeoJSON registry held in text[0..len).  Dates in consent are read
 * in tz (NULL: UTC).  Returns 0 and a new registry in *out, or -EINVAL (every
 * problem appended to diags as "line:column" diagnostics, sorted) or -ENOMEM;
 * *out is NULL on error.  Warnings (unknown properties) may be appended on
 * success too. */
int reg_parse(const char *text, size_t len, const struct tz_zone *tz,
              struct registry **out, struct layout_diags *diags);

/* Reads path and calls reg_parse(); an unreadable file is one diagnostic at
 * 1:1 and a negative errno. */
int reg_load_file(const char *path, const struct tz_zone *tz,
                  struct registry **out, struct layout_diags *diags);

/* Frees a registry and its cameras; accepts NULL. */
void reg_destroy(struct registry *reg);

/* Number of cameras. */
int reg_count(const struct registry *reg);

/* Camera i (0 ≤ i < reg_count(), in file order); valid while reg lives. */
const struct reg_camera *reg_camera_at(const struct registry *reg, int i);

/* Index of the camera with this id, or -1. */
int reg_find(const struct registry *reg, const char *id);

/* Fills *view (zeroed first) with a layout feed that borrows cam's id, url,
 * label, location, range and privacy, so the layout's consent rules
 * (consent_gate()) and masks apply to registry cameras unchanged.  view
 * points into cam: valid while cam is; never pass it to layout_destroy. */
void reg_camera_feed_view(const struct reg_camera *cam, struct layout_feed *view);

/* The path of a layout's "registry" file: registry itself when absolute,
 * else relative to layout_path's directory.  A new string (caller frees), or
 * NULL when registry is NULL or memory ran out. */
char *reg_layout_path(const char *layout_path, const char *registry);

/* Fills every feed of lay that names a "camera" (and has no url yet) from
 * that registry camera: url, substream, label (unless the feed has its own),
 * place, range, owner, consent and masks (copies the layout owns).  A camera
 * not in reg is an error at the "camera" value in diags.  Returns 0, -EINVAL
 * or -ENOMEM. */
int reg_layout_resolve(struct layout *lay, const struct registry *reg,
                       struct layout_diags *diags);

/* The feed of lay that shows registry camera cam: a feed naming it as its
 * "camera", or else a feed appended to lay for it (marked on_demand; its id
 * is cam's id, or "registry/ID" when a feed of the file has that id), filled
 * in like a "camera" feed.  Returns the feed's index, or -ENOMEM (lay
 * unchanged).  Appending moves lay->feeds: pointers into it go stale; only
 * the layout's owner, on its thread, may call this on a layout in use. */
int reg_layout_add_camera(struct layout *lay, const struct reg_camera *cam);

/* Reads the layout at layout_path and, when it names a "registry", that file
 * (consent dates in the layout's time zone), and resolves the layout's
 * camera feeds; a "basemap" ending .mbtiles must open as an MBTiles file
 * (an error at its value otherwise).  Returns 0 with *lay and *reg (NULL: no
 * registry) set, or a
 * negative errno with both NULL.  The layout's problems go to lay_diags, the
 * registry file's to reg_diags; *reg_path is the registry's path (caller
 * frees; NULL without one) for printing reg_diags. */
int reg_load_layout(const char *layout_path, struct layout **lay, struct registry **reg,
                    char **reg_path, struct layout_diags *lay_diags,
                    struct layout_diags *reg_diags);

/* Why a camera was chosen, best group first. */
enum reg_why {
    REG_WHY_LINKED = 0, /* "linked" names one of the query's links */
    REG_WHY_SEES,       /* the point lies in its view sector (PTZ: circle) */
    REG_WHY_NEAR,       /* within the query's radius_m only */
};

/* Decides whether a candidate may be chosen (consent, role); sees: the point
 * lies within its range (its sector, or circle for PTZ). */
typedef bool (*reg_allow_fn)(const struct reg_camera *cam, double distance_m,
                             bool sees, void *opaque);

/* What to rank cameras for. */
struct reg_query {
    double lat, lon;          /* the incident or clicked point */
    const char *const *links; /* matched against each camera's "linked"
                                 (incident id, kind, place); may be NULL */
    int n_links;
    double radius_m;          /* the third group: others this near */
    reg_allow_fn allow;       /* NULL: every camera allowed */
    void *opaque;             /* passed to allow */
};

/* One chosen camera. */
struct reg_pick {
    int camera;          /* index for reg_camera_at() */
    enum reg_why why;
    double distance_m;   /* great-circle, camera to point */
    double bearing_deg;  /* initial bearing from the camera to the point */
};

/* Ranks the cameras for q: linked ones first, then those whose view sector
 * contains the point (distance ≤ range_m and bearing within fov_deg/2 of
 * heading_deg; PTZ: within range_m), then the others within q->radius_m,
 * nearest first within each group (ties by file order); cameras q->allow
 * refuses are skipped.  Writes at most cap picks to out and returns their
 * number, or -ENOMEM. */
int reg_rank(const struct registry *reg, const struct reg_query *q,
             struct reg_pick *out, int cap);

#endif
