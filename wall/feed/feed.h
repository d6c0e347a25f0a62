/*
 * feed.h - one camera (or file, or any URL FFmpeg opens) on its own thread:
 * open, demux, decode, hand the newest frame to the render thread through a
 * mailbox, and reconnect with backoff when the source goes away.  No call on
 * the feed thread can block forever: every FFmpeg call is bounded by an
 * interrupt callback with a deadline and an abort flag.
 *
 * Threads: feed_create/start/stop/destroy and the readers (feed_take_frame,
 * feed_get_status) are called from the render thread; everything else runs on
 * the feed's own thread.  A feed handed to a reaper (feed_release) belongs to
 * the reaper's thread from then on.
 */
#ifndef TESSERA_FEED_H
#define TESSERA_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include <libavutil/frame.h>

#include "hwdec/hwdec.h"
#include "mailbox/mailbox.h"

struct tlog;
struct feed;
struct feed_reaper;

enum feed_state {
    FEED_CONNECTING = 0, /* opening the source, no picture yet */
    FEED_LIVE,           /* frames arriving */
    FEED_STALLED,        /* connected, but no new frame for stall_after */
    FEED_OFFLINE,        /* source refused, closed or timed out; retrying */
    FEED_ERROR,          /* a problem a quick retry does not fix (see detail):
                                retried after 30 s, doubling up to 5 min */
    FEED_ENDED,          /* a file without "loop" reached its end */
};

/* How RTSP carries the stream. */
enum feed_transport {
    FEED_TRANSPORT_AUTO = 0, /* TCP; UDP when the server refuses TCP */
    FEED_TRANSPORT_TCP,      /* interleaved in the RTSP connection only */
    FEED_TRANSPORT_UDP,      /* RTP over UDP only */
};

struct feed_config {
    const char *id;          /* for logs; copied */
    const char *url;         /* copied; never logged unredacted */
    bool loop;               /* files: start again at the end */
    bool pack_yuv;           /* hand 4:2:0 frames over packed (decode/pack.h):
                                cheaper to draw with software OpenGL */
    bool smooth;             /* a jitter buffer between the feed and the
                                renderer (--latency smooth, mailbox.h);
                                false: the newest frame wins */
    int64_t open_timeout_us; /* 0: 5 s */
    int64_t read_timeout_us; /* 0: 5 s */
    int64_t stall_after_us;  /* 0: max(2 s, 4 frame intervals) */
    mbox_notify_fn notify;   /* called when a new frame is ready; may be NULL */
    void *notify_opaque;
    enum hwdec_mode hwdec;   /* decode backend wanted (DEFAULT: auto) */
    enum feed_transport transport; /* RTSP only */
    struct hwdec_devices *hwdec_devices; /* shared devices; the feed takes a
                                            reference; NULL: software only */
};

/* A snapshot of a feed's condition, for tiles and stats. */
struct feed_status {
    enum feed_state state;
    char detail[160];        /* why offline/error, empty otherwise */
    int64_t retry_at_us;     /* offline/error: monotonic time of the next
                                attempt; 0: none planned */
    char transport[8];       /* RTSP: "tcp" or "udp" in use; else empty */
    char codec[32];
    int width, height;
    int64_t last_frame_us;   /* monotonic time of the newest frame; 0: none */
    uint64_t frames_decoded;
    uint64_t decode_errors;
    uint64_t reconnects;
    uint64_t bytes;          /* compressed bytes read */
    double fps;              /* decoded frames per second, smoothed */
    bool degraded;           /* overloaded: decoding key frames only */
    int64_t behind_us;       /* live sources: how far the packets being read
                                lag behind the source's clock */
    char hwdec[16];          /* decoding with: "nvdec", "vaapi", "nvdec-copy",
                                "vaapi-copy", "sw"; empty before the first open */
    char hwdec_fallback[160];/* why hardware was passed over or left; empty: it
                                was not */
    int scaled_w, scaled_h;  /* the newest frame was scaled to this size on the
                                feed thread (feed_set_scale); 0: it was not */
};

