/*
 * decode.h - one video decoder for one feed: libavcodec set up for live
 * latency (frame threading off: it delays output by threads-1 frames), on a
 * hardware backend when one is asked for and works (hwdec/), plus
 * conversion of pixel formats the renderer's shaders do not sample directly.
 *
 * A hardware decoder that cannot start, cannot take this stream, or fails
 * while decoding (an error from send/receive, or get_format finding no way)
 * is replaced by a software one inside this object: decoding resumes at the
 * next keyframe, and dec_hwdec_status() says what happened.  Hardware frames
 * leave as they are (AV_PIX_FMT_CUDA, _VAAPI: the renderer maps them into
 * GL) unless the renderer reported that it cannot map them; then they are
 * copied to system memory here ("copy mode").
 *
 * Used only on its feed's thread.
 */
#ifndef TESSERA_DECODE_H
#define TESSERA_DECODE_H

#include <stddef.h>

#include <stdbool.h>

#include <libavcodec/avcodec.h>

#include "hwdec/hwdec.h"

struct tlog;
struct dec;

struct dec_config {
    int threads;                   /* software: 0 picks from the picture size
                                      (slice threads only); hardware: always 1 */
    enum hwdec_mode hwdec;         /* DEFAULT behaves as AUTO */
    struct hwdec_devices *devices; /* shared device contexts; NULL: software */
    const struct hwdec_driver *const *drivers; /* NULL-terminated candidates
                                       in place of the registry (tests); NULL */
};

/* Opens a decoder for the stream described by par, on the backend cfg asks
 * for when it works, else in software.  Returns NULL and logs the reason
 * (unknown codec, bad parameters) when not even software decoding opens;
 * *err then holds a negative AVERROR. */
struct dec *dec_create(const AVCodecParameters *par,
                       const struct dec_config *cfg, const struct tlog *log,
                       int *err);

/* Closes the decoder; accepts NULL. */
void dec_destroy(struct dec *d);

/* Sends one packet (NULL to drain).  Returns 0, AVERROR(EAGAIN) when frames
 * must be received first, or another negative AVERROR for a bad packet.  A
 * hardware failure is not returned: the decoder falls back to software and
 * drops packets until the next keyframe (returning 0 for them). */
int dec_send(struct dec *d, const AVPacket *pkt);

/* Receives the next decoded frame into out (blank on entry): a format the
 * renderer samples (see dec_format_supported), or a hardware frame (NV12
 * underneath) carrying the device's zero-copy bookkeeping as opaque_ref.
 * Returns 0, AVERROR(EAGAIN) when more input is needed, AVERROR_EOF after a
 * drain, or another negative AVERROR. */
int dec_receive(struct dec *d, AVFrame *out);

/* With on, decodes key frames only (the rest are skipped unread: the cheapest
 * way for an overloaded feed to catch up with its source); off returns to
 * decoding everything.  Kept across a fallback to software. */
void dec_set_keyframes_only(struct dec *d, bool on);

/* Drops all buffered state (after a seek or a loop back to the start). */
void dec_flush(struct dec *d);

/* The codec's short name ("h264"); valid while d lives. */
const char *dec_codec_name(const struct dec *d);

/* True when the renderer uploads frames of this format without conversion. */
int dec_format_supported(enum AVPixelFormat fmt);

/* How frames are decoded now: name gets "nvdec" or "vaapi" (zero-copy, or
 * not known yet), "nvdec-copy"/"vaapi-copy" (copy mode) or "sw"; fallback
 * gets why hardware was passed over or left ("" when nothing was).  Returns
 * a counter that changes whenever either changes. */
unsigned dec_hwdec_status(const struct dec *d, char *name, size_t name_n,
                          char *fallback, size_t fallback_n);

#endif
