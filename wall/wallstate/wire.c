/*
 * wire.c - wall-state commands to and from JSON, for the nodes of one wall
 * (see wallstate.h, "on the wire").  A command names what it acts on (the
 * view's name, the output's name, feed ids) because indexes may differ
 * between nodes; reading it back resolves the names against this node's
 * layout.  Reading never trusts its input: every member is typed and
 * range-checked, and an error names the member (fuzz.wire).
 */
#include "wallstate/wallstate_priv.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- writing ---- */

/* Adds "output" (and "tile" when with_tile) of cmd; false when either is out
 * of range or memory ran out. */
static bool add_target(const struct wall_state *ws, const struct ws_cmd *cmd, cJSON *j,
                       bool with_tile)
{
    int o = cmd->output;
    if (o < 0 || o >= ws_output_count(ws))
        return false;
    if (with_tile && (cmd->tile < -1 || cmd->tile >= ws->outputs[o].n_tiles))
        return false;
    return ws__json_add_str(j, "output", ws_output(ws, o)->name) &&
           (!with_tile || ws__json_add_int(j, "tile", cmd->tile));
}

/* Adds "cameras" (feed ids) of a CALLUP. */
static bool add_cameras(const struct wall_state *ws, const struct ws_cmd *cmd, cJSON *j)
{
    if (cmd->n_cameras > LAYOUT_MAX_CALLUP_CAMERAS)
        return false;
    cJSON *arr = cJSON_AddArrayToObject(j, "cameras");
    for (int i = 0; arr && i < cmd->n_cameras; i++) {
        int f = cmd->cameras[i];
        cJSON *id = f >= 0 && f < ws->layout->n_feeds
                        ? cJSON_CreateString(ws->layout->feeds[f].id) : NULL;
        if (!id || !cJSON_AddItemToArray(arr, id)) {
            cJSON_Delete(id);
            return false;
        }
    }
    return arr != NULL;
}

/* Adds the members cmd's type uses beyond type, origin, client and now_us. */
static bool add_args(const struct wall_state *ws, const struct ws_cmd *cmd, cJSON *j)
{
    const struct layout *l = ws->layout;
    bool incident = memchr(cmd->incident, '\0', sizeof(cmd->incident)) &&
                    ws__wire_text_ok(cmd->incident, sizeof(cmd->incident), false);
    switch (cmd->type) {
    case WS_CMD_SHOW_VIEW:
        return cmd->view >= 0 && cmd->view < l->n_views &&
               ws__json_add_str(j, "view", l->views[cmd->view].name);
    case WS_CMD_MAXIMIZE: case WS_CMD_SELECT: case WS_CMD_PIN: case WS_CMD_UNPIN:
        return add_target(ws, cmd, j, true);
    case WS_CMD_RESTORE: return add_target(ws, cmd, j, false);
    case WS_CMD_MOVE:
        return cmd->dx >= -1 && cmd->dx <= 1 && cmd->dy >= -1 && cmd->dy <= 1 &&
               add_target(ws, cmd, j, false) && ws__json_add_int(j, "dx", cmd->dx) &&
               ws__json_add_int(j, "dy", cmd->dy);
    case WS_CMD_TOUR_TICK: return true;
    case WS_CMD_RESTART_FEED:
        return cmd->feed >= 0 && cmd->feed < l->n_feeds &&
               ws__json_add_str(j, "feed", l->feeds[cmd->feed].id);
    case WS_CMD_CALLUP:
        return incident && cmd->priority >= 1 && cmd->priority <= 9 && cmd->hold_s >= 0 &&
               cmd->hold_s <= LAYOUT_MAX_HOLD && cmd->n_cameras >= 1 &&
               ws__json_add_str(j, "incident", cmd->incident) &&
               ws__json_add_int(j, "priority", cmd->priority) && add_cameras(ws, cmd, j) &&
               ws__json_add_real(j, "hold_s", cmd->hold_s);
    case WS_CMD_RELEASE: return incident && ws__json_add_str(j, "incident", cmd->incident);
    default: return false;
    }
}

