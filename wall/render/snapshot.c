/*
 * snapshot.c - reads back what was drawn and writes it as a PNG with
 * libavcodec's PNG encoder, atomically (temporary file, then rename).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>

#include "base/log.h"
#include "render/render_internal.h"

/* Reads the framebuffer bottom-up and stores it top-down in frame. */
static void read_pixels(AVFrame *frame, int width, int height)
{
    uint8_t *tmp = malloc((size_t)width * 3 * (size_t)height);
    if (!tmp)
        return;
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, tmp);
    for (int y = 0; y < height; y++)
        memcpy(frame->data[0] + (size_t)y * (size_t)frame->linesize[0],
               tmp + (size_t)(height - 1 - y) * (size_t)width * 3, (size_t)width * 3);
    free(tmp);
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

static int write_file(const char *path, const uint8_t *data, size_t size)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return -ENAMETOOLONG;
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -errno;
    size_t n = fwrite(data, 1, size, f);
    int ret = fclose(f) == 0 && n == size ? 0 : -EIO;
    if (ret == 0 && rename(tmp, path) != 0)
        ret = -errno;
    if (ret < 0)
        remove(tmp);
    return ret;
}

int render_snapshot_png(struct renderer *r, const struct render_target *target,
                        const char *path)
{
    int width = target->width, height = target->height;
    glBindFramebuffer(GL_READ_FRAMEBUFFER, target->fbo);
    AVFrame *frame = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    int ret = frame && pkt ? 0 : AVERROR(ENOMEM);
    if (ret == 0) {
        frame->format = AV_PIX_FMT_RGB24;
        frame->width = width;
        frame->height = height;
        ret = av_frame_get_buffer(frame, 0);
    }
    if (ret == 0) {
        read_pixels(frame, width, height);
        ret = encode_png(frame, pkt);
    }
    if (ret == 0)
        ret = write_file(path, pkt->data, (size_t)pkt->size);
    if (ret < 0)
        tlog_err(r->log, "cannot write snapshot %s: %s", path, av_err2str(ret));
    av_packet_free(&pkt);
    av_frame_free(&frame);
    return ret;
}
