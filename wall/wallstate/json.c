/*
 * json.c - the small JSON readers and writers that wire.c (commands) and
 * snapshot.c (snapshots) share: typed, range-checked members with one-line
 * errors that name the field, and feed ids resolved to indexes.  A leaf of
 * the module: it calls no other file of wall/wallstate.
 */
#include "wallstate/wallstate_priv.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ws__json_fail(char *err, size_t n, const char *fmt, ...)
{
    if (err && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, n, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/* o's member key, or NULL with err "WHERE KEY: missing". */
static const cJSON *member(const cJSON *o, const char *where, const char *key, char *err,
                           size_t n)
{
    const cJSON *item = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    if (!item)
        ws__json_fail(err, n, "%s%s: missing", where, key);
    return item;
}

/* v with 15 significant digits: what cJSON prints of it whole, so that a
 * number read, written and read again stays the same double (cJSON prints
 * 15 digits when they come within DBL_EPSILON, losing the last bit). */
static double real_on_wire(double v)
{
    char buf[40];
    snprintf(buf, sizeof(buf), "%.15g", v);
    return strtod(buf, NULL);
}

/* Reads o's member key as a finite number in [lo, hi] into *out, as it is. */
static int read_number(const cJSON *o, const char *where, const char *key, double lo,
                       double hi, double *out, char *err, size_t n)
{
    const cJSON *item = member(o, where, key, err, n);
    if (!item)
        return -EINVAL;
    if (!cJSON_IsNumber(item))
        return ws__json_fail(err, n, "%s%s: not a number", where, key);
    double v = item->valuedouble;
    if (!isfinite(v) || v < lo || v > hi)
        return ws__json_fail(err, n, "%s%s: %g is out of range (%g to %g)", where, key, v,
                             lo, hi);
    *out = v;
    return 0;
}

int ws__json_num(const cJSON *o, const char *where, const char *key, double lo, double hi,
                 double *out, char *err, size_t n)
{
    int ret = read_number(o, where, key, lo, hi, out, err, n);
    if (ret == 0)
        *out = real_on_wire(*out);
    return ret;
}

int ws__json_int(const cJSON *o, const char *where, const char *key, long long lo,
                 long long hi, long long *out, char *err, size_t n)
{
    double v = 0;
    int ret = read_number(o, where, key, (double)lo, (double)hi, &v, err, n);
    if (ret < 0)
        return ret;
    if (v != floor(v))
        return ws__json_fail(err, n, "%s%s: %g is not an integer", where, key, v);
    *out = (long long)v;
    return 0;
}

const char *ws__json_str_item(const cJSON *item, const char *what, size_t max, bool empty_ok,
                              char *err, size_t n)
{
    if (!cJSON_IsString(item) || !item->valuestring) {
        ws__json_fail(err, n, "%s: not a string", what);
        return NULL;
    }
    const char *s = item->valuestring;
    size_t len = strnlen(s, max);
    if (len >= max || (len == 0 && !empty_ok)) {
        ws__json_fail(err, n, "%s: %s (1 to %zu bytes)", what,
                      len ? "too long" : "empty", max - 1);
        return NULL;
    }
    if (!ws__wire_text_ok(s, max, empty_ok)) {
        ws__json_fail(err, n, "%s: control character in the string", what);
        return NULL;
    }
    return s;
}

bool ws__wire_text_ok(const char *s, size_t max, bool empty_ok)
{
    size_t len = strnlen(s, max);
    if (len >= max || (len == 0 && !empty_ok))
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

const char *ws__json_str(const cJSON *o, const char *where, const char *key, size_t max,
                         bool empty_ok, char *err, size_t n)
{
    const cJSON *item = member(o, where, key, err, n);
    char what[160];
    snprintf(what, sizeof(what), "%s%s", where, key);
    return item ? ws__json_str_item(item, what, max, empty_ok, err, n) : NULL;
}

const cJSON *ws__json_array(const cJSON *o, const char *where, const char *key, int max,
                            char *err, size_t n)
{
    const cJSON *item = member(o, where, key, err, n);
    if (!item)
        return NULL;
    if (!cJSON_IsArray(item)) {
        ws__json_fail(err, n, "%s%s: not an array", where, key);
        return NULL;
    }
    if (cJSON_GetArraySize(item) > max) {
        ws__json_fail(err, n, "%s%s: more than %d items", where, key, max);
        return NULL;
    }
    return item;
}

int ws__feed_ref(const struct wall_state *ws, const char *id, ws_feed_resolver resolve,
                 void *opaque)
{
    int f = layout_find_feed(ws->layout, id);
    if (f >= 0 || !resolve)
        return f;
    f = resolve(opaque, id); /* may append a feed to the layout */
    if (f < 0 || f >= ws->layout->n_feeds || strcmp(ws->layout->feeds[f].id, id) != 0)
        return -1;
    return f;
}

bool ws__json_add_int(cJSON *o, const char *key, long long value)
{
    return value >= -WS__JSON_MAX_INT && value <= WS__JSON_MAX_INT &&
           cJSON_AddNumberToObject(o, key, (double)value) != NULL;
}

bool ws__json_add_real(cJSON *o, const char *key, double value)
{
    return cJSON_AddNumberToObject(o, key, real_on_wire(value)) != NULL;
}

bool ws__json_add_str(cJSON *o, const char *key, const char *value)
{
    return (value ? cJSON_AddStringToObject(o, key, value) : cJSON_AddNullToObject(o, key)) !=
           NULL;
}
