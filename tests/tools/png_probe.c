/*
 * png_probe.c - tessera-png-probe: reads a PNG (a Tessera snapshot) with
 * libavformat/libavcodec, converts it to RGB24 with libswscale, and answers
 * the questions integration tests ask about it: its size, the mean colour of
 * a rectangle, whether that mean is within a tolerance of an expected colour,
 * and how much of a rectangle differs from its own mean (text drawn over it).
 *
 *   tessera-png-probe FILE.png size                      -> "W H"
 *   tessera-png-probe FILE.png avg X Y W H               -> "R G B"
 *   tessera-png-probe FILE.png expect X Y W H R G B TOL  -> exit 0 or 1
 *   tessera-png-probe FILE.png diff X Y W H              -> fraction 0..1
 *
 * Exit status: 0 success, 1 check failed or unreadable image, 2 usage error.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

/* Pixels that differ from the rectangle's mean by more than this (in any
 * channel) count as "different" for the diff command. */
#define PROBE_DIFF_THRESHOLD 40

/* An RGB24 image held in memory; owns data. */
struct probe_image {
    int width, height;
    int stride;     /* bytes per row */
    uint8_t *data;  /* width * 3 bytes per row, height rows */
};

/* A rectangle in image pixels, origin at the top left. */
struct probe_rect {
    int x, y, w, h;
};

/* Prints the usage text to f. */
static void probe_usage(FILE *f)
{
    fputs("usage: tessera-png-probe FILE.png size\n"
          "       tessera-png-probe FILE.png avg X Y W H\n"
          "       tessera-png-probe FILE.png expect X Y W H R G B TOL\n"
          "       tessera-png-probe FILE.png diff X Y W H\n",
          f);
}

/* Parses a whole decimal int in [lo, hi] from s into *out; returns 0, or -1
 * (with a message on stderr naming what) if s is not such a number. */
