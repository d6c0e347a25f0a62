/*
 * server.c - the overlay control socket on libuv.
 *
 * Shape: read callbacks only append bytes to a bounded per-client buffer
 * (reading stops while it is full); a uv_check handle, which runs once per
 * loop iteration after I/O, handles complete lines round-robin under a
 * per-client line budget and a per-iteration time budget, and writes each
 * client's replies of that iteration with one uv_write.  Work left over keeps
 * a uv_idle handle active so the next iteration does not sleep in poll.  A
 * client whose earlier replies are still unsent past max_backlog is dropped.
 *
 * Trust: every request type needs a role (ovl__rules, the one table of
 * them); a client holds roles by the kind of socket and by the token it sent.
 * A sweep timer closes clients that stay unauthenticated or idle too long,
 * and a first line that is HTTP closes its connection at once.
 */
#define _GNU_SOURCE /* struct ucred for SO_PEERCRED */
#include "overlay/server.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/secret.h"
#include "overlay/protocol.h"

#define OVL__IN_MIN 4096
#define OVL__IN_MAX (2 * OVL_LINE_MAX) /* > OVL_LINE_MAX + "\r\n" */
#define OVL__REFUSING_MAX 16 /* refused connections being told so at once */

/* printf arguments for "%s%s%s": a spec's host, IPv6 in brackets. */
#define OVL__HOST(sp)                                                          \
    strchr((sp)->host, ':') ? "[" : "", (sp)->host,                            \
        strchr((sp)->host, ':') ? "]" : ""

/* One connection.  Owned by the loop thread, like everything here. */
struct ovl__client {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } h;
    struct ovl_server *srv;
    struct ovl_client_info info;
    size_t index; /* in srv->clients */
    char *in;     /* received bytes: [pos, in_len) not handled yet */
    size_t in_len, in_cap, pos;
    size_t scanned; /* bytes after pos known to hold no newline */
    char *out; /* replies of this iteration, written at its end */
    size_t out_len, out_cap;
    uv_shutdown_t shutdown;
    int auth_failures;
    uint64_t since_ms;  /* uv_now() at connection */
    uint64_t active_ms; /* uv_now() at the last request line */
    bool got_line;      /* a non-blank line came: the HTTP check is done */
    bool refused;  /* over max_clients: gets one error line, then closed */
    bool reading;  /* uv_read_start() in effect */
    bool eof;      /* the peer finished sending */
    bool skipping; /* dropping the rest of an over-long line */
    bool ending;   /* shutdown requested, close follows */
    bool closing;  /* uv_close() called */
};

/* A write in flight: owns its bytes. */
struct ovl__write {
    uv_write_t req;
    char *data;
};

struct ovl_server {
    uv_loop_t *loop;
    const struct tlog *log;
    struct ovl_state *state;
    struct ovl_server_hooks hooks;
    struct ovl_spec spec;
    struct ovl_token *tokens; /* accepted tokens (a copy), n_tokens */
    size_t n_tokens;
    unsigned unauth_roles; /* roles before auth (with tokens) */
    unsigned idle_ms, auth_ms;
    size_t max_clients, lines_per_step, max_backlog;
    uint64_t step_budget_ns;
    unsigned expire_ms;
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } listener;
    uv_check_t check;
    uv_idle_t idle;
    uv_timer_t timer;
    uv_timer_t rest;              /* ends a rest after a busy step */
    uv_timer_t sweep;             /* closes idle and unauthenticated clients */
    uint64_t resume_at;           /* uv_hrtime() before which lines wait */
    bool have_listener, have_aux; /* which handles were initialised */
    bool unlink_path;             /* we created spec.path */
    dev_t sock_dev;
    ino_t sock_ino;
    int port;
    struct ovl__client **clients; /* served and refused ones */
    size_t n_clients, n_served, cursor;
    unsigned open_handles; /* not yet through their close callback */
    uint64_t next_id;
    struct ovl_server_counters counters;
};

static void ovl__client_close(struct ovl__client *c);
static void ovl__client_start(struct ovl__client *c);

/* ---- specs ---------------------------------------------------------------- */

/* Parses the port text p; returns it or -1. */
static int ovl__parse_port(const char *p)
{
    long v = 0;

    if (!*p || strlen(p) > 5)
        return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v <= 65535 ? (int)v : -1;
}

/* Fills out->host and out->loopback from the host text h (n bytes). */
static int ovl__parse_host(const char *h, size_t n, struct ovl_spec *out)
{
    struct sockaddr_in6 a6;
    struct sockaddr_in a4;

    if (n >= sizeof out->host)
        return -EINVAL;
    if (n == 9 && memcmp(h, "localhost", 9) == 0) {
        h = "127.0.0.1";
        n = 9;
    }
    memcpy(out->host, h, n);
    out->host[n] = '\0';
    if (uv_ip4_addr(out->host, 0, &a4) == 0) {
        out->loopback = (ntohl(a4.sin_addr.s_addr) >> 24) == 127;
        return 0;
    }
    if (uv_ip6_addr(out->host, 0, &a6) == 0) {
        out->loopback = IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr) ||
                        (IN6_IS_ADDR_V4MAPPED(&a6.sin6_addr) &&
                         a6.sin6_addr.s6_addr[12] == 127);
        return 0;
    }
    return -EINVAL;
}

/* Parses the "HOST:PORT" part of a tcp spec. */
static int ovl__parse_tcp(const char *s, struct ovl_spec *out, char *err,
                          size_t errlen)
{
    const char *colon = strrchr(s, ':'), *h = s;
    size_t n;

    out->kind = OVL_PEER_TCP;
    if (!colon || (out->port = ovl__parse_port(colon + 1)) < 0) {
        snprintf(err, errlen, "tcp:%s: want tcp:HOST:PORT with PORT 0..65535",
                 s);
        return -EINVAL;
    }
    n = (size_t)(colon - s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        h++;
        n -= 2;
    } else if (memchr(s, ':', n)) {
        snprintf(err, errlen, "tcp:%s: write an IPv6 address in brackets", s);
        return -EINVAL;
    }
    if (ovl__parse_host(h, n, out) < 0) {
        snprintf(err, errlen,
                 "tcp:%s: HOST must be a numeric IP address or localhost", s);
        return -EINVAL;
    }
    return 0;
}

int ovl_spec_parse(const char *spec, struct ovl_spec *out, char *err,
                   size_t errlen)
{
    const char *path = NULL;

    memset(out, 0, sizeof *out);
    if (spec && strncmp(spec, "tcp:", 4) == 0)
        return ovl__parse_tcp(spec + 4, out, err, errlen);
    if (spec && strncmp(spec, "unix:", 5) == 0)
        path = spec + 5;
    else if (spec && spec[0] == '/')
        path = spec;
    if (!path) {
        snprintf(err, errlen, "\"%s\": want unix:PATH or tcp:HOST:PORT",
                 spec ? spec : "");
        return -EINVAL;
    }
    if (!*path || strlen(path) >= sizeof out->path) {
        snprintf(err, errlen, "unix:%s: the path must have 1 to %zu bytes",
                 path, sizeof out->path - 1);
        return -EINVAL;
    }
    out->kind = OVL_PEER_UNIX;
    strcpy(out->path, path);
    return 0;
}

