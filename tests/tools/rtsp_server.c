/*
 * rtsp_server.c - tessera-test-rtsp: a real RTSP server (gst-rtsp-server) for
 * tests and demos.  Each --mount serves one file looped forever, paced in real
 * time at the stream's frame rate, with one shared pipeline per mount (many
 * viewers, like a real camera):
 *
 *   tessera-test-rtsp [--port N] [--bind ADDR] --mount /name=PATH [--mount ...]
 *                     [--udp-mount /name=PATH ...] [--audio-mount /name ...]
 *                     [--ready-file PATH] [--burst-ms MS]
 *
 * --udp-mount serves like --mount but offers RTP over UDP only: a client
 * asking for TCP gets "461 Unsupported Transport", as from many older
 * cameras.  --audio-mount serves a silent audio stream and no video (a
 * camera's SDP while it reboots, say).  --burst-ms MS makes every video
 * mount deliver in bursts, as a server catching up or a congested link does:
 * each frame is held back to the next multiple of MS of the stream's time
 * and sent with the others held, its RTP timestamp unchanged (MS = two frame
 * intervals: frames arrive in pairs; larger: a pause, then a burst).
 *
 * PATH is a raw Annex-B elementary stream (.h264/.264 or .h265/.hevc) or an
 * MPEG-TS file carrying H.264 (.ts).  Once listening it prints "READY port=N"
 * (and writes N into --ready-file, atomically); each RTSP client prints
 * "CLIENT connected IP ..." and "CLIENT closed IP ..." with running counts.
 * SIGINT/SIGTERM stop it cleanly (exit 0).  Exit 1: runtime failure (port
 * taken, ...); exit 2: usage error.
 *
 * Timestamps: behind h264parse a raw stream carries DTS only and the payloader
 * would stamp every packet 0, so a probe on each payloader's sink pad copies
 * DTS into PTS (right for streams without B-frames, such as gen-clip's) and
 * keeps time monotonic should the timeline restart when the file loops (with
 * GStreamer 1.22 the parsers and tsdemux keep it continuous; this is a guard).
 * The same probe point answers seeking queries with "not seekable", so that a
 * client's PLAY never seeks the shared pipeline under the other viewers.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

/* Frame duration assumed when a buffer carries none (only used to step over
 * a timeline restart). */
#define RTSPS_DEFAULT_FRAME_NS (GST_SECOND / 30)

/* What the program runs on; owned by main().  The client fields are guarded
 * by lock: GstRTSPClient signals may come from other threads at shutdown. */
struct rtsps_app {
    GMainLoop *loop;
    GstRTSPServer *server;
    GMutex lock;
    GHashTable *clients; /* GstRTSPClient (ref) -> struct rtsps_client */
    guint n_connected;   /* clients that ever connected */
};

/* One connected client, owned by app->clients. */
struct rtsps_client {
    gulong closed_handler; /* our "closed" handler on the client */
    char ip[64];
};

/* Per-media timestamp state of the payloader probe; owned by the probe
 * (freed with it) and touched only from that pad's streaming thread. */
struct rtsps_tsfix {
    GstClockTime offset;   /* added to every timestamp */
    GstClockTime last;     /* last timestamp sent, or GST_CLOCK_TIME_NONE */
    GstClockTime last_dur; /* duration of the last buffer (or a guess) */
};

/* What a video mount serves; owned by its factory's "media-configure"
 * handler (freed with it). */
struct rtsps_mount {
    gchar *path;           /* the file */
    GstClockTime burst;    /* --burst-ms as a clock time; 0: steady */
};

/* Prints one line to stdout and flushes it at once (tests read the log while
 * we run). */
static void G_GNUC_PRINTF(1, 2) rtsps_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* Gives buf a PTS (copied from DTS when missing) and the same DTS, shifted so
 * the output never goes backwards; returns FALSE if buf carries no usable
 * time at all (it then passes unchanged). */
