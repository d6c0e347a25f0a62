/*
 * test_registry.c - the camera registry: bearings and distances against
 * known values, the GeoJSON loader's errors with their line and column, and
 * the call-up ranking over 56 cameras placed by hand (each one's distance
 * and bearing to its incident worked out in the comments) with the exact
 * expected camera list for 15 incidents.  Then the spatial index against a
 * plain scan of every camera for thousands of random points (a city, the
 * antimeridian, the Arctic), and the time per selection with 10,000 cameras
 * (printed, not judged: speed claims belong in tools/bench).
 */
#include "registry/registry.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/consent.h"
#include "base/geo.h"
#include "check.h"

#define M_PER_DEG 111195.08 /* metres per degree of a great circle */
#define NOW 1796472000LL    /* 2026-12-05T12:00:00Z */

/* ---- geometry ---- */

static void test_geo(struct check_counts *cc)
{
    static const struct {
        double lat1, lon1, lat2, lon2, bearing, dist_m;
    } cases[] = {
        {0, 0, 1, 0, 0, 111195.08},            /* due north */
        {0, 0, 0, 1, 90, 111195.08},           /* due east on the equator */
        {0, 0, -1, 0, 180, 111195.08},
        {0, 0, 0, -1, 270, 111195.08},
        {0, 179.9, 0, -179.9, 90, 22239.02},   /* east across the antimeridian */
        {0, -179.9, 0, 179.9, 270, 22239.02},  /* and back west */
        {89.999, 0, 89.999, 180, 0, 222.39},   /* across the north pole */
        {51.5074, -0.1278, 48.8566, 2.3522, 148.12, 343560}, /* London-Paris */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double b = geo_bearing_deg(cases[i].lat1, cases[i].lon1, cases[i].lat2, cases[i].lon2);
        double d = geo_distance_m(cases[i].lat1, cases[i].lon1, cases[i].lat2, cases[i].lon2);
        CHECK(cc, fabs(geo_bearing_diff(cases[i].bearing, b)) < 0.01,
              "case %zu: bearing %.4f, want %.2f", i, b, cases[i].bearing);
        CHECK(cc, fabs(d - cases[i].dist_m) < cases[i].dist_m * 1e-4 + 0.01,
              "case %zu: distance %.2f, want %.2f", i, d, cases[i].dist_m);
    }
    CHECK(cc, geo_bearing_diff(355, 5) == 10, "355 -> 5 is +10");
    CHECK(cc, geo_bearing_diff(5, 355) == -10, "5 -> 355 is -10");
    CHECK(cc, geo_bearing_diff(0, 180) == 180, "0 -> 180 is +180");
    CHECK(cc, geo_bearing_diff(180, 0) == 180, "180 -> 0 is +180 (not -180)");
    CHECK(cc, geo_bearing_diff(170, -170) == 20, "170 -> -170 is +20");
}

/* ---- a registry written as GeoJSON ---- */

