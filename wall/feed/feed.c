/*
 * feed.c - the per-feed thread: open (with bounded probing and timeouts),
 * demux, decode, pace files to real time, publish frames through the mailbox,
 * and reconnect with exponential backoff and jitter.
 */
#include "feed/feed.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavformat/avformat.h>

#include "base/log.h"
#include "base/prio.h"
#include "base/timeutil.h"
#include "base/url.h"
#include "decode/decode.h"
#include "decode/pack.h"
#include "decode/scale.h"

#define BACKOFF_MIN_US 500000
#define BACKOFF_MAX_US 30000000
#define BACKOFF_RESET_US 60000000
#define RETRY_MIN_US 30000000  /* errors no quick retry fixes: 30 s ... */
#define RETRY_MAX_US 300000000 /* ... doubling up to 5 min */
#define ARRIVALS 32

/* One open source: demuxer + decoder; lives on the feed thread only. */
struct session {
    AVFormatContext *fmt;
    struct dec *dec;
    int stream;
    AVRational tb;
    unsigned hwdec_gen;   /* dec_hwdec_status() generation shown in status */
    int64_t pace_pts;     /* pts of the pacing origin, AV_NOPTS_VALUE unset */
    int64_t pace_wall_us; /* monotonic time of the pacing origin */
    int64_t pace_last_us; /* pts of the last paced frame */
    int64_t pace_due_us;  /* ... and when it was due */
    int64_t frame_us;     /* nominal frame duration (avg_frame_rate) */
    bool rewound;         /* a looping file went back to its start */
    int64_t lag_pts_us;   /* lag origin: a packet's pts (AV_NOPTS_VALUE unset) */
    int64_t lag_wall_us;  /* ... and when it was read */
    int64_t lag_min_us;   /* the smallest lag seen: the path's own delay */
    int64_t arrival_pts[ARRIVALS];
    int64_t arrival_us[ARRIVALS];
    int arrival_next;
};

struct feed {
    /* immutable after create */
    char *id;
    char *url;
    char redacted[512];
    bool loop;
    bool is_file;
    int64_t open_timeout_us, read_timeout_us, stall_after_us;
    struct tlog *log;
    struct mbox *mbox;
    enum hwdec_mode hwdec;
    enum feed_transport transport;
    struct hwdec_devices *hwdec_devices;

    /* render thread (the reaper's once released) */
    pthread_t thread;
    bool running;
    struct feed *reap_next;   /* in the reaper's queue (under its lock) */

    /* shared */
    atomic_bool abort;
    atomic_bool restart;      /* feed_restart(): reconnect now */
    atomic_int importance;    /* 0..1000, set by the render thread: how large
                                 its tile is; small tiles give way first */
    pthread_mutex_t lock;     /* guards status and wakes sleeps */
    pthread_cond_t wake;
    struct feed_status status; /* under lock */

    /* feed thread only */
    int64_t deadline_us;      /* read by the interrupt callback */
    bool timed_out;           /* the callback hit the deadline: the session is
                                 dead even if the demuxer still hands out a
                                 buffered packet */
    unsigned rand_state;
    atomic_bool pack;         /* interleave 4:2:0 into packed YUV (pack.h) */
    atomic_uint_fast64_t scale_wh; /* feed_set_scale(): w << 32 | h; 0: off */
    struct scaler *scaler;    /* made on first use */
    bool lagging;             /* behind the source (watch_lag's hysteresis) */
    bool keyframes;           /* decoding key frames only, as applied */
    atomic_bool shed;         /* the render thread asks for key frames only */
    AVFrame *packed;          /* scratch for repack() */
    AVBufferPool *pack_pool;  /* its buffers; frames in flight keep it alive */
    int pack_pool_size;
    char hwdec_logged[160];   /* the last hwdec fallback reason logged */
};

static const char *const state_names[] = {
    "connecting", "live", "stalled", "offline", "error", "ended"};

const char *feed_state_name(enum feed_state s)
{
    return (unsigned)s < sizeof(state_names) / sizeof(state_names[0])
               ? state_names[s]
               : "unknown";
}

const char *feed_id(const struct feed *f)
{
    return f->id;
}