static gboolean rtsps_tsfix_apply(struct rtsps_tsfix *fix, GstBuffer *buf)
{
    GstClockTime ts = GST_BUFFER_PTS(buf);
    if (!GST_CLOCK_TIME_IS_VALID(ts))
        ts = GST_BUFFER_DTS(buf);
    if (!GST_CLOCK_TIME_IS_VALID(ts))
        return FALSE;
    ts += fix->offset;
    if (GST_CLOCK_TIME_IS_VALID(fix->last) && ts < fix->last) {
        /* The timeline restarted (e.g. at the loop point): continue it.
         * Equal times pass: NAL-aligned buffers of one picture share one. */
        GstClockTime want = fix->last + fix->last_dur;
        fix->offset += want - ts;
        ts = want;
    }
    if (GST_BUFFER_DURATION_IS_VALID(buf) && GST_BUFFER_DURATION(buf) > 0)
        fix->last_dur = GST_BUFFER_DURATION(buf);
    fix->last = ts;
    GST_BUFFER_PTS(buf) = ts;
    GST_BUFFER_DTS(buf) = ts;
    return TRUE;
}

/* gst_buffer_list_foreach callback: applies the fix to each buffer of a list
 * (the list is writable; each buffer is made writable in place). */
static gboolean rtsps_tsfix_list_item(GstBuffer **buf, guint idx, gpointer data)
{
    (void)idx;
    *buf = gst_buffer_make_writable(*buf);
    rtsps_tsfix_apply(data, *buf);
    return TRUE;
}

/* Pad probe on a payloader's sink pad: rewrites the timestamps of every
 * buffer (or buffer list) passing through; always lets the data pass. */
static GstPadProbeReturn rtsps_tsfix_probe(GstPad *pad, GstPadProbeInfo *info,
                                           gpointer data)
{
    (void)pad;
    struct rtsps_tsfix *fix = data;
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
        GstBuffer *buf = gst_buffer_make_writable(
            gst_pad_probe_info_get_buffer(info));
        GST_PAD_PROBE_INFO_DATA(info) = buf;
        rtsps_tsfix_apply(fix, buf);
    } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
        GstBufferList *list = gst_buffer_list_make_writable(
            gst_pad_probe_info_get_buffer_list(info));
        GST_PAD_PROBE_INFO_DATA(info) = list;
        gst_buffer_list_foreach(list, rtsps_tsfix_list_item, fix);
    }
    return GST_PAD_PROBE_OK;
}

/* Holds buf back to the next multiple of *period of its time (a frame a
 * hair past a multiple, from rounding, goes with that multiple).  Sinks
 * sync on DTS, else PTS: both move; the RTP header keeps the real time. */
static void rtsps_burst_apply(GstClockTime period, GstBuffer *buf)
{
    GstClockTime ts = GST_BUFFER_PTS(buf);
    if (!GST_CLOCK_TIME_IS_VALID(ts))
        return;
    GstClockTime slack = GST_MSECOND < period / 2 ? GST_MSECOND : period / 2;
    ts = (ts + period - 1 - slack) / period * period;
    GST_BUFFER_PTS(buf) = ts;
    GST_BUFFER_DTS(buf) = ts;
}

/* gst_buffer_list_foreach callback of rtsps_burst_probe. */
static gboolean rtsps_burst_list_item(GstBuffer **buf, guint idx, gpointer data)
{
    (void)idx;
    *buf = gst_buffer_make_writable(*buf);
    rtsps_burst_apply(*(GstClockTime *)data, *buf);
    return TRUE;
}

/* Pad probe on a payloader's source pad (--burst-ms): data points to the
 * period; always lets the data pass. */
static GstPadProbeReturn rtsps_burst_probe(GstPad *pad, GstPadProbeInfo *info,
                                           gpointer data)
{
    (void)pad;
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
        GstBuffer *buf = gst_buffer_make_writable(gst_pad_probe_info_get_buffer(info));
        GST_PAD_PROBE_INFO_DATA(info) = buf;
        rtsps_burst_apply(*(GstClockTime *)data, buf);
    } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
        GstBufferList *list = gst_buffer_list_make_writable(
            gst_pad_probe_info_get_buffer_list(info));
        GST_PAD_PROBE_INFO_DATA(info) = list;
        gst_buffer_list_foreach(list, rtsps_burst_list_item, data);
    }
    return GST_PAD_PROBE_OK;
}

/* Upstream query probe on a payloader's sink pad: answers the seeking query
 * with "not seekable", so a PLAY with a Range never seeks the shared pipeline
 * (a camera cannot seek either; tsdemux would claim it can, then fail). */
