/*
 * sync.c - the command path of a wall that spans several PCs, and of one
 * that runs alone.
 *
 * app_command() is where every command of keys, socket, timer and policy
 * arrives.  Alone, it is applied at once (views.c).  With "sync", it is
 * sent through the broker (wall/sync/) to every node, this one included,
 * and each applies the commands in the broker's order, so all nodes hold
 * the same wall state: a command is applied on the way back, never before.
 *
 * A command carries the layout version (file and registry hash) it was
 * made for.  A node that does not show that version yet keeps it, and the
 * ones after it, until its copy of the file matches (a layout read of that
 * version comes first); a command for a version it showed before is
 * dropped, as on every node.  A node that starts (or restarts) takes the
 * leader's snapshot of the wall state.  The leader (the present node with
 * the smallest name) alone steps tours, lets call-up holds run out and runs
 * the call-up policy; in sync mode every time in the wall state is the wall
 * clock, the same on every PC.
 *
 * Incidents and units are shared by sync_items.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app/app_internal.h"
#include "app/sync_items.h"
#include "base/log.h"
#include "base/secret.h"
#include "base/timeutil.h"
#include "overlay/server.h"
#include "registry/registry.h"
#include "sync/sync.h"

#define WAIT_MAX 256          /* commands kept for a layout version */
#define OLD_VERSIONS 8        /* versions shown before, remembered */
#define STATE_EVERY_US 1000000 /* the leader's snapshot, at most this often
                                  (less than ADOPT_US: a node that joins takes
                                  the next one too) */
#define ADOPT_US 2000000      /* after a link, the wall's snapshot is taken */
#define LOOK_EVERY_US 100000  /* health and the operators' marker, this often
                                 (and at once after a link or peer change) */

/* A command kept until this node shows its layout version. */
struct sync_wait {
    char hash[APP_HASH_MAX];
    char node[SYNC_NODE_MAX];
    uint64_t seq;
    bool own;
    cJSON *body;
};

struct app_sync {
    struct sync *link;
    const char *node;                 /* this node (app->node) */
    struct sync_wait wait[WAIT_MAX];  /* oldest first */
    int n_wait;
    char old[OLD_VERSIONS][APP_HASH_MAX]; /* versions shown before */
    int n_old;
    struct layout *cand;              /* read here, sent, not applied yet */
    struct registry *cand_reg;
    char cand_hash[APP_HASH_MAX];
    enum ws_origin cand_origin;
    cJSON *snap;                      /* the wall's snapshot for a version this
                                         node does not show yet */
    char snap_hash[APP_HASH_MAX];
    bool resync;                      /* once this node shows the wall's version
                                         again, ask for a fresh snapshot */
    bool adopted;                     /* took the wall's state (or none came) */
    int64_t adopt_until_us;           /* after a link: the wall's snapshot is
                                         taken until then (commands may have
                                         been missed while away) */
    uint64_t timer_seq;               /* own timer/policy command on its way */
    bool state_due;
    int64_t state_sent_us;
    bool leader;
    char foreign[256];                /* the foreign nodes last logged */
    uint64_t applied, dropped, waited, undelivered, refused;
    char hud[192];
    int64_t look_us;                  /* next health and marker update (0: now) */
    struct app_sync_items *items;
};

bool app_sync_leads(const struct app *app)
{
    return !app->sync || app->sync->leader;
}

bool app_sync_decides(const struct app *app)
{
    return !app->sync || (app->sync->leader && !app->sync->timer_seq);
}

/* ---- sending ---- */