struct feed *feed_create(const struct feed_config *cfg, const struct tlog *parent)
{
    struct feed *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    char name[80];
    snprintf(name, sizeof(name), "feed/%s", cfg->id);
    f->id = strdup(cfg->id);
    f->url = strdup(cfg->url);
    f->log = tlog_create(parent, name);
    f->mbox = mbox_create(cfg->smooth, cfg->notify, cfg->notify_opaque);
    if (!f->id || !f->url || !f->log || !f->mbox) {
        mbox_destroy(f->mbox);
        tlog_destroy(f->log);
        free(f->url);
        free(f->id);
        free(f);
        return NULL;
    }
    url_redact(f->url, f->redacted, sizeof(f->redacted));
    f->loop = cfg->loop;
    atomic_store(&f->pack, cfg->pack_yuv);
    atomic_store(&f->importance, 500);
    f->is_file = url_is_file(f->url);
    f->open_timeout_us = cfg->open_timeout_us > 0 ? cfg->open_timeout_us : 5000000;
    f->read_timeout_us = cfg->read_timeout_us > 0 ? cfg->read_timeout_us : 5000000;
    f->stall_after_us = cfg->stall_after_us;
    f->hwdec = cfg->hwdec;
    f->transport = cfg->transport;
    f->hwdec_devices = hwdec_devices_ref(cfg->hwdec_devices);
    f->rand_state = (unsigned)(uintptr_t)f ^ (unsigned)tm_now_us();
    pthread_mutex_init(&f->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->wake, &ca);
    pthread_condattr_destroy(&ca);
    return f;
}

/* ---- status (any thread, under lock) ---- */

static void set_state(struct feed *f, enum feed_state s, const char *detail)
{
    pthread_mutex_lock(&f->lock);
    enum feed_state old = f->status.state;
    f->status.state = s;
    snprintf(f->status.detail, sizeof(f->status.detail), "%s", detail ? detail : "");
    pthread_mutex_unlock(&f->lock);
    if (old != s || detail)
        tlog_info(f->log, "%s%s%s", feed_state_name(s), detail ? ": " : "",
                  detail ? detail : "");
}

void feed_get_status(struct feed *f, int64_t now_us, struct feed_status *st)
{
    pthread_mutex_lock(&f->lock);
    *st = f->status;
    pthread_mutex_unlock(&f->lock);
    int64_t stall = f->stall_after_us;
    if (stall <= 0) {
        stall = st->fps > 0 ? (int64_t)(4e6 / st->fps) : 0;
        if (stall < 2000000)
            stall = 2000000;
    }
    if (st->state == FEED_LIVE && st->last_frame_us &&
        now_us - st->last_frame_us > stall)
        st->state = FEED_STALLED;
}

/* ---- interruptible waiting (feed thread) ---- */

/* True when the current session or wait should end: the feed is stopping
 * or asked to restart. */
static bool interrupted(struct feed *f)
{
    return atomic_load(&f->abort) || atomic_load(&f->restart);
}

/* Sleeps until the monotonic time until_us, feed_stop() or feed_restart();
 * returns non-zero when interrupted by one of those. */
static int sleep_until(struct feed *f, int64_t until_us)
{
    struct timespec ts = {.tv_sec = until_us / 1000000,
                          .tv_nsec = (long)(until_us % 1000000) * 1000};
    pthread_mutex_lock(&f->lock);
    while (!interrupted(f) && tm_now_us() < until_us)
        if (pthread_cond_timedwait(&f->wake, &f->lock, &ts) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&f->lock);
    return interrupted(f);
}

static int interrupt_cb(void *opaque)
{
    struct feed *f = opaque;
    if (f->deadline_us && tm_now_us() > f->deadline_us)
        f->timed_out = true;
    return interrupted(f) || f->timed_out;
}

/* ---- opening ---- */

static void session_close(struct session *s)
{
    dec_destroy(s->dec);
    avformat_close_input(&s->fmt);
    memset(s, 0, sizeof(*s));
}

static bool is_rtsp(const struct feed *f)
{
    return strncmp(f->url, "rtsp", 4) == 0;
}

/* Options for live sources: small probing, the RTSP transport (udp: RTP over
 * UDP, else interleaved in the TCP connection), socket timeouts. */
static void live_options(const struct feed *f, bool udp, AVDictionary **opts)
{
    char us[32];
    snprintf(us, sizeof(us), "%lld", (long long)f->read_timeout_us);
    if (is_rtsp(f)) {
        av_dict_set(opts, "rtsp_transport", udp ? "udp" : "tcp", 0);
        av_dict_set(opts, "timeout", us, 0);
    } else if (strncmp(f->url, "http", 4) == 0) {
        av_dict_set(opts, "rw_timeout", us, 0);
        av_dict_set(opts, "reconnect", "0", 0);
    } else if (strncmp(f->url, "srt:", 4) == 0 || strncmp(f->url, "udp:", 4) == 0) {
        av_dict_set(opts, "timeout", us, 0);
    }
    av_dict_set(opts, "probesize", "262144", 0);
    av_dict_set(opts, "analyzeduration", "500000", 0);
    av_dict_set(opts, "fflags", "nobuffer", 0);
}