static GstPadProbeReturn rtsps_noseek_probe(GstPad *pad, GstPadProbeInfo *info,
                                            gpointer data)
{
    (void)pad;
    (void)data;
    GstQuery *query = gst_pad_probe_info_get_query(info);
    if (GST_QUERY_TYPE(query) != GST_QUERY_SEEKING)
        return GST_PAD_PROBE_OK;
    GstFormat format;
    gst_query_parse_seeking(query, &format, NULL, NULL, NULL);
    gst_query_set_seeking(query, format, FALSE, 0, -1);
    return GST_PAD_PROBE_HANDLED;
}

/* Returns location with every '%' doubled (multifilesrc treats its location
 * as a printf pattern); the caller frees the result. */
static gchar *rtsps_escape_location(const char *path)
{
    GString *s = g_string_sized_new(strlen(path) + 8);
    for (const char *p = path; *p; p++) {
        if (*p == '%')
            g_string_append_c(s, '%');
        g_string_append_c(s, *p);
    }
    return g_string_free(s, FALSE);
}

/* Destroy notify of a mount's "media-configure" handler data. */
static void rtsps_free_mount(gpointer data, GClosure *closure)
{
    (void)closure;
    struct rtsps_mount *m = data;
    g_free(m->path);
    g_free(m);
}

/* Installs the --burst-ms probe on pay's source pad. */
static void rtsps_add_burst(GstElement *pay, GstClockTime period)
{
    GstPad *src = gst_element_get_static_pad(pay, "src");
    GstClockTime *p = g_new(GstClockTime, 1);
    *p = period;
    gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                      rtsps_burst_probe, p, g_free);
    gst_object_unref(src);
}

/* "media-configure" handler: points the media's source at the mount's file
 * (data, a struct rtsps_mount owned by the factory) and installs the
 * timestamp and no-seek probes on pay0 (and the burst one, if asked). */
static void rtsps_media_configure(GstRTSPMediaFactory *factory,
                                  GstRTSPMedia *media, gpointer data)
{
    (void)factory;
    const struct rtsps_mount *mount = data;
    const char *path = mount->path;
    GstElement *bin = gst_rtsp_media_get_element(media);
    GstElement *src = gst_bin_get_by_name(GST_BIN(bin), "src");
    GstElement *pay = gst_bin_get_by_name(GST_BIN(bin), "pay0");
    if (src) {
        gchar *location = rtsps_escape_location(path);
        g_object_set(src, "location", location, NULL);
        g_free(location);
        gst_object_unref(src);
    }
    if (pay) {
        GstPad *sink = gst_element_get_static_pad(pay, "sink");
        struct rtsps_tsfix *fix = g_new0(struct rtsps_tsfix, 1);
        fix->last = GST_CLOCK_TIME_NONE;
        fix->last_dur = RTSPS_DEFAULT_FRAME_NS;
        gst_pad_add_probe(sink,
                          GST_PAD_PROBE_TYPE_BUFFER |
                              GST_PAD_PROBE_TYPE_BUFFER_LIST,
                          rtsps_tsfix_probe, fix, g_free);
        gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM,
                          rtsps_noseek_probe, NULL, NULL);
        gst_object_unref(sink);
        if (mount->burst)
            rtsps_add_burst(pay, mount->burst);
        gst_object_unref(pay);
    }
    gst_object_unref(bin);
}

/* Returns the launch line serving a file of this name (chosen by its
 * extension), or NULL if the extension is not one we serve. */
static const char *rtsps_launch_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return NULL;
    if (!g_ascii_strcasecmp(dot, ".h264") || !g_ascii_strcasecmp(dot, ".264"))
        return "( multifilesrc name=src loop=true"
               " caps=video/x-h264,stream-format=byte-stream"
               " ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=0 )";
    if (!g_ascii_strcasecmp(dot, ".h265") || !g_ascii_strcasecmp(dot, ".hevc"))
        return "( multifilesrc name=src loop=true"
               " caps=video/x-h265,stream-format=byte-stream"
               " ! h265parse ! rtph265pay name=pay0 pt=96 config-interval=0 )";
    if (!g_ascii_strcasecmp(dot, ".ts"))
        return "( multifilesrc name=src loop=true"
               " caps=video/mpegts,systemstream=true,packetsize=188"
               " ! tsdemux ! h264parse"
               " ! rtph264pay name=pay0 pt=96 config-interval=0 )";
    return NULL;
}

