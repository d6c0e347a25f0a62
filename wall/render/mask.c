/*
 * mask.c - conservative polygon rasterisation (non-zero winding rule) for
 * privacy masks.  A texel is covered when the closed polygon and the closed
 * texel square meet: a sample point (centre or corner) lies inside, or an
 * edge of the polygon passes through the square.
 */
#include "render/mask.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

/* Non-zero winding test of point (x, y) against polygon m. */
static bool inside(const struct layout_mask *m, float x, float y)
{
    int winding = 0;
    for (int i = 0, j = m->n_points - 1; i < m->n_points; j = i++) {
        float x0 = m->points[j][0], y0 = m->points[j][1];
        float x1 = m->points[i][0], y1 = m->points[i][1];
        float side = (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0);
        if (y0 <= y && y1 > y && side > 0)
            winding++; /* upward edge, point on its left */
        else if (y0 > y && y1 <= y && side < 0)
            winding--; /* downward edge, point on its right */
    }
    return winding != 0;
}

/* Whether segment (ax, ay)-(bx, by) meets the box [x0, x1] x [y0, y1]
 * (Liang-Barsky clipping). */
static bool segment_meets_box(float ax, float ay, float bx, float by, float x0,
                              float y0, float x1, float y1)
{
    float t0 = 0, t1 = 1, d[2] = {bx - ax, by - ay};
    float p[4] = {-d[0], d[0], -d[1], d[1]};
    float q[4] = {ax - x0, x1 - ax, ay - y0, y1 - ay};
    for (int k = 0; k < 4; k++) {
        if (p[k] == 0) {
            if (q[k] < 0)
                return false;
            continue;
        }
        float t = q[k] / p[k];
        if (p[k] < 0 && t > t0)
            t0 = t;
        else if (p[k] > 0 && t < t1)
            t1 = t;
        if (t0 > t1)
            return false;
    }
    return true;
}

/* Whether texel (tx, ty) touches polygon m. */
static bool covers(const struct layout_mask *m, int tx, int ty)
{
    static const float at[5][2] = {{0.5f, 0.5f}, {0, 0}, {1, 0}, {0, 1}, {1, 1}};
    for (int k = 0; k < 5; k++)
        if (inside(m, (tx + at[k][0]) / MASK_SIZE, (ty + at[k][1]) / MASK_SIZE))
            return true;
    float x0 = (float)tx / MASK_SIZE, y0 = (float)ty / MASK_SIZE;
    float x1 = (float)(tx + 1) / MASK_SIZE, y1 = (float)(ty + 1) / MASK_SIZE;
    for (int i = 0, j = m->n_points - 1; i < m->n_points; j = i++)
        if (segment_meets_box(m->points[j][0], m->points[j][1], m->points[i][0],
                              m->points[i][1], x0, y0, x1, y1))
            return true;
    return false;
}

/* The texel range a polygon's bounding box spans, clamped to the image. */
static void bounds(const struct layout_mask *m, int *x0, int *y0, int *x1, int *y1)
{
    float minx = 1, miny = 1, maxx = 0, maxy = 0;
    for (int i = 0; i < m->n_points; i++) {
        minx = fminf(minx, m->points[i][0]);
        maxx = fmaxf(maxx, m->points[i][0]);
        miny = fminf(miny, m->points[i][1]);
        maxy = fmaxf(maxy, m->points[i][1]);
    }
    *x0 = (int)(minx * MASK_SIZE) - 1;
    *y0 = (int)(miny * MASK_SIZE) - 1;
    *x1 = (int)(maxx * MASK_SIZE) + 1;
    *y1 = (int)(maxy * MASK_SIZE) + 1;
    *x0 = *x0 < 0 ? 0 : *x0;
    *y0 = *y0 < 0 ? 0 : *y0;
    *x1 = *x1 >= MASK_SIZE ? MASK_SIZE - 1 : *x1;
    *y1 = *y1 >= MASK_SIZE ? MASK_SIZE - 1 : *y1;
}

/* Whether m can be rasterised: 3..LAYOUT_MAX_MASK_POINTS points in 0..1,
 * not all on one line. */
static bool buildable(const struct layout_mask *m)
{
    if (!m->points || m->n_points < 3 || m->n_points > LAYOUT_MAX_MASK_POINTS)
        return false;
    for (int i = 0; i < m->n_points; i++)
        for (int k = 0; k < 2; k++)
            if (!(m->points[i][k] >= 0 && m->points[i][k] <= 1)) /* NaN too */
                return false;
    const float *a = m->points[0];
    for (int i = 1; i + 1 < m->n_points; i++) {
        const float *b = m->points[i], *c = m->points[i + 1];
        double cross = ((double)b[0] - a[0]) * ((double)c[1] - a[1]) -
                       ((double)b[1] - a[1]) * ((double)c[0] - a[0]);
        if (fabs(cross) > 1e-12)
            return true;
    }
    return false;
}

int mask_rasterize(const struct layout_mask *masks, int n_masks, uint8_t *out)
{
    int covered = 0;
    for (int k = 0; k < n_masks; k++) {
        if (!buildable(&masks[k])) {
            memset(out, MASK_SOLID, (size_t)MASK_SIZE * MASK_SIZE);
            return -EINVAL;
        }
    }
    memset(out, 0, (size_t)MASK_SIZE * MASK_SIZE);
    for (int k = 0; k < n_masks; k++) {
        const struct layout_mask *m = &masks[k];
        uint8_t v = m->style == LAYOUT_MASK_PIXELATE ? MASK_PIXELATE : MASK_SOLID;
        int x0, y0, x1, y1;
        bounds(m, &x0, &y0, &x1, &y1);
        for (int ty = y0; ty <= y1; ty++)
            for (int tx = x0; tx <= x1; tx++) {
                uint8_t *t = &out[ty * MASK_SIZE + tx];
                if (*t < v && covers(m, tx, ty))
                    *t = v;
            }
    }
    for (int i = 0; i < MASK_SIZE * MASK_SIZE; i++)
        covered += out[i] != 0;
    return covered;
}