/* Sends cmd to every node: 0, or a negative errno with err. */
static int send_cmd(struct app *app, struct ws_cmd *cmd, char *err, size_t errlen)
{
    struct app_sync *s = app->sync;
    cJSON *body = ws_cmd_to_json(&app->ws, cmd);
    uint64_t seq = 0;
    int ret = body ? sync_send_command(s->link, body, app->layout_hash, &seq) : -EINVAL;
    cJSON_Delete(body);
    if (ret < 0 && err && errlen)
        snprintf(err, errlen, "%s", ret == -ENOSPC ? "too many commands wait for the broker"
                                    : ret == -EINVAL ? "no such output, tile, view or feed"
                                                     : "out of memory");
    if (ret == 0 && cmd->origin == WS_ORIGIN_TIMER)
        s->timer_seq = seq; /* no other tick until this one came round */
    if (ret < 0)
        s->refused++;
    return ret;
}

int app_command(struct app *app, struct ws_cmd *cmd, char *err, size_t errlen)
{
    if (!app->sync || cmd->type == WS_CMD_LAYOUT || cmd->type == WS_CMD_ADOPT)
        return app_command_apply(app, cmd, err, errlen);
    if (cmd->origin == WS_ORIGIN_SOCKET) { /* who asked travels with it */
        const struct ovl_client_info *who = app->cmd_client;
        if (who && who->kind == OVL_PEER_TCP)
            snprintf(cmd->client, sizeof(cmd->client), "%s", who->addr);
        else if (who && who->has_cred)
            snprintf(cmd->client, sizeof(cmd->client), "uid %ld", (long)who->uid);
    }
    return send_cmd(app, cmd, err, errlen);
}

/* ---- layout versions ---- */

static bool is_old(const struct app_sync *s, const char *hash)
{
    for (int i = 0; i < s->n_old; i++)
        if (strcmp(s->old[i], hash) == 0)
            return true;
    return false;
}

/* Shows the candidate layout (its version came round, sent at now_us); the
 * version shown before becomes old. */
static void take_candidate(struct app *app, int64_t now_us)
{
    struct app_sync *s = app->sync;
    char before[APP_HASH_MAX];
    snprintf(before, sizeof(before), "%s", app->layout_hash);
    struct layout *l = s->cand;
    struct registry *reg = s->cand_reg;
    s->cand = NULL;
    s->cand_reg = NULL;
    app_layout_accept(app, l, reg, s->cand_hash, s->cand_origin, now_us);
    for (int i = 0; i < s->n_old && i < OLD_VERSIONS; i++) /* shown again (a file put back) */
        if (strcmp(s->old[i], app->layout_hash) == 0)
            s->old[i][0] = '\0';
    if (strcmp(before, app->layout_hash) != 0 && !is_old(s, before)) {
        memmove(s->old[1], s->old[0], sizeof(s->old[0]) * (OLD_VERSIONS - 1));
        snprintf(s->old[0], sizeof(s->old[0]), "%s", before);
        s->n_old += s->n_old < OLD_VERSIONS;
    }
    s->cand_hash[0] = '\0';
}

/* Whether two "sync" blocks name the same broker, wall and settings. */
static bool same_sync(const struct layout_sync *a, const struct layout_sync *b)
{
    const char *fa[] = {a->broker, a->wall, a->username_file, a->password_file,
                        a->tls_files.ca_file, a->tls_files.cert_file, a->tls_files.key_file};
    const char *fb[] = {b->broker, b->wall, b->username_file, b->password_file,
                        b->tls_files.ca_file, b->tls_files.cert_file, b->tls_files.key_file};
    if (a->given != b->given || a->tls != b->tls || a->keepalive_s != b->keepalive_s)
        return false;
    for (size_t i = 0; i < sizeof(fa) / sizeof(fa[0]); i++)
        if ((fa[i] || fb[i]) && (!fa[i] || !fb[i] || strcmp(fa[i], fb[i]) != 0))
            return false;
    return true;
}

