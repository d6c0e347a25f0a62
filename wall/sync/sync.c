/*
 * sync.c - the MQTT link of one node (see sync.h): libmosquitto's thread
 * queues what it hears in the inbox and wakes the loop; the loop's thread
 * dispatches it to the hooks, keeps the outbox and the presence.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <mosquitto.h>

#include "base/timeutil.h"
#include "sync/sync_priv.h"

#define PACK_US 50000 /* command messages at most this often: commands that
                         come faster are packed, several to a message */
#define HOLD_US 3000000 /* the outbox waits this long at most for the nodes */
#define LEAD_AFTER_US 1500000 /* no leading before the nodes' presence is in */

/* ---- libmosquitto's thread: only queue ---- */

static void push(struct sync *s, struct sync__ev *ev)
{
    pthread_mutex_lock(&s->lock);
    *s->inbox_tail = ev;
    s->inbox_tail = &ev->next;
    pthread_mutex_unlock(&s->lock);
    uv_async_send(s->wake);
}

static void push_simple(struct sync *s, int type, int mid)
{
    struct sync__ev *ev = calloc(1, sizeof(*ev));
    if (!ev)
        return; /* dropped: the next event or the timer catches up */
    ev->type = type;
    ev->mid = mid;
    push(s, ev);
}

static void on_connect(struct mosquitto *m, void *opaque, int rc)
{
    struct sync *s = opaque;
    if (rc != 0) {
        push_simple(s, SYNC_EV_DOWN, 0);
        return;
    }
    char topic[128];
    snprintf(topic, sizeof(topic), "%s#", s->prefix);
    /* QoS 0 to this node: a delivery lost with its connection is made good
     * by the wall's snapshot, taken after every link; the sender publishes
     * with QoS 1 (its outbox) */
    mosquitto_subscribe(m, NULL, topic, 0);
    push_simple(s, SYNC_EV_UP, 0);
}

static void on_disconnect(struct mosquitto *m, void *opaque, int rc)
{
    (void)m;
    (void)rc;
    push_simple(opaque, SYNC_EV_DOWN, 0);
}

static void on_publish(struct mosquitto *m, void *opaque, int mid)
{
    (void)m;
    push_simple(opaque, SYNC_EV_ACK, mid);
}

static void on_message(struct mosquitto *m, void *opaque, const struct mosquitto_message *msg)
{
    (void)m;
    struct sync__ev *ev = calloc(1, sizeof(*ev));
    if (!ev)
        return;
    ev->type = SYNC_EV_MESSAGE;
    ev->topic = strdup(msg->topic);
    ev->payload = malloc((size_t)msg->payloadlen + 1);
    if (!ev->topic || !ev->payload) {
        free(ev->topic);
        free(ev->payload);
        free(ev);
        return;
    }
    if (msg->payloadlen > 0) /* an empty message has no payload at all */
        memcpy(ev->payload, msg->payload, (size_t)msg->payloadlen);
    ev->payload[msg->payloadlen] = '\0';
    ev->len = (size_t)msg->payloadlen;
    push(opaque, ev);
}

/* ---- publishing (the loop's thread) ---- */

/* Publishes payload under prefix + sub.  0 or a negative errno. */
static int pub(struct sync *s, const char *sub, const void *payload, size_t len, int qos,
               bool retain, int *mid)
{
    char topic[512];
    if (snprintf(topic, sizeof(topic), "%s%s", s->prefix, sub) >= (int)sizeof(topic))
        return -ENAMETOOLONG;
    int rc = mosquitto_publish(s->mosq, mid, topic, (int)len, payload, qos, retain);
    if (rc == MOSQ_ERR_NO_CONN)
        return -ENOTCONN;
    if (rc != MOSQ_ERR_SUCCESS)
        return rc == MOSQ_ERR_NOMEM ? -ENOMEM : -EIO;
    return 0;
}

/* This node's presence: online with its health, or offline (its goodbye
 * and its last will).  A malloc'd string or NULL. */
