/*
 * sw.c - the software backend: libavcodec on the CPU.  It always works, so
 * it is where every other backend falls back to.
 */
#include <stdio.h>

#include <libavcodec/avcodec.h>

#include "hwdec/hwdec.h"

static int sw_device_create(AVBufferRef **dev, const struct tlog *log, char *why,
                            size_t n)
{
    (void)log;
    (void)why;
    (void)n;
    *dev = NULL;
    return 0;
}

static void sw_describe(AVBufferRef *dev, char *desc, size_t n)
{
    unsigned v = avcodec_version();
    (void)dev;
    snprintf(desc, n, "software decoding (libavcodec %u.%u.%u)", v >> 16,
             (v >> 8) & 0xff, v & 0xff);
}

const struct hwdec_driver hwdec_driver_sw = {
    .name = "sw",
    .mode = HWDEC_MODE_SW,
    .device_type = AV_HWDEVICE_TYPE_NONE,
    .hw_format = AV_PIX_FMT_NONE,
    .extra_hw_frames = 0,
    .device_create = sw_device_create,
    .describe = sw_describe,
};