void app_layout_read(struct app *app, struct layout *l, struct registry *reg, const char *hash,
                     enum ws_origin origin)
{
    struct app_sync *s = app->sync;
    if (app->node[0] && layout_uses_nodes(l) && !layout_has_node(l, app->node)) {
        tlog_err(app->log, "%s names no output of node %s (this PC): keeping the layout on "
                 "screen", app->opt.layout_path, app->node);
        snprintf(app->banner, sizeof(app->banner),
                 "LAYOUT NOT RELOADED · %s: no output names node \"%s\" (this PC)",
                 app->opt.layout_path, app->node);
        app->dirty = app->full_redraw = true;
        layout_destroy(l);
        reg_destroy(reg);
        return;
    }
    if (!same_sync(&app->layout->sync, &l->sync))
        tlog_warn(app->log, "%s: \"sync\" changed: it takes effect when tessera starts again",
                  app->opt.layout_path);
    if (!s) {
        app_layout_accept(app, l, reg, hash, origin, 0);
        return;
    }
    if (app->banner[0]) { /* the file is good again */
        app->banner[0] = '\0';
        app->dirty = app->full_redraw = true;
    }
    layout_destroy(s->cand); /* an older read, never sent round */
    reg_destroy(s->cand_reg);
    s->cand = l;
    s->cand_reg = reg;
    snprintf(s->cand_hash, sizeof(s->cand_hash), "%s", hash);
    s->cand_origin = origin;
    if (strcmp(hash, app->layout_hash) == 0) {
        tlog_info(app->log, "%s read again: the wall shows this version already",
                  app->opt.layout_path);
        layout_destroy(s->cand);
        reg_destroy(s->cand_reg);
        s->cand = NULL;
        s->cand_reg = NULL;
        s->cand_hash[0] = '\0';
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "type", "layout-read");
    cJSON_AddStringToObject(body, "origin", ws_origin_name(origin));
    cJSON_AddNumberToObject(body, "now_us", (double)app_ws_now(app)); /* tours count from it */
    int ret = body ? sync_send_command(s->link, body, hash, NULL) : -ENOMEM;
    cJSON_Delete(body);
    if (ret < 0)
        tlog_err(app->log, "cannot send the new layout version round: %s", strerror(-ret));
    app_sync_retry(app); /* commands may be waiting for this version */
}

/* ---- receiving ---- */

/* Whether body is a command of the link itself ("layout-read", "resync"),
 * not one of the wall state's. */
static bool is_type(const cJSON *body, const char *type)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(body, "type");
    return cJSON_IsString(t) && strcmp(t->valuestring, type) == 0;
}

/* Applies a command made for the version shown. */
static void apply_body(struct app *app, const char *node, uint64_t seq, const cJSON *body)
{
    struct app_sync *s = app->sync;
    struct ws_cmd cmd;
    char err[192] = "";
    if (ws_cmd_from_json(&app->ws, body, app_feed_resolve, app, &cmd, err, sizeof(err)) < 0) {
        tlog_err(app->log, "sync: command %llu of %s refused: %s", (unsigned long long)seq,
                 node, err);
        s->refused++;
        return;
    }
    char who[sizeof(cmd.client)];
    snprintf(who, sizeof(who), "%s%s%s", node, cmd.client[0] ? " " : "", cmd.client);
    memcpy(cmd.client, who, sizeof(cmd.client));
    const struct ovl_client_info *asking = app->cmd_client;
    app->cmd_client = NULL; /* the client named in the command stays */
    if (app_command_apply(app, &cmd, err, sizeof(err)) < 0)
        tlog_info(app->log, "sync: %s's %s refused here as everywhere: %s", node,
                  ws_cmd_name(cmd.type), err);
    app->cmd_client = asking;
    s->applied++;
    s->state_due = true;
    uv_async_send(&app->wake); /* draw it now */
}

/* Runs one command in broker order: 1 when done with (applied, nothing to
 * do, or made for an older version: dropped), 0 when it must wait for this
 * node's copy of the file. */
