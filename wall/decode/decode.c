/*
 * decode.c - decoding tuned for live tiles: the backend choice (hwdec/),
 * libavcodec with get_format finding its decoder through avctx->opaque, the
 * fall back to software when hardware fails, copy mode when the renderer
 * cannot map hardware frames, and the rare CPU conversion (libswscale) for
 * formats the shaders do not handle.
 */
#include "decode/decode.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "base/log.h"

#define KEY_WAIT_MAX 300      /* packets dropped waiting for a keyframe, at most */
#define BAD_DATA_MAX 8        /* consecutive bad-data errors a hw decoder may have */

struct dec {
    AVCodecContext *avctx;
    AVCodecParameters *par;     /* kept to re-open in software */
    const AVCodec *codec;
    AVFrame *raw;               /* decoder output awaiting conversion */
    AVFrame *sys;               /* copy mode: the frame in system memory */
    struct SwsContext *sws;     /* only for unsupported formats */
    const struct tlog *log;
    enum AVPixelFormat warned_fmt;
    int threads;
    bool keyframes_only;        /* overloaded: skip every frame but key frames */

    /* hardware (all NULL/false in software) */
    const struct hwdec_driver *hw;
    AVBufferRef *hw_device;
    AVBufferRef *hw_book;       /* zero-copy bookkeeping, attached to frames */
    bool copy;                  /* copy mode */
    bool get_format_failed;     /* get_format found no hardware way */
    char get_format_why[HWDEC_WHY_MAX];
    int bad_data;               /* consecutive AVERROR_INVALIDDATA */

