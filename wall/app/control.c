/*
 * control.c - the app's side of the control socket: opens the overlay server
 * on the render thread's loop (with the tokens and timeouts of the command
 * line), answers "stats" with the stats document, and dispatches the wall's
 * own commands (a table: one entry per command).  Which role may send which
 * command is decided before that, by the server's table (overlay/server.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app/app_internal.h"
#include "app/snapshots.h"
#include "base/log.h"
#include "base/secret.h"
#include "base/timeutil.h"
#include "cot/inputs.h"
#include "overlay/server.h"
#include "overlay/state.h"
#include "overlay/tokens.h"

/* Adds the control socket's counters to a stats reply as "control". */
static void add_control_counters(const struct app *app, cJSON *out)
{
    struct ovl_server_counters k;
    cJSON *o;

    if (!app->control || !(o = cJSON_AddObjectToObject(out, "control")))
        return;
    ovl_server_get_counters(app->control, &k);
    cJSON_AddNumberToObject(o, "clients", (double)k.clients);
    cJSON_AddNumberToObject(o, "msgs_ok", (double)k.msgs_ok);
    cJSON_AddNumberToObject(o, "msgs_err", (double)k.msgs_err);
    cJSON_AddNumberToObject(o, "forbidden", (double)k.forbidden);
    cJSON_AddNumberToObject(o, "auth_failures", (double)k.auth_failures);
    cJSON_AddNumberToObject(o, "auth_timeouts", (double)k.auth_timeouts);
    cJSON_AddNumberToObject(o, "idle_closed", (double)k.idle_closed);
    cJSON_AddNumberToObject(o, "http_closed", (double)k.http_closed);
    cJSON_AddNumberToObject(o, "clients_dropped", (double)k.clients_dropped);
}

static int stats_hook(void *opaque, cJSON *out)
{
    cJSON *doc = app_stats_json(opaque, tm_now_us());
    if (!doc)
        return -ENOMEM;
    while (doc->child) {
        cJSON *item = cJSON_DetachItemViaPointer(doc, doc->child);
        cJSON_AddItemToObject(out, item->string, item);
    }
    cJSON_Delete(doc);
    add_control_counters(opaque, out);
    return 0;
}

/* {"type":"hud","on":true|false} shows or hides the operator HUD. */
static int cmd_hud(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                   size_t errlen)
{
    const cJSON *on = cJSON_GetObjectItemCaseSensitive(msg, "on");
    if (on && !cJSON_IsBool(on)) {
        snprintf(err, errlen, "\"on\" must be true or false");
        return -EINVAL;
    }
    app->hud = on ? cJSON_IsTrue(on) : !app->hud;
    app->dirty = app->full_redraw = true;
    cJSON_AddBoolToObject(reply, "on", app->hud);
    return 0;
}

/* The output a command names ("output": name, default the first) or -1. */
static int command_output(struct app *app, const cJSON *msg, char *err, size_t errlen)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(msg, "output");
    if (name && !cJSON_IsString(name)) {
        snprintf(err, errlen, "\"output\" must be an output name");
        return -1;
    }
    int o = app_output_index(app, name ? name->valuestring : NULL);
    if (o < 0)
        snprintf(err, errlen, "no output named \"%s\"", name->valuestring);
    return o;
}

/* The tile a command names: "tile": index from 0, or -1 when absent. */
static int command_tile(const cJSON *msg, int *tile, char *err, size_t errlen)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(msg, "tile");
    *tile = -1;
    if (!t)
        return 0;
    if (!cJSON_IsNumber(t) || t->valuedouble != (int)t->valuedouble) {
        snprintf(err, errlen, "\"tile\" must be a tile index (an integer)");
        return -EINVAL;
    }
    *tile = (int)t->valuedouble;
    return 0;
}

