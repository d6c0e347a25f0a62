/*
 * test_ovl_server.c - the overlay control server (wall/overlay/server.c) on a
 * real libuv loop, driven by real POSIX socket clients.
 *
 * The server runs in a second thread that steps its loop with UV_RUN_NOWAIT
 * and a short sleep, as the render thread would, and records the longest
 * step; the main thread plays the CAD/AVL systems.  Covers every message
 * type, every kind of bad line, seq echo, 100 clients at once, a client that
 * leaves mid-line, a flood of 50,000 unit updates from 4 clients (rate and
 * longest step printed), a client that never reads its replies, the client
 * limit, the socket's mode, stale and live socket files, TCP on loopback,
 * refusal of other addresses without a token, and token authentication.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <uv.h>

#include "base/log.h"
#include "check.h"
#include "overlay/server.h"
#include "overlay/state.h"

#define FLOOD_CLIENTS 4
#define FLOOD_TOTAL 50000

/* ---- the server thread ---------------------------------------------------- */

struct harness {
    struct ovl_server_config cfg;
    char spec[160], token[64];
    const struct tlog *log;
    pthread_t thread;
    atomic_int stop, ready; /* ready: 1 serving, -1 failed */
    atomic_ullong max_step_ns, max_step_cpu_ns, steps;
    atomic_int port;
    struct ovl_server *srv; /* server thread only */
    struct ovl_server_counters counters; /* copied into stats replies */
};

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

/* The stats hook: the server's own counters. */
static int stats_hook(void *opaque, cJSON *stats)
{
    struct harness *h = opaque;
    struct ovl_server_counters c;

    ovl_server_get_counters(h->srv, &c);
    cJSON_AddNumberToObject(stats, "clients", (double)c.clients);
    cJSON_AddNumberToObject(stats, "msgs_ok", (double)c.msgs_ok);
    cJSON_AddNumberToObject(stats, "msgs_err", (double)c.msgs_err);
    cJSON_AddNumberToObject(stats, "dropped", (double)c.clients_dropped);
    cJSON_AddNumberToObject(stats, "refused", (double)c.clients_refused);
    cJSON_AddNumberToObject(stats, "too_long", (double)c.lines_too_long);
    return 0;
}

/* The command hook: "echo" returns its "text" and the caller's uid. */
static int command_hook(void *opaque, const cJSON *msg,
                        const struct ovl_client_info *who, cJSON *reply,
                        char *err, size_t errlen)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(msg, "type");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(msg, "text");

    (void)opaque;
    if (strcmp(type->valuestring, "fail") == 0) {
        snprintf(err, errlen, "fail: as asked");
        return -EIO;
    }
    if (strcmp(type->valuestring, "echo") != 0)
        return -ENOENT;
    cJSON_AddStringToObject(reply, "text",
                            cJSON_IsString(text) ? text->valuestring : "");
    if (who->kind == OVL_PEER_UNIX)
        cJSON_AddNumberToObject(reply, "uid",
                                who->has_cred ? (double)who->uid : -1);
    else
        cJSON_AddStringToObject(reply, "addr", who->addr);
    return 0;
}

static void *server_main(void *arg)
{
    struct harness *h = arg;
    struct ovl_server_hooks hooks = {.opaque = h, .stats = stats_hook, .command = command_hook};
    struct ovl_state *state = ovl_state_create(NULL);
    uint64_t t0, c0, dt;
    uv_loop_t loop;

    uv_loop_init(&loop);
    h->srv = state ? ovl_server_create(&loop, &h->cfg, state, &hooks, h->log)
                   : NULL;
    if (!h->srv) {
        ovl_state_destroy(state);
        uv_loop_close(&loop);
        atomic_store(&h->ready, -1);
        return NULL;
    }
    atomic_store(&h->port, ovl_server_port(h->srv));
    atomic_store(&h->ready, 1);
    while (!atomic_load(&h->stop)) {
        t0 = now_ns();
        c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        uv_run(&loop, UV_RUN_NOWAIT);
        dt = now_ns() - t0;
        if (dt > atomic_load(&h->max_step_ns))
            atomic_store(&h->max_step_ns, dt);
        dt = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
        if (dt > atomic_load(&h->max_step_cpu_ns))
            atomic_store(&h->max_step_cpu_ns, dt);
        atomic_fetch_add(&h->steps, 1);
        usleep(1000);
    }
    ovl_server_destroy(h->srv);
    ovl_state_destroy(state);
    if (uv_loop_close(&loop) != 0)
        fprintf(stderr, "server thread: loop not empty at close\n");
    return NULL;
}

