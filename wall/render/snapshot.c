/*
 * snapshot.c - snapshots of what was drawn: the render thread only reads the
 * pixels back (render_snapshot_read); encoding them as a PNG with
 * libavcodec's encoder (render_image_png) may run on any thread, e.g. a libuv
 * worker, so the wall keeps drawing meanwhile.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>

#include "base/log.h"
#include "render/render_internal.h"

struct render_image *render_image_new(int width, int height)
{
    struct render_image *img = calloc(1, sizeof(*img));
    size_t size = (size_t)width * 4 * (size_t)height;
    if (!img || !(img->bgra = malloc(size))) {
        free(img);
        return NULL;
    }
    memset(img->bgra, 0xff, size); /* not 0: that could become a calloc,
                                      which maps pages without touching them */
    img->width = width;
    img->height = height;
    return img;
}

int render_snapshot_read(struct renderer *r, const struct render_target *target,
                         struct render_image *img)
{
    (void)r;
    if (img->width != target->width || img->height != target->height)
        return -EINVAL;
    glBindFramebuffer(GL_READ_FRAMEBUFFER, target->fbo);
    glPixelStorei(GL_PACK_ALIGNMENT, 4);
    /* BGRA, the targets' own layout: Mesa copies rows as they are, where
     * RGB would convert every pixel on this thread (3x slower here) */
    glReadPixels(0, 0, img->width, img->height, GL_BGRA, GL_UNSIGNED_BYTE, img->bgra);
    return 0;
}

void render_image_free(struct render_image *img)
{
    if (!img)
        return;
    free(img->bgra);
    free(img);
}

/* Encodes frame as one PNG packet. */
static int encode_png(AVFrame *frame, AVPacket *pkt)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    if (!codec)
        return AVERROR_ENCODER_NOT_FOUND;
    AVCodecContext *ctx = avcodec_alloc_context3(codec);
    if (!ctx)
        return AVERROR(ENOMEM);
    ctx->width = frame->width;
    ctx->height = frame->height;
    ctx->pix_fmt = AV_PIX_FMT_RGB24;
    ctx->time_base = (AVRational){1, 1};
    int ret = avcodec_open2(ctx, codec, NULL);
    if (ret >= 0)
        ret = avcodec_send_frame(ctx, frame);
    if (ret >= 0)
        ret = avcodec_receive_packet(ctx, pkt);
    avcodec_free_context(&ctx);
    return ret;
}

int render_image_png(const struct render_image *img, AVPacket *pkt)
{
    AVFrame *frame = av_frame_alloc();
    int ret = frame ? 0 : AVERROR(ENOMEM);
    if (ret == 0) {
        frame->format = AV_PIX_FMT_RGB24;
        frame->width = img->width;
        frame->height = img->height;
        ret = av_frame_get_buffer(frame, 0);
    }
    size_t row = (size_t)img->width * 4;
    for (int y = 0; ret == 0 && y < img->height; y++) {
        const uint8_t *src = img->bgra + (size_t)y * row;
        uint8_t *dst = frame->data[0] + (size_t)y * (size_t)frame->linesize[0];
        for (int x = 0; x < img->width; x++, src += 4, dst += 3) {
            dst[0] = src[2]; /* the targets are opaque: alpha dropped */
            dst[1] = src[1];
            dst[2] = src[0];
        }
    }
    if (ret == 0)
        ret = encode_png(frame, pkt);
    av_frame_free(&frame);
    return ret;
}