/* Applies a command built from a socket message (audited there). */
static int socket_command(struct app *app, struct ws_cmd cmd, char *err, size_t errlen)
{
    cmd.origin = WS_ORIGIN_SOCKET;
    cmd.now_us = app_ws_now(app);
    return app_command(app, &cmd, err, errlen) < 0 ? -EINVAL : 0;
}

/* {"type":"layout","name":"night"} shows a named layout. */
static int cmd_layout(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                      size_t errlen)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(msg, "name");
    if (!cJSON_IsString(name)) {
        snprintf(err, errlen, "\"name\" must be the name of a layout");
        return -EINVAL;
    }
    int v = layout_find_view(app->layout, name->valuestring);
    if (v < 0) {
        snprintf(err, errlen, "no layout named \"%s\"", name->valuestring);
        return -EINVAL;
    }
    int ret = socket_command(app, (struct ws_cmd){.type = WS_CMD_SHOW_VIEW, .view = v},
                             err, errlen);
    if (ret == 0)
        cJSON_AddStringToObject(reply, "layout", name->valuestring);
    return ret;
}

/* {"type":T,"output":"main","tile":3}: a command on one tile (type given);
 * without "tile" the tile is -1. */
static int cmd_tile_action(struct app *app, const cJSON *msg, enum ws_cmd_type type,
                           char *err, size_t errlen)
{
    int o = command_output(app, msg, err, errlen), t;
    if (o < 0 || command_tile(msg, &t, err, errlen) < 0)
        return -EINVAL;
    return socket_command(app, (struct ws_cmd){.type = type, .output = o, .tile = t}, err,
                          errlen);
}

/* {"type":"maximize","output":"main","tile":3} enlarges a tile (again, or
 * without "tile": restores the grid). */
static int cmd_maximize(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                        size_t errlen)
{
    (void)reply;
    return cmd_tile_action(app, msg, WS_CMD_MAXIMIZE, err, errlen);
}

/* {"type":"select","output":"main","tile":3} moves the selection there. */
static int cmd_select(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                      size_t errlen)
{
    (void)reply;
    return cmd_tile_action(app, msg, WS_CMD_SELECT, err, errlen);
}

/* {"type":"pin","output":"main","tile":2} keeps the tile on the feed it
 * shows through tours and layout switches; "unpin" lets it go. */
static int cmd_pin(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                   size_t errlen)
{
    (void)reply;
    return cmd_tile_action(app, msg, WS_CMD_PIN, err, errlen);
}

static int cmd_unpin(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                     size_t errlen)
{
    (void)reply;
    return cmd_tile_action(app, msg, WS_CMD_UNPIN, err, errlen);
}

/* {"type":"move","direction":"left"|"right"|"up"|"down"} moves the selection. */
static int cmd_move(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                    size_t errlen)
{
    static const char *const dirs[] = {"left", "right", "up", "down"};
    static const int dx[] = {-1, 1, 0, 0}, dy[] = {0, 0, -1, 1};
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(msg, "direction");
    int o = command_output(app, msg, err, errlen);
    (void)reply;
    if (o < 0)
        return -EINVAL;
    for (int i = 0; i < 4; i++)
        if (cJSON_IsString(d) && strcmp(d->valuestring, dirs[i]) == 0)
            return socket_command(app, (struct ws_cmd){.type = WS_CMD_MOVE, .output = o,
                                                       .dx = dx[i], .dy = dy[i]},
                                  err, errlen);
    snprintf(err, errlen, "\"direction\" must be \"left\", \"right\", \"up\" or \"down\"");
    return -EINVAL;
}

/* {"type":"help","on":true|false} shows or hides the key map. */
static int cmd_help(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                    size_t errlen)
{
    const cJSON *on = cJSON_GetObjectItemCaseSensitive(msg, "on");
    if (on && !cJSON_IsBool(on)) {
        snprintf(err, errlen, "\"on\" must be true or false");
        return -EINVAL;
    }
    app->help = on ? cJSON_IsTrue(on) : !app->help;
    app->dirty = app->full_redraw = true;
    cJSON_AddBoolToObject(reply, "on", app->help);
    return 0;
}