int ovl_server_default_spec(const char *xdg_runtime_dir, char *buf,
                            size_t len)
{
    static const char name[] = "/tessera.sock";
    int n;

    if (!xdg_runtime_dir || xdg_runtime_dir[0] != '/')
        return -ENOENT;
    if (strlen(xdg_runtime_dir) + sizeof name > sizeof(struct sockaddr_un) -
                                                    offsetof(struct sockaddr_un,
                                                             sun_path))
        return -ENAMETOOLONG;
    n = snprintf(buf, len, "unix:%s%s", xdg_runtime_dir, name);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ---- replies -------------------------------------------------------------- */

/* Appends n bytes to c's replies of this iteration; -ENOMEM closes c. */
static int ovl__out_append(struct ovl__client *c, const char *s, size_t n)
{
    size_t cap = c->out_cap ? c->out_cap : 256;
    char *p;

    while (cap - c->out_len < n)
        cap *= 2;
    if (cap != c->out_cap) {
        p = realloc(c->out, cap);
        if (!p) {
            ovl__client_close(c);
            return -ENOMEM;
        }
        c->out = p;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, s, n);
    c->out_len += n;
    return 0;
}

/* Writes s as a JSON string literal into dst (room for 6 * strlen + 3). */
static size_t ovl__json_escape(char *dst, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char ch;
    size_t n = 0;

    dst[n++] = '"';
    for (; (ch = (unsigned char)*s) != 0; s++) {
        if (ch == '"' || ch == '\\') {
            dst[n++] = '\\';
            dst[n++] = (char)ch;
        } else if (ch < 0x20) {
            memcpy(dst + n, "\\u00", 4);
            dst[n + 4] = hex[ch >> 4];
            dst[n + 5] = hex[ch & 15];
            n += 6;
        } else {
            dst[n++] = (char)ch;
        }
    }
    dst[n++] = '"';
    return n;
}

/* Queues {"ok":true,"seq":N} ("seq" only when the request had one). */
static void ovl__reply_ok(struct ovl__client *c, const char *seq)
{
    char buf[OVL_SEQ_MAX + 32];
    int n;

    if (seq[0])
        n = snprintf(buf, sizeof buf, "{\"ok\":true,\"seq\":%s}\n", seq);
    else
        n = snprintf(buf, sizeof buf, "{\"ok\":true}\n");
    c->srv->counters.msgs_ok++;
    ovl__out_append(c, buf, (size_t)n);
}

/* Queues the line {"ok":false,"seq":N,"error":"..."} (err cut to
 * OVL_ERR_MAX bytes, "seq" only when given). */
static void ovl__queue_err(struct ovl__client *c, const char *seq,
                           const char *err)
{
    char buf[OVL_SEQ_MAX + 6 * OVL_ERR_MAX + 64], text[OVL_ERR_MAX];
    size_t n;

    snprintf(text, sizeof text, "%s", err);
    n = (size_t)snprintf(buf, sizeof buf, "{\"ok\":false%s%s,\"error\":",
                         seq[0] ? ",\"seq\":" : "", seq);
    n += ovl__json_escape(buf + n, text);
    memcpy(buf + n, "}\n", 2);
    ovl__out_append(c, buf, n + 2);
}

/* Queues an error reply to a request and counts it. */
static void ovl__reply_err(struct ovl__client *c, const char *seq,
                           const char *err)
{
    c->srv->counters.msgs_err++;
    ovl__queue_err(c, seq, err);
}

/* Queues reply (an object already holding "ok" and "seq") and frees it. */
static void ovl__reply_json(struct ovl__client *c, const char *seq,
                            cJSON *reply)
{
    char *text = cJSON_PrintUnformatted(reply);

    cJSON_Delete(reply);
    if (!text) {
        ovl__reply_err(c, seq, "out of memory");
        return;
    }
    c->srv->counters.msgs_ok++;
    if (ovl__out_append(c, text, strlen(text)) == 0)
        ovl__out_append(c, "\n", 1);
    free(text);
}

/* Returns a new {"ok":true,"seq":N} object, or NULL. */
static cJSON *ovl__reply_new(const char *seq)
{
    cJSON *r = cJSON_CreateObject();

    if (!r || !cJSON_AddBoolToObject(r, "ok", 1) ||
        (seq[0] && !cJSON_AddRawToObject(r, "seq", seq))) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

/* ---- requests ------------------------------------------------------------- */

/* ---- roles ---------------------------------------------------------------- */

/* Which roles each request type needs: the one table of them. */
static const struct ovl__rule {
    const char *type;
    unsigned roles; /* any one of them suffices; 0: open to all */
} ovl__rules[] = {
    {"auth", 0},
    {"ping", OVL_ROLE_VIEWER},
    {"state", OVL_ROLE_VIEWER},
    {"stats", OVL_ROLE_VIEWER},
    {"incident", OVL_ROLE_CAD},
    {"unit", OVL_ROLE_CAD},
    {"eido", OVL_ROLE_CAD},
    {"callup", OVL_ROLE_CAD | OVL_ROLE_OPERATOR},
    {"release", OVL_ROLE_CAD | OVL_ROLE_OPERATOR},
    {"layout", OVL_ROLE_OPERATOR},
    {"maximize", OVL_ROLE_OPERATOR},
    {"select", OVL_ROLE_OPERATOR},
    {"move", OVL_ROLE_OPERATOR},
    {"hud", OVL_ROLE_OPERATOR},
    {"help", OVL_ROLE_OPERATOR},
    {"restart", OVL_ROLE_OPERATOR},
    {"pin", OVL_ROLE_OPERATOR},
    {"unpin", OVL_ROLE_OPERATOR},
    {"reload", OVL_ROLE_SUPERVISOR},
    {"snapshot", OVL_ROLE_SUPERVISOR},
    {"unmask", OVL_ROLE_SUPERVISOR},
};

static const char *const ovl__role_names[] = {"viewer", "cad", "operator",
                                              "supervisor"};

int ovl_role_needed(const char *type, unsigned *roles)
{
    size_t i;

    for (i = 0; type && i < sizeof ovl__rules / sizeof ovl__rules[0]; i++)
        if (strcmp(type, ovl__rules[i].type) == 0) {
            *roles = ovl__rules[i].roles;
            return 0;
        }
    return -ENOENT;
}

bool ovl_roles_allow(unsigned have, unsigned need)
{
    return need == 0 || (have & (need | OVL_ROLE_SUPERVISOR)) != 0;
}

unsigned ovl_role_parse(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < 4; i++)
        if (strlen(ovl__role_names[i]) == len &&
            memcmp(name, ovl__role_names[i], len) == 0)
            return 1u << i;
    return 0;
}

void ovl_roles_format(unsigned roles, char *buf, size_t len)
{
    size_t i, n = 0;

    if (len)
        buf[0] = '\0';
    for (i = 0; i < 4 && n < len; i++)
        if (roles & (1u << i))
            n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
                                  ovl__role_names[i]);
}