    bool wait_key;              /* after a fall back: drop until a keyframe */
    int waited;
    char name[16];              /* "nvdec", "nvdec-copy", "sw" */
    char fallback[HWDEC_WHY_MAX];
    unsigned generation;
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

static void set_status(struct dec *d, const char *name, const char *fallback)
{
    snprintf(d->name, sizeof(d->name), "%s", name);
    if (fallback)
        snprintf(d->fallback, sizeof(d->fallback), "%s", fallback);
    d->generation++;
}

/* ---- opening ---- */

/* get_format: takes the backend's hardware format when offered.  When it is
 * not (the hwaccel failed to initialise: profile, size, sessions, memory;
 * FFmpeg then asks again without it), notes the failure for the next
 * dec_send/dec_receive and lets this picture decode in software. */
static enum AVPixelFormat get_hw_format(AVCodecContext *avctx,
                                        const enum AVPixelFormat *fmts)
{
    struct dec *d = avctx->opaque;
    const enum AVPixelFormat *p;
    for (p = fmts; *p != AV_PIX_FMT_NONE; p++)
        if (d->hw && *p == d->hw->hw_format)
            return *p;
    if (d->hw && !d->get_format_failed) {
        const char *profile = avcodec_profile_name(avctx->codec_id, avctx->profile);
        snprintf(d->get_format_why, sizeof(d->get_format_why),
                 "cannot decode this stream (%s%s%s %dx%d): hwaccel init failed",
                 avctx->codec->name, profile ? " " : "", profile ? profile : "",
                 avctx->coded_width, avctx->coded_height);
        d->get_format_failed = true;
    }
    for (p = fmts; *p != AV_PIX_FMT_NONE; p++) {
        const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(*p);
        if (desc && !(desc->flags & AV_PIX_FMT_FLAG_HWACCEL))
            return *p;
    }
    return AV_PIX_FMT_NONE;
}

/* Frame threads of a hardware decoder: 1, so each picture is decoded and
 * waited for before the next is sent; or TESSERA_HWDEC_THREADS (2..4) in the
 * environment: that many pictures in flight on the decoder, for one more
 * frame of latency each (an experiment for many streams on one NVDEC; see
 * docs/hwdec.md). */
static int hw_threads(void)
{
    const char *env = getenv("TESSERA_HWDEC_THREADS");
    int n = env ? atoi(env) : 1;
    return n >= 2 && n <= 4 ? n : 1;
}

/* Opens d->avctx on drv with device dev, or in software when drv is NULL. */
static int open_codec(struct dec *d, const struct hwdec_driver *drv, AVBufferRef *dev)
{
    int ret;
    avcodec_free_context(&d->avctx);
    if (!(d->avctx = avcodec_alloc_context3(d->codec)))
        return AVERROR(ENOMEM);
    if ((ret = avcodec_parameters_to_context(d->avctx, d->par)) < 0)
        return ret;
    d->avctx->flags |= AV_CODEC_FLAG_LOW_DELAY;
    d->avctx->opaque = d;
    d->avctx->skip_frame = d->keyframes_only ? AVDISCARD_NONKEY : AVDISCARD_DEFAULT;
    if (drv) {
        d->avctx->thread_count = hw_threads();
        if (d->avctx->thread_count > 1) {
            d->avctx->thread_type = FF_THREAD_FRAME;
            d->avctx->flags &= ~AV_CODEC_FLAG_LOW_DELAY; /* it rules out frame threads */
            tlog_info(d->log, "%s: %d pictures in flight (TESSERA_HWDEC_THREADS)",
                      drv->name, d->avctx->thread_count);
        }
        d->avctx->get_format = get_hw_format;
        d->avctx->extra_hw_frames = drv->extra_hw_frames;
        if (!(d->avctx->hw_device_ctx = av_buffer_ref(dev)))
            return AVERROR(ENOMEM);
    } else {
        d->avctx->thread_count = pick_threads(d->par, d->threads);
        d->avctx->thread_type = FF_THREAD_SLICE;
    }
    return avcodec_open2(d->avctx, d->codec, NULL);
}

struct probe_ctx {
    struct dec *d;
    struct hwdec_devices *devices;
    AVBufferRef *dev, *book;   /* of the accepted backend */
};

/* hwdec_select's probe: the shared device exists and takes this stream. */
static int probe(void *opaque, const struct hwdec_driver *drv, char *why, size_t n)
{
    struct probe_ctx *pc = opaque;
    AVBufferRef *book = NULL;
    AVBufferRef *dev = hwdec_devices_get(pc->devices, drv, &book, why, n);
    if (!dev)
        return AVERROR(ENODEV);
    int ret = hwdec_check_stream(drv, dev, pc->d->codec, pc->d->par->width,
                                 pc->d->par->height, why, n);
    if (ret < 0) {
        av_buffer_unref(&dev);
        av_buffer_unref(&book);
        return ret;
    }
    pc->dev = dev;
    pc->book = book;
    return 0;
}

/* Picks the backend and opens the codec on it, or in software. */
static int open_best(struct dec *d, const struct dec_config *cfg)
{
    enum hwdec_mode mode = cfg ? hwdec_mode_resolve(cfg->hwdec, HWDEC_MODE_DEFAULT)
                               : HWDEC_MODE_SW;
    char why[HWDEC_WHY_MAX] = "";
    struct probe_ctx pc = {.d = d, .devices = cfg ? cfg->devices : NULL};
    const struct hwdec_driver *drv = &hwdec_driver_sw;
    if (mode != HWDEC_MODE_SW && pc.devices)
        drv = hwdec_select(mode, cfg->drivers, probe, &pc, why, sizeof(why));
    else if (mode != HWDEC_MODE_SW)
        snprintf(why, sizeof(why), "no hardware device set");
    if (drv->mode != HWDEC_MODE_SW) {
        int ret = open_codec(d, drv, pc.dev);
        if (ret >= 0) {
            d->hw = drv;
            d->hw_device = pc.dev;
            d->hw_book = pc.book;
            set_status(d, drv->name, ""); /* what auto passed over is no fallback */
            return 0;
        }
        snprintf(why, sizeof(why), "%s: cannot open the %s decoder: %s", drv->name,
                 d->codec->name, av_err2str(ret));
        av_buffer_unref(&pc.dev);
        av_buffer_unref(&pc.book);
    }
    set_status(d, "sw", why);
    return open_codec(d, NULL, NULL);
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
    d->codec = codec;
    d->warned_fmt = AV_PIX_FMT_NONE;
    d->threads = cfg ? cfg->threads : 0;
    if (!(d->par = avcodec_parameters_alloc()) || !(d->raw = av_frame_alloc()) ||
        !(d->sys = av_frame_alloc()))
        goto fail;
    if ((*err = avcodec_parameters_copy(d->par, par)) < 0)
        goto fail;
    if ((*err = open_best(d, cfg)) < 0) {
        tlog_err(log, "cannot open %s decoder: %s", codec->name, av_err2str(*err));
        goto fail;
    }
    *err = 0;
    return d;
fail:
    dec_destroy(d);
    return NULL;
}

static void release_hw(struct dec *d)
{
    av_buffer_unref(&d->hw_device);
    av_buffer_unref(&d->hw_book);
    d->hw = NULL;
    d->copy = false;
    d->get_format_failed = false;
    d->bad_data = 0;
}

void dec_destroy(struct dec *d)
{
    if (!d)
        return;
    avcodec_free_context(&d->avctx);
    release_hw(d);
    avcodec_parameters_free(&d->par);
    av_frame_free(&d->raw);
    av_frame_free(&d->sys);
    sws_freeContext(d->sws);
    free(d);
}

/* ---- falling back ---- */

/* Replaces the hardware decoder with a software one that starts at the next
 * keyframe.  The shared device stays for the other feeds. */
static int fall_back(struct dec *d, const char *what)
{
    char why[HWDEC_WHY_MAX];
    snprintf(why, sizeof(why), "%s failed: %s", d->hw->name, what);
    avcodec_free_context(&d->avctx);
    release_hw(d);
    set_status(d, "sw", why);
    d->wait_key = true;
    d->waited = 0;
    int ret = open_codec(d, NULL, NULL);
    if (ret < 0)
        tlog_err(d->log, "cannot open the %s decoder in software: %s", d->codec->name,
                 av_err2str(ret));
    return ret;
}

/* True when ret from send/receive means the hardware path is broken.  Bad
 * data once is the stream's fault; many in a row with hardware is not. */
static bool hw_broken(struct dec *d, int ret)
{
    if (d->get_format_failed)
        return true;
    if (ret >= 0 || ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) {
        if (ret >= 0)
            d->bad_data = 0;
        return false;
    }
    if (ret == AVERROR_INVALIDDATA)
        return ++d->bad_data >= BAD_DATA_MAX;
    return true;
}

/* The reason for a fall back after ret. */
static const char *broken_why(struct dec *d, int ret, char *buf, size_t n)
{
    if (d->get_format_failed)
        return d->get_format_why;
    snprintf(buf, n, "decoding error: %s", av_err2str(ret));
    return buf;
}

int dec_send(struct dec *d, const AVPacket *pkt)
{
    if (d->wait_key && pkt) {
        if (!(pkt->flags & AV_PKT_FLAG_KEY) && ++d->waited < KEY_WAIT_MAX)
            return 0;
        d->wait_key = false;
    }
    int ret = avcodec_send_packet(d->avctx, pkt);
    if (d->hw && hw_broken(d, ret)) {
        char buf[HWDEC_WHY_MAX];
        if ((ret = fall_back(d, broken_why(d, ret, buf, sizeof(buf)))) < 0)
            return ret;
        if (pkt && (pkt->flags & AV_PKT_FLAG_KEY)) {
            d->wait_key = false;
            return avcodec_send_packet(d->avctx, pkt);
        }
        return 0;
    }
    return ret;
}

/* ---- frames out ---- */

/* Converts src into out as yuv420p, keeping the colour metadata. */
static int convert(struct dec *d, const AVFrame *in, AVFrame *out)
{
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

/* Hands a system-memory frame over, converting it if the shaders cannot. */
static int deliver_sw(struct dec *d, AVFrame *src, AVFrame *out)
{
    int ret = 0;
    if (dec_format_supported(src->format))
        av_frame_move_ref(out, src);
    else
        ret = convert(d, src, out);
    av_frame_unref(src);
    return ret;
}

/* Enters copy mode once the renderer said it cannot map this device's
 * frames, or for pictures that have no zero-copy path (not NV12). */
static bool want_copy(struct dec *d, const AVFrame *hw)
{
    char why[HWDEC_WHY_MAX], msg[HWDEC_WHY_MAX];
    if (d->copy)
        return true;
    const AVHWFramesContext *fc = (const AVHWFramesContext *)hw->hw_frames_ctx->data;
    if (fc->sw_format != AV_PIX_FMT_NV12) {
        snprintf(msg, sizeof(msg), "zero-copy unavailable: %s pictures",
                 av_get_pix_fmt_name(fc->sw_format));
    } else if (hwdec_interop_state_of(d->hw_book, why, sizeof(why)) ==
               HWDEC_INTEROP_FAILED) {
        snprintf(msg, sizeof(msg), "zero-copy unavailable: %s", why);
    } else {
        return false;
    }
    char name[16];
    snprintf(name, sizeof(name), "%s-copy", d->hw->name);
    set_status(d, name, msg);
    d->copy = true;
    return true;
}

/* Hands a hardware frame over: as it is (with the bookkeeping the renderer
 * reports to), or copied to system memory in copy mode. */
static int deliver_hw(struct dec *d, AVFrame *out)
{
    int ret;
    if (!want_copy(d, d->raw)) {
        av_buffer_unref(&d->raw->opaque_ref);
        if (!(d->raw->opaque_ref = av_buffer_ref(d->hw_book))) {
            av_frame_unref(d->raw);
            return AVERROR(ENOMEM);
        }
        av_frame_move_ref(out, d->raw);
        return 0;
    }
    ret = av_hwframe_transfer_data(d->sys, d->raw, 0);
    if (ret >= 0)
        ret = av_frame_copy_props(d->sys, d->raw);
    av_frame_unref(d->raw);
    if (ret < 0) {
        av_frame_unref(d->sys);
        return ret;
    }
    return deliver_sw(d, d->sys, out);
}

int dec_receive(struct dec *d, AVFrame *out)
{
    int ret = avcodec_receive_frame(d->avctx, d->raw);
    if (d->hw && hw_broken(d, ret)) {
        char buf[HWDEC_WHY_MAX];
        av_frame_unref(d->raw);
        ret = fall_back(d, broken_why(d, ret, buf, sizeof(buf)));
        return ret < 0 ? ret : AVERROR(EAGAIN);
    }
    if (ret < 0)
        return ret;
    if (d->hw && d->raw->format == d->hw->hw_format && d->raw->hw_frames_ctx)
        return deliver_hw(d, out);
    if (d->hw && !d->get_format_failed) {
        /* decoded, but not by the hardware: show it, then start over */
        snprintf(d->get_format_why, sizeof(d->get_format_why),
                 "the decoder made %s frames, not %s",
                 av_get_pix_fmt_name(d->raw->format), av_get_pix_fmt_name(d->hw->hw_format));
        d->get_format_failed = true;
    }
    return deliver_sw(d, d->raw, out);
}

void dec_flush(struct dec *d)
{
    avcodec_flush_buffers(d->avctx);
}

void dec_set_keyframes_only(struct dec *d, bool on)
{
    d->keyframes_only = on;
    if (d->avctx)
        d->avctx->skip_frame = on ? AVDISCARD_NONKEY : AVDISCARD_DEFAULT;
}

const char *dec_codec_name(const struct dec *d)
{
    return d->codec->name;
}

unsigned dec_hwdec_status(const struct dec *d, char *name, size_t name_n,
                          char *fallback, size_t fallback_n)
{
    snprintf(name, name_n, "%s", d->name);
    snprintf(fallback, fallback_n, "%s", d->fallback);
    return d->generation;
}
