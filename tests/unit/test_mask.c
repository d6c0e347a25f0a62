/*
 * test_mask.c - privacy mask coverage: a rectangle covers exactly its area
 * plus at most one texel of margin (never less), a triangle half a square,
 * solid beats pixelate where they overlap; non-zero winding (a five-pointed
 * star drawn in one stroke has no hole in its middle); a polygon smaller
 * than a texel still covers one; a mask that cannot be built fails closed
 * (-EINVAL and the whole image covered).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <string.h>

#include "check.h"
#include "render/mask.h"

#define PI 3.14159265358979323846

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

    /* a pentagram in one stroke: its centre winds twice (even-odd: a hole) */
    float star[5][2];
    for (int i = 0; i < 5; i++) {
        double a = -PI / 2 + i * 4 * PI / 5;
        star[i][0] = (float)(0.5 + 0.4 * cos(a));
        star[i][1] = (float)(0.5 + 0.4 * sin(a));
    }
    m = poly(star, 5, LAYOUT_MASK_SOLID);
    CHECK(&cc, mask_rasterize(&m, 1, img) > 0, "star covers nothing");
    CHECK_INT(&cc, img[(MASK_SIZE / 2) * MASK_SIZE + MASK_SIZE / 2], MASK_SOLID);
    CHECK_INT(&cc, img[(MASK_SIZE / 2 + 20) * MASK_SIZE + MASK_SIZE / 2 - 20], MASK_SOLID);

    /* a bow tie: both lobes covered, the gaps above and below the crossing not */
    float bow[4][2] = {{0.1f, 0.1f}, {0.9f, 0.9f}, {0.9f, 0.1f}, {0.1f, 0.9f}};
    m = poly(bow, 4, LAYOUT_MASK_SOLID);
    CHECK(&cc, mask_rasterize(&m, 1, img) > 0, "bow tie covers nothing");
    CHECK_INT(&cc, img[(MASK_SIZE / 2) * MASK_SIZE + MASK_SIZE / 5], MASK_SOLID);
    CHECK_INT(&cc, img[(MASK_SIZE / 2) * MASK_SIZE + MASK_SIZE * 4 / 5], MASK_SOLID);
    CHECK_INT(&cc, img[(MASK_SIZE / 5) * MASK_SIZE + MASK_SIZE / 2], 0);

    /* smaller than a texel, between its sample points: still covered */
    float x = 100.3f / MASK_SIZE, y = 200.3f / MASK_SIZE, e = 0.2f / MASK_SIZE;
    float tiny[3][2] = {{x, y}, {x + e, y}, {x, y + e}};
    m = poly(tiny, 3, LAYOUT_MASK_SOLID);
    CHECK_INT(&cc, mask_rasterize(&m, 1, img), 1);
    CHECK_INT(&cc, img[200 * MASK_SIZE + 100], MASK_SOLID);

    /* masks that cannot be built: everything covered, and an error */
    float line[2][2] = {{0, 0}, {1, 1}};
    float flat[3][2] = {{0, 0}, {0.5f, 0.5f}, {1, 1}};
    float nan_pt[3][2] = {{0, 0}, {NAN, 0.5f}, {1, 0}};
    float out_pt[3][2] = {{0, 0}, {1.5f, 0.5f}, {1, 0}};
    struct layout_mask bad[] = {poly(line, 2, LAYOUT_MASK_PIXELATE),
                                poly(flat, 3, LAYOUT_MASK_PIXELATE),
                                poly(nan_pt, 3, LAYOUT_MASK_PIXELATE),
                                poly(out_pt, 3, LAYOUT_MASK_PIXELATE),
                                poly(NULL, 3, LAYOUT_MASK_PIXELATE),
                                poly(rect, LAYOUT_MAX_MASK_POINTS + 1, LAYOUT_MASK_PIXELATE)};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct layout_mask two[2] = {poly(rect, 4, LAYOUT_MASK_SOLID), bad[i]};
        memset(img, 0, MASK_SIZE * MASK_SIZE);
        CHECK_INT(&cc, mask_rasterize(two, 2, img), -EINVAL);
        int open = 0;
        for (int k = 0; k < MASK_SIZE * MASK_SIZE; k++)
            open += img[k] != MASK_SOLID;
        CHECK(&cc, open == 0, "bad mask %zu: %d texels left open", i, open);
    }
    CHECK_INT(&cc, mask_rasterize(NULL, 0, img), 0);
    free(img);
    return check_report(&cc);
}