/* Starts a server thread on spec; returns 0 once it listens, -1 if not. */
static int harness_start(struct harness *h, const char *spec,
                         const char *token, const struct tlog *log)
{
    memset(h, 0, sizeof *h);
    snprintf(h->spec, sizeof h->spec, "%s", spec);
    h->cfg.spec = h->spec;
    if (token) {
        snprintf(h->token, sizeof h->token, "%s", token);
        h->cfg.token = h->token;
    }
    h->log = log;
    if (pthread_create(&h->thread, NULL, server_main, h) != 0)
        return -1;
    while (atomic_load(&h->ready) == 0)
        usleep(1000);
    if (atomic_load(&h->ready) < 0) {
        pthread_join(h->thread, NULL);
        return -1;
    }
    return 0;
}

static void harness_stop(struct harness *h)
{
    atomic_store(&h->stop, 1);
    pthread_join(h->thread, NULL);
}

/* ---- clients -------------------------------------------------------------- */

struct conn {
    int fd;
    size_t len;
    char buf[1 << 17];
};

static struct conn *conn_wrap(int fd)
{
    struct timeval tv = {10, 0};
    struct conn *c;

    if (fd < 0)
        return NULL;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    c = calloc(1, sizeof *c);
    c->fd = fd;
    return c;
}

static struct conn *conn_unix(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return NULL;
    }
    return conn_wrap(fd);
}

static struct conn *conn_tcp(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return NULL;
    }
    return conn_wrap(fd);
}

static void conn_close(struct conn *c)
{
    if (c) {
        close(c->fd);
        free(c);
    }
}

static int send_all(int fd, const char *p, size_t n)
{
    ssize_t w;

    while (n > 0) {
        w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Takes one complete line out of c->buf into out (NUL-terminated, without
 * "\n"); returns its length or -1 when none is buffered. */
static long take_line(struct conn *c, char *out, size_t cap)
{
    char *nl = memchr(c->buf, '\n', c->len);
    size_t n;

    if (!nl)
        return -1;
    n = (size_t)(nl - c->buf);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, c->buf, n);
    out[n] = '\0';
    n = (size_t)(nl - c->buf) + 1;
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
    return (long)(nl - c->buf);
}

/* Reads one reply line (blocking, 10 s timeout); -1 on EOF/error/timeout. */
static long read_line(struct conn *c, char *out, size_t cap)
{
    ssize_t r;
    long n;

    for (;;) {
        if ((n = take_line(c, out, cap)) >= 0)
            return (long)strlen(out);
        if (c->len == sizeof c->buf)
            return -1;
        r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (r <= 0)
            return -1;
        c->len += (size_t)r;
    }
}

/* Sends line (a "\n" is added) and reads the reply into out. */
static long request(struct conn *c, const char *line, char *out, size_t cap)
{
    char *buf;
    size_t n = strlen(line);
    int rc;

    buf = malloc(n + 1);
    memcpy(buf, line, n);
    buf[n] = '\n';
    rc = send_all(c->fd, buf, n + 1);
    free(buf);
    if (rc < 0)
        return -1;
    return read_line(c, out, cap);
}

#define EXPECT_REPLY(cc, c, line, want)                                        \
    do {                                                                       \
        char got_[4096] = "";                                                  \
        request((c), (line), got_, sizeof got_);                               \
        CHECK(cc, strcmp(got_, (want)) == 0, "%s\n  got  %s\n  want %s",        \
              (line), got_, (want));                                           \
    } while (0)

/* Sends {"type":"stats"} and returns the number stats.name, or -1. */
static double stat_of(struct conn *c, const char *name)
{
    static char line[65536];
    double v = -1;
    cJSON *r;

    if (request(c, "{\"type\":\"stats\"}", line, sizeof line) < 0)
        return -1;
    r = cJSON_Parse(line);
    v = cJSON_GetNumberValue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(r, "stats"), name));
    cJSON_Delete(r);
    return v;
}

/* ---- cases: messages ------------------------------------------------------ */

