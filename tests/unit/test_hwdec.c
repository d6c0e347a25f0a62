/*
 * test_hwdec.c - unit tests of hardware-decoding selection: the registry,
 * --hwdec / "hwdec" parsing, per-feed settings over the global one, which
 * backends each mode tries and in what order, "auto" taking the first that
 * works, the shared device set (created once, failures remembered), the
 * zero-copy bookkeeping, and a decoder whose hardware path fails in
 * get_format falling back to software and still decoding the right picture,
 * and TESSERA_HWDEC_INTEROP=none turning the zero-copy paths off.
 * No GPU needed: fake backends stand in where real ones would be probed.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>

#include "base/log.h"
#include "check.h"
#include "decode/decode.h"
#include "hwdec/hwdec.h"
#include "hwdec/interop.h"

/* ---- the registry and the mode helpers ---- */

static void test_registry(struct check_counts *cc)
{
    static const char *const order[] = {"nvdec", "vaapi", "sw"};
    CHECK_INT(cc, hwdec_driver_count(), 3);
    for (int i = 0; i < 3; i++) {
        const struct hwdec_driver *d = hwdec_driver_at(i);
        CHECK(cc, d != NULL, "driver %d exists", i);
        if (!d)
            continue;
        CHECK_STR(cc, d->name, order[i]);
        CHECK(cc, hwdec_driver_find(order[i]) == d, "find(%s)", order[i]);
        CHECK(cc, d->device_create && d->describe, "%s has its functions", d->name);
        bool hw = d->mode != HWDEC_MODE_SW;
        CHECK(cc, hw == (d->hw_format != AV_PIX_FMT_NONE), "%s: hw_format", d->name);
        CHECK(cc, hw == (d->device_type != AV_HWDEVICE_TYPE_NONE), "%s: device", d->name);
        /* NVDEC: DPB (16 for H.264) + 2 + extra must stay under 32 surfaces */
        CHECK(cc, d->extra_hw_frames >= 0 && 16 + 2 + d->extra_hw_frames < 32,
              "%s: extra_hw_frames %d", d->name, d->extra_hw_frames);
    }
    CHECK(cc, hwdec_driver_at(3) == NULL, "no fourth driver");
    CHECK(cc, hwdec_driver_at(-1) == NULL, "no driver -1");
    CHECK(cc, hwdec_driver_find("cuda") == NULL, "no 'cuda' backend");
    CHECK(cc, hwdec_driver_find(NULL) == NULL, "find(NULL)");
    CHECK_INT(cc, hwdec_driver_find("nvdec")->hw_format, AV_PIX_FMT_CUDA);
    CHECK_INT(cc, hwdec_driver_find("vaapi")->hw_format, AV_PIX_FMT_VAAPI);
}

