/*
 * mask.h - privacy masks as a coverage image: polygons in picture
 * coordinates normalised to 0..1 are rasterised, conservatively, into a
 * square R8 image that the video shader samples, so a mask follows the
 * picture through any resolution change.  Pure: no GL here.
 */
#ifndef TESSERA_MASK_H
#define TESSERA_MASK_H

#include <stdint.h>

#include "layout/layout.h"

#define MASK_SIZE 512           /* coverage image side, texels */
#define MASK_SOLID 255          /* texel value: cover with a flat colour */
#define MASK_PIXELATE 128       /* texel value: show large blocks only */

/* Rasterises masks into out (MASK_SIZE x MASK_SIZE bytes, row 0 at the top)
 * with the non-zero winding rule (an outline that crosses itself has no
 * holes): a texel is covered when any part of it touches a polygon, so no
 * covered pixel can peek out at an edge; solid wins over pixelate where
 * masks overlap.  Returns the number of covered texels, or -EINVAL (out
 * all covered, solid) when a mask cannot be built: fewer than 3 or more than
 * LAYOUT_MAX_MASK_POINTS points, a coordinate that is not a number from 0 to
 * 1, or all points on one line.  Callers must then hide the whole picture. */
int mask_rasterize(const struct layout_mask *masks, int n_masks, uint8_t *out);

#endif
