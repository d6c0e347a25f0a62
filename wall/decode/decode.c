/*
 * decode.c - software decoding tuned for live tiles, and the rare CPU
 * conversion (libswscale) for formats the shaders do not handle.
 */
#include "decode/decode.h"

#include <errno.h>
#include <stdlib.h>

#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "base/log.h"

struct dec {
    AVCodecContext *avctx;
    AVFrame *raw;               /* decoder output awaiting conversion */
    struct SwsContext *sws;     /* only for unsupported formats */
    const struct tlog *log;
    enum AVPixelFormat warned_fmt;
};

int dec_format_supported(enum AVPixelFormat fmt)
{
    switch (fmt) {
    case AV_PIX_FMT_YUV420P:
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUV422P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUV444P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_NV12:
    case AV_PIX_FMT_GRAY8:
        return 1;
    default:
        return 0;
    }
}

/* Slice threads only: they add no delay.  Large pictures get two. */
static int pick_threads(const AVCodecParameters *par, int wanted)
{
    if (wanted > 0)
        return wanted;
    return (int64_t)par->width * par->height >= 1920 * 1080 ? 2 : 1;
}

struct dec *dec_create(const AVCodecParameters *par,
                       const struct dec_config *cfg, const struct tlog *log,
                       int *err)
{
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    struct dec *d = NULL;
    *err = AVERROR_DECODER_NOT_FOUND;
    if (!codec) {
        tlog_err(log, "no decoder for codec %s", avcodec_get_name(par->codec_id));
        return NULL;
    }
    *err = AVERROR(ENOMEM);
    if (!(d = calloc(1, sizeof(*d))))
        return NULL;
    d->log = log;
    d->warned_fmt = AV_PIX_FMT_NONE;
    if (!(d->avctx = avcodec_alloc_context3(codec)) || !(d->raw = av_frame_alloc()))
        goto fail;
    if ((*err = avcodec_parameters_to_context(d->avctx, par)) < 0)
        goto fail;
    d->avctx->thread_count = pick_threads(par, cfg ? cfg->threads : 0);
    d->avctx->thread_type = FF_THREAD_SLICE;
    d->avctx->flags |= AV_CODEC_FLAG_LOW_DELAY;
    if ((*err = avcodec_open2(d->avctx, codec, NULL)) < 0) {
        tlog_err(log, "cannot open %s decoder: %s", codec->name, av_err2str(*err));
        goto fail;
    }
    *err = 0;
    return d;
fail:
    dec_destroy(d);
    return NULL;
}

void dec_destroy(struct dec *d)
{
    if (!d)
        return;
    avcodec_free_context(&d->avctx);
    av_frame_free(&d->raw);
    sws_freeContext(d->sws);
    free(d);
}

int dec_send(struct dec *d, const AVPacket *pkt)
{
    return avcodec_send_packet(d->avctx, pkt);
}

/* Converts d->raw into out as yuv420p (or yuv444p for formats with more
 * chroma), keeping the colour metadata. */
static int convert(struct dec *d, AVFrame *out)
{
    const AVFrame *in = d->raw;
    if (d->warned_fmt != (enum AVPixelFormat)in->format) {
        tlog_info(d->log, "converting %s on the CPU (no shader path)",
                  av_get_pix_fmt_name(in->format));
        d->warned_fmt = in->format;
    }
    d->sws = sws_getCachedContext(d->sws, in->width, in->height, in->format,
                                  in->width, in->height, AV_PIX_FMT_YUV420P,
                                  SWS_BILINEAR, NULL, NULL, NULL);
    if (!d->sws)
        return AVERROR(EINVAL);
    out->format = AV_PIX_FMT_YUV420P;
    out->width = in->width;
    out->height = in->height;
    int ret = av_frame_get_buffer(out, 0);
    if (ret < 0)
        return ret;
    sws_scale(d->sws, (const uint8_t *const *)in->data, in->linesize, 0,
              in->height, out->data, out->linesize);
    av_frame_copy_props(out, in);
    return 0;
}

int dec_receive(struct dec *d, AVFrame *out)
{
    int ret = avcodec_receive_frame(d->avctx, d->raw);
    if (ret < 0)
        return ret;
    if (dec_format_supported(d->raw->format)) {
        av_frame_move_ref(out, d->raw);
        return 0;
    }
    ret = convert(d, out);
    av_frame_unref(d->raw);
    return ret;
}

void dec_flush(struct dec *d)
{
    avcodec_flush_buffers(d->avctx);
}

const char *dec_codec_name(const struct dec *d)
{
    return d->avctx->codec->name;
}
