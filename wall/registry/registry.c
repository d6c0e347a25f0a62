/*
 * registry.c - the registry's indexes and the call-up ranking.
 *
 * The spatial index is a grid of REG__CELL_DEG x REG__CELL_DEG cells of
 * latitude and longitude (about 560 m north-south), kept as sorted arrays of
 * (cell, camera) pairs: "pos" files each camera under the cell it stands in,
 * "cover" under every cell its range_m circle may touch.  A point then finds
 * the cameras that may see it in its own cover cell, and the cameras near it
 * in the few pos cells around it; only those get trigonometry.  Longitudes
 * wrap at the antimeridian; a circle that reaches a pole spans every
 * longitude, and a camera whose circle spans more than REG__MAX_COVER cells
 * goes on the short "wide" list that every query checks.
 */
#include "registry/registry_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/geo.h"

#define REG__CELL_DEG 0.005
#define REG__NLAT 36000            /* 180 / REG__CELL_DEG */
#define REG__NLON 72000            /* 360 / REG__CELL_DEG */
#define REG__MAX_COVER 64          /* cells one camera may be filed under */
#define REG__MAX_QUERY_CELLS 4096  /* beyond: scan every camera */
#define REG__M_PER_DEG 111195.08   /* metres per degree of a great circle */

/* A block of cells: rows lat0..lat1, columns lon0..lon0+nlon-1 (mod NLON). */
struct cell_box {
    int lat0, lat1, lon0, nlon;
};

static int lat_row(double lat)
{
    int r = (int)floor((lat + 90.0) / REG__CELL_DEG);
    return r < 0 ? 0 : r >= REG__NLAT ? REG__NLAT - 1 : r;
}

static int lon_col(double lon)
{
    long c = (long)floor((lon + 180.0) / REG__CELL_DEG) % REG__NLON;
    return (int)(c < 0 ? c + REG__NLON : c);
}

static int64_t cell_key(int row, int col)
{
    return (int64_t)row * REG__NLON + col;
}

/* The cells a circle of radius_m around lat/lon may touch, one cell of
 * margin around; returns the number of cells. */
static long circle_box(double lat, double lon, double radius_m, struct cell_box *b)
{
    double d = radius_m / REG__M_PER_DEG; /* angular radius, degrees */
    double lat0 = lat - d, lat1 = lat + d, dlon = 360.0;
    double s = sin(d * M_PI / 180.0) / cos(lat * M_PI / 180.0);

    if (lat0 > -90.0 && lat1 < 90.0 && d < 90.0 && s < 1.0)
        dlon = asin(s) * 180.0 / M_PI; /* the circle's widest longitude */
    b->lat0 = lat_row(lat0) > 0 ? lat_row(lat0) - 1 : 0;
    b->lat1 = lat_row(lat1) < REG__NLAT - 1 ? lat_row(lat1) + 1 : REG__NLAT - 1;
    if (dlon >= 180.0) {
        b->lon0 = 0;
        b->nlon = REG__NLON;
    } else {
        long c0 = (long)floor((lon - dlon + 180.0) / REG__CELL_DEG) - 1;
        long c1 = (long)floor((lon + dlon + 180.0) / REG__CELL_DEG) + 1;
        b->nlon = c1 - c0 + 1 >= REG__NLON ? REG__NLON : (int)(c1 - c0 + 1);
        b->lon0 = (int)(((c0 % REG__NLON) + REG__NLON) % REG__NLON);
    }
    return (long)(b->lat1 - b->lat0 + 1) * b->nlon;
}

static int cell_cmp(const void *pa, const void *pb)
{
    const struct reg_cell *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->cam > b->cam) - (a->cam < b->cam);
}

static int link_cmp(const void *pa, const void *pb)
{
    const struct reg_link *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->cam > b->cam) - (a->cam < b->cam);
}

/* qsort_r is not C11: the id order is computed through this pair array. */
struct id_entry {
    const char *id;
    int cam;
};

static int id_cmp(const void *pa, const void *pb)
{
    return strcmp(((const struct id_entry *)pa)->id, ((const struct id_entry *)pb)->id);
}

static int build_by_id(struct registry *reg)
{
    struct id_entry *e = malloc(((size_t)reg->n + 1) * sizeof *e);
    reg->by_id = malloc(((size_t)reg->n + 1) * sizeof *reg->by_id);
    if (!e || !reg->by_id) {
        free(e);
        return -ENOMEM;
    }
    for (int i = 0; i < reg->n; i++)
        e[i] = (struct id_entry){reg->cams[i].id, i};
    qsort(e, (size_t)reg->n, sizeof *e, id_cmp);
    for (int i = 0; i < reg->n; i++)
        reg->by_id[i] = e[i].cam;
    free(e);
    return 0;
}

/* Number of cover cells camera i is filed under (0: none or wide). */
static long cover_cells(const struct registry *reg, int i, struct cell_box *b)
{
    const struct reg_camera *c = &reg->cams[i];
    long n;
    if (!(c->range_m > 0))
        return 0;
    n = circle_box(c->lat, c->lon, c->range_m, b);
    return n > REG__MAX_COVER ? 0 : n;
}