/* {"type":"reload"} starts reading the layout file now (off the render
 * thread); the reply says it started: the outcome shows in the stats
 * ("layout_error"), the log and the audit log. */
static int cmd_reload(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                      size_t errlen)
{
    (void)msg;
    if (app_reload(app, WS_ORIGIN_SOCKET) == 0) {
        cJSON_AddStringToObject(reply, "reload", "started");
        return 0;
    }
    snprintf(err, errlen, "cannot start reading the layout file");
    return -ENOMEM;
}

/* {"type":"snapshot","name":"wall.png"} writes what the outputs show into
 * the snapshot directory after the next frame (several outputs:
 * NAME-OUTPUT.png; no name: a timestamped one); "path" is taken as a bare
 * name too.  The reply names the files at once; they appear when written. */
static int cmd_snapshot(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                        size_t errlen)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(msg, "name");
    const char *key = "name";
    if (!name) {
        name = cJSON_GetObjectItemCaseSensitive(msg, "path");
        key = "path";
    }
    if (name && !cJSON_IsString(name)) {
        snprintf(err, errlen, "\"%s\" must be a string: a bare file name ending .png", key);
        return -EINVAL;
    }
    int n = app_output_count(app);
    const char *outputs[64];
    if (n > (int)(sizeof(outputs) / sizeof(outputs[0]))) {
        snprintf(err, errlen, "too many outputs for a snapshot");
        return -EINVAL;
    }
    for (int o = 0; o < n; o++) /* another PC's outputs: its own snapshots */
        outputs[o] = app_output_here(app, o) ? app_output(app, o)->name : NULL;
    int ret = app_snaps_request(app->snaps, name ? name->valuestring : NULL, outputs, n,
                                reply, err, errlen);
    if (ret == 0)
        app->dirty = true;
    return ret;
}

/* The key failed unmask attempts are counted under: the peer's uid (unix
 * socket) or address without its port (TCP). */
static void client_key(const struct ovl_client_info *who, char *buf, size_t n)
{
    if (!who || (who->kind == OVL_PEER_UNIX && !who->has_cred)) {
        snprintf(buf, n, "unix");
    } else if (who->kind == OVL_PEER_UNIX) {
        snprintf(buf, n, "uid:%ld", (long)who->uid);
    } else {
        const char *port = strrchr(who->addr, ':');
        int len = port ? (int)(port - who->addr) : (int)strlen(who->addr);
        snprintf(buf, n, "%.*s", len, who->addr);
    }
}

/* Checks the request's secret against the supervisor secret read at start
 * (or the last reload), counting failures per client: 5 a minute, then every
 * attempt is refused for 5 minutes.  0 or -EACCES with err set. */
static int check_unmask_secret(struct app *app, const cJSON *secret,
                               const struct ovl_client_info *who, char *err, size_t errlen)
{
    char key[SECRET_GUARD_KEY];
    int retry = 0;
    int64_t now = tm_now_us();
    client_key(who, key, sizeof(key));
    if (secret_guard_check(&app->unmask_guard, key, now, &retry) < 0) {
        snprintf(err, errlen, "too many failed unmask attempts: refused for %d s", retry);
        return -EACCES;
    }
    if (!app->supervisor_secret[0]) {
        snprintf(err, errlen, "masks cannot be lifted: no supervisor secret is configured");
        return -EACCES;
    }
    if (cJSON_IsString(secret) && secret_equal(app->supervisor_secret, secret->valuestring)) {
        secret_guard_success(&app->unmask_guard, key);
        return 0;
    }
    if (secret_guard_fail(&app->unmask_guard, key, now))
        tlog_warn(app->log, "unmask: %s locked out for 5 min after 5 failed attempts", key);
    snprintf(err, errlen, "\"secret\" is not the supervisor secret");
    return -EACCES;
}