struct text {
    char *s;
    size_t n, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    while (t->n + (size_t)len + 1 > t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4096;
        if (!(t->s = realloc(t->s, t->cap)))
            abort();
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    t->n += (size_t)len;
}

static void put_camera(struct text *t, const char *id, double lat, double lon,
                       const char *props)
{
    put(t, "%s\n {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", "
        "\"coordinates\": [%.10f, %.10f]}, \"properties\": {\"id\": \"%s\", "
        "\"url\": \"rtsp://127.0.0.1:8554/%s\"%s%s}}",
        t->n > 60 ? "," : "", lon, lat, id, id, props[0] ? ", " : "", props);
}

static void put_head(struct text *t)
{
    put(t, "{\"type\": \"FeatureCollection\", \"name\": \"test\", \"features\": [");
}

/* Anchors (incident points) of the hand-placed sites. */
static const double site[][2] = {
    {0, 0},
    {32.2988, -90.1848},  /* 1: facing / not facing */
    {40.7128, -74.0060},  /* 2: bearings wrapping at 0/360 and 180 */
    {29.7604, -95.3698},  /* 3: linked cameras */
    {34.0522, -118.2437}, /* 4: private cameras and consent */
    {78.2232, 15.6267},   /* 6 (index 5): high latitude */
    {51.5074, -0.1278},   /* 7 (index 6): a camera seeing 20 km */
};

/* A hand-placed camera: n metres north and e metres east of its site's
 * anchor (site 0: n and e are the latitude and longitude themselves). */
static const struct hand_camera {
    const char *id;
    int site;
    double n, e;
    const char *props;
} hand[] = {
    /* site 1: c01 50 m north facing north (away; bearing to P1 180): near
     * only; c02 120 m south facing north: sees; c03 150 m east, PTZ;
     * c04 300 m west facing east, sees (range 400); c05 400 m north, beyond
     * its range 300 and radius 250; c06 282.8 m NE, beyond its range 250;
     * c07 141.4 m SW facing 45 ± 5 (bearing 45.000): sees; c08 141.4 m SE
     * facing 45 (bearing 315): near only. */
    {"c01", 1, 50, 0, "\"heading_deg\": 0, \"fov_deg\": 60, \"range_m\": 200"},
    {"c02", 1, -120, 0, "\"heading_deg\": 0, \"fov_deg\": 60, \"range_m\": 200"},
    {"c03", 1, 0, 150, "\"ptz\": true, \"range_m\": 200"},
    {"c04", 1, 0, -300, "\"heading_deg\": 90, \"fov_deg\": 40, \"range_m\": 400"},
    {"c05", 1, 400, 0, "\"heading_deg\": 180, \"fov_deg\": 90, \"range_m\": 300"},
    {"c06", 1, 200, 200, "\"heading_deg\": 225, \"fov_deg\": 30, \"range_m\": 250"},
    {"c07", 1, -100, -100, "\"heading_deg\": 45, \"fov_deg\": 10, \"range_m\": 150"},
    {"c08", 1, -100, 100, "\"heading_deg\": 45, \"fov_deg\": 10, \"range_m\": 150"},
    /* site 2: c10 200 m south facing 355 ± 15 (bearing 0): sees across 0;
     * c11 150.03 m north, 3 m west, facing 185 ± 7 (bearing 178.85, atan2's
     * side of 180): sees; c12 and c13 100.5 m south, 10 m east (bearing
     * 354.29): c12 faces 5 ± 10 (off by 10.71: near only), c13 5 ± 15:
     * sees; c14 110.45 m away (bearing 5.19) facing 350 ± 15: off by 15.19,
     * near only. */
    {"c10", 2, -200, 0, "\"heading_deg\": 355, \"fov_deg\": 30, \"range_m\": 300"},
    {"c11", 2, 150, -3, "\"heading_deg\": 185, \"fov_deg\": 14, \"range_m\": 300"},
    {"c12", 2, -100, 10, "\"heading_deg\": 5, \"fov_deg\": 20, \"range_m\": 300"},
    {"c13", 2, -100, 10, "\"heading_deg\": 5, \"fov_deg\": 30, \"range_m\": 300"},
    {"c14", 2, -110, -10, "\"heading_deg\": 350, \"fov_deg\": 30, \"range_m\": 300"},
    /* site 3: c20 3 km north, linked to the place "1st-national", far beyond
     * its range; c21 1 km south, linked to the kind "bank-alarm"; c22 80 m
     * north, PTZ range 100: sees; c23 60 m east facing north (bearing 270):
     * near only. */
    {"c20", 3, 3000, 0, "\"heading_deg\": 180, \"fov_deg\": 10, \"range_m\": 500, "
                        "\"linked\": [\"1st-national\"]"},
    {"c21", 3, -1000, 0, "\"heading_deg\": 0, \"fov_deg\": 10, \"range_m\": 200, "
                         "\"linked\": [\"bank-alarm\", \"riverside\"]"},
    {"c22", 3, 80, 0, "\"ptz\": true, \"range_m\": 100"},
    {"c23", 3, 0, 60, "\"heading_deg\": 0, \"fov_deg\": 90, \"range_m\": 100"},
    /* site 4 (now 2026-12-05): c30 private, consent expired 2026-06-30, 50 m
     * north, PTZ: skipped; c31 private live consent to 2027, 100 m north
     * facing south: sees; c32 private incident-only, 120 m south, PTZ range
     * 150: sees (for cad incidents only); c33 private without consent: never;
     * c34 agency 200 m east facing west: sees; c35 private incident-only,
     * 180 m west, PTZ range 100: near only, so not in range: standby. */
    {"c30", 4, 50, 0, "\"ptz\": true, \"range_m\": 200, \"owner\": \"private\", "
                      "\"consent\": {\"ref\": \"W-1\", \"granted\": \"2026-01-01\", "
                      "\"expires\": \"2026-06-30\"}"},
    {"c31", 4, 100, 0, "\"heading_deg\": 180, \"fov_deg\": 60, \"range_m\": 200, "
                       "\"owner\": \"private\", \"consent\": {\"ref\": \"W-2\", "
                       "\"granted\": \"2026-01-01\", \"expires\": \"2027-12-31\"}"},
    {"c32", 4, -120, 0, "\"ptz\": true, \"range_m\": 150, \"owner\": \"private\", "
                        "\"consent\": {\"ref\": \"W-3\", \"granted\": \"2026-01-01\", "
                        "\"expires\": \"2027-12-31\", \"scope\": \"incident-only\"}"},
    {"c33", 4, 30, 0, "\"ptz\": true, \"range_m\": 100, \"owner\": \"private\""},
    {"c34", 4, 0, 200, "\"heading_deg\": 270, \"fov_deg\": 20, \"range_m\": 250"},
    {"c35", 4, 0, -180, "\"ptz\": true, \"range_m\": 100, \"owner\": \"private\", "
                        "\"consent\": {\"ref\": \"W-5\", \"granted\": \"2026-01-01\", "
                        "\"expires\": \"2027-12-31\", \"scope\": \"incident-only\"}"},
    /* the antimeridian, P5 = (-17.75, 179.998): c40 at -179.999 (317.7 m
     * east across it, bearing 270.00) facing west: sees; c41 at 179.996
     * (211.8 m west) facing east: sees; c42 at -179.9995 (264.75 m east)
     * facing east: near only (radius 300); c43 at 179.9 (10.4 km): none. */
    {"c40", 0, -17.75, -179.999, "\"heading_deg\": 270, \"fov_deg\": 30, \"range_m\": 400"},
    {"c41", 0, -17.75, 179.996, "\"heading_deg\": 90, \"fov_deg\": 20, \"range_m\": 300"},
    {"c42", 0, -17.75, -179.9995, "\"heading_deg\": 90, \"fov_deg\": 20, \"range_m\": 400"},
    {"c43", 0, -17.75, 179.9, "\"ptz\": true, \"range_m\": 1000"},
    /* high latitude, P6 = (78.2232, 15.6267), where a degree of longitude is
     * 22.7 km: c50 300 m east (0.01322 deg) facing west: sees; c51 250 m
     * north facing south: sees; c52 0.002 deg west = 45.39 m (degrees as
     * metres would say 222 m), PTZ range 100: sees; c53 0.004 deg east =
     * 90.78 m facing north: near only; c54 260 m south, PTZ range 200: none. */
    {"c50", 5, 0, 300, "\"heading_deg\": 270, \"fov_deg\": 20, \"range_m\": 350"},
    {"c51", 5, 250, 0, "\"heading_deg\": 180, \"fov_deg\": 20, \"range_m\": 300"},
    {"c52", 0, 78.2232, 15.6247, "\"ptz\": true, \"range_m\": 100"},
    {"c53", 0, 78.2232, 15.6307, "\"heading_deg\": 0, \"fov_deg\": 10, \"range_m\": 200"},
    {"c54", 5, -260, 0, "\"ptz\": true, \"range_m\": 200"},
    /* the north pole, P7 = (89.999, 0): c60 at (89.999, 180), 222.39 m
     * across the pole, PTZ range 300: sees; c61 at (89.998, 90), 248.64 m,
     * no view data: near only (radius 300). */
    {"c60", 0, 89.999, 180, "\"ptz\": true, \"range_m\": 300"},
    {"c61", 0, 89.998, 90, ""},
    /* P8 = London: c70 15 km north facing south, range 20 km (too wide for
     * the grid: the wide list): sees; c71 100 m north facing north: near. */
    {"c70", 6, 15000, 0, "\"heading_deg\": 180, \"fov_deg\": 10, \"range_m\": 20000"},
    {"c71", 6, 100, 0, "\"heading_deg\": 0, \"fov_deg\": 60, \"range_m\": 200"},
};

#define N_BG_ROWS 5
#define N_BG_COLS 4

/* The hand-placed cameras, then a 5 x 4 grid of PTZ cameras 1 km apart
 * (range 600 m) north-east of (45, 7): bgRC, R rows north, C columns east. */
static char *hand_registry(void)
{
    struct text t = {0};
    put_head(&t);
    for (size_t i = 0; i < sizeof hand / sizeof *hand; i++) {
        const struct hand_camera *h = &hand[i];
        double lat = h->n, lon = h->e;
        if (h->site) {
            const double *a = site[h->site];
            lat = a[0] + h->n / M_PER_DEG;
            lon = a[1] + h->e / (M_PER_DEG * cos(a[0] * M_PI / 180));
        }
        put_camera(&t, h->id, lat, lon, h->props);
    }
    for (int r = 0; r < N_BG_ROWS; r++) {
        for (int c = 0; c < N_BG_COLS; c++) {
            char id[8];
            snprintf(id, sizeof id, "bg%d%d", r, c);
            put_camera(&t, id, 45 + r * 1000 / M_PER_DEG,
                       7 + c * 1000 / (M_PER_DEG * cos(45 * M_PI / 180)),
                       "\"ptz\": true, \"range_m\": 600");
        }
    }
    put(&t, "\n]}\n");
    return t.s;
}

/* ---- the ranking table ---- */

/* The consent rules of the wall, for a cad (or other) incident. */
static bool allow_consent(const struct reg_camera *cam, double distance_m, bool sees,
                          void *opaque)
{
    struct layout_feed view;
    char text[160];
    bool cad = *(const bool *)opaque;
    (void)distance_m;
    reg_camera_feed_view(cam, &view);
    return consent_gate(&view, NOW, sees && cad, text, sizeof text) == CONSENT_OPEN;
}

static const struct rank_case {
    const char *name;
    double lat, lon;  /* site index in lat when lon is NAN */
    const char *links[2];
    double radius_m;
    int max;
    int consent;      /* 0: allow all; 1: consent for a cad incident; 2: other */
    const char *want;
} rank_cases[] = {
    {"facing beats near", 1, NAN, {0}, 250, 10, 0, "c02 c07 c03 c04 c01 c08"},
    {"max 4 takes the best", 1, NAN, {0}, 250, 4, 0, "c02 c07 c03 c04"},
    {"no radius: sectors only", 1, NAN, {0}, 0, 10, 0, "c02 c07 c03 c04"},
    {"bearings wrap at 0 and 180", 2, NAN, {0}, 250, 10, 0, "c13 c11 c10 c12 c14"},
    {"linked first, beyond range", 3, NAN, {"1st-national", "bank-alarm"}, 250, 10, 0,
     "c21 c20 c22 c23"},
    {"no links", 3, NAN, {0}, 250, 10, 0, "c22 c23"},
    {"one link, max 2", 3, NAN, {"bank-alarm"}, 250, 2, 0, "c21 c22"},
    {"consent, cad incident", 4, NAN, {0}, 250, 10, 1, "c31 c32 c34"},
    {"consent, operator incident", 4, NAN, {0}, 250, 10, 2, "c31 c34"},
    {"without the consent rules", 4, NAN, {0}, 250, 10, 0, "c33 c30 c31 c32 c34 c35"},
    {"antimeridian", -17.75, 179.998, {0}, 300, 10, 0, "c41 c40 c42"},
    {"high latitude", 5, NAN, {0}, 250, 10, 0, "c52 c51 c50 c53"},
    {"north pole", 89.999, 0, {0}, 300, 10, 0, "c60 c61"},
    {"a camera seeing 20 km", 6, NAN, {0}, 250, 10, 0, "c70 c71"},
    {"nothing there", 0, 0, {0}, 250, 10, 0, ""},
    {"grid: 100 m north of bg21", 45 + 2100 / M_PER_DEG,
     7 + 1000 / (M_PER_DEG * 0.70710678118654752), {0}, 250, 10, 0, "bg21"},
};

static void run_rank_case(struct check_counts *cc, const struct registry *reg,
                          const struct rank_case *k)
{
    struct reg_pick picks[32];
    char got[256] = "";
    bool cad = k->consent == 1;
    struct reg_query q = {k->lat, k->lon, k->links, k->links[1] ? 2 : k->links[0] ? 1 : 0,
                          k->radius_m, k->consent ? allow_consent : NULL, &cad};
    if (isnan(k->lon)) {
        q.lat = site[(int)k->lat][0];
        q.lon = site[(int)k->lat][1];
    }
    int n = reg_rank(reg, &q, picks, k->max);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "%s%s", i ? " " : "",
                 reg_camera_at(reg, picks[i].camera)->id);
    }
    CHECK(cc, strcmp(got, k->want) == 0, "%s: got \"%s\", want \"%s\"", k->name, got,
          k->want);
}