/* Errors that a quick retry will not fix (they get the long retry). */
static int is_permanent(int err)
{
    return err == AVERROR_PROTOCOL_NOT_FOUND || err == AVERROR_DEMUXER_NOT_FOUND ||
           err == AVERROR_DECODER_NOT_FOUND || err == AVERROR_STREAM_NOT_FOUND ||
           err == AVERROR(EINVAL) || err == AVERROR_OPTION_NOT_FOUND;
}

/* Opens the demuxer over one transport (see live_options). */
static int open_demuxer_via(struct feed *f, struct session *s, bool udp)
{
    AVDictionary *opts = NULL;
    if (!f->is_file)
        live_options(f, udp, &opts);
    s->fmt = avformat_alloc_context();
    if (!s->fmt)
        return AVERROR(ENOMEM);
    s->fmt->interrupt_callback = (AVIOInterruptCB){interrupt_cb, f};
    const char *url = strncmp(f->url, "file:", 5) == 0 ? f->url + 5 : f->url;
    f->timed_out = false;
    f->deadline_us = tm_now_us() + f->open_timeout_us;
    int ret = avformat_open_input(&s->fmt, url, NULL, &opts);
    av_dict_free(&opts);
    if (ret < 0)
        return ret; /* avformat_open_input freed s->fmt */
    return avformat_find_stream_info(s->fmt, NULL);
}

/* Opens the demuxer; RTSP under "auto" asks for TCP first and falls back to
 * UDP when the server refuses TCP (461 Unsupported Transport, which FFmpeg
 * reports as EPROTONOSUPPORT).  The transport in use goes into the status. */
static int open_demuxer(struct feed *f, struct session *s)
{
    bool udp = f->transport == FEED_TRANSPORT_UDP;
    int ret = open_demuxer_via(f, s, udp);
    if (ret == AVERROR(EPROTONOSUPPORT) && f->transport == FEED_TRANSPORT_AUTO &&
        is_rtsp(f) && !interrupted(f)) {
        tlog_info(f->log, "the server refuses RTSP over TCP: trying UDP");
        avformat_close_input(&s->fmt);
        ret = open_demuxer_via(f, s, udp = true);
    }
    pthread_mutex_lock(&f->lock);
    snprintf(f->status.transport, sizeof(f->status.transport), "%s",
             ret < 0 || !is_rtsp(f) ? "" : udp ? "udp" : "tcp");
    pthread_mutex_unlock(&f->lock);
    return ret;
}

/* Copies the decoder's backend and fallback reason into the status when
 * they changed, logging a new reason once per feed (warning when the
 * backend was asked for by name, information under auto). */
static void sync_hwdec(struct feed *f, struct session *s)
{
    char name[16], why[160];
    if (dec_hwdec_status(s->dec, NULL, 0, NULL, 0) == s->hwdec_gen)
        return;
    s->hwdec_gen = dec_hwdec_status(s->dec, name, sizeof(name), why, sizeof(why));
    pthread_mutex_lock(&f->lock);
    snprintf(f->status.hwdec, sizeof(f->status.hwdec), "%s", name);
    snprintf(f->status.hwdec_fallback, sizeof(f->status.hwdec_fallback), "%s", why);
    pthread_mutex_unlock(&f->lock);
    if (!why[0] || strcmp(why, f->hwdec_logged) == 0)
        return;
    snprintf(f->hwdec_logged, sizeof(f->hwdec_logged), "%s", why);
    tlog_printf(f->log, f->hwdec == HWDEC_MODE_AUTO ? TLOG_INFO : TLOG_WARN,
                "decoding with %s (%s)", name, why);
}

