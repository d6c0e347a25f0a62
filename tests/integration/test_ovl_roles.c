/*
 * test_ovl_roles.c - trust at the control socket's edges (issue 12), against
 * the real server (wall/overlay/server.c) on a real libuv loop and real
 * sockets: every request type x every role (the expected table is written
 * here from the issue, independently of the server's own table), forbidden
 * requests changing nothing, the tokens file, TCP without tokens being
 * viewer-only, the unauthenticated and idle timeouts, and HTTP first lines.
 *
 * One thread: the test steps the server's loop itself while it waits for a
 * reply, so no request races the server.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
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
#include "overlay/tokens.h"

#define V OVL_ROLE_VIEWER
#define C OVL_ROLE_CAD
#define O OVL_ROLE_OPERATOR
#define S OVL_ROLE_SUPERVISOR

/* The table: which roles may send each request (a supervisor may
 * send everything).  `line` is a valid request; %d gets a unique number. */
static const struct {
    const char *type, *line;
    unsigned roles;
    const char *need; /* the role named in the "forbidden" error */
} cases[] = {
    {"ping", "{\"type\":\"ping\"}", V | C | O | S, "viewer"},
    {"state", "{\"type\":\"state\"}", V | C | O | S, "viewer"},
    {"stats", "{\"type\":\"stats\"}", V | C | O | S, "viewer"},
    {"incident", "{\"type\":\"incident\",\"id\":\"n%d\",\"lat\":32.3,"
                 "\"lon\":-90.18,\"priority\":1}", C | S, "cad"},
    {"incident", "{\"type\":\"incident\",\"op\":\"close\",\"id\":\"keep\"}",
     C | S, "cad"},
    {"unit", "{\"type\":\"unit\",\"id\":\"u%d\",\"lat\":32.3,\"lon\":-90.1}",
     C | S, "cad"},
    {"unit", "{\"type\":\"unit\",\"op\":\"remove\",\"id\":\"keep\"}", C | S,
     "cad"},
    {"eido", "{\"type\":\"eido\",\"n\":%d}", C | S, "cad"},
    {"callup", "{\"type\":\"callup\",\"n\":%d}", C | O | S, "cad or operator"},
    {"release", "{\"type\":\"release\",\"n\":%d}", C | O | S, "cad or operator"},
    {"layout", "{\"type\":\"layout\",\"name\":\"night\"}", O | S, "operator"},
    {"maximize", "{\"type\":\"maximize\",\"tile\":1}", O | S, "operator"},
    {"select", "{\"type\":\"select\",\"tile\":1}", O | S, "operator"},
    {"move", "{\"type\":\"move\",\"direction\":\"left\"}", O | S, "operator"},
    {"hud", "{\"type\":\"hud\"}", O | S, "operator"},
    {"help", "{\"type\":\"help\"}", O | S, "operator"},
    {"restart", "{\"type\":\"restart\",\"feed\":\"a\"}", O | S, "operator"},
    {"pin", "{\"type\":\"pin\",\"tile\":1}", O | S, "operator"},
    {"unpin", "{\"type\":\"unpin\",\"tile\":1}", O | S, "operator"},
    {"reload", "{\"type\":\"reload\"}", S, "supervisor"},
    {"snapshot", "{\"type\":\"snapshot\",\"name\":\"a.png\"}", S, "supervisor"},
    {"unmask", "{\"type\":\"unmask\",\"feed\":\"a\"}", S, "supervisor"},
};

/* The tokens each tested client holds (0: never authenticates). */
static const struct {
    const char *token;
    unsigned roles;
} tokens[] = {
    {NULL, 0},                      /* unauthenticated: a viewer */
    {"tok-viewer-0123456789", V},
    {"tok-cad-0123456789", C},
    {"tok-operator-0123456789", O},
    {"tok-supervisor-0123456789", S},
    {"tok-cad-op-0123456789", C | O},
};

struct rig {
    uv_loop_t loop;
    struct ovl_state *state;
    struct ovl_server *srv;
    int hook_calls; /* requests the command hook carried out */
    int forbidden_calls; /* refusals the forbidden hook was told of */
    char forbidden_err[160]; /* ... and the last one's error */
};

/* The command hook stands for the app: it carries out every type it is
 * given (counting it), except "teleport". */
