/*
 * interop_cuda_gl.c - cuda-gl: NVDEC's CUDA frames copied device-to-device
 * into the renderer's GL textures, which are registered with CUDA once
 * (cuGraphicsGLRegisterImage) and mapped as CUDA arrays for each frame.  The
 * picture never visits host memory; the frame is released right after the
 * copy, so it holds no decode surface.  Needs the GL context to run on the
 * NVIDIA GPU (EGL on the NVIDIA driver, or GLX on it); on anything else the
 * registration fails and the renderer falls back to copy mode.
 */
#include <errno.h>
#include <stdio.h>

#include <GL/glew.h>

#include "hwdec/hwdec_priv.h"
#include "hwdec/interop.h"

#include <libavutil/hwcontext_cuda.h>
#include <libavutil/pixdesc.h>

struct cuda_gl {
    CudaFunctions *cu;
    AVBufferRef *device;      /* the CUDA device the resources belong to */
    CUgraphicsResource res[2];
    struct hwdec_gl_planes registered; /* what res stands for */
};

/* "cuGraphicsGLRegisterImage: CUDA_ERROR_INVALID_GRAPHICS_CONTEXT" */
static int fail(struct cuda_gl *p, const char *what, CUresult r, char *why, size_t n)
{
    const char *name = NULL;
    p->cu->cuGetErrorName(r, &name);
    snprintf(why, n, "%s: %s", what, name ? name : "CUDA error");
    return AVERROR_EXTERNAL;
}

static int cuda_gl_init(void *priv, const AVFrame *hw, char *why, size_t n)
{
    struct cuda_gl *p = priv;
    (void)hw;
    if (cuda_load_functions(&p->cu, NULL) < 0) {
        snprintf(why, n, "libcuda.so.1 not found");
        return AVERROR(ENOSYS);
    }
    return 0;
}

/* Drops the registrations (the device's context current). */
static void unregister(struct cuda_gl *p)
{
    for (int i = 0; i < 2; i++)
        if (p->res[i])
            p->cu->cuGraphicsUnregisterResource(p->res[i]);
    p->res[0] = p->res[1] = NULL;
    p->registered = (struct hwdec_gl_planes){{0, 0}, {0, 0}, {0, 0}};
}

static void cuda_gl_uninit(void *priv)
{
    struct cuda_gl *p = priv;
    if (p->device && p->res[0]) {
        AVCUDADeviceContext *cc = ((AVHWDeviceContext *)p->device->data)->hwctx;
        CUcontext dummy;
        p->cu->cuCtxPushCurrent(cc->cuda_ctx);
        unregister(p);
        p->cu->cuCtxPopCurrent(&dummy);
    }
    av_buffer_unref(&p->device);
    cuda_free_functions(&p->cu);
}

static bool same_planes(const struct hwdec_gl_planes *a, const struct hwdec_gl_planes *b)
{
    for (int i = 0; i < 2; i++)
        if (a->tex[i] != b->tex[i] || a->width[i] != b->width[i] ||
            a->height[i] != b->height[i])
            return false;
    return true;
}

/* (Re-)registers the textures when they or the device changed. */
static int register_planes(struct cuda_gl *p, AVBufferRef *device,
                           const struct hwdec_gl_planes *pl, char *why, size_t n)
{
    if (p->device && p->device->data == device->data && same_planes(&p->registered, pl))
        return 0;
    unregister(p);
    av_buffer_unref(&p->device);
    if (!(p->device = av_buffer_ref(device)))
        return AVERROR(ENOMEM);
    for (int i = 0; i < 2; i++) {
        CUresult r = p->cu->cuGraphicsGLRegisterImage(
            &p->res[i], pl->tex[i], GL_TEXTURE_2D,
            CU_GRAPHICS_REGISTER_FLAGS_WRITE_DISCARD);
        if (r != CUDA_SUCCESS) {
            p->res[i] = NULL;
            unregister(p);
            return fail(p, "cuGraphicsGLRegisterImage", r, why, n);
        }
    }
    p->registered = *pl;
    return 0;
}

/* Copies the two planes (resources registered, context current). */
static int copy_planes(struct cuda_gl *p, const AVFrame *hw, CUstream stream,
                       const struct hwdec_gl_planes *pl, char *why, size_t n)
{
    CUresult r = p->cu->cuGraphicsMapResources(2, p->res, stream);
    if (r != CUDA_SUCCESS)
        return fail(p, "cuGraphicsMapResources", r, why, n);
    int ret = 0;
    for (int i = 0; i < 2 && ret == 0; i++) {
        CUarray array;
        r = p->cu->cuGraphicsSubResourceGetMappedArray(&array, p->res[i], 0, 0);
        if (r != CUDA_SUCCESS) {
            ret = fail(p, "cuGraphicsSubResourceGetMappedArray", r, why, n);
            break;
        }
        CUDA_MEMCPY2D cpy = {
            .srcMemoryType = CU_MEMORYTYPE_DEVICE,
            .srcDevice = (CUdeviceptr)hw->data[i],
            .srcPitch = (size_t)hw->linesize[i],
            .dstMemoryType = CU_MEMORYTYPE_ARRAY,
            .dstArray = array,
            .WidthInBytes = (size_t)pl->width[i] * (i ? 2 : 1),
            .Height = (size_t)pl->height[i],
        };
        if ((r = p->cu->cuMemcpy2DAsync(&cpy, stream)) != CUDA_SUCCESS)
            ret = fail(p, "cuMemcpy2DAsync", r, why, n);
    }
    /* unmapping orders the copy before GL's next use of the textures */
    r = p->cu->cuGraphicsUnmapResources(2, p->res, stream);
    if (r != CUDA_SUCCESS && ret == 0)
        ret = fail(p, "cuGraphicsUnmapResources", r, why, n);
    return ret;
}

static int cuda_gl_map(void *priv, const AVFrame *hw, const struct hwdec_gl_planes *pl,
                       char *why, size_t n)
{
    struct cuda_gl *p = priv;
    const AVHWFramesContext *fc = (const AVHWFramesContext *)hw->hw_frames_ctx->data;
    if (fc->sw_format != AV_PIX_FMT_NV12) {
        snprintf(why, n, "no zero-copy path for CUDA frames of %s",
                 av_get_pix_fmt_name(fc->sw_format));
        return AVERROR(ENOSYS);
    }
    AVCUDADeviceContext *cc = fc->device_ctx->hwctx;
    CUcontext dummy;
    CUresult r = p->cu->cuCtxPushCurrent(cc->cuda_ctx);
    if (r != CUDA_SUCCESS)
        return fail(p, "cuCtxPushCurrent", r, why, n);
    int ret = register_planes(p, fc->device_ref, pl, why, n);
    if (ret == 0)
        ret = copy_planes(p, hw, cc->stream, pl, why, n);
    p->cu->cuCtxPopCurrent(&dummy);
    return ret;
}

const struct hwdec_interop_driver hwdec_interop_cuda_gl = {
    .name = "cuda-gl",
    .formats = {AV_PIX_FMT_CUDA, AV_PIX_FMT_NONE},
    .priv_size = sizeof(struct cuda_gl),
    .init = cuda_gl_init,
    .uninit = cuda_gl_uninit,
    .map = cuda_gl_map,
};