/* Files camera i under every cell of its range circle, or on the wide list;
 * cover has room enough. */
static void file_cover(struct registry *reg, int i)
{
    struct cell_box b;
    if (cover_cells(reg, i, &b) == 0) {
        if (reg->cams[i].range_m > 0)
            reg->wide[reg->n_wide++] = i;
        return;
    }
    for (int r = b.lat0; r <= b.lat1; r++)
        for (int k = 0; k < b.nlon; k++)
            reg->cover[reg->n_cover++] =
                (struct reg_cell){cell_key(r, (b.lon0 + k) % REG__NLON), i};
}

static int build_cells(struct registry *reg)
{
    size_t n = (size_t)reg->n + 1, covers = 1;
    struct cell_box b;
    for (int i = 0; i < reg->n; i++)
        covers += (size_t)cover_cells(reg, i, &b);
    reg->pos = malloc(n * sizeof *reg->pos);
    reg->cover = malloc(covers * sizeof *reg->cover);
    reg->wide = malloc(n * sizeof *reg->wide);
    if (!reg->pos || !reg->cover || !reg->wide)
        return -ENOMEM;
    for (int i = 0; i < reg->n; i++) {
        reg->pos[reg->n_pos++] = (struct reg_cell){
            cell_key(lat_row(reg->cams[i].lat), lon_col(reg->cams[i].lon)), i};
        file_cover(reg, i);
    }
    qsort(reg->pos, (size_t)reg->n_pos, sizeof *reg->pos, cell_cmp);
    qsort(reg->cover, (size_t)reg->n_cover, sizeof *reg->cover, cell_cmp);
    return 0;
}

static int build_links(struct registry *reg)
{
    size_t total = 1;
    for (int i = 0; i < reg->n; i++)
        total += (size_t)reg->cams[i].n_linked;
    reg->links = malloc(total * sizeof *reg->links);
    if (!reg->links)
        return -ENOMEM;
    for (int i = 0; i < reg->n; i++)
        for (int j = 0; j < reg->cams[i].n_linked; j++)
            reg->links[reg->n_links++] = (struct reg_link){reg->cams[i].linked[j], i};
    qsort(reg->links, (size_t)reg->n_links, sizeof *reg->links, link_cmp);
    return 0;
}

int reg__index_build(struct registry *reg)
{
    int rc = build_by_id(reg);
    if (rc == 0)
        rc = build_cells(reg);
    if (rc == 0)
        rc = build_links(reg);
    return rc;
}

void reg_destroy(struct registry *reg)
{
    if (!reg)
        return;
    for (int i = 0; i < reg->n; i++) {
        struct reg_camera *c = &reg->cams[i];
        free(c->id);
        free(c->url);
        free(c->label);
        free(c->substream);
        free(c->consent.ref);
        for (int j = 0; j < c->n_masks; j++)
            free(c->masks[j].points);
        free(c->masks);
        for (int j = 0; j < c->n_linked; j++)
            free(c->linked[j]);
        free(c->linked);
    }
    free(reg->cams);
    free(reg->by_id);
    free(reg->pos);
    free(reg->cover);
    free(reg->wide);
    free(reg->links);
    free(reg);
}

int reg_count(const struct registry *reg)
{
    return reg ? reg->n : 0;
}

const struct reg_camera *reg_camera_at(const struct registry *reg, int i)
{
    return reg && i >= 0 && i < reg->n ? &reg->cams[i] : NULL;
}