static void test_good_messages(struct check_counts *cc, struct conn *c)
{
    static char line[1 << 16];
    cJSON *r, *inc, *units;

    EXPECT_REPLY(cc, c, "{\"type\":\"ping\",\"seq\":1}", "{\"ok\":true,\"seq\":1}");
    EXPECT_REPLY(cc, c, "{\"type\":\"ping\"}", "{\"ok\":true}");
    EXPECT_REPLY(cc, c, "{\"type\":\"ping\",\"seq\":-98765432109876543210}",
                 "{\"ok\":true,\"seq\":-98765432109876543210}");
    EXPECT_REPLY(cc, c,
                 "{\"type\":\"incident\",\"op\":\"upsert\",\"id\":\"24-001234\","
                 "\"kind\":\"BURGLARY\",\"priority\":1,\"status\":\"dispatched\","
                 "\"lat\":32.2988,\"lon\":-90.1848,\"address\":\"100 Main St\","
                 "\"units\":[\"A12\"],\"time\":\"2026-11-27T02:00:00Z\","
                 "\"caller_name\":\"Jane Roe\",\"seq\":2}",
                 "{\"ok\":true,\"seq\":2}");
    EXPECT_REPLY(cc, c, "{\"type\":\"incident\",\"id\":\"24-001234\","
                        "\"status\":\"onscene\",\"seq\":3}",
                 "{\"ok\":true,\"seq\":3}");
    EXPECT_REPLY(cc, c, "{\"type\":\"incident\",\"id\":\"24-000001\","
                        "\"priority\":3,\"seq\":4}",
                 "{\"ok\":true,\"seq\":4}");
    EXPECT_REPLY(cc, c, "{\"type\":\"unit\",\"id\":\"A12\",\"lat\":32.3,"
                        "\"lon\":-90.18,\"heading\":90,\"speed_mps\":12.5,"
                        "\"status\":\"enroute\",\"time\":\"2026-11-27T02:00:05Z\","
                        "\"stale_after_s\":60,\"seq\":5}",
                 "{\"ok\":true,\"seq\":5}");
    request(c, "{\"type\":\"state\",\"seq\":6}", line, sizeof line);
    r = cJSON_Parse(line);
    inc = cJSON_GetObjectItem(r, "incidents");
    units = cJSON_GetObjectItem(r, "units");
    CHECK(cc, cJSON_IsTrue(cJSON_GetObjectItem(r, "ok")) &&
                  cJSON_GetArraySize(inc) == 2 && cJSON_GetArraySize(units) == 1,
          "state reply: %s", line);
    CHECK(cc, strstr(line, "\"seq\":6,") != NULL, "state seq: %s", line);
    CHECK(cc, strstr(line, "\"status\":\"onscene\"") && strstr(line, "BURGLARY"),
          "state merged: %s", line);
    CHECK(cc, !strstr(line, "Jane"), "unknown fields are not stored: %s", line);
    CHECK_STR(cc, cJSON_GetStringValue(cJSON_GetObjectItem(
                      cJSON_GetArrayItem(inc, 0), "id")),
              "24-001234");
    cJSON_Delete(r);
    EXPECT_REPLY(cc, c, "{\"type\":\"incident\",\"op\":\"close\","
                        "\"id\":\"24-000001\",\"seq\":7}",
                 "{\"ok\":true,\"seq\":7}");
    EXPECT_REPLY(cc, c, "{\"type\":\"unit\",\"op\":\"remove\",\"id\":\"A12\","
                        "\"seq\":8}",
                 "{\"ok\":true,\"seq\":8}");
    request(c, "{\"type\":\"stats\",\"seq\":9}", line, sizeof line);
    CHECK(cc, strncmp(line, "{\"ok\":true,\"seq\":9,\"stats\":{\"clients\":", 37) == 0,
          "stats: %s", line);
    request(c, "{\"type\":\"echo\",\"text\":\"hi\",\"seq\":10}", line,
            sizeof line);
    snprintf(line + 4096, 256, "{\"ok\":true,\"seq\":10,\"text\":\"hi\",\"uid\":%u}",
             (unsigned)getuid());
    CHECK_STR(cc, line, line + 4096);
    EXPECT_REPLY(cc, c, "{\"type\":\"fail\",\"seq\":11}",
                 "{\"ok\":false,\"seq\":11,\"error\":\"fail: as asked\"}");
}

