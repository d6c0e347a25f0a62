/*
 * scale.h - the feed threads' half of drawing without a GPU: a decoded
 * picture scaled (libswscale, SIMD) to the size its tile shows it at and
 * converted to RGB in the same pass, so that a software rasteriser draws the
 * tile 1:1 with one nearest texel per pixel and no colour matrix.  Privacy
 * masks are not applied here: the one video shader still applies them (in
 * picture coordinates, which scaling does not change).
 *
 * Threads: a scaler belongs to one feed thread.
 */
#ifndef TESSERA_SCALE_H
#define TESSERA_SCALE_H

#include <libavutil/frame.h>

/* The format scaled frames carry: bytes B, G, R, A (opaque), full-range
 * RGB, the layout of the renderer's targets, so that it copies a picture
 * without masks into the wall as it is.  No decoder hands the renderer this
 * format (decode.c turns RGB output into YUV), so the renderer takes it for
 * "scaled, already RGB". */
#define SCALE_FORMAT AV_PIX_FMT_BGRA

struct scaler;

/* A scaler with nothing cached yet; NULL on allocation failure. */
struct scaler *scaler_create(void);

/* Frees the scaler (frames it made stay valid: their buffers are counted);
 * accepts NULL. */
void scaler_destroy(struct scaler *sc);

/* True when in (a software picture) can be scaled. */
int scaler_supported(const AVFrame *in);

/* Writes in scaled to w x h as SCALE_FORMAT into out (blank on entry), with
 * in's properties and the sample aspect ratio that keeps in's display shape;
 * the colour matrix and range come from in (as the shader reads them).
 * Returns 0 or a negative AVERROR (out is then blank). */
int scaler_run(struct scaler *sc, const AVFrame *in, int w, int h, AVFrame *out);

#endif