/* Opens the source and its decoder; fills *why on failure. */
static int session_open(struct feed *f, struct session *s, char *why, size_t n)
{
    memset(s, 0, sizeof(*s));
    int ret = open_demuxer(f, s);
    if (ret < 0) {
        snprintf(why, n, "%s", interrupted(f) ? "stopped"
                 : f->deadline_us && tm_now_us() > f->deadline_us ? "connection timed out"
                 : av_err2str(ret));
        return ret;
    }
    ret = av_find_best_stream(s->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (ret < 0) {
        snprintf(why, n, "no video stream");
        return AVERROR_STREAM_NOT_FOUND;
    }
    s->stream = ret;
    AVStream *st = s->fmt->streams[ret];
    s->tb = st->time_base;
    for (unsigned i = 0; i < s->fmt->nb_streams; i++)
        if ((int)i != s->stream)
            s->fmt->streams[i]->discard = AVDISCARD_ALL;
    struct dec_config dc = {.hwdec = f->hwdec, .devices = f->hwdec_devices};
    s->dec = dec_create(st->codecpar, &dc, f->log, &ret);
    if (!s->dec) {
        snprintf(why, n, "unsupported codec %s", avcodec_get_name(st->codecpar->codec_id));
        return ret;
    }
    s->pace_pts = AV_NOPTS_VALUE;
    s->lag_pts_us = AV_NOPTS_VALUE;
    s->frame_us = st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0
                      ? av_rescale(1000000, st->avg_frame_rate.den, st->avg_frame_rate.num)
                      : 40000;
    f->lagging = f->keyframes = false;
    pthread_mutex_lock(&f->lock);
    f->status.degraded = false;
    snprintf(f->status.codec, sizeof(f->status.codec), "%s", dec_codec_name(s->dec));
    pthread_mutex_unlock(&f->lock);
    sync_hwdec(f, s);
    return 0;
}

/* ---- the read loop ---- */

static void note_arrival(struct session *s, int64_t pts, int64_t now_us)
{
    s->arrival_pts[s->arrival_next] = pts;
    s->arrival_us[s->arrival_next] = now_us;
    s->arrival_next = (s->arrival_next + 1) % ARRIVALS;
}

/* The arrival time of the packet that carried pts (the latest if unknown). */
static int64_t arrival_of(const struct session *s, int64_t pts)
{
    int last = (s->arrival_next + ARRIVALS - 1) % ARRIVALS;
    for (int i = 0; i < ARRIVALS && pts != AV_NOPTS_VALUE; i++)
        if (s->arrival_pts[i] == pts && s->arrival_us[i])
            return s->arrival_us[i];
    return s->arrival_us[last];
}

/* Files play like cameras: waits until the frame's presentation time.  A
 * timestamp jump restarts the clock: going back or standing still (a loop,
 * even of a one-frame file) one frame after the last frame was due, so that
 * frame is shown for its time too; any other jump (discontinuity) at once.
 * Returns non-zero when the feed is stopping. */
static int pace(struct feed *f, struct session *s, const AVFrame *fr)
{
    int64_t pts = fr->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE)
        return 0;
    int64_t pts_us = av_rescale_q(pts, s->tb, AV_TIME_BASE_Q);
    int64_t now = tm_now_us();
    int64_t due = s->pace_pts == AV_NOPTS_VALUE ? now
                  : s->pace_wall_us + (pts_us - s->pace_pts);
    if (s->pace_pts != AV_NOPTS_VALUE && pts_us <= s->pace_last_us) {
        due = s->pace_due_us + s->frame_us;
        if (due < now)
            due = now;
        s->pace_pts = pts_us;
        s->pace_wall_us = due;
    } else if (s->pace_pts == AV_NOPTS_VALUE || due > now + 2000000 ||
               due < now - 1000000) {
        s->pace_pts = pts_us;
        s->pace_wall_us = due = now;
    }
    s->pace_last_us = pts_us;
    s->pace_due_us = due;
    return due > now ? sleep_until(f, due) : 0;
}

/* Counts a decoded frame (of src_w x src_h as decoded; fr may be scaled)
 * and hands it to the render thread. */
static void publish(struct feed *f, struct session *s, AVFrame *fr, int src_w, int src_h)
{
    int64_t now = tm_now_us();
    /* a file's frame "arrives" when its pacing releases it */
    int64_t arrival = f->is_file ? now : arrival_of(s, fr->pts);
    bool was_live;
    pthread_mutex_lock(&f->lock);
    struct feed_status *st = &f->status;
    was_live = st->state == FEED_LIVE;
    if (st->last_frame_us && now > st->last_frame_us) {
        double inst = 1e6 / (double)(now - st->last_frame_us);
        st->fps = st->fps > 0 ? st->fps * 0.9 + inst * 0.1 : inst;
    }
    st->frames_decoded++;
    if (fr->decode_error_flags || (fr->flags & AV_FRAME_FLAG_CORRUPT))
        st->decode_errors++; /* concealed damage: shown, but counted */
    st->width = src_w;
    st->height = src_h;
    bool scaled = fr->format == SCALE_FORMAT;
    st->scaled_w = scaled ? fr->width : 0;
    st->scaled_h = scaled ? fr->height : 0;
    st->last_frame_us = now;
    pthread_mutex_unlock(&f->lock);
    if (!was_live)
        set_state(f, FEED_LIVE, NULL);
    int64_t pts = fr->best_effort_timestamp;
    mbox_put_timed(f->mbox, fr, arrival,
                   pts == AV_NOPTS_VALUE ? INT64_MIN : av_rescale_q(pts, s->tb, AV_TIME_BASE_Q),
                   now);
}