/* Writes "forbidden: T needs the R role" (R: "cad or operator") into err. */
static void ovl__forbidden_text(const char *type, unsigned need, char *err,
                                size_t len)
{
    char roles[64];
    char *comma;

    ovl_roles_format(need, roles, sizeof roles);
    comma = strchr(roles, ',');
    if (comma) /* two roles at most in the table */
        snprintf(err, len, "forbidden: %s needs the %.*s or %s role", type,
                 (int)(comma - roles), roles, comma + 1);
    else
        snprintf(err, len, "forbidden: %s needs the %s role", type, roles);
}

/* ---- requests ------------------------------------------------------------- */

/* Returns the roles of the token sent (every token compared), or 0. */
static unsigned ovl__token_roles(const struct ovl_server *srv, const char *sent)
{
    unsigned roles = 0;
    size_t i;

    for (i = 0; i < srv->n_tokens; i++)
        if (secret_equal(srv->tokens[i].token, sent))
            roles |= srv->tokens[i].roles;
    return roles;
}

static void ovl__handle_auth(struct ovl__client *c, const struct ovl_msg *m)
{
    struct ovl_server *srv = c->srv;
    char names[64];
    unsigned roles;

    if (!srv->n_tokens) {
        ovl__reply_ok(c, m->seq); /* nothing to prove: roles unchanged */
        return;
    }
    roles = ovl__token_roles(srv, m->token);
    if (roles) {
        c->info.authenticated = true;
        c->info.roles = roles | OVL_ROLE_VIEWER; /* every client may look */
        ovl_roles_format(c->info.roles, names, sizeof names);
        tlog_info(srv->log, "client %llu: authenticated (%s)",
                  (unsigned long long)c->info.id, names);
        ovl__reply_ok(c, m->seq);
        return;
    }
    srv->counters.auth_failures++;
    ovl__reply_err(c, m->seq, "token: not accepted");
    if (++c->auth_failures >= OVL_MAX_AUTH_FAILURES) {
        tlog_warn(srv->log, "client %llu: %d wrong tokens, disconnecting",
                  (unsigned long long)c->info.id, c->auth_failures);
        srv->counters.clients_dropped++;
        uv_read_stop(&c->h.stream);
        c->reading = false;
        c->eof = true; /* no more requests: finish after the replies */
        c->pos = c->in_len;
        c->scanned = 0;
    }
}

static void ovl__handle_state(struct ovl__client *c, const struct ovl_msg *m)
{
    char head[OVL_SEQ_MAX + 32];
    size_t len = 0;
    char *text = ovl_state_to_json(c->srv->state, &len);
    int n;

    if (!text) {
        ovl__reply_err(c, m->seq, "out of memory");
        return;
    }
    /* {"ok":true,"seq":N, then the state object without its "{" */
    n = snprintf(head, sizeof head, "{\"ok\":true%s%s,", m->seq[0] ? ",\"seq\":" : "",
                 m->seq);
    c->srv->counters.msgs_ok++;
    if (ovl__out_append(c, head, (size_t)n) == 0 &&
        ovl__out_append(c, text + 1, len - 1) == 0)
        ovl__out_append(c, "\n", 1);
    free(text);
}

static void ovl__handle_stats(struct ovl__client *c, const struct ovl_msg *m)
{
    const struct ovl_server_hooks *hk = &c->srv->hooks;
    cJSON *r = ovl__reply_new(m->seq), *stats;

    stats = r ? cJSON_AddObjectToObject(r, "stats") : NULL;
    if (!stats) {
        cJSON_Delete(r);
        ovl__reply_err(c, m->seq, "out of memory");
        return;
    }
    if (hk->stats && hk->stats(hk->opaque, stats) < 0) {
        cJSON_Delete(r);
        ovl__reply_err(c, m->seq, "stats: not available");
        return;
    }
    ovl__reply_json(c, m->seq, r);
}

/* Writes 'unknown type "x"' (x cut to 64 bytes) into err. */
static void ovl__unknown_type(const struct ovl_msg *m, char *err, size_t len)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(m->root, "type");
    const char *s = cJSON_IsString(t) && t->valuestring ? t->valuestring : "";

    snprintf(err, len, "unknown type \"%.*s\"",
             (int)ovl_utf8_cut(s, strlen(s), 64), s);
}

static void ovl__handle_other(struct ovl__client *c, const struct ovl_msg *m)
{
    const struct ovl_server_hooks *hk = &c->srv->hooks;
    char err[OVL_ERR_MAX] = "";
    cJSON *r;
    int rc = -ENOENT;

    if (!hk->command) {
        ovl__unknown_type(m, err, sizeof err);
        ovl__reply_err(c, m->seq, err);
        return;
    }
    r = ovl__reply_new(m->seq);
    if (!r) {
        ovl__reply_err(c, m->seq, "out of memory");
        return;
    }
    rc = hk->command(hk->opaque, m->root, &c->info, r, err, sizeof err);
    if (rc == 0) {
        ovl__reply_json(c, m->seq, r);
        return;
    }
    cJSON_Delete(r);
    if (rc == -ENOENT)
        ovl__unknown_type(m, err, sizeof err);
    else if (!err[0])
        snprintf(err, sizeof err, "%s", strerror(-rc));
    ovl__reply_err(c, m->seq, err);
}

/* Applies an incident or unit message to the state. */
static void ovl__handle_change(struct ovl__client *c, const struct ovl_msg *m)
{
    char err[OVL_ERR_MAX];
    struct timespec ts;
    int64_t wall_us;

    clock_gettime(CLOCK_REALTIME, &ts);
    wall_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    if (ovl_state_apply(c->srv->state, m,
                        (c->info.roles & OVL_ROLE_CAD) != 0,
                        (int64_t)(uv_hrtime() / 1000),
                        wall_us, err, sizeof err) < 0)
        ovl__reply_err(c, m->seq, err);
    else
        ovl__reply_ok(c, m->seq);
}

/* The "type" of a parsed message ("" when it has none). */
static const char *ovl__type_of(const struct ovl_msg *m)
{
    const cJSON *t;

    if (m->type != OVL_MSG_OTHER)
        return ovl_msg_type_name(m->type);
    t = cJSON_GetObjectItemCaseSensitive(m->root, "type");
    return cJSON_IsString(t) && t->valuestring ? t->valuestring : "";
}

