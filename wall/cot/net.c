/*
 * net.c - the CoT sockets of the inputs (see inputs.h): UDP (joins a
 * multicast group on every IPv4 interface, loopback included), a TCP client
 * that reconnects with backoff (1 s doubling to 30 s), a TCP listener whose
 * senders beyond loopback must match --cot-allow, and the once-a-second sweep
 * that cuts off a peer holding half an event for COT_STALL_S.
 */
#include "cot/inputs_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "overlay/state.h"

#define COT__BACKOFF_MIN_MS 1000
#define COT__BACKOFF_MAX_MS 30000

static void cot__handle_closed(uv_handle_t *h)
{
    struct cot__src *s = h->data;
    s->owner->open_handles--;
}

static void cot__alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    struct cot__src *s = h->data;
    (void)hint;
    *buf = uv_buf_init(s->rbuf, COT_EVENT_MAX + 1);
}

/* Whether a sender may talk to us: loopback always, others when in the
 * --cot-allow list (or, for UDP, when there is no list). */
static bool cot__allowed(const struct cot_inputs *in, const struct sockaddr *a, bool udp)
{
    static const struct cot_cidr lo[] = {{AF_INET, {127}, 8}, {AF_INET6, {[15] = 1}, 128}};
    if (cot_cidr_match(lo, 2, a))
        return true;
    if (udp && in->n_allow == 0)
        return true;
    return cot_cidr_match(in->allow, in->n_allow, a);
}

static int cot__addr(const struct cot_spec *sp, struct sockaddr_storage *ss)
{
    const char *host = strcmp(sp->host, "localhost") == 0 ? "127.0.0.1" : sp->host;
    if (uv_ip4_addr(host, sp->port, (struct sockaddr_in *)ss) == 0)
        return 0;
    return uv_ip6_addr(host, sp->port, (struct sockaddr_in6 *)ss) == 0 ? 0 : -EINVAL;
}

/* ---- UDP ---- */

static void cot__udp_recv(uv_udp_t *h, ssize_t n, const uv_buf_t *buf,
                          const struct sockaddr *from, unsigned flags)
{
    struct cot__src *s = h->data;
    if (n <= 0 || !from)
        return;
    if (!cot__allowed(s->owner, from, true))
        cot__set_error(s, "datagram from a sender not in --cot-allow refused");
    else if (flags & UV_UDP_PARTIAL || (size_t)n > COT_EVENT_MAX)
        cot__set_error(s, "datagram over %d bytes refused", COT_EVENT_MAX);
    else
        cot__apply(s, buf->base, (size_t)n);
}

/* Joins group on every IPv4 interface; returns how many joins worked. */
static int cot__join(struct cot__src *s, const char *group)
{
    uv_interface_address_t *ifs;
    int n_ifs, joined = 0;
    char ip[64];
    if (uv_interface_addresses(&ifs, &n_ifs) < 0)
        return uv_udp_set_membership(&s->h.udp, group, NULL, UV_JOIN_GROUP) == 0;
    for (int i = 0; i < n_ifs; i++) {
        if (ifs[i].address.address4.sin_family != AF_INET)
            continue;
        uv_ip4_name(&ifs[i].address.address4, ip, sizeof ip);
        joined += uv_udp_set_membership(&s->h.udp, group, ip, UV_JOIN_GROUP) == 0;
    }
    uv_free_interface_addresses(ifs, n_ifs);
    return joined;
}

static int cot__udp_open(struct cot_inputs *in, struct cot__src *s)
{
    struct sockaddr_storage ss;
    int rc;
    if (cot__addr(&s->sp, &ss) < 0) {
        tlog_err(in->log, "--cot %s: the host must be an IP address", s->spec);
        return -EINVAL;
    }
    bool mcast = ss.ss_family == AF_INET &&
                 IN_MULTICAST(ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr));
    uv_udp_init(in->loop, &s->h.udp);
    s->h.handle.data = s;
    s->h_open = true, in->open_handles++;
    if ((rc = uv_udp_bind(&s->h.udp, (struct sockaddr *)&ss, UV_UDP_REUSEADDR)) < 0 ||
        (mcast && cot__join(s, s->sp.host) == 0 && (rc = UV_ENODEV)) ||
        (rc = uv_udp_recv_start(&s->h.udp, cot__alloc, cot__udp_recv)) < 0) {
        tlog_err(in->log, "--cot %s: %s", s->spec, uv_strerror(rc));
        return rc;
    }
    int size = 4 << 20; /* ride out bursts; the rate limit drops the rest */
    uv_recv_buffer_size(&s->h.handle, &size);
    s->connected = true;
    tlog_info(in->log, "listening for CoT on %s%s", s->spec, mcast ? " (multicast)" : "");
    return 0;
}

