/*
 * ctl.c - `tessera ctl`: words to one control request, a blocking socket to
 * send it over, and the reply printed (see ctl.h).  A separate short-lived
 * process, so plain blocking sockets with a timeout are used, not the wall's
 * loop.
 */
#include "ctl/ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/secret.h"
#include "overlay/protocol.h"
#include "overlay/server.h"

#define CTL_REPLY_MAX (64u << 20) /* a state reply can be large */

/* Request types whose first word after the type fills a field. */
static const struct {
    const char *type, *field;
} ctl_positional[] = {
    {"layout", "name"},   {"snapshot", "name"}, {"move", "direction"},
    {"hud", "on"},        {"help", "on"},       {"restart", "feed"},
    {"incident", "op"},   {"unit", "op"},       {"callup", "incident"},
    {"release", "incident"},
};

/* Fields sent as JSON numbers; "units" is a list, "on" a boolean, the rest
 * strings. */
static const char *const ctl_numbers[] = {
    "lat", "lon", "priority", "tile", "heading", "speed_mps", "stale_after_s",
    "minutes",
};

static void ctl_help(FILE *f)
{
    fputs(
"Usage: tessera ctl [--socket SPEC] [--token-file F] [--timeout S] REQUEST...\n"
"Send one request to a running wall's control socket and print the reply.\n"
"\n"
"  --socket SPEC     unix:PATH or tcp:HOST:PORT (default\n"
"                    unix:$XDG_RUNTIME_DIR/tessera.sock)\n"
"  --token-file F    send the token in F's first line first (auth)\n"
"  --timeout S       seconds to wait for the wall (default 10)\n"
"  -h, --help        show this help\n"
"\n"
"REQUEST is a type, maybe a word, then --FIELD VALUE pairs (a '-' in FIELD\n"
"is sent as '_'; lat, lon, priority, tile, heading, speed-mps,\n"
"stale-after-s and minutes are numbers, --units A,B a list, others text):\n"
"  ping | state | stats | reload\n"
"  layout NAME              hud [on|off]            help [on|off]\n"
"  maximize|select|pin|unpin [--output O] [--tile T]\n"
"  move left|right|up|down [--output O]\n"
"  incident upsert --id ID [--lat N --lon N] [--priority N] [--kind K]\n"
"                  [--status S] [--address A] [--units A,B] [--time T]\n"
"  incident close --id ID\n"
"  unit upsert --id ID [--lat N --lon N] [--heading N] [--speed-mps N] ...\n"
"  unit remove --id ID\n"
"  callup ID | callup --lat N --lon N [--priority N]   release ID\n"
"  snapshot [NAME]          restart --feed ID  (or restart ID)\n"
"  unmask --feed F --minutes M --reason TEXT --secret-file F\n"
"  raw 'JSON'               any JSON object, sent as it is\n"
"\n"
"Exit status: 0 the reply was ok; 1 the reply was an error (on stderr);\n"
"2 bad command line, or the wall could not be reached.\n", f);
}

/* Adds --key value to req, typed by the key; 0 or -EINVAL with msg. */
static int ctl_add_field(cJSON *req, const char *key, const char *value,
                         char *msg, size_t len)
{
    char *end;
    double v;
    size_t i;

    if (strcmp(key, "secret_file") == 0) {
        char secret[OVL_TOKEN_MAX + 2];
        if (secret_read_file(value, secret, sizeof secret) < 0) {
            snprintf(msg, len, "cannot read a secret from %s", value);
            return -EINVAL;
        }
        cJSON_AddStringToObject(req, "secret", secret);
        memset(secret, 0, sizeof secret);
        return 0;
    }
    if (strcmp(key, "on") == 0) {
        if (strcmp(value, "on") && strcmp(value, "off") &&
            strcmp(value, "true") && strcmp(value, "false")) {
            snprintf(msg, len, "on: want on or off, not \"%s\"", value);
            return -EINVAL;
        }
        cJSON_AddBoolToObject(req, key, !strcmp(value, "on") || !strcmp(value, "true"));
        return 0;
    }
    if (strcmp(key, "units") == 0) {
        cJSON *a = cJSON_AddArrayToObject(req, key);
        char *copy = strdup(value), *save = NULL, *u;
        for (u = strtok_r(copy, ",", &save); u; u = strtok_r(NULL, ",", &save))
            cJSON_AddItemToArray(a, cJSON_CreateString(u));
        free(copy);
        return 0;
    }
    for (i = 0; i < sizeof ctl_numbers / sizeof ctl_numbers[0]; i++)
        if (strcmp(key, ctl_numbers[i]) == 0) {
            v = strtod(value, &end);
            if (end == value || *end) {
                snprintf(msg, len, "--%s: want a number, not \"%s\"", key, value);
                return -EINVAL;
            }
            cJSON_AddNumberToObject(req, key, v);
            return 0;
        }
    cJSON_AddStringToObject(req, key, value);
    return 0;
}

