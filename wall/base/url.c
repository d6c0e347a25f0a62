/*
 * url.c - credential redaction and URL classification.
 */
#include "base/url.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const secret_params[] = {
    "password", "passwd", "pass", "pwd", "token", "key",
    "secret", "auth", "signature", "sig", NULL};

static int is_secret_param(const char *name, size_t len)
{
    for (int i = 0; secret_params[i]; i++)
        if (strlen(secret_params[i]) == len &&
            strncasecmp(name, secret_params[i], len) == 0)
            return 1;
    return 0;
}

/* Appends len bytes of s to out at *pos, truncating at n - 1. */
static void put(char *out, size_t n, size_t *pos, const char *s, size_t len)
{
    while (len-- && *pos + 1 < n)
        out[(*pos)++] = *s++;
    out[*pos] = '\0';
}

/* Copies the query string q (after '?') with secret values masked. */
static void put_query(char *out, size_t n, size_t *pos, const char *q)
{
    while (*q) {
        size_t seg = strcspn(q, "&#");
        const char *eq = memchr(q, '=', seg);
        if (eq && is_secret_param(q, (size_t)(eq - q))) {
            put(out, n, pos, q, (size_t)(eq - q) + 1);
            put(out, n, pos, "***", 3);
        } else {
            put(out, n, pos, q, seg);
        }
        q += seg;
        if (*q == '#') {
            put(out, n, pos, q, strlen(q));
            return;
        }
        if (*q)
            put(out, n, pos, q++, 1);
    }
}

void url_redact(const char *url, char *out, size_t n)
{
    size_t pos = 0;
    if (!n)
        return;
    out[0] = '\0';
    const char *scheme_end = strstr(url, "://");
    const char *rest = url;
    if (scheme_end) {
        const char *auth = scheme_end + 3;
        size_t auth_len = strcspn(auth, "/?#");
        const char *at = NULL;
        for (size_t i = 0; i < auth_len; i++)
            if (auth[i] == '@')
                at = auth + i; /* last '@' of the authority */
        put(out, n, &pos, url, (size_t)(auth - url));
        if (at) {
            put(out, n, &pos, "***", 3);
            rest = at;
        } else {
            rest = auth;
        }
    }
    size_t head = strcspn(rest, "?");
    put(out, n, &pos, rest, head);
    if (rest[head] == '?') {
        put(out, n, &pos, "?", 1);
        put_query(out, n, &pos, rest + head + 1);
    }
}

int url_is_file(const char *url)
{
    if (strncmp(url, "file:", 5) == 0)
        return 1;
    return strstr(url, "://") == NULL && strncmp(url, "udp:", 4) != 0 &&
           strncmp(url, "pipe:", 5) != 0;
}