static void count_error(struct feed *f)
{
    pthread_mutex_lock(&f->lock);
    f->status.decode_errors++;
    pthread_mutex_unlock(&f->lock);
}

/* Replaces fr by its packed form (see decode/pack.h). */
static int repack(struct feed *f, AVFrame *fr)
{
    if (!f->packed && !(f->packed = av_frame_alloc()))
        return AVERROR(ENOMEM);
    int ret = pack_vuya(fr, f->packed, &f->pack_pool, &f->pack_pool_size);
    av_frame_unref(fr);
    if (ret < 0)
        av_frame_unref(f->packed);
    else
        av_frame_move_ref(fr, f->packed);
    return ret;
}

/* Replaces fr by its scaled RGB form when feed_set_scale() asks for a size
 * not larger than fr (the same size: converted to RGB only); larger tiles
 * are left to OpenGL's filtering.  Returns 1 when scaled, 0 when left, or a
 * negative AVERROR (fr is then blank). */
static int scale_down(struct feed *f, AVFrame *fr)
{
    uint64_t wh = atomic_load(&f->scale_wh);
    int w = (int)(wh >> 32), h = (int)(wh & 0xffffffff);
    if (!wh || w > fr->width || h > fr->height || !scaler_supported(fr))
        return 0;
    if (!f->packed && !(f->packed = av_frame_alloc()))
        return AVERROR(ENOMEM);
    if (!f->scaler && !(f->scaler = scaler_create()))
        return AVERROR(ENOMEM);
    int ret = scaler_run(f->scaler, fr, w, h, f->packed);
    av_frame_unref(fr);
    if (ret < 0)
        return ret;
    av_frame_move_ref(fr, f->packed);
    return 1;
}

/* Decodes one packet (NULL drains) and publishes what comes out.  Returns
 * non-zero when the feed is stopping. */
static int decode_packet(struct feed *f, struct session *s, const AVPacket *pkt,
                         AVFrame *fr)
{
    int ret = dec_send(s->dec, pkt);
    if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
        count_error(f);
    while ((ret = dec_receive(s->dec, fr)) >= 0) {
        if (f->is_file && pace(f, s, fr)) {
            av_frame_unref(fr);
            return 1;
        }
        int src_w = fr->width, src_h = fr->height;
        int scaled = scale_down(f, fr);
        if (scaled < 0 || (!scaled && atomic_load(&f->pack) &&
                           pack_supported(fr->format) && repack(f, fr) < 0)) {
            av_frame_unref(fr);
            count_error(f);
            continue;
        }
        publish(f, s, fr, src_w, src_h);
    }
    if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
        count_error(f);
    sync_hwdec(f, s);
    return interrupted(f);
}

/* Seeks a looping file back to its start.  The decoder goes on as if the
 * file followed itself: its last pictures come out when the first key frame
 * arrives, with no pause.  Draining and flushing instead would cost a
 * hardware decoder a restart at every loop (FFmpeg's H.264 flush drops the
 * hwaccel: ~0.3 s with NVDEC), so the decoder is flushed only when the
 * file does not begin with a key frame (see loop_restart). */
static int rewind_file(struct feed *f, struct session *s)
{
    s->rewound = true;
    f->deadline_us = tm_now_us() + f->read_timeout_us;
    return avformat_seek_file(s->fmt, -1, INT64_MIN, s->fmt->start_time == AV_NOPTS_VALUE
                              ? 0 : s->fmt->start_time, INT64_MAX, 0);
}

/* The first packet after a rewind: a file cut mid-GOP must not be decoded
 * against the pictures of the previous pass. */
static void loop_restart(struct session *s, const AVPacket *pkt)
{
    if (!s->rewound)
        return;
    s->rewound = false;
    if (!(pkt->flags & AV_PKT_FLAG_KEY))
        dec_flush(s->dec);
}

/* Decodes key frames only while the feed lags behind its source or the
 * render thread asked it to shed load; says so once per change. */
