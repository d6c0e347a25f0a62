/*
 * sync_items.c - sharing incidents and units between the nodes of a wall
 * (see sync_items.h).  A local item (not received from another node) is
 * published when it changed or was seen again since the last scan; one that
 * is gone from the overlay state is cleared from the broker.  An item that
 * another node now updates is no longer ours to publish, and not ours to
 * clear either.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app/app_internal.h"
#include "app/sync_items.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "overlay/state.h"

#define SCAN_EVERY_US 100000
#define RETAIN_EVERY_US 30000000 /* a moving unit's retained copy, at most this
                                    often (a node that joins gets every item
                                    again at once: app_sync_items_relink()) */

/* An item this node publishes: its id, when its retained message was last
 * written, and whether it changed since (units: live changes travel in
 * batches, the retained message follows at most every RETAIN_EVERY_US). */
struct pubid {
    char *id;
    int64_t retained_us;
    bool dirty;
};

/* The items published by this node, sorted by id. */
struct idset {
    struct pubid *ids;
    int n, cap;
};

struct app_sync_items {
    struct app *app;
    struct sync *link;
    struct idset pub[2];      /* per enum sync_item */
    int64_t last_mono_us, last_wall_us; /* the previous scan */
    int64_t next_us;
    bool all;                 /* publish everything at the next scan */
    uint64_t published, cleared, taken, rejected, batched, batches;
};

struct app_sync_items *app_sync_items_create(struct app *app)
{
    struct app_sync_items *it = calloc(1, sizeof(*it));
    if (it) {
        it->app = app;
        it->all = true;
    }
    return it;
}

void app_sync_items_attach(struct app_sync_items *it, struct sync *link)
{
    it->link = link;
}

static void idset_free(struct idset *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->ids[i].id);
    free(s->ids);
    memset(s, 0, sizeof(*s));
}

void app_sync_items_destroy(struct app_sync_items *it)
{
    if (!it)
        return;
    idset_free(&it->pub[0]);
    idset_free(&it->pub[1]);
    free(it);
}

void app_sync_items_relink(struct app_sync_items *it)
{
    it->all = true;
}

static int idcmp(const void *a, const void *b)
{
    return strcmp(((const struct pubid *)a)->id, ((const struct pubid *)b)->id);
}

/* Adds id (kept sorted by the caller), carrying over what old knew of it;
 * returns the new entry or NULL when out of memory. */
static struct pubid *idset_add(struct idset *s, const char *id)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 64;
        struct pubid *more = realloc(s->ids, (size_t)cap * sizeof(*more));
        if (!more)
            return NULL;
        s->ids = more;
        s->cap = cap;
    }
    struct pubid *e = &s->ids[s->n];
    *e = (struct pubid){.id = strdup(id)};
    if (!e->id)
        return NULL;
    s->n++;
    return e;
}

/* id's entry in s (sorted), or NULL. */
static struct pubid *idset_find(const struct idset *s, const char *id)
{
    struct pubid key = {.id = (char *)id};
    return s->n ? bsearch(&key, s->ids, (size_t)s->n, sizeof(*s->ids), idcmp) : NULL;
}

void app_sync_items_take(struct app_sync_items *it, enum sync_item kind, const char *id,
                         const char *json, size_t len)
{
    struct ovl_state *st = it->app->ovl;
    char err[192] = "";
    if (!json) { /* closed or gone: only another node's copy goes */
        const struct ovl_incident *x = kind == SYNC_INCIDENT ? ovl_state_find_incident(st, id)
                                                             : NULL;
        const struct ovl_unit *u = kind == SYNC_UNIT ? ovl_state_find_unit(st, id) : NULL;
        if (x && x->remote)
            ovl_state_close_incident(st, id);
        if (u && u->remote)
            ovl_state_remove_unit(st, id);
        it->taken++;
    } else if (ovl_state_apply_item(st, kind == SYNC_INCIDENT ? OVL_ITEM_INCIDENT : OVL_ITEM_UNIT,
                                    json, len, true, tm_now_us(), tm_wall_us(), err,
                                    sizeof(err)) < 0) {
        it->rejected++;
        tlog_warn(it->app->log, "sync: %s %s from another node refused: %s",
                  kind == SYNC_INCIDENT ? "incident" : "unit", id, err);
        return;
    } else {
        it->taken++;
    }
    uv_async_send(&it->app->wake); /* draw it soon */
}

/* Publishes one local item; text from the overlay's item writer. */
static void publish(struct app_sync_items *it, enum sync_item kind, const char *id, char *text,
                    size_t len)
{
    if (text && sync_publish_item(it->link, kind, id, text, len) == 0)
        it->published++;
    free(text);
}

/* Clears the ids of old that are gone from the state (not those another
 * node now updates), then keeps now as the published set. */