/* Distances and reasons the comments above promise. */
static void check_picks(struct check_counts *cc, const struct registry *reg)
{
    static const struct {
        int rank_case;
        const char *id;
        enum reg_why why;
        double dist_m;
    } want[] = {
        {0, "c07", REG_WHY_SEES, 141.42}, {0, "c01", REG_WHY_NEAR, 50.0},
        {3, "c11", REG_WHY_SEES, 150.03}, {4, "c20", REG_WHY_LINKED, 3000.0},
        {10, "c40", REG_WHY_SEES, 317.71}, {10, "c42", REG_WHY_NEAR, 264.75},
        {11, "c52", REG_WHY_SEES, 45.39}, {11, "c53", REG_WHY_NEAR, 90.78},
        {12, "c60", REG_WHY_SEES, 222.39}, {13, "c70", REG_WHY_SEES, 15000.0},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const struct rank_case *k = &rank_cases[want[i].rank_case];
        struct reg_pick picks[32];
        struct reg_query q = {isnan(k->lon) ? site[(int)k->lat][0] : k->lat,
                              isnan(k->lon) ? site[(int)k->lat][1] : k->lon, k->links,
                              k->links[1] ? 2 : k->links[0] ? 1 : 0, k->radius_m, NULL, NULL};
        int n = reg_rank(reg, &q, picks, 32), found = 0;
        for (int j = 0; j < n; j++) {
            if (strcmp(reg_camera_at(reg, picks[j].camera)->id, want[i].id) != 0)
                continue;
            found = 1;
            CHECK_INT(cc, picks[j].why, want[i].why);
            CHECK(cc, fabs(picks[j].distance_m - want[i].dist_m) < 0.05,
                  "%s: %.3f m, want %.2f", want[i].id, picks[j].distance_m, want[i].dist_m);
        }
        CHECK(cc, found, "%s not picked in case %d", want[i].id, want[i].rank_case);
    }
}