static void sync_keyframes(struct feed *f, struct session *s, int64_t behind_us)
{
    bool shed = atomic_load(&f->shed), want = f->lagging || shed;
    if (want == f->keyframes)
        return;
    f->keyframes = want;
    dec_set_keyframes_only(s->dec, want);
    pthread_mutex_lock(&f->lock);
    f->status.degraded = want;
    pthread_mutex_unlock(&f->lock);
    if (want && f->lagging)
        tlog_warn(f->log, "%.1f s behind the source: decoding key frames only",
                  behind_us / 1e6);
    else if (want)
        tlog_warn(f->log, "the wall is overloaded: decoding key frames only");
    else
        tlog_info(f->log, "decoding every frame again");
}

/* Live sources only: how far behind real time the packets being read are
 * (beyond the path's own delay).  A feed the machine cannot keep up with
 * decodes key frames only until it has caught up, so no backlog grows and
 * its tile keeps moving; the smaller its tile, the sooner it gives way. */
static void watch_lag(struct feed *f, struct session *s, const AVPacket *pkt)
{
    if (f->is_file || pkt->pts == AV_NOPTS_VALUE) {
        sync_keyframes(f, s, 0);
        return;
    }
    int64_t now = tm_now_us(), pts_us = av_rescale_q(pkt->pts, s->tb, AV_TIME_BASE_Q);
    int64_t lag = s->lag_pts_us == AV_NOPTS_VALUE
                      ? 0 : (now - s->lag_wall_us) - (pts_us - s->lag_pts_us);
    if (s->lag_pts_us == AV_NOPTS_VALUE || lag < -30000000 || lag > 30000000) {
        s->lag_pts_us = pts_us; /* first packet, or the timestamps jumped */
        s->lag_wall_us = now;
        s->lag_min_us = 0;
        return;
    }
    if (lag < s->lag_min_us)
        s->lag_min_us = lag;
    int64_t behind = lag - s->lag_min_us;
    pthread_mutex_lock(&f->lock);
    f->status.behind_us = behind;
    pthread_mutex_unlock(&f->lock);
    int64_t limit = 250000 + 750 * (int64_t)atomic_load(&f->importance);
    if (!f->lagging && behind > limit)
        f->lagging = true;
    else if (f->lagging && behind < limit / 4)
        f->lagging = false;
    sync_keyframes(f, s, behind);
}

/* Reads and decodes until the source ends, fails or the feed stops.
 * Returns AVERROR_EOF for a file that ended (no loop), AVERROR_EXIT when
 * stopping, or the error that ended the session (described in why). */
static int run_session(struct feed *f, struct session *s, char *why, size_t n)
{
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    int ret = pkt && fr ? 0 : AVERROR(ENOMEM);
    while (ret >= 0 && !interrupted(f) && !f->timed_out) {
        f->deadline_us = tm_now_us() + f->read_timeout_us;
        ret = av_read_frame(s->fmt, pkt);
        if (ret == AVERROR(EAGAIN)) {
            ret = sleep_until(f, tm_now_us() + 10000) ? AVERROR_EXIT : 0;
        } else if (ret == AVERROR_EOF && f->is_file && f->loop) {
            ret = rewind_file(f, s);
        } else if (ret == AVERROR_EOF && f->is_file) {
            decode_packet(f, s, NULL, fr);
        } else if (ret >= 0) {
            if (pkt->stream_index == s->stream) {
                pthread_mutex_lock(&f->lock);
                f->status.bytes += (uint64_t)pkt->size;
                pthread_mutex_unlock(&f->lock);
                note_arrival(s, pkt->pts, tm_now_us());
                loop_restart(s, pkt);
                watch_lag(f, s, pkt);
                if (decode_packet(f, s, pkt, fr))
                    ret = AVERROR_EXIT;
            }
            av_packet_unref(pkt);
        }
    }
    if (interrupted(f) || f->timed_out)
        ret = AVERROR_EXIT;
    if (interrupted(f))
        snprintf(why, n, "%s", atomic_load(&f->abort) ? "stopped" : "restarted");
    else if (f->timed_out)
        snprintf(why, n, "no data for %.1f s (timed out)", f->read_timeout_us / 1e6);
    else if (ret == AVERROR_EOF)
        snprintf(why, n, "%s", f->is_file ? "end of file" : "stream ended");
    else if (ret == AVERROR_EXIT || ret == AVERROR(ETIMEDOUT))
        snprintf(why, n, "no data for %.1f s (timed out)", f->read_timeout_us / 1e6);
    else
        snprintf(why, n, "%s", av_err2str(ret));
    av_packet_free(&pkt);
    av_frame_free(&fr);
    return ret;
}

