/*
 * test_geo.c - projection against known slippy-map tiles, round trips, and
 * distances against known values.
 */
#include <math.h>

#include "base/geo.h"
#include "check.h"

static void test_project(struct check_counts *cc)
{
    double x, y, lat, lon;
    geo_project(0, 0, 0, &x, &y);
    CHECK(cc, fabs(x - 128) < 1e-9 && fabs(y - 128) < 1e-9, "origin at the centre");
    /* Berlin (52.52 N, 13.405 E) at zoom 10 is OSM tile 550/335. */
    geo_project(52.52, 13.405, 10, &x, &y);
    CHECK_INT(cc, (int)(x / 256), 550);
    CHECK_INT(cc, (int)(y / 256), 335);
    geo_project(32.2988, -90.1848, 14, &x, &y);
    geo_unproject(x, y, 14, &lat, &lon);
    CHECK(cc, fabs(lat - 32.2988) < 1e-9 && fabs(lon + 90.1848) < 1e-9,
          "round trip: %f %f", lat, lon);
    geo_project(89.9, 0, 3, &x, &y);
    CHECK(cc, y > -1e-6 && y < 1, "clamped near the pole: y=%f", y);
}

static void test_distance(struct check_counts *cc)
{
    CHECK(cc, geo_distance_m(1, 2, 1, 2) == 0.0, "zero");
    /* one degree of latitude is about 111.2 km */
    double d = geo_distance_m(0, 0, 1, 0);
    CHECK(cc, fabs(d - 111195) < 10, "1 degree: %f", d);
    /* Paris - London, about 343.5 km */
    d = geo_distance_m(48.8566, 2.3522, 51.5074, -0.1278);
    CHECK(cc, fabs(d - 343500) < 1000, "Paris-London: %f", d);
    /* 100 m east at 32 N */
    d = geo_distance_m(32.2988, -90.1848, 32.2988, -90.1848 + 100.0 / (111195 * cos(32.2988 * M_PI / 180)));
    CHECK(cc, fabs(d - 100) < 0.5, "100 m: %f", d);
}

int main(void)
{
    struct check_counts cc = {0};
    test_project(&cc);
    test_distance(&cc);
    return check_report(&cc);
}
