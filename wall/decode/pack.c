/*
 * pack.c - 4:2:0 planes to packed VUYA, a row at a time.
 */
#include "decode/pack.h"

#include <errno.h>
#include <stdint.h>

int pack_supported(int format)
{
    return format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P;
}

/* One output row from a luma row and the chroma rows that cover it. */
static void pack_row(uint8_t *restrict dst, const uint8_t *restrict y,
                     const uint8_t *restrict u, const uint8_t *restrict v, int w)
{
    int x = 0;
    for (; x + 1 < w; x += 2) {
        uint8_t cu = u[x >> 1], cv = v[x >> 1];
        dst[0] = cv; dst[1] = cu; dst[2] = y[x]; dst[3] = 255;
        dst[4] = cv; dst[5] = cu; dst[6] = y[x + 1]; dst[7] = 255;
        dst += 8;
    }
    if (x < w) {
        dst[0] = v[x >> 1]; dst[1] = u[x >> 1]; dst[2] = y[x]; dst[3] = 255;
    }
}

/* Makes sure *pool hands out buffers of size bytes. */
static int ensure_pool(AVBufferPool **pool, int *pool_size, int size)
{
    if (*pool && *pool_size == size)
        return 0;
    av_buffer_pool_uninit(pool);
    *pool = av_buffer_pool_init((size_t)size, NULL);
    *pool_size = *pool ? size : 0;
    return *pool ? 0 : AVERROR(ENOMEM);
}

int pack_vuya(const AVFrame *in, AVFrame *out, AVBufferPool **pool, int *pool_size)
{
    if (!pack_supported(in->format) || in->width <= 0 || in->height <= 0 ||
        in->width > 16384 || in->height > 16384)
        return AVERROR(EINVAL);
    int stride = (in->width * 4 + 63) & ~63;
    int ret = ensure_pool(pool, pool_size, stride * in->height + 64);
    if (ret < 0)
        return ret;
    out->buf[0] = av_buffer_pool_get(*pool);
    if (!out->buf[0])
        return AVERROR(ENOMEM);
    out->data[0] = out->buf[0]->data;
    out->linesize[0] = stride;
    out->format = PACK_FORMAT;
    out->width = in->width;
    out->height = in->height;
    for (int row = 0; row < in->height; row++)
        pack_row(out->data[0] + (size_t)row * stride, in->data[0] + (size_t)row * in->linesize[0],
                 in->data[1] + (size_t)(row >> 1) * in->linesize[1],
                 in->data[2] + (size_t)(row >> 1) * in->linesize[2], in->width);
    ret = av_frame_copy_props(out, in);
    if (in->format == AV_PIX_FMT_YUVJ420P)
        out->color_range = AVCOL_RANGE_JPEG; /* the J formats mean full range */
    return ret;
}