static void test_rank(struct check_counts *cc)
{
    char *text = hand_registry();
    struct layout_diags d = {0};
    struct registry *reg = NULL;
    int rc = reg_parse(text, strlen(text), NULL, &reg, &d);

    CHECK_INT(cc, rc, 0);
    if (rc != 0)
        layout_diags_print(&d, "hand.geojson", stderr);
    /* c33: a private camera without consent is a warning, not an error */
    CHECK_INT(cc, layout_diags_count(&d, LAYOUT_WARNING), 1);
    CHECK_INT(cc, reg_count(reg), (int)(sizeof hand / sizeof *hand) + N_BG_ROWS * N_BG_COLS);
    CHECK(cc, reg_count(reg) >= 50, "at least 50 cameras");
    for (size_t i = 0; reg && i < sizeof rank_cases / sizeof *rank_cases; i++)
        run_rank_case(cc, reg, &rank_cases[i]);
    if (reg)
        check_picks(cc, reg);
    reg_destroy(reg);
    layout_diags_clear(&d);
    free(text);
}

/* ---- the loader ---- */

static const struct load_case {
    const char *name, *text;
    int rc, line, col;
    const char *message; /* a part of the first diagnostic */
} load_cases[] = {
    {"coordinates out of range",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [200, 10]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\"}}\n"
     "]}\n",
     -EINVAL, 2, 67, "are not [longitude, latitude]"},
    {"missing id",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"url\": \"rtsp://h/a\"}}\n"
     "]}\n",
     -EINVAL, 3, 17, "need \"id\""},
    {"duplicate id",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\"}},\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/b\"}}\n"
     "]}\n",
     -EINVAL, 5, 24, "camera id \"a\" is already used (line 2, column 2)"},
    {"heading 360",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\",\n"
     "   \"heading_deg\": 360, \"fov_deg\": 60}}\n"
     "]}\n",
     -EINVAL, 4, 19, "\"heading_deg\" must be a number from 0 to 360 (exclusive)"},
    {"consent on an agency camera",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\",\n"
     "   \"consent\": {\"ref\": \"W-1\", \"granted\": \"2026-01-01\", \"expires\": \"2027-01-01\"}}}\n"
     "]}\n",
     -EINVAL, 4, 15, "\"consent\" is for private cameras"},
    {"not a FeatureCollection",
     "{\"type\": \"Feature\", \"features\": []}\n",
     -EINVAL, 1, 1, "must be a GeoJSON object"},
    {"a LineString",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"LineString\", \"coordinates\": [[-90, 32], [-90, 33]]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\"}}\n"
     "]}\n",
     -EINVAL, 2, 34, "must be a Point"},
    {"consent ends before it starts",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\", \"owner\": \"private\",\n"
     "   \"consent\": {\"ref\": \"W-1\", \"granted\": \"2027-01-01\", \"expires\": \"2026-01-01\"}}}\n"
     "]}\n",
     -EINVAL, 4, 66, "is before \"granted\""},
    {"a date that does not exist",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\", \"owner\": \"private\",\n"
     "   \"consent\": {\"ref\": \"W-1\", \"granted\": \"2026-02-29\", \"expires\": \"2027-01-01\"}}}\n"
     "]}\n",
     -EINVAL, 4, 41, "\"granted\" must be a date"},
    {"a signed year",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\", \"owner\": \"private\",\n"
     "   \"consent\": {\"ref\": \"W-1\", \"granted\": \"+202-02-01\", \"expires\": \"2027-01-01\"}}}\n"
     "]}\n",
     -EINVAL, 4, 41, "\"granted\" must be a date"},
    {"heading without fov",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\", \"heading_deg\": 90}}\n"
     "]}\n",
     -EINVAL, 3, 65, "needs \"fov_deg\""},
    {"duplicate property",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\", \"url\": \"rtsp://h/b\"}}\n"
     "]}\n",
     -EINVAL, 3, 57, "duplicate property \"url\""},
    {"linked not a string",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\", \"linked\": [\"ok\", 7]}}\n"
     "]}\n",
     -EINVAL, 3, 67, "\"linked\" must be a non-empty string"},
    {"syntax error",
     "{\"type\": \"FeatureCollection\",\n"
     " \"features\": [}\n",
     -EINVAL, 2, 15, ""},
    {"unknown property: a warning",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\", \"model\": \"XNV-6080\"}}\n"
     "]}\n",
     0, 3, 59, "unknown camera property \"model\" (ignored)"},
    {"a control character in a name stays inside its one-line message",
     "{\"type\": \"FeatureCollection\", \"features\": [\n"
     " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", \"coordinates\": [-90, 32]},\n"
     "  \"properties\": {\"id\": \"a\", \"url\": \"rtsp://h/a\", \"r\\nge_m\": 1}}\n"
     "]}\n",
     0, 3, 61, "unknown camera property \"r?ge_m\" (ignored)"},
};

