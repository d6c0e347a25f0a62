/*
 * protocol.c - parses one line of the overlay control protocol into a typed
 * struct ovl_msg, with error texts that name the field ("priority: must be an
 * integer from 1 to 9").  Also the small pure helpers the protocol needs:
 * strict UTF-8 validation and RFC 3339 date-times.  See docs/protocol.md.
 */
#include "overlay/protocol.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "overlay/json.h"

/* The state of one parse: the object being read and where errors go. */
struct ovl__pctx {
    const cJSON *root;
    struct ovl_msg *msg;
    char *err;
    size_t errlen;
};

/* Every field name the protocol knows; each may appear once per line. */
static const char *const ovl__known_fields[] = {
    "type",   "op",      "seq",     "id",   "kind",      "priority",
    "status", "lat",     "lon",     "address", "units",  "time",
    "heading", "speed_mps", "stale_after_s", "token",
};

static int ovl__fail(struct ovl__pctx *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Formats an error into p->err and returns -EINVAL. */
static int ovl__fail(struct ovl__pctx *p, const char *fmt, ...)
{
    va_list ap;

    if (p->err && p->errlen) {
        va_start(ap, fmt);
        vsnprintf(p->err, p->errlen, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/* ---- UTF-8 ------------------------------------------------------------ */

/* Returns the length of the well-formed UTF-8 sequence at s (n bytes left),
 * or 0 when it is not one (RFC 3629, table 3-7 of Unicode). */
static size_t ovl__utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t len, i;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    else
        return 0;
    if (c == 0xE0)
        lo = 0xA0; /* overlong */
    else if (c == 0xED)
        hi = 0x9F; /* surrogates */
    else if (c == 0xF0)
        lo = 0x90; /* overlong */
    else if (c == 0xF4)
        hi = 0x8F; /* above U+10FFFF */
    if (n < len)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

int ovl_utf8_check(const char *s, size_t len, size_t *bad_at)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, n;

    while (i < len) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        n = ovl__utf8_seq(u + i, len - i);
        if (n == 0) {
            if (bad_at)
                *bad_at = i;
            return -EILSEQ;
        }
        i += n;
    }
    return 0;
}

size_t ovl_utf8_cut(const char *s, size_t len, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;

    if (len <= max)
        return len;
    while (max > 0 && (u[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* ---- RFC 3339 ---------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). */
static int64_t ovl__days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of ovl__days_from_civil(). */
static void ovl__civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int ovl__days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads n decimal digits at s into *v; returns false if any is not a digit. */
static bool ovl__digits(const char *s, int n, int *v)
{
    int i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

/* Parses the "Z" / "+hh:mm" / "-hh:mm" at s (n bytes) into seconds east. */
static int ovl__parse_offset(const char *s, size_t n, int *off_s)
{
    int hh, mm;

    if (n == 1 && (s[0] == 'Z' || s[0] == 'z')) {
        *off_s = 0;
        return 0;
    }
    if (n != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
        return -EINVAL;
    if (!ovl__digits(s + 1, 2, &hh) || !ovl__digits(s + 4, 2, &mm) ||
        hh > 23 || mm > 59)
        return -EINVAL;
    *off_s = (hh * 60 + mm) * 60 * (s[0] == '-' ? -1 : 1);
    return 0;
}

int ovl_parse_rfc3339(const char *s, size_t len, int64_t *epoch_s)
{
    int y, mo, d, h, mi, sec, off;
    size_t i = 19;

    if (len < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' ||
        s[16] != ':' || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return -EINVAL;
    if (!ovl__digits(s, 4, &y) || !ovl__digits(s + 5, 2, &mo) ||
        !ovl__digits(s + 8, 2, &d) || !ovl__digits(s + 11, 2, &h) ||
        !ovl__digits(s + 14, 2, &mi) || !ovl__digits(s + 17, 2, &sec))
        return -EINVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > ovl__days_in_month(y, mo) ||
        h > 23 || mi > 59 || sec > 60)
        return -EINVAL;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return -EINVAL;
    }
    if (ovl__parse_offset(s + i, len - i, &off) < 0)
        return -EINVAL;
    *epoch_s = ovl__days_from_civil(y, mo, d) * 86400 +
               (int64_t)h * 3600 + mi * 60 + sec - off;
    return 0;
}

int ovl_format_rfc3339(int64_t epoch_s, char *buf)
{
    int64_t days, secs, y;
    int m, d;

    /* 0000-01-01 .. 9999-12-31T23:59:59 */
    if (epoch_s < -62167219200LL || epoch_s > 253402300799LL)
        return -ERANGE;
    days = epoch_s / 86400;
    secs = epoch_s % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    ovl__civil_from_days(days, &y, &m, &d);
    snprintf(buf, OVL_TIME_BUF, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m,
             d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    return 0;
}

/* ---- finding the raw text of "seq" -------------------------------------- */

static const char *ovl__skip_ws(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++;
    return s;
}

/* s points at a '"'; returns the position after the closing quote. */
static const char *ovl__skip_string(const char *s, const char *end)
{
    for (s++; s < end && *s != '"'; s++)
        if (*s == '\\')
            s++;
    return s < end ? s + 1 : end;
}

/* Skips one JSON value (already validated by cJSON) starting at s: a string
 * or container up to its end, a scalar up to the next delimiter. */
static const char *ovl__skip_value(const char *s, const char *end)
{
    int depth = 0;

    while (s < end) {
        if (*s == '"') {
            s = ovl__skip_string(s, end);
            if (depth == 0)
                return s;
            continue;
        }
        if (*s == '{' || *s == '[') {
            depth++;
        } else if (*s == '}' || *s == ']') {
            if (depth == 0)
                return s;
            if (--depth == 0)
                return s + 1;
        } else if (depth == 0 && (*s == ',' || *s == ' ' || *s == '\t' ||
                                  *s == '\r')) {
            return s;
        }
        s++;
    }
    return s;
}

/* Whether the JSON string body k..kend (between the quotes) decodes to the
 * ASCII text name. */
static bool ovl__key_is(const char *k, const char *kend, const char *name)
{
    static const char esc_from[] = "\"\\/bfnrt", esc_to[] = "\"\\/\b\f\n\r\t";
    const char *e;
    unsigned code;
    char c;

    while (k < kend) {
        c = *k++;
        if (c == '\\' && k < kend) {
            if (*k == 'u' && kend - k >= 5) {
                if (sscanf(k + 1, "%4x", &code) != 1 || code > 0x7F)
                    return false;
                c = (char)code;
                k += 5;
            } else {
                e = strchr(esc_from, *k++);
                if (!e)
                    return false;
                c = esc_to[e - esc_from];
            }
        }
        if (*name == '\0' || c != *name++)
            return false;
    }
    return *name == '\0';
}

/* Finds the value text of the top-level member name of the JSON object in
 * s..end; returns false when there is none. */
static bool ovl__find_raw(const char *s, const char *end, const char *name,
                          const char **val, size_t *vlen)
{
    const char *k, *kend;

    s = ovl__skip_ws(s, end);
    if (s >= end || *s != '{')
        return false;
    s = ovl__skip_ws(s + 1, end);
    while (s < end && *s == '"') {
        k = s + 1;
        s = ovl__skip_string(s, end);
        kend = s - 1;
        s = ovl__skip_ws(s, end);
        if (s >= end || *s != ':')
            return false;
        s = ovl__skip_ws(s + 1, end);
        *val = s;
        s = ovl__skip_value(s, end);
        *vlen = (size_t)(s - *val);
        if (ovl__key_is(k, kend, name))
            return true;
        s = ovl__skip_ws(s, end);
        if (s < end && *s == ',')
            s = ovl__skip_ws(s + 1, end);
    }
    return false;
}

/* Whether v[0..n) is a JSON integer: -?(0|[1-9][0-9]*). */
static bool ovl__is_int_text(const char *v, size_t n)
{
    size_t i = 0;

    if (i < n && v[i] == '-')
        i++;
    if (i >= n || (v[i] == '0' && n - i > 1))
        return false;
    for (; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return true;
}

/* Fills msg->seq from the line text when the object has a "seq" member. */
static int ovl__read_seq(struct ovl__pctx *p, const char *text, size_t len)
{
    const char *v;
    size_t n;

    if (!cJSON_GetObjectItemCaseSensitive(p->root, "seq"))
        return 0;
    if (!ovl__find_raw(text, text + len, "seq", &v, &n) ||
        !ovl__is_int_text(v, n))
        return ovl__fail(p, "seq: must be an integer");
    if (n > OVL_SEQ_MAX)
        return ovl__fail(p, "seq: longer than %d characters", OVL_SEQ_MAX);
    memcpy(p->msg->seq, v, n);
    p->msg->seq[n] = '\0';
    return 0;
}

/* ---- fields ------------------------------------------------------------- */

static const cJSON *ovl__get(const struct ovl__pctx *p, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(p->root, name);
}

/* Checks the string value it and copies it into dst (room for max + 1). */
static int ovl__copy_str(struct ovl__pctx *p, const char *name,
                         const cJSON *it, char *dst, size_t max, bool nonempty)
{
    return ovl_json_get_str(it, name, dst, max, nonempty, p->err, p->errlen);
}

/* Reads the required, non-empty string member name into dst. */
static int ovl__req_str(struct ovl__pctx *p, const char *name, char *dst,
                        size_t max)
{
    const cJSON *it = ovl__get(p, name);

    if (!it)
        return ovl__fail(p, "%s: missing", name);
    return ovl__copy_str(p, name, it, dst, max, true);
}

/* Reads an optional string member: absent keeps, null clears `bit`. */
static int ovl__opt_str(struct ovl__pctx *p, const char *name, char *dst,
                        size_t max, unsigned bit)
{
    const cJSON *it = ovl__get(p, name);
    int rc;

    if (!it)
        return 0;
    if (cJSON_IsNull(it)) {
        p->msg->clear |= bit;
        return 0;
    }
    rc = ovl__copy_str(p, name, it, dst, max, false);
    if (rc == 0)
        p->msg->set |= bit;
    return rc;
}

/* Checks the number value it against lo..hi (and being whole) into *v. */
static int ovl__check_num(struct ovl__pctx *p, const char *name,
                          const cJSON *it, double lo, double hi, bool whole,
                          double *v)
{
    return ovl_json_get_num(it, name, lo, hi, whole, v, p->err, p->errlen);
}

/* Reads an optional number member: absent keeps, null clears `bit`. */
static int ovl__opt_num(struct ovl__pctx *p, const char *name, double lo,
                        double hi, double *dst, unsigned bit)
{
    const cJSON *it = ovl__get(p, name);
    int rc;

    if (!it)
        return 0;
    if (cJSON_IsNull(it)) {
        p->msg->clear |= bit;
        return 0;
    }
    rc = ovl__check_num(p, name, it, lo, hi, false, dst);
    if (rc == 0)
        p->msg->set |= bit;
    return rc;
}

/* Reads an optional integer member: absent keeps, null clears `bit`. */
static int ovl__opt_int(struct ovl__pctx *p, const char *name, int lo, int hi,
                        int *dst, unsigned bit)
{
    const cJSON *it = ovl__get(p, name);
    double v;
    int rc;

    if (!it)
        return 0;
    if (cJSON_IsNull(it)) {
        p->msg->clear |= bit;
        return 0;
    }
    rc = ovl__check_num(p, name, it, lo, hi, true, &v);
    if (rc == 0) {
        *dst = (int)v;
        p->msg->set |= bit;
    }
    return rc;
}

/* Reads "lat" and "lon", which come together (both null clears `bit`). */
static int ovl__opt_pos(struct ovl__pctx *p, double *lat, double *lon,
                        unsigned bit)
{
    const cJSON *la = ovl__get(p, "lat"), *lo = ovl__get(p, "lon");
    int rc;

    if (!la && !lo)
        return 0;
    if (!lo)
        return ovl__fail(p, "lat: given without lon");
    if (!la)
        return ovl__fail(p, "lon: given without lat");
    if (cJSON_IsNull(la) && cJSON_IsNull(lo)) {
        p->msg->clear |= bit;
        return 0;
    }
    rc = ovl__check_num(p, "lat", la, -90, 90, false, lat);
    if (rc == 0)
        rc = ovl__check_num(p, "lon", lo, -180, 180, false, lon);
    if (rc == 0)
        p->msg->set |= bit;
    return rc;
}

/* Reads an optional RFC 3339 "time": absent keeps, null clears `bit`. */
static int ovl__opt_time(struct ovl__pctx *p, int64_t *dst, unsigned bit)
{
    const cJSON *it = ovl__get(p, "time");

    if (!it)
        return 0;
    if (cJSON_IsNull(it)) {
        p->msg->clear |= bit;
        return 0;
    }
    if (!cJSON_IsString(it) || !it->valuestring)
        return ovl__fail(p, "time: must be a string");
    if (ovl_parse_rfc3339(it->valuestring, strlen(it->valuestring), dst) < 0)
        return ovl__fail(p, "time: must be an RFC 3339 date-time such as "
                            "2026-11-27T02:00:00Z");
    p->msg->set |= bit;
    return 0;
}

/* Reads an incident's optional "units": an array of unit ids. */
static int ovl__opt_units(struct ovl__pctx *p, struct ovl_incident_data *d)
{
    const cJSON *it = ovl__get(p, "units"), *u;
    char name[16];
    int n = 0, rc;

    if (!it)
        return 0;
    if (cJSON_IsNull(it)) {
        p->msg->clear |= OVL_INC_UNITS;
        return 0;
    }
    if (!cJSON_IsArray(it))
        return ovl__fail(p, "units: must be an array of strings");
    cJSON_ArrayForEach(u, it) {
        if (n == OVL_UNITS_MAX)
            return ovl__fail(p, "units: more than %d entries", OVL_UNITS_MAX);
        snprintf(name, sizeof name, "units[%d]", n);
        rc = ovl__copy_str(p, name, u, d->units[n], OVL_UNIT_ID_MAX, true);
        if (rc < 0)
            return rc;
        n++;
    }
    d->n_units = n;
    p->msg->set |= OVL_INC_UNITS;
    return 0;
}

/* Reads "op": absent or "upsert" gives t_upsert, `other` gives t_other. */
static int ovl__read_op(struct ovl__pctx *p, const char *other,
                        enum ovl_msg_type t_upsert, enum ovl_msg_type t_other)
{
    const cJSON *it = ovl__get(p, "op");

    p->msg->type = t_upsert;
    if (!it)
        return 0;
    if (!cJSON_IsString(it) || !it->valuestring)
        return ovl__fail(p, "op: must be a string");
    if (strcmp(it->valuestring, "upsert") == 0)
        return 0;
    if (strcmp(it->valuestring, other) == 0) {
        p->msg->type = t_other;
        return 0;
    }
    return ovl__fail(p, "op: must be \"upsert\" or \"%s\"", other);
}

/* ---- messages ----------------------------------------------------------- */

static int ovl__parse_incident(struct ovl__pctx *p)
{
    struct ovl_incident_data *d = &p->msg->inc;
    int rc;

    rc = ovl__read_op(p, "close", OVL_MSG_INCIDENT_UPSERT,
                      OVL_MSG_INCIDENT_CLOSE);
    if (rc == 0)
        rc = ovl__req_str(p, "id", d->id, OVL_ID_MAX);
    if (rc < 0 || p->msg->type == OVL_MSG_INCIDENT_CLOSE)
        return rc;
    if ((rc = ovl__opt_str(p, "kind", d->kind, OVL_KIND_MAX, OVL_INC_KIND)) ||
        (rc = ovl__opt_int(p, "priority", OVL_PRIORITY_MIN, OVL_PRIORITY_MAX,
                           &d->priority, OVL_INC_PRIORITY)) ||
        (rc = ovl__opt_str(p, "status", d->status, OVL_STATUS_MAX,
                           OVL_INC_STATUS)) ||
        (rc = ovl__opt_pos(p, &d->lat, &d->lon, OVL_INC_POS)) ||
        (rc = ovl__opt_str(p, "address", d->address, OVL_ADDRESS_MAX,
                           OVL_INC_ADDRESS)) ||
        (rc = ovl__opt_units(p, d)) ||
        (rc = ovl__opt_time(p, &d->time_s, OVL_INC_TIME)))
        return rc;
    d->fields = p->msg->set;
    return 0;
}

static int ovl__parse_unit(struct ovl__pctx *p)
{
    struct ovl_unit_data *d = &p->msg->unit;
    int rc;

    rc = ovl__read_op(p, "remove", OVL_MSG_UNIT_UPSERT, OVL_MSG_UNIT_REMOVE);
    if (rc == 0)
        rc = ovl__req_str(p, "id", d->id, OVL_UNIT_ID_MAX);
    if (rc < 0 || p->msg->type == OVL_MSG_UNIT_REMOVE)
        return rc;
    if ((rc = ovl__opt_pos(p, &d->lat, &d->lon, OVL_UNIT_POS)) ||
        (rc = ovl__opt_num(p, "heading", 0, 360, &d->heading,
                           OVL_UNIT_HEADING)) ||
        (rc = ovl__opt_num(p, "speed_mps", 0, OVL_SPEED_MAX, &d->speed_mps,
                           OVL_UNIT_SPEED)) ||
        (rc = ovl__opt_str(p, "status", d->status, OVL_STATUS_MAX,
                           OVL_UNIT_STATUS)) ||
        (rc = ovl__opt_time(p, &d->time_s, OVL_UNIT_TIME)) ||
        (rc = ovl__opt_int(p, "stale_after_s", 1, OVL_STALE_MAX_S,
                           &d->stale_after_s, OVL_UNIT_STALE)))
        return rc;
    d->fields = p->msg->set;
    return 0;
}

static int ovl__parse_auth(struct ovl__pctx *p)
{
    const cJSON *it = ovl__get(p, "token");

    p->msg->type = OVL_MSG_AUTH;
    if (!it)
        return ovl__fail(p, "token: missing");
    return ovl__copy_str(p, "token", it, p->msg->token, OVL_TOKEN_MAX, false);
}

/* Rejects a second occurrence of any field the protocol knows. */
static int ovl__check_duplicates(struct ovl__pctx *p)
{
    enum { N = sizeof ovl__known_fields / sizeof ovl__known_fields[0] };
    unsigned char seen[N] = {0};
    const cJSON *it;
    size_t i;

    cJSON_ArrayForEach(it, p->root) {
        for (i = 0; i < N && it->string; i++) {
            if (strcmp(it->string, ovl__known_fields[i]) != 0)
                continue;
            if (seen[i]++)
                return ovl__fail(p, "duplicate field \"%s\"",
                                 ovl__known_fields[i]);
            break;
        }
    }
    return 0;
}

/* Reads "type" and the fields that type has. */
static int ovl__dispatch(struct ovl__pctx *p)
{
    const cJSON *it = ovl__get(p, "type");
    const char *t;

    if (!it)
        return ovl__fail(p, "type: missing");
    if (!cJSON_IsString(it) || !it->valuestring)
        return ovl__fail(p, "type: must be a string");
    t = it->valuestring;
    if (strcmp(t, "incident") == 0)
        return ovl__parse_incident(p);
    if (strcmp(t, "unit") == 0)
        return ovl__parse_unit(p);
    if (strcmp(t, "auth") == 0)
        return ovl__parse_auth(p);
    if (strcmp(t, "state") == 0)
        p->msg->type = OVL_MSG_STATE;
    else if (strcmp(t, "stats") == 0)
        p->msg->type = OVL_MSG_STATS;
    else if (strcmp(t, "ping") == 0)
        p->msg->type = OVL_MSG_PING;
    else
        p->msg->type = OVL_MSG_OTHER;
    return 0;
}

/* ---- lines -------------------------------------------------------------- */

static bool ovl__is_blank(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* Checks the bytes of a line before JSON parsing: UTF-8, no raw controls. */
static int ovl__check_bytes(struct ovl__pctx *p, const char *line, size_t len)
{
    size_t i;

    if (len > OVL_LINE_MAX)
        return ovl__fail(p, "line longer than %d bytes", OVL_LINE_MAX);
    if (ovl_utf8_check(line, len, &i) < 0)
        return ovl__fail(p, "invalid UTF-8 at byte %zu", i);
    for (i = 0; i < len; i++)
        if ((unsigned char)line[i] < 0x20 && line[i] != '\t' &&
            line[i] != '\r')
            return ovl__fail(p, "malformed JSON: control character at byte "
                                "%zu",
                             i);
    return 0;
}

/* Parses text (NUL-terminated copy of the line) into p->root. */
static int ovl__parse_json(struct ovl__pctx *p, const char *text, size_t len)
{
    const char *end = NULL;
    cJSON *root;

    root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        if (!end || end < text || end > text + len)
            end = text + len;
        return ovl__fail(p, "malformed JSON at byte %zu",
                         (size_t)(end - text));
    }
    p->root = root;
    end = ovl__skip_ws(end, text + len);
    if (end != text + len)
        return ovl__fail(p, "malformed JSON: unexpected data at byte %zu",
                         (size_t)(end - text));
    if (!cJSON_IsObject(root))
        return ovl__fail(p, "message must be a JSON object");
    return 0;
}

int ovl_parse_line(const char *line, size_t len, struct ovl_msg *msg, char *err,
                   size_t errlen)
{
    struct ovl__pctx p = {NULL, msg, err, errlen};
    char *text;
    int rc;

    memset(msg, 0, sizeof *msg);
    if (err && errlen)
        err[0] = '\0';
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (ovl__is_blank(line, len))
        return 1;
    rc = ovl__check_bytes(&p, line, len);
    if (rc < 0)
        return rc;
    text = malloc(len + 1);
    if (!text) {
        ovl__fail(&p, "out of memory");
        return -ENOMEM;
    }
    memcpy(text, line, len);
    text[len] = '\0';
    rc = ovl__parse_json(&p, text, len);
    if (rc == 0)
        rc = ovl__read_seq(&p, text, len);
    if (rc == 0)
        rc = ovl__check_duplicates(&p);
    if (rc == 0)
        rc = ovl__dispatch(&p);
    free(text);
    if (rc == 0 && msg->type == OVL_MSG_OTHER)
        msg->root = (cJSON *)p.root;
    else
        cJSON_Delete((cJSON *)p.root);
    return rc;
}

void ovl_msg_clear(struct ovl_msg *msg)
{
    if (!msg)
        return;
    cJSON_Delete(msg->root);
    msg->root = NULL;
}

const char *ovl_msg_type_name(enum ovl_msg_type type)
{
    switch (type) {
    case OVL_MSG_INCIDENT_UPSERT:
    case OVL_MSG_INCIDENT_CLOSE:
        return "incident";
    case OVL_MSG_UNIT_UPSERT:
    case OVL_MSG_UNIT_REMOVE:
        return "unit";
    case OVL_MSG_STATE:
        return "state";
    case OVL_MSG_STATS:
        return "stats";
    case OVL_MSG_PING:
        return "ping";
    case OVL_MSG_AUTH:
        return "auth";
    case OVL_MSG_OTHER:
        break;
    }
    return "other";
}