static char *presence_text(const struct sync *s, bool online)
{
    const struct sync_peer *me = &s->peers.list[0];
    char *t = malloc(448);
    if (t)
        snprintf(t, 448,
                 "{\"node\":\"%s\",\"state\":\"%s\",\"boot\":\"%016" PRIx64 "\","
                 "\"v\":%d,\"release\":\"%s\",\"feeds_live\":%d,\"feeds_total\":%d,"
                 "\"fps\":%.1f,\"t\":%" PRId64 "}",
                 s->node, online ? "online" : "offline", s->boot, SYNC_PROTOCOL, me->release,
                 me->feeds_live, me->feeds_total, me->fps, tm_wall_us());
    return t;
}

static void publish_presence(struct sync *s, bool online)
{
    char sub[128], *t = presence_text(s, online);
    snprintf(sub, sizeof(sub), "node/%s", s->node);
    if (t)
        pub(s, sub, t, strlen(t), 1, true, NULL);
    free(t);
}

/* Sends the commands that wait, packed, SYNC__PACK_MAX to a message. */
static void send_pending(struct sync *s)
{
    if (!s->connected || s->held)
        return;
    for (;;) {
        char *text = NULL;
        int n = sync__outbox_pack(&s->out, s->head, &text), mid = 0;
        if (n <= 0)
            break;
        int rc = pub(s, "cmd", text, strlen(text), 1, false, &mid);
        free(text);
        if (rc < 0)
            break; /* sent again after the next link */
        sync__outbox_mark(&s->out, n, mid);
        s->messages++;
        s->packed_us = tm_now_us();
    }
}

static void on_pack(uv_timer_t *t)
{
    send_pending(t->data);
}

/* Sends what waits now, or PACK_US after the last command message: an
 * operator's command goes at once, a stream of them in fewer messages. */
static void send_soon(struct sync *s)
{
    int64_t wait_us = s->packed_us + PACK_US - tm_now_us();
    if (wait_us <= 0)
        send_pending(s);
    else if (!uv_is_active((uv_handle_t *)s->pack))
        uv_timer_start(s->pack, on_pack, (uint64_t)(wait_us + 999) / 1000, 0);
}

/* (Re)sends every command of the outbox not acknowledged yet. */
static void flush_outbox(struct sync *s)
{
    sync__outbox_unsend(&s->out);
    send_pending(s);
}

/* Gives up the commands queued longer than the outbox keeps them. */
static void expire_outbox(struct sync *s, int64_t now_us)
{
    while (s->out.n > 0 && now_us - s->out.list[0].queued_us > s->outbox_us) {
        s->undelivered++;
        if (s->hooks.undelivered)
            s->hooks.undelivered(s->hooks.opaque, s->out.list[0].seq, s->out.list[0].text);
        sync__outbox_remove(&s->out, 0);
    }
}

/* After the link came back, the outbox waits until the nodes present
 * before are heard again (so they are subscribed and get every command),
 * at most HOLD_US. */
static void release_outbox(struct sync *s, int64_t now_us)
{
    if (!s->held || !s->connected)
        return;
    if (now_us - s->up_us < HOLD_US &&
        !sync__peers_back(&s->peers, s->up_us, s->down_us - 3 * INT64_C(1000000)))
        return;
    s->held = false;
    flush_outbox(s);
}

/* ---- what arrives (the loop's thread) ---- */

/* Whether this (node, boot, seq) was seen, or is a replay of an earlier
 * run of that node; notes it otherwise. */