/* ---- the chunks of a stream ---- */

static void cot__on_chunk(void *opaque, enum cot_chunk kind, const char *data, size_t len)
{
    struct cot__src *s = opaque;
    switch (kind) {
    case COT_CHUNK_EVENT: cot__apply(s, data, len); break;
    case COT_CHUNK_TOO_BIG:
        cot__set_error(s, "event over %d bytes refused", COT_EVENT_MAX);
        break;
    case COT_CHUNK_TAK: cot__apply(s, data, len); break; /* counted as unsupported */
    case COT_CHUNK_JUNK: cot__set_error(s, "%zu bytes outside any event dropped", len); break;
    }
}

/* ---- TCP client ---- */

static void cot__connect_start(struct cot__src *s);

static void cot__retry_fire(uv_timer_t *t)
{
    cot__connect_start(t->data);
}

static void cot__retry_later(struct cot__src *s)
{
    if (s->owner->closing)
        return;
    uv_timer_start(&s->retry, cot__retry_fire, s->backoff_ms, 0);
    tlog_info(s->owner->log, "%s: reconnecting in %u s", s->spec, s->backoff_ms / 1000);
    s->backoff_ms = s->backoff_ms * 2 > COT__BACKOFF_MAX_MS ? COT__BACKOFF_MAX_MS
                                                            : s->backoff_ms * 2;
}

static void cot__client_closed(uv_handle_t *h)
{
    struct cot__src *s = h->data;
    s->h_open = false;
    s->owner->open_handles--;
    cot__retry_later(s);
}

static void cot__client_drop(struct cot__src *s, const char *why)
{
    if (!s->h_open || uv_is_closing(&s->h.handle))
        return;
    cot__set_error(s, "%s", why);
    tlog_warn(s->owner->log, "%s: %s", s->spec, why);
    s->connected = false;
    uv_close(&s->h.handle, cot__client_closed);
}

static void cot__client_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    struct cot__src *s = st->data;
    if (n > 0) {
        s->last_data_ms = (int64_t)uv_now(s->owner->loop);
        cot_split_feed(&s->split, buf->base, (size_t)n, cot__on_chunk, s);
    } else if (n < 0) {
        cot__client_drop(s, n == UV_EOF ? "the server closed the connection"
                                        : uv_strerror((int)n));
    }
}

static void cot__connected(uv_connect_t *req, int status)
{
    struct cot__src *s = req->data;
    if (status == UV_ECANCELED)
        return;
    if (status < 0) {
        cot__client_drop(s, uv_strerror(status));
        return;
    }
    s->connected = true;
    s->backoff_ms = COT__BACKOFF_MIN_MS;
    cot_split_reset(&s->split);
    s->last_data_ms = (int64_t)uv_now(s->owner->loop);
    tlog_info(s->owner->log, "%s: connected", s->spec);
    uv_read_start((uv_stream_t *)&s->h.tcp, cot__alloc, cot__client_read);
}

static void cot__resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *ai)
{
    struct cot__src *s = req->data;
    s->owner->pending_reqs--;
    s->gai_busy = false;
    if (s->owner->closing || status < 0) {
        if (status < 0 && status != UV_ECANCELED)
            cot__set_error(s, "cannot resolve %s: %s", s->sp.host, uv_strerror(status));
        uv_freeaddrinfo(ai);
        cot__retry_later(s);
        return;
    }
    uv_tcp_init(s->owner->loop, &s->h.tcp);
    s->h.tcp.data = s;
    s->h_open = true, s->owner->open_handles++;
    s->conn.data = s;
    int rc = uv_tcp_connect(&s->conn, &s->h.tcp, ai->ai_addr, cot__connected);
    uv_freeaddrinfo(ai);
    if (rc < 0)
        cot__client_drop(s, uv_strerror(rc));
}

