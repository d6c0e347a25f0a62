/*
 * hwdec_priv.h - what the files of hwdec/ share and nobody else needs: the
 * FFmpeg capability check, and the set-up for ffnvcodec's dynamic loader of
 * libcuda/libnvcuvid (its messages go to our logger at debug level: failing
 * to find the NVIDIA driver is a probe result, not an error).
 */
#ifndef TESSERA_HWDEC_PRIV_H
#define TESSERA_HWDEC_PRIV_H

#include <stdbool.h>

#include <libavutil/hwcontext.h>

#include "base/log.h"

#if TESSERA_HAVE_FFNVCODEC
#define FFNV_LOG_FUNC(logctx, msg, ...)                                        \
    tlog_printf((const struct tlog *)(logctx), TLOG_DEBUG, (msg), __VA_ARGS__)
#define FFNV_DEBUG_LOG_FUNC(logctx, msg, ...)                                  \
    tlog_printf((const struct tlog *)(logctx), TLOG_TRACE, (msg), __VA_ARGS__)
#include <ffnvcodec/dynlink_loader.h>
#endif

/* True when the FFmpeg we run with was built with this device type. */
bool hwdec__ffmpeg_has(enum AVHWDeviceType type);

#endif