static bool seen_before(struct sync *s, const char *node, uint64_t boot, uint64_t seq)
{
    for (int i = 0; i < s->n_seen; i++) {
        struct sync__seen *e = &s->seen[i];
        if (strcmp(e->node, node) != 0)
            continue;
        if (boot < e->boot || (boot == e->boot && seq <= e->seq))
            return true;
        e->boot = boot; /* a later command, or the node started again */
        e->seq = seq;
        return false;
    }
    int i = s->n_seen < (int)(sizeof(s->seen) / sizeof(s->seen[0])) ? s->n_seen++ : 0;
    snprintf(s->seen[i].node, sizeof(s->seen[i].node), "%s", node);
    s->seen[i].boot = boot;
    s->seen[i].seq = seq;
    return false;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

#define MAX_EXACT 9007199254740992.0 /* 2^53: JSON numbers are exact up to it */

/* Whether v is a number from lo to 2^53 (so it converts to an integer). */
static bool in_range(const cJSON *v, double lo)
{
    return cJSON_IsNumber(v) && v->valuedouble >= lo && v->valuedouble <= MAX_EXACT;
}

/* One command of a message of node (its run boot), in broker order. */
static void take_one(struct sync *s, const char *node, uint64_t boot, const cJSON *e)
{
    const char *hash = str_of(e, "hash");
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(e, "seq");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "t");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(e, "cmd");
    if (!hash || !in_range(seq, 1) || !cJSON_IsObject(body)) {
        s->rejected++;
        return;
    }
    uint64_t n = (uint64_t)seq->valuedouble;
    if (seen_before(s, node, boot, n)) {
        s->duplicates++;
        return;
    }
    struct sync_cmd c = {.node = node, .seq = n, .hash = hash, .body = body,
                         .sent_wall_us = in_range(t, 0) ? (int64_t)t->valuedouble : 0,
                         .own = strcmp(node, s->node) == 0 && boot == s->boot};
    s->received++;
    if (s->hooks.command)
        s->hooks.command(s->hooks.opaque, &c);
}

/* Whether message o is of this node's format ("v", 1 when absent);
 * counts it as foreign otherwise. */
static bool our_format(struct sync *s, const cJSON *o)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "v");
    if (!v || (cJSON_IsNumber(v) && v->valuedouble == SYNC_PROTOCOL))
        return true;
    s->foreign++;
    return false;
}

/* A command message:
 * {"node","boot","v","cmds":[{"seq","hash","t","cmd"}...]}. */
static void take_commands(struct sync *s, const char *payload)
{
    cJSON *o = cJSON_Parse(payload);
    const char *node = str_of(o, "node"), *boot = str_of(o, "boot");
    const cJSON *cmds = cJSON_GetObjectItemCaseSensitive(o, "cmds"), *e;
    if (o && !our_format(s, o)) {
        cJSON_Delete(o);
        return;
    }
    if (!node || !boot || !cJSON_IsArray(cmds) || strlen(node) >= SYNC_NODE_MAX) {
        s->rejected++;
        cJSON_Delete(o);
        return;
    }
    uint64_t b = strtoull(boot, NULL, 16);
    cJSON_ArrayForEach(e, cmds)
        take_one(s, node, b, e);
    cJSON_Delete(o);
}

static void take_state(struct sync *s, const char *payload)
{
    if (!s->want_state)
        return; /* not parsed: this node follows the commands */
    cJSON *o = payload[0] ? cJSON_Parse(payload) : NULL;
    const char *from = str_of(o, "node"), *hash = str_of(o, "hash"), *boot = str_of(o, "boot");
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(o, "state");
    bool own = from && boot && strcmp(from, s->node) == 0 &&
               strtoull(boot, NULL, 16) == s->boot; /* an earlier run's is the wall's */
    if (own || (o && !our_format(s, o))) {
        cJSON_Delete(o);
        return;
    }
    if (o && from && hash && cJSON_IsObject(state) && s->hooks.snapshot)
        s->hooks.snapshot(s->hooks.opaque, from, hash, state);
    else if (payload[0])
        s->rejected++;
    cJSON_Delete(o);
}

