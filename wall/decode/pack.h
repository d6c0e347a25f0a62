/*
 * pack.h - interleaving a 4:2:0 picture's planes into one packed VUYA
 * picture (V, U, Y, 255 per pixel) for software OpenGL.  This is no colour
 * conversion (the shader still turns YUV into RGB with the frame's matrix
 * and range): on Mesa's llvmpipe, sampling one RGBA texture costs a third of
 * sampling three R8 ones, and the tiles' shading is what a GPU-less wall
 * spends most of its time on.  Runs on the feed threads.
 */
#ifndef TESSERA_PACK_H
#define TESSERA_PACK_H

#include <libavutil/buffer.h>
#include <libavutil/frame.h>

/* The format packed frames carry: bytes V, U, Y, 255 per pixel.  FFmpeg 5.1
 * has no packed 8-bit 4:4:4 YUV format, so the RGBX container is used; only
 * pack_vuya() produces it (decode.c converts any RGB a decoder outputs to
 * YUV first), so the renderer can take it for packed YUV. */
#define PACK_FORMAT AV_PIX_FMT_RGB0

/* True for the formats pack_vuya() takes (yuv420p, yuvj420p). */
int pack_supported(int format);

/* Writes in (yuv420p/yuvj420p) into out (blank on entry) as
 * PACK_FORMAT of the same size, chroma repeated over its 2x2 pixels,
 * with in's properties (timestamps, colour space, range).  The buffer comes
 * from *pool, which is (re)made for the picture size and owned by the caller
 * (av_buffer_pool_uninit).  Returns 0 or a negative AVERROR. */
int pack_vuya(const AVFrame *in, AVFrame *out, AVBufferPool **pool, int *pool_size);

#endif