static int run_cmd(struct app *app, const char *hash, const char *node, bool own, uint64_t seq,
                   const cJSON *body)
{
    struct app_sync *s = app->sync;
    if (own && seq == s->timer_seq)
        s->timer_seq = 0;
    if (is_type(body, "resync")) { /* a node wants the wall's state */
        s->state_due |= s->leader;
        return 1;
    }
    if (is_type(body, "layout-read")) {
        if (strcmp(hash, app->layout_hash) == 0)
            return 1;
        if (!s->cand || strcmp(hash, s->cand_hash) != 0)
            return 0;
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(body, "now_us");
        take_candidate(app, cJSON_IsNumber(t) && t->valuedouble > 0 &&
                                    t->valuedouble <= 9007199254740992.0 /* 2^53 */
                                ? (int64_t)t->valuedouble : 0);
        s->state_due = true;
        return 1;
    }
    if (strcmp(hash, app->layout_hash) == 0) {
        apply_body(app, node, seq, body);
        return 1;
    }
    if (!is_old(s, hash))
        return 0;
    s->dropped++;
    tlog_info(app->log, "sync: command %llu of %s was made for a layout version the wall no "
              "longer shows: dropped (on every node)", (unsigned long long)seq, node);
    return 1;
}

/* Keeps a command until its version is shown; a full queue is dropped and
 * the wall's next snapshot taken instead. */
static void keep(struct app *app, const struct sync_cmd *c)
{
    struct app_sync *s = app->sync;
    if (s->n_wait == WAIT_MAX) {
        tlog_err(app->log, "sync: %d commands wait for a layout version this node does not "
                 "have: dropped; the wall's state is taken again once the file matches",
                 WAIT_MAX);
        for (int i = 0; i < s->n_wait; i++)
            cJSON_Delete(s->wait[i].body);
        s->n_wait = 0;
        s->resync = true;
    }
    struct sync_wait *w = &s->wait[s->n_wait];
    if (!(w->body = cJSON_Duplicate(c->body, true)))
        return;
    snprintf(w->hash, sizeof(w->hash), "%s", c->hash);
    snprintf(w->node, sizeof(w->node), "%s", c->node);
    w->seq = c->seq;
    w->own = c->own;
    if (s->n_wait++ == 0)
        tlog_warn(app->log, "sync: %s sent a command for layout version %.12s; this node shows "
                  "%.12s: waiting for this PC's copy of %s to match", c->node, c->hash,
                  app->layout_hash, app->opt.layout_path);
    s->waited++;
    app->dirty = true;
}

/* Asks the leader for a fresh snapshot and takes it when it comes: this
 * node missed commands, or the wall's last one was for another version. */
static void request_resync(struct app *app)
{
    struct app_sync *s = app->sync;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "type", "resync");
    if (body && sync_send_command(s->link, body, app->layout_hash, NULL) == 0) {
        s->resync = false;
        s->adopt_until_us = tm_now_us() + ADOPT_US + 3000000; /* + the outbox's wait */
        tlog_info(app->log, "sync: this node shows the wall's layout version now: asking for "
                  "the wall's state");
    }
    cJSON_Delete(body);
}

/* Whether waiting command i is a layout read that a later one replaced
 * (the file changed again before this node read it): it never comes. */
static bool superseded(const struct app_sync *s, int i)
{
    if (!is_type(s->wait[i].body, "layout-read"))
        return false;
    for (int k = i + 1; k < s->n_wait; k++)
        if (is_type(s->wait[k].body, "layout-read") && strcmp(s->wait[k].hash, s->wait[i].hash))
            return true;
    return false;
}

/* Drops waiting command i, a replaced layout read, and the commands made
 * for its version after it; the wall's state is asked for afterwards. */
static void drop_superseded(struct app *app, int i)
{
    struct app_sync *s = app->sync;
    char hash[APP_HASH_MAX];
    snprintf(hash, sizeof(hash), "%s", s->wait[i].hash);
    tlog_info(app->log, "sync: layout version %.12s was replaced before this node read it: "
              "its commands are dropped, the wall's state is taken afterwards", hash);
    int kept = i;
    for (int k = i; k < s->n_wait; k++) {
        if (strcmp(s->wait[k].hash, hash) == 0 && !(k > i && is_type(s->wait[k].body,
                                                                      "layout-read"))) {
            cJSON_Delete(s->wait[k].body);
            s->dropped++;
        } else {
            s->wait[kept++] = s->wait[k];
        }
    }
    s->n_wait = kept;
    s->resync = true;
}