static void test_mode_parse(struct check_counts *cc)
{
    static const struct {
        const char *in;
        int want;
    } cases[] = {
        {"auto", HWDEC_MODE_AUTO}, {"nvdec", HWDEC_MODE_NVDEC},
        {"vaapi", HWDEC_MODE_VAAPI}, {"sw", HWDEC_MODE_SW},
        {"", -1}, {"NVDEC", -1}, {"default", -1}, {"cuda", -1}, {"sw ", -1},
        {NULL, -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CHECK(cc, hwdec_mode_parse(cases[i].in) == cases[i].want,
              "parse(\"%s\") == %d, want %d", cases[i].in ? cases[i].in : "(null)",
              hwdec_mode_parse(cases[i].in), cases[i].want);
    for (int m = HWDEC_MODE_AUTO; m <= HWDEC_MODE_SW; m++)
        CHECK_INT(cc, hwdec_mode_parse(hwdec_mode_name(m)), m);
}

static void test_resolve(struct check_counts *cc)
{
    static const struct {
        enum hwdec_mode feed, global, want;
    } cases[] = {
        {HWDEC_MODE_DEFAULT, HWDEC_MODE_DEFAULT, HWDEC_MODE_AUTO},
        {HWDEC_MODE_DEFAULT, HWDEC_MODE_NVDEC, HWDEC_MODE_NVDEC},
        {HWDEC_MODE_DEFAULT, HWDEC_MODE_SW, HWDEC_MODE_SW},
        {HWDEC_MODE_SW, HWDEC_MODE_NVDEC, HWDEC_MODE_SW},       /* feed wins */
        {HWDEC_MODE_VAAPI, HWDEC_MODE_SW, HWDEC_MODE_VAAPI},
        {HWDEC_MODE_AUTO, HWDEC_MODE_SW, HWDEC_MODE_AUTO},
        {HWDEC_MODE_NVDEC, HWDEC_MODE_DEFAULT, HWDEC_MODE_NVDEC},
        {HWDEC_MODE_NVDEC, HWDEC_MODE_VAAPI, HWDEC_MODE_NVDEC},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CHECK(cc, hwdec_mode_resolve(cases[i].feed, cases[i].global) == cases[i].want,
              "resolve(feed %s, global %s) == %s, want %s",
              hwdec_mode_name(cases[i].feed), hwdec_mode_name(cases[i].global),
              hwdec_mode_name(hwdec_mode_resolve(cases[i].feed, cases[i].global)),
              hwdec_mode_name(cases[i].want));
}

/* The candidate names for mode, joined by spaces. */
static void candidate_names(enum hwdec_mode mode, char *buf, size_t n)
{
    const struct hwdec_driver *list[8];
    int count = hwdec_candidates(mode, NULL, list, 8);
    buf[0] = '\0';
    for (int i = 0; i < count; i++)
        snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? " " : "", list[i]->name);
}

static void test_candidates(struct check_counts *cc)
{
    static const struct {
        enum hwdec_mode mode;
        const char *want;
    } cases[] = {
        {HWDEC_MODE_AUTO, "nvdec vaapi sw"},
        {HWDEC_MODE_DEFAULT, "nvdec vaapi sw"},
        {HWDEC_MODE_NVDEC, "nvdec sw"},
        {HWDEC_MODE_VAAPI, "vaapi sw"},
        {HWDEC_MODE_SW, "sw"},
    };
    char got[128];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        candidate_names(cases[i].mode, got, sizeof(got));
        CHECK(cc, strcmp(got, cases[i].want) == 0, "candidates(%s) = \"%s\", want \"%s\"",
              hwdec_mode_name(cases[i].mode), got, cases[i].want);
    }
}

/* ---- "auto" and forced modes against fake probe results ---- */

struct fake_probe {
    const char *working;   /* space-separated backends that "work" */
    char tried[64];        /* backends probed, in order */
};

static int fake_probe(void *opaque, const struct hwdec_driver *drv, char *why, size_t n)
{
    struct fake_probe *fp = opaque;
    snprintf(fp->tried + strlen(fp->tried), sizeof(fp->tried) - strlen(fp->tried),
             "%s%s", fp->tried[0] ? " " : "", drv->name);
    if (strstr(fp->working, drv->name))
        return 0;
    snprintf(why, n, "no %s here", drv->name);
    return AVERROR(ENODEV);
}

static void test_select(struct check_counts *cc)
{
    static const struct {
        enum hwdec_mode feed, global;
        const char *working, *want, *tried, *why;
    } cases[] = {
        {0, 0, "", "sw", "nvdec vaapi", "nvdec: no nvdec here; vaapi: no vaapi here"},
        {0, HWDEC_MODE_AUTO, "vaapi", "vaapi", "nvdec vaapi", "nvdec: no nvdec here"},
        {0, HWDEC_MODE_AUTO, "nvdec vaapi", "nvdec", "nvdec", ""},
        {0, HWDEC_MODE_NVDEC, "vaapi", "sw", "nvdec", "nvdec: no nvdec here"},
        {0, HWDEC_MODE_VAAPI, "nvdec vaapi", "vaapi", "vaapi", ""},
        {0, HWDEC_MODE_VAAPI, "nvdec", "sw", "vaapi", "vaapi: no vaapi here"},
        {0, HWDEC_MODE_SW, "nvdec vaapi", "sw", "", ""},
        /* a feed's own setting beats the global one */
        {HWDEC_MODE_SW, HWDEC_MODE_NVDEC, "nvdec vaapi", "sw", "", ""},
        {HWDEC_MODE_VAAPI, HWDEC_MODE_NVDEC, "nvdec vaapi", "vaapi", "vaapi", ""},
        {HWDEC_MODE_NVDEC, HWDEC_MODE_SW, "", "sw", "nvdec", "nvdec: no nvdec here"},
        {HWDEC_MODE_AUTO, HWDEC_MODE_SW, "vaapi", "vaapi", "nvdec vaapi", "nvdec: no nvdec here"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fake_probe fp = {.working = cases[i].working};
        char why[HWDEC_WHY_MAX];
        enum hwdec_mode mode = hwdec_mode_resolve(cases[i].feed, cases[i].global);
        const struct hwdec_driver *d = hwdec_select(mode, NULL, fake_probe, &fp, why,
                                                    sizeof(why));
        CHECK(cc, d && strcmp(d->name, cases[i].want) == 0,
              "case %zu: chose %s, want %s", i, d ? d->name : "(null)", cases[i].want);
        CHECK(cc, strcmp(fp.tried, cases[i].tried) == 0, "case %zu: probed \"%s\", want \"%s\"",
              i, fp.tried, cases[i].tried);
        CHECK(cc, strcmp(why, cases[i].why) == 0, "case %zu: why \"%s\", want \"%s\"", i,
              why, cases[i].why);
    }
}

/* ---- fake backends: a DRM device context that any machine can make ---- */

static atomic_int fake_creates;

static int fake_create(AVBufferRef **dev, const struct tlog *log, char *why, size_t n)
{
    (void)log;
    atomic_fetch_add(&fake_creates, 1);
    *dev = av_hwdevice_ctx_alloc(AV_HWDEVICE_TYPE_DRM);
    if (!*dev || av_hwdevice_ctx_init(*dev) < 0) {
        av_buffer_unref(dev);
        snprintf(why, n, "cannot make a DRM device context");
        return AVERROR(ENOMEM);
    }
    return 0;
}

static int fake_create_fails(AVBufferRef **dev, const struct tlog *log, char *why,
                             size_t n)
{
    (void)log;
    atomic_fetch_add(&fake_creates, 1);
    *dev = NULL;
    snprintf(why, n, "no such device on this machine");
    return AVERROR(ENODEV);
}

static void fake_describe(AVBufferRef *dev, char *desc, size_t n)
{
    (void)dev;
    snprintf(desc, n, "a fake device");
}

/* Accepts every stream, so the decoder is opened on the fake device and
 * FFmpeg's own hwaccel initialisation fails (wrong device type), as a real
 * profile, size or session limit would make it fail. */
static int fake_check(AVBufferRef *dev, const AVCodec *codec, int w, int h, char *why,
                      size_t n)
{
    (void)dev, (void)codec, (void)w, (void)h, (void)why, (void)n;
    return 0;
}

static const struct hwdec_driver fake_ok = {
    .name = "fake", .mode = HWDEC_MODE_VAAPI, .device_type = AV_HWDEVICE_TYPE_DRM,
    .hw_format = AV_PIX_FMT_VAAPI, .extra_hw_frames = 2,
    .device_create = fake_create, .describe = fake_describe, .check_stream = fake_check,
};

static const struct hwdec_driver fake_broken = {
    .name = "broken", .mode = HWDEC_MODE_NVDEC, .device_type = AV_HWDEVICE_TYPE_DRM,
    .hw_format = AV_PIX_FMT_CUDA, .extra_hw_frames = 1,
    .device_create = fake_create_fails, .describe = fake_describe,
};

static void test_devices(struct check_counts *cc, const struct tlog *log)
{
    struct hwdec_devices *devs = hwdec_devices_create(log);
    CHECK(cc, devs != NULL, "devices created");
    if (!devs)
        return;
    atomic_store(&fake_creates, 0);
    AVBufferRef *book1 = NULL, *book2 = NULL, *bookx = NULL;
    char why[HWDEC_WHY_MAX] = "";
    AVBufferRef *d1 = hwdec_devices_get(devs, &fake_ok, &book1, why, sizeof(why));
    AVBufferRef *d2 = hwdec_devices_get(devs, &fake_ok, &book2, why, sizeof(why));
    CHECK(cc, d1 && d2 && d1->data == d2->data, "one shared device context");
    CHECK(cc, book1 && book2 && book1->data == book2->data, "one bookkeeping");
    CHECK_INT(cc, atomic_load(&fake_creates), 1);

    for (int i = 0; i < 2; i++) {
        why[0] = '\0';
        AVBufferRef *bad = hwdec_devices_get(devs, &fake_broken, &bookx, why, sizeof(why));
        CHECK(cc, bad == NULL && bookx == NULL, "a failing backend gives no device");
        CHECK_STR(cc, why, "no such device on this machine");
    }
    CHECK_INT(cc, atomic_load(&fake_creates), 2); /* the failure was remembered */
    CHECK(cc, hwdec_devices_get(devs, &hwdec_driver_sw, &bookx, why, sizeof(why)) == NULL,
          "sw has no device");

    /* zero-copy bookkeeping: unknown, then ok, then a failure that sticks */
    CHECK_INT(cc, hwdec_interop_state_of(book1, NULL, 0), HWDEC_INTEROP_UNKNOWN);
    AVFrame *fr = av_frame_alloc();
    fr->opaque_ref = av_buffer_ref(book1);
    hwdec_interop_report(fr, true, "test-gl", NULL);
    CHECK_INT(cc, hwdec_interop_state_of(book2, NULL, 0), HWDEC_INTEROP_OK);
    hwdec_interop_report(fr, false, "test-gl", "the GL context is elsewhere");
    hwdec_interop_report(fr, true, "test-gl", NULL);
    CHECK_INT(cc, hwdec_interop_state_of(book2, why, sizeof(why)), HWDEC_INTEROP_FAILED);
    CHECK_STR(cc, why, "the GL context is elsewhere");
    CHECK_INT(cc, hwdec_interop_state_of(NULL, NULL, 0), HWDEC_INTEROP_UNKNOWN);
    av_frame_free(&fr);

    /* the set goes with its last reference; devices live on in their users */
    hwdec_devices_ref(devs);
    hwdec_devices_unref(devs);
    hwdec_devices_unref(devs);
    CHECK(cc, ((AVHWDeviceContext *)d1->data)->type == AV_HWDEVICE_TYPE_DRM,
          "the device outlives the set");
    av_buffer_unref(&d1);
    av_buffer_unref(&d2);
    av_buffer_unref(&book1);
    av_buffer_unref(&book2);
    hwdec_devices_unref(NULL);
}

/* ---- a decoder that falls back to software ---- */

#define CLIP_W 64
#define CLIP_H 48
#define CLIP_FRAMES 12
#define CLIP_Y 150

/* Encodes a small solid-grey MPEG-4 clip (FFmpeg's native encoder; its
 * decoder, like H.264's, negotiates hardware in get_format). */
static int make_clip(AVPacket **pkts, AVCodecParameters *par)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    AVCodecContext *enc = codec ? avcodec_alloc_context3(codec) : NULL;
    AVFrame *fr = av_frame_alloc();
    int n = 0;
    if (!enc || !fr)
        goto done;
    enc->width = CLIP_W;
    enc->height = CLIP_H;
    enc->pix_fmt = AV_PIX_FMT_YUV420P;
    enc->time_base = (AVRational){1, 25};
    enc->gop_size = 4;
    enc->max_b_frames = 0;
    if (avcodec_open2(enc, codec, NULL) < 0 || avcodec_parameters_from_context(par, enc) < 0)
        goto done;
    for (int i = 0; i < CLIP_FRAMES; i++) {
        fr->format = AV_PIX_FMT_YUV420P; /* av_frame_unref() cleared them */
        fr->width = CLIP_W;
        fr->height = CLIP_H;
        if (av_frame_get_buffer(fr, 0) < 0)
            break;
        memset(fr->data[0], CLIP_Y, (size_t)fr->linesize[0] * CLIP_H);
        memset(fr->data[1], 128, (size_t)fr->linesize[1] * CLIP_H / 2);
        memset(fr->data[2], 128, (size_t)fr->linesize[2] * CLIP_H / 2);
        fr->pts = i;
        avcodec_send_frame(enc, fr);
        av_frame_unref(fr);
        while (n < CLIP_FRAMES && (pkts[n] || (pkts[n] = av_packet_alloc())) &&
               avcodec_receive_packet(enc, pkts[n]) == 0)
            n++;
    }
    avcodec_send_frame(enc, NULL);
    while (n < CLIP_FRAMES && (pkts[n] || (pkts[n] = av_packet_alloc())) &&
           avcodec_receive_packet(enc, pkts[n]) == 0)
        n++;
done:
    av_frame_free(&fr);
    avcodec_free_context(&enc);
    return n;
}

/* Decodes the clip with cfg; returns frames out, checks their picture. */
static int decode_clip(struct check_counts *cc, AVPacket **pkts, int n,
                       const AVCodecParameters *par, const struct dec_config *cfg,
                       const struct tlog *log, char *name, char *why)
{
    int err;
    struct dec *d = dec_create(par, cfg, log, &err);
    CHECK(cc, d != NULL, "dec_create: %d", err);
    if (!d)
        return 0;
    AVFrame *fr = av_frame_alloc();
    int frames = 0;
    for (int i = 0; i <= n; i++) {
        CHECK(cc, dec_send(d, i < n ? pkts[i] : NULL) >= 0, "send packet %d", i);
        while (dec_receive(d, fr) == 0) {
            CHECK_INT(cc, fr->format, AV_PIX_FMT_YUV420P);
            CHECK(cc, abs(fr->data[0][fr->linesize[0] * (CLIP_H / 2) + CLIP_W / 2] - CLIP_Y) < 4,
                  "frame %d: luma %d, want %d", frames,
                  fr->data[0][fr->linesize[0] * (CLIP_H / 2) + CLIP_W / 2], CLIP_Y);
            av_frame_unref(fr);
            frames++;
        }
    }
    dec_hwdec_status(d, name, 16, why, HWDEC_WHY_MAX);
    av_frame_free(&fr);
    dec_destroy(d);
    return frames;
}

static void test_decoder_fallback(struct check_counts *cc, const struct tlog *log)
{
    AVPacket *pkts[CLIP_FRAMES + 1] = {NULL};
    AVCodecParameters *par = avcodec_parameters_alloc();
    int n = par ? make_clip(pkts, par) : 0;
    CHECK(cc, n >= CLIP_FRAMES - 1, "encoded %d packets", n);
    struct hwdec_devices *devs = hwdec_devices_create(log);
    char name[16], why[HWDEC_WHY_MAX];

    /* forced, the device works, FFmpeg's hwaccel cannot start: software */
    const struct hwdec_driver *const fakes[] = {&fake_ok, NULL};
    struct dec_config cfg = {.hwdec = HWDEC_MODE_VAAPI, .devices = devs, .drivers = fakes};
    int frames = decode_clip(cc, pkts, n, par, &cfg, log, name, why);
    CHECK(cc, frames >= n - 1, "fell back and decoded %d of %d frames", frames, n);
    CHECK_STR(cc, name, "sw");
    CHECK(cc, strncmp(why, "fake failed: cannot decode this stream (mpeg4", 45) == 0,
          "fallback reason: \"%s\"", why);

    /* forced, no device: software from the start, with the reason */
    const struct hwdec_driver *const broken[] = {&fake_broken, NULL};
    cfg = (struct dec_config){.hwdec = HWDEC_MODE_NVDEC, .devices = devs, .drivers = broken};
    frames = decode_clip(cc, pkts, n, par, &cfg, log, name, why);
    CHECK_INT(cc, frames, n);
    CHECK_STR(cc, name, "sw");
    CHECK_STR(cc, why, "broken: no such device on this machine");

    /* software asked for: no probe, no reason */
    cfg = (struct dec_config){.hwdec = HWDEC_MODE_SW, .devices = devs, .drivers = broken};
    frames = decode_clip(cc, pkts, n, par, &cfg, log, name, why);
    CHECK_INT(cc, frames, n);
    CHECK_STR(cc, name, "sw");
    CHECK_STR(cc, why, "");

    hwdec_devices_unref(devs);
    for (int i = 0; i <= CLIP_FRAMES; i++)
        av_packet_free(&pkts[i]);
    avcodec_parameters_free(&par);
}

/* ---- the interop registry and its off switch ---- */

static void test_interop_switch(struct check_counts *cc)
{
    char why[256] = "";
    AVFrame *fr = av_frame_alloc();
    fr->format = AV_PIX_FMT_YUV420P;
    CHECK(cc, hwdec_interop_create(fr, why, sizeof(why)) == NULL, "no interop for yuv420p");
    CHECK_STR(cc, why, "this build has no zero-copy path for yuv420p frames");
    setenv("TESSERA_HWDEC_INTEROP", "none", 1);
    fr->format = AV_PIX_FMT_CUDA;
    CHECK(cc, hwdec_interop_create(fr, why, sizeof(why)) == NULL, "interop turned off");
    CHECK_STR(cc, why, "zero-copy turned off (TESSERA_HWDEC_INTEROP=none)");
    unsetenv("TESSERA_HWDEC_INTEROP");
    av_frame_free(&fr);
}

int main(void)
{
    struct check_counts cc = {0};
    struct tlog *log = tlog_create_root(getenv("TEST_VERBOSE") ? TLOG_DEBUG : TLOG_ERROR);
    av_log_set_level(AV_LOG_QUIET);
    test_registry(&cc);
    test_mode_parse(&cc);
    test_resolve(&cc);
    test_candidates(&cc);
    test_select(&cc);
    test_devices(&cc, log);
    test_decoder_fallback(&cc, log);
    test_interop_switch(&cc);
    tlog_destroy(log);
    return check_report(&cc);
}