static void test_load_errors(struct check_counts *cc)
{
    for (size_t i = 0; i < sizeof load_cases / sizeof *load_cases; i++) {
        const struct load_case *k = &load_cases[i];
        struct layout_diags d = {0};
        struct registry *reg = NULL;
        int rc = reg_parse(k->text, strlen(k->text), NULL, &reg, &d);
        CHECK(cc, rc == k->rc, "%s: rc %d, want %d", k->name, rc, k->rc);
        CHECK(cc, (rc == 0) == (reg != NULL), "%s: registry only on success", k->name);
        CHECK(cc, d.n >= 1, "%s: a diagnostic", k->name);
        if (d.n >= 1) {
            CHECK(cc, d.items[0].line == k->line && d.items[0].col == k->col,
                  "%s: at %d:%d, want %d:%d (%s)", k->name, d.items[0].line,
                  d.items[0].col, k->line, k->col, d.items[0].message);
            CHECK(cc, strstr(d.items[0].message, k->message) != NULL,
                  "%s: message \"%s\" lacks \"%s\"", k->name, d.items[0].message,
                  k->message);
        }
        reg_destroy(reg);
        layout_diags_clear(&d);
    }
}

/* Lookups, defaults, masks and consent dates of one full camera. */
/* Registry cameras added to a layout on demand: a camera feed is found, not
 * added; a new one takes the camera's id (or "registry/ID" when a feed of the
 * file has it), its url, label and privacy, once. */