void app_sync_retry(struct app *app)
{
    struct app_sync *s = app->sync;
    int done = 0;
    while (done < s->n_wait) {
        struct sync_wait *w = &s->wait[done];
        if (!run_cmd(app, w->hash, w->node, w->own, w->seq, w->body)) {
            if (!superseded(s, done))
                break;
            drop_superseded(app, done);
            continue; /* the same index holds the next one now */
        }
        cJSON_Delete(w->body);
        done++;
    }
    if (done > 0) {
        memmove(s->wait, s->wait + done, (size_t)(s->n_wait - done) * sizeof(s->wait[0]));
        s->n_wait -= done;
        app->dirty = true;
    }
    if (s->snap && strcmp(s->snap_hash, app->layout_hash) == 0) {
        cJSON_Delete(s->snap); /* older than the commands just run: a fresh one */
        s->snap = NULL;
        s->resync = true;
    }
    if (s->resync && s->n_wait == 0 && !s->cand)
        request_resync(app);
}

static void on_command(void *opaque, const struct sync_cmd *c)
{
    struct app *app = opaque;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(c->body, "type");
    tlog_debug(app->log, "sync: command %llu of %s: %s%s", (unsigned long long)c->seq, c->node,
               cJSON_IsString(type) ? type->valuestring : "?",
               app->sync->n_wait ? " (behind others waiting)" : "");
    if (app->sync->n_wait > 0 || !run_cmd(app, c->hash, c->node, c->own, c->seq, c->body)) {
        keep(app, c); /* in order: behind those already waiting */
        app_sync_retry(app); /* a layout read this one replaces goes */
    }
}

static void on_undelivered(void *opaque, uint64_t seq, const char *body)
{
    struct app *app = opaque;
    struct app_sync *s = app->sync;
    if (seq == s->timer_seq)
        s->timer_seq = 0;
    s->undelivered++;
    tlog_err(app->log, "sync: command %llu could not reach the broker in time and was not "
             "applied on any node: %s", (unsigned long long)seq, body);
    app_audit_command(app, NULL, "sync-undelivered", body);
}

/* Takes the wall's state (a snapshot made for the version shown). */
static void adopt(struct app *app, const char *from, const cJSON *state)
{
    struct app_sync *s = app->sync;
    struct ws_snapshot *snap = NULL;
    char err[192] = "";
    if (ws_snapshot_parse(&app->ws, state, app_feed_resolve, app, &snap, err, sizeof(err)) < 0) {
        tlog_err(app->log, "sync: cannot take the wall's state from %s: %s", from, err);
        return;
    }
    struct ws_cmd cmd = {.type = WS_CMD_ADOPT, .origin = WS_ORIGIN_PEER,
                         .now_us = app_ws_now(app), .snapshot = snap};
    snprintf(cmd.client, sizeof(cmd.client), "%s", from);
    if (app_command_apply(app, &cmd, err, sizeof(err)) == 0) {
        s->adopted = true;
        tlog_info(app->log, "sync: showing the wall's state as %s had it", from);
    } else {
        tlog_err(app->log, "sync: cannot take the wall's state from %s: %s", from, err);
    }
    ws_snapshot_free(snap);
}

