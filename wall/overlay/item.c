/*
 * item.c - one incident or unit as the JSON text the nodes of a wall share
 * (one retained message per id): written directly, with numbers that read
 * back to the same double, and read back with cJSON under the limits the
 * overlay protocol enforces.  The format is documented in docs/protocol.md
 * ("Items shared between nodes").  No I/O, no clock reads.
 */
#include "overlay/item.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "overlay/json.h"

/* ---- writing ------------------------------------------------------------- */

/* Appends ,"key":"v". */
static void ovl__str(struct ovl_json *t, const char *key, const char *v)
{
    ovl_json_key(t, ",", key);
    ovl_json_quoted(t, v);
}

/* Appends ,"key":v, exactly (an item round-trips); null if v is not finite. */
static void ovl__num(struct ovl_json *t, const char *key, double v)
{
    ovl_json_key(t, ",", key);
    ovl_json_num_exact(t, v);
}

/* Appends ,"key":v for a whole number. */
static void ovl__int(struct ovl_json *t, const char *key, long long v)
{
    ovl_json_key(t, ",", key);
    ovl_json_printf(t, "%lld", v);
}

/* Appends ,"key":us for wall-clock microseconds, kept within what an item
 * may hold (0 to 2^53) so that every item written reads back. */
static void ovl__us_out(struct ovl_json *t, const char *key, int64_t us)
{
    ovl__int(t, key, us < 0 ? 0 : us > OVL_ITEM_US_MAX ? OVL_ITEM_US_MAX : us);
}

/* Appends ,"time":"..." (RFC 3339; whole seconds outside years 0000-9999). */
static void ovl__time(struct ovl_json *t, int64_t v)
{
    char buf[OVL_TIME_BUF];

    if (ovl_format_rfc3339(v, buf) < 0)
        ovl__int(t, "time", (long long)v);
    else
        ovl__str(t, "time", buf);
}

/* Appends ,"seen_us":N: the wall-clock time of seen_mono_us (when the item
 * was last upserted), from the two clocks read now. */
static void ovl__seen_out(struct ovl_json *t, int64_t seen_mono_us,
                          int64_t now_mono_us, int64_t now_wall_us)
{
    int64_t age, seen;

    if (__builtin_sub_overflow(now_mono_us, seen_mono_us, &age) ||
        __builtin_sub_overflow(now_wall_us, age, &seen))
        seen = 0; /* clocks far outside any real value */
    ovl__us_out(t, "seen_us", seen);
}

char *ovl_incident_item_json(const struct ovl_incident *x, int64_t now_mono_us,
                             int64_t now_wall_us, size_t *len)
{
    const struct ovl_incident_data *d = &x->d;
    struct ovl_json t = OVL_JSON_INIT;
    int i;

    OVL_JSON_LIT(&t, "{\"type\":\"incident\"");
    ovl__str(&t, "id", d->id);
    if (d->fields & OVL_INC_KIND)
        ovl__str(&t, "kind", d->kind);
    if (d->fields & OVL_INC_PRIORITY)
        ovl__int(&t, "priority", d->priority);
    if (d->fields & OVL_INC_STATUS)
        ovl__str(&t, "status", d->status);
    if (d->fields & OVL_INC_POS) {
        ovl__num(&t, "lat", d->lat);
        ovl__num(&t, "lon", d->lon);
    }
    if (d->fields & OVL_INC_ADDRESS)
        ovl__str(&t, "address", d->address);
    if (d->fields & OVL_INC_UNITS) {
        OVL_JSON_LIT(&t, ",\"units\":[");
        for (i = 0; i < d->n_units && i < OVL_UNITS_MAX; i++) {
            if (i)
                OVL_JSON_LIT(&t, ",");
            ovl_json_quoted(&t, d->units[i]);
        }
        OVL_JSON_LIT(&t, "]");
    }
    if (d->fields & OVL_INC_TIME)
        ovl__time(&t, d->time_s);
    ovl_json_printf(&t, ",\"cad\":%s", x->cad ? "true" : "false");
    ovl__us_out(&t, "created_us", x->created_wall_us);
    ovl__us_out(&t, "changed_us", x->changed_wall_us);
    ovl__seen_out(&t, x->seen_mono_us, now_mono_us, now_wall_us);
    OVL_JSON_LIT(&t, "}");
    return ovl_json_finish(&t, len);
}