/* Undoes sync_topic_escape() in place; false for a bad escape. */
static bool unescape(char *id)
{
    char *w = id;
    for (const char *r = id; *r; r++) {
        unsigned v;
        if (*r == '%' && sscanf(r + 1, "%2x", &v) == 1 && r[1] && r[2] && v) {
            *w++ = (char)v;
            r += 2;
        } else if (*r == '%') {
            return false;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return id[0] != '\0';
}

/* Reads a sender line of n bytes, "<node> <boot>" and maybe "<v>" (none:
 * format 1); false when it is not that. */
static bool read_sender(const char *p, size_t n, char *node, uint64_t *boot, int *v)
{
    char line[SYNC_NODE_MAX + 40], rest[2];
    if (n >= sizeof(line))
        return false;
    memcpy(line, p, n);
    line[n] = '\0';
    *v = 1;
    /* widths keep every number in range (sscanf's overflow is undefined) */
    int words = sscanf(line, "%63s %16" SCNx64 " %6d %1s", node, boot, v, rest);
    return words == 2 || words == 3;
}

/* The sender of an item or batch, "<node> <boot> <v>\n" before its JSON
 * (no <v>: format 1): where the JSON starts, or NULL when it is this run's
 * own echo, of another format, or bad. */
static const char *item_body(struct sync *s, const char *payload, size_t len)
{
    char node[SYNC_NODE_MAX];
    uint64_t boot;
    int v;
    const char *nl = memchr(payload, '\n', len);
    if (!nl || !read_sender(payload, (size_t)(nl - payload), node, &boot, &v)) {
        s->rejected++;
        return NULL;
    }
    if (v != SYNC_PROTOCOL) {
        s->foreign++;
        return NULL;
    }
    if (strcmp(node, s->node) == 0 && boot == s->boot)
        return NULL; /* our own, already applied */
    return nl + 1;
}

/* A batch of units: one JSON object per line. */
static void take_units(struct sync *s, const char *payload, size_t len)
{
    const char *p = item_body(s, payload, len), *end = payload + len;
    while (p && p < end && s->hooks.item) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n)
            s->hooks.item(s->hooks.opaque, SYNC_UNIT, "", p, n);
        p += n + 1;
    }
}

/* An item: "<node> <boot>\n<json>"; this run's own echoes are dropped. */
static void take_item(struct sync *s, enum sync_item kind, char *id, const char *payload,
                      size_t len)
{
    if (!unescape(id)) {
        s->rejected++;
        return;
    }
    const char *json = NULL;
    if (len > 0) {
        if (!(json = item_body(s, payload, len)))
            return;
        len -= (size_t)(json - payload);
    }
    if (s->hooks.item)
        s->hooks.item(s->hooks.opaque, kind, id, json, json ? len : 0);
}

static void take_message(struct sync *s, struct sync__ev *ev)
{
    size_t np = strlen(s->prefix);
    if (strncmp(ev->topic, s->prefix, np) != 0)
        return;
    char *sub = ev->topic + np;
    if (strcmp(sub, "cmd") == 0) {
        take_commands(s, ev->payload);
    } else if (strcmp(sub, "state") == 0) {
        take_state(s, ev->payload);
    } else if (strncmp(sub, "node/", 5) == 0) {
        int ch = sync__peers_take(&s->peers, sub + 5, ev->payload, tm_now_us());
        if (ch && s->hooks.peers)
            s->hooks.peers(s->hooks.opaque, (ch & SYNC__PEER_JOINED) != 0);
        release_outbox(s, tm_now_us());
    } else if (strncmp(sub, "incident/", 9) == 0) {
        take_item(s, SYNC_INCIDENT, sub + 9, ev->payload, ev->len);
    } else if (strncmp(sub, "unit/", 5) == 0) {
        take_item(s, SYNC_UNIT, sub + 5, ev->payload, ev->len);
    } else if (strcmp(sub, "units") == 0) {
        take_units(s, ev->payload, ev->len);
    }
}

static void take_ack(struct sync *s, int mid)
{
    s->sent += (uint64_t)sync__outbox_ack(&s->out, mid);
}

static void take_link(struct sync *s, bool up)
{
    if (up == s->connected)
        return;
    s->connected = up;
    if (up) {
        s->links++;
        s->up_us = tm_now_us();
        publish_presence(s, true);
        s->held = true;
        release_outbox(s, s->up_us);
    } else {
        s->down_us = tm_now_us();
    }
    if (s->hooks.link)
        s->hooks.link(s->hooks.opaque, up);
}