static void on_snapshot(void *opaque, const char *from, const char *hash, const cJSON *state)
{
    struct app *app = opaque;
    struct app_sync *s = app->sync;
    bool pending = s->snap != NULL; /* this node waits to match the wall */
    if (s->adopted && tm_now_us() >= s->adopt_until_us && !pending)
        return; /* this node follows the commands */
    if (strcmp(hash, app->layout_hash) == 0) {
        cJSON_Delete(s->snap); /* the wall shows this node's version */
        s->snap = NULL;
        adopt(app, from, state);
        return;
    }
    cJSON_Delete(s->snap);
    s->snap = cJSON_Duplicate(state, true);
    snprintf(s->snap_hash, sizeof(s->snap_hash), "%s", hash);
    tlog_warn(app->log, "sync: the wall shows layout version %.12s, this node %.12s: waiting "
              "for this PC's copy of %s to match", hash, app->layout_hash, app->opt.layout_path);
}

/* ---- the link, the leader, the snapshot ---- */

static void on_link(void *opaque, bool up)
{
    struct app *app = opaque;
    struct app_sync *s = app->sync;
    if (up) {
        tlog_info(app->log, "sync: connected to the broker as node %s", s->node);
        s->adopt_until_us = tm_now_us() + ADOPT_US; /* retained messages come first */
        app_sync_items_relink(s->items);
        s->state_due = true;
    } else {
        tlog_warn(app->log, "sync: lost the broker: the wall keeps its state; commands wait "
                  "for it to return");
    }
    s->look_us = 0; /* the HUD says SYNC LOST, or no longer: now */
    app->dirty = app->full_redraw = true;
}

/* Logs the nodes that speak another message format (an upgrade half
 * done), once each time that list changes. */
static void warn_foreign(struct app *app)
{
    struct app_sync *s = app->sync;
    char now[sizeof(s->foreign)] = "";
    size_t n = 0;
    int np, k = 0;
    const struct sync_peer *p = sync_peers(s->link, &np);
    for (int i = 1; i < np && n < sizeof(now); i++) {
        if (!p[i].foreign || p[i].missing)
            continue;
        k++;
        n += (size_t)snprintf(now + n, sizeof(now) - n, "%s%s (release %s, format %d)",
                              n ? "; " : "", p[i].node,
                              p[i].release[0] ? p[i].release : "unknown", p[i].protocol);
    }
    if (strcmp(now, s->foreign) == 0)
        return;
    if (now[0])
        tlog_warn(app->log, "sync: %s speak%s another message format than this node "
                  "(release %s, format %d): their commands, snapshots and items are ignored "
                  "until every PC of the wall runs one release", now,
                  k > 1 ? "" : "s", TESSERA_VERSION, SYNC_PROTOCOL);
    else
        tlog_info(app->log, "sync: every node present speaks this node's message format");
    memcpy(s->foreign, now, sizeof(now));
}

static void on_peers(void *opaque, bool joined)
{
    struct app *app = opaque;
    if (joined)
        app_sync_items_relink(app->sync->items); /* it wants our items */
    warn_foreign(app);
    app->sync->look_us = 0; /* the HUD names missing nodes: now */
    app->dirty = app->full_redraw = true;
}

static void on_item(void *opaque, enum sync_item kind, const char *id, const char *json,
                    size_t len)
{
    struct app *app = opaque;
    app_sync_items_take(app->sync->items, kind, id, json, len);
}

/* The operators' marker: "" when all is well. */
static void make_hud(struct app *app)
{
    struct app_sync *s = app->sync;
    size_t n = 0;
    s->hud[0] = '\0';
    if (!sync_connected(s->link))
        n += (size_t)snprintf(s->hud, sizeof(s->hud), "SYNC LOST");
    else if (s->n_wait > 0 || s->snap)
        n += (size_t)snprintf(s->hud, sizeof(s->hud), "LAYOUT FILE DIFFERS FROM THE WALL'S");
    int np;
    const struct sync_peer *p = sync_peers(s->link, &np);
    for (int i = 1; i < np && n < sizeof(s->hud); i++) {
        bool ours = !layout_uses_nodes(app->layout) || layout_has_node(app->layout, p[i].node);
        if (p[i].missing && ours)
            n += (size_t)snprintf(s->hud + n, sizeof(s->hud) - n, "%sNODE %s MISSING",
                                  n ? " · " : "", p[i].node);
        else if (p[i].foreign && ours)
            n += (size_t)snprintf(s->hud + n, sizeof(s->hud) - n,
                                  "%sNODE %s RUNS ANOTHER RELEASE", n ? " · " : "", p[i].node);
    }
}