/* Adds a mount at name serving silence (PCMA audio) and no video; returns 0,
 * or -1 with a message on stderr if the name is unusable. */
static int rtsps_add_audio_mount(GstRTSPMountPoints *mounts, const char *name)
{
    if (name[0] != '/' || name[1] == '\0' || strchr(name, '=')) {
        fprintf(stderr, "tessera-test-rtsp: bad --audio-mount '%s' (want /name)\n", name);
        return -1;
    }
    GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(
        factory, "( audiotestsrc is-live=true wave=silence"
                 " ! audio/x-raw,rate=8000,channels=1 ! alawenc"
                 " ! rtppcmapay name=pay0 pt=8 )");
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    gst_rtsp_mount_points_add_factory(mounts, name, factory); /* takes it */
    return 0;
}

/* Adds one mount described as "/name=PATH" to mounts, offering the lower
 * transports in protocols; returns 0, or -1 with a message on stderr if the
 * spec or the file is unusable. */
static int rtsps_add_mount(GstRTSPMountPoints *mounts, const char *spec,
                           GstRTSPLowerTrans protocols, GstClockTime burst)
{
    const char *eq = strchr(spec, '=');
    if (spec[0] != '/' || !eq || eq == spec + 1 || eq[1] == '\0') {
        fprintf(stderr, "tessera-test-rtsp: bad --mount '%s' (want /name=PATH)\n",
                spec);
        return -1;
    }
    const char *path = eq + 1;
    const char *launch = rtsps_launch_for(path);
    if (!launch) {
        fprintf(stderr,
                "tessera-test-rtsp: %s: unknown file type (want .h264, .264, "
                ".h265, .hevc or .ts)\n",
                path);
        return -1;
    }
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "tessera-test-rtsp: %s: %s\n", path, strerror(errno));
        return -1;
    }
    gchar *name = g_strndup(spec, (gsize)(eq - spec));
    GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(factory, launch);
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    gst_rtsp_media_factory_set_protocols(factory, protocols);
    struct rtsps_mount *m = g_new0(struct rtsps_mount, 1);
    m->path = g_strdup(path);
    m->burst = burst;
    g_signal_connect_data(factory, "media-configure",
                          G_CALLBACK(rtsps_media_configure), m, rtsps_free_mount, 0);
    gst_rtsp_mount_points_add_factory(mounts, name, factory); /* takes it */
    g_free(name);
    return 0;
}

/* "closed" handler of a client: logs it and forgets the client. */
static void rtsps_client_closed(GstRTSPClient *client, gpointer data)
{
    struct rtsps_app *app = data;
    g_mutex_lock(&app->lock);
    struct rtsps_client *c = g_hash_table_lookup(app->clients, client);
    if (c) {
        g_signal_handler_disconnect(client, c->closed_handler);
        rtsps_say("CLIENT closed %s total=%u active=%u", c->ip,
                  app->n_connected, g_hash_table_size(app->clients) - 1);
        g_hash_table_remove(app->clients, client); /* frees c */
    }
    g_mutex_unlock(&app->lock);
}

/* "client-connected" handler of the server: logs the peer and watches for
 * it to close. */
static void rtsps_client_connected(GstRTSPServer *server, GstRTSPClient *client,
                                   gpointer data)
{
    (void)server;
    struct rtsps_app *app = data;
    struct rtsps_client *c = g_new0(struct rtsps_client, 1);
    GstRTSPConnection *conn = gst_rtsp_client_get_connection(client);
    const gchar *ip = conn ? gst_rtsp_connection_get_ip(conn) : NULL;
    g_strlcpy(c->ip, ip ? ip : "?", sizeof c->ip);
    g_mutex_lock(&app->lock);
    c->closed_handler = g_signal_connect(
        client, "closed", G_CALLBACK(rtsps_client_closed), app);
    g_hash_table_insert(app->clients, g_object_ref(client), c);
    app->n_connected++;
    rtsps_say("CLIENT connected %s total=%u active=%u", c->ip, app->n_connected,
              g_hash_table_size(app->clients));
    g_mutex_unlock(&app->lock);
}

