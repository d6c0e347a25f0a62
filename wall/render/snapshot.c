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

struct render_image *render_snapshot_read(struct renderer *r,
                                          const struct render_target *target)
{
    struct render_image *img = calloc(1, sizeof(*img));
    size_t size = (size_t)target->width * 3 * (size_t)target->height;
    if (!img || !(img->rgb = malloc(size))) {
        tlog_err(r->log, "snapshot: out of memory for %dx%d pixels", target->width,
                 target->height);
        free(img);
        return NULL;
    }
    img->width = target->width;
    img->height = target->height;
    glBindFramebuffer(GL_READ_FRAMEBUFFER, target->fbo);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, img->width, img->height, GL_RGB, GL_UNSIGNED_BYTE, img->rgb);
    return img;
}

void render_image_free(struct render_image *img)
{
    if (!img)
        return;
    free(img->rgb);
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
    size_t row = (size_t)img->width * 3;
    for (int y = 0; ret == 0 && y < img->height; y++) /* GL's rows go up */
        memcpy(frame->data[0] + (size_t)y * (size_t)frame->linesize[0],
               img->rgb + (size_t)(img->height - 1 - y) * row, row);
    if (ret == 0)
        ret = encode_png(frame, pkt);
    av_frame_free(&frame);
    return ret;
}