/* Feeds connected here (live) and wanted here (total). */
static void health(const struct app *app, int *live, int *total)
{
    *live = *total = 0;
    for (int i = 0; app->feeds && app->layout && i < app->layout->n_feeds; i++) {
        if (!app->feeds[i].feed)
            continue;
        ++*total;
        *live += app->feeds[i].status.state == FEED_LIVE;
    }
}

void app_sync_tick(struct app *app, int64_t now_us)
{
    struct app_sync *s = app->sync;
    if (!s)
        return;
    if (!s->adopted && s->adopt_until_us && now_us >= s->adopt_until_us) {
        s->adopted = true; /* no wall state for this version: this node's is it */
        if (s->snap)
            tlog_warn(app->log, "sync: the wall's last state is for layout version %.12s, "
                      "this PC's file is %.12s: starting from this file; the state is "
                      "taken again once the versions match", s->snap_hash, app->layout_hash);
    }
    bool leader = s->adopted && sync_is_leader(s->link);
    if (leader && !s->leader) {
        tlog_info(app->log, "sync: this node leads the wall (tours, holds, call-up policy)");
        s->state_due = true;
    }
    s->leader = leader;
    if (leader && s->state_due && now_us - s->state_sent_us >= STATE_EVERY_US) {
        cJSON *st = ws_snapshot_to_json(&app->ws);
        if (st && sync_publish_state(s->link, st, app->layout_hash) == 0) {
            s->state_due = false;
            s->state_sent_us = now_us;
            cJSON_Delete(s->snap); /* the wall's state is this node's now */
            s->snap = NULL;
        }
        cJSON_Delete(st);
    }
    /* snapshots are read only by a node that may take one */
    sync_want_state(s->link, !s->adopted || now_us < s->adopt_until_us || s->snap);
    app_sync_items_tick(s->items, now_us);
    if (now_us < s->look_us)
        return;
    s->look_us = now_us + LOOK_EVERY_US;
    int live, total;
    health(app, &live, &total);
    sync_set_health(s->link, live, total, app->render_fps);
    char before[sizeof(s->hud)];
    memcpy(before, s->hud, sizeof(before));
    make_hud(app);
    if (strcmp(before, s->hud) != 0)
        app->dirty = app->full_redraw = true;
}

const char *app_sync_hud(const struct app *app)
{
    return app->sync && app->sync->hud[0] ? app->sync->hud : NULL;
}

void app_sync_stats(struct app *app, cJSON *doc)
{
    struct app_sync *s = app->sync;
    cJSON_AddStringToObject(doc, "layout_version", app->layout_hash);
    if (!s)
        return;
    cJSON *o = cJSON_AddObjectToObject(doc, "sync");
    if (!o)
        return;
    sync_stats(s->link, o);
    cJSON_AddBoolToObject(o, "leader", s->leader);
    cJSON_AddBoolToObject(o, "adopted", s->adopted);
    cJSON_AddNumberToObject(o, "applied", (double)s->applied);
    cJSON_AddNumberToObject(o, "waiting", s->n_wait);
    cJSON_AddNumberToObject(o, "waited", (double)s->waited);
    cJSON_AddNumberToObject(o, "dropped_old", (double)s->dropped);
    cJSON_AddNumberToObject(o, "refused", (double)s->refused);
    cJSON_AddNumberToObject(o, "not_delivered", (double)s->undelivered);
    cJSON_AddStringToObject(o, "marker", s->hud);
    app_sync_items_stats(s->items, o);
}

/* ---- starting and stopping ---- */