static void test_bad_messages(struct check_counts *cc, struct conn *c)
{
    char *big, got[512];
    const char *tail;
    size_t n = 100 * 1024;

    EXPECT_REPLY(cc, c, "{\"type\":\"ping\",", "{\"ok\":false,\"error\":"
                                               "\"malformed JSON at byte 14\"}");
    EXPECT_REPLY(cc, c, "{\"type\":\"teleport\",\"seq\":1}",
                 "{\"ok\":false,\"seq\":1,\"error\":\"unknown type "
                 "\\\"teleport\\\"\"}");
    EXPECT_REPLY(cc, c, "{\"type\":\"incident\",\"id\":7,\"seq\":2}",
                 "{\"ok\":false,\"seq\":2,\"error\":\"id: must be a string\"}");
    EXPECT_REPLY(cc, c, "{\"type\":\"incident\",\"id\":\"x\",\"priority\":12,"
                        "\"seq\":3}",
                 "{\"ok\":false,\"seq\":3,\"error\":\"priority: must be an "
                 "integer from 1 to 9\"}");
    EXPECT_REPLY(cc, c, "{\"type\":\"unit\",\"id\":\"A1\",\"lat\":95,\"lon\":1,"
                        "\"seq\":4}",
                 "{\"ok\":false,\"seq\":4,\"error\":\"lat: must be between -90 "
                 "and 90\"}");
    EXPECT_REPLY(cc, c, "{\"type\":\"ping\",\"seq\":5,\"x\":\"\xff\"}",
                 "{\"ok\":false,\"error\":\"invalid UTF-8 at byte 28\"}");
    EXPECT_REPLY(cc, c, "{\"type\":\"incident\",\"op\":\"zap\",\"id\":\"x\","
                        "\"seq\":6}",
                 "{\"ok\":false,\"seq\":6,\"error\":\"op: must be \\\"upsert\\\" "
                 "or \\\"close\\\"\"}");
    /* blank lines get no reply: the next reply is the ping's */
    EXPECT_REPLY(cc, c, "\n\r\n   \n{\"type\":\"ping\",\"seq\":7}\r",
                 "{\"ok\":true,\"seq\":7}");

    /* 100 KiB line, then a good line, in one write */
    big = malloc(n + 64);
    memset(big, 'x', n);
    big[0] = '{';
    tail = "\n{\"type\":\"ping\",\"seq\":8}\n";
    memcpy(big + n, tail, strlen(tail));
    CHECK(cc, send_all(c->fd, big, n + strlen(tail)) == 0, "send 100 KiB");
    read_line(c, got, sizeof got);
    CHECK_STR(cc, got, "{\"ok\":false,\"error\":\"line longer than 65536 bytes\"}");
    read_line(c, got, sizeof got);
    CHECK_STR(cc, got, "{\"ok\":true,\"seq\":8}");
    free(big);
    EXPECT_REPLY(cc, c, "{\"type\":\"ping\",\"seq\":9}", "{\"ok\":true,\"seq\":9}");
}

/* ---- cases: many clients -------------------------------------------------- */

static void test_many_clients(struct check_counts *cc, const char *path)
{
    struct conn *cs[100];
    char line[128], want[64];
    int i, ok = 0;

    for (i = 0; i < 100; i++)
        cs[i] = conn_unix(path);
    for (i = 0; i < 100; i++) {
        snprintf(line, sizeof line, "{\"type\":\"ping\",\"seq\":%d}\n", i);
        if (cs[i])
            send_all(cs[i]->fd, line, strlen(line));
    }
    for (i = 99; i >= 0; i--) {
        snprintf(want, sizeof want, "{\"ok\":true,\"seq\":%d}", i);
        if (cs[i] && read_line(cs[i], line, sizeof line) > 0 &&
            strcmp(line, want) == 0)
            ok++;
    }
    CHECK_INT(cc, ok, 100);
    for (i = 0; i < 100; i++)
        conn_close(cs[i]);
}

static void test_mid_line_disconnect(struct check_counts *cc, const char *path)
{
    struct conn *a = conn_unix(path), *b;
    double clients = -1;
    int tries;

    CHECK(cc, a != NULL, "connect");
    if (!a)
        return;
    send_all(a->fd, "{\"type\":\"incident\",\"id\":\"half", 30);
    conn_close(a);
    b = conn_unix(path);
    EXPECT_REPLY(cc, b, "{\"type\":\"ping\",\"seq\":1}", "{\"ok\":true,\"seq\":1}");
    for (tries = 0; tries < 200 && clients != 1; tries++) {
        clients = stat_of(b, "clients");
        usleep(5000);
    }
    CHECK(cc, clients == 1, "the half-line client is gone (%g clients)",
          clients);
    EXPECT_REPLY(cc, b, "{\"type\":\"state\"}",
                 "{\"ok\":true,\"incidents\":[{\"id\":\"24-001234\",\"kind\":"
                 "\"BURGLARY\",\"priority\":1,\"status\":\"onscene\",\"lat\":"
                 "32.2988,\"lon\":-90.1848,\"address\":\"100 Main St\","
                 "\"units\":[\"A12\"],\"time\":\"2026-11-27T02:00:00Z\"}],"
                 "\"units\":[]}");
    conn_close(b);
}

/* Sends n unit updates on c (seq 0..n-1) while reading the replies; returns
 * how many replies were {"ok":true,"seq":i} in order. */
struct flood {
    struct conn *c;
    int n, sent, got, good;
    char *out;
    size_t out_len, out_off;
};