/* The field type's first free word fills, or NULL. */
static const char *ctl_positional_field(const char *type)
{
    for (size_t i = 0; i < sizeof ctl_positional / sizeof ctl_positional[0]; i++)
        if (strcmp(type, ctl_positional[i].type) == 0)
            return ctl_positional[i].field;
    return NULL;
}

/* Adds the words after the type: one free word, then --key value pairs. */
static int ctl_add_words(cJSON *req, const char *type, int argc, char **argv,
                         char *msg, size_t len)
{
    const char *field = ctl_positional_field(type);
    char key[64];

    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0) {
            if (!field || cJSON_HasObjectItem(req, field)) {
                snprintf(msg, len, "%s: unexpected word \"%s\"", type, argv[i]);
                return -EINVAL;
            }
            if (ctl_add_field(req, field, argv[i], msg, len) < 0)
                return -EINVAL;
            continue;
        }
        if (i + 1 >= argc || !argv[i][2] || strlen(argv[i] + 2) >= sizeof key) {
            snprintf(msg, len, "%s: %s wants a value", type, argv[i]);
            return -EINVAL;
        }
        snprintf(key, sizeof key, "%s", argv[i] + 2);
        for (char *p = key; *p; p++)
            *p = *p == '-' ? '_' : *p;
        if (cJSON_HasObjectItem(req, key) || strcmp(key, "type") == 0) {
            snprintf(msg, len, "%s: --%s given twice", type, argv[i] + 2);
            return -EINVAL;
        }
        if (ctl_add_field(req, key, argv[++i], msg, len) < 0)
            return -EINVAL;
    }
    return 0;
}

cJSON *ctl_build_request(int argc, char **argv, char *msg, size_t len)
{
    cJSON *req;

    if (argc < 1) {
        snprintf(msg, len, "no request given");
        return NULL;
    }
    if (strcmp(argv[0], "raw") == 0) {
        req = argc == 2 ? cJSON_Parse(argv[1]) : NULL;
        if (!cJSON_IsObject(req)) {
            cJSON_Delete(req);
            snprintf(msg, len, "raw: want one JSON object");
            return NULL;
        }
        return req;
    }
    req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "type", argv[0]);
    if (ctl_add_words(req, argv[0], argc - 1, argv + 1, msg, len) < 0) {
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

/* Connects to spec with send/receive timeouts; returns the fd or -1 with
 * msg set. */
static int ctl_connect(const char *spec, double timeout_s, char *msg, size_t len)
{
    struct timeval tv = {(time_t)timeout_s,
                         (suseconds_t)((timeout_s - (time_t)timeout_s) * 1e6)};
    struct sockaddr_storage ss;
    socklen_t sl;
    struct ovl_spec sp;
    int fd;

    memset(&ss, 0, sizeof ss);
    if (ovl_spec_parse(spec, &sp, msg, len) < 0)
        return -1;
    if (sp.kind == OVL_PEER_UNIX) {
        struct sockaddr_un *un = (struct sockaddr_un *)&ss;
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, sp.path, strlen(sp.path) + 1);
        sl = sizeof *un;
    } else if (inet_pton(AF_INET, sp.host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
        ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
        ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)sp.port);
        sl = sizeof(struct sockaddr_in);
    } else {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)sp.port);
        inet_pton(AF_INET6, sp.host, &a6->sin6_addr);
        sl = sizeof *a6;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
                    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0 ||
                    connect(fd, (struct sockaddr *)&ss, sl) < 0)) {
        snprintf(msg, len, "cannot connect to %s: %s", spec, strerror(errno));
        close(fd);
        return -1;
    }
    if (fd < 0)
        snprintf(msg, len, "socket: %s", strerror(errno));
    return fd;
}

