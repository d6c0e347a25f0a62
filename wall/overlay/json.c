/*
 * json.c - the overlay module's shared JSON text buffer and value checks
 * (see json.h).  Writers: state.c (the picture for `get state`) and item.c
 * (items shared between nodes); readers: protocol.c and item.c.
 */
#include "overlay/json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for n more bytes and a NUL; false when out of memory. */
static bool ovl__json_room(struct ovl_json *t, size_t n)
{
    size_t cap = t->cap ? t->cap : 512;
    char *p;

    if (t->failed)
        return false;
    while (cap - t->len <= n)
        cap *= 2;
    if (cap != t->cap) {
        p = realloc(t->p, cap);
        if (!p) {
            t->failed = true;
            return false;
        }
        t->p = p;
        t->cap = cap;
    }
    return true;
}

void ovl_json_add(struct ovl_json *t, const char *s, size_t n)
{
    if (!ovl__json_room(t, n))
        return;
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

void ovl_json_printf(struct ovl_json *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (!ovl__json_room(t, 64))
        return;
    va_start(ap, fmt);
    n = vsnprintf(t->p + t->len, 64, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)(n < 64 ? n : 63);
}

void ovl_json_quoted(struct ovl_json *t, const char *v)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(v), i;
    unsigned char ch;

    if (!ovl__json_room(t, 6 * n + 2))
        return;
    t->p[t->len++] = '"';
    for (i = 0; i < n; i++) {
        ch = (unsigned char)v[i];
        if (ch == '"' || ch == '\\') {
            t->p[t->len++] = '\\';
            t->p[t->len++] = (char)ch;
        } else if (ch < 0x20) {
            memcpy(t->p + t->len, "\\u00", 4);
            t->p[t->len + 4] = hex[ch >> 4];
            t->p[t->len + 5] = hex[ch & 15];
            t->len += 6;
        } else {
            t->p[t->len++] = (char)ch;
        }
    }
    t->p[t->len++] = '"';
    t->p[t->len] = '\0';
}

void ovl_json_key(struct ovl_json *t, const char *lead, const char *key)
{
    ovl_json_add(t, lead, strlen(lead));
    ovl_json_add(t, "\"", 1);
    ovl_json_add(t, key, strlen(key));
    ovl_json_add(t, "\":", 2);
}

void ovl_json_num_fast(struct ovl_json *t, double v)
{
    char buf[40], *p = buf + sizeof buf;
    unsigned long long scaled, ip, fp;
    bool neg = v < 0;
    int i;

    if (!(v > -1e9 && v < 1e9)) {
        ovl_json_printf(t, "%.15g", v);
        return;
    }
    scaled = (unsigned long long)llround(fabs(v) * 1e9);
    ip = scaled / 1000000000ull;
    fp = scaled % 1000000000ull;
    if (fp) {
        for (i = 0; i < 9 && fp % 10 == 0; i++)
            fp /= 10;
        for (; i < 9; i++, fp /= 10)
            *--p = (char)('0' + fp % 10);
        *--p = '.';
    }
    do {
        *--p = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    if (neg && scaled)
        *--p = '-';
    ovl_json_add(t, p, (size_t)(buf + sizeof buf - p));
}

void ovl_json_num_exact(struct ovl_json *t, double v)
{
    char buf[64];
    int prec;

    snprintf(buf, sizeof buf, "null");
    for (prec = 15; isfinite(v) && prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    ovl_json_add(t, buf, strlen(buf));
}

char *ovl_json_finish(struct ovl_json *t, size_t *len)
{
    char *p = t->p;

    if (t->failed) {
        free(p);
        p = NULL;
    } else if (len) {
        *len = t->len;
    }
    *t = (struct ovl_json)OVL_JSON_INIT;
    return p;
}

static int ovl__json_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Formats an error into err and returns -EINVAL. */
static int ovl__json_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

int ovl_json_get_str(const cJSON *it, const char *name, char *dst, size_t max,
                     bool nonempty, char *err, size_t errlen)
{
    const char *v;
    size_t n, i;

    if (!cJSON_IsString(it) || !it->valuestring)
        return ovl__json_fail(err, errlen, "%s: must be a string", name);
    v = it->valuestring;
    n = strlen(v);
    if (nonempty && n == 0)
        return ovl__json_fail(err, errlen, "%s: must not be empty", name);
    if (n > max)
        return ovl__json_fail(err, errlen, "%s: longer than %zu bytes", name, max);
    for (i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7F)
            return ovl__json_fail(err, errlen, "%s: contains a control character",
                             name);
    memcpy(dst, v, n);
    dst[n] = '\0';
    return 0;
}

int ovl_json_get_num(const cJSON *it, const char *name, double lo, double hi,
                     bool whole, double *v, char *err, size_t errlen)
{
    double d;

    if (!cJSON_IsNumber(it))
        return ovl__json_fail(err, errlen, "%s: must be a number", name);
    d = it->valuedouble;
    /* %.17g: integer bounds such as 2^53 in full, small ones as written */
    if (whole && (!isfinite(d) || d != floor(d) || d < lo || d > hi))
        return ovl__json_fail(err, errlen, "%s: must be an integer from %.17g to %.17g",
                         name, lo, hi);
    if (!isfinite(d) || d < lo || d > hi)
        return ovl__json_fail(err, errlen, "%s: must be between %g and %g", name, lo,
                         hi);
    *v = d;
    return 0;
}