static void flood_fill(struct flood *f, int who)
{
    char line[256];
    int k;

    while (f->sent < f->n && f->out_len - f->out_off < 8192) {
        k = f->sent;
        snprintf(line, sizeof line,
                 "{\"type\":\"unit\",\"id\":\"F%d-%d\",\"lat\":%.5f,\"lon\":%.5f,"
                 "\"heading\":%d,\"speed_mps\":%.1f,\"seq\":%d}\n",
                 who, k % 1000, 32.0 + (k % 997) * 1e-4,
                 -90.0 - (k % 991) * 1e-4, k % 360, (k % 300) / 10.0, k);
        if (f->out_off > 0 && f->out_off == f->out_len)
            f->out_off = f->out_len = 0;
        memcpy(f->out + f->out_len, line, strlen(line));
        f->out_len += strlen(line);
        f->sent++;
    }
}

/* Reads what is there on f and checks each complete reply line. */
static int flood_read(struct flood *f)
{
    char line[256], want[64];
    ssize_t r;

    r = recv(f->c->fd, f->c->buf + f->c->len, sizeof f->c->buf - f->c->len,
             MSG_DONTWAIT);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        return -1;
    if (r > 0)
        f->c->len += (size_t)r;
    while (take_line(f->c, line, sizeof line) >= 0) {
        snprintf(want, sizeof want, "{\"ok\":true,\"seq\":%d}", f->got);
        f->good += strcmp(line, want) == 0;
        f->got++;
    }
    return 0;
}