static void free_ev(struct sync__ev *ev)
{
    free(ev->topic);
    free(ev->payload);
    free(ev);
}

static void on_wake(uv_async_t *h)
{
    struct sync *s = h->data;
    pthread_mutex_lock(&s->lock);
    struct sync__ev *ev = s->inbox;
    s->inbox = NULL;
    s->inbox_tail = &s->inbox;
    pthread_mutex_unlock(&s->lock);
    while (ev) {
        struct sync__ev *next = ev->next;
        if (ev->type == SYNC_EV_UP || ev->type == SYNC_EV_DOWN)
            take_link(s, ev->type == SYNC_EV_UP);
        else if (ev->type == SYNC_EV_ACK)
            take_ack(s, ev->mid);
        else
            take_message(s, ev);
        free_ev(ev);
        ev = next;
    }
}

static void on_timer(uv_timer_t *t)
{
    struct sync *s = t->data;
    int64_t now = tm_now_us();
    if (s->connected)
        publish_presence(s, true);
    release_outbox(s, now);
    expire_outbox(s, now);
    if (sync__peers_age(&s->peers, now) && s->hooks.peers)
        s->hooks.peers(s->hooks.opaque, false);
}

/* ---- setting up ---- */

/* TLS: the broker's certificate checked against ca_file or the system's
 * CAs, and this node's certificate when it has one.  A MOSQ_ERR_ code. */
