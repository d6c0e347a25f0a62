/*
 * scale.c - libswscale to tile size and RGB, with a cached context and a
 * buffer pool per output size (see scale.h).
 */
#include "decode/scale.h"

#include <errno.h>
#include <stdlib.h>

#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

struct scaler {
    struct SwsContext *sws;   /* cached for the last sizes and formats */
    int cs, full;             /* colour details set on sws (-1: none yet) */
    AVBufferPool *pool;       /* output buffers of pool_size bytes */
    int pool_size;
};

struct scaler *scaler_create(void)
{
    struct scaler *sc = calloc(1, sizeof(*sc));
    if (sc)
        sc->cs = -1;
    return sc;
}

void scaler_destroy(struct scaler *sc)
{
    if (!sc)
        return;
    sws_freeContext(sc->sws);
    av_buffer_pool_uninit(&sc->pool);
    free(sc);
}

/* The J formats say "full range" by name; swscale wants the plain ones. */
static enum AVPixelFormat plain_format(int fmt)
{
    switch (fmt) {
    case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P;
    default: return (enum AVPixelFormat)fmt;
    }
}

int scaler_supported(const AVFrame *in)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(in->format);
    return d && !(d->flags & (AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_RGB)) &&
           sws_isSupportedInput(plain_format(in->format)) && in->width > 0 &&
           in->height > 0;
}

/* swscale's coefficient table for in's colour space, with the defaults the
 * shader uses (video.c set_matrix): BT.709 from 720 lines up, else 601. */
static int sws_colorspace(const AVFrame *in)
{
    switch (in->colorspace) {
    case AVCOL_SPC_BT709: return SWS_CS_ITU709;
    case AVCOL_SPC_BT2020_NCL: case AVCOL_SPC_BT2020_CL: return SWS_CS_BT2020;
    case AVCOL_SPC_UNSPECIFIED: return in->height >= 720 ? SWS_CS_ITU709 : SWS_CS_ITU601;
    default: return SWS_CS_ITU601;
    }
}

/* Points sc->sws at a context for in -> w x h and sets its colour details
 * when they changed.  0 or a negative AVERROR. */
static int prepare(struct scaler *sc, const AVFrame *in, int w, int h)
{
    struct SwsContext *old = sc->sws;
    sc->sws = sws_getCachedContext(sc->sws, in->width, in->height, plain_format(in->format),
                                   w, h, SCALE_FORMAT, SWS_BILINEAR, NULL, NULL, NULL);
    if (!sc->sws)
        return AVERROR(EINVAL);
    int full = in->color_range == AVCOL_RANGE_JPEG || in->format == AV_PIX_FMT_YUVJ420P ||
               in->format == AV_PIX_FMT_YUVJ422P || in->format == AV_PIX_FMT_YUVJ444P;
    int cs = sws_colorspace(in);
    if (sc->sws == old && cs == sc->cs && full == sc->full)
        return 0;
    const int *coef = sws_getCoefficients(cs);
    if (sws_setColorspaceDetails(sc->sws, coef, full, coef, 1, 0, 1 << 16, 1 << 16) < 0)
        return AVERROR(EINVAL);
    sc->cs = cs;
    sc->full = full;
    return 0;
}

/* Gives out a pooled w x h SCALE_FORMAT buffer. */
static int get_buffer(struct scaler *sc, AVFrame *out, int w, int h)
{
    int stride = (w * 4 + 63) & ~63, size = stride * h + 64;
    if (!sc->pool || sc->pool_size != size) {
        av_buffer_pool_uninit(&sc->pool);
        sc->pool = av_buffer_pool_init((size_t)size, NULL);
        sc->pool_size = sc->pool ? size : 0;
    }
    out->buf[0] = sc->pool ? av_buffer_pool_get(sc->pool) : NULL;
    if (!out->buf[0])
        return AVERROR(ENOMEM);
    out->data[0] = out->buf[0]->data;
    out->linesize[0] = stride;
    out->format = SCALE_FORMAT;
    out->width = w;
    out->height = h;
    return 0;
}

int scaler_run(struct scaler *sc, const AVFrame *in, int w, int h, AVFrame *out)
{
    if (!scaler_supported(in) || w <= 0 || h <= 0 || w > 16384 || h > 16384)
        return AVERROR(EINVAL);
    int ret = prepare(sc, in, w, h);
    if (ret >= 0)
        ret = get_buffer(sc, out, w, h);
    if (ret >= 0)
        ret = av_frame_copy_props(out, in);
    if (ret >= 0 && sws_scale(sc->sws, (const uint8_t *const *)in->data, in->linesize, 0,
                              in->height, out->data, out->linesize) != h)
        ret = AVERROR(EINVAL);
    if (ret < 0) {
        av_frame_unref(out);
        return ret;
    }
    AVRational sar = in->sample_aspect_ratio.num > 0 ? in->sample_aspect_ratio
                                                     : (AVRational){1, 1};
    /* the same display shape: w * sar' / h == in->width * sar / in->height */
    av_reduce(&out->sample_aspect_ratio.num, &out->sample_aspect_ratio.den,
              (int64_t)in->width * sar.num * h, (int64_t)in->height * sar.den * w, 1 << 30);
    out->color_range = AVCOL_RANGE_JPEG;
    out->colorspace = AVCOL_SPC_RGB;
    return 0;
}