/* Sends req as one line; 0 or -1 with msg set. */
static int ctl_send(int fd, const cJSON *req, char *msg, size_t len)
{
    char *text = cJSON_PrintUnformatted(req);
    size_t n = text ? strlen(text) : 0, off = 0;
    ssize_t w;

    if (!text) {
        snprintf(msg, len, "out of memory");
        return -1;
    }
    text[n++] = '\n'; /* over the NUL: the length is kept in n */
    while (off < n) {
        w = send(fd, text + off, n - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(msg, len, "send: %s", strerror(errno));
            free(text);
            return -1;
        }
        off += (size_t)w;
    }
    free(text);
    return 0;
}

/* Reads one reply line and parses it; NULL with msg set on EOF, timeout or
 * a line that is not a JSON object. */
static cJSON *ctl_recv(int fd, char *msg, size_t len)
{
    size_t n = 0, cap = 4096;
    char *buf = malloc(cap), *nl = NULL;
    cJSON *r = NULL;
    ssize_t got = 0;

    while (buf && !nl) {
        if (cap - n < 2) {
            char *p = cap < CTL_REPLY_MAX ? realloc(buf, cap * 2) : NULL;
            if (!p)
                break;
            buf = p;
            cap *= 2;
        }
        got = recv(fd, buf + n, cap - n - 1, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        nl = memchr(buf + n, '\n', (size_t)got); /* one request: one line */
        n += (size_t)got;
    }
    if (nl) {
        *nl = '\0';
        r = cJSON_Parse(buf);
    }
    if (!cJSON_IsObject(r)) {
        snprintf(msg, len, "no reply from the wall (%s)",
                 nl ? "not a JSON object" : got == 0 ? "it closed the connection"
                                                     : strerror(errno));
        cJSON_Delete(r);
        r = NULL;
    }
    free(buf);
    return r;
}

/* Sends req (with "seq" added when it has none) and returns the reply, or
 * NULL with msg set. */
static cJSON *ctl_ask(int fd, cJSON *req, int seq, char *msg, size_t len)
{
    if (!cJSON_HasObjectItem(req, "seq"))
        cJSON_AddNumberToObject(req, "seq", seq);
    if (ctl_send(fd, req, msg, len) < 0)
        return NULL;
    return ctl_recv(fd, msg, len);
}

/* Prints an ok reply without "ok" and "seq" (pretty JSON, or "ok" when
 * nothing is left) and returns 0, or prints the error and returns 1. */
static int ctl_print(cJSON *reply, FILE *out, FILE *err)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(reply, "error");
    char *text;

    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok"))) {
        fprintf(err, "tessera ctl: %s\n",
                cJSON_IsString(e) ? e->valuestring : "the wall refused");
        return CTL_EXIT_ERROR;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(reply, "ok");
    cJSON_DeleteItemFromObjectCaseSensitive(reply, "seq");
    if (!reply->child) {
        fputs("ok\n", out);
        return CTL_EXIT_OK;
    }
    text = cJSON_Print(reply);
    fprintf(out, "%s\n", text ? text : "{}");
    free(text);
    return CTL_EXIT_OK;
}

struct ctl_opts {
    const char *socket, *token_file;
    double timeout_s;
};

/* Parses the options before REQUEST; returns the index of REQUEST's first
 * word, or -1 (usage error printed) or -2 (help printed). */