static void cot__connect_start(struct cot__src *s)
{
    char port[8];
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    snprintf(port, sizeof port, "%d", s->sp.port);
    s->gai.data = s;
    if (uv_getaddrinfo(s->owner->loop, &s->gai, cot__resolved, s->sp.host, port, &hints) == 0)
        s->owner->pending_reqs++, s->gai_busy = true;
    else
        cot__retry_later(s);
}

static int cot__tcp_open(struct cot_inputs *in, struct cot__src *s)
{
    if (cot_split_init(&s->split, 0) < 0)
        return -ENOMEM;
    uv_timer_init(in->loop, &s->retry);
    s->retry.data = s;
    s->retry_open = true, in->open_handles++;
    s->backoff_ms = COT__BACKOFF_MIN_MS;
    cot__connect_start(s);
    return 0;
}

/* ---- TCP listener ---- */

static void cot__peer_closed(uv_handle_t *h)
{
    struct cot__peer *p = h->data, **pp;
    struct cot_inputs *in = p->src->owner;
    for (pp = &in->peers; *pp && *pp != p; pp = &(*pp)->next)
        ;
    if (*pp)
        *pp = p->next;
    p->src->n_peers--;
    in->open_handles--;
    cot_split_uninit(&p->split);
    free(p);
}

static void cot__peer_drop(struct cot__peer *p, const char *why)
{
    if (p->closing)
        return;
    p->closing = true;
    if (why) {
        cot__set_error(p->src, "%s", why);
        tlog_warn(p->src->owner->log, "%s: peer: %s", p->src->spec, why);
    }
    uv_close((uv_handle_t *)&p->tcp, cot__peer_closed);
}

static void cot__peer_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    struct cot__peer *p = h->data;
    cot__alloc((uv_handle_t *)&p->src->h, hint, buf);
}

static void cot__peer_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    struct cot__peer *p = st->data;
    if (n > 0) {
        p->last_data_ms = (int64_t)uv_now(p->src->owner->loop);
        cot_split_feed(&p->split, buf->base, (size_t)n, cot__on_chunk, p->src);
    } else if (n < 0) {
        cot__peer_drop(p, n == UV_EOF && cot_split_pending(&p->split) == 0 ? NULL
                          : n == UV_EOF ? "peer closed mid-event" : uv_strerror((int)n));
    }
}

/* Accepts a connection; refuses senders not allowed and past COT__PEERS_MAX. */
static void cot__accept(uv_stream_t *server, int status)
{
    struct cot__src *s = server->data;
    struct cot_inputs *in = s->owner;
    struct cot__peer *p;
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (status < 0 || !(p = calloc(1, sizeof *p)))
        return;
    uv_tcp_init(in->loop, &p->tcp);
    p->tcp.data = p, p->src = s;
    p->next = in->peers, in->peers = p;
    s->n_peers++, in->open_handles++;
    if (cot_split_init(&p->split, 0) < 0 || uv_accept(server, (uv_stream_t *)&p->tcp) < 0 ||
        uv_tcp_getpeername(&p->tcp, (struct sockaddr *)&ss, &len) < 0) {
        cot__peer_drop(p, "cannot accept");
    } else if (!cot__allowed(in, (struct sockaddr *)&ss, false)) {
        cot__peer_drop(p, "connection from a sender not in --cot-allow refused");
    } else if (s->n_peers > COT__PEERS_MAX) {
        cot__peer_drop(p, "too many connections");
    } else {
        p->last_data_ms = (int64_t)uv_now(in->loop);
        uv_read_start((uv_stream_t *)&p->tcp, cot__peer_alloc, cot__peer_read);
    }
}