/* Returns true when c may send m; otherwise queues the error reply (and
 * nothing changes).  A type the table does not know reaches the command
 * hook for a supervisor only; others are told it is unknown. */
static bool ovl__allowed(struct ovl__client *c, const struct ovl_msg *m)
{
    const char *type = ovl__type_of(m);
    char err[OVL_ERR_MAX];
    unsigned need = OVL_ROLE_SUPERVISOR;

    if (m->type == OVL_MSG_AUTH)
        return true;
    if (!c->info.authenticated && !c->info.roles) {
        ovl__reply_err(c, m->seq, "not authenticated: send "
                                  "{\"type\":\"auth\",\"token\":\"...\"} first");
        return false;
    }
    if (ovl_role_needed(type, &need) < 0 &&
        !(c->info.roles & OVL_ROLE_SUPERVISOR)) {
        ovl__unknown_type(m, err, sizeof err);
        ovl__reply_err(c, m->seq, err);
        return false;
    }
    if (ovl_roles_allow(c->info.roles, need))
        return true;
    c->srv->counters.forbidden++;
    ovl__forbidden_text(type, need, err, sizeof err);
    if (c->srv->hooks.forbidden)
        c->srv->hooks.forbidden(c->srv->hooks.opaque, m->type == OVL_MSG_OTHER ? m->root : NULL,
                                &c->info, err);
    ovl__reply_err(c, m->seq, err);
    return false;
}

/* Whether a line starts like an HTTP request or header ("GET ", "Host:"). */
static bool ovl__looks_http(const char *line, size_t len)
{
    static const char *const methods[] = {
        "GET ", "POST ", "PUT ", "HEAD ", "OPTIONS ", "DELETE ",
        "PATCH ", "CONNECT ", "TRACE ", "PRI "};
    size_t i, n;

    for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        n = strlen(methods[i]);
        if (len >= n && memcmp(line, methods[i], n) == 0)
            return true;
    }
    for (i = 0; i < len && ((line[i] >= 'A' && line[i] <= 'Z') ||
                            (line[i] >= 'a' && line[i] <= 'z') ||
                            (line[i] >= '0' && line[i] <= '9') ||
                            line[i] == '-');
         i++)
        ;
    return i > 0 && i < len && line[i] == ':';
}

/* Closes c at once, without a reply: its first line was HTTP (a browser
 * page must not drive the socket). */
static void ovl__close_http(struct ovl__client *c)
{
    struct ovl_server *srv = c->srv;
    unsigned long long n = ++srv->counters.http_closed;

    if ((n & (n - 1)) == 0) /* the 1st, 2nd, 4th, 8th ...: no log flood */
        tlog_warn(srv->log, "client %llu: sent HTTP, closing (%llu so far)",
                  (unsigned long long)c->info.id, n);
    srv->counters.clients_dropped++;
    c->pos = c->in_len;
    c->scanned = 0;
    ovl__client_close(c);
}

/* Handles one line (without its "\n") and queues its reply, if any. */
static void ovl__handle_line(struct ovl__client *c, const char *line,
                             size_t len)
{
    char err[OVL_ERR_MAX];
    struct ovl_msg m;
    int rc;

    if (!c->got_line && ovl__looks_http(line, len)) {
        ovl__close_http(c);
        return;
    }
    rc = ovl_parse_line(line, len, &m, err, sizeof err);
    if (rc != 1) {
        c->got_line = true;
        c->active_ms = uv_now(c->srv->loop);
    }
    if (rc < 0)
        ovl__reply_err(c, m.seq, err);
    else if (rc == 0 && ovl__allowed(c, &m))
        switch (m.type) {
        case OVL_MSG_INCIDENT_UPSERT:
        case OVL_MSG_INCIDENT_CLOSE:
        case OVL_MSG_UNIT_UPSERT:
        case OVL_MSG_UNIT_REMOVE:
            ovl__handle_change(c, &m);
            break;
        case OVL_MSG_STATE:
            ovl__handle_state(c, &m);
            break;
        case OVL_MSG_STATS:
            ovl__handle_stats(c, &m);
            break;
        case OVL_MSG_PING:
            ovl__reply_ok(c, m.seq);
            break;
        case OVL_MSG_AUTH:
            ovl__handle_auth(c, &m);
            break;
        case OVL_MSG_OTHER:
            ovl__handle_other(c, &m);
            break;
        }
    ovl_msg_clear(&m);
}

/* ---- connections ---------------------------------------------------------- */

static void ovl__on_handle_closed(uv_handle_t *h)
{
    struct ovl_server *srv = h->data;

    srv->open_handles--;
}

static void ovl__on_client_closed(uv_handle_t *h)
{
    struct ovl__client *c = h->data;
    struct ovl_server *srv = c->srv;
    struct ovl__client *last = srv->clients[srv->n_clients - 1];

    srv->clients[c->index] = last;
    last->index = c->index;
    srv->n_clients--;
    if (!c->refused) {
        srv->n_served--;
        srv->counters.clients--;
    }
    srv->open_handles--;
    tlog_debug(srv->log, "client %llu: gone", (unsigned long long)c->info.id);
    free(c->in);
    free(c->out);
    free(c);
}

/* Frees a connection closed before it joined srv->clients. */
static void ovl__on_stray_closed(uv_handle_t *h)
{
    struct ovl__client *c = h->data;

    c->srv->open_handles--;
    free(c);
}

/* Closes c now; pending writes are cancelled.  Safe to call twice. */
static void ovl__client_close(struct ovl__client *c)
{
    if (c->closing)
        return;
    c->closing = true;
    uv_close(&c->h.handle, ovl__on_client_closed);
}

static void ovl__on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    ovl__client_close(req->data);
}

/* Closes c once the replies queued so far are written. */
static void ovl__client_end(struct ovl__client *c)
{
    if (c->ending || c->closing)
        return;
    c->ending = true;
    c->shutdown.data = c;
    if (uv_shutdown(&c->shutdown, &c->h.stream, ovl__on_shutdown) < 0)
        ovl__client_close(c);
}

static void ovl__on_write(uv_write_t *req, int status)
{
    struct ovl__write *w = (struct ovl__write *)req;
    struct ovl__client *c = req->handle->data;

    free(w->data);
    free(w);
    if (status < 0 && status != UV_ECANCELED)
        ovl__client_close(c);
}

/* Starts writing the replies queued in this iteration.  Drops the client
 * when more than max_backlog bytes of earlier replies are still unsent. */
