/*
 * test_geometry.c - tables for the pure geometry of layouts: tile rectangles
 * (rounding, gaps, clamping), fitting pictures into tiles (contain, cover,
 * stretch, sample aspect ratio) and hit testing, plus exhaustive checks that
 * grids tile their output exactly.
 */
#include "layout/layout.h"

#include <math.h>
#include <stdlib.h>

#include "check.h"

struct rect_case {
    int width, height, cols, rows, gap; /* the output */
    int col, row, span_cols, span_rows; /* the tile */
    struct layout_rect want;
};

static const struct rect_case rect_cases[] = {
    {1920, 1080, 2, 2, 0, 0, 0, 1, 1, {0, 0, 960, 540}},
    {1920, 1080, 2, 2, 0, 1, 1, 1, 1, {960, 540, 960, 540}},
    {1920, 1080, 2, 2, 0, 0, 0, 2, 2, {0, 0, 1920, 1080}},
    {1920, 1080, 2, 2, 4, 0, 0, 1, 1, {0, 0, 958, 538}},
    {1920, 1080, 2, 2, 4, 1, 0, 1, 1, {962, 0, 958, 538}},
    {1920, 1080, 2, 2, 4, 1, 0, 1, 2, {962, 0, 958, 1080}},
    {1920, 1080, 2, 2, 4, 0, 1, 2, 1, {0, 542, 1920, 538}},
    /* edges round down: 3 * 1920 / 7 = 822.9, 4 * 1920 / 7 = 1097.1 */
    {1920, 1080, 7, 1, 0, 3, 0, 1, 1, {822, 0, 275, 1080}},
    {1920, 1080, 7, 1, 0, 6, 0, 1, 1, {1645, 0, 275, 1080}},
    /* edges 0, 333, 666, 1000; an odd gap gives the extra pixel to the left
     * of the edge */
    {1000, 100, 3, 1, 5, 0, 0, 1, 1, {0, 0, 330, 100}},
    {1000, 100, 3, 1, 5, 1, 0, 1, 1, {335, 0, 328, 100}},
    {1000, 100, 3, 1, 5, 2, 0, 1, 1, {668, 0, 332, 100}},
    {1000, 100, 3, 1, 1, 0, 0, 1, 1, {0, 0, 332, 100}},
    {1000, 100, 3, 1, 1, 1, 0, 1, 1, {333, 0, 332, 100}},
    {1280, 720, 4, 3, 4, 1, 1, 2, 2, {322, 242, 636, 478}},
    /* tiles (hand-built) reaching outside the grid are clipped to it:
     * never negative, never past the output */
    {1920, 1080, 2, 2, 0, 5, 0, 1, 1, {1920, 0, 0, 540}},
    {1920, 1080, 2, 2, 0, -3, 0, 1, 1, {0, 0, 0, 540}},
    {1920, 1080, 2, 2, 0, -1, 0, 2, 1, {0, 0, 960, 540}},
    {1920, 1080, 2, 2, 0, 1, 1, 9, 9, {960, 540, 960, 540}},
    {1920, 1080, 2, 2, 0, 0, 0, 0, 0, {0, 0, 960, 540}},
    {1920, 1080, 2, 2, 2000, 1, 0, 1, 1, {1920, 0, 0, 0}},
    {1920, 1080, 2, 2, -4, 1, 0, 1, 1, {960, 0, 960, 540}},
    {1920, 1080, 0, 2, 0, 0, 0, 1, 1, {0, 0, 0, 0}},
    {0, 1080, 2, 2, 0, 0, 0, 1, 1, {0, 0, 0, 0}},
};

static void check_rect(struct check_counts *cc, const char *what, int i,
                       struct layout_rect got, struct layout_rect want)
{
    CHECK(cc, got.x == want.x && got.y == want.y && got.w == want.w &&
              got.h == want.h,
          "%s %d: {%d, %d, %d, %d}, want {%d, %d, %d, %d}", what, i, got.x,
          got.y, got.w, got.h, want.x, want.y, want.w, want.h);
}

static void test_tile_rects(struct check_counts *cc)
{
    size_t i;
    for (i = 0; i < sizeof rect_cases / sizeof rect_cases[0]; i++) {
        const struct rect_case *rc = &rect_cases[i];
        struct layout_output o = {0};
        struct layout_tile t = {0};
        o.width = rc->width;
        o.height = rc->height;
        o.grid_cols = rc->cols;
        o.grid_rows = rc->rows;
        o.gap = rc->gap;
        t.col = rc->col;
        t.row = rc->row;
        t.cols = rc->span_cols;
        t.rows = rc->span_rows;
        check_rect(cc, "tile rect", (int)i, layout_tile_rect(&o, &t),
                   rc->want);
    }
    check_rect(cc, "NULL output", 0, layout_tile_rect(NULL, NULL),
               (struct layout_rect){0, 0, 0, 0});
}