static int configure_tls(struct mosquitto *m, const struct sync_config *cfg)
{
    if (cfg->ca_file)
        return mosquitto_tls_set(m, cfg->ca_file, NULL, cfg->cert_file, cfg->key_file, NULL);
    int rc = mosquitto_int_option(m, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
    if (rc != MOSQ_ERR_SUCCESS || !cfg->cert_file)
        return rc;
    /* libmosquitto takes a client certificate only with a CA file or
     * directory: the system's directory (OpenSSL's SSL_CERT_DIR first) */
    const char *dir = getenv("SSL_CERT_DIR");
    return mosquitto_tls_set(m, NULL, dir && dir[0] ? dir : "/etc/ssl/certs", cfg->cert_file,
                             cfg->key_file, NULL);
}

/* Credentials, TLS, the last will, reconnecting.  0 or -EINVAL with err. */
static int configure(struct sync *s, const struct sync_config *cfg, char *err, size_t n)
{
    struct mosquitto *m = s->mosq;
    int rc = MOSQ_ERR_SUCCESS;
    if (cfg->username)
        rc = mosquitto_username_pw_set(m, cfg->username, cfg->password);
    if (rc == MOSQ_ERR_SUCCESS && cfg->tls)
        rc = configure_tls(m, cfg);
    if (rc != MOSQ_ERR_SUCCESS) {
        snprintf(err, n, "sync: cannot set up the broker connection: %s",
                 mosquitto_strerror(rc));
        return -EINVAL;
    }
    char topic[160], *will = presence_text(s, false);
    snprintf(topic, sizeof(topic), "%snode/%s", s->prefix, s->node);
    if (will)
        mosquitto_will_set(m, topic, (int)strlen(will), will, 1, true);
    free(will);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_reconnect_delay_set(m, 1, 2, false);
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_disconnect_callback_set(m, on_disconnect);
    mosquitto_publish_callback_set(m, on_publish);
    mosquitto_message_callback_set(m, on_message);
    return 0;
}

/* Copies the configuration's names; -EINVAL with err when one is too long. */
static int copy_config(struct sync *s, const struct sync_config *cfg, char *err, size_t n)
{
    if (!cfg->host || !cfg->wall || !cfg->node || !cfg->node[0] ||
        snprintf(s->host, sizeof(s->host), "%s", cfg->host) >= (int)sizeof(s->host) ||
        snprintf(s->wall, sizeof(s->wall), "%s", cfg->wall) >= (int)sizeof(s->wall) ||
        snprintf(s->node, sizeof(s->node), "%s", cfg->node) >= (int)sizeof(s->node)) {
        snprintf(err, n, "sync: the broker host, wall and node must be given (and short)");
        return -EINVAL;
    }
    snprintf(s->prefix, sizeof(s->prefix), "tessera/%s/", s->wall);
    s->port = cfg->port;
    s->keepalive_s = cfg->keepalive_s > 0 ? cfg->keepalive_s : 2;
    s->outbox_us = (int64_t)((cfg->outbox_s > 0 ? cfg->outbox_s : 30) * 1e6);
    s->boot = (uint64_t)tm_wall_us(); /* a later start has a larger boot */
    snprintf(s->head, sizeof(s->head), "\"node\":\"%s\",\"boot\":\"%016" PRIx64 "\",\"v\":%d",
             s->node, s->boot, SYNC_PROTOCOL);
    s->next_seq = 1;
    return 0;
}

/* The loop's handles: the wake-up, the presence timer, the packing timer. */
static int start_handles(struct sync *s)
{
    s->wake = calloc(1, sizeof(*s->wake));
    s->timer = calloc(1, sizeof(*s->timer));
    s->pack = calloc(1, sizeof(*s->pack));
    if (!s->wake || !s->timer || !s->pack || uv_async_init(s->loop, s->wake, on_wake) < 0) {
        free(s->wake);
        free(s->timer);
        free(s->pack);
        s->wake = NULL;
        s->timer = s->pack = NULL;
        return -ENOMEM;
    }
    s->wake->data = s;
    uv_timer_init(s->loop, s->timer);
    s->timer->data = s;
    uv_timer_start(s->timer, on_timer, 1000, 1000);
    uv_timer_init(s->loop, s->pack);
    s->pack->data = s;
    return 0;
}

struct sync *sync_create(uv_loop_t *loop, const struct sync_config *cfg,
                         const struct sync_hooks *hooks, char *err, size_t errlen)
{
    struct sync *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "sync: out of memory");
        return NULL;
    }
    s->loop = loop;
    s->hooks = *hooks;
    s->want_state = true;
    s->inbox_tail = &s->inbox;
    pthread_mutex_init(&s->lock, NULL);
    char id[160];
    mosquitto_lib_init();
    if (copy_config(s, cfg, err, errlen) < 0 ||
        sync__peers_init(&s->peers, s->node, cfg->release,
                         s->keepalive_s * INT64_C(2000000) > 2000000
                             ? s->keepalive_s * INT64_C(2000000) : 2000000) < 0 ||
        (snprintf(id, sizeof(id), "tessera-%s-%s", s->wall, s->node),
         !(s->mosq = mosquitto_new(id, true, s))) ||
        configure(s, cfg, err, errlen) < 0 || start_handles(s) < 0) {
        if (!err[0])
            snprintf(err, errlen, "sync: cannot set up the MQTT client (out of memory?)");
        sync_destroy(s);
        return NULL;
    }
    int rc = mosquitto_connect_async(s->mosq, s->host, s->port,
                                     s->keepalive_s < 5 ? 5 : s->keepalive_s);
    if (rc == MOSQ_ERR_SUCCESS || rc == MOSQ_ERR_ERRNO || rc == MOSQ_ERR_EAI)
        rc = mosquitto_loop_start(s->mosq); /* a broker not there yet: it keeps trying */
    if (rc != MOSQ_ERR_SUCCESS) {
        snprintf(err, errlen, "sync: cannot start the broker connection: %s",
                 mosquitto_strerror(rc));
        sync_destroy(s);
        return NULL;
    }
    return s;
}

static void free_handle(uv_handle_t *h)
{
    free(h);
}