static int cot__listen_open(struct cot_inputs *in, struct cot__src *s)
{
    struct sockaddr_storage ss;
    int rc;
    if (cot__addr(&s->sp, &ss) < 0) {
        tlog_err(in->log, "--cot %s: the host must be an IP address", s->spec);
        return -EINVAL;
    }
    static const struct cot_cidr lo[] = {{AF_INET, {127}, 8}, {AF_INET6, {[15] = 1}, 128}};
    if (!cot_cidr_match(lo, 2, (struct sockaddr *)&ss) && in->n_allow == 0) {
        tlog_err(in->log, "--cot %s: CoT carries no credentials: listening beyond "
                 "loopback needs --cot-allow CIDR (the senders' network)", s->spec);
        return -EACCES;
    }
    uv_tcp_init(in->loop, &s->h.tcp);
    s->h.handle.data = s;
    s->h_open = true, in->open_handles++;
    if ((rc = uv_tcp_bind(&s->h.tcp, (struct sockaddr *)&ss, 0)) < 0 ||
        (rc = uv_listen((uv_stream_t *)&s->h.tcp, 16, cot__accept)) < 0) {
        tlog_err(in->log, "--cot %s: %s", s->spec, uv_strerror(rc));
        return rc;
    }
    s->connected = true;
    tlog_info(in->log, "listening for CoT on %s", s->spec);
    return 0;
}

int cot__socket_open(struct cot_inputs *in, const char *spec)
{
    static const char *const kinds[] = {"udp", "tcp", "tcp-listen"};
    struct cot_spec sp;
    struct cot__src *s;
    char err[256];
    if (cot_spec_parse(spec, &sp, err, sizeof err) < 0) {
        tlog_err(in->log, "--cot %s", err);
        return -EINVAL;
    }
    if (!(s = cot__src_add(in, kinds[sp.kind], spec)) ||
        !(s->rbuf = malloc(COT_EVENT_MAX + 1)))
        return -ENOMEM;
    s->sp = sp;
    s->h.handle.data = s;
    switch (sp.kind) {
    case COT_SPEC_UDP: return cot__udp_open(in, s);
    case COT_SPEC_TCP: return cot__tcp_open(in, s);
    default: return cot__listen_open(in, s);
    }
}

/* Cuts off a connection that has held half an event for COT_STALL_S, and
 * ages units (they fade at their stale time even without a control socket,
 * whose server does the same). */
static void cot__sweep_fire(uv_timer_t *t)
{
    struct cot_inputs *in = t->data;
    ovl_state_expire(in->st, (int64_t)(uv_hrtime() / 1000));
    int64_t now = (int64_t)uv_now(in->loop), limit = COT_STALL_S * 1000;
    char why[96];
    for (struct cot__peer *p = in->peers; p; p = p->next)
        if (cot_split_pending(&p->split) && now - p->last_data_ms >= limit) {
            snprintf(why, sizeof why, "half an event (%zu bytes) then silence for %d s: "
                     "dropped", cot_split_pending(&p->split), COT_STALL_S);
            cot__peer_drop(p, why);
        }
    for (size_t i = 0; i < in->n_srcs; i++) {
        struct cot__src *s = in->srcs[i];
        if (s->sp.kind == COT_SPEC_TCP && s->connected && s->split.buf &&
            cot_split_pending(&s->split) && now - s->last_data_ms >= limit)
            cot__client_drop(s, "half an event then silence: reconnecting");
    }
}

int cot__sweep_start(struct cot_inputs *in)
{
    uv_timer_init(in->loop, &in->sweep);
    in->sweep.data = in;
    in->sweep_open = true, in->open_handles++;
    return uv_timer_start(&in->sweep, cot__sweep_fire, 500, 500);
}

static void cot__sweep_closed(uv_handle_t *h)
{
    struct cot_inputs *in = h->data;
    in->open_handles--;
}

void cot__sockets_close(struct cot_inputs *in)
{
    for (struct cot__peer *p = in->peers; p; p = p->next)
        cot__peer_drop(p, NULL);
    for (size_t i = 0; i < in->n_srcs; i++) {
        struct cot__src *s = in->srcs[i];
        if (s->gai_busy)
            uv_cancel((uv_req_t *)&s->gai);
        if (s->retry_open)
            uv_close((uv_handle_t *)&s->retry, cot__handle_closed);
        if (s->h_open && !uv_is_closing(&s->h.handle))
            uv_close(&s->h.handle, cot__handle_closed);
        s->retry_open = false;
    }
    if (in->sweep_open)
        uv_close((uv_handle_t *)&in->sweep, cot__sweep_closed);
    in->sweep_open = false;
}