/* {"type":"unmask","feed":"shop","secret":"…","minutes":5,"reason":"…"}
 * lifts a feed's privacy masks for a while (a supervisor's action: it needs
 * the configured secret, and the reason goes into the audit log). */
static int cmd_unmask(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                      size_t errlen)
{
    const struct ovl_client_info *who = app->cmd_client;
    const cJSON *feed = cJSON_GetObjectItemCaseSensitive(msg, "feed");
    const cJSON *secret = cJSON_GetObjectItemCaseSensitive(msg, "secret");
    const cJSON *minutes = cJSON_GetObjectItemCaseSensitive(msg, "minutes");
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(msg, "reason");
    int f = cJSON_IsString(feed) ? layout_find_feed(app->layout, feed->valuestring) : -1;
    int ret = check_unmask_secret(app, secret, who, err, errlen);
    if (ret < 0)
        return ret;
    if (f < 0)
        snprintf(err, errlen, "\"feed\" must name a feed of the layout");
    else if (!cJSON_IsNumber(minutes) || minutes->valuedouble <= 0 || minutes->valuedouble > 240)
        snprintf(err, errlen, "\"minutes\" must be a number more than 0 and at most 240");
    else if (!cJSON_IsString(reason) || strlen(reason->valuestring) < 3)
        snprintf(err, errlen, "\"reason\" must say why (at least 3 characters)");
    else
        return app_unmask(app, f, minutes->valuedouble, reason->valuestring, reply);
    return -EINVAL;
}

/* {"type":"restart","feed":"gate"} makes a feed connect again now (one that
 * says ERROR and waits for its next retry, too). */
static int cmd_restart(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                       size_t errlen)
{
    const cJSON *feed = cJSON_GetObjectItemCaseSensitive(msg, "feed");
    int f = cJSON_IsString(feed) ? layout_find_feed(app->layout, feed->valuestring) : -1;
    struct ws_cmd cmd = {.type = WS_CMD_RESTART_FEED, .origin = WS_ORIGIN_SOCKET,
                         .now_us = app_ws_now(app), .feed = f};
    int ret = f < 0 ? -EINVAL : app_command(app, &cmd, err, errlen);
    if (f < 0)
        snprintf(err, errlen, "\"feed\" must name a feed of the layout");
    else if (ret == -ENOTCONN)
        snprintf(err, errlen, "feed \"%s\" is not connected now (no tile shows it)",
                 feed->valuestring);
    else
        cJSON_AddStringToObject(reply, "feed", feed->valuestring);
    return ret < 0 ? -EINVAL : 0;
}

/* {"type":"eido","document":{...}} applies a NENA EIDO incident document;
 * the reply names the incident and whether it was closed. */
static int cmd_eido(struct app *app, const cJSON *msg, cJSON *reply, char *err,
                    size_t errlen)
{
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(msg, "document");
    char id[OVL_ID_MAX + 1];
    bool closed;
    if (!cJSON_IsObject(doc)) {
        snprintf(err, errlen, "document: must be an EIDO object");
        return -EINVAL;
    }
    if (!app->inputs) {
        snprintf(err, errlen, "EIDO input not running");
        return -EIO;
    }
    int ret = cot_inputs_eido(app->inputs, doc, &closed, id, err, errlen);
    if (ret < 0)
        return ret;
    cJSON_AddStringToObject(reply, "incident", id);
    cJSON_AddBoolToObject(reply, "closed", closed);
    app->dirty = true;
    app->panels_dirty = APP_PANEL_ALL;
    return 0;
}

struct app_command {
    const char *type;
    int (*run)(struct app *app, const cJSON *msg, cJSON *reply, char *err,
               size_t errlen);
    bool changes_view; /* changes what is shown: audited */
};