static void test_flood(struct check_counts *cc, struct harness *h,
                       const char *path)
{
    struct flood fl[FLOOD_CLIENTS];
    struct pollfd pf[FLOOD_CLIENTS];
    uint64_t t0, elapsed, deadline;
    int i, done = 0, good = 0, got = 0;
    ssize_t w;

    memset(fl, 0, sizeof fl);
    atomic_store(&h->max_step_ns, 0);
    atomic_store(&h->max_step_cpu_ns, 0);
    atomic_store(&h->steps, 0);
    for (i = 0; i < FLOOD_CLIENTS; i++) {
        fl[i].c = conn_unix(path);
        fl[i].n = FLOOD_TOTAL / FLOOD_CLIENTS;
        fl[i].out = malloc(16384);
    }
    t0 = now_ns();
    deadline = t0 + 120ull * 1000000000u;
    while (done < FLOOD_CLIENTS && now_ns() < deadline) {
        for (i = 0; i < FLOOD_CLIENTS; i++) {
            flood_fill(&fl[i], i);
            pf[i].fd = fl[i].c->fd;
            pf[i].events = POLLIN | (fl[i].out_off < fl[i].out_len ? POLLOUT : 0);
        }
        poll(pf, FLOOD_CLIENTS, 100);
        done = 0;
        for (i = 0; i < FLOOD_CLIENTS; i++) {
            if (pf[i].revents & POLLOUT) {
                w = send(fl[i].c->fd, fl[i].out + fl[i].out_off,
                         fl[i].out_len - fl[i].out_off,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
                if (w > 0)
                    fl[i].out_off += (size_t)w;
            }
            if ((pf[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
                flood_read(&fl[i]) < 0)
                fl[i].got = fl[i].n; /* closed: stop waiting, counts fail */
            done += fl[i].got >= fl[i].n;
        }
    }
    elapsed = now_ns() - t0;
    for (i = 0; i < FLOOD_CLIENTS; i++) {
        good += fl[i].good;
        got += fl[i].got;
        conn_close(fl[i].c);
        free(fl[i].out);
    }
    CHECK_INT(cc, good, FLOOD_TOTAL);
    printf("flood: %d unit updates from %d clients in %.3f s: %.0f msgs/s, "
           "every reply ok: %s; longest loop step %.2f ms wall-clock, "
           "%.2f ms thread CPU, over %llu steps\n",
           got, FLOOD_CLIENTS, elapsed / 1e9, got / (elapsed / 1e9),
           good == FLOOD_TOTAL ? "yes" : "NO",
           atomic_load(&h->max_step_ns) / 1e6,
           atomic_load(&h->max_step_cpu_ns) / 1e6,
           (unsigned long long)atomic_load(&h->steps));
    CHECK(cc, atomic_load(&h->max_step_ns) < 250000000ull,
          "longest step %.1f ms", atomic_load(&h->max_step_ns) / 1e6);
}

/* A client that sends requests but never reads its replies is dropped, and
 * the others go on being served meanwhile. */
static void test_slow_reader(struct check_counts *cc, struct harness *h,
                             const char *path)
{
    struct conn *slow = conn_unix(path), *other = conn_unix(path);
    const char *req = "{\"type\":\"state\"}\n";
    int bufsize = 4096, i, tries;
    double dropped = 0;

    setsockopt(slow->fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
    for (i = 0; i < 40; i++)
        if (send_all(slow->fd, req, strlen(req)) < 0)
            break;
    for (tries = 0; tries < 400 && dropped < 1; tries++) {
        EXPECT_REPLY(cc, other, "{\"type\":\"ping\",\"seq\":1}",
                     "{\"ok\":true,\"seq\":1}");
        dropped = stat_of(other, "dropped");
        usleep(5000);
    }
    CHECK(cc, dropped >= 1, "the client that does not read is dropped");
    printf("slow reader dropped after %d polls; longest step so far %.2f ms "
           "wall-clock, %.2f ms thread CPU\n",
           tries, atomic_load(&h->max_step_ns) / 1e6,
           atomic_load(&h->max_step_cpu_ns) / 1e6);
    conn_close(slow);
    conn_close(other);
}

/* A client that sends many requests and disconnects at once: the replies
 * fail to write (EPIPE/ECONNRESET), which must neither kill the process
 * (SIGPIPE) nor disturb anyone else. */
static void test_vanishing_client(struct check_counts *cc, const char *path)
{
    const char *req = "{\"type\":\"state\"}\n";
    struct conn *c;
    int round, i;

    for (round = 0; round < 20; round++) {
        c = conn_unix(path);
        if (!c)
            break;
        for (i = 0; i < 50; i++)
            send_all(c->fd, req, strlen(req));
        conn_close(c);
    }
    c = conn_unix(path);
    CHECK(cc, c != NULL, "connect after vanishing clients");
    if (c)
        EXPECT_REPLY(cc, c, "{\"type\":\"ping\",\"seq\":3}",
                     "{\"ok\":true,\"seq\":3}");
    conn_close(c);
}

/* ---- cases: server set-ups ------------------------------------------------ */

static void test_client_limit(struct check_counts *cc, const struct tlog *log,
                              const char *dir)
{
    char spec[160], line[256];
    struct conn *cs[5];
    struct harness *h = calloc(1, sizeof *h);
    int i;

    snprintf(spec, sizeof spec, "unix:%s/limit.sock", dir);
    memset(h, 0, sizeof *h);
    h->cfg.max_clients = 4;
    snprintf(h->spec, sizeof h->spec, "%s", spec);
    h->cfg.spec = h->spec;
    h->log = log;
    pthread_create(&h->thread, NULL, server_main, h);
    while (atomic_load(&h->ready) == 0)
        usleep(1000);
    for (i = 0; i < 5; i++)
        cs[i] = conn_unix(spec + 5);
    for (i = 0; i < 4; i++)
        EXPECT_REPLY(cc, cs[i], "{\"type\":\"ping\",\"seq\":1}",
                     "{\"ok\":true,\"seq\":1}");
    CHECK(cc, read_line(cs[4], line, sizeof line) > 0 &&
                  strcmp(line, "{\"ok\":false,\"error\":\"too many clients "
                               "(the limit is 4)\"}") == 0,
          "fifth client told: %s", line);
    CHECK(cc, read_line(cs[4], line, sizeof line) < 0, "then closed");
    conn_close(cs[0]);
    conn_close(cs[4]);
    usleep(50000);
    cs[4] = conn_unix(spec + 5);
    EXPECT_REPLY(cc, cs[4], "{\"type\":\"ping\",\"seq\":2}",
                 "{\"ok\":true,\"seq\":2}");
    for (i = 1; i < 5; i++)
        conn_close(cs[i]);
    harness_stop(h);
    free(h);
}

/* Any TCP address but loopback needs a token. */
static void test_tcp_refused(struct check_counts *cc, const struct tlog *log)
{
    struct ovl_server_config cfg = {.spec = "tcp:0.0.0.0:0"};
    struct ovl_state *st = ovl_state_create(NULL);
    uv_loop_t loop;

    uv_loop_init(&loop);
    CHECK(cc, ovl_server_create(&loop, &cfg, st, NULL, log) == NULL,
          "tcp:0.0.0.0 without a token is refused");
    cfg.spec = "tcp:[::]:0";
    CHECK(cc, ovl_server_create(&loop, &cfg, st, NULL, log) == NULL,
          "tcp:[::] without a token is refused");
    CHECK_INT(cc, uv_loop_close(&loop), 0);
    ovl_state_destroy(st);
}

static void test_tcp_loopback(struct check_counts *cc, const struct tlog *log)
{
    struct harness *h = calloc(1, sizeof *h);
    struct conn *c;

    CHECK_INT(cc, harness_start(h, "tcp:127.0.0.1:0", NULL, log), 0);
    c = conn_tcp(atomic_load(&h->port));
    CHECK(cc, c != NULL, "tcp connect");
    if (c) {
        EXPECT_REPLY(cc, c, "{\"type\":\"ping\",\"seq\":1}",
                     "{\"ok\":true,\"seq\":1}");
        /* without tokens a TCP client is a viewer: the application's
         * commands are not even offered to it (test_ovl_roles.c) */
        EXPECT_REPLY(cc, c, "{\"type\":\"echo\",\"seq\":2}",
                     "{\"ok\":false,\"seq\":2,\"error\":\"unknown type "
                     "\\\"echo\\\"\"}");
    }
    conn_close(c);
    harness_stop(h);
    free(h);
}

#define NOT_AUTHED                                                             \
    "\"error\":\"not authenticated: send {\\\"type\\\":\\\"auth\\\","         \
    "\\\"token\\\":\\\"...\\\"} first\"}"

/* With a token any address may be used, but every client must auth first;
 * three wrong tokens close the connection. */
static void test_tcp_token(struct check_counts *cc, const struct tlog *log)
{
    struct harness *h = calloc(1, sizeof *h);
    char line[256], want[128];
    struct conn *c;
    int i;

    CHECK_INT(cc, harness_start(h, "tcp:0.0.0.0:0", "s3cr3t-t0ken", log), 0);
    c = conn_tcp(atomic_load(&h->port));
    CHECK(cc, c != NULL, "tcp connect (token)");
    if (c) {
        EXPECT_REPLY(cc, c, "{\"type\":\"ping\",\"seq\":1}",
                     "{\"ok\":false,\"seq\":1," NOT_AUTHED);
        EXPECT_REPLY(cc, c, "{\"type\":\"state\",\"seq\":2}",
                     "{\"ok\":false,\"seq\":2," NOT_AUTHED);
        EXPECT_REPLY(cc, c, "{\"type\":\"auth\",\"token\":\"s3cr3t-t0kem\","
                            "\"seq\":3}",
                     "{\"ok\":false,\"seq\":3,\"error\":\"token: not accepted\"}");
        EXPECT_REPLY(cc, c, "{\"type\":\"auth\",\"token\":\"s3cr3t-t0ken\","
                            "\"seq\":4}",
                     "{\"ok\":true,\"seq\":4}");
        EXPECT_REPLY(cc, c, "{\"type\":\"ping\",\"seq\":5}",
                     "{\"ok\":true,\"seq\":5}");
        request(c, "{\"type\":\"echo\",\"seq\":6}", line, sizeof line);
        CHECK(cc, strstr(line, "\"addr\":\"127.0.0.1:") != NULL,
              "peer address: %s", line);
    }
    conn_close(c);
    c = conn_tcp(atomic_load(&h->port));
    for (i = 0; c && i < 3; i++) {
        snprintf(want, sizeof want,
                 "{\"ok\":false,\"seq\":%d,\"error\":\"token: not accepted\"}",
                 i);
        snprintf(line, sizeof line,
                 "{\"type\":\"auth\",\"token\":\"guess%d\",\"seq\":%d}", i, i);
        EXPECT_REPLY(cc, c, line, want);
    }
    CHECK(cc, c && request(c, "{\"type\":\"ping\"}", line, sizeof line) < 0,
          "closed after 3 wrong tokens");
    conn_close(c);
    harness_stop(h);
    free(h);
}

/* Socket file handling: mode 0600, stale file replaced, live socket and
 * non-socket files left alone, file removed at exit. */
static void test_socket_files(struct check_counts *cc, const struct tlog *log,
                              const char *dir)
{
    struct ovl_server_config cfg = {0};
    struct ovl_state *st = ovl_state_create(NULL);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct harness *h = calloc(1, sizeof *h);
    char spec[160], path[100];
    struct stat sb;
    uv_loop_t loop;
    int fd;

    snprintf(path, sizeof path, "%s/files.sock", dir);
    snprintf(spec, sizeof spec, "unix:%s", path);
    /* a stale socket (bound, nobody listening) */
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_INT(cc, bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    close(fd);
    CHECK_INT(cc, harness_start(h, spec, NULL, log), 0);
    CHECK(cc, stat(path, &sb) == 0 && S_ISSOCK(sb.st_mode) &&
                  (sb.st_mode & 0777) == 0600,
          "socket mode %o, want 0600", (unsigned)(sb.st_mode & 0777));
    /* a second server on a live socket is refused */
    uv_loop_init(&loop);
    cfg.spec = spec;
    CHECK(cc, ovl_server_create(&loop, &cfg, st, NULL, log) == NULL,
          "live socket is not taken over");
    harness_stop(h);
    CHECK(cc, stat(path, &sb) < 0 && errno == ENOENT, "socket removed at exit");
    /* a regular file is never removed */
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    close(fd);
    CHECK(cc, ovl_server_create(&loop, &cfg, st, NULL, log) == NULL,
          "a regular file is not replaced");
    CHECK(cc, stat(path, &sb) == 0 && S_ISREG(sb.st_mode), "file kept");
    unlink(path);
    CHECK_INT(cc, uv_loop_close(&loop), 0);
    ovl_state_destroy(st);
    free(h);
}

static void test_specs(struct check_counts *cc)
{
    struct ovl_spec sp;
    char buf[160], err[160];

    CHECK_INT(cc, ovl_server_default_spec("/run/user/1000", buf, sizeof buf), 0);
    CHECK_STR(cc, buf, "unix:/run/user/1000/tessera.sock");
    CHECK_INT(cc, ovl_server_default_spec(NULL, buf, sizeof buf), -ENOENT);
    CHECK_INT(cc, ovl_server_default_spec("", buf, sizeof buf), -ENOENT);
    CHECK_INT(cc, ovl_server_default_spec("run", buf, sizeof buf), -ENOENT);
    CHECK_INT(cc, ovl_spec_parse("unix:/tmp/x.sock", &sp, err, sizeof err), 0);
    CHECK(cc, sp.kind == OVL_PEER_UNIX && !strcmp(sp.path, "/tmp/x.sock"), "unix");
    CHECK_INT(cc, ovl_spec_parse("tcp:127.0.0.1:7070", &sp, err, sizeof err), 0);
    CHECK(cc, sp.kind == OVL_PEER_TCP && sp.port == 7070 && sp.loopback, "tcp");
    CHECK_INT(cc, ovl_spec_parse("tcp:[::1]:7070", &sp, err, sizeof err), 0);
    CHECK(cc, sp.loopback && !strcmp(sp.host, "::1"), "tcp v6");
    CHECK_INT(cc, ovl_spec_parse("tcp:localhost:1", &sp, err, sizeof err), 0);
    CHECK(cc, sp.loopback && !strcmp(sp.host, "127.0.0.1"), "localhost");
    CHECK_INT(cc, ovl_spec_parse("tcp:10.1.2.3:7070", &sp, err, sizeof err), 0);
    CHECK(cc, !sp.loopback, "10.1.2.3 is not loopback");
    CHECK_INT(cc, ovl_spec_parse("tcp:127.0.0.1:70000", &sp, err, sizeof err),
              -EINVAL);
    CHECK_INT(cc, ovl_spec_parse("tcp:example.com:80", &sp, err, sizeof err),
              -EINVAL);
    CHECK_INT(cc, ovl_spec_parse("tcp:::1:80", &sp, err, sizeof err), -EINVAL);
    CHECK_INT(cc, ovl_spec_parse("udp:1.2.3.4:5", &sp, err, sizeof err), -EINVAL);
    CHECK_INT(cc, ovl_spec_parse("unix:", &sp, err, sizeof err), -EINVAL);
}

int main(void)
{
    struct check_counts counts = {0, 0}, *cc = &counts;
    struct tlog *log = tlog_create_root(TLOG_WARN);
    char dir[] = "/tmp/tessera-ovl-XXXXXX", spec[160];
    struct harness *h = calloc(1, sizeof *h);
    struct conn *c;

    /* SIGPIPE keeps its default action: the server must cope (it sets
     * SIG_IGN itself), and test_vanishing_client would die otherwise. */
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_specs(cc);
    snprintf(spec, sizeof spec, "unix:%s/tessera.sock", dir);
    CHECK_INT(cc, harness_start(h, spec, NULL, log), 0);
    c = conn_unix(spec + 5);
    CHECK(cc, c != NULL, "connect %s", spec);
    if (c) {
        test_good_messages(cc, c);
        test_bad_messages(cc, c);
        conn_close(c);
        test_many_clients(cc, spec + 5);
        test_mid_line_disconnect(cc, spec + 5);
        test_flood(cc, h, spec + 5);
        test_slow_reader(cc, h, spec + 5);
        test_vanishing_client(cc, spec + 5);
    }
    harness_stop(h);
    free(h);
    test_client_limit(cc, log, dir);
    test_tcp_refused(cc, log);
    test_tcp_loopback(cc, log);
    test_tcp_token(cc, log);
    test_socket_files(cc, log, dir);
    rmdir(dir);
    tlog_destroy(log);
    return check_report(cc);
}