/* Returns the number of clients connected now. */
static guint rtsps_active_clients(struct rtsps_app *app)
{
    g_mutex_lock(&app->lock);
    guint n = g_hash_table_size(app->clients);
    g_mutex_unlock(&app->lock);
    return n;
}

/* Periodic timer: drops sessions whose clients went away without TEARDOWN;
 * stays installed. */
static gboolean rtsps_cleanup_sessions(gpointer data)
{
    struct rtsps_app *app = data;
    GstRTSPSessionPool *pool = gst_rtsp_server_get_session_pool(app->server);
    gst_rtsp_session_pool_cleanup(pool);
    g_object_unref(pool);
    return G_SOURCE_CONTINUE;
}

/* SIGINT/SIGTERM handler (run from the main loop): stops the loop. */
static gboolean rtsps_on_signal(gpointer data)
{
    struct rtsps_app *app = data;
    g_main_loop_quit(app->loop);
    return G_SOURCE_CONTINUE;
}

/* Client filter that asks every client to close (used at shutdown). */
static GstRTSPFilterResult rtsps_drop_client(GstRTSPServer *server,
                                             GstRTSPClient *client,
                                             gpointer data)
{
    (void)server;
    (void)client;
    (void)data;
    return GST_RTSP_FILTER_REMOVE;
}

/* Closes every client and runs the main context until their "closed"
 * handlers have run (at most 2 s); then disconnects the handlers of any
 * client still closing, so that none runs once main() returns. */
static void rtsps_close_clients(struct rtsps_app *app)
{
    gst_rtsp_server_client_filter(app->server, rtsps_drop_client, NULL);
    gint64 deadline = g_get_monotonic_time() + 2 * G_TIME_SPAN_SECOND;
    while (rtsps_active_clients(app) > 0 &&
           g_get_monotonic_time() < deadline) {
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(10 * 1000);
    }
    g_mutex_lock(&app->lock);
    GHashTableIter it;
    gpointer client, c;
    g_hash_table_iter_init(&it, app->clients);
    while (g_hash_table_iter_next(&it, &client, &c))
        g_signal_handler_disconnect(client,
                                    ((struct rtsps_client *)c)->closed_handler);
    g_hash_table_remove_all(app->clients);
    g_mutex_unlock(&app->lock);
}

/* Writes "port\n" to path through a temporary file and rename(), so readers
 * see either nothing or the whole number; returns 0 or -1 (message printed). */
static int rtsps_write_ready_file(const char *path, int port)
{
    gchar *tmp = g_strdup_printf("%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int ok = f && fprintf(f, "%d\n", port) > 0;
    if (f && fclose(f) != 0)
        ok = 0;
    if (ok && rename(tmp, path) != 0)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "tessera-test-rtsp: cannot write %s: %s\n", path,
                strerror(errno));
        unlink(tmp);
    }
    g_free(tmp);
    return ok ? 0 : -1;
}