/* ---- the thread ---- */

/* Publishes when the next attempt is due (0: none) for tiles and stats. */
static void set_retry_at(struct feed *f, int64_t at_us)
{
    pthread_mutex_lock(&f->lock);
    f->status.retry_at_us = at_us;
    pthread_mutex_unlock(&f->lock);
}

/* Waits wait_us before the next attempt, or less when feed_restart() asks;
 * counts the reconnect.  Returns non-zero when the feed is stopping. */
static int retry_wait(struct feed *f, int64_t wait_us)
{
    int64_t at = tm_now_us() + wait_us;
    set_retry_at(f, at);
    sleep_until(f, at);
    set_retry_at(f, 0);
    if (atomic_load(&f->abort))
        return 1;
    pthread_mutex_lock(&f->lock);
    f->status.reconnects++;
    pthread_mutex_unlock(&f->lock);
    return 0;
}

/* Waits out the current backoff (with +-25 % jitter) and doubles it.
 * Returns non-zero when the feed is stopping. */
static int backoff_wait(struct feed *f, int64_t *backoff_us)
{
    int64_t span = *backoff_us / 2;
    int64_t jitter = span ? (int64_t)(rand_r(&f->rand_state) % span) - span / 2 : 0;
    int64_t wait = *backoff_us + jitter;
    tlog_info(f->log, "reconnecting in %.1f s", wait / 1e6);
    *backoff_us = *backoff_us * 2 > BACKOFF_MAX_US ? BACKOFF_MAX_US : *backoff_us * 2;
    return retry_wait(f, wait);
}

/* An error no quick retry fixes (no video stream, unknown codec ...): the
 * feed says ERROR and tries again after *retry_us (30 s doubling to 5 min),
 * or at once on feed_restart().  Returns non-zero when the feed is stopping. */
static int error_wait(struct feed *f, const char *why, int64_t *retry_us)
{
    int64_t wait = *retry_us;
    set_state(f, FEED_ERROR, why);
    tlog_info(f->log, "trying again in %d:%02d", (int)(wait / 60000000),
              (int)(wait / 1000000 % 60));
    *retry_us = *retry_us * 2 > RETRY_MAX_US ? RETRY_MAX_US : *retry_us * 2;
    return retry_wait(f, wait);
}

/* Feed threads run a little below the render thread (base/prio.h; the
 * decoder's own threads inherit it): when decoding needs more than the
 * machine has, the wall keeps drawing what arrives instead of every tile
 * freezing together. */
static void lower_priority(struct feed *f)
{
    if (prio_background() < 0)
        tlog_debug(f->log, "cannot lower the feed thread's priority");
}

/* Opens the source and reads it until the session ends; returns how it
 * ended (see run_session) with the reason in why.  A session that opened
 * resets *retry_us; one that lasted resets *backoff_us. */
static int run_once(struct feed *f, int64_t *backoff_us, int64_t *retry_us, char *why,
                    size_t n)
{
    struct session s;
    int ret = session_open(f, &s, why, n);
    if (ret >= 0) {
        int64_t opened = tm_now_us();
        *retry_us = RETRY_MIN_US;
        ret = run_session(f, &s, why, n);
        if (tm_now_us() - opened > BACKOFF_RESET_US)
            *backoff_us = BACKOFF_MIN_US;
    }
    session_close(&s);
    return ret;
}

static void *feed_main(void *arg)
{
    struct feed *f = arg;
    lower_priority(f);
    int64_t backoff = BACKOFF_MIN_US, retry = RETRY_MIN_US;
    char why[160];
    tlog_debug(f->log, "opening %s", f->redacted);
    while (!atomic_load(&f->abort)) {
        if (atomic_exchange(&f->restart, false)) {
            backoff = BACKOFF_MIN_US;
            retry = RETRY_MIN_US;
            set_state(f, FEED_CONNECTING, "restarted");
        }
        int ret = run_once(f, &backoff, &retry, why, sizeof(why));
        if (atomic_load(&f->abort))
            break;
        if (atomic_load(&f->restart))
            continue;
        if (ret == AVERROR_EOF && f->is_file) {
            set_state(f, FEED_ENDED, why);
            sleep_until(f, INT64_MAX / 2); /* until stopped or restarted */
            continue;
        }
        int stop;
        if (is_permanent(ret)) {
            stop = error_wait(f, why, &retry);
        } else {
            set_state(f, FEED_OFFLINE, why);
            stop = backoff_wait(f, &backoff);
        }
        if (stop)
            break;
    }
    return NULL;
}

