/*
 * vaapi.c - the VA-API backend: FFmpeg's VAAPI hwaccel decoding into VA
 * surfaces (AV_PIX_FMT_VAAPI frames) on the first DRM render node, or on the
 * X server when there is none but $DISPLAY is set.  The probe names what is
 * missing: FFmpeg's VAAPI support, a render node, access to it, a VA driver.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hwdec/hwdec.h"
#include "hwdec/hwdec_priv.h"

#if TESSERA_HAVE_LIBVA
#include <libavutil/hwcontext_vaapi.h>
#include <va/va.h>
#endif

#define RENDER_NODE_FIRST 128
#define RENDER_NODES 8

/* Finds the first render node; 0 and its path in node, or -ENOENT. */
static int find_render_node(char *node, size_t n)
{
    for (int i = 0; i < RENDER_NODES; i++) {
        snprintf(node, n, "/dev/dri/renderD%d", RENDER_NODE_FIRST + i);
        if (access(node, F_OK) == 0)
            return 0;
    }
    snprintf(node, n, "/dev/dri/renderD%d", RENDER_NODE_FIRST);
    return -ENOENT;
}

static int vaapi_device_create(AVBufferRef **dev, const struct tlog *log, char *why,
                               size_t n)
{
    char node[64];
    *dev = NULL;
    (void)log;
    if (!hwdec__ffmpeg_has(AV_HWDEVICE_TYPE_VAAPI)) {
        snprintf(why, n, "FFmpeg was built without VAAPI");
        return AVERROR(ENOSYS);
    }
    bool have_node = find_render_node(node, sizeof(node)) == 0;
    const char *display = getenv("DISPLAY");
    if (!have_node && !(display && *display)) {
        snprintf(why, n, "no DRM render node (%s)", node);
        return AVERROR(ENODEV);
    }
    if (have_node && access(node, R_OK | W_OK) != 0) {
        snprintf(why, n, "cannot open %s: %s (is the user in the 'render' group?)",
                 node, strerror(errno));
        return AVERROR(EACCES);
    }
    int ret = av_hwdevice_ctx_create(dev, AV_HWDEVICE_TYPE_VAAPI,
                                     have_node ? node : NULL, NULL, 0);
    if (ret < 0)
        snprintf(why, n, "no VA-API driver initialises on %s (%s)",
                 have_node ? node : display, av_err2str(ret));
    return ret;
}

static void vaapi_describe(AVBufferRef *dev, char *desc, size_t n)
{
    snprintf(desc, n, "VA-API device");
#if TESSERA_HAVE_LIBVA
    const AVHWDeviceContext *dc = (const AVHWDeviceContext *)dev->data;
    const AVVAAPIDeviceContext *va = dc->hwctx;
    const char *vendor = vaQueryVendorString(va->display);
    if (vendor)
        snprintf(desc, n, "%s", vendor);
#else
    (void)dev;
#endif
}

const struct hwdec_driver hwdec_driver_vaapi = {
    .name = "vaapi",
    .mode = HWDEC_MODE_VAAPI,
    .device_type = AV_HWDEVICE_TYPE_VAAPI,
    .hw_format = AV_PIX_FMT_VAAPI,
    /* VA surfaces are the frames: the mailbox's jitter buffer holds up to
     * four (JIT_MAX, mailbox/jitter.h), the renderer keeps the one it shows
     * (zero-copy) and one may be on its way. */
    .extra_hw_frames = 6,
    .device_create = vaapi_device_create,
    .describe = vaapi_describe,
};
