/*
 * test_mask.c - privacy mask coverage: a rectangle covers exactly its area
 * plus at most one texel of margin (never less), a triangle half a square,
 * solid beats pixelate where they overlap, degenerate input covers nothing.
 */
#include <stdlib.h>

#include "check.h"
#include "render/mask.h"

static struct layout_mask poly(float (*pts)[2], int n, enum layout_mask_style s)
{
    return (struct layout_mask){.points = pts, .n_points = n, .style = s};
}

int main(void)
{
    struct check_counts cc = {0};
    uint8_t *img = malloc(MASK_SIZE * MASK_SIZE);
    float rect[4][2] = {{0.25f, 0.25f}, {0.75f, 0.25f}, {0.75f, 0.5f}, {0.25f, 0.5f}};
    struct layout_mask m = poly(rect, 4, LAYOUT_MASK_SOLID);
    int n = mask_rasterize(&m, 1, img);
    int area = (MASK_SIZE / 2) * (MASK_SIZE / 4);
    CHECK(&cc, n >= area && n <= (MASK_SIZE / 2 + 2) * (MASK_SIZE / 4 + 2),
          "rectangle covers %d texels, area %d", n, area);
    /* every texel inside is covered, a texel two away from the edge is not */
    int missed = 0;
    for (int y = MASK_SIZE / 4; y < MASK_SIZE / 2; y++)
        for (int x = MASK_SIZE / 4; x < 3 * MASK_SIZE / 4; x++)
            missed += img[y * MASK_SIZE + x] != MASK_SOLID;
    CHECK_INT(&cc, missed, 0);
    CHECK_INT(&cc, img[(MASK_SIZE / 4 - 2) * MASK_SIZE + MASK_SIZE / 2], 0);
    CHECK_INT(&cc, img[(MASK_SIZE / 2 + 2) * MASK_SIZE + MASK_SIZE / 2], 0);

    float tri[3][2] = {{0, 0}, {1, 0}, {0, 1}};
    m = poly(tri, 3, LAYOUT_MASK_PIXELATE);
    n = mask_rasterize(&m, 1, img);
    int half = MASK_SIZE * MASK_SIZE / 2;
    CHECK(&cc, n >= half && n < half + 2 * MASK_SIZE + 2, "triangle %d vs %d", n, half);
    CHECK_INT(&cc, img[5 * MASK_SIZE + 5], MASK_PIXELATE);
    CHECK_INT(&cc, img[(MASK_SIZE - 5) * MASK_SIZE + MASK_SIZE - 5], 0);

    struct layout_mask both[2] = {poly(tri, 3, LAYOUT_MASK_PIXELATE),
                                  poly(rect, 4, LAYOUT_MASK_SOLID)};
    mask_rasterize(both, 2, img);
    CHECK_INT(&cc, img[(MASK_SIZE * 3 / 8) * MASK_SIZE + MASK_SIZE * 3 / 8], MASK_SOLID);
    CHECK_INT(&cc, img[5 * MASK_SIZE + 5], MASK_PIXELATE);

    float line[2][2] = {{0, 0}, {1, 1}};
    m = poly(line, 2, LAYOUT_MASK_SOLID);
    CHECK_INT(&cc, mask_rasterize(&m, 1, img), 0);
    CHECK_INT(&cc, mask_rasterize(NULL, 0, img), 0);
    free(img);
    return check_report(&cc);
}