static void check_on_demand(struct check_counts *cc, const struct registry *reg)
{
    static const char text[] =
        "{\"feeds\": {\"b\": {\"url\": \"rtsp://x/b\"}},\n"
        " \"outputs\": [{\"size\": [640, 360], \"grid\": [1, 1],\n"
        "   \"tiles\": [{\"feed\": \"b\", \"cell\": [0, 0]}]}]}";
    struct layout_diags d = {0};
    struct layout *lay = NULL;
    CHECK_INT(cc, layout_parse(text, sizeof text - 1, &lay, &d), 0);
    if (!lay)
        return;
    int gate = reg_layout_add_camera(lay, reg_camera_at(reg, 0));
    CHECK_INT(cc, gate, 1);
    CHECK_INT(cc, lay->n_feeds, 2);
    const struct layout_feed *f = &lay->feeds[1];
    CHECK(cc, f->on_demand && !lay->feeds[0].on_demand, "on_demand marks the added feed");
    CHECK_STR(cc, f->id, "gate");
    CHECK_STR(cc, f->camera, "gate");
    CHECK_STR(cc, f->url, "rtsp://h/gate");
    CHECK_STR(cc, f->substream, "rtsp://h/gate2");
    CHECK(cc, f->owner == LAYOUT_OWNER_PRIVATE && f->n_masks == 1 && f->has_location &&
                  f->range_m == 120 && strcmp(f->consent.ref, "W-2026-0012") == 0,
          "the added feed has the camera's privacy and place");
    CHECK_INT(cc, reg_layout_add_camera(lay, reg_camera_at(reg, 0)), 1); /* once */
    CHECK_INT(cc, reg_layout_add_camera(lay, reg_camera_at(reg, 1)), 2);
    CHECK_STR(cc, lay->feeds[2].id, "registry/b"); /* "b" is the file's */
    CHECK_STR(cc, lay->feeds[2].label, "Bay");
    CHECK_INT(cc, lay->n_feeds, 3);
    CHECK(cc, lay->feeds[3].id == NULL, "the feed list stays terminated");
    layout_destroy(lay);
    layout_diags_clear(&d);
}

static void test_camera_fields(struct check_counts *cc)
{
    static const char text[] =
        "{\"type\": \"FeatureCollection\", \"features\": [\n"
        " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", "
        "\"coordinates\": [-90.1848, 32.2988, 12]},\n"
        "  \"properties\": {\"id\": \"gate\", \"url\": \"rtsp://h/gate\", "
        "\"substream\": \"rtsp://h/gate2\", \"heading_deg\": 350.5, \"fov_deg\": 70, "
        "\"range_m\": 120, \"height_m\": 6.5, \"owner\": \"private\", \"consent\": "
        "{\"ref\": \"W-2026-0012\", \"granted\": \"2026-01-05\", \"expires\": "
        "\"2027-01-05T00:00:00-06:00\", \"scope\": \"incident-only\"}, \"masks\": "
        "[{\"polygon\": [[0, 0], [0.5, 0], [0.5, 0.5]], \"style\": \"pixelate\"}], "
        "\"linked\": [\"p-7\"]}},\n"
        " {\"type\": \"Feature\", \"geometry\": {\"type\": \"Point\", "
        "\"coordinates\": [-90.18, 32.29]}, \"properties\": {\"id\": \"b\", "
        "\"url\": \"rtsp://h/b\", \"label\": \"Bay\"}}\n]}";
    struct layout_diags d = {0};
    struct registry *reg = NULL;
    struct layout_feed view;

    CHECK_INT(cc, reg_parse(text, sizeof text - 1, NULL, &reg, &d), 0);
    CHECK_INT(cc, reg_find(reg, "b"), 1);
    CHECK_INT(cc, reg_find(reg, "gate"), 0);
    CHECK_INT(cc, reg_find(reg, "nope"), -1);
    const struct reg_camera *c = reg_camera_at(reg, 0);
    CHECK(cc, c != NULL, "camera 0");
    if (!c)
        goto out;
    CHECK_STR(cc, c->label, "gate");
    CHECK_STR(cc, reg_camera_at(reg, 1)->label, "Bay");
    CHECK_STR(cc, c->substream, "rtsp://h/gate2");
    CHECK(cc, c->has_heading && c->heading_deg == 350.5 && c->fov_deg == 70 &&
                  c->range_m == 120 && c->height_m == 6.5, "view fields");
    CHECK(cc, c->lat == 32.2988 && c->lon == -90.1848, "[lon, lat] order");
    CHECK_INT(cc, c->consent.granted_epoch, 1767571200LL);        /* 2026-01-05 UTC */
    CHECK_INT(cc, c->consent.expires_epoch, 1799128800LL);        /* 06:00 UTC */
    CHECK_INT(cc, c->consent.scope, LAYOUT_CONSENT_INCIDENT_ONLY);
    CHECK_INT(cc, c->n_masks, 1);
    CHECK(cc, c->n_masks == 1 && c->masks[0].n_points == 3 &&
                  c->masks[0].style == LAYOUT_MASK_PIXELATE && c->masks[0].points[1][0] == 0.5f,
          "mask");
    CHECK(cc, c->n_linked == 1 && strcmp(c->linked[0], "p-7") == 0, "linked");
    reg_camera_feed_view(c, &view);
    CHECK(cc, view.owner == LAYOUT_OWNER_PRIVATE && view.n_masks == 1 && view.has_location &&
                  view.range_m == 120 && strcmp(view.consent.ref, "W-2026-0012") == 0,
          "feed view");
    check_on_demand(cc, reg);
out:
    reg_destroy(reg);
    layout_diags_clear(&d);
}