/* Reads the first line of path into buf (a credential: never logged). */
static int read_secret(struct app *app, const char *what, const char *path, char *buf,
                       size_t n)
{
    int ret = path ? secret_read_file(path, buf, n) : 0;
    if (ret < 0)
        tlog_err(app->log, "sync: cannot read the broker's %s from %s: %s", what, path,
                 strerror(-ret));
    return ret;
}

/* The link's configuration from the layout's "sync" (credentials read). */
static struct sync *open_link(struct app *app, struct app_sync *s)
{
    const struct layout_sync *ls = &app->layout->sync;
    char user[257] = "", pass[257] = "", err[256] = "";
    struct sync_config cfg = {
        .host = ls->host, .port = ls->port, .tls = ls->tls, .ca_file = ls->tls_files.ca_file,
        .cert_file = ls->tls_files.cert_file, .key_file = ls->tls_files.key_file,
        .wall = ls->wall, .node = s->node, .keepalive_s = (int)(ls->keepalive_s + 0.5),
        .outbox_s = 30, .release = TESSERA_VERSION};
    struct sync_hooks hooks = {.opaque = app, .link = on_link, .command = on_command,
                               .undelivered = on_undelivered, .snapshot = on_snapshot,
                               .item = on_item, .peers = on_peers};
    struct sync *link = NULL;
    if (read_secret(app, "user name", ls->username_file, user, sizeof(user)) == 0 &&
        read_secret(app, "password", ls->password_file, pass, sizeof(pass)) == 0) {
        cfg.username = user[0] ? user : NULL;
        cfg.password = pass[0] ? pass : NULL;
        if (!(link = sync_create(&app->loop, &cfg, &hooks, err, sizeof(err))))
            tlog_err(app->log, "%s", err);
    }
    secret_wipe(user, sizeof(user));
    secret_wipe(pass, sizeof(pass));
    return link;
}

int app_sync_start(struct app *app)
{
    if (!app->layout->sync.given)
        return 0;
    struct app_sync *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->node = app->node;
    if (layout_uses_nodes(app->layout) && !layout_has_node(app->layout, s->node)) {
        tlog_err(app->log, "no output of %s names node \"%s\" (--node)", app->opt.layout_path,
                 s->node);
        free(s);
        return -EINVAL;
    }
    app->sync = s;
    if (!(s->items = app_sync_items_create(app)) || !(s->link = open_link(app, s))) {
        app_sync_stop(app);
        return -EIO;
    }
    app_sync_items_attach(s->items, s->link);
    tlog_info(app->log, "sync: node %s of wall %s, broker %s", s->node, app->layout->sync.wall,
              app->layout->sync.broker);
    return 0;
}

void app_sync_stop(struct app *app)
{
    struct app_sync *s = app->sync;
    if (!s)
        return;
    sync_destroy(s->link);
    app_sync_items_destroy(s->items);
    for (int i = 0; i < s->n_wait; i++)
        cJSON_Delete(s->wait[i].body);
    layout_destroy(s->cand);
    reg_destroy(s->cand_reg);
    cJSON_Delete(s->snap);
    free(s);
    app->sync = NULL;
}

/* ---- tours ---- */

int64_t app_tours_due(const struct app *app)
{
    int64_t due = ws_next_tour_us(&app->ws);
    if (!due || !app_sync_decides(app))
        return 0; /* another node steps them (or this one's step is on its way):
                     no wake-up, or the loop would spin on a time long past */
    return due - app_ws_now(app) + tm_now_us(); /* on the monotonic clock */
}

void app_tours_tick(struct app *app, int64_t now_us)
{
    int64_t due = ws_next_tour_us(&app->ws);
    if (!due || now_us < due || !app_sync_decides(app))
        return;
    struct ws_cmd cmd = {.type = WS_CMD_TOUR_TICK, .origin = WS_ORIGIN_TIMER,
                         .now_us = now_us};
    app_command(app, &cmd, NULL, 0);
}