static void ovl__client_flush(struct ovl__client *c)
{
    struct ovl_server *srv = c->srv;
    size_t backlog = uv_stream_get_write_queue_size(&c->h.stream);
    struct ovl__write *w;
    uv_buf_t buf;

    if (!c->out_len || c->closing)
        return;
    if (backlog > srv->max_backlog) {
        tlog_warn(srv->log, "client %llu: %zu bytes of replies unsent, "
                            "disconnecting",
                  (unsigned long long)c->info.id, backlog);
        srv->counters.clients_dropped++;
        ovl__client_close(c);
        return;
    }
    w = malloc(sizeof *w);
    if (!w) {
        ovl__client_close(c);
        return;
    }
    w->data = c->out;
    buf = uv_buf_init(c->out, (unsigned)c->out_len);
    srv->counters.bytes_out += c->out_len;
    c->out = NULL;
    c->out_len = c->out_cap = 0;
    if (uv_write(&w->req, &c->h.stream, &buf, 1, ovl__on_write) < 0) {
        free(w->data);
        free(w);
        ovl__client_close(c);
    }
}

static void ovl__on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct ovl__client *c = h->data;
    size_t cap = c->in_cap;
    char *p;

    (void)suggested;
    if (c->in_cap - c->in_len < OVL__IN_MIN / 2 && cap < OVL__IN_MAX) {
        cap = cap ? cap * 2 : OVL__IN_MIN;
        cap = cap > OVL__IN_MAX ? OVL__IN_MAX : cap;
        p = realloc(c->in, cap);
        if (p) {
            c->in = p;
            c->in_cap = cap;
        }
    }
    *buf = uv_buf_init(NULL, 0);
    if (c->in && c->in_len < c->in_cap)
        *buf = uv_buf_init(c->in + c->in_len, (unsigned)(c->in_cap - c->in_len));
}

static void ovl__on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct ovl__client *c = s->data;

    (void)buf;
    if (nread > 0) {
        c->in_len += (size_t)nread;
        c->srv->counters.bytes_in += (uint64_t)nread;
        if (c->in_len == c->in_cap && c->in_cap >= OVL__IN_MAX) {
            uv_read_stop(s); /* full: the check handle makes room */
            c->reading = false;
        }
    } else if (nread == UV_ENOBUFS) {
        uv_read_stop(s);
        c->reading = false;
    } else if (nread == UV_EOF) {
        c->eof = true; /* libuv stopped reading; replies still go out */
        c->reading = false;
    } else if (nread < 0) {
        tlog_debug(c->srv->log, "client %llu: %s",
                   (unsigned long long)c->info.id, uv_strerror((int)nread));
        ovl__client_close(c);
    }
}

/* Fills c->info with the peer's credentials or address. */
static void ovl__peer_info(struct ovl__client *c)
{
    struct ovl_client_info *in = &c->info;
    struct sockaddr_storage ss;
    struct ucred cred;
    socklen_t clen = sizeof cred;
    int len = sizeof ss;
    char ip[48] = "?";
    uv_os_fd_t fd;

    if (in->kind == OVL_PEER_UNIX) {
        if (uv_fileno(&c->h.handle, &fd) == 0 &&
            getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
            in->has_cred = true;
            in->uid = cred.uid;
            in->gid = cred.gid;
            in->pid = cred.pid;
        }
        return;
    }
    if (uv_tcp_getpeername(&c->h.tcp, (struct sockaddr *)&ss, &len) < 0)
        return;
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        uv_ip6_name(a, ip, sizeof ip);
        snprintf(in->addr, sizeof in->addr, "[%s]:%u", ip, ntohs(a->sin6_port));
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        uv_ip4_name(a, ip, sizeof ip);
        snprintf(in->addr, sizeof in->addr, "%s:%u", ip, ntohs(a->sin_port));
    }
}

/* Allocates a client and initialises its handle (counted as open). */
static struct ovl__client *ovl__client_new(struct ovl_server *srv)
{
    struct ovl__client *c = calloc(1, sizeof *c);
    int rc;

    if (!c)
        return NULL;
    c->srv = srv;
    c->info.kind = srv->spec.kind;
    if (srv->spec.kind == OVL_PEER_UNIX)
        rc = uv_pipe_init(srv->loop, &c->h.pipe, 0);
    else
        rc = uv_tcp_init(srv->loop, &c->h.tcp);
    if (rc < 0) {
        free(c);
        return NULL;
    }
    c->h.handle.data = c;
    srv->open_handles++;
    return c;
}

/* Tells a connection over max_clients why, then closes it. */
static void ovl__refuse(struct ovl__client *c)
{
    struct ovl_server *srv = c->srv;
    unsigned long long n;
    char msg[96];

    c->refused = true;
    n = ++srv->counters.clients_refused;
    if ((n & (n - 1)) == 0) /* the 1st, 2nd, 4th, 8th ...: no log flood */
        tlog_warn(srv->log, "refusing a client: already %zu connected (%llu "
                            "refused so far)",
                  srv->n_served, (unsigned long long)n);
    snprintf(msg, sizeof msg, "too many clients (the limit is %zu)",
             srv->max_clients);
    ovl__queue_err(c, "", msg);
    ovl__client_flush(c);
    ovl__client_end(c);
}

static void ovl__on_connection(uv_stream_t *listener, int status)
{
    struct ovl_server *srv = listener->data;
    struct ovl__client *c;

    if (status < 0) {
        tlog_warn(srv->log, "accept: %s", uv_strerror(status));
        return;
    }
    c = ovl__client_new(srv);
    if (!c) {
        tlog_err(srv->log, "accept: out of memory");
        return;
    }
    c->info.id = ++srv->next_id;
    if (uv_accept(listener, &c->h.stream) < 0 ||
        srv->n_clients >= srv->max_clients + OVL__REFUSING_MAX) {
        c->closing = true; /* never in srv->clients */
        uv_close(&c->h.handle, ovl__on_stray_closed);
        return;
    }
    ovl__client_start(c);
}

/* Serves an accepted c (not yet in srv->clients): refuses it over
 * max_clients, else gives it its first roles and starts reading. */
static void ovl__client_start(struct ovl__client *c)
{
    struct ovl_server *srv = c->srv;

    c->index = srv->n_clients;
    srv->clients[srv->n_clients++] = c;
    if (srv->n_served >= srv->max_clients) {
        ovl__refuse(c);
        return;
    }
    srv->n_served++;
    srv->counters.clients++;
    srv->counters.clients_accepted++;
    c->info.authenticated = srv->n_tokens == 0;
    /* Without tokens: the 0600 Unix socket is the wall's own user (every
     * role); loopback TCP may be anyone on the machine (a viewer). */
    if (srv->n_tokens)
        c->info.roles = srv->unauth_roles;
    else
        c->info.roles = c->info.kind == OVL_PEER_UNIX ? OVL_ROLES_ALL
                                                      : OVL_ROLE_VIEWER;
    c->since_ms = c->active_ms = uv_now(srv->loop);
    if (c->info.kind == OVL_PEER_TCP)
        uv_tcp_nodelay(&c->h.tcp, 1); /* replies are batched already */
    ovl__peer_info(c);
    tlog_debug(srv->log, "client %llu: connected", (unsigned long long)c->info.id);
    if (uv_read_start(&c->h.stream, ovl__on_alloc, ovl__on_read) == 0)
        c->reading = true;
    else
        ovl__client_close(c);
}

