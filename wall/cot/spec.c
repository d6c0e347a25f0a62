/*
 * spec.c - the pure parts of the inputs' configuration: --cot SPEC and
 * --cot-allow CIDR, and matching a sender's address against the CIDRs.
 */
#include "cot/inputs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *prefix;
    enum cot_spec_kind kind;
} cot__kinds[] = {
    {"udp:", COT_SPEC_UDP},
    {"tcp:", COT_SPEC_TCP},
    {"tcp-listen:", COT_SPEC_TCP_LISTEN},
};

int cot_spec_parse(const char *text, struct cot_spec *out, char *err, size_t errlen)
{
    const char *rest = NULL, *colon;
    char *end;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof cot__kinds / sizeof cot__kinds[0] && !rest; i++)
        if (strncmp(text, cot__kinds[i].prefix, strlen(cot__kinds[i].prefix)) == 0) {
            rest = text + strlen(cot__kinds[i].prefix);
            out->kind = cot__kinds[i].kind;
        }
    if (!rest) {
        snprintf(err, errlen, "%s: must start with udp:, tcp: or tcp-listen:", text);
        return -EINVAL;
    }
    if (!(colon = strrchr(rest, ':')) || colon == rest) {
        snprintf(err, errlen, "%s: expected HOST:PORT after the kind", text);
        return -EINVAL;
    }
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || port < 1 || port > 65535) {
        snprintf(err, errlen, "%s: port must be 1 to 65535", text);
        return -EINVAL;
    }
    size_t n = (size_t)(colon - rest);
    if (rest[0] == '[' && n >= 2 && rest[n - 1] == ']')
        rest++, n -= 2;
    if (n == 0 || n >= sizeof out->host) {
        snprintf(err, errlen, "%s: host missing or too long", text);
        return -EINVAL;
    }
    memcpy(out->host, rest, n);
    out->port = (int)port;
    return 0;
}

int cot_cidr_parse(const char *text, struct cot_cidr *out)
{
    char addr[64];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    memset(out, 0, sizeof *out);
    if (n == 0 || n >= sizeof addr)
        return -EINVAL;
    memcpy(addr, text, n);
    addr[n] = '\0';
    if (inet_pton(AF_INET, addr, out->addr) == 1)
        out->family = AF_INET, out->bits = 32;
    else if (inet_pton(AF_INET6, addr, out->addr) == 1)
        out->family = AF_INET6, out->bits = 128;
    else
        return -EINVAL;
    if (slash) {
        char *end;
        long bits = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || bits < 0 || bits > out->bits)
            return -EINVAL;
        out->bits = (int)bits;
    }
    return 0;
}

static bool cot__prefix_eq(const uint8_t *a, const uint8_t *b, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(a, b, (size_t)whole) != 0)
        return false;
    return rest == 0 || ((a[whole] ^ b[whole]) & (0xff << (8 - rest))) == 0;
}

bool cot_cidr_match(const struct cot_cidr *nets, size_t n, const struct sockaddr *addr)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const uint8_t *v4 = NULL, *v6 = NULL;
    if (addr->sa_family == AF_INET) {
        v4 = (const uint8_t *)&((const struct sockaddr_in *)addr)->sin_addr;
    } else if (addr->sa_family == AF_INET6) {
        v6 = (const uint8_t *)&((const struct sockaddr_in6 *)addr)->sin6_addr;
        if (memcmp(v6, mapped, sizeof mapped) == 0)
            v4 = v6 + 12;
    }
    for (size_t i = 0; i < n; i++) {
        if (nets[i].family == AF_INET && v4 && cot__prefix_eq(v4, nets[i].addr, nets[i].bits))
            return true;
        if (nets[i].family == AF_INET6 && v6 && cot__prefix_eq(v6, nets[i].addr, nets[i].bits))
            return true;
    }
    return false;
}