/* Every cell of cols x 1 over width pixels: the cells abut with exactly gap
 * pixels between them and the first and last touch the borders. */
static int line_is_exact(int width, int cols, int gap)
{
    struct layout_output o = {0};
    struct layout_tile t = {0};
    int i, end = 0;

    o.width = width;
    o.height = 1;
    o.grid_cols = cols;
    o.grid_rows = 1;
    o.gap = gap;
    t.cols = t.rows = 1;
    for (i = 0; i < cols; i++) {
        struct layout_rect r;
        t.col = i;
        r = layout_tile_rect(&o, &t);
        if (r.x != (i == 0 ? 0 : end + gap) || r.w < 1)
            return 0;
        end = r.x + r.w;
    }
    return end == width;
}

static void test_grids_cover(struct check_counts *cc)
{
    static const int widths[] = {64, 100, 640, 719, 1080, 1280, 1366, 1920,
                                 2560, 3840, 7680, 16384};
    static const int gaps[] = {0, 1, 2, 3, 4, 7, 8};
    size_t w, g;
    int cols, bad = 0;

    for (w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        for (cols = 1; cols <= LAYOUT_MAX_GRID; cols++) {
            for (g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
                if (gaps[g] >= widths[w] / cols)
                    continue; /* layout_parse rejects such a gap */
                if (!line_is_exact(widths[w], cols, gaps[g])) {
                    bad++;
                    CHECK(cc, 0, "width %d, %d columns, gap %d", widths[w],
                          cols, gaps[g]);
                }
            }
        }
    }
    CHECK_INT(cc, bad, 0);
}

struct fit_case {
    enum layout_fit fit;
    struct layout_rect tile;
    int pic_w, pic_h;
    double sar;
    struct layout_rect want;
    float uv[4];
};

static const struct fit_case fit_cases[] = {
    /* contain: 4:3 in 16:9 is pillarboxed, centred */
    {LAYOUT_FIT_CONTAIN, {0, 0, 960, 540}, 640, 480, 1.0,
     {120, 0, 720, 540}, {0, 0, 1, 1}},
    {LAYOUT_FIT_CONTAIN, {100, 50, 960, 540}, 640, 480, 1.0,
     {220, 50, 720, 540}, {0, 0, 1, 1}},
    /* 2.35:1 in 16:9 is letterboxed: 960 / 2.35 = 408.5 rounds to 409 */
    {LAYOUT_FIT_CONTAIN, {0, 0, 960, 540}, 1880, 800, 1.0,
     {0, 65, 960, 409}, {0, 0, 1, 1}},
    /* same aspect: fills the tile */
    {LAYOUT_FIT_CONTAIN, {0, 0, 960, 540}, 1920, 1080, 1.0,
     {0, 0, 960, 540}, {0, 0, 1, 1}},
    /* anamorphic PAL 720x576 with sar 16:11 displays at 1.818 */
    {LAYOUT_FIT_CONTAIN, {0, 0, 960, 540}, 720, 576, 16.0 / 11.0,
     {0, 6, 960, 528}, {0, 0, 1, 1}},
    /* the same picture read with square pixels is 1.25: pillarboxed */
    {LAYOUT_FIT_CONTAIN, {0, 0, 960, 540}, 720, 576, 1.0,
     {142, 0, 675, 540}, {0, 0, 1, 1}},
    /* a silly sar is taken as square pixels */
    {LAYOUT_FIT_CONTAIN, {0, 0, 960, 540}, 720, 576, 0.0,
     {142, 0, 675, 540}, {0, 0, 1, 1}},
    {LAYOUT_FIT_CONTAIN, {0, 0, 960, 540}, 720, 576, NAN,
     {142, 0, 675, 540}, {0, 0, 1, 1}},
    {LAYOUT_FIT_CONTAIN, {0, 0, 960, 540}, 720, 576, -2.0,
     {142, 0, 675, 540}, {0, 0, 1, 1}},
    /* extreme aspect: still at least one pixel */
    {LAYOUT_FIT_CONTAIN, {0, 0, 960, 540}, 100000, 1, 1.0,
     {0, 269, 960, 1}, {0, 0, 1, 1}},
    /* cover: 4:3 in 16:9 keeps the middle 75% of the rows */
    {LAYOUT_FIT_COVER, {0, 0, 960, 540}, 640, 480, 1.0,
     {0, 0, 960, 540}, {0, 0.125f, 1, 0.875f}},
    /* cover: 32:9 in 16:9 keeps the middle half of the columns */
    {LAYOUT_FIT_COVER, {10, 20, 960, 540}, 3840, 1080, 1.0,
     {10, 20, 960, 540}, {0.25f, 0, 0.75f, 1}},
    /* cover with sar 2: 960x1080 displays as 16:9, nothing cropped */
    {LAYOUT_FIT_COVER, {0, 0, 960, 540}, 960, 1080, 2.0,
     {0, 0, 960, 540}, {0, 0, 1, 1}},
    /* stretch ignores the aspect */
    {LAYOUT_FIT_STRETCH, {0, 0, 960, 540}, 640, 480, 1.0,
     {0, 0, 960, 540}, {0, 0, 1, 1}},
    /* no picture yet, or an empty tile: the whole tile, the whole picture */
    {LAYOUT_FIT_CONTAIN, {0, 0, 960, 540}, 0, 0, 1.0,
     {0, 0, 960, 540}, {0, 0, 1, 1}},
    {LAYOUT_FIT_COVER, {5, 5, 960, 540}, 640, -1, 1.0,
     {5, 5, 960, 540}, {0, 0, 1, 1}},
    {LAYOUT_FIT_CONTAIN, {5, 5, 0, 540}, 640, 480, 1.0,
     {5, 5, 0, 540}, {0, 0, 1, 1}},
};