void sync_destroy(struct sync *s)
{
    if (!s)
        return;
    if (s->mosq) {
        if (s->connected)
            publish_presence(s, false); /* goodbye: not missing, gone */
        mosquitto_disconnect(s->mosq);
        mosquitto_loop_stop(s->mosq, false);
        mosquitto_destroy(s->mosq);
    }
    mosquitto_lib_cleanup();
    for (struct sync__ev *ev = s->inbox, *next; ev; ev = next) {
        next = ev->next;
        free_ev(ev);
    }
    if (s->wake)
        uv_close((uv_handle_t *)s->wake, free_handle);
    if (s->timer)
        uv_close((uv_handle_t *)s->timer, free_handle);
    if (s->pack)
        uv_close((uv_handle_t *)s->pack, free_handle);
    sync__outbox_free(&s->out);
    sync__peers_free(&s->peers);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* ---- the API ---- */

bool sync_connected(const struct sync *s)
{
    return s && s->connected;
}

int sync_send_command(struct sync *s, const cJSON *body, const char *hash, uint64_t *seq)
{
    if (s->out.n >= SYNC__OUTBOX_MAX)
        return -ENOSPC;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "seq", (double)s->next_seq);
    cJSON_AddStringToObject(o, "hash", hash);
    cJSON_AddNumberToObject(o, "t", (double)tm_wall_us());
    cJSON_AddItemToObject(o, "cmd", cJSON_Duplicate(body, true));
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    int ret = text ? sync__outbox_add(&s->out, s->next_seq, text, tm_now_us()) : -ENOMEM;
    if (ret < 0) {
        free(text);
        return ret;
    }
    if (seq)
        *seq = s->next_seq;
    s->next_seq++;
    send_soon(s);
    return 0;
}

int sync_publish_state(struct sync *s, const cJSON *state, const char *hash)
{
    if (!s->connected)
        return -ENOTCONN;
    cJSON *o = cJSON_CreateObject();
    char boot[17];
    snprintf(boot, sizeof(boot), "%016" PRIx64, s->boot);
    cJSON_AddStringToObject(o, "node", s->node);
    cJSON_AddStringToObject(o, "boot", boot);
    cJSON_AddNumberToObject(o, "v", SYNC_PROTOCOL);
    cJSON_AddStringToObject(o, "hash", hash);
    cJSON_AddItemToObject(o, "state", cJSON_Duplicate(state, true));
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!text)
        return -ENOMEM;
    int ret = pub(s, "state", text, strlen(text), 1, true, NULL);
    free(text);
    return ret;
}

/* Publishes body (len bytes) under sub with "<node> <boot> <v>\n" before
 * it, so that receivers know the sender and its format (item_body()). */
static int pub_signed(struct sync *s, const char *sub, const char *body, size_t len, int qos,
                      bool retain)
{
    char head[SYNC_NODE_MAX + 40];
    int hn = snprintf(head, sizeof(head), "%s %016" PRIx64 " %d\n", s->node, s->boot,
                      SYNC_PROTOCOL);
    char *p = malloc((size_t)hn + len);
    if (!p)
        return -ENOMEM;
    memcpy(p, head, (size_t)hn);
    memcpy(p + hn, body, len);
    int ret = pub(s, sub, p, (size_t)hn + len, qos, retain, NULL);
    free(p);
    return ret;
}

int sync_publish_item(struct sync *s, enum sync_item kind, const char *id, const char *json,
                      size_t len)
{
    if (!s->connected)
        return -ENOTCONN;
    char sub[512], esc[400];
    snprintf(sub, sizeof(sub), "%s/%s", kind == SYNC_INCIDENT ? "incident" : "unit",
             sync_topic_escape(id, esc, sizeof(esc)));
    if (!json)
        return pub(s, sub, NULL, 0, 1, true, NULL);
    return pub_signed(s, sub, json, len, kind == SYNC_INCIDENT ? 1 : 0, true);
}

void sync_want_state(struct sync *s, bool want)
{
    s->want_state = want;
}

int sync_publish_units(struct sync *s, const char *lines, size_t len)
{
    return s->connected ? pub_signed(s, "units", lines, len, 0, false) : -ENOTCONN;
}

