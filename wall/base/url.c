/*
 * url.c - credential redaction (of one URL, and of every URL inside free
 * text), the source key of a camera URL, and URL classification.
 *
 * Redaction rules: the userinfo of an authority ("user:pass@") becomes
 * "***@"; a query parameter whose name contains one of secret_words (any
 * case) keeps its name and loses its value ("passphrase=***").  Like FFmpeg,
 * the authority ends at the first '/', '?' or '#', and its userinfo at the
 * last '@' before that.
 */
#include "base/url.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const secret_words[] = {"pass", "secret", "token", "key",
                                           "auth", "sig",    "pwd",   NULL};

/* Whether name[0..len) contains a secret word, ignoring case. */
static bool is_secret_param(const char *name, size_t len)
{
    for (int w = 0; secret_words[w]; w++) {
        size_t wl = strlen(secret_words[w]);
        for (size_t i = 0; i + wl <= len; i++)
            if (strncasecmp(name + i, secret_words[w], wl) == 0)
                return true;
    }
    return false;
}

/* Appends len bytes of s to out at *pos, cutting at n - 1. */
static void put(char *out, size_t n, size_t *pos, const char *s, size_t len)
{
    while (len-- && *pos + 1 < n)
        out[(*pos)++] = *s++;
    out[*pos] = '\0';
}

/* Copies the query string q[0..len) (after '?') with secret values masked. */
static void put_query(char *out, size_t n, size_t *pos, const char *q, size_t len)
{
    const char *end = q + len;
    while (q < end) {
        size_t seg = 0;
        while (q + seg < end && q[seg] != '&' && q[seg] != ';' && q[seg] != '#')
            seg++;
        const char *eq = memchr(q, '=', seg);
        if (eq && is_secret_param(q, (size_t)(eq - q))) {
            put(out, n, pos, q, (size_t)(eq - q) + 1);
            put(out, n, pos, "***", 3);
        } else {
            put(out, n, pos, q, seg);
        }
        q += seg;
        if (q < end && *q == '#') {
            put(out, n, pos, q, (size_t)(end - q));
            return;
        }
        if (q < end)
            put(out, n, pos, q++, 1);
    }
}

/* Redacts url[0..len) into out at *pos. */
static void redact_span(const char *url, size_t len, char *out, size_t n, size_t *pos)
{
    const char *end = url + len, *rest = url;
    const char *sep = strstr(url, "://");
    if (sep && sep + 3 <= end) {
        const char *auth = sep + 3, *at = NULL;
        for (const char *p = auth; p < end && !strchr("/?#", *p); p++)
            if (*p == '@')
                at = p; /* the last '@' of the authority */
        put(out, n, pos, url, (size_t)(auth - url));
        if (at)
            put(out, n, pos, "***", 3);
        rest = at ? at : auth;
    }
    const char *q = memchr(rest, '?', (size_t)(end - rest));
    put(out, n, pos, rest, (size_t)((q ? q : end) - rest));
    if (q) {
        put(out, n, pos, "?", 1);
        put_query(out, n, pos, q + 1, (size_t)(end - q - 1));
    }
}

void url_redact(const char *url, char *out, size_t n)
{
    size_t pos = 0;
    if (!n)
        return;
    out[0] = '\0';
    redact_span(url, strlen(url), out, n, &pos);
}

/* Where the URL whose "://" is at sep starts (its scheme), or NULL when no
 * scheme letters precede it (at or after from). */
static const char *scheme_start(const char *from, const char *sep)
{
    const char *s = sep;
    while (s > from && (isalnum((unsigned char)s[-1]) || strchr("+-.", s[-1])))
        s--;
    while (s < sep && !isalpha((unsigned char)*s))
        s++; /* a scheme starts with a letter */
    return s < sep ? s : NULL;
}

/* Length of the URL starting at s: up to a blank, a quote or an angle bracket. */
static size_t url_span(const char *s)
{
    size_t i = 0;
    while (s[i] && !isspace((unsigned char)s[i]) && !strchr("\"'<>`", s[i]))
        i++;
    return i;
}

void url_redact_text(const char *text, char *out, size_t n)
{
    size_t pos = 0;
    if (!n)
        return;
    out[0] = '\0';
    const char *p = text, *sep;
    while ((sep = strstr(p, "://")) != NULL) {
        const char *s = scheme_start(p, sep);
        if (!s) {
            put(out, n, &pos, p, (size_t)(sep + 3 - p));
            p = sep + 3;
            continue;
        }
        size_t len = url_span(s);
        put(out, n, &pos, p, (size_t)(s - p));
        redact_span(s, len, out, n, &pos);
        p = s + len;
    }
    put(out, n, &pos, p, strlen(p));
}

/* The default port of a scheme, or NULL when unknown. */
static const char *default_port(const char *scheme, size_t len)
{
    static const char *const ports[][2] = {
        {"rtsp", "554"}, {"rtsps", "322"}, {"http", "80"}, {"https", "443"},
        {"rtmp", "1935"}, {NULL, NULL}};
    for (int i = 0; ports[i][0]; i++)
        if (strlen(ports[i][0]) == len && strncasecmp(scheme, ports[i][0], len) == 0)
            return ports[i][1];
    return NULL;
}

/* Appends s[0..len) in lower case. */
static void put_lower(char *out, size_t n, size_t *pos, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = (char)tolower((unsigned char)s[i]);
        put(out, n, pos, &c, 1);
    }
}

void url_source_key(const char *url, char *out, size_t n)
{
    size_t pos = 0;
    if (!n)
        return;
    out[0] = '\0';
    const char *sep = strstr(url, "://");
    if (!sep) { /* a path, or "udp:"-like: the text before any query */
        put(out, n, &pos, url, strcspn(url, "?#"));
        return;
    }
    const char *auth = sep + 3;
    size_t alen = strcspn(auth, "/?#");
    const char *host = auth;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@')
            host = auth + i + 1;
    size_t hlen = (size_t)(auth + alen - host);
    put_lower(out, n, &pos, url, (size_t)(auth - url));
    put_lower(out, n, &pos, host, hlen);
    const char *port = default_port(url, (size_t)(sep - url));
    const char *close = memchr(host, ']', hlen); /* [v6]:port */
    const char *colon = memchr(close ? close : host, ':', hlen - (size_t)((close ? close : host) - host));
    if (!colon && port) {
        put(out, n, &pos, ":", 1);
        put(out, n, &pos, port, strlen(port));
    }
    const char *path = auth + alen;
    size_t plen = strcspn(path, "?#");
    put(out, n, &pos, plen ? path : "/", plen ? plen : 1);
}

int url_is_file(const char *url)
{
    if (strncmp(url, "file:", 5) == 0)
        return 1;
    return strstr(url, "://") == NULL && strncmp(url, "udp:", 4) != 0 &&
           strncmp(url, "pipe:", 5) != 0;
}