int ovl_server_adopt(struct ovl_server *srv, int fd)
{
    struct ovl__client *c = calloc(1, sizeof *c);
    int rc;

    if (!c) {
        close(fd);
        return -ENOMEM;
    }
    c->srv = srv;
    c->info.kind = OVL_PEER_UNIX;
    rc = uv_pipe_init(srv->loop, &c->h.pipe, 0);
    if (rc < 0) {
        free(c);
        close(fd);
        return rc;
    }
    c->h.handle.data = c;
    srv->open_handles++;
    c->info.id = ++srv->next_id;
    rc = uv_pipe_open(&c->h.pipe, fd);
    if (rc < 0 || srv->n_clients >= srv->max_clients + OVL__REFUSING_MAX) {
        if (rc < 0)
            close(fd);
        c->closing = true; /* never in srv->clients */
        uv_close(&c->h.handle, ovl__on_stray_closed);
        return rc < 0 ? rc : -EBUSY;
    }
    ovl__client_start(c);
    return 0;
}

/* ---- the per-iteration step ----------------------------------------------- */

/* Finds the next complete line of c.  Returns 1 with *line and *len set, 2
 * when the buffered line turned out over-long (its bytes are dropped up to
 * its newline), or 0 when no complete line is buffered. */
static int ovl__next_line(struct ovl__client *c, const char **line,
                          size_t *len)
{
    size_t avail = c->in_len - c->pos;
    char *p, *nl = NULL;

    if (!c->in)
        return 0; /* nothing received yet */
    p = c->in + c->pos;
    if (avail > c->scanned)
        nl = memchr(p + c->scanned, '\n', avail - c->scanned);
    c->scanned = nl ? 0 : avail;
    if (c->skipping) {
        c->pos = nl ? c->pos + (size_t)(nl - p) + 1 : c->in_len;
        c->scanned = 0;
        if (!nl)
            return 0;
        c->skipping = false;
        return ovl__next_line(c, line, len);
    }
    if (!nl) {
        if (avail <= OVL_LINE_MAX + 1) /* could still end in "\r\n" */
            return 0;
        c->skipping = true;
        c->pos = c->in_len;
        c->scanned = 0;
        return 2;
    }
    *line = p;
    *len = (size_t)(nl - p);
    c->pos += *len + 1;
    return 1;
}

/* Moves the bytes not handled yet to the start of the input buffer. */
static void ovl__compact(struct ovl__client *c)
{
    if (c->pos == 0)
        return;
    memmove(c->in, c->in + c->pos, c->in_len - c->pos);
    c->in_len -= c->pos;
    c->pos = 0;
}

/* Handles up to lines_per_step lines of c (fewer once the deadline passed or
 * a lot of replies are queued), writes the replies, resumes reading when
 * there is room, and ends c after the peer's EOF.  Returns true when lines
 * may be left for the next iteration. */
static bool ovl__client_step(struct ovl__client *c, uint64_t deadline)
{
    struct ovl_server *srv = c->srv;
    const char *line = NULL;
    size_t len = 0, lines = 0;
    bool more = false;
    int r;

    while (!c->closing && !c->ending) {
        if (lines >= srv->lines_per_step || c->out_len >= srv->max_backlog ||
            (lines && uv_hrtime() >= deadline)) {
            more = true;
            break;
        }
        r = ovl__next_line(c, &line, &len);
        if (r == 0)
            break;
        lines++;
        if (r == 1) {
            ovl__handle_line(c, line, len);
            continue;
        }
        srv->counters.lines_too_long++;
        ovl__reply_err(c, "", "line longer than 65536 bytes");
    }
    ovl__compact(c);
    ovl__client_flush(c);
    if (c->closing || c->ending)
        return false;
    if (!c->reading && !c->eof && c->in_len < OVL__IN_MAX &&
        uv_read_start(&c->h.stream, ovl__on_alloc, ovl__on_read) == 0)
        c->reading = true;
    if (c->eof && !more)
        ovl__client_end(c); /* a partial last line is dropped */
    return more;
}

static void ovl__on_idle(uv_idle_t *h)
{
    (void)h; /* only keeps the loop from blocking while lines wait */
}

static void ovl__on_rest(uv_timer_t *h)
{
    (void)h; /* only wakes the loop: the check handle goes on next */
}

/* Works through the clients' lines for at most step_budget; with lines
 * left, rests three times as long as it worked before the next step, so a
 * flood takes at most a quarter of the thread that runs the loop (the
 * render thread) however often the loop turns. */
static void ovl__on_check(uv_check_t *h)
{
    struct ovl_server *srv = h->data;
    uint64_t start = uv_hrtime();
    if (start < srv->resume_at)
        return;
    uint64_t deadline = start + srv->step_budget_ns;
    size_t n = srv->n_clients, k;
    size_t next = n ? (srv->cursor + 1) % n : 0; /* who goes first next */
    struct ovl__client *c;
    bool more = false;

    for (k = 0; k < n; k++) {
        c = srv->clients[(srv->cursor + k) % n];
        if (k > 0 && uv_hrtime() >= deadline) {
            more = true; /* out of time: the rest go first next time */
            next = (srv->cursor + k) % n;
            break;
        }
        if (!c->refused && !c->closing && ovl__client_step(c, deadline))
            more = true;
    }
    srv->cursor = next;
    uv_idle_stop(&srv->idle);
    if (more) {
        uint64_t rest = 3 * (uv_hrtime() - start);
        srv->resume_at = uv_hrtime() + rest;
        if (rest < 1000000)
            uv_idle_start(&srv->idle, ovl__on_idle); /* under 1 ms: no sleep */
        else
            uv_timer_start(&srv->rest, ovl__on_rest, rest / 1000000, 0);
    }
}

static void ovl__on_timer(uv_timer_t *h)
{
    struct ovl_server *srv = h->data;

    ovl_state_expire(srv->state, (int64_t)(uv_hrtime() / 1000));
}

/* Tells c why (reason) and closes it once that line is written. */
static void ovl__client_expel(struct ovl__client *c, const char *reason)
{
    tlog_info(c->srv->log, "client %llu: %s", (unsigned long long)c->info.id,
              reason);
    c->srv->counters.clients_dropped++;
    ovl__queue_err(c, "", reason);
    ovl__client_flush(c);
    ovl__client_end(c);
}

/* Closes the clients that have not authenticated within auth_ms (when
 * tokens are set) or sent no request within idle_ms. */