int reg_find(const struct registry *reg, const char *id)
{
    int lo = 0, hi = reg ? reg->n : 0;
    while (id && lo < hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(reg->cams[reg->by_id[mid]].id, id);
        if (c == 0)
            return reg->by_id[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

void reg_camera_feed_view(const struct reg_camera *cam, struct layout_feed *view)
{
    memset(view, 0, sizeof *view);
    view->id = cam->id;
    view->url = cam->url;
    view->label = cam->label;
    view->substream = cam->substream;
    view->has_location = true;
    view->lat = cam->lat;
    view->lon = cam->lon;
    view->range_m = cam->range_m;
    view->owner = cam->owner;
    view->consent = cam->consent;
    view->masks = cam->masks;
    view->n_masks = cam->n_masks;
    view->privacy_given = true;
}

/* ---- ranking ---- */

/* The candidates of one query (a growable array). */
struct cands {
    struct reg_pick *p;
    int n, cap;
    bool oom;
};

static void cand_add(struct cands *c, int cam, enum reg_why why, double dist, double brg)
{
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 64;
        struct reg_pick *p = realloc(c->p, (size_t)cap * sizeof *p);
        if (!p) {
            c->oom = true;
            return;
        }
        c->p = p;
        c->cap = cap;
    }
    c->p[c->n++] = (struct reg_pick){cam, why, dist, brg};
}

/* Whether the camera sees a point at this distance and bearing. */
static bool camera_sees(const struct reg_camera *c, double dist, double brg)
{
    if (c->range_m <= 0 || dist > c->range_m)
        return false;
    if (c->ptz || c->fov_deg >= 360.0)
        return true;
    return c->has_heading && fabs(geo_bearing_diff(c->heading_deg, brg)) <= c->fov_deg / 2;
}

/* Adds camera i as linked, seeing or near (radius_m < 0: only if it sees). */
static void consider(const struct registry *reg, const struct reg_query *q, int i,
                     bool linked, double radius_m, struct cands *c)
{
    const struct reg_camera *cam = &reg->cams[i];
    double dist = geo_distance_m(cam->lat, cam->lon, q->lat, q->lon);
    double brg = geo_bearing_deg(cam->lat, cam->lon, q->lat, q->lon);

    if (linked)
        cand_add(c, i, REG_WHY_LINKED, dist, brg);
    else if (camera_sees(cam, dist, brg))
        cand_add(c, i, REG_WHY_SEES, dist, brg);
    else if (radius_m >= 0 && dist <= radius_m)
        cand_add(c, i, REG_WHY_NEAR, dist, brg);
}

/* First index in cells[0..n) with key ≥ key. */
static int cell_lower(const struct reg_cell *cells, int n, int64_t key)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (cells[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void gather_linked(const struct registry *reg, const struct reg_query *q,
                          struct cands *c)
{
    for (int k = 0; k < q->n_links; k++) {
        int lo = 0, hi = reg->n_links;
        if (!q->links[k])
            continue;
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (strcmp(reg->links[mid].name, q->links[k]) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < reg->n_links && strcmp(reg->links[lo].name, q->links[k]) == 0; lo++)
            consider(reg, q, reg->links[lo].cam, true, -1, c);
    }
}

static void gather_sees(const struct registry *reg, const struct reg_query *q,
                        struct cands *c)
{
    int64_t key = cell_key(lat_row(q->lat), lon_col(q->lon));
    for (int i = cell_lower(reg->cover, reg->n_cover, key);
         i < reg->n_cover && reg->cover[i].key == key; i++)
        consider(reg, q, reg->cover[i].cam, false, -1, c);
    for (int i = 0; i < reg->n_wide; i++)
        consider(reg, q, reg->wide[i], false, -1, c);
}

static void gather_near(const struct registry *reg, const struct reg_query *q,
                        struct cands *c)
{
    struct cell_box b;
    if (!(q->radius_m > 0))
        return;
    if (circle_box(q->lat, q->lon, q->radius_m, &b) > REG__MAX_QUERY_CELLS) {
        for (int i = 0; i < reg->n; i++)
            consider(reg, q, i, false, q->radius_m, c);
        return;
    }
    for (int r = b.lat0; r <= b.lat1; r++) {
        for (int k = 0; k < b.nlon; k++) {
            int64_t key = cell_key(r, (b.lon0 + k) % REG__NLON);
            for (int i = cell_lower(reg->pos, reg->n_pos, key);
                 i < reg->n_pos && reg->pos[i].key == key; i++)
                consider(reg, q, reg->pos[i].cam, false, q->radius_m, c);
        }
    }
}

static int by_cam_why(const void *pa, const void *pb)
{
    const struct reg_pick *a = pa, *b = pb;
    if (a->camera != b->camera)
        return a->camera < b->camera ? -1 : 1;
    return (a->why > b->why) - (a->why < b->why);
}

static int by_rank(const void *pa, const void *pb)
{
    const struct reg_pick *a = pa, *b = pb;
    if (a->why != b->why)
        return a->why < b->why ? -1 : 1;
    if (a->distance_m != b->distance_m)
        return a->distance_m < b->distance_m ? -1 : 1;
    return (a->camera > b->camera) - (a->camera < b->camera);
}

int reg_rank(const struct registry *reg, const struct reg_query *q,
             struct reg_pick *out, int cap)
{
    struct cands c = {0};
    int n = 0, kept = 0;

    if (!reg || cap <= 0)
        return 0;
    gather_linked(reg, q, &c);
    gather_sees(reg, q, &c);
    gather_near(reg, q, &c);
    if (c.oom || c.n == 0) {
        free(c.p);
        return c.oom ? -ENOMEM : 0;
    }
    qsort(c.p, (size_t)c.n, sizeof *c.p, by_cam_why); /* best reason first */
    for (int i = 0; i < c.n; i++)
        if (kept == 0 || c.p[kept - 1].camera != c.p[i].camera)
            c.p[kept++] = c.p[i];
    qsort(c.p, (size_t)kept, sizeof *c.p, by_rank);
    for (int i = 0; i < kept && n < cap; i++) {
        const struct reg_pick *p = &c.p[i];
        bool sees = camera_sees(&reg->cams[p->camera], p->distance_m, p->bearing_deg);
        if (!q->allow || q->allow(&reg->cams[p->camera], p->distance_m, sees, q->opaque))
            out[n++] = *p;
    }
    free(c.p);
    return n;
}