char *ovl_unit_item_json(const struct ovl_unit *u, int64_t now_mono_us,
                         int64_t now_wall_us, size_t *len)
{
    const struct ovl_unit_data *d = &u->d;
    struct ovl_json t = OVL_JSON_INIT;

    OVL_JSON_LIT(&t, "{\"type\":\"unit\"");
    ovl__str(&t, "id", d->id);
    if (d->fields & OVL_UNIT_POS) {
        ovl__num(&t, "lat", d->lat);
        ovl__num(&t, "lon", d->lon);
    }
    if (d->fields & OVL_UNIT_HEADING)
        ovl__num(&t, "heading", d->heading);
    if (d->fields & OVL_UNIT_SPEED)
        ovl__num(&t, "speed_mps", d->speed_mps);
    if (d->fields & OVL_UNIT_STATUS)
        ovl__str(&t, "status", d->status);
    if (d->fields & OVL_UNIT_LABEL)
        ovl__str(&t, "label", d->label);
    if (d->fields & OVL_UNIT_CE)
        ovl__num(&t, "ce_m", d->ce_m);
    if (d->fields & OVL_UNIT_TIME)
        ovl__time(&t, d->time_s);
    if (d->fields & OVL_UNIT_STALE)
        ovl__int(&t, "stale_after_s", d->stale_after_s);
    ovl__us_out(&t, "changed_us", u->changed_wall_us);
    ovl__seen_out(&t, u->seen_mono_us, now_mono_us, now_wall_us);
    OVL_JSON_LIT(&t, "}");
    return ovl_json_finish(&t, len);
}

/* ---- reading ------------------------------------------------------------- */

/* The state of one read: the object and where errors and set bits go. */
struct ovl__ctx {
    const cJSON *root;
    unsigned set; /* bits of the fields that hold a value */
    char *err;
    size_t errlen;
};

/* Every field an item may hold; each may appear once. */
static const char *const ovl__known[] = {
    "type",     "id",      "kind",      "priority", "status",
    "lat",      "lon",     "address",   "units",    "time",
    "heading",  "speed_mps", "label",   "ce_m",     "stale_after_s",
    "cad",      "created_us", "changed_us", "seen_us",
};

