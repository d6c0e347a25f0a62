/*
 * geo.c - Web Mercator projection, haversine distance and initial bearing.
 */
#include "base/geo.h"

#include <math.h>

#define EARTH_RADIUS_M 6371008.8

static double clamp_lat(double lat)
{
    return lat > GEO_MAX_LAT ? GEO_MAX_LAT : lat < -GEO_MAX_LAT ? -GEO_MAX_LAT : lat;
}

void geo_project(double lat, double lon, int zoom, double *x, double *y)
{
    double world = GEO_TILE_PX * ldexp(1.0, zoom);
    double phi = clamp_lat(lat) * M_PI / 180.0;
    *x = (lon + 180.0) / 360.0 * world;
    *y = (1.0 - log(tan(phi) + 1.0 / cos(phi)) / M_PI) / 2.0 * world;
}

void geo_unproject(double x, double y, int zoom, double *lat, double *lon)
{
    double world = GEO_TILE_PX * ldexp(1.0, zoom);
    *lon = x / world * 360.0 - 180.0;
    *lat = atan(sinh(M_PI * (1.0 - 2.0 * y / world))) * 180.0 / M_PI;
}

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * M_PI / 180.0, p2 = lat2 * M_PI / 180.0;
    double dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180.0;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2.0 * EARTH_RADIUS_M * atan2(sqrt(a), sqrt(1.0 - a));
}

double geo_bearing_deg(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * M_PI / 180.0, p2 = lat2 * M_PI / 180.0;
    double dl = (lon2 - lon1) * M_PI / 180.0;
    double y = sin(dl) * cos(p2);
    double x = cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl);
    double b = (x == 0.0 && y == 0.0) ? 0.0 : atan2(y, x) * 180.0 / M_PI;
    b = fmod(b + 360.0, 360.0);
    return b >= 360.0 ? 0.0 : b;
}

double geo_bearing_diff(double a, double b)
{
    double d = fmod(b - a, 360.0);
    if (d > 180.0)
        d -= 360.0;
    else if (d <= -180.0)
        d += 360.0;
    return d;
}
