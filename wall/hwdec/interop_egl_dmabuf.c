/*
 * interop_egl_dmabuf.c - egl-dmabuf: VAAPI surfaces (or frames that are
 * already DRM PRIME) imported into GL as EGL images, with no copy at all.
 * A VAAPI frame is mapped to DRM PRIME (av_hwframe_map, which exports the
 * surface with vaExportSurfaceHandle), each NV12 plane becomes one image
 * (luma as R8, chroma as GR88; with the format modifier when EGL has
 * EGL_EXT_image_dma_buf_import_modifiers), and glEGLImageTargetTexture2DOES
 * points the renderer's textures at them.  The textures then show the
 * surface itself, so the frame is kept until the next one replaces it.
 * Needs a current EGL context (SDL's offscreen driver, X11 through EGL, the
 * headless EGL output): under GLX eglGetCurrentDisplay() has none, and the
 * renderer copies instead.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/glew.h>

#include <libavutil/hwcontext.h>
#include <libavutil/hwcontext_drm.h>
#include <libavutil/pixdesc.h>

#include "hwdec/interop.h"

#define FOURCC(a, b, c, d)                                                     \
    ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define DRM_R8 FOURCC('R', '8', ' ', ' ')
#define DRM_GR88 FOURCC('G', 'R', '8', '8')
#define DRM_NV12 FOURCC('N', 'V', '1', '2')
#define DRM_MOD_INVALID ((1ULL << 56) - 1)

typedef void (*image_target_fn)(GLenum target, void *image);

struct egl_dmabuf {
    EGLDisplay dpy;
    PFNEGLCREATEIMAGEKHRPROC create_image;
    PFNEGLDESTROYIMAGEKHRPROC destroy_image;
    image_target_fn image_target;
    bool modifiers;
    EGLImageKHR images[2];
    AVFrame *held;            /* the frame the textures show */
    AVFrame *drm;             /* its DRM PRIME mapping (VAAPI frames) */
};

static bool has_ext(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; p && (p = strstr(p, name)); p += len)
        if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
            return true;
    return false;
}

static int egl_init(void *priv, const AVFrame *hw, char *why, size_t n)
{
    struct egl_dmabuf *p = priv;
    (void)hw;
    p->dpy = eglGetCurrentDisplay();
    if (p->dpy == EGL_NO_DISPLAY) {
        snprintf(why, n, "the GL context is not EGL (GLX?): no dma-buf import");
        return AVERROR(ENOSYS);
    }
    const char *ext = eglQueryString(p->dpy, EGL_EXTENSIONS);
    if (!has_ext(ext, "EGL_EXT_image_dma_buf_import")) {
        snprintf(why, n, "EGL lacks EGL_EXT_image_dma_buf_import");
        return AVERROR(ENOSYS);
    }
    p->modifiers = has_ext(ext, "EGL_EXT_image_dma_buf_import_modifiers");
    p->create_image = (PFNEGLCREATEIMAGEKHRPROC)eglGetProcAddress("eglCreateImageKHR");
    p->destroy_image = (PFNEGLDESTROYIMAGEKHRPROC)eglGetProcAddress("eglDestroyImageKHR");
    p->image_target = (image_target_fn)eglGetProcAddress("glEGLImageTargetTexture2DOES");
    if (!p->create_image || !p->destroy_image || !p->image_target) {
        snprintf(why, n, "EGL/GL lack eglCreateImageKHR or glEGLImageTargetTexture2DOES");
        return AVERROR(ENOSYS);
    }
    return 0;
}

/* Destroys the images and lets the frames they showed go. */
static void release(struct egl_dmabuf *p, EGLImageKHR images[2], AVFrame **held,
                    AVFrame **drm)
{
    for (int i = 0; i < 2; i++)
        if (images[i] != EGL_NO_IMAGE_KHR)
            p->destroy_image(p->dpy, images[i]);
    images[0] = images[1] = EGL_NO_IMAGE_KHR;
    av_frame_free(held);
    av_frame_free(drm);
}

static void egl_uninit(void *priv)
{
    struct egl_dmabuf *p = priv;
    if (p->destroy_image)
        release(p, p->images, &p->held, &p->drm);
}

/* Where plane i (0 luma, 1 chroma) of an NV12 picture lies in desc. */
static int find_plane(const AVDRMFrameDescriptor *d, int i, uint32_t *fourcc,
                      const AVDRMPlaneDescriptor **plane)
{
    if (d->nb_layers == 2 && d->layers[i].nb_planes == 1) {
        *fourcc = d->layers[i].format; /* separate layers: R8, GR88 */
        *plane = &d->layers[i].planes[0];
    } else if (d->nb_layers == 1 && d->layers[0].format == DRM_NV12 &&
               d->layers[0].nb_planes == 2) {
        *fourcc = i ? DRM_GR88 : DRM_R8;
        *plane = &d->layers[0].planes[i];
    } else {
        return AVERROR(ENOSYS);
    }
    return *fourcc == (i ? DRM_GR88 : DRM_R8) ? 0 : AVERROR(ENOSYS);
}