static void clear_gone(struct app_sync_items *it, enum sync_item kind, struct idset *now)
{
    struct ovl_state *st = it->app->ovl;
    struct idset *old = &it->pub[kind];
    if (now->n) /* qsort wants a base even for nothing */
        qsort(now->ids, (size_t)now->n, sizeof(*now->ids), idcmp);
    for (int i = 0; i < old->n; i++) {
        const char *id = old->ids[i].id;
        bool exists = kind == SYNC_INCIDENT ? ovl_state_find_incident(st, id) != NULL
                                            : ovl_state_find_unit(st, id) != NULL;
        if (!idset_find(now, id) && !exists && sync_publish_item(it->link, kind, id, NULL, 0) == 0)
            it->cleared++;
    }
    idset_free(old);
    *old = *now;
}

static void scan_incidents(struct app_sync_items *it, int64_t mono, int64_t wall)
{
    const struct ovl_incident *const *x;
    size_t n = ovl_state_incidents(it->app->ovl, &x);
    struct idset now = {0};
    for (size_t i = 0; i < n; i++) {
        if (x[i]->remote)
            continue;
        idset_add(&now, x[i]->d.id);
        if (it->all || x[i]->changed_wall_us > it->last_wall_us ||
            x[i]->seen_mono_us > it->last_mono_us) {
            size_t len = 0;
            char *text = ovl_incident_item_json(x[i], mono, wall, &len);
            publish(it, SYNC_INCIDENT, x[i]->d.id, text, len);
        }
    }
    clear_gone(it, SYNC_INCIDENT, &now);
}

/* Appends text and a newline to the batch b (len n, room cap); false when
 * out of memory. */
static bool batch_add(char **b, size_t *n, size_t *cap, const char *text, size_t len)
{
    if (*n + len + 1 > *cap) {
        size_t want = (*n + len + 1) * 2;
        char *more = realloc(*b, want);
        if (!more)
            return false;
        *b = more;
        *cap = want;
    }
    memcpy(*b + *n, text, len);
    (*b)[*n + len] = '\n';
    *n += len + 1;
    return true;
}

/* Units: what changed (or was seen again) since the last scan goes in one
 * batch; a unit's retained message follows when it is new, or changed and
 * its retained copy is RETAIN_EVERY_US old. */
static void scan_units(struct app_sync_items *it, int64_t mono, int64_t wall)
{
    const struct ovl_unit *const *u;
    size_t n = ovl_state_units(it->app->ovl, &u), len = 0, cap = 0, blen = 0;
    struct idset now = {0};
    char *batch = NULL;
    for (size_t i = 0; i < n; i++) {
        if (u[i]->remote)
            continue;
        const struct pubid *was = idset_find(&it->pub[SYNC_UNIT], u[i]->d.id);
        struct pubid *e = idset_add(&now, u[i]->d.id); /* sorted: units come by id */
        if (!e)
            continue;
        if (was)
            e->retained_us = was->retained_us, e->dirty = was->dirty;
        bool moved = it->all || u[i]->changed_wall_us > it->last_wall_us ||
                     u[i]->seen_mono_us > it->last_mono_us;
        e->dirty |= moved;
        if (!moved && !(e->dirty && mono - e->retained_us >= RETAIN_EVERY_US))
            continue;
        char *text = ovl_unit_item_json(u[i], mono, wall, &len);
        if (text && moved && batch_add(&batch, &blen, &cap, text, len))
            it->batched++;
        if (text && (!was || it->all || mono - e->retained_us >= RETAIN_EVERY_US) &&
            sync_publish_item(it->link, SYNC_UNIT, u[i]->d.id, text, len) == 0) {
            it->published++;
            e->retained_us = mono;
            e->dirty = false;
        }
        free(text);
    }
    if (blen && sync_publish_units(it->link, batch, blen) == 0)
        it->batches++;
    free(batch);
    clear_gone(it, SYNC_UNIT, &now);
}

void app_sync_items_tick(struct app_sync_items *it, int64_t now_us)
{
    if (!it->link || now_us < it->next_us || !sync_connected(it->link))
        return;
    it->next_us = now_us + SCAN_EVERY_US;
    int64_t wall = tm_wall_us();
    scan_incidents(it, now_us, wall);
    scan_units(it, now_us, wall);
    it->all = false;
    it->last_mono_us = now_us;
    it->last_wall_us = wall;
}

void app_sync_items_stats(const struct app_sync_items *it, cJSON *obj)
{
    cJSON *o = cJSON_AddObjectToObject(obj, "items");
    cJSON_AddNumberToObject(o, "published", (double)it->published);
    cJSON_AddNumberToObject(o, "cleared", (double)it->cleared);
    cJSON_AddNumberToObject(o, "taken", (double)it->taken);
    cJSON_AddNumberToObject(o, "rejected", (double)it->rejected);
    cJSON_AddNumberToObject(o, "unit_batches", (double)it->batches);
    cJSON_AddNumberToObject(o, "units_batched", (double)it->batched);
    cJSON_AddNumberToObject(o, "incidents", it->pub[SYNC_INCIDENT].n);
    cJSON_AddNumberToObject(o, "units", it->pub[SYNC_UNIT].n);
}
