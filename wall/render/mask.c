/*
 * mask.c - conservative polygon rasterisation (even-odd rule) for privacy
 * masks.
 */
#include "render/mask.h"

#include <string.h>

/* Even-odd test of point (x, y) against polygon m. */
static int inside(const struct layout_mask *m, float x, float y)
{
    int in = 0;
    for (int i = 0, j = m->n_points - 1; i < m->n_points; j = i++) {
        float xi = m->points[i][0], yi = m->points[i][1];
        float xj = m->points[j][0], yj = m->points[j][1];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
            in = !in;
    }
    return in;
}

/* Whether texel (tx, ty) touches polygon m: its centre or a corner inside. */
static int covers(const struct layout_mask *m, int tx, int ty)
{
    static const float at[5][2] = {{0.5f, 0.5f}, {0, 0}, {1, 0}, {0, 1}, {1, 1}};
    for (int k = 0; k < 5; k++)
        if (inside(m, (tx + at[k][0]) / MASK_SIZE, (ty + at[k][1]) / MASK_SIZE))
            return 1;
    return 0;
}

/* The texel range a polygon's bounding box spans, clamped to the image. */
static void bounds(const struct layout_mask *m, int *x0, int *y0, int *x1, int *y1)
{
    float minx = 1, miny = 1, maxx = 0, maxy = 0;
    for (int i = 0; i < m->n_points; i++) {
        minx = m->points[i][0] < minx ? m->points[i][0] : minx;
        maxx = m->points[i][0] > maxx ? m->points[i][0] : maxx;
        miny = m->points[i][1] < miny ? m->points[i][1] : miny;
        maxy = m->points[i][1] > maxy ? m->points[i][1] : maxy;
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

int mask_rasterize(const struct layout_mask *masks, int n_masks, uint8_t *out)
{
    int covered = 0;
    memset(out, 0, (size_t)MASK_SIZE * MASK_SIZE);
    for (int k = 0; k < n_masks; k++) {
        const struct layout_mask *m = &masks[k];
        uint8_t v = m->style == LAYOUT_MASK_PIXELATE ? MASK_PIXELATE : MASK_SOLID;
        int x0, y0, x1, y1;
        if (m->n_points < 3)
            continue;
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