static int probe_parse_int(const char *s, const char *what, long lo, long hi,
                           int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "tessera-png-probe: bad %s '%s'\n", what, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Converts one decoded frame to RGB24 into img (which then owns a new
 * buffer); returns 0 or a negative AVERROR. */
static int probe_frame_to_rgb(const AVFrame *frame, struct probe_image *img)
{
    struct SwsContext *sws = sws_getContext(
        frame->width, frame->height, (enum AVPixelFormat)frame->format,
        frame->width, frame->height, AV_PIX_FMT_RGB24, SWS_POINT, NULL, NULL,
        NULL);
    if (!sws)
        return AVERROR(EINVAL);
    int ret = 0;
    img->width = frame->width;
    img->height = frame->height;
    img->stride = frame->width * 3;
    img->data = malloc((size_t)img->stride * (size_t)img->height);
    if (!img->data) {
        ret = AVERROR(ENOMEM);
        goto fail;
    }
    uint8_t *dst[4] = {img->data, NULL, NULL, NULL};
    int dst_stride[4] = {img->stride, 0, 0, 0};
    int rows = sws_scale(sws, (const uint8_t *const *)frame->data,
                         frame->linesize, 0, frame->height, dst, dst_stride);
    if (rows != frame->height) {
        free(img->data);
        img->data = NULL;
        ret = AVERROR(EINVAL);
    }
fail:
    sws_freeContext(sws);
    return ret;
}

/* Decodes the first picture of path into img (caller frees img->data);
 * returns 0 or a negative AVERROR, having printed a message. */
static int probe_load(const char *path, struct probe_image *img)
{
    AVFormatContext *fmt = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    int ret = (pkt && frame) ? 0 : AVERROR(ENOMEM);
    if (ret < 0)
        goto fail;
    ret = avformat_open_input(&fmt, path, NULL, NULL);
    if (ret < 0)
        goto fail;
    ret = avformat_find_stream_info(fmt, NULL);
    if (ret < 0)
        goto fail;
    const AVCodec *codec = NULL;
    int idx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (idx < 0) {
        ret = idx;
        goto fail;
    }
    dec = avcodec_alloc_context3(codec);
    if (!dec) {
        ret = AVERROR(ENOMEM);
        goto fail;
    }
    ret = avcodec_parameters_to_context(dec, fmt->streams[idx]->codecpar);
    if (ret >= 0)
        ret = avcodec_open2(dec, codec, NULL);
    if (ret < 0)
        goto fail;
    for (;;) {
        ret = avcodec_receive_frame(dec, frame);
        if (ret >= 0)
            break;
        if (ret != AVERROR(EAGAIN))
            goto fail;
        ret = av_read_frame(fmt, pkt);
        if (ret == AVERROR_EOF) {
            ret = avcodec_send_packet(dec, NULL); /* drain */
        } else if (ret >= 0) {
            if (pkt->stream_index == idx)
                ret = avcodec_send_packet(dec, pkt);
            av_packet_unref(pkt);
        }
        if (ret < 0 && ret != AVERROR_EOF)
            goto fail;
    }
    ret = probe_frame_to_rgb(frame, img);
fail:
    if (ret < 0) {
        char msg[AV_ERROR_MAX_STRING_SIZE];
        av_strerror(ret, msg, sizeof msg);
        fprintf(stderr, "tessera-png-probe: %s: cannot read image: %s\n", path,
                msg);
    }
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return ret;
}

/* Returns 0 if r lies inside img with a positive size; otherwise prints why
 * and returns -1. */
static int probe_check_rect(const struct probe_image *img,
                            struct probe_rect r)
{
    if (r.w <= 0 || r.h <= 0 || r.x < 0 || r.y < 0 ||
        r.x > img->width - r.w || r.y > img->height - r.h) {
        fprintf(stderr,
                "tessera-png-probe: rect (%d,%d,%d,%d) is not inside the "
                "%dx%d image\n",
                r.x, r.y, r.w, r.h, img->width, img->height);
        return -1;
    }
    return 0;
}

/* Stores the mean R, G, B of rectangle r (already checked) in mean[3]. */
static void probe_mean(const struct probe_image *img, struct probe_rect r,
                       double mean[3])
{
    double sum[3] = {0, 0, 0};
    for (int y = r.y; y < r.y + r.h; y++) {
        const uint8_t *p = img->data + (size_t)y * (size_t)img->stride +
                           (size_t)r.x * 3;
        for (int x = 0; x < r.w; x++, p += 3)
            for (int c = 0; c < 3; c++)
                sum[c] += p[c];
    }
    double n = (double)r.w * (double)r.h;
    for (int c = 0; c < 3; c++)
        mean[c] = sum[c] / n;
}

/* Returns the fraction of pixels of r (already checked) having a channel
 * more than PROBE_DIFF_THRESHOLD away from the rectangle's mean. */
static double probe_diff(const struct probe_image *img, struct probe_rect r)
{
    double mean[3];
    probe_mean(img, r, mean);
    long differ = 0;
    for (int y = r.y; y < r.y + r.h; y++) {
        const uint8_t *p = img->data + (size_t)y * (size_t)img->stride +
                           (size_t)r.x * 3;
        for (int x = 0; x < r.w; x++, p += 3) {
            for (int c = 0; c < 3; c++) {
                double d = p[c] - mean[c];
                if (d > PROBE_DIFF_THRESHOLD || d < -PROBE_DIFF_THRESHOLD) {
                    differ++;
                    break;
                }
            }
        }
    }
    return (double)differ / ((double)r.w * (double)r.h);
}

/* Parses argv[0..3] as X Y W H into *r; returns 0 or -1. */
static int probe_parse_rect(char **argv, struct probe_rect *r)
{
    if (probe_parse_int(argv[0], "X", 0, INT_MAX, &r->x) ||
        probe_parse_int(argv[1], "Y", 0, INT_MAX, &r->y) ||
        probe_parse_int(argv[2], "W", 1, INT_MAX, &r->w) ||
        probe_parse_int(argv[3], "H", 1, INT_MAX, &r->h))
        return -1;
    return 0;
}

/* Runs the command named argv[0] (arguments after it) on img; returns the
 * process exit status. */
static int probe_run(const struct probe_image *img, int argc, char **argv)
{
    const char *cmd = argv[0];
    struct probe_rect r;
    double mean[3];

    if (!strcmp(cmd, "size") && argc == 1) {
        printf("%d %d\n", img->width, img->height);
        return 0;
    }
    if (!strcmp(cmd, "avg") && argc == 5) {
        if (probe_parse_rect(argv + 1, &r) || probe_check_rect(img, r))
            return 2;
        probe_mean(img, r, mean);
        printf("%d %d %d\n", (int)(mean[0] + 0.5), (int)(mean[1] + 0.5),
               (int)(mean[2] + 0.5));
        return 0;
    }
    if (!strcmp(cmd, "diff") && argc == 5) {
        if (probe_parse_rect(argv + 1, &r) || probe_check_rect(img, r))
            return 2;
        printf("%.4f\n", probe_diff(img, r));
        return 0;
    }
    if (!strcmp(cmd, "expect") && argc == 9) {
        int want[3], tol;
        if (probe_parse_rect(argv + 1, &r) || probe_check_rect(img, r) ||
            probe_parse_int(argv[5], "R", 0, 255, &want[0]) ||
            probe_parse_int(argv[6], "G", 0, 255, &want[1]) ||
            probe_parse_int(argv[7], "B", 0, 255, &want[2]) ||
            probe_parse_int(argv[8], "TOL", 0, 255, &tol))
            return 2;
        probe_mean(img, r, mean);
        int ok = 1;
        for (int c = 0; c < 3; c++)
            if (mean[c] < want[c] - tol || mean[c] > want[c] + tol)
                ok = 0;
        if (ok)
            return 0;
        printf("rect (%d,%d,%d,%d): mean (%d,%d,%d), want (%d,%d,%d) \u00b1 %d\n",
               r.x, r.y, r.w, r.h, (int)(mean[0] + 0.5), (int)(mean[1] + 0.5),
               (int)(mean[2] + 0.5), want[0], want[1], want[2], tol);
        return 1;
    }
    probe_usage(stderr);
    return 2;
}

/* Returns nonzero if cmd is a known command taking nargs arguments. */
static int probe_known_command(const char *cmd, int nargs)
{
    return (!strcmp(cmd, "size") && nargs == 0) ||
           (!strcmp(cmd, "avg") && nargs == 4) ||
           (!strcmp(cmd, "diff") && nargs == 4) ||
           (!strcmp(cmd, "expect") && nargs == 8);
}

/* Entry point: loads argv[1] and runs the command that follows it. */
int main(int argc, char **argv)
{
    if (argc < 3 || !probe_known_command(argv[2], argc - 3)) {
        probe_usage(stderr);
        return 2;
    }
    av_log_set_level(AV_LOG_ERROR);
    struct probe_image img = {0};
    if (probe_load(argv[1], &img) < 0)
        return 1;
    int status = probe_run(&img, argc - 2, argv + 2);
    free(img.data);
    return status;
}