int feed_start(struct feed *f)
{
    if (f->running)
        return 0;
    atomic_store(&f->abort, false);
    atomic_store(&f->restart, false);
    set_state(f, FEED_CONNECTING, NULL);
    int ret = pthread_create(&f->thread, NULL, feed_main, f);
    if (ret)
        return -ret;
    f->running = true;
    return 0;
}

void feed_stop_async(struct feed *f)
{
    if (!f || !f->running)
        return;
    pthread_mutex_lock(&f->lock);
    atomic_store(&f->abort, true);
    pthread_cond_broadcast(&f->wake);
    pthread_mutex_unlock(&f->lock);
}

void feed_stop(struct feed *f)
{
    if (!f || !f->running)
        return;
    feed_stop_async(f);
    pthread_join(f->thread, NULL);
    f->running = false;
}

void feed_restart(struct feed *f)
{
    if (!f || !f->running)
        return;
    pthread_mutex_lock(&f->lock);
    atomic_store(&f->restart, true);
    pthread_cond_broadcast(&f->wake);
    pthread_mutex_unlock(&f->lock);
}

void feed_destroy(struct feed *f)
{
    if (!f)
        return;
    feed_stop(f);
    mbox_destroy(f->mbox);
    pthread_cond_destroy(&f->wake);
    pthread_mutex_destroy(&f->lock);
    tlog_destroy(f->log);
    hwdec_devices_unref(f->hwdec_devices);
    av_frame_free(&f->packed);
    av_buffer_pool_uninit(&f->pack_pool);
    scaler_destroy(f->scaler);
    free(f->url);
    free(f->id);
    free(f);
}

void feed_set_shed(struct feed *f, bool shed)
{
    atomic_store(&f->shed, shed);
}

void feed_set_pack(struct feed *f, bool pack)
{
    atomic_store(&f->pack, pack);
}

void feed_set_scale(struct feed *f, int w, int h)
{
    bool on = w > 0 && h > 0;
    atomic_store(&f->scale_wh, on ? (uint64_t)w << 32 | (uint32_t)h : 0);
}

void feed_set_importance(struct feed *f, double importance)
{
    int v = (int)(importance * 1000);
    atomic_store(&f->importance, v < 0 ? 0 : v > 1000 ? 1000 : v);
}

int feed_take_frame(struct feed *f, int64_t now_us, AVFrame *dst, int64_t *arrival_us)
{
    return mbox_take_due(f->mbox, now_us, dst, arrival_us);
}

int64_t feed_next_due(struct feed *f)
{
    return mbox_next_due(f->mbox);
}

struct mbox_counts feed_mbox_counts(struct feed *f)
{
    return mbox_counts(f->mbox);
}

/* ---- the reaper ---- */

struct feed_reaper {
    struct tlog *log;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct feed *queue;  /* under lock: released feeds not yet freed */
    bool closing;        /* under lock: feed_reaper_destroy() was called */
};

static void *reaper_main(void *arg)
{
    struct feed_reaper *r = arg;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (!r->queue && !r->closing)
            pthread_cond_wait(&r->wake, &r->lock);
        struct feed *f = r->queue;
        if (!f)
            break; /* closing, and nothing left */
        r->queue = f->reap_next;
        pthread_mutex_unlock(&r->lock);
        int64_t t0 = tm_now_us();
        feed_destroy(f);
        if (tm_now_us() - t0 > 1000000)
            tlog_debug(r->log, "a feed took %.1f s to stop", (tm_now_us() - t0) / 1e6);
        pthread_mutex_lock(&r->lock);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

struct feed_reaper *feed_reaper_create(const struct tlog *parent)
{
    struct feed_reaper *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->wake, NULL);
    r->log = tlog_create(parent, "feed-reaper");
    if (!r->log || pthread_create(&r->thread, NULL, reaper_main, r) != 0) {
        tlog_destroy(r->log);
        pthread_cond_destroy(&r->wake);
        pthread_mutex_destroy(&r->lock);
        free(r);
        return NULL;
    }
    return r;
}

void feed_release(struct feed_reaper *r, struct feed *f)
{
    if (!f)
        return;
    if (!r) {
        feed_destroy(f);
        return;
    }
    feed_stop_async(f);
    pthread_mutex_lock(&r->lock);
    f->reap_next = r->queue;
    r->queue = f;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
}

void feed_reaper_destroy(struct feed_reaper *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->closing = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    tlog_destroy(r->log);
    free(r);
}
