/*
 * fuzz_ovl_server.c - libFuzzer harness for the control socket's request
 * handlers, not only the line parser: each input is written, as the bytes
 * of one connection, into one end of a socketpair whose other end the real
 * server (wall/overlay/server.c) serves on a real libuv loop, with tokens
 * and roles, state changes and application hooks, until the server has
 * answered and closed.  Checked: every reply is one JSON object with a
 * boolean "ok"; no request reaches the command hook beyond the client's
 * roles; the state changes only for inputs that carry a cad or supervisor
 * token; the connection is gone afterwards.  Built from tests/overlay/.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <uv.h>

#include "base/log.h"
#include "overlay/server.h"
#include "overlay/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's server, made on the first input and kept (a fuzzer runs
 * one input after another in one process). */
struct fuzz_rig {
    uv_loop_t loop;
    struct ovl_state *state;
    struct ovl_server *srv;
    struct tlog *log;
    char dir[32];
};

static void must(int cond)
{
    if (!cond)
        abort();
}

/* Stands for the app: checks the server let only allowed requests through,
 * then accepts some types, fails some, and does not know the rest. */
static int command_hook(void *opaque, const cJSON *msg,
                        const struct ovl_client_info *who, cJSON *reply,
                        char *err, size_t errlen)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(msg, "type");
    unsigned need = OVL_ROLE_SUPERVISOR;

    (void)opaque;
    must(cJSON_IsString(type));
    ovl_role_needed(type->valuestring, &need);
    must(ovl_roles_allow(who->roles, need));
    if (strcmp(type->valuestring, "layout") == 0) {
        snprintf(err, errlen, "no layout named \"x\"");
        return -EINVAL;
    }
    if (strcmp(type->valuestring, "hud") == 0 || strcmp(type->valuestring, "pin") == 0) {
        cJSON_AddBoolToObject(reply, "on", 1);
        return 0;
    }
    return -ENOENT;
}

/* A refusal for the client's roles: told with the error it gets. */
static void forbidden_hook(void *opaque, const cJSON *msg, const struct ovl_client_info *who,
                           const char *err)
{
    (void)opaque;
    (void)msg;
    must(who != NULL && strncmp(err, "forbidden: ", 11) == 0);
}

static int stats_hook(void *opaque, cJSON *stats)
{
    (void)opaque;
    cJSON_AddNumberToObject(stats, "feeds", 1);
    return 0;
}

static struct fuzz_rig *rig_get(void)
{
    static struct fuzz_rig *rig;
    static const struct ovl_token tokens[] = {
        {"tok-cad", OVL_ROLE_CAD},
        {"tok-op", OVL_ROLE_OPERATOR},
        {"tok-sup", OVL_ROLE_SUPERVISOR},
        {"tok-view", OVL_ROLE_VIEWER},
    };
    struct ovl_server_hooks hooks = {.stats = stats_hook, .command = command_hook,
                                     .forbidden = forbidden_hook};
    /* expiry never runs during a run: the state changes only by requests */
    struct ovl_server_config cfg = {.tokens = tokens, .n_tokens = 4,
                                    .expire_ms = 0x7fffffff};
    char spec[64];

    if (rig)
        return rig;
    rig = calloc(1, sizeof *rig);
    must(rig != NULL);
    snprintf(rig->dir, sizeof rig->dir, "/tmp/fuzz-ovl-XXXXXX");
    must(mkdtemp(rig->dir) != NULL);
    snprintf(spec, sizeof spec, "unix:%s/s.sock", rig->dir);
    cfg.spec = spec;
    must(uv_loop_init(&rig->loop) == 0);
    rig->log = tlog_create_root(TLOG_ERROR);
    rig->state = ovl_state_create(NULL);
    rig->srv = ovl_server_create(&rig->loop, &cfg, rig->state, &hooks, rig->log);
    must(rig->srv != NULL);
    return rig;
}

/* Checks one reply line. */
static void check_reply(const char *line, size_t len)
{
    cJSON *r = cJSON_ParseWithLength(line, len);

    must(cJSON_IsObject(r));
    must(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(r, "ok")));
    cJSON_Delete(r);
}

/* Writes what is left of data to fd without blocking; returns the rest. */
static size_t feed_some(int fd, const uint8_t **data, size_t left)
{
    ssize_t w;

    if (!left)
        return 0;
    w = send(fd, *data, left, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (w > 0) {
        *data += w;
        left -= (size_t)w;
    } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        left = 0; /* the server closed (an HTTP line, say) */
    }
    if (!left)
        shutdown(fd, SHUT_WR);
    return left;
}

/* Serves one connection carrying data; returns the replies' bytes (malloc)
 * with *len, once the server closed it. */
static char *run_connection(struct fuzz_rig *rig, const uint8_t *data,
                            size_t size, size_t *len)
{
    size_t cap = 1 << 16, n = 0, left = size;
    char *out = malloc(cap);
    int sv[2], i;
    ssize_t got;

    must(out && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    must(ovl_server_adopt(rig->srv, sv[0]) == 0);
    if (!size)
        shutdown(sv[1], SHUT_WR);
    for (i = 0; i < 2000000; i++) {
        left = feed_some(sv[1], &data, left);
        uv_run(&rig->loop, UV_RUN_NOWAIT);
        if (n == cap) {
            cap *= 2;
            out = realloc(out, cap);
            must(out != NULL);
        }
        got = recv(sv[1], out + n, cap - n, MSG_DONTWAIT);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            break;
        if (got > 0)
            n += (size_t)got;
    }
    must(i < 2000000); /* the server must finish and close */
    close(sv[1]);
    *len = n;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_rig *rig = rig_get();
    struct ovl_server_counters k;
    size_t len, start = 0, i, cut = 0;
    char *before, *after, *out;
    bool may_change;

    if (size > 256 * 1024)
        return 0;
    before = ovl_state_to_json(rig->state, &len);
    may_change = memmem(data, size, "tok-cad", 7) || memmem(data, size, "tok-sup", 7);
    out = run_connection(rig, data, size, &len);
    for (i = 0; i < len; i++)
        if (out[i] == '\n') {
            check_reply(out + start, i - start);
            start = i + 1;
        }
    must(start == len); /* nothing but whole lines */
    free(out);
    after = ovl_state_to_json(rig->state, &cut);
    must(may_change || strcmp(before, after) == 0);
    free(before);
    free(after);
    for (i = 0; i < 1000; i++) { /* the close callback runs soon */
        ovl_server_get_counters(rig->srv, &k);
        if (k.clients == 0)
            break;
        uv_run(&rig->loop, UV_RUN_NOWAIT);
    }
    must(k.clients == 0);
    return 0;
}
