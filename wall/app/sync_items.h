/*
 * sync_items.h - the incidents and units of a wall of several PCs: each
 * node publishes those its own inputs (socket, CoT, EIDO) received, one
 * retained message per id, and takes the other nodes' (app/sync.c).
 *
 * Threads: the render thread.
 */
#ifndef TESSERA_APP_SYNC_ITEMS_H
#define TESSERA_APP_SYNC_ITEMS_H

#include <stddef.h>
#include <stdint.h>

#include "sync/sync.h"

struct app;
struct app_sync_items;
struct cJSON;

/* A new, empty set of published items for app's overlay state; NULL when
 * out of memory. */
struct app_sync_items *app_sync_items_create(struct app *app);

/* Publishes through link from now on. */
void app_sync_items_attach(struct app_sync_items *it, struct sync *link);

/* Frees it; accepts NULL. */
void app_sync_items_destroy(struct app_sync_items *it);

/* The link came back (a broker without persistence forgot the items) or a
 * node joined the wall (its retained copies of moving units may be up to
 * 30 s old): every local item is published again at the next tick. */
void app_sync_items_relink(struct app_sync_items *it);

/* Takes another node's item (json NULL: it was closed or removed). */
void app_sync_items_take(struct app_sync_items *it, enum sync_item kind, const char *id,
                         const char *json, size_t len);

/* At most ten times a second: publishes the local items that changed or
 * were seen again since the last time, and clears those that went. */
void app_sync_items_tick(struct app_sync_items *it, int64_t now_us);

/* Adds the counts (published, cleared, taken, rejected) to obj. */
void app_sync_items_stats(const struct app_sync_items *it, struct cJSON *obj);

#endif