void sync_set_health(struct sync *s, int feeds_live, int feeds_total, double fps)
{
    s->peers.list[0].feeds_live = feeds_live;
    s->peers.list[0].feeds_total = feeds_total;
    s->peers.list[0].fps = fps;
    s->peers.list[0].heard_us = tm_now_us();
    s->peers.list[0].online = true;
    s->peers.list[0].missing = !s->connected;
}

const struct sync_peer *sync_peers(struct sync *s, int *n)
{
    s->peers.list[0].missing = !s->connected;
    *n = s->peers.n;
    return s->peers.list;
}

bool sync_is_leader(struct sync *s)
{
    /* not before the others' presence came in after the link */
    return sync__peers_leader(&s->peers, s->connected && tm_now_us() - s->up_us >= LEAD_AFTER_US);
}

const char *sync_topic_escape(const char *id, char *buf, size_t n)
{
    size_t w = 0;
    for (const unsigned char *r = (const unsigned char *)id; *r && w + 4 < n; r++) {
        if ((*r >= 'a' && *r <= 'z') || (*r >= 'A' && *r <= 'Z') || (*r >= '0' && *r <= '9') ||
            *r == '-' || *r == '_' || *r == '.' || *r == '~')
            buf[w++] = (char)*r;
        else
            w += (size_t)snprintf(buf + w, n - w, "%%%02X", *r);
    }
    if (n)
        buf[w < n ? w : n - 1] = '\0';
    return buf;
}

void sync_stats(struct sync *s, cJSON *obj)
{
    char broker[300];
    snprintf(broker, sizeof(broker), "%s:%d", s->host, s->port);
    cJSON_AddStringToObject(obj, "broker", broker);
    cJSON_AddStringToObject(obj, "wall", s->wall);
    cJSON_AddStringToObject(obj, "node", s->node);
    cJSON_AddNumberToObject(obj, "protocol", SYNC_PROTOCOL);
    cJSON_AddStringToObject(obj, "release", s->peers.list[0].release);
    cJSON_AddBoolToObject(obj, "connected", s->connected);
    cJSON_AddNumberToObject(obj, "sent", (double)s->sent);
    cJSON_AddNumberToObject(obj, "received", (double)s->received);
    cJSON_AddNumberToObject(obj, "duplicates", (double)s->duplicates);
    cJSON_AddNumberToObject(obj, "undelivered", (double)s->undelivered);
    cJSON_AddNumberToObject(obj, "rejected", (double)s->rejected);
    cJSON_AddNumberToObject(obj, "foreign", (double)s->foreign);
    cJSON_AddNumberToObject(obj, "outbox", s->out.n);
    cJSON_AddNumberToObject(obj, "messages", (double)s->messages);
    cJSON_AddNumberToObject(obj, "links", (double)s->links);
    int n;
    const struct sync_peer *p = sync_peers(s, &n);
    cJSON *nodes = cJSON_AddArrayToObject(obj, "nodes");
    int64_t now = tm_now_us();
    for (int i = 0; nodes && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "node", p[i].node);
        cJSON_AddStringToObject(o, "state", p[i].missing ? "missing" : "online");
        cJSON_AddBoolToObject(o, "self", i == 0);
        cJSON_AddNumberToObject(o, "protocol", p[i].protocol);
        cJSON_AddStringToObject(o, "release", p[i].release);
        cJSON_AddBoolToObject(o, "foreign", p[i].foreign);
        cJSON_AddNumberToObject(o, "feeds_live", p[i].feeds_live);
        cJSON_AddNumberToObject(o, "feeds_total", p[i].feeds_total);
        cJSON_AddNumberToObject(o, "fps", (double)(int)(p[i].fps * 10 + 0.5) / 10);
        cJSON_AddNumberToObject(o, "heard_ms", i == 0 ? 0 : (double)((now - p[i].heard_us) / 1000));
        cJSON_AddItemToArray(nodes, o);
    }
}