static void ovl__on_sweep(uv_timer_t *h)
{
    struct ovl_server *srv = h->data;
    uint64_t now = uv_now(srv->loop);
    char why[96];
    size_t i;

    for (i = 0; i < srv->n_clients; i++) {
        struct ovl__client *c = srv->clients[i];
        if (c->refused || c->closing || c->ending)
            continue;
        if (srv->n_tokens && !c->info.authenticated &&
            now - c->since_ms >= srv->auth_ms) {
            srv->counters.auth_timeouts++;
            snprintf(why, sizeof why, "not authenticated within %.1f s: closing",
                     srv->auth_ms / 1000.0);
            ovl__client_expel(c, why);
        } else if (srv->idle_ms != OVL_IDLE_NEVER &&
                   now - c->active_ms >= srv->idle_ms) {
            srv->counters.idle_closed++;
            snprintf(why, sizeof why, "idle for %.1f s: closing",
                     srv->idle_ms / 1000.0);
            ovl__client_expel(c, why);
        }
    }
}

/* How often to sweep: a quarter of the shorter timeout, 10 ms .. 1 s. */
static uint64_t ovl__sweep_ms(const struct ovl_server *srv)
{
    uint64_t t = srv->idle_ms < srv->auth_ms ? srv->idle_ms : srv->auth_ms;

    t /= 4;
    return t < 10 ? 10 : t > 1000 ? 1000 : t;
}

/* ---- listening ------------------------------------------------------------ */

/* Removes a socket file at path that nobody listens on.  Returns 0 when the
 * path is free now, or a negative errno (logged). */
