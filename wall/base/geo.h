/*
 * geo.h - the little geography a wall needs: Web Mercator (slippy-map)
 * projection for map panels and great-circle distances for "is this incident
 * within the camera's range", and initial bearings for "does the camera face
 * it".  Pure functions.
 */
#ifndef TESSERA_GEO_H
#define TESSERA_GEO_H

#define GEO_TILE_PX 256      /* slippy-map tiles are 256 x 256 pixels */
#define GEO_MAX_LAT 85.05112878

/* Projects lat/lon (degrees) to Web Mercator pixel coordinates of the world
 * at zoom (0 ≤ zoom ≤ 22): x grows east, y grows south, the world spans
 * 256 * 2^zoom pixels each way.  Latitudes are clamped to ±GEO_MAX_LAT. */
void geo_project(double lat, double lon, int zoom, double *x, double *y);

/* The inverse of geo_project(). */
void geo_unproject(double x, double y, int zoom, double *lat, double *lon);

/* Great-circle distance in metres between two points (haversine, mean Earth
 * radius 6371 km). */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/* Initial great-circle bearing in degrees (0 = north, clockwise, 0 ≤ b < 360)
 * from point 1 towards point 2; 0 when the points coincide.  Correct across
 * the antimeridian and at high latitude. */
double geo_bearing_deg(double lat1, double lon1, double lat2, double lon2);

/* The signed difference b - a of two bearings, folded into (-180, 180]. */
double geo_bearing_diff(double a, double b);

#endif
