/*
 * decode.h - one video decoder for one feed: libavcodec set up for live
 * latency (frame threading off: it delays output by threads-1 frames), plus
 * conversion of pixel formats the renderer's shaders do not sample directly.
 * Used only on its feed's thread.
 */
#ifndef TESSERA_DECODE_H
#define TESSERA_DECODE_H

#include <libavcodec/avcodec.h>

struct tlog;
struct dec;

struct dec_config {
    int threads; /* 0: chosen from the picture size (slice threads only) */
};

/* Opens a software decoder for the stream described by par.  Returns NULL
 * and logs the reason (unknown codec, bad parameters) on failure; *err then
 * holds a negative AVERROR. */
struct dec *dec_create(const AVCodecParameters *par,
                       const struct dec_config *cfg, const struct tlog *log,
                       int *err);

/* Closes the decoder; accepts NULL. */
void dec_destroy(struct dec *d);

/* Sends one packet (NULL to drain).  Returns 0, AVERROR(EAGAIN) when frames
 * must be received first, or another negative AVERROR for a bad packet. */
int dec_send(struct dec *d, const AVPacket *pkt);

/* Receives the next decoded frame into out (blank on entry), converted to a
 * format the renderer samples (see dec_format_supported).  Returns 0,
 * AVERROR(EAGAIN) when more input is needed, AVERROR_EOF after a drain, or
 * another negative AVERROR. */
int dec_receive(struct dec *d, AVFrame *out);

/* Drops all buffered state (after a seek or a loop back to the start). */
void dec_flush(struct dec *d);

/* The codec's short name ("h264"); valid while d lives. */
const char *dec_codec_name(const struct dec *d);

/* True when the renderer uploads frames of this format without conversion. */
int dec_format_supported(enum AVPixelFormat fmt);

#endif