static int ctl_parse_opts(int argc, char **argv, struct ctl_opts *o, FILE *out,
                          FILE *err)
{
    int i;

    for (i = 1; i < argc && strncmp(argv[i], "-", 1) == 0; i += 2) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            ctl_help(out);
            return -2;
        }
        if (!strcmp(a, "--"))
            return i + 1;
        if (!v || (strcmp(a, "--socket") && strcmp(a, "--token-file") &&
                   strcmp(a, "--timeout"))) {
            fprintf(err, "tessera ctl: %s %s\nTry 'tessera ctl --help'.\n",
                    v ? "unknown option" : "missing value for", a);
            return -1;
        }
        if (!strcmp(a, "--socket"))
            o->socket = v;
        else if (!strcmp(a, "--token-file"))
            o->token_file = v;
        else if ((o->timeout_s = strtod(v, NULL)) <= 0 || o->timeout_s > 3600) {
            fprintf(err, "tessera ctl: --timeout wants 0 to 3600 seconds\n");
            return -1;
        }
    }
    return i;
}

/* Connects as o says and authenticates; returns the fd or -1 (printed). */
static int ctl_open(const struct ctl_opts *o, FILE *err, int *status)
{
    char spec[OVL_SPEC_MAX], msg[512], token[OVL_TOKEN_MAX + 2];
    cJSON *auth, *reply;
    int fd;

    *status = CTL_EXIT_USAGE;
    if (o->socket)
        snprintf(spec, sizeof spec, "%s", o->socket);
    else if (ovl_server_default_spec(getenv("XDG_RUNTIME_DIR"), spec, sizeof spec) < 0) {
        fprintf(err, "tessera ctl: XDG_RUNTIME_DIR is not set: give --socket\n");
        return -1;
    }
    if (o->token_file && secret_read_file(o->token_file, token, sizeof token) < 0) {
        fprintf(err, "tessera ctl: cannot read a token from %s\n", o->token_file);
        return -1;
    }
    if ((fd = ctl_connect(spec, o->timeout_s, msg, sizeof msg)) < 0) {
        fprintf(err, "tessera ctl: %s\n", msg);
        return -1;
    }
    if (!o->token_file)
        return fd;
    auth = cJSON_CreateObject();
    cJSON_AddStringToObject(auth, "type", "auth");
    cJSON_AddStringToObject(auth, "token", token);
    memset(token, 0, sizeof token);
    reply = ctl_ask(fd, auth, 1, msg, sizeof msg);
    cJSON_Delete(auth);
    if (reply && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok"))) {
        cJSON_Delete(reply);
        return fd;
    }
    if (reply) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(reply, "error");
        fprintf(err, "tessera ctl: auth: %s\n",
                cJSON_IsString(e) ? e->valuestring : "refused");
        *status = CTL_EXIT_ERROR;
    } else {
        fprintf(err, "tessera ctl: %s\n", msg);
    }
    cJSON_Delete(reply);
    close(fd);
    return -1;
}

int ctl_main(int argc, char **argv, FILE *out, FILE *err)
{
    struct ctl_opts o = {.timeout_s = 10};
    char msg[512];
    cJSON *req, *reply;
    int first = ctl_parse_opts(argc, argv, &o, out, err), fd, status;

    if (first < 0)
        return first == -2 ? CTL_EXIT_OK : CTL_EXIT_USAGE;
    req = ctl_build_request(argc - first, argv + first, msg, sizeof msg);
    if (!req) {
        fprintf(err, "tessera ctl: %s\nTry 'tessera ctl --help'.\n", msg);
        return CTL_EXIT_USAGE;
    }
    if ((fd = ctl_open(&o, err, &status)) < 0) {
        cJSON_Delete(req);
        return status;
    }
    reply = ctl_ask(fd, req, 2, msg, sizeof msg);
    close(fd);
    cJSON_Delete(req);
    if (!reply) {
        fprintf(err, "tessera ctl: %s\n", msg);
        return CTL_EXIT_USAGE;
    }
    status = ctl_print(reply, out, err);
    cJSON_Delete(reply);
    return status;
}