static void test_fit(struct check_counts *cc)
{
    size_t i;
    int k;
    for (i = 0; i < sizeof fit_cases / sizeof fit_cases[0]; i++) {
        const struct fit_case *fc = &fit_cases[i];
        struct layout_rect dst = {-1, -1, -1, -1};
        float uv[4] = {-1, -1, -1, -1};
        layout_fit_rect(fc->fit, fc->tile, fc->pic_w, fc->pic_h, fc->sar, &dst,
                        uv);
        check_rect(cc, "fit rect", (int)i, dst, fc->want);
        for (k = 0; k < 4; k++)
            CHECK(cc, fabsf(uv[k] - fc->uv[k]) < 1e-6f,
                  "fit %d: uv[%d] = %f, want %f", (int)i, k, uv[k],
                  fc->uv[k]);
    }
}

static void test_tile_at(struct check_counts *cc)
{
    static const struct {
        int x, y, want;
    } points[] = {
        {0, 0, 0},       {957, 0, 0},     {958, 0, -1},   {961, 0, -1},
        {962, 0, 1},     {1919, 0, 1},    {1919, 1079, 1}, {0, 537, 0},
        {0, 538, -1},    {0, 542, 2},     {957, 1079, 2}, {960, 1079, -1},
        {-1, 0, -1},     {0, -1, -1},     {1920, 0, -1},  {0, 1080, -1},
        {-2147483647 - 1, 0, -1}, {2147483647, 2147483647, -1},
    };
    struct layout_tile tiles[3] = {
        {.col = 0, .row = 0, .cols = 1, .rows = 1},
        {.col = 1, .row = 0, .cols = 1, .rows = 2},
        {.col = 0, .row = 1, .cols = 1, .rows = 1},
    };
    struct layout_output o = {.width = 1920, .height = 1080, .grid_cols = 2,
                              .grid_rows = 2, .gap = 4, .tiles = tiles,
                              .n_tiles = 3};
    struct layout_output empty = {.width = 1920, .height = 1080};
    size_t i;

    for (i = 0; i < sizeof points / sizeof points[0]; i++)
        CHECK(cc, layout_tile_at(&o, points[i].x, points[i].y) == points[i].want,
              "tile at (%d, %d) = %d, want %d", points[i].x, points[i].y,
              layout_tile_at(&o, points[i].x, points[i].y), points[i].want);
    CHECK_INT(cc, layout_tile_at(&empty, 0, 0), -1);
    CHECK_INT(cc, layout_tile_at(NULL, 0, 0), -1);
    /* overlapping tiles (only hand-built): the one drawn last wins */
    tiles[2].row = 0;
    CHECK_INT(cc, layout_tile_at(&o, 10, 10), 2);
}

int main(void)
{
    struct check_counts cc = {0, 0};
    test_tile_rects(&cc);
    test_grids_cover(&cc);
    test_fit(&cc);
    test_tile_at(&cc);
    return check_report(&cc);
}
