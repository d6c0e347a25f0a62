/*
 * sync.c - the pure parts of a multi-node wall's layout keys (issue 16): the
 * names of nodes and walls, the "sync" broker URL taken apart into host,
 * port and TLS, and which outputs a node drives.  layout_json.c reports what
 * these functions find wrong; no I/O, no globals.
 */
#include "layout/layout_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int layout__name_check(const char *s, const char *extra, int max)
{
    int n = 0;
    if (!s || !s[0])
        return LAYOUT_NAME_EMPTY;
    for (; s[n]; n++) {
        char ch = s[n];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || strchr(extra, ch)))
            return LAYOUT_NAME_BAD_CHAR;
    }
    return n > max ? LAYOUT_NAME_TOO_LONG : LAYOUT_NAME_OK;
}

bool layout_node_name_valid(const char *name)
{
    return layout__name_check(name, LAYOUT_NODE_EXTRA, LAYOUT_MAX_NODE) ==
           LAYOUT_NAME_OK;
}

bool layout_output_on_node(const struct layout_output *out, const char *node)
{
    if (!node)
        return true;
    return out && out->node && strcmp(out->node, node) == 0;
}

/* Whether an output of outputs[0..n) names node (any node when NULL). */
static bool outputs_name(const struct layout_output *outputs, int n,
                         const char *node)
{
    for (int i = 0; outputs && i < n; i++) {
        if (outputs[i].node && (!node || strcmp(outputs[i].node, node) == 0))
            return true;
    }
    return false;
}

/* Whether an output of any view of l (of its outputs, when hand-built
 * without views) names node, or any node when node is NULL. */
static bool layout_names(const struct layout *l, const char *node)
{
    if (!l)
        return false;
    if (!l->views)
        return outputs_name(l->outputs, l->n_outputs, node);
    for (int v = 0; v < l->n_views; v++) {
        if (outputs_name(l->views[v].outputs, l->views[v].n_outputs, node))
            return true;
    }
    return false;
}

bool layout_has_node(const struct layout *l, const char *node)
{
    return node && layout_names(l, node);
}

bool layout_uses_nodes(const struct layout *l)
{
    return layout_names(l, NULL);
}

/* ---- the broker URL ---- */

/* Whether host (len bytes, no brackets) is a host name or an IPv4 address;
 * else writes why. */
static bool host_ok(const char *host, size_t len, char *why, size_t n)
{
    char buf[256];
    struct in_addr a4;
    bool numeric = true;

    if (len == 0 || len > 253) {
        snprintf(why, n, len ? "has a host name longer than 253 characters"
                             : "names no host; write mqtt://HOST[:PORT]");
        return false;
    }
    memcpy(buf, host, len);
    buf[len] = '\0';
    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_')) {
            snprintf(why, n, "has a host that is not a host name, an IPv4 "
                     "address or an IPv6 address in brackets ([::1])");
            return false;
        }
        numeric = numeric && ((ch >= '0' && ch <= '9') || ch == '.');
    }
    if (numeric && inet_pton(AF_INET, buf, &a4) != 1) {
        snprintf(why, n, "has a host that is not an IPv4 address");
        return false;
    }
    if (buf[0] == '.' || strstr(buf, "..") || buf[0] == '-') {
        snprintf(why, n, "has a host that is not a valid host name");
        return false;
    }
    return true;
}

/* Reads ":PORT" (1..65535) at p, or nothing; *port keeps its default when
 * p is empty.  False with why on anything else. */
static bool port_ok(const char *p, int *port, char *why, size_t n)
{
    long v = 0;
    size_t i;

    if (!*p)
        return true;
    for (i = 1; p[0] == ':' && p[i] >= '0' && p[i] <= '9' && i < 7; i++)
        v = v * 10 + (p[i] - '0');
    if (p[0] != ':' || i == 1 || p[i] || v < 1 || v > 65535) {
        snprintf(why, n, "has a port that is not a number from 1 to 65535");
        return false;
    }
    *port = (int)v;
    return true;
}

/* Splits the authority at a ("HOST[:PORT]" or "[V6][:PORT]") into host and
 * port; false with why. */
static bool authority_ok(const char *a, char **host, int *port, char *why,
                         size_t n)
{
    const char *end, *colon;
    size_t len;
    char buf[64];
    struct in6_addr a6;

    if (a[0] == '[') {
        end = strchr(a, ']');
        len = end ? (size_t)(end - a - 1) : 0;
        if (end && len < sizeof buf) {
            memcpy(buf, a + 1, len);
            buf[len] = '\0';
        }
        if (!end || len >= sizeof buf || inet_pton(AF_INET6, buf, &a6) != 1) {
            snprintf(why, n, "has a host in brackets that is not an IPv6 "
                     "address");
            return false;
        }
        if (!port_ok(end + 1, port, why, n))
            return false;
        *host = strdup(buf);
        return true;
    }
    colon = strchr(a, ':');
    len = colon ? (size_t)(colon - a) : strlen(a);
    if (colon && strchr(colon + 1, ':')) {
        snprintf(why, n, "has an IPv6 address without brackets; write "
                 "mqtt://[ADDRESS]:PORT");
        return false;
    }
    if (!host_ok(a, len, why, n) || !port_ok(a + len, port, why, n))
        return false;
    *host = strndup(a, len);
    return true;
}

int layout__broker_parse(const char *url, char **host, int *port, bool *tls,
                         char *why, size_t n)
{
    const char *rest;

    *host = NULL;
    if (strncasecmp(url, "mqtt://", 7) == 0) {
        *tls = false;
        *port = 1883;
        rest = url + 7;
    } else if (strncasecmp(url, "mqtts://", 8) == 0) {
        *tls = true;
        *port = 8883;
        rest = url + 8;
    } else {
        snprintf(why, n, "must start with mqtt:// or mqtts:// (e.g. "
                 "\"mqtt://broker:1883\")");
        return -EINVAL;
    }
    if (strchr(rest, '@')) {
        snprintf(why, n, "must not hold credentials (user:password@): put "
                 "them in files named by \"username_file\" and "
                 "\"password_file\"");
        return -EINVAL;
    }
    if (strpbrk(rest, "/?#")) {
        snprintf(why, n, "must not have a path, query or fragment; write "
                 "mqtt://HOST[:PORT] or mqtts://HOST[:PORT]");
        return -EINVAL;
    }
    if (!authority_ok(rest, host, port, why, n))
        return -EINVAL;
    return *host ? 0 : -ENOMEM;
}