/* Entry point: parses the options, serves the mounts until SIGINT/SIGTERM. */
int main(int argc, char **argv)
{
    gint port = 8554;
    gchar *bind = NULL, *ready_file = NULL, **mount_specs = NULL;
    gchar **udp_specs = NULL, **audio_specs = NULL;
    gdouble burst_ms = 0;
    GOptionEntry entries[] = {
        {"port", 'p', 0, G_OPTION_ARG_INT, &port,
         "TCP port (0 picks a free one; default 8554)", "N"},
        {"bind", 'b', 0, G_OPTION_ARG_STRING, &bind,
         "address to listen on (default 127.0.0.1)", "ADDR"},
        {"mount", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &mount_specs,
         "serve PATH (.h264 .264 .h265 .hevc .ts) at /name; repeatable",
         "/name=PATH"},
        {"udp-mount", 'u', 0, G_OPTION_ARG_STRING_ARRAY, &udp_specs,
         "serve PATH at /name over RTP/UDP only (TCP: 461); repeatable", "/name=PATH"},
        {"audio-mount", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &audio_specs,
         "serve silent audio and no video at /name; repeatable", "/name"},
        {"ready-file", 'r', 0, G_OPTION_ARG_FILENAME, &ready_file,
         "write the bound port into PATH once listening", "PATH"},
        {"burst-ms", 0, 0, G_OPTION_ARG_DOUBLE, &burst_ms,
         "deliver video in bursts: hold frames to multiples of MS (e.g. two "
         "frame intervals: pairs)", "MS"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    struct rtsps_app app = {0};
    g_mutex_init(&app.lock);
    app.clients = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                        g_object_unref, g_free);
    GError *err = NULL;
    int status = 2;
    guint watch = 0, timer = 0, sigint = 0, sigterm = 0;

    GOptionContext *ctx = g_option_context_new("- serve looping test clips over RTSP");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "tessera-test-rtsp: %s\n", err->message);
        goto out;
    }
    if (argc > 1 || (!mount_specs && !udp_specs && !audio_specs) || port < 0 ||
        port > 65535 || burst_ms < 0 || burst_ms > 10000) {
        fprintf(stderr, "tessera-test-rtsp: need at least one --mount, no other "
                        "arguments, a port in 0..65535 and --burst-ms in 0..10000 "
                        "(see --help)\n");
        goto out;
    }
    gst_init(NULL, NULL);
    signal(SIGPIPE, SIG_IGN);

    app.server = gst_rtsp_server_new();
    gchar *service = g_strdup_printf("%d", port);
    gst_rtsp_server_set_service(app.server, service);
    g_free(service);
    gst_rtsp_server_set_address(app.server, bind ? bind : "127.0.0.1");
    GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(app.server);
    GstClockTime burst = (GstClockTime)(burst_ms * GST_MSECOND);
    const GstRTSPLowerTrans all = GST_RTSP_LOWER_TRANS_UDP |
                                  GST_RTSP_LOWER_TRANS_UDP_MCAST | GST_RTSP_LOWER_TRANS_TCP;
    for (gchar **m = mount_specs; m && *m; m++) {
        if (rtsps_add_mount(mounts, *m, all, burst) < 0) {
            g_object_unref(mounts);
            goto out;
        }
    }
    for (gchar **m = udp_specs; m && *m; m++) {
        if (rtsps_add_mount(mounts, *m, GST_RTSP_LOWER_TRANS_UDP, burst) < 0) {
            g_object_unref(mounts);
            goto out;
        }
    }
    for (gchar **m = audio_specs; m && *m; m++) {
        if (rtsps_add_audio_mount(mounts, *m) < 0) {
            g_object_unref(mounts);
            goto out;
        }
    }
    g_object_unref(mounts);
    g_signal_connect(app.server, "client-connected",
                     G_CALLBACK(rtsps_client_connected), &app);

    status = 1;
    app.loop = g_main_loop_new(NULL, FALSE);
    watch = gst_rtsp_server_attach(app.server, NULL);
    if (watch == 0) {
        fprintf(stderr, "tessera-test-rtsp: cannot listen on %s port %d\n",
                bind ? bind : "127.0.0.1", port);
        goto out;
    }
    int bound = gst_rtsp_server_get_bound_port(app.server);
    if (bound <= 0) {
        fprintf(stderr, "tessera-test-rtsp: cannot read back the bound port\n");
        goto out;
    }
    if (ready_file && rtsps_write_ready_file(ready_file, bound) < 0)
        goto out;
    sigint = g_unix_signal_add(SIGINT, rtsps_on_signal, &app);
    sigterm = g_unix_signal_add(SIGTERM, rtsps_on_signal, &app);
    timer = g_timeout_add_seconds(2, rtsps_cleanup_sessions, &app);
    rtsps_say("READY port=%d", bound);

    g_main_loop_run(app.loop);
    rtsps_close_clients(&app);
    rtsps_say("STOPPED clients=%u", app.n_connected);
    status = 0;
out:
    if (sigint)
        g_source_remove(sigint);
    if (sigterm)
        g_source_remove(sigterm);
    if (timer)
        g_source_remove(timer);
    if (watch)
        g_source_remove(watch);
    if (app.server)
        g_object_unref(app.server);
    if (app.loop)
        g_main_loop_unref(app.loop);
    g_hash_table_destroy(app.clients);
    g_mutex_clear(&app.lock);
    g_option_context_free(ctx);
    g_clear_error(&err);
    g_strfreev(mount_specs);
    g_strfreev(udp_specs);
    g_strfreev(audio_specs);
    g_free(bind);
    g_free(ready_file);
    return status;
}