static int command_hook(void *opaque, const cJSON *msg,
                        const struct ovl_client_info *who, cJSON *reply,
                        char *err, size_t errlen)
{
    struct rig *r = opaque;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(msg, "type");

    (void)err;
    (void)errlen;
    if (strcmp(type->valuestring, "teleport") == 0)
        return -ENOENT;
    r->hook_calls++;
    cJSON_AddNumberToObject(reply, "roles", who->roles);
    return 0;
}

/* The forbidden hook stands for the app's audit: it counts refusals. */
static void forbidden_hook(void *opaque, const cJSON *msg, const struct ovl_client_info *who,
                           const char *err)
{
    struct rig *r = opaque;

    (void)msg;
    (void)who;
    r->forbidden_calls++;
    snprintf(r->forbidden_err, sizeof r->forbidden_err, "%s", err);
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Steps the loop until fd has a whole line (into out) or EOF/timeout_ms.
 * Returns the line's length, -1 on EOF, -2 on timeout. */
static long pump_line(struct rig *r, int fd, char *out, size_t cap,
                      unsigned timeout_ms)
{
    uint64_t end = now_ms() + timeout_ms;
    size_t n = 0;
    ssize_t got;

    while (now_ms() < end) {
        uv_run(&r->loop, UV_RUN_NOWAIT);
        got = recv(fd, out + n, 1, MSG_DONTWAIT);
        if (got == 0)
            return -1;
        if (got < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return -1;
            usleep(500);
            continue;
        }
        if (out[n] == '\n') {
            out[n] = '\0';
            return (long)n;
        }
        if (n + 2 < cap)
            n++;
    }
    return -2;
}

/* Steps the loop for ms milliseconds. */
static void pump_for(struct rig *r, unsigned ms)
{
    uint64_t end = now_ms() + ms;

    while (now_ms() < end) {
        uv_run(&r->loop, UV_RUN_NOWAIT);
        usleep(500);
    }
}

/* Sends line and returns its reply in out (see pump_line). */
static long ask(struct rig *r, int fd, const char *line, char *out, size_t cap)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "%s\n", line);

    if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
        return -1;
    return pump_line(r, fd, out, cap, 10000);
}

static int rig_open(struct rig *r, const struct ovl_server_config *cfg,
                    const struct tlog *log)
{
    struct ovl_server_hooks hooks = {.opaque = r, .command = command_hook,
                                     .forbidden = forbidden_hook};

    memset(r, 0, sizeof *r);
    uv_loop_init(&r->loop);
    r->state = ovl_state_create(NULL);
    r->srv = ovl_server_create(&r->loop, cfg, r->state, &hooks, log);
    return r->srv ? 0 : -1;
}

static void rig_close(struct rig *r)
{
    ovl_server_destroy(r->srv);
    ovl_state_destroy(r->state);
    uv_loop_close(&r->loop);
}

