/*
 * nvdec.c - the NVDEC backend: FFmpeg's CUDA hwaccel decoding into CUDA
 * device memory (AV_PIX_FMT_CUDA frames).  The probe goes step by step so
 * that the reason it gives is the real one: libcuda present, a CUDA device,
 * libnvcuvid (the driver's decode library) present, then the device context
 * FFmpeg decodes with.  Checked through ffnvcodec's dynamic loader when this
 * build has its headers; otherwise FFmpeg's own device creation decides.
 */
#include <stdio.h>

#include "hwdec/hwdec.h"
#include "hwdec/hwdec_priv.h"

#if TESSERA_HAVE_FFNVCODEC
/* "CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)" */
static void cuda_error(CudaFunctions *cu, CUresult r, char *buf, size_t n)
{
    const char *name = NULL, *text = NULL;
    cu->cuGetErrorName(r, &name);
    cu->cuGetErrorString(r, &text);
    snprintf(buf, n, "%s (%s)", name ? name : "CUDA error", text ? text : "?");
}

/* The driver-side checks before FFmpeg creates its context. */
static int check_driver(const struct tlog *log, char *why, size_t n)
{
    CudaFunctions *cu = NULL;
    CuvidFunctions *cv = NULL;
    char err[128];
    int count = 0, ret = AVERROR(ENOSYS);
    CUresult r;
    if (cuda_load_functions(&cu, (void *)log) < 0) {
        snprintf(why, n, "libcuda.so.1 not found (no NVIDIA driver)");
    } else if ((r = cu->cuInit(0)) != CUDA_SUCCESS) {
        cuda_error(cu, r, err, sizeof(err));
        snprintf(why, n, "cuInit failed: %s", err);
    } else if (cu->cuDeviceGetCount(&count) != CUDA_SUCCESS || count < 1) {
        snprintf(why, n, "no CUDA device");
    } else if (cuvid_load_functions(&cv, (void *)log) < 0) {
        snprintf(why, n, "libnvcuvid.so.1 not found (the driver's video decode "
                 "library; in a container, NVIDIA_DRIVER_CAPABILITIES needs 'video')");
    } else {
        ret = 0;
    }
    cuvid_free_functions(&cv);
    cuda_free_functions(&cu);
    return ret;
}
#endif

static int nvdec_device_create(AVBufferRef **dev, const struct tlog *log, char *why,
                               size_t n)
{
    *dev = NULL;
    if (!hwdec__ffmpeg_has(AV_HWDEVICE_TYPE_CUDA)) {
        snprintf(why, n, "FFmpeg was built without CUDA/NVDEC");
        return AVERROR(ENOSYS);
    }
#if TESSERA_HAVE_FFNVCODEC
    int ret = check_driver(log, why, n);
    if (ret < 0)
        return ret;
#else
    int ret;
    (void)log;
#endif
    ret = av_hwdevice_ctx_create(dev, AV_HWDEVICE_TYPE_CUDA, NULL, NULL, 0);
    if (ret < 0)
        snprintf(why, n, "cannot create a CUDA device context: %s", av_err2str(ret));
    return ret;
}

static void nvdec_describe(AVBufferRef *dev, char *desc, size_t n)
{
    (void)dev;
    snprintf(desc, n, "CUDA device 0");
#if TESSERA_HAVE_FFNVCODEC
    CudaFunctions *cu = NULL;
    CUdevice d;
    char name[128];
    int major = 0, minor = 0;
    if (cuda_load_functions(&cu, NULL) == 0 && cu->cuDeviceGet(&d, 0) == CUDA_SUCCESS &&
        cu->cuDeviceGetName(name, sizeof(name), d) == CUDA_SUCCESS) {
        cu->cuDeviceComputeCapability(&major, &minor, d);
        snprintf(desc, n, "%s (compute %d.%d), CUDA device 0", name, major, minor);
    }
    cuda_free_functions(&cu);
#endif
}

const struct hwdec_driver hwdec_driver_nvdec = {
    .name = "nvdec",
    .mode = HWDEC_MODE_NVDEC,
    .device_type = AV_HWDEVICE_TYPE_CUDA,
    .hw_format = AV_PIX_FMT_CUDA,
    /* FFmpeg's NVDEC copies each picture out of its surfaces, so frames held
     * by the mailbox or renderer cost no decode surface: the pool stays at
     * the stream's DPB + 2 (at most 18 for H.264, under NVDEC's 32). */
    .extra_hw_frames = 1,
    .device_create = nvdec_device_create,
    .describe = nvdec_describe,
};
