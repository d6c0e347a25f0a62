/*
 * test_pack.c - VUYA packing: exact bytes for odd and even sizes, padded
 * source lines, properties carried over, buffers reused from the pool.
 */
#include "check.h"
#include "decode/pack.h"

static AVFrame *make(int w, int h, int fmt)
{
    AVFrame *f = av_frame_alloc();
    f->format = fmt;
    f->width = w;
    f->height = h;
    av_frame_get_buffer(f, 64); /* padded lines */
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            f->data[0][y * f->linesize[0] + x] = (uint8_t)(x + 10 * y);
    for (int y = 0; y < (h + 1) / 2; y++)
        for (int x = 0; x < (w + 1) / 2; x++) {
            f->data[1][y * f->linesize[1] + x] = (uint8_t)(100 + x + 7 * y);
            f->data[2][y * f->linesize[2] + x] = (uint8_t)(200 - x - 7 * y);
        }
    f->pts = 1234;
    f->colorspace = AVCOL_SPC_BT709;
    return f;
}

static void check_size(struct check_counts *cc, int w, int h, AVBufferPool **pool, int *size)
{
    AVFrame *in = make(w, h, AV_PIX_FMT_YUV420P), *out = av_frame_alloc();
    CHECK_INT(cc, pack_vuya(in, out, pool, size), 0);
    CHECK_INT(cc, out->format, PACK_FORMAT);
    CHECK_INT(cc, out->pts, 1234);
    CHECK_INT(cc, out->colorspace, AVCOL_SPC_BT709);
    int wrong = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *p = out->data[0] + y * out->linesize[0] + 4 * x;
            wrong += p[0] != in->data[2][(y / 2) * in->linesize[2] + x / 2] ||
                     p[1] != in->data[1][(y / 2) * in->linesize[1] + x / 2] ||
                     p[2] != in->data[0][y * in->linesize[0] + x] || p[3] != 255;
        }
    CHECK(cc, wrong == 0, "%dx%d: %d pixels wrong", w, h, wrong);
    av_frame_free(&in);
    av_frame_free(&out);
}

int main(void)
{
    struct check_counts cc = {0};
    AVBufferPool *pool = NULL;
    int size = 0;
    check_size(&cc, 16, 8, &pool, &size);
    check_size(&cc, 16, 8, &pool, &size); /* same pool */
    check_size(&cc, 33, 17, &pool, &size); /* odd: the pool is made anew */
    check_size(&cc, 1, 1, &pool, &size);
    AVFrame *in = make(8, 8, AV_PIX_FMT_YUVJ420P), *out = av_frame_alloc();
    CHECK_INT(&cc, pack_vuya(in, out, &pool, &size), 0);
    CHECK_INT(&cc, out->color_range, AVCOL_RANGE_JPEG);
    av_frame_unref(out);
    in->format = AV_PIX_FMT_NV12;
    CHECK(&cc, pack_vuya(in, out, &pool, &size) < 0, "NV12 is refused");
    CHECK_INT(&cc, pack_supported(AV_PIX_FMT_YUV422P), 0);
    av_frame_free(&in);
    av_frame_free(&out);
    av_buffer_pool_uninit(&pool);
    return check_report(&cc);
}