static int connect_unix(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int connect_tcp(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The state as JSON text (for "nothing changed"). */
static char *state_text(struct rig *r)
{
    size_t len;

    return ovl_state_to_json(r->state, &len);
}

/* Builds case i's line for try n with "seq":n into buf. */
static void case_line(size_t i, int n, char *buf, size_t cap)
{
    char body[512];
    size_t len;

    snprintf(body, sizeof body, cases[i].line, n);
    len = strlen(body) - 1; /* without the closing brace */
    snprintf(buf, cap, "%.*s,\"seq\":%d}", (int)len, body, n);
}

/* Runs every case as client fd holding `roles` (viewer implied); sup is a
 * supervisor connection that puts back the "keep" incident and unit. */
static void run_cases(struct check_counts *cc, struct rig *r, int fd, int sup,
                      unsigned roles, const char *who)
{
    static int n = 100;
    char line[600], got[65536], want[300];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool allowed = (roles & S) || (cases[i].roles & (roles | V));
        char *before, *after;
        int calls, refusals;

        ask(r, sup, "{\"type\":\"incident\",\"id\":\"keep\",\"priority\":2}",
            got, sizeof got);
        ask(r, sup, "{\"type\":\"unit\",\"id\":\"keep\",\"lat\":1,\"lon\":2}",
            got, sizeof got);
        before = state_text(r);
        calls = r->hook_calls;
        refusals = r->forbidden_calls;
        case_line(i, ++n, line, sizeof line);
        ask(r, fd, line, got, sizeof got);
        after = state_text(r);
        if (allowed) {
            snprintf(want, sizeof want, "{\"ok\":true,\"seq\":%d", n);
            CHECK(cc, strncmp(got, want, strlen(want)) == 0,
                  "%s may send %s: %s -> %s", who, cases[i].type, line, got);
            if (strcmp(cases[i].type, "incident") == 0 ||
                strcmp(cases[i].type, "unit") == 0)
                CHECK(cc, strcmp(before, after) != 0, "%s: %s changed the state",
                      who, line);
            CHECK(cc, r->forbidden_calls == refusals, "%s: %s told as forbidden", who, line);
        } else {
            snprintf(want, sizeof want,
                     "{\"ok\":false,\"seq\":%d,\"error\":\"forbidden: %s needs "
                     "the %s role\"}", n, cases[i].type, cases[i].need);
            CHECK_STR(cc, got, want);
            CHECK(cc, strcmp(before, after) == 0 && calls == r->hook_calls,
                  "%s: forbidden %s changed nothing", who, line);
            snprintf(want, sizeof want, "forbidden: %s needs the %s role", cases[i].type,
                     cases[i].need);
            CHECK(cc, r->forbidden_calls == refusals + 1 && !strcmp(r->forbidden_err, want),
                  "%s: forbidden %s told to the hook once (%d, %s)", who, line,
                  r->forbidden_calls - refusals, r->forbidden_err);
        }
        free(before);
        free(after);
    }
    /* a type nobody knows is unknown to everyone, forbidden to nobody */
    ask(r, fd, "{\"type\":\"teleport\",\"seq\":1}", got, sizeof got);
    CHECK_STR(cc, got, "{\"ok\":false,\"seq\":1,\"error\":\"unknown type "
                       "\\\"teleport\\\"\"}");
}

/* Every request type x every role, with a tokens list on a Unix socket. */
static void test_roles_table(struct check_counts *cc, const struct tlog *log,
                             const char *dir)
{
    struct ovl_token list[sizeof tokens / sizeof tokens[0]];
    struct ovl_server_config cfg = {0};
    char spec[160], got[256], line[128];
    size_t n = 0, t;
    struct rig r;
    int sup, fd;

    for (t = 0; t < sizeof tokens / sizeof tokens[0]; t++)
        if (tokens[t].token) {
            snprintf(list[n].token, sizeof list[n].token, "%s", tokens[t].token);
            list[n++].roles = tokens[t].roles;
        }
    snprintf(spec, sizeof spec, "unix:%s/roles.sock", dir);
    cfg.spec = spec;
    cfg.tokens = list;
    cfg.n_tokens = n;
    if (rig_open(&r, &cfg, log) < 0) {
        CHECK(cc, 0, "server with tokens");
        return;
    }
    sup = connect_unix(spec + 5);
    ask(&r, sup, "{\"type\":\"auth\",\"token\":\"tok-supervisor-0123456789\"}",
        got, sizeof got);
    CHECK_STR(cc, got, "{\"ok\":true}");
    for (t = 0; t < sizeof tokens / sizeof tokens[0]; t++) {
        fd = connect_unix(spec + 5);
        if (tokens[t].token) {
            snprintf(line, sizeof line,
                     "{\"type\":\"auth\",\"token\":\"%s\",\"seq\":7}",
                     tokens[t].token);
            ask(&r, fd, line, got, sizeof got);
            CHECK_STR(cc, got, "{\"ok\":true,\"seq\":7}");
        } else {
            ask(&r, fd, "{\"type\":\"auth\",\"token\":\"nope\",\"seq\":8}", got,
                sizeof got);
            CHECK_STR(cc, got, "{\"ok\":false,\"seq\":8,\"error\":\"token: not "
                               "accepted\"}");
        }
        run_cases(cc, &r, fd, sup, tokens[t].roles,
                  tokens[t].token ? tokens[t].token : "unauthenticated");
        close(fd);
    }
    close(sup);
    rig_close(&r);
}

/* Without tokens: the 0600 Unix socket has every role, loopback TCP is a
 * viewer only; the old single token gives every role after auth. */
static void test_without_tokens(struct check_counts *cc, const struct tlog *log,
                                const char *dir)
{
    struct ovl_server_config cfg = {0};
    char spec[160], got[256];
    struct rig r;
    int fd;

    snprintf(spec, sizeof spec, "unix:%s/plain.sock", dir);
    cfg.spec = spec;
    if (rig_open(&r, &cfg, log) == 0) {
        fd = connect_unix(spec + 5);
        run_cases(cc, &r, fd, fd, OVL_ROLES_ALL, "unix without tokens");
        close(fd);
    }
    rig_close(&r);

    cfg.spec = "tcp:127.0.0.1:0";
    if (rig_open(&r, &cfg, log) == 0) {
        int sup = connect_tcp(ovl_server_port(r.srv));
        fd = connect_tcp(ovl_server_port(r.srv));
        /* sup cannot put "keep" back either: the forbidden checks still
         * compare the state before and after */
        run_cases(cc, &r, fd, sup, V, "tcp without tokens");
        ask(&r, fd, "{\"type\":\"auth\",\"token\":\"x\"}", got, sizeof got);
        CHECK_STR(cc, got, "{\"ok\":true}");
        ask(&r, fd, "{\"type\":\"incident\",\"id\":\"z\"}", got, sizeof got);
        CHECK_STR(cc, got, "{\"ok\":false,\"error\":\"forbidden: incident needs "
                           "the cad role\"}");
        close(fd);
        close(sup);
    }
    rig_close(&r);

    cfg.spec = "tcp:127.0.0.1:0";
    cfg.token = "legacy-token-0123";
    if (rig_open(&r, &cfg, log) == 0) {
        fd = connect_tcp(ovl_server_port(r.srv));
        ask(&r, fd, "{\"type\":\"ping\"}", got, sizeof got);
        CHECK(cc, strstr(got, "not authenticated") != NULL, "legacy: %s", got);
        ask(&r, fd, "{\"type\":\"auth\",\"token\":\"legacy-token-0123\"}", got,
            sizeof got);
        CHECK_STR(cc, got, "{\"ok\":true}");
        run_cases(cc, &r, fd, fd, OVL_ROLES_ALL, "legacy token");
        close(fd);
    }
    rig_close(&r);
}

/* With tokens, a client that has not authenticated in time is told so and
 * closed; one that has stays.  Once with a short timeout, once with the
 * default (5 s). */
static void test_auth_timeout(struct check_counts *cc, const struct tlog *log,
                              unsigned timeout_ms)
{
    struct ovl_token tok = {"tok-cad-0123456789", C};
    struct ovl_server_config cfg = {.spec = "tcp:127.0.0.1:0", .tokens = &tok,
                                    .n_tokens = 1,
                                    .auth_timeout_ms = timeout_ms};
    struct ovl_server_counters k;
    char got[256], want[128];
    struct rig r;
    uint64_t t0;
    long n;
    int lazy, good;

    if (rig_open(&r, &cfg, log) < 0) {
        CHECK(cc, 0, "server for the auth timeout");
        return;
    }
    t0 = now_ms();
    lazy = connect_tcp(ovl_server_port(r.srv));
    good = connect_tcp(ovl_server_port(r.srv));
    ask(&r, good, "{\"type\":\"auth\",\"token\":\"tok-cad-0123456789\"}", got,
        sizeof got);
    ask(&r, lazy, "{\"type\":\"ping\"}", got, sizeof got); /* viewers may */
    CHECK_STR(cc, got, "{\"ok\":true}");
    n = pump_line(&r, lazy, got, sizeof got, (timeout_ms ? timeout_ms : 5000) + 3000);
    snprintf(want, sizeof want,
             "{\"ok\":false,\"error\":\"not authenticated within %.1f s: "
             "closing\"}", (timeout_ms ? timeout_ms : 5000) / 1000.0);
    CHECK(cc, n > 0 && strcmp(got, want) == 0, "auth timeout line: %s", got);
    CHECK(cc, now_ms() - t0 >= (timeout_ms ? timeout_ms : 5000),
          "closed after %llu ms, not before the timeout",
          (unsigned long long)(now_ms() - t0));
    CHECK_INT(cc, pump_line(&r, lazy, got, sizeof got, 3000), -1);
    ask(&r, good, "{\"type\":\"ping\"}", got, sizeof got);
    CHECK_STR(cc, got, "{\"ok\":true}");
    ovl_server_get_counters(r.srv, &k);
    CHECK_INT(cc, k.auth_timeouts, 1);
    close(lazy);
    close(good);
    rig_close(&r);
}

/* A client without a request for idle_ms is closed; pings keep one alive. */
static void test_idle(struct check_counts *cc, const struct tlog *log)
{
    struct ovl_server_config cfg = {.spec = "tcp:127.0.0.1:0", .idle_ms = 600};
    struct ovl_server_counters k;
    char got[256];
    struct rig r;
    int quiet, busy, i;

    if (rig_open(&r, &cfg, log) < 0) {
        CHECK(cc, 0, "server for idle");
        return;
    }
    quiet = connect_tcp(ovl_server_port(r.srv));
    busy = connect_tcp(ovl_server_port(r.srv));
    ask(&r, quiet, "{\"type\":\"ping\"}", got, sizeof got);
    for (i = 0; i < 15; i++) { /* 1.5 s of pings every 100 ms */
        ask(&r, busy, "{\"type\":\"ping\"}", got, sizeof got);
        CHECK_STR(cc, got, "{\"ok\":true}");
        pump_for(&r, 100);
    }
    CHECK(cc, pump_line(&r, quiet, got, sizeof got, 100) > 0 &&
                  strcmp(got, "{\"ok\":false,\"error\":\"idle for 0.6 s: "
                              "closing\"}") == 0,
          "idle line: %s", got);
    CHECK_INT(cc, pump_line(&r, quiet, got, sizeof got, 3000), -1);
    ask(&r, busy, "{\"type\":\"ping\"}", got, sizeof got);
    CHECK_STR(cc, got, "{\"ok\":true}");
    ovl_server_get_counters(r.srv, &k);
    CHECK_INT(cc, k.idle_closed, 1);
    close(quiet);
    close(busy);
    rig_close(&r);
}

/* A first line that is HTTP closes the connection at once, without a reply;
 * later lines are judged as JSON. */
static void test_http(struct check_counts *cc, const struct tlog *log)
{
    static const char *const firsts[] = {
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        ("POST /api HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n\r\n"
         "{\"type\":\"incident\",\"id\":\"web\"}\n"),
        "PUT /x HTTP/1.1\r\n", "HEAD / HTTP/1.0\r\n", "OPTIONS * HTTP/1.1\r\n",
        "Host: 127.0.0.1:7000\r\n", "\n\nDELETE /a HTTP/1.1\r\n",
    };
    struct ovl_server_config cfg = {.spec = "tcp:127.0.0.1:0"};
    struct ovl_server_counters k;
    char got[256], *st;
    struct rig r;
    size_t i;
    int fd;

    if (rig_open(&r, &cfg, log) < 0) {
        CHECK(cc, 0, "server for http");
        return;
    }
    for (i = 0; i < sizeof firsts / sizeof firsts[0]; i++) {
        fd = connect_tcp(ovl_server_port(r.srv));
        send(fd, firsts[i], strlen(firsts[i]), MSG_NOSIGNAL);
        CHECK_INT(cc, pump_line(&r, fd, got, sizeof got, 3000), -1);
        close(fd);
    }
    st = state_text(&r);
    CHECK_STR(cc, st, "{\"incidents\":[],\"units\":[]}");
    free(st);
    fd = connect_tcp(ovl_server_port(r.srv));
    ask(&r, fd, "{\"type\":\"ping\"}", got, sizeof got);
    ask(&r, fd, "GET / HTTP/1.1", got, sizeof got);
    CHECK(cc, strncmp(got, "{\"ok\":false,\"error\":\"malformed JSON", 35) == 0,
          "HTTP after a first JSON line is only malformed: %s", got);
    close(fd);
    ovl_server_get_counters(r.srv, &k);
    CHECK_INT(cc, k.http_closed, sizeof firsts / sizeof firsts[0]);
    rig_close(&r);
}

/* Writes text into dir/name with mode; returns the path (static buffer). */
static const char *write_file(const char *dir, const char *name,
                              const char *text, mode_t mode)
{
    static char path[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
    return path;
}

/* The tokens file: format, errors with file:line, permissions. */
static void test_tokens_file(struct check_counts *cc, const char *dir)
{
    struct ovl_token *t = NULL;
    char err[512], want[512];
    const char *p;
    size_t n = 0;

    p = write_file(dir, "good", "# wall tokens\n\ncad  tok-a\n"
                   "  operator,cad\ttok-b  \nsupervisor tok-c # no\n", 0600);
    CHECK(cc, ovl_tokens_load(p, &t, &n, err, sizeof err) < 0, "comment after");
    snprintf(want, sizeof want, "%s:5: expected ROLE[,ROLE...] TOKEN", p);
    CHECK_STR(cc, err, want);
    p = write_file(dir, "good", "# wall tokens\n\ncad  tok-a\n"
                   "  operator,cad\ttok-b  \r\nsupervisor tok-c\n", 0600);
    CHECK_INT(cc, ovl_tokens_load(p, &t, &n, err, sizeof err), 0);
    CHECK_INT(cc, n, 3);
    if (n == 3) {
        CHECK(cc, strcmp(t[1].token, "tok-b") == 0 && t[1].roles == (C | O),
              "line 4: %s %u", t[1].token, t[1].roles);
        CHECK(cc, t[0].roles == C && t[2].roles == S, "roles");
    }
    ovl_tokens_free(t, n);
    p = write_file(dir, "open", "cad tok-a\n", 0640);
    CHECK(cc, ovl_tokens_load(p, &t, &n, err, sizeof err) < 0, "0640 refused");
    snprintf(want, sizeof want, "%s: readable or writable by group or others "
             "(mode 0640); chmod 600 %s", p, p);
    CHECK_STR(cc, err, want);
    p = write_file(dir, "open", "cad tok-a\n", 0602);
    CHECK(cc, ovl_tokens_load(p, &t, &n, err, sizeof err) < 0, "0602 refused");
    p = write_file(dir, "bad", "cad tok-a\nviewer,root tok-b\n", 0600);
    CHECK(cc, ovl_tokens_load(p, &t, &n, err, sizeof err) < 0, "bad role");
    snprintf(want, sizeof want, "%s:2: unknown role \"root\" (viewer, cad, "
             "operator, supervisor)", p);
    CHECK_STR(cc, err, want);
    CHECK(cc, !strstr(err, "tok-b"), "no token in the error");
    p = write_file(dir, "bad", "cad tok-a\ncad tok-a\n", 0600);
    CHECK(cc, ovl_tokens_load(p, &t, &n, err, sizeof err) < 0, "twice");
    p = write_file(dir, "bad", "tok-alone\n", 0600);
    CHECK(cc, ovl_tokens_load(p, &t, &n, err, sizeof err) < 0, "no roles");
    p = write_file(dir, "bad", "# nothing\n", 0600);
    CHECK(cc, ovl_tokens_load(p, &t, &n, err, sizeof err) < 0, "empty");
    CHECK(cc, ovl_tokens_load("/nonexistent/tokens", &t, &n, err, sizeof err) < 0,
          "missing file");
}

/* ovl_server_adopt() serves one end of a socketpair like any client. */
static void test_adopt(struct check_counts *cc, const struct tlog *log,
                       const char *dir)
{
    struct ovl_server_config cfg = {0};
    char spec[160], got[256];
    struct rig r;
    int sv[2];

    snprintf(spec, sizeof spec, "unix:%s/adopt.sock", dir);
    cfg.spec = spec;
    if (rig_open(&r, &cfg, log) < 0 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        CHECK(cc, 0, "adopt setup");
        rig_close(&r);
        return;
    }
    CHECK_INT(cc, ovl_server_adopt(r.srv, sv[0]), 0);
    ask(&r, sv[1], "{\"type\":\"hud\",\"seq\":3}", got, sizeof got);
    CHECK_STR(cc, got, "{\"ok\":true,\"seq\":3,\"roles\":15}");
    close(sv[1]);
    rig_close(&r);
}

int main(void)
{
    struct check_counts counts = {0}, *cc = &counts;
    struct tlog *log = tlog_create_root(TLOG_WARN);
    char dir[] = "/tmp/tessera-roles-XXXXXX";

    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_tokens_file(cc, dir);
    test_roles_table(cc, log, dir);
    test_without_tokens(cc, log, dir);
    test_http(cc, log);
    test_idle(cc, log);
    test_adopt(cc, log, dir);
    test_auth_timeout(cc, log, 300);
    test_auth_timeout(cc, log, 0);
    for (const char *const *f = (const char *const[]){"good", "open", "bad", NULL};
         *f; f++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, *f);
        unlink(path);
    }
    rmdir(dir);
    tlog_destroy(log);
    return check_report(cc);
}