static int ovl__fail(struct ovl__ctx *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Formats an error into p->err and returns -EINVAL. */
static int ovl__fail(struct ovl__ctx *p, const char *fmt, ...)
{
    va_list ap;

    if (p->err && p->errlen) {
        va_start(ap, fmt);
        vsnprintf(p->err, p->errlen, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/* The member name, or NULL when absent or null (an item holds no nulls: a
 * field without a value is left out, and null reads the same). */
static const cJSON *ovl__get(const struct ovl__ctx *p, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(p->root, name);

    return cJSON_IsNull(it) ? NULL : it;
}

/* Checks the string value it and copies it into dst (room for max + 1). */
static int ovl__copy_str(struct ovl__ctx *p, const char *name,
                         const cJSON *it, char *dst, size_t max, bool nonempty)
{
    return ovl_json_get_str(it, name, dst, max, nonempty, p->err, p->errlen);
}

/* Reads the optional string member name; sets bit when it holds one. */
static int ovl__opt_str(struct ovl__ctx *p, const char *name, char *dst,
                       size_t max, unsigned bit)
{
    const cJSON *it = ovl__get(p, name);
    int rc;

    if (!it)
        return 0;
    rc = ovl__copy_str(p, name, it, dst, max, false);
    if (rc == 0)
        p->set |= bit;
    return rc;
}

/* Checks the number value it against lo..hi (and being whole) into *v. */
static int ovl__check_num(struct ovl__ctx *p, const char *name,
                          const cJSON *it, double lo, double hi, bool whole,
                          double *v)
{
    return ovl_json_get_num(it, name, lo, hi, whole, v, p->err, p->errlen);
}

/* Reads the optional number member name; sets bit when it holds one. */
static int ovl__opt_num(struct ovl__ctx *p, const char *name, double lo,
                       double hi, double *dst, unsigned bit)
{
    const cJSON *it = ovl__get(p, name);
    int rc;

    if (!it)
        return 0;
    rc = ovl__check_num(p, name, it, lo, hi, false, dst);
    if (rc == 0)
        p->set |= bit;
    return rc;
}

/* Reads the optional integer member name; sets bit when it holds one. */
static int ovl__opt_int(struct ovl__ctx *p, const char *name, int lo, int hi,
                       int *dst, unsigned bit)
{
    const cJSON *it = ovl__get(p, name);
    double v = 0;
    int rc;

    if (!it)
        return 0;
    rc = ovl__check_num(p, name, it, lo, hi, true, &v);
    if (rc == 0) {
        *dst = (int)v;
        p->set |= bit;
    }
    return rc;
}

/* Reads the required wall-clock microseconds member name into *dst. */
static int ovl__us(struct ovl__ctx *p, const char *name, int64_t *dst)
{
    const cJSON *it = ovl__get(p, name);
    double v = 0;
    int rc;

    if (!it)
        return ovl__fail(p, "%s: missing", name);
    rc = ovl__check_num(p, name, it, 0, (double)OVL_ITEM_US_MAX, true, &v);
    if (rc == 0)
        *dst = (int64_t)v;
    return rc;
}

/* Reads "lat" and "lon", which come together. */
static int ovl__pos(struct ovl__ctx *p, double *lat, double *lon, unsigned bit)
{
    const cJSON *la = ovl__get(p, "lat"), *lo = ovl__get(p, "lon");
    int rc;

    if (!la && !lo)
        return 0;
    if (!lo)
        return ovl__fail(p, "lat: given without lon");
    if (!la)
        return ovl__fail(p, "lon: given without lat");
    rc = ovl__check_num(p, "lat", la, -90, 90, false, lat);
    if (rc == 0)
        rc = ovl__check_num(p, "lon", lo, -180, 180, false, lon);
    if (rc == 0)
        p->set |= bit;
    return rc;
}

/* Reads "time": an RFC 3339 date-time, or whole seconds since the epoch (how
 * times outside years 0000-9999 are written). */
static int ovl__opt_time(struct ovl__ctx *p, int64_t *dst, unsigned bit)
{
    const cJSON *it = ovl__get(p, "time");
    double v = 0;

    if (!it)
        return 0;
    if (cJSON_IsNumber(it)) {
        if (ovl__check_num(p, "time", it, -(double)OVL_ITEM_US_MAX,
                          (double)OVL_ITEM_US_MAX, true, &v) < 0)
            return -EINVAL;
        *dst = (int64_t)v;
    } else if (!cJSON_IsString(it) || !it->valuestring ||
               ovl_parse_rfc3339(it->valuestring, strlen(it->valuestring),
                                 dst) < 0) {
        return ovl__fail(p, "time: must be an RFC 3339 date-time such as "
                           "2026-11-27T02:00:00Z");
    }
    p->set |= bit;
    return 0;
}

/* Reads an incident's "units": an array of unit ids. */
static int ovl__units(struct ovl__ctx *p, struct ovl_incident_data *d)
{
    const cJSON *it = ovl__get(p, "units"), *u;
    char name[16];
    int n = 0, rc;

    if (!it)
        return 0;
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
    p->set |= OVL_INC_UNITS;
    return 0;
}

/* Reads the optional boolean "cad" (absent: false). */
static int ovl__cad(struct ovl__ctx *p, bool *cad)
{
    const cJSON *it = ovl__get(p, "cad");

    if (!it)
        return 0;
    if (!cJSON_IsBool(it))
        return ovl__fail(p, "cad: must be true or false");
    *cad = cJSON_IsTrue(it);
    return 0;
}

/* Reads the fields of an incident item. */
static int ovl__incident(struct ovl__ctx *p, struct ovl_item *out)
{
    struct ovl_incident *x = &out->inc;
    struct ovl_incident_data *d = &x->d;
    const cJSON *id = ovl__get(p, "id");
    int rc;

    if (!id)
        return ovl__fail(p, "id: missing");
    if ((rc = ovl__copy_str(p, "id", id, d->id, OVL_ID_MAX, true)) ||
        (rc = ovl__opt_str(p, "kind", d->kind, OVL_KIND_MAX, OVL_INC_KIND)) ||
        (rc = ovl__opt_int(p, "priority", OVL_PRIORITY_MIN, OVL_PRIORITY_MAX,
                          &d->priority, OVL_INC_PRIORITY)) ||
        (rc = ovl__opt_str(p, "status", d->status, OVL_STATUS_MAX,
                          OVL_INC_STATUS)) ||
        (rc = ovl__pos(p, &d->lat, &d->lon, OVL_INC_POS)) ||
        (rc = ovl__opt_str(p, "address", d->address, OVL_ADDRESS_MAX,
                          OVL_INC_ADDRESS)) ||
        (rc = ovl__units(p, d)) ||
        (rc = ovl__opt_time(p, &d->time_s, OVL_INC_TIME)) ||
        (rc = ovl__cad(p, &x->cad)) ||
        (rc = ovl__us(p, "created_us", &x->created_wall_us)) ||
        (rc = ovl__us(p, "changed_us", &x->changed_wall_us)) ||
        (rc = ovl__us(p, "seen_us", &out->seen_wall_us)))
        return rc;
    d->fields = p->set;
    return 0;
}

/* Reads the fields of a unit item. */
static int ovl__unit(struct ovl__ctx *p, struct ovl_item *out)
{
    struct ovl_unit_data *d = &out->unit.d;
    const cJSON *id = ovl__get(p, "id");
    int rc;

    if (!id)
        return ovl__fail(p, "id: missing");
    if ((rc = ovl__copy_str(p, "id", id, d->id, OVL_UNIT_UID_MAX, true)) ||
        (rc = ovl__pos(p, &d->lat, &d->lon, OVL_UNIT_POS)) ||
        (rc = ovl__opt_num(p, "heading", 0, 360, &d->heading,
                          OVL_UNIT_HEADING)) ||
        (rc = ovl__opt_num(p, "speed_mps", 0, OVL_SPEED_MAX, &d->speed_mps,
                          OVL_UNIT_SPEED)) ||
        (rc = ovl__opt_str(p, "status", d->status, OVL_STATUS_MAX,
                          OVL_UNIT_STATUS)) ||
        (rc = ovl__opt_str(p, "label", d->label, OVL_LABEL_MAX,
                          OVL_UNIT_LABEL)) ||
        (rc = ovl__opt_num(p, "ce_m", 0, OVL_ITEM_CE_MAX, &d->ce_m,
                          OVL_UNIT_CE)) ||
        (rc = ovl__opt_time(p, &d->time_s, OVL_UNIT_TIME)) ||
        (rc = ovl__opt_int(p, "stale_after_s", 1, OVL_STALE_MAX_S,
                          &d->stale_after_s, OVL_UNIT_STALE)) ||
        (rc = ovl__us(p, "changed_us", &out->unit.changed_wall_us)) ||
        (rc = ovl__us(p, "seen_us", &out->seen_wall_us)))
        return rc;
    d->fields = p->set;
    return 0;
}

/* Rejects a second occurrence of any field an item knows. */
static int ovl__check_duplicates(struct ovl__ctx *p)
{
    enum { N = sizeof ovl__known / sizeof ovl__known[0] };
    unsigned char seen[N] = {0};
    const cJSON *it;
    size_t i;

    cJSON_ArrayForEach(it, p->root) {
        for (i = 0; i < N && it->string; i++) {
            if (strcmp(it->string, ovl__known[i]) != 0)
                continue;
            if (seen[i]++)
                return ovl__fail(p, "duplicate field \"%s\"", ovl__known[i]);
            break;
        }
    }
    return 0;
}

/* Checks "type" against kind and reads the fields of that kind. */
static int ovl__dispatch(struct ovl__ctx *p, enum ovl_item_kind kind,
                        struct ovl_item *out)
{
    const char *want = kind == OVL_ITEM_INCIDENT ? "incident" : "unit";
    const cJSON *type = ovl__get(p, "type");
    int rc = ovl__check_duplicates(p);

    if (rc < 0)
        return rc;
    if (!type)
        return ovl__fail(p, "type: missing");
    if (!cJSON_IsString(type) || !type->valuestring ||
        strcmp(type->valuestring, want) != 0)
        return ovl__fail(p, "type: must be \"%s\"", want);
    return kind == OVL_ITEM_INCIDENT ? ovl__incident(p, out) : ovl__unit(p, out);
}

/* Parses the NUL-terminated text (len bytes) into p->root: one object. */
static int ovl__parse_json(struct ovl__ctx *p, const char *text, size_t len)
{
    const char *end = NULL;
    size_t at;

    p->root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!p->root) {
        at = end && end >= text && end <= text + len ? (size_t)(end - text)
                                                     : len;
        return ovl__fail(p, "malformed JSON at byte %zu", at);
    }
    while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\r' ||
                                *end == '\n'))
        end++;
    if (end < text + len)
        return ovl__fail(p, "malformed JSON: unexpected data at byte %zu",
                        (size_t)(end - text));
    if (!cJSON_IsObject(p->root))
        return ovl__fail(p, "item must be a JSON object");
    return 0;
}

int ovl_item_parse(enum ovl_item_kind kind, const char *text, size_t len,
                   struct ovl_item *out, char *err, size_t errlen)
{
    struct ovl__ctx p = {NULL, 0, err, errlen};
    const char *nul;
    char *copy;
    size_t bad;
    int rc;

    memset(out, 0, sizeof *out);
    out->kind = kind;
    if (err && errlen)
        err[0] = '\0';
    if (kind != OVL_ITEM_INCIDENT && kind != OVL_ITEM_UNIT)
        return ovl__fail(&p, "kind: not an incident or a unit");
    if (len > OVL_LINE_MAX)
        return ovl__fail(&p, "item longer than %d bytes", OVL_LINE_MAX);
    if (ovl_utf8_check(text, len, &bad) < 0)
        return ovl__fail(&p, "invalid UTF-8 at byte %zu", bad);
    nul = memchr(text, '\0', len);
    if (nul)
        return ovl__fail(&p, "malformed JSON: NUL at byte %zu",
                        (size_t)(nul - text));
    copy = malloc(len + 1);
    if (!copy) {
        ovl__fail(&p, "out of memory");
        return -ENOMEM;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    rc = ovl__parse_json(&p, copy, len);
    if (rc == 0)
        rc = ovl__dispatch(&p, kind, out);
    cJSON_Delete((cJSON *)p.root);
    free(copy);
    if (rc < 0) /* nothing half-read leaves here */
        memset(out, 0, sizeof *out);
    return rc;
}