static int ovl__remove_stale(struct ovl_server *srv, const char *path,
                             const struct sockaddr_un *sa)
{
    struct stat st;
    int fd, rc;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISSOCK(st.st_mode)) {
        tlog_err(srv->log, "%s exists and is not a socket", path);
        return -EEXIST;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    rc = connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0 ? 0 : -errno;
    close(fd);
    if (rc != -ECONNREFUSED) {
        tlog_err(srv->log, "%s: another process is listening on it", path);
        return -EADDRINUSE;
    }
    tlog_info(srv->log, "removing stale socket %s", path);
    return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

/* Creates, binds (mode 0600) and opens the Unix socket into srv->listener. */
static int ovl__bind_unix(struct ovl_server *srv, const char *path)
{
    struct sockaddr_un sa;
    struct stat st;
    int fd, rc;

    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    rc = ovl__remove_stale(srv, path, &sa);
    if (rc < 0)
        return rc;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    /* On Linux the socket inode's mode (masked by umask) becomes the file's
     * mode at bind(), so the file never exists with wider permissions. */
    if (fchmod(fd, 0600) < 0 ||
        bind(fd, (const struct sockaddr *)&sa, sizeof sa) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    srv->unlink_path = true;
    if (stat(path, &st) == 0) {
        srv->sock_dev = st.st_dev;
        srv->sock_ino = st.st_ino;
        if ((st.st_mode & 0077) && chmod(path, 0600) < 0)
            tlog_warn(srv->log, "chmod %s: %s", path, strerror(errno));
    }
    rc = uv_pipe_open(&srv->listener.pipe, fd);
    if (rc < 0)
        close(fd);
    return rc;
}

static int ovl__listen_unix(struct ovl_server *srv)
{
    int rc;

    rc = uv_pipe_init(srv->loop, &srv->listener.pipe, 0);
    if (rc < 0)
        return rc;
    srv->listener.handle.data = srv;
    srv->have_listener = true;
    srv->open_handles++;
    rc = ovl__bind_unix(srv, srv->spec.path);
    if (rc == 0)
        rc = uv_listen(&srv->listener.stream, 128, ovl__on_connection);
    if (rc < 0)
        tlog_err(srv->log, "cannot listen on unix:%s: %s", srv->spec.path,
                 strerror(-rc));
    return rc;
}

static int ovl__listen_tcp(struct ovl_server *srv)
{
    struct sockaddr_storage ss;
    int rc, len = sizeof ss;

    memset(&ss, 0, sizeof ss);
    if (uv_ip4_addr(srv->spec.host, srv->spec.port,
                    (struct sockaddr_in *)&ss) < 0 &&
        uv_ip6_addr(srv->spec.host, srv->spec.port,
                    (struct sockaddr_in6 *)&ss) < 0)
        return -EINVAL;
    rc = uv_tcp_init(srv->loop, &srv->listener.tcp);
    if (rc < 0)
        return rc;
    srv->listener.handle.data = srv;
    srv->have_listener = true;
    srv->open_handles++;
    rc = uv_tcp_bind(&srv->listener.tcp, (const struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen(&srv->listener.stream, 128, ovl__on_connection);
    if (rc == 0)
        rc = uv_tcp_getsockname(&srv->listener.tcp, (struct sockaddr *)&ss,
                                &len);
    if (rc < 0) {
        tlog_err(srv->log, "cannot listen on tcp:%s%s%s:%d: %s",
                 OVL__HOST(&srv->spec), srv->spec.port, uv_strerror(rc));
        return rc;
    }
    srv->port = ntohs(ss.ss_family == AF_INET6
                          ? ((struct sockaddr_in6 *)&ss)->sin6_port
                          : ((struct sockaddr_in *)&ss)->sin_port);
    return 0;
}

/* ---- life cycle ----------------------------------------------------------- */

/* Copies cfg's tokens into srv->tokens (cfg->token first, with every role);
 * returns 0 or -EINVAL (logged, without the token). */
static int ovl__configure_tokens(struct ovl_server *srv,
                                 const struct ovl_server_config *cfg)
{
    size_t i, n = cfg->n_tokens + (cfg->token && cfg->token[0]);
    struct ovl_token *t;

    if (!n)
        return 0;
    t = srv->tokens = calloc(n, sizeof *t);
    if (!t)
        return -EINVAL;
    if (cfg->token && cfg->token[0]) {
        if (strlen(cfg->token) > OVL_TOKEN_MAX) {
            tlog_err(srv->log, "control token: longer than %d bytes",
                     OVL_TOKEN_MAX);
            return -EINVAL;
        }
        strcpy(t->token, cfg->token);
        t++->roles = OVL_ROLES_ALL;
    }
    for (i = 0; i < cfg->n_tokens; i++, t++) {
        if (!cfg->tokens[i].token[0] || !cfg->tokens[i].roles) {
            tlog_err(srv->log, "control token %zu: empty, or without roles",
                     i + 1);
            return -EINVAL;
        }
        *t = cfg->tokens[i];
    }
    srv->n_tokens = n;
    /* The old single token: nothing before auth.  Tokens with roles: a
     * client is a viewer until it proves more. */
    srv->unauth_roles = cfg->n_tokens ? OVL_ROLE_VIEWER : 0;
    return 0;
}

/* Copies cfg into srv, taking defaults; returns 0 or -EINVAL (logged). */
static int ovl__configure(struct ovl_server *srv,
                          const struct ovl_server_config *cfg)
{
    char err[160];

    if (ovl_spec_parse(cfg->spec, &srv->spec, err, sizeof err) < 0) {
        tlog_err(srv->log, "control socket: %s", err);
        return -EINVAL;
    }
    if (ovl__configure_tokens(srv, cfg) < 0)
        return -EINVAL;
    if (srv->spec.kind == OVL_PEER_TCP && !srv->spec.loopback &&
        !srv->n_tokens) {
        tlog_err(srv->log, "refusing to listen on tcp:%s%s%s:%d, not a "
                           "loopback address, without a token",
                 OVL__HOST(&srv->spec), srv->spec.port);
        return -EPERM;
    }
    srv->max_clients = cfg->max_clients ? cfg->max_clients
                                        : OVL_MAX_CLIENTS_DEFAULT;
    srv->lines_per_step = cfg->lines_per_step ? cfg->lines_per_step
                                              : OVL_LINES_PER_STEP_DEFAULT;
    srv->max_backlog = cfg->max_backlog ? cfg->max_backlog
                                        : OVL_MAX_BACKLOG_DEFAULT;
    srv->step_budget_ns = 1000ull * (cfg->step_budget_us
                                         ? cfg->step_budget_us
                                         : OVL_STEP_BUDGET_US_DEFAULT);
    srv->expire_ms = cfg->expire_ms ? cfg->expire_ms : OVL_EXPIRE_MS_DEFAULT;
    srv->idle_ms = cfg->idle_ms ? cfg->idle_ms : OVL_IDLE_MS_DEFAULT;
    srv->auth_ms = cfg->auth_timeout_ms ? cfg->auth_timeout_ms
                                        : OVL_AUTH_TIMEOUT_MS_DEFAULT;
    return 0;
}

/* libuv writes to sockets with write(2): a peer that is gone would raise
 * SIGPIPE, which kills a process that has not chosen otherwise.  So when
 * SIGPIPE still has its default action, it is set to be ignored (writes then
 * fail with EPIPE and the client is closed). */
static void ovl__ignore_sigpipe(struct ovl_server *srv)
{
    struct sigaction sa;

    if (sigaction(SIGPIPE, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
        return;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGPIPE, &sa, NULL) == 0)
        tlog_debug(srv->log, "SIGPIPE is now ignored (needed for sockets)");
}

/* Initialises and starts the check, idle and timer handles (unreferenced:
 * they never keep the loop alive on their own). */
static void ovl__start_aux(struct ovl_server *srv)
{
    uv_check_init(srv->loop, &srv->check);
    uv_idle_init(srv->loop, &srv->idle);
    uv_timer_init(srv->loop, &srv->timer);
    uv_timer_init(srv->loop, &srv->rest);
    uv_timer_init(srv->loop, &srv->sweep);
    srv->check.data = srv->idle.data = srv->timer.data = srv->rest.data = srv;
    srv->sweep.data = srv;
    srv->have_aux = true;
    srv->open_handles += 5;
    uv_unref((uv_handle_t *)&srv->check);
    uv_unref((uv_handle_t *)&srv->idle);
    uv_unref((uv_handle_t *)&srv->timer);
    uv_unref((uv_handle_t *)&srv->rest);
    uv_unref((uv_handle_t *)&srv->sweep);
    uv_check_start(&srv->check, ovl__on_check);
    uv_timer_start(&srv->timer, ovl__on_timer, srv->expire_ms, srv->expire_ms);
    uv_timer_start(&srv->sweep, ovl__on_sweep, ovl__sweep_ms(srv),
                   ovl__sweep_ms(srv));
}

struct ovl_server *ovl_server_create(uv_loop_t *loop,
                                     const struct ovl_server_config *cfg,
                                     struct ovl_state *state,
                                     const struct ovl_server_hooks *hooks,
                                     const struct tlog *log)
{
    struct ovl_server *srv = calloc(1, sizeof *srv);

    if (!srv) {
        tlog_err(log, "control socket: out of memory");
        return NULL;
    }
    srv->loop = loop;
    srv->log = log;
    srv->state = state;
    if (hooks)
        srv->hooks = *hooks;
    if (!loop || !cfg || !state || ovl__configure(srv, cfg) < 0)
        goto fail;
    srv->clients = calloc(srv->max_clients + OVL__REFUSING_MAX,
                          sizeof *srv->clients);
    if (!srv->clients)
        goto fail;
    ovl__ignore_sigpipe(srv);
    ovl__start_aux(srv);
    if ((srv->spec.kind == OVL_PEER_UNIX ? ovl__listen_unix(srv)
                                         : ovl__listen_tcp(srv)) < 0)
        goto fail;
    if (srv->spec.kind == OVL_PEER_UNIX)
        tlog_info(log, "listening on unix:%s", srv->spec.path);
    else
        tlog_info(log, "listening on tcp:%s%s%s:%d%s", OVL__HOST(&srv->spec),
                  srv->port, srv->n_tokens ? " (tokens)" : "");
    return srv;
fail:
    ovl_server_destroy(srv);
    return NULL;
}

/* Removes the socket file if it is still the one this server created. */
static void ovl__unlink_socket(struct ovl_server *srv)
{
    struct stat st;

    if (srv->unlink_path && lstat(srv->spec.path, &st) == 0 &&
        st.st_dev == srv->sock_dev && st.st_ino == srv->sock_ino)
        unlink(srv->spec.path);
}

void ovl_server_destroy(struct ovl_server *srv)
{
    size_t i;

    if (!srv)
        return;
    for (i = 0; i < srv->n_clients; i++)
        ovl__client_close(srv->clients[i]);
    if (srv->have_listener)
        uv_close(&srv->listener.handle, ovl__on_handle_closed);
    if (srv->have_aux) {
        uv_close((uv_handle_t *)&srv->check, ovl__on_handle_closed);
        uv_close((uv_handle_t *)&srv->idle, ovl__on_handle_closed);
        uv_close((uv_handle_t *)&srv->timer, ovl__on_handle_closed);
        uv_close((uv_handle_t *)&srv->rest, ovl__on_handle_closed);
        uv_close((uv_handle_t *)&srv->sweep, ovl__on_handle_closed);
    }
    while (srv->open_handles > 0)
        uv_run(srv->loop, UV_RUN_NOWAIT);
    ovl__unlink_socket(srv);
    free(srv->clients);
    if (srv->tokens) {
        memset(srv->tokens, 0, srv->n_tokens * sizeof *srv->tokens);
        free(srv->tokens);
    }
    free(srv);
}

void ovl_server_get_counters(const struct ovl_server *srv,
                             struct ovl_server_counters *out)
{
    *out = srv->counters;
}

int ovl_server_port(const struct ovl_server *srv)
{
    return srv->spec.kind == OVL_PEER_TCP ? srv->port : 0;
}
