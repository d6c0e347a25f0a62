/*
 * cot.c - Cursor on Target events through libexpat (no entity expansion, size
 * and depth limits), the mapping of an event to a unit, and the splitter for
 * streams of events sent back to back.  Pure: see cot.h.
 */
#include "cot/cot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "cot/xml.h"

/* Parser context: owned by one cot_parse() call. */
struct cot__ctx {
    struct cot_xml x; /* first */
    struct cot_event *ev;
    int depth;
    bool in_detail;
};

#define cot__fail(c, ...) cot_xml_fail(&(c)->x, __VA_ARGS__)

static const char *cot__attr(const XML_Char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], name) == 0)
            return atts[i + 1];
    return NULL;
}

/* Copies a text attribute, cut on a UTF-8 boundary, control characters
 * turned into spaces. */
static void cot__copy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    n = ovl_utf8_cut(src, n, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
            dst[i] = ' ';
}

/* Reads a number attribute; false when absent or not a finite number. */
static bool cot__num(const XML_Char **atts, const char *name, double *v)
{
    const char *s = cot__attr(atts, name);
    char *end;
    if (!s || !*s)
        return false;
    *v = strtod(s, &end);
    while (*end == ' ')
        end++;
    return *end == '\0' && isfinite(*v);
}

/* Milliseconds of an RFC 3339 time whose seconds are epoch_s: the fraction
 * after "YYYY-MM-DDTHH:MM:SS" (first three digits), if any. */