/* ---- the index against a plain scan ---- */

static unsigned long long rng_next(unsigned long long *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Uniform in [lo, hi). */
static double rnd(unsigned long long *s, double lo, double hi)
{
    return lo + (hi - lo) * (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

static double wrap_lon(double lon)
{
    return lon >= 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
}

/* A random camera's properties (one in 20 PTZ, one in 50 linked to a kind,
 * one in 100 seeing up to 30 km). */
static void random_props(unsigned long long *s, char *buf, size_t n)
{
    int kind = (int)(rng_next(s) % 10), pick = (int)(rng_next(s) % 100);
    double range = pick == 0 ? rnd(s, 2000, 30000) : rnd(s, 30, 300);
    if (pick < 5)
        snprintf(buf, n, "\"ptz\": true, \"range_m\": %.1f", range);
    else
        snprintf(buf, n, "\"heading_deg\": %.2f, \"fov_deg\": %.1f, \"range_m\": %.1f%s%d%s",
                 rnd(s, 0, 360), rnd(s, 20, 120), range,
                 pick < 7 ? ", \"linked\": [\"kind-" : "", pick < 7 ? kind : 0,
                 pick < 7 ? "\"]" : "");
}

/* n cameras around (lat, lon), spread dlat and dlon degrees each way. */
static void put_random(struct text *t, unsigned long long *s, int n, double lat, double lon,
                       double dlat, double dlon, const char *prefix)
{
    char id[32], props[256];
    for (int i = 0; i < n; i++) {
        double la = lat + rnd(s, -dlat, dlat), lo = wrap_lon(lon + rnd(s, -dlon, dlon));
        snprintf(id, sizeof id, "%s%05d", prefix, i);
        random_props(s, props, sizeof props);
        put_camera(t, id, la > 90 ? 90 : la, lo, props);
    }
}

static bool scan_sees(const struct reg_camera *c, double d, double b)
{
    if (!(c->range_m > 0) || d > c->range_m)
        return false;
    return c->ptz || c->fov_deg >= 360 ||
           (c->has_heading && fabs(geo_bearing_diff(c->heading_deg, b)) <= c->fov_deg / 2);
}

static int pick_cmp(const void *pa, const void *pb)
{
    const struct reg_pick *a = pa, *b = pb;
    if (a->why != b->why)
        return a->why < b->why ? -1 : 1;
    if (a->distance_m != b->distance_m)
        return a->distance_m < b->distance_m ? -1 : 1;
    return (a->camera > b->camera) - (a->camera < b->camera);
}

/* The ranking by looking at every camera; returns the count. */
static int scan_rank(const struct registry *reg, const struct reg_query *q,
                     struct reg_pick *out)
{
    int n = 0;
    for (int i = 0; i < reg_count(reg); i++) {
        const struct reg_camera *c = reg_camera_at(reg, i);
        double d = geo_distance_m(c->lat, c->lon, q->lat, q->lon);
        double b = geo_bearing_deg(c->lat, c->lon, q->lat, q->lon);
        bool linked = false;
        for (int j = 0; j < c->n_linked; j++)
            for (int k = 0; k < q->n_links; k++)
                linked |= strcmp(c->linked[j], q->links[k]) == 0;
        if (linked)
            out[n++] = (struct reg_pick){i, REG_WHY_LINKED, d, b};
        else if (scan_sees(c, d, b))
            out[n++] = (struct reg_pick){i, REG_WHY_SEES, d, b};
        else if (d <= q->radius_m)
            out[n++] = (struct reg_pick){i, REG_WHY_NEAR, d, b};
    }
    qsort(out, (size_t)n, sizeof *out, pick_cmp);
    return n;
}

/* Compares index and scan for queries points around (lat, lon). */
static void compare_scan(struct check_counts *cc, const struct registry *reg,
                         unsigned long long *s, int queries, double lat, double lon,
                         double dlat, double dlon, const char *where)
{
    int cap = reg_count(reg), bad = 0;
    struct reg_pick *a = malloc((size_t)cap * sizeof *a), *b = malloc((size_t)cap * sizeof *b);
    char kind[16];
    const char *links[1] = {kind};
    for (int i = 0; a && b && i < queries; i++) {
        snprintf(kind, sizeof kind, "kind-%d", (int)(rng_next(s) % 12));
        double la = lat + rnd(s, -dlat, dlat);
        struct reg_query q = {la > 90 ? 90 : la, wrap_lon(lon + rnd(s, -dlon, dlon)), links,
                              (int)(rng_next(s) % 2), rnd(s, 0, 500), NULL, NULL};
        int na = reg_rank(reg, &q, a, cap), nb = scan_rank(reg, &q, b);
        bool same = na == nb;
        for (int j = 0; same && j < na; j++)
            same = a[j].camera == b[j].camera && a[j].why == b[j].why;
        if (!same && bad++ < 3)
            fprintf(stderr, "%s: query %d at (%.6f, %.6f) r %.0f: index %d, scan %d\n",
                    where, i, q.lat, q.lon, q.radius_m, na, nb);
    }
    CHECK(cc, a && b && bad == 0, "%s: %d of %d queries differ from the scan", where, bad,
          queries);
    free(a);
    free(b);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int dbl_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Time per selection of max_cameras 4 for 2,000 incidents among 10,000
 * cameras in a 20 km square (printed; the index is checked elsewhere). */
static void bench(const struct registry *reg, unsigned long long *s)
{
    enum { Q = 2000 };
    static double us[Q];
    struct reg_pick picks[4];
    const char *links[1] = {"kind-3"};
    long total = 0;
    for (int i = 0; i < Q; i++) {
        struct reg_query q = {32.3 + rnd(s, -0.09, 0.09), -90.2 + rnd(s, -0.1, 0.1), links, 1,
                              250, NULL, NULL};
        double t0 = now_us();
        total += reg_rank(reg, &q, picks, 4);
        us[i] = now_us() - t0;
    }
    qsort(us, Q, sizeof *us, dbl_cmp);
    double sum = 0;
    for (int i = 0; i < Q; i++)
        sum += us[i];
    printf("bench: %d cameras, %d selections (max 4, radius 250 m): mean %.1f us, "
           "p50 %.1f us, p99 %.1f us, max %.1f us (%.2f picks each)\n",
           reg_count(reg), Q, sum / Q, us[Q / 2], us[Q * 99 / 100], us[Q - 1],
           (double)total / Q);
}

static void test_index(struct check_counts *cc)
{
    unsigned long long s = 0x9e3779b97f4a7c15ULL;
    struct text t = {0};
    struct layout_diags d = {0};
    struct registry *city = NULL, *edge = NULL;

    put_head(&t);
    put_random(&t, &s, 10000, 32.3, -90.2, 0.09, 0.1, "city");
    put(&t, "\n]}\n");
    double t0 = now_us();
    CHECK_INT(cc, reg_parse(t.s, t.n, NULL, &city, &d), 0);
    printf("bench: loading 10,000 cameras (%zu bytes) took %.1f ms\n", t.n,
           (now_us() - t0) / 1000);
    t.n = 0;
    put_head(&t);
    put_random(&t, &s, 1000, -17.75, 180, 0.02, 0.03, "anti");
    put_random(&t, &s, 1000, 87, 0, 3, 180, "arctic");
    put_random(&t, &s, 500, 89.99, 0, 0.01, 180, "pole");
    put(&t, "\n]}\n");
    CHECK_INT(cc, reg_parse(t.s, t.n, NULL, &edge, &d), 0);
    if (city && edge) {
        compare_scan(cc, city, &s, 2000, 32.3, -90.2, 0.09, 0.1, "city");
        compare_scan(cc, edge, &s, 1000, -17.75, 180, 0.02, 0.03, "antimeridian");
        compare_scan(cc, edge, &s, 1000, 87, 0, 3, 180, "arctic");
        compare_scan(cc, edge, &s, 500, 89.99, 0, 0.01, 180, "pole");
        bench(city, &s);
    }
    reg_destroy(city);
    reg_destroy(edge);
    layout_diags_clear(&d);
    free(t.s);
}

int main(void)
{
    struct check_counts cc = {0};
    test_geo(&cc);
    test_load_errors(&cc);
    test_camera_fields(&cc);
    test_rank(&cc);
    test_index(&cc);
    return check_report(&cc);
}