/* The fields of snapshot and unmask that their audit summary keeps: what
 * the wall read.  The secret, and anything else a client put in (a caller's
 * name, a phone number, a password field), never reach the log. */
static const char *const audited_fields[] = {"type", "name", "path", "feed", "minutes",
                                             "reason"};

/* Audits a command: the fields it was read from, and how it ended. */
static void audit_outcome(struct app *app, const struct ovl_client_info *who,
                          const cJSON *msg, int ret, const char *err)
{
    cJSON *copy = cJSON_CreateObject();
    for (size_t i = 0; copy && i < sizeof(audited_fields) / sizeof(audited_fields[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(msg, audited_fields[i]);
        if (v)
            cJSON_AddItemToObject(copy, audited_fields[i], cJSON_Duplicate(v, true));
    }
    char *text = copy ? cJSON_PrintUnformatted(copy) : NULL;
    char summary[512];
    snprintf(summary, sizeof(summary), "%s%s%s", text ? text : "",
             ret < 0 ? " -> refused: " : "", ret < 0 ? err : "");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(msg, "type");
    app_audit_command(app, who, type->valuestring, summary);
    free(text);
    cJSON_Delete(copy);
}

static const struct app_command commands[] = {
    {"hud", cmd_hud, false},
    {"help", cmd_help, false},
    /* wall-state commands: app_command() audits them */
    {"layout", cmd_layout, false},
    {"maximize", cmd_maximize, false},
    {"select", cmd_select, false},
    {"move", cmd_move, false},
    {"pin", cmd_pin, false},
    {"unpin", cmd_unpin, false},
    {"reload", cmd_reload, false},
    {"snapshot", cmd_snapshot, true},
    {"unmask", cmd_unmask, true},
    {"restart", cmd_restart, false}, /* a wall-state command: audited there */
    {"eido", cmd_eido, false},       /* NENA EIDO document (cad role) */
    {"callup", app_cmd_callup, false}, /* wall-state commands (app/callup.c) */
    {"release", app_cmd_release, false},
};

static int command_hook(void *opaque, const cJSON *msg,
                        const struct ovl_client_info *who, cJSON *reply,
                        char *err, size_t errlen)
{
    struct app *app = opaque;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(msg, "type");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (!cJSON_IsString(type) || strcmp(type->valuestring, commands[i].type) != 0)
            continue;
        app->cmd_client = who; /* for unmask's guard and app_command()'s audit */
        int ret = commands[i].run(app, msg, reply, err, errlen);
        app->cmd_client = NULL;
        if (commands[i].changes_view)
            audit_outcome(app, who, msg, ret, err);
        return ret;
    }
    return -ENOENT;
}

/* A request refused for the client's roles: audited when it would have
 * been (snapshot, unmask), so attempts beyond a role are on record. */
static void forbidden_hook(void *opaque, const cJSON *msg, const struct ovl_client_info *who,
                           const char *err)
{
    struct app *app = opaque;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(msg, "type");
    for (size_t i = 0; cJSON_IsString(type) && i < sizeof(commands) / sizeof(commands[0]); i++)
        if (commands[i].changes_view && strcmp(type->valuestring, commands[i].type) == 0)
            audit_outcome(app, who, msg, -EACCES, err);
}

void app_secrets_load(struct app *app)
{
    if (!app->unmask_guard.max_fails)
        secret_guard_init(&app->unmask_guard, 5, 60 * 1000000LL, 5 * 60 * 1000000LL);
    if (!app->opt.supervisor_secret_file)
        return;
    int ret = secret_read_file(app->opt.supervisor_secret_file, app->supervisor_secret,
                               sizeof(app->supervisor_secret));
    if (ret < 0)
        tlog_err(app->log, "cannot read the supervisor secret from %s (%s): masks cannot "
                 "be lifted", app->opt.supervisor_secret_file, strerror(-ret));
}

/* Reads --control-tokens (if given) into *tokens; refuses (logged, -EACCES
 * or -EINVAL) a file others may read or a malformed one. */
static int load_tokens(struct app *app, struct ovl_token **tokens, size_t *n)
{
    char err[512];
    int ret;

    *tokens = NULL;
    *n = 0;
    if (!app->opt.control_tokens)
        return 0;
    ret = ovl_tokens_load(app->opt.control_tokens, tokens, n, err, sizeof(err));
    if (ret < 0)
        tlog_err(app->log, "--control-tokens: %s", err);
    else
        tlog_info(app->log, "control: %zu tokens from %s", *n, app->opt.control_tokens);
    return ret;
}

/* Opens the server on spec with the tokens (borrowed) and timeouts of the
 * options. */
static int open_server(struct app *app, const char *spec, bool explicit,
                       const struct ovl_token *tokens, size_t n_tokens)
{
    char token[OVL_TOKEN_MAX + 2] = "";
    int ret;
    if (app->opt.control_token_file &&
        (ret = secret_read_file(app->opt.control_token_file, token, sizeof(token))) < 0) {
        tlog_err(app->log, "cannot read a token from %s", app->opt.control_token_file);
        return ret;
    }
    struct ovl_server_config cfg = {
        .spec = spec, .token = token, .tokens = tokens, .n_tokens = n_tokens,
        .idle_ms = (unsigned)(app->opt.control_idle * 1000.0)};
    struct ovl_server_hooks hooks = {.opaque = app, .stats = stats_hook,
                                     .command = command_hook, .forbidden = forbidden_hook};
    app->control = ovl_server_create(&app->loop, &cfg, app->ovl, &hooks,
                                     app->control_log);
    memset(token, 0, sizeof(token));
    if (!app->control && explicit)
        return -EIO;
    if (!app->control)
        tlog_warn(app->log, "running without a control socket");
    return 0;
}

/* Opens the CoT and EIDO inputs of the command line on the loop. */
static int inputs_start(struct app *app)
{
    struct cot_inputs_config cfg = {
        .cot = app->opt.cot, .n_cot = (size_t)app->opt.n_cot,
        .allow = app->opt.cot_allow, .n_allow = (size_t)app->opt.n_cot_allow,
        .eido_dir = app->opt.eido_dir};
    app->inputs = cot_inputs_create(&app->loop, app->ovl, &cfg, app->log);
    return app->inputs ? 0 : -EIO;
}

int app_control_start(struct app *app)
{
    char spec[OVL_SPEC_MAX];
    const bool explicit = app->opt.control != NULL;
    struct ovl_token *tokens;
    size_t n_tokens;
    int ret;
    if (!(app->ovl = ovl_state_create(NULL)) ||
        !(app->control_log = tlog_create(app->log, "control")))
        return -ENOMEM;
    if ((ret = load_tokens(app, &tokens, &n_tokens)) < 0) /* checked even if unused */
        return ret;
    if (app->opt.no_control) {
        ret = 0;
    } else if (explicit || ovl_server_default_spec(getenv("XDG_RUNTIME_DIR"), spec,
                                                   sizeof(spec)) == 0) {
        if (explicit)
            snprintf(spec, sizeof(spec), "%s", app->opt.control);
        ret = open_server(app, spec, explicit, tokens, n_tokens);
    } else {
        tlog_info(app->log, "no control socket: XDG_RUNTIME_DIR is not set (use --control)");
        ret = 0;
    }
    ovl_tokens_free(tokens, n_tokens); /* the server keeps a copy */
    return ret < 0 ? ret : inputs_start(app);
}

void app_control_stop(struct app *app)
{
    cot_inputs_destroy(app->inputs); /* before the state it writes to */
    app->inputs = NULL;
    ovl_server_destroy(app->control);
    app->control = NULL;
    ovl_state_destroy(app->ovl);
    app->ovl = NULL;
    tlog_destroy(app->control_log);
    app->control_log = NULL;
}