static int64_t cot__ms(const char *s, int64_t epoch_s)
{
    int64_t ms = 0;
    if (strlen(s) > 20 && s[19] == '.')
        for (int i = 20, scale = 100; i < 23 && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
            ms += (s[i] - '0') * scale;
    return epoch_s * 1000 + ms;
}

static int cot__event(struct cot__ctx *c, const XML_Char **atts)
{
    struct cot_event *ev = c->ev;
    const char *uid = cot__attr(atts, "uid"), *type = cot__attr(atts, "type");
    const char *time = cot__attr(atts, "time"), *stale = cot__attr(atts, "stale");
    if (!uid || !*uid || strlen(uid) > OVL_UNIT_UID_MAX)
        return cot__fail(c, -EINVAL, "event uid: missing or longer than %d bytes",
                         OVL_UNIT_UID_MAX);
    if (!type || !*type || strlen(type) > COT_TYPE_MAX)
        return cot__fail(c, -EINVAL, "event type: missing or too long");
    if (!time || ovl_parse_rfc3339(time, strlen(time), &ev->time_s) < 0)
        return cot__fail(c, -EINVAL, "event time: missing or not a date-time");
    if (!stale || ovl_parse_rfc3339(stale, strlen(stale), &ev->stale_s) < 0)
        return cot__fail(c, -EINVAL, "event stale: missing or not a date-time");
    ev->time_ms = cot__ms(time, ev->time_s);
    cot__copy(ev->uid, sizeof ev->uid, uid);
    cot__copy(ev->type, sizeof ev->type, type);
    return 0;
}

static int cot__point(struct cot__ctx *c, const XML_Char **atts)
{
    struct cot_event *ev = c->ev;
    if (!cot__num(atts, "lat", &ev->lat) || !cot__num(atts, "lon", &ev->lon))
        return cot__fail(c, -EINVAL, "point: lat and lon must be numbers");
    if (!cot__num(atts, "ce", &ev->ce) || ev->ce < 0)
        ev->ce = COT_UNKNOWN;
    ev->has_point = true;
    return 0;
}

/* Elements inside <detail> the wall reads. */
static void cot__detail(struct cot__ctx *c, const char *name, const XML_Char **atts)
{
    struct cot_event *ev = c->ev;
    const char *v;
    if (strcmp(name, "contact") == 0 && (v = cot__attr(atts, "callsign")))
        cot__copy(ev->callsign, sizeof ev->callsign, v);
    else if (strcmp(name, "link") == 0 && (v = cot__attr(atts, "uid")) &&
             strlen(v) <= OVL_UNIT_UID_MAX && !ev->link_uid[0])
        cot__copy(ev->link_uid, sizeof ev->link_uid, v);
    else if (strcmp(name, "track") == 0)
        ev->has_track = cot__num(atts, "course", &ev->course) &&
                        cot__num(atts, "speed", &ev->speed);
}

static void XMLCALL cot__start(void *opaque, const XML_Char *name,
                               const XML_Char **atts)
{
    struct cot__ctx *c = opaque;
    if (++c->depth > COT_DEPTH_MAX) {
        cot__fail(c, -ELOOP, "nested deeper than %d elements", COT_DEPTH_MAX);
    } else if (c->depth == 1) {
        if (strcmp(name, "event") != 0)
            cot__fail(c, -EINVAL, "root element: must be <event>, not <%.32s>", name);
        else
            cot__event(c, atts);
    } else if (c->depth == 2 && strcmp(name, "point") == 0) {
        cot__point(c, atts);
    } else if (c->depth == 2 && strcmp(name, "detail") == 0) {
        c->in_detail = true;
    } else if (c->depth == 3 && c->in_detail) {
        cot__detail(c, name, atts);
    }
}

static void XMLCALL cot__end(void *opaque, const XML_Char *name)
{
    struct cot__ctx *c = opaque;
    (void)name;
    if (c->depth-- == 2)
        c->in_detail = false;
}

int cot_parse(const char *buf, size_t len, struct cot_event *ev, char *err,
              size_t errlen)
{
    struct cot__ctx c = {.x = {.err = err, .errlen = errlen}, .ev = ev};
    memset(ev, 0, sizeof *ev);
    ev->ce = COT_UNKNOWN;
    if (len > 0 && (unsigned char)buf[0] == COT_TAK_MAGIC) {
        snprintf(err, errlen, "TAK Protocol version 1 (protobuf) is not supported");
        return -EPROTONOSUPPORT;
    }
    if (len > COT_EVENT_MAX) {
        snprintf(err, errlen, "event of %zu bytes refused (limit %d)", len,
                 COT_EVENT_MAX);
        return -E2BIG;
    }
    if (cot_xml_create(&c.x, cot__start, cot__end) < 0) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int rc = cot_xml_run(&c.x, buf, len);
    if (rc == 0 && !ev->uid[0]) {
        snprintf(err, errlen, "no <event>");
        rc = -EINVAL;
    }
    return rc;
}

/* Whether the wall draws this type: atoms ("a-f-G-U-C", "a-h-A", ...). */
static bool cot__drawn(const char *type)
{
    return type[0] == 'a' && type[1] == '-';
}

int cot_to_unit(const struct cot_event *ev, int64_t now_s,
                struct ovl_unit_data *u, unsigned *set, char *err,
                size_t errlen)
{
    memset(u, 0, sizeof *u);
    *set = 0;
    if (strcmp(ev->type, "t-x-d-d") == 0) {
        snprintf(u->id, sizeof u->id, "%s", ev->link_uid[0] ? ev->link_uid : ev->uid);
        return COT_DELETE;
    }
    if (!cot__drawn(ev->type))
        return COT_NOT_DRAWN;
    if (!ev->has_point || fabs(ev->lat) > 90 || fabs(ev->lon) > 180) {
        snprintf(err, errlen, "point: lat/lon missing or out of range");
        return -EINVAL;
    }
    snprintf(u->id, sizeof u->id, "%s", ev->uid);
    u->lat = ev->lat, u->lon = ev->lon, u->time_s = ev->time_s;
    *set = OVL_UNIT_POS | OVL_UNIT_TIME | OVL_UNIT_STALE;
    int64_t stale = ev->stale_s - now_s;
    u->stale_after_s = stale < 1 ? 1 : stale > OVL_STALE_MAX_S ? OVL_STALE_MAX_S : (int)stale;
    if (ev->callsign[0]) {
        memcpy(u->label, ev->callsign, sizeof u->label);
        *set |= OVL_UNIT_LABEL;
    }
    if (ev->ce >= 0 && ev->ce < COT_UNKNOWN) {
        u->ce_m = ev->ce;
        *set |= OVL_UNIT_CE;
    }
    if (ev->has_track && ev->course >= 0 && ev->course <= 360 && ev->speed >= 0 &&
        ev->speed <= OVL_SPEED_MAX) {
        u->heading = ev->course, u->speed_mps = ev->speed;
        *set |= OVL_UNIT_HEADING | OVL_UNIT_SPEED;
    }
    u->fields = *set;
    return COT_UPSERT;
}
