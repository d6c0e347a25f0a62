/*
 * interop.c - the registry of render-side interop drivers (#if-gated by
 * what the build found: ffnvcodec headers for cuda-gl, EGL for egl-dmabuf)
 * and the small generic wrapper around the chosen one.
 */
#include "hwdec/interop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/pixdesc.h>

#if TESSERA_HAVE_CUDA_GL
extern const struct hwdec_interop_driver hwdec_interop_cuda_gl;
#endif
#if TESSERA_HAVE_EGL_DMABUF
extern const struct hwdec_interop_driver hwdec_interop_egl_dmabuf;
#endif

static const struct hwdec_interop_driver *const interops[] = {
#if TESSERA_HAVE_CUDA_GL
    &hwdec_interop_cuda_gl,
#endif
#if TESSERA_HAVE_EGL_DMABUF
    &hwdec_interop_egl_dmabuf,
#endif
    NULL,
};

struct hwdec_interop {
    const struct hwdec_interop_driver *driver;
    void *priv;
};

bool hwdec_interop_is_hw_format(int format)
{
    return format == AV_PIX_FMT_CUDA || format == AV_PIX_FMT_VAAPI ||
           format == AV_PIX_FMT_DRM_PRIME;
}

static const struct hwdec_interop_driver *find_driver(int format)
{
    for (int i = 0; interops[i]; i++)
        for (int j = 0; interops[i]->formats[j] != AV_PIX_FMT_NONE; j++)
            if (interops[i]->formats[j] == format)
                return interops[i];
    return NULL;
}

struct hwdec_interop *hwdec_interop_create(const AVFrame *hw, char *why, size_t n)
{
    const char *force = getenv("TESSERA_HWDEC_INTEROP");
    if (force && strcmp(force, "none") == 0) {
        snprintf(why, n, "zero-copy turned off (TESSERA_HWDEC_INTEROP=none)");
        return NULL;
    }
    const struct hwdec_interop_driver *drv = find_driver(hw->format);
    if (!drv) {
        snprintf(why, n, "this build has no zero-copy path for %s frames",
                 av_get_pix_fmt_name(hw->format));
        return NULL;
    }
    struct hwdec_interop *ia = calloc(1, sizeof(*ia));
    if (ia)
        ia->priv = calloc(1, drv->priv_size ? drv->priv_size : 1);
    if (!ia || !ia->priv) {
        snprintf(why, n, "out of memory");
        free(ia);
        return NULL;
    }
    ia->driver = drv;
    if (drv->init(ia->priv, hw, why, n) < 0) {
        free(ia->priv);
        free(ia);
        return NULL;
    }
    return ia;
}

const char *hwdec_interop_name(const struct hwdec_interop *ia)
{
    return ia->driver->name;
}

int hwdec_interop_map(struct hwdec_interop *ia, const AVFrame *hw,
                      const struct hwdec_gl_planes *planes, char *why, size_t n)
{
    for (int j = 0; ia->driver->formats[j] != AV_PIX_FMT_NONE; j++)
        if (ia->driver->formats[j] == hw->format)
            return ia->driver->map(ia->priv, hw, planes, why, n);
    snprintf(why, n, "%s does not take %s frames", ia->driver->name,
             av_get_pix_fmt_name(hw->format));
    return AVERROR(EINVAL);
}

void hwdec_interop_destroy(struct hwdec_interop *ia)
{
    if (!ia)
        return;
    ia->driver->uninit(ia->priv);
    free(ia->priv);
    free(ia);
}
