/*
 * geometry.c - where tiles go on an output and where a picture goes inside a
 * tile.  Pure integer and double arithmetic on the layout model; safe for any
 * input, including hand-built structs that layout_parse() would reject.
 *
 * Grid edges are x_i = floor(i * width / columns): adjacent cells share an
 * edge, and edge 0 and edge "columns" are the output's borders.  A gap g is
 * split between the two tiles beside an inner edge (g / 2 after the edge, the
 * rest before it), so neighbours are exactly g pixels apart and tiles touch
 * the output's border.
 */
#include "layout/layout.h"

#include <float.h>

static long long clamp_ll(long long v, long long lo, long long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Edge i of a line of total pixels cut into parts cells. */
static long long grid_edge(int total, int parts, long long i)
{
    return i * total / parts;
}

/* Places cells [first, first + count) of a line of parts cells over total
 * pixels with gap between neighbours: start in *pos, length in *len. */
static void place_span(int total, int parts, int gap, int first, int count,
                       int *pos, int *len)
{
    long long c0 = clamp_ll(first, 0, parts);
    long long c1 = clamp_ll((long long)first + (count > 0 ? count : 1), c0,
                            parts);
    long long lo = grid_edge(total, parts, c0);
    long long hi = grid_edge(total, parts, c1);

    if (gap > 0 && c0 > 0)
        lo += gap / 2;
    if (gap > 0 && c1 < parts)
        hi -= gap - gap / 2;
    *pos = (int)clamp_ll(lo, 0, total);
    *len = (int)clamp_ll(hi - lo, 0, total);
}

struct layout_rect layout_tile_rect(const struct layout_output *output,
                                    const struct layout_tile *tile)
{
    struct layout_rect r = {0, 0, 0, 0};
    if (!output || !tile || output->grid_cols <= 0 || output->grid_rows <= 0 ||
        output->width <= 0 || output->height <= 0)
        return r;
    place_span(output->width, output->grid_cols, output->gap, tile->col,
               tile->cols, &r.x, &r.w);
    place_span(output->height, output->grid_rows, output->gap, tile->row,
               tile->rows, &r.y, &r.h);
    return r;
}

/* Rounds v, known to lie in [0, max], to the nearest int in [1, max]. */
static int round_len(double v, int max)
{
    int n;
    if (!(v >= 0))
        v = 0;
    if (v > max)
        v = max;
    n = (int)(v + 0.5);
    return n < 1 ? 1 : n > max ? max : n;
}

/* contain: the largest centred rectangle of aspect pa inside tile. */
static void fit_contain(struct layout_rect tile, double pa,
                        struct layout_rect *dst)
{
    double ta = (double)tile.w / tile.h;
    *dst = tile;
    if (pa > ta) {
        dst->h = round_len(tile.w / pa, tile.h);
        dst->y = tile.y + (tile.h - dst->h) / 2;
    } else {
        dst->w = round_len(tile.h * pa, tile.w);
        dst->x = tile.x + (tile.w - dst->w) / 2;
    }
}

/* cover: the centred part of the picture with the tile's aspect. */
static void fit_cover(struct layout_rect tile, double pa, float uv[4])
{
    double ta = (double)tile.w / tile.h;
    double shown = pa > ta ? ta / pa : pa / ta; /* in (0, 1] */
    float lo = (float)((1.0 - shown) / 2.0);
    if (pa > ta) {
        uv[0] = lo;
        uv[2] = 1.0f - lo;
    } else {
        uv[1] = lo;
        uv[3] = 1.0f - lo;
    }
}

void layout_fit_rect(enum layout_fit fit, struct layout_rect tile, int pic_w,
                     int pic_h, double sar, struct layout_rect *dst,
                     float uv[4])
{
    double pa;

    *dst = tile;
    uv[0] = uv[1] = 0.0f;
    uv[2] = uv[3] = 1.0f;
    if (pic_w <= 0 || pic_h <= 0 || tile.w <= 0 || tile.h <= 0 ||
        fit == LAYOUT_FIT_STRETCH)
        return;
    if (!(sar > 0 && sar <= DBL_MAX))
        sar = 1.0; /* unknown, zero, negative, infinite or NaN */
    pa = (double)pic_w * sar / pic_h;
    if (!(pa > 0 && pa <= DBL_MAX))
        return;
    if (fit == LAYOUT_FIT_COVER)
        fit_cover(tile, pa, uv);
    else
        fit_contain(tile, pa, dst);
}

int layout_tile_at(const struct layout_output *output, int x, int y)
{
    int i;
    if (!output || !output->tiles)
        return -1;
    /* last first: a later tile is drawn over an earlier one */
    for (i = output->n_tiles - 1; i >= 0; i--) {
        struct layout_rect r = layout_tile_rect(output, &output->tiles[i]);
        if (x >= r.x && y >= r.y && (long long)x < (long long)r.x + r.w &&
            (long long)y < (long long)r.y + r.h)
            return i;
    }
    return -1;
}
