/*
 * peers.c - who is present on the wall: the retained presence messages of
 * the nodes (node/<name>), their last wills, and silence.
 *
 * A node is missing when its presence says offline (its last will or its
 * goodbye) or when nothing was heard from it for silent_us (it hangs while
 * its connection stays open).  A node whose presence was cleared on the
 * broker (an empty message: an administrator retired it) is forgotten.  A
 * node whose presence names another message format (SYNC_PROTOCOL) is
 * foreign: listed, but neither led nor waited for.  The leader is the node
 * with the smallest name among those present that speak this node's format.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sync/sync_priv.h"

int sync__peers_init(struct sync__peers *p, const char *self, const char *release,
                     int64_t silent_us)
{
    memset(p, 0, sizeof(*p));
    p->list = calloc(8, sizeof(*p->list));
    if (!p->list)
        return -ENOMEM;
    p->cap = 8;
    p->n = 1;
    p->silent_us = silent_us;
    snprintf(p->list[0].node, sizeof(p->list[0].node), "%s", self);
    p->list[0].online = true;
    p->list[0].protocol = SYNC_PROTOCOL;
    snprintf(p->list[0].release, sizeof(p->list[0].release), "%s", release ? release : "");
    return 0;
}

void sync__peers_free(struct sync__peers *p)
{
    free(p->list);
    memset(p, 0, sizeof(*p));
}

/* The entry of node, added when new; NULL when out of memory. */
static struct sync_peer *peer_of(struct sync__peers *p, const char *node)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->list[i].node, node) == 0)
            return &p->list[i];
    if (p->n == p->cap) {
        struct sync_peer *more = realloc(p->list, (size_t)p->cap * 2 * sizeof(*more));
        if (!more)
            return NULL;
        p->list = more;
        p->cap *= 2;
    }
    struct sync_peer *e = &p->list[p->n++];
    memset(e, 0, sizeof(*e));
    snprintf(e->node, sizeof(e->node), "%s", node);
    e->missing = true;
    e->protocol = 1; /* what a presence that names none speaks */
    e->foreign = e->protocol != SYNC_PROTOCOL;
    return e;
}

/* Forgets node (never this node itself).  Returns SYNC__PEER_CHANGED when
 * it was listed. */
static int forget(struct sync__peers *p, const char *node)
{
    for (int i = 1; i < p->n; i++) {
        if (strcmp(p->list[i].node, node) != 0)
            continue;
        memmove(&p->list[i], &p->list[i + 1], (size_t)(p->n - i - 1) * sizeof(*p->list));
        p->n--;
        return SYNC__PEER_CHANGED;
    }
    return 0;
}

/* A number field of o within lo..hi, or 0 (absent, not a number, out of
 * range: anyone on the broker may publish a presence). */
static double num_of(const cJSON *o, const char *key, double lo, double hi)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) && v->valuedouble >= lo && v->valuedouble <= hi ? v->valuedouble
                                                                              : 0;
}

/* The format a presence names: 1 when it names none, 0 when it names no
 * format at all (a bad "v": foreign to every node). */
static int protocol_of(const cJSON *o)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "v");
    if (!v)
        return 1;
    if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 1e6 ||
        v->valuedouble != (int)v->valuedouble)
        return 0;
    return (int)v->valuedouble;
}

/* Copies a presence's "release" into e, keeping only characters a version
 * is written with (it ends up in logs). */
static void take_release(struct sync_peer *e, const cJSON *o)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "release");
    size_t n = 0;
    for (const char *c = cJSON_IsString(r) ? r->valuestring : ""; *c; c++)
        if (n + 1 < sizeof(e->release) && (*c == '.' || *c == '-' || *c == '+' || *c == '~' ||
                                          (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
                                          (*c >= 'A' && *c <= 'Z')))
            e->release[n++] = *c;
    e->release[n] = '\0';
}

int sync__peers_take(struct sync__peers *p, const char *node, const char *payload,
                     int64_t now_us)
{
    if (strcmp(node, p->list[0].node) == 0 || strlen(node) >= SYNC_NODE_MAX)
        return 0; /* this node's own (or an earlier run's) presence, or no
                     node's (a name too long would be a new entry each time) */
    if (!payload || !payload[0])
        return forget(p, node); /* cleared on the broker */
    struct sync_peer *e = peer_of(p, node);
    if (!e)
        return 0;
    struct sync_peer old = *e;
    cJSON *o = cJSON_Parse(payload);
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(o, "state");
    const cJSON *boot = cJSON_GetObjectItemCaseSensitive(o, "boot");
    e->boot = cJSON_IsString(boot) ? strtoull(boot->valuestring, NULL, 16) : 0;
    e->online = cJSON_IsString(state) && strcmp(state->valuestring, "online") == 0;
    e->feeds_live = (int)num_of(o, "feeds_live", 0, 1e6);
    e->feeds_total = (int)num_of(o, "feeds_total", 0, 1e6);
    e->fps = num_of(o, "fps", 0, 1e4);
    e->heard_us = now_us;
    e->missing = !e->online;
    e->protocol = o ? protocol_of(o) : old.protocol;
    e->foreign = e->protocol != SYNC_PROTOCOL;
    take_release(e, o);
    cJSON_Delete(o);
    bool changed = old.online != e->online || old.missing != e->missing ||
                   old.feeds_live != e->feeds_live || old.feeds_total != e->feeds_total ||
                   old.protocol != e->protocol || strcmp(old.release, e->release) != 0;
    bool joined = !e->missing && !e->foreign &&
                  (old.missing || old.foreign || old.boot != e->boot);
    return (changed || joined ? SYNC__PEER_CHANGED : 0) | (joined ? SYNC__PEER_JOINED : 0);
}

bool sync__peers_age(struct sync__peers *p, int64_t now_us)
{
    bool changed = false;
    for (int i = 1; i < p->n; i++) {
        struct sync_peer *e = &p->list[i];
        bool missing = !e->online || now_us - e->heard_us > p->silent_us;
        changed |= missing != e->missing;
        e->missing = missing;
    }
    return changed;
}

bool sync__peers_leader(const struct sync__peers *p, bool up)
{
    if (!up)
        return false;
    for (int i = 1; i < p->n; i++)
        if (!p->list[i].missing && !p->list[i].foreign &&
            strcmp(p->list[i].node, p->list[0].node) < 0)
            return false;
    return true;
}

bool sync__peers_back(const struct sync__peers *p, int64_t since_us, int64_t alive_us)
{
    for (int i = 1; i < p->n; i++) {
        const struct sync_peer *e = &p->list[i];
        if (!e->foreign && e->heard_us >= alive_us && (e->heard_us < since_us || !e->online))
            return false;
    }
    return true;
}