/* Creates a stopped feed.  NULL on allocation failure. */
struct feed *feed_create(const struct feed_config *cfg, const struct tlog *parent);

/* Starts the feed's thread.  Returns 0 or a negative errno. */
int feed_start(struct feed *f);

/* Asks the thread to stop and joins it; any FFmpeg call in progress is
 * interrupted, so this returns within a fraction of a second.  Idempotent;
 * accepts NULL. */
void feed_stop(struct feed *f);

/* Makes a running feed drop its connection (or its wait before the next
 * attempt) and connect again now, with its backoff reset.  Returns at once;
 * accepts NULL and a stopped feed (nothing happens). */
void feed_restart(struct feed *f);

/* Stops the feed if needed and frees it; accepts NULL. */
void feed_destroy(struct feed *f);

/* Asks the feed's thread to stop (interrupting any FFmpeg call) and returns
 * at once, without joining it; feed_stop() or feed_destroy() joins it later.
 * Accepts NULL and a stopped feed. */
void feed_stop_async(struct feed *f);

/* Starts a reaper: a thread that joins and frees the feeds handed to it, so
 * that stopping a feed never waits on the caller's thread.  NULL on failure. */
struct feed_reaper *feed_reaper_create(const struct tlog *parent);

/* Stops f now (feed_stop_async) and hands it to the reaper, which joins its
 * thread and frees it; the caller must not touch f again.  Frames it sends
 * meanwhile still call its notify callback.  With r NULL, feed_destroy(f).
 * Accepts NULL f. */
void feed_release(struct feed_reaper *r, struct feed *f);

/* Joins and frees every feed handed over (all of them stop in parallel),
 * then the reaper's thread; after it returns no feed thread of r is left.
 * Accepts NULL. */
void feed_reaper_destroy(struct feed_reaper *r);

/* Asks the feed to decode key frames only (shed load: the wall cannot keep
 * up) or everything again; any thread. */
void feed_set_shed(struct feed *f, bool shed);

/* Switches packed hand-over (feed_config.pack_yuv) on or off; any thread. */
void feed_set_pack(struct feed *f, bool pack);

/* Asks the feed thread to scale each software picture down to w x h and
 * hand it over as RGB (decode/scale.h: software OpenGL then draws it 1:1);
 * pictures smaller than that in either direction are left as they are.
 * 0 x 0 turns it off.  Takes precedence over packing.  Any thread. */
void feed_set_scale(struct feed *f, int w, int h);

/* How much the feed's picture matters, 0..1 (its largest tile's share of a
 * 1080p output): under overload the least important feeds fall back to key
 * frames first.  Any thread. */
void feed_set_importance(struct feed *f, double importance);

/* Moves the newest frame due at now_us (newest wins: the newest that
 * arrived since the last call), if any, into dst (blank on entry) and
 * returns 1 with *arrival_us set to the monotonic time its last packet
 * arrived; else returns 0. */
int feed_take_frame(struct feed *f, int64_t now_us, AVFrame *dst, int64_t *arrival_us);

/* When the next frame waiting in the feed's jitter buffer is due (monotonic
 * us); INT64_MAX when none waits. */
int64_t feed_next_due(struct feed *f);

/* Fills *st with the feed's current status; the state is STALLED when the
 * feed is live but its newest frame is older than stall_after at now_us. */
void feed_get_status(struct feed *f, int64_t now_us, struct feed_status *st);

/* The lower-case name of a state ("live"). */
const char *feed_state_name(enum feed_state s);

/* The feed id given at creation. */
const char *feed_id(const struct feed *f);

/* Mailbox counters (frames handed over, taken by the renderer, dropped,
 * late) and the jitter buffer's jitter and delay. */
struct mbox_counts feed_mbox_counts(struct feed *f);

#endif