cJSON *ws_cmd_to_json(const struct wall_state *ws, const struct ws_cmd *cmd)
{
    if (!ws->layout || cmd->type <= WS_CMD_LAYOUT || cmd->type >= WS_CMD_ADOPT ||
        cmd->origin < WS_ORIGIN_START || cmd->origin > WS_ORIGIN_PEER ||
        !memchr(cmd->client, '\0', sizeof(cmd->client)) ||
        !ws__wire_text_ok(cmd->client, sizeof(cmd->client), true))
        return NULL;
    cJSON *j = cJSON_CreateObject();
    if (!j || !ws__json_add_str(j, "type", ws_cmd_name(cmd->type)) ||
        !ws__json_add_str(j, "origin", ws_origin_name(cmd->origin)) ||
        !ws__json_add_str(j, "client", cmd->client) ||
        !ws__json_add_int(j, "now_us", cmd->now_us) || !add_args(ws, cmd, j)) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

/* ---- reading ---- */

/* What ws_cmd_from_json() reads with. */
struct rd {
    const struct wall_state *ws;
    const cJSON *j;
    ws_feed_resolver resolve;
    void *opaque;
    char *err;
    size_t n;
};

/* Reads a feed id from item (the value of what) into *f. */
static int read_feed_item(const struct rd *r, const cJSON *item, const char *what, int *f)
{
    const char *id = ws__json_str_item(item, what, WS__WIRE_MAX_NAME, false, r->err, r->n);
    if (!id)
        return -EINVAL;
    *f = ws__feed_ref(r->ws, id, r->resolve, r->opaque);
    return *f < 0 ? ws__json_fail(r->err, r->n, "%s: no feed \"%s\"", what, id) : 0;
}

/* Reads "output" into cmd->output and, when with_tile, "tile" into cmd->tile. */
static int read_target(const struct rd *r, struct ws_cmd *cmd, bool with_tile)
{
    const struct wall_state *ws = r->ws;
    const char *name = ws__json_str(r->j, "", "output", WS__WIRE_MAX_NAME, false, r->err, r->n);
    if (!name)
        return -EINVAL;
    if ((cmd->output = ws_output_index(ws, name)) < 0)
        return ws__json_fail(r->err, r->n, "output: no output \"%s\" in layout \"%s\"", name,
                             ws->layout->views[ws->view].name);
    long long t = 0;
    int ret = with_tile ? ws__json_int(r->j, "", "tile", -1, ws->outputs[cmd->output].n_tiles - 1,
                                       &t, r->err, r->n)
                        : 0;
    cmd->tile = (int)t;
    return ret;
}

/* Reads "incident" into cmd->incident. */
static int read_incident(const struct rd *r, struct ws_cmd *cmd)
{
    const char *s = ws__json_str(r->j, "", "incident", sizeof(cmd->incident), false, r->err,
                                 r->n);
    if (!s)
        return -EINVAL;
    memcpy(cmd->incident, s, strlen(s) + 1);
    return 0;
}

/* Reads a CALLUP's priority, cameras and hold. */
static int read_callup(const struct rd *r, struct ws_cmd *cmd)
{
    long long prio;
    const cJSON *cams, *c;
    int ret = read_incident(r, cmd);
    if (ret == 0)
        ret = ws__json_int(r->j, "", "priority", 1, 9, &prio, r->err, r->n);
    if (ret == 0)
        ret = ws__json_num(r->j, "", "hold_s", 0, LAYOUT_MAX_HOLD, &cmd->hold_s, r->err, r->n);
    if (ret < 0)
        return ret;
    cmd->priority = (int)prio;
    if (!(cams = ws__json_array(r->j, "", "cameras", LAYOUT_MAX_CALLUP_CAMERAS, r->err, r->n)))
        return -EINVAL;
    if (cJSON_GetArraySize(cams) < 1)
        return ws__json_fail(r->err, r->n, "cameras: empty");
    cJSON_ArrayForEach(c, cams) {
        char what[32];
        snprintf(what, sizeof(what), "cameras[%d]", cmd->n_cameras);
        if ((ret = read_feed_item(r, c, what, &cmd->cameras[cmd->n_cameras])) < 0)
            return ret;
        cmd->n_cameras++;
    }
    return 0;
}

/* Reads "dx" and "dy" of a MOVE. */
static int read_move(const struct rd *r, struct ws_cmd *cmd)
{
    long long dx, dy;
    int ret = read_target(r, cmd, false);
    if (ret == 0)
        ret = ws__json_int(r->j, "", "dx", -1, 1, &dx, r->err, r->n);
    if (ret == 0)
        ret = ws__json_int(r->j, "", "dy", -1, 1, &dy, r->err, r->n);
    if (ret == 0) {
        cmd->dx = (int)dx;
        cmd->dy = (int)dy;
    }
    return ret;
}

/* Reads the members cmd->type uses beyond type, origin, client and now_us. */
static int read_args(const struct rd *r, struct ws_cmd *cmd)
{
    const char *s;
    switch (cmd->type) {
    case WS_CMD_SHOW_VIEW:
        if (!(s = ws__json_str(r->j, "", "view", WS__WIRE_MAX_NAME, false, r->err, r->n)))
            return -EINVAL;
        if ((cmd->view = layout_find_view(r->ws->layout, s)) < 0)
            return ws__json_fail(r->err, r->n, "view: no layout \"%s\"", s);
        return 0;
    case WS_CMD_MAXIMIZE: case WS_CMD_SELECT: case WS_CMD_PIN: case WS_CMD_UNPIN:
        return read_target(r, cmd, true);
    case WS_CMD_RESTORE: return read_target(r, cmd, false);
    case WS_CMD_MOVE: return read_move(r, cmd);
    case WS_CMD_RESTART_FEED: {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(r->j, "feed");
        return item ? read_feed_item(r, item, "feed", &cmd->feed)
                    : ws__json_fail(r->err, r->n, "feed: missing");
    }
    case WS_CMD_CALLUP: return read_callup(r, cmd);
    case WS_CMD_RELEASE: return read_incident(r, cmd);
    default: return 0; /* TOUR_TICK */
    }
}

/* Reads "type" and "origin". */
static int read_kind(const struct rd *r, struct ws_cmd *cmd)
{
    const char *type = ws__json_str(r->j, "", "type", 32, false, r->err, r->n);
    if (!type)
        return -EINVAL;
    int t = WS_CMD_SHOW_VIEW;
    while (t < WS_CMD_ADOPT && strcmp(ws_cmd_name((enum ws_cmd_type)t), type) != 0)
        t++;
    if (t == WS_CMD_ADOPT)
        return ws__json_fail(r->err, r->n, "type: \"%s\" is no command that travels", type);
    cmd->type = (enum ws_cmd_type)t;
    const char *origin = ws__json_str(r->j, "", "origin", 32, false, r->err, r->n);
    if (!origin)
        return -EINVAL;
    int o = WS_ORIGIN_START;
    while (o <= WS_ORIGIN_PEER && strcmp(ws_origin_name((enum ws_origin)o), origin) != 0)
        o++;
    if (o > WS_ORIGIN_PEER)
        return ws__json_fail(r->err, r->n, "origin: unknown origin \"%s\"", origin);
    cmd->origin = (enum ws_origin)o;
    return 0;
}

int ws_cmd_from_json(const struct wall_state *ws, const cJSON *j, ws_feed_resolver resolve,
                     void *opaque, struct ws_cmd *cmd, char *err, size_t errlen)
{
    struct rd r = {ws, j, resolve, opaque, err, errlen};
    memset(cmd, 0, sizeof(*cmd));
    if (err && errlen)
        err[0] = '\0';
    if (!ws->layout)
        return ws__json_fail(err, errlen, "no layout yet");
    if (!cJSON_IsObject(j))
        return ws__json_fail(err, errlen, "a command is a JSON object");
    int ret = read_kind(&r, cmd);
    if (ret < 0)
        return ret;
    if (cJSON_GetObjectItemCaseSensitive(j, "client")) {
        const char *client = ws__json_str(j, "", "client", sizeof(cmd->client), true, err,
                                          errlen);
        if (!client)
            return -EINVAL;
        memcpy(cmd->client, client, strlen(client) + 1);
    }
    long long now;
    if ((ret = ws__json_int(j, "", "now_us", -WS__JSON_MAX_INT, WS__JSON_MAX_INT, &now, err,
                            errlen)) < 0)
        return ret;
    cmd->now_us = now;
    return read_args(&r, cmd);
}
