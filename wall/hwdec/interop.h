/*
 * interop.h - hardware decoding, render side: puts the picture of a hardware
 * frame (CUDA, VAAPI, DRM PRIME) into the renderer's GL textures without a
 * trip through system memory.  One small driver per platform path (the way
 * mpv's video/out/hwdec/ is built), each in its own file with one table;
 * interop.c's registry is the only place that knows them all:
 *   cuda-gl     CUDA frames copied device-to-device into GL textures
 *               registered with CUDA (cuGraphicsGLRegisterImage);
 *   egl-dmabuf  VAAPI surfaces exported as DRM PRIME (av_hwframe_map) and
 *               imported through EGL_EXT_image_dma_buf_import as R8 + GR88
 *               images, with modifiers when EGL supports them.
 * When none applies or one fails, the renderer copies (av_hwframe_transfer_data)
 * and reports it through hwdec_interop_report(), so decoders switch to
 * copy mode on their own threads.
 *
 * Threads: render thread only, with the GL context current.
 */
#ifndef TESSERA_HWDEC_INTEROP_H
#define TESSERA_HWDEC_INTEROP_H

#include <stdbool.h>
#include <stddef.h>

#include <libavutil/frame.h>

/* The two planes of an NV12 picture as GL textures the renderer owns:
 * [0] luma (R8), [1] interleaved chroma (RG8), with their sizes in texels. */
struct hwdec_gl_planes {
    unsigned tex[2];
    int width[2], height[2];
};

/* One interop path; each file exports one such table. */
struct hwdec_interop_driver {
    const char *name;                  /* "cuda-gl" */
    enum AVPixelFormat formats[3];     /* frames it takes, AV_PIX_FMT_NONE-ended */
    size_t priv_size;                  /* its state, zeroed before init */
    /* Checks that this GL context and platform can do it; 0 or a negative
     * AVERROR with why. */
    int (*init)(void *priv, const AVFrame *hw, char *why, size_t n);
    /* Releases everything; called once after a successful init. */
    void (*uninit)(void *priv);
    /* Puts hw's picture into planes; 0 or a negative AVERROR with why. */
    int (*map)(void *priv, const AVFrame *hw, const struct hwdec_gl_planes *planes,
               char *why, size_t n);
};

struct hwdec_interop;

/* True for the pixel formats of hardware frames (these need an interop or
 * a copy before the renderer can show them). */
bool hwdec_interop_is_hw_format(int format);

/* Creates the interop for frames like hw.  NULL with why when this build or
 * this GL context has none for them, or when the environment variable
 * TESSERA_HWDEC_INTEROP is "none" (copy mode on purpose: diagnostics). */
struct hwdec_interop *hwdec_interop_create(const AVFrame *hw, char *why, size_t n);

/* The driver's name ("cuda-gl"). */
const char *hwdec_interop_name(const struct hwdec_interop *ia);

/* Maps hw into planes (the textures keep showing it until the next map;
 * the interop keeps whatever that needs alive).  0, or a negative AVERROR
 * with why: the caller then copies instead and should not try again. */
int hwdec_interop_map(struct hwdec_interop *ia, const AVFrame *hw,
                      const struct hwdec_gl_planes *planes, char *why, size_t n);

/* Releases the interop and what it holds; accepts NULL. */
void hwdec_interop_destroy(struct hwdec_interop *ia);

#endif