/* Creates the EGL image of plane i. */
static EGLImageKHR import_plane(struct egl_dmabuf *p, const AVDRMFrameDescriptor *d,
                                int i, const struct hwdec_gl_planes *pl)
{
    uint32_t fourcc;
    const AVDRMPlaneDescriptor *plane;
    if (find_plane(d, i, &fourcc, &plane) < 0)
        return EGL_NO_IMAGE_KHR;
    const AVDRMObjectDescriptor *obj = &d->objects[plane->object_index];
    EGLint a[32], k = 0;
    a[k++] = EGL_WIDTH; a[k++] = pl->width[i];
    a[k++] = EGL_HEIGHT; a[k++] = pl->height[i];
    a[k++] = EGL_LINUX_DRM_FOURCC_EXT; a[k++] = (EGLint)fourcc;
    a[k++] = EGL_DMA_BUF_PLANE0_FD_EXT; a[k++] = obj->fd;
    a[k++] = EGL_DMA_BUF_PLANE0_OFFSET_EXT; a[k++] = (EGLint)plane->offset;
    a[k++] = EGL_DMA_BUF_PLANE0_PITCH_EXT; a[k++] = (EGLint)plane->pitch;
    if (p->modifiers && obj->format_modifier != DRM_MOD_INVALID) {
        a[k++] = EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT;
        a[k++] = (EGLint)(obj->format_modifier & 0xffffffffu);
        a[k++] = EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT;
        a[k++] = (EGLint)(obj->format_modifier >> 32);
    }
    a[k++] = EGL_NONE;
    return p->create_image(p->dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, NULL, a);
}

/* Maps a VAAPI frame to DRM PRIME into *drm; DRM PRIME frames need nothing. */
static int to_drm(const AVFrame *hw, AVFrame **drm, char *why, size_t n)
{
    if (hw->format == AV_PIX_FMT_DRM_PRIME)
        return 0;
    if (!(*drm = av_frame_alloc()))
        return AVERROR(ENOMEM);
    (*drm)->format = AV_PIX_FMT_DRM_PRIME;
    int ret = av_hwframe_map(*drm, hw, AV_HWFRAME_MAP_READ);
    if (ret < 0)
        snprintf(why, n, "av_hwframe_map to DRM PRIME: %s", av_err2str(ret));
    return ret;
}

static int egl_map(void *priv, const AVFrame *hw, const struct hwdec_gl_planes *pl,
                   char *why, size_t n)
{
    struct egl_dmabuf *p = priv;
    EGLImageKHR images[2] = {EGL_NO_IMAGE_KHR, EGL_NO_IMAGE_KHR};
    AVFrame *drm = NULL, *held = av_frame_alloc();
    int ret = held ? av_frame_ref(held, hw) : AVERROR(ENOMEM);
    if (ret == 0)
        ret = to_drm(hw, &drm, why, n);
    const AVFrame *src = drm ? drm : hw;
    for (int i = 0; ret == 0 && i < 2; i++) {
        images[i] = import_plane(p, (const AVDRMFrameDescriptor *)src->data[0], i, pl);
        if (images[i] == EGL_NO_IMAGE_KHR) {
            snprintf(why, n, "eglCreateImageKHR (plane %d): EGL error 0x%x", i,
                     (unsigned)eglGetError());
            ret = AVERROR_EXTERNAL;
        }
    }
    while (glGetError() != GL_NO_ERROR)
        ; /* earlier errors are not ours */
    for (int i = 0; ret == 0 && i < 2; i++) {
        glBindTexture(GL_TEXTURE_2D, pl->tex[i]);
        p->image_target(GL_TEXTURE_2D, images[i]);
        GLenum err = glGetError();
        if (err != GL_NO_ERROR) {
            snprintf(why, n, "glEGLImageTargetTexture2DOES: GL error 0x%x", err);
            ret = AVERROR_EXTERNAL;
        }
    }
    if (ret < 0) {
        release(p, images, &held, &drm);
        return ret;
    }
    release(p, p->images, &p->held, &p->drm); /* the textures left them */
    memcpy(p->images, images, sizeof(images));
    p->held = held;
    p->drm = drm;
    return 0;
}

const struct hwdec_interop_driver hwdec_interop_egl_dmabuf = {
    .name = "egl-dmabuf",
    .formats = {AV_PIX_FMT_VAAPI, AV_PIX_FMT_DRM_PRIME, AV_PIX_FMT_NONE},
    .priv_size = sizeof(struct egl_dmabuf),
    .init = egl_init,
    .uninit = egl_uninit,
    .map = egl_map,
};
