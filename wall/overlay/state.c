/*
 * state.c - the overlay picture: incidents and units kept in arrays of
 * pointers sorted by id (binary search, memmove on insert/remove), merged
 * field by field from protocol upserts, with a generation counter for the
 * renderer and a cached drawing order for incidents; items from other nodes
 * (read by item.c) replace a record whole.  No clock reads here.
 */
#include "overlay/state.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "overlay/item.h"
#include "overlay/json.h"

struct ovl_state {
    size_t max_incidents, max_units;
    int64_t incident_ttl_us;   /* see ovl_state_set_incident_ttl() */
    struct ovl_incident **inc; /* sorted by id, room for max_incidents */
    size_t n_inc;
    struct ovl_unit **units; /* sorted by id, room for max_units */
    size_t n_units;
    uint64_t generation;
    uint64_t inc_generation; /* changes of incidents only */
    const struct ovl_incident **view; /* incidents in drawing order */
    uint64_t view_generation;         /* inc_generation the view is of */
    bool view_valid;
};

/* One mergeable field: a bit of `fields` and the bytes that hold it. */
struct ovl__field {
    unsigned bit;
    size_t off, size;
};

#define OVL__F(type, bit, member)                                              \
    { (bit), offsetof(type, member), sizeof(((type *)0)->member) }

static const struct ovl__field ovl__inc_fields[] = {
    OVL__F(struct ovl_incident_data, OVL_INC_KIND, kind),
    OVL__F(struct ovl_incident_data, OVL_INC_PRIORITY, priority),
    OVL__F(struct ovl_incident_data, OVL_INC_STATUS, status),
    OVL__F(struct ovl_incident_data, OVL_INC_POS, lat),
    OVL__F(struct ovl_incident_data, OVL_INC_POS, lon),
    OVL__F(struct ovl_incident_data, OVL_INC_ADDRESS, address),
    OVL__F(struct ovl_incident_data, OVL_INC_UNITS, units),
    OVL__F(struct ovl_incident_data, OVL_INC_UNITS, n_units),
    OVL__F(struct ovl_incident_data, OVL_INC_TIME, time_s),
};

static const struct ovl__field ovl__unit_fields[] = {
    OVL__F(struct ovl_unit_data, OVL_UNIT_POS, lat),
    OVL__F(struct ovl_unit_data, OVL_UNIT_POS, lon),
    OVL__F(struct ovl_unit_data, OVL_UNIT_HEADING, heading),
    OVL__F(struct ovl_unit_data, OVL_UNIT_SPEED, speed_mps),
    OVL__F(struct ovl_unit_data, OVL_UNIT_STATUS, status),
    OVL__F(struct ovl_unit_data, OVL_UNIT_TIME, time_s),
    OVL__F(struct ovl_unit_data, OVL_UNIT_STALE, stale_after_s),
    OVL__F(struct ovl_unit_data, OVL_UNIT_LABEL, label),
    OVL__F(struct ovl_unit_data, OVL_UNIT_CE, ce_m),
};

#define OVL__COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int ovl__err(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Formats an error into err (when given) and returns rc. */
static int ovl__err(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Copies fields in `set` from src to dst, zeroes those in `clear` (set wins)
 * and updates dst's `fields` word (at offset 0 of both structs). */
static void ovl__merge(void *dst, const void *src, const struct ovl__field *f,
                       size_t n, unsigned set, unsigned clear)
{
    unsigned *fields = dst;
    size_t i;

    clear &= ~set;
    for (i = 0; i < n; i++) {
        if (set & f[i].bit)
            memcpy((char *)dst + f[i].off, (const char *)src + f[i].off,
                   f[i].size);
        else if (clear & f[i].bit)
            memset((char *)dst + f[i].off, 0, f[i].size);
    }
    *fields = (*fields | set) & ~clear;
}

/* Binary search of id in arr (n records whose id string is at byte offset
 * id_off); returns whether found and sets *pos to its (insertion) index. */
static bool ovl__search(void *const *arr, size_t n, size_t id_off,
                        const char *id, size_t *pos)
{
    size_t lo = 0, hi = n, mid;
    int c;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = strcmp(id, (const char *)arr[mid] + id_off);
        if (c == 0) {
            *pos = mid;
            return true;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    *pos = lo;
    return false;
}

/* Inserts p at index pos of arr (n entries, room for one more). */
static void ovl__insert(void **arr, size_t n, size_t pos, void *p)
{
    memmove(arr + pos + 1, arr + pos, (n - pos) * sizeof *arr);
    arr[pos] = p;
}

/* Removes index pos of arr (n entries). */
static void ovl__remove(void **arr, size_t n, size_t pos)
{
    memmove(arr + pos, arr + pos + 1, (n - pos - 1) * sizeof *arr);
}

/* Copies the string id into dst (size bytes, zero-filled), truncating. */
static void ovl__copy_id(char *dst, size_t size, const char *id)
{
    size_t n = strnlen(id, size - 1);

    memset(dst, 0, size);
    memcpy(dst, id, n);
}

struct ovl_state *ovl_state_create(const struct ovl_state_limits *limits)
{
    struct ovl_state *st = calloc(1, sizeof *st);

    if (!st)
        return NULL;
    st->max_incidents = limits && limits->max_incidents
                            ? limits->max_incidents
                            : OVL_MAX_INCIDENTS_DEFAULT;
    st->max_units = limits && limits->max_units ? limits->max_units
                                                : OVL_MAX_UNITS_DEFAULT;
    st->incident_ttl_us = OVL_INCIDENT_TTL_DEFAULT_S * 1000000LL;
    st->inc = calloc(st->max_incidents, sizeof *st->inc);
    st->view = calloc(st->max_incidents, sizeof *st->view);
    st->units = calloc(st->max_units, sizeof *st->units);
    if (!st->inc || !st->view || !st->units) {
        ovl_state_destroy(st);
        return NULL;
    }
    return st;
}

void ovl_state_destroy(struct ovl_state *st)
{
    size_t i;

    if (!st)
        return;
    for (i = 0; i < st->n_inc; i++)
        free(st->inc[i]);
    for (i = 0; i < st->n_units; i++)
        free(st->units[i]);
    free(st->inc);
    free(st->view);
    free(st->units);
    free(st);
}

uint64_t ovl_state_generation(const struct ovl_state *st)
{
    return st->generation;
}

/* Marks a change of an incident. */
static void ovl__changed_incidents(struct ovl_state *st)
{
    st->generation++;
    st->inc_generation++;
}

/* Adds a new incident made of d at index pos. */
static int ovl__add_incident(struct ovl_state *st, size_t pos,
                             const struct ovl_incident_data *d, unsigned set,
                             bool cad, int64_t now_mono_us, int64_t now_wall_us,
                             char *err, size_t errlen)
{
    struct ovl_incident *rec;

    if (st->n_inc >= st->max_incidents)
        return ovl__err(err, errlen, -ENOSPC,
                        "too many incidents: the limit is %zu",
                        st->max_incidents);
    rec = calloc(1, sizeof *rec);
    if (!rec)
        return ovl__err(err, errlen, -ENOMEM, "out of memory");
    ovl__copy_id(rec->d.id, sizeof rec->d.id, d->id);
    ovl__merge(&rec->d, d, ovl__inc_fields, OVL__COUNT(ovl__inc_fields), set,
               0);
    rec->created_wall_us = rec->changed_wall_us = now_wall_us;
    rec->seen_mono_us = now_mono_us;
    rec->cad = cad;
    ovl__insert((void **)st->inc, st->n_inc++, pos, rec);
    ovl__changed_incidents(st);
    return 0;
}

void ovl_state_set_incident_ttl(struct ovl_state *st, int64_t ttl_s)
{
    st->incident_ttl_us = (ttl_s > 0 ? ttl_s : OVL_INCIDENT_TTL_DEFAULT_S) * 1000000;
}

int ovl_state_upsert_incident(struct ovl_state *st,
                              const struct ovl_incident_data *d, unsigned set,
                              unsigned clear, bool cad, int64_t now_mono_us,
                              int64_t now_wall_us, char *err, size_t errlen)
{
    struct ovl_incident_data tmp;
    struct ovl_incident *rec;
    size_t pos;

    if (d->id[0] == '\0')
        return ovl__err(err, errlen, -EINVAL, "id: must not be empty");
    if (!ovl__search((void *const *)st->inc, st->n_inc,
                     offsetof(struct ovl_incident, d.id), d->id, &pos))
        return ovl__add_incident(st, pos, d, set, cad, now_mono_us, now_wall_us,
                                 err, errlen);
    rec = st->inc[pos];
    rec->seen_mono_us = now_mono_us;
    rec->remote = false;
    if (rec->cad != cad) {
        rec->cad = cad; /* a non-cad update takes the power to open cameras */
        ovl__changed_incidents(st);
    }
    memcpy(&tmp, &rec->d, sizeof tmp);
    ovl__merge(&tmp, d, ovl__inc_fields, OVL__COUNT(ovl__inc_fields), set,
               clear);
    if (memcmp(&tmp, &rec->d, sizeof tmp) != 0) {
        memcpy(&rec->d, &tmp, sizeof tmp);
        rec->changed_wall_us = now_wall_us;
        ovl__changed_incidents(st);
    }
    return 0;
}

int ovl_state_close_incident(struct ovl_state *st, const char *id)
{
    size_t pos;

    if (!ovl__search((void *const *)st->inc, st->n_inc,
                     offsetof(struct ovl_incident, d.id), id, &pos))
        return -ENOENT;
    free(st->inc[pos]);
    ovl__remove((void **)st->inc, st->n_inc--, pos);
    ovl__changed_incidents(st);
    return 0;
}

/* Adds a new unit made of d at index pos. */
static int ovl__add_unit(struct ovl_state *st, size_t pos,
                         const struct ovl_unit_data *d, unsigned set,
                         int64_t now_mono_us, int64_t now_wall_us, char *err,
                         size_t errlen)
{
    struct ovl_unit *rec;

    if (st->n_units >= st->max_units)
        return ovl__err(err, errlen, -ENOSPC,
                        "too many units: the limit is %zu", st->max_units);
    rec = calloc(1, sizeof *rec);
    if (!rec)
        return ovl__err(err, errlen, -ENOMEM, "out of memory");
    ovl__copy_id(rec->d.id, sizeof rec->d.id, d->id);
    ovl__merge(&rec->d, d, ovl__unit_fields, OVL__COUNT(ovl__unit_fields),
               set, 0);
    rec->seen_mono_us = now_mono_us;
    rec->changed_wall_us = now_wall_us;
    ovl__insert((void **)st->units, st->n_units++, pos, rec);
    st->generation++;
    return 0;
}

int ovl_state_upsert_unit(struct ovl_state *st, const struct ovl_unit_data *d,
                          unsigned set, unsigned clear, int64_t now_mono_us,
                          int64_t now_wall_us, char *err, size_t errlen)
{
    struct ovl_unit_data tmp;
    struct ovl_unit *rec;
    size_t pos;

    if (d->id[0] == '\0')
        return ovl__err(err, errlen, -EINVAL, "id: must not be empty");
    if (!ovl__search((void *const *)st->units, st->n_units,
                     offsetof(struct ovl_unit, d.id), d->id, &pos))
        return ovl__add_unit(st, pos, d, set, now_mono_us, now_wall_us, err,
                             errlen);
    rec = st->units[pos];
    memcpy(&tmp, &rec->d, sizeof tmp);
    ovl__merge(&tmp, d, ovl__unit_fields, OVL__COUNT(ovl__unit_fields), set,
               clear);
    rec->seen_mono_us = now_mono_us;
    rec->remote = false;
    if (rec->stale || memcmp(&tmp, &rec->d, sizeof tmp) != 0) {
        memcpy(&rec->d, &tmp, sizeof tmp);
        rec->stale = false;
        rec->changed_wall_us = now_wall_us;
        st->generation++;
    }
    return 0;
}

int ovl_state_remove_unit(struct ovl_state *st, const char *id)
{
    size_t pos;

    if (!ovl__search((void *const *)st->units, st->n_units,
                     offsetof(struct ovl_unit, d.id), id, &pos))
        return -ENOENT;
    free(st->units[pos]);
    ovl__remove((void **)st->units, st->n_units--, pos);
    st->generation++;
    return 0;
}

int ovl_state_apply(struct ovl_state *st, const struct ovl_msg *msg, bool cad,
                    int64_t now_mono_us, int64_t now_wall_us, char *err,
                    size_t errlen)
{
    switch (msg->type) {
    case OVL_MSG_INCIDENT_UPSERT:
        return ovl_state_upsert_incident(st, &msg->inc, msg->set, msg->clear,
                                         cad, now_mono_us, now_wall_us, err,
                                         errlen);
    case OVL_MSG_INCIDENT_CLOSE:
        ovl_state_close_incident(st, msg->inc.id);
        return 0;
    case OVL_MSG_UNIT_UPSERT:
        return ovl_state_upsert_unit(st, &msg->unit, msg->set, msg->clear,
                                     now_mono_us, now_wall_us, err, errlen);
    case OVL_MSG_UNIT_REMOVE:
        ovl_state_remove_unit(st, msg->unit.id);
        return 0;
    default:
        return ovl__err(err, errlen, -EINVAL, "type: not a state change");
    }
}

/* Seconds after which unit u counts as stale. */
static int64_t ovl__stale_after_s(const struct ovl_unit *u)
{
    return (u->d.fields & OVL_UNIT_STALE) ? u->d.stale_after_s
                                          : OVL_STALE_DEFAULT_S;
}

/* Closes incidents not upserted for the incident ttl; returns how many. */
static int ovl__expire_incidents(struct ovl_state *st, int64_t now_mono_us)
{
    size_t i, j = 0;
    int closed = 0;

    for (i = 0; i < st->n_inc; i++) {
        if (now_mono_us - st->inc[i]->seen_mono_us >= st->incident_ttl_us) {
            free(st->inc[i]);
            closed++;
            continue;
        }
        st->inc[j++] = st->inc[i];
    }
    st->n_inc = j;
    if (closed)
        ovl__changed_incidents(st);
    return closed;
}

int ovl_state_expire(struct ovl_state *st, int64_t now_mono_us)
{
    struct ovl_unit *u;
    int64_t age, limit;
    size_t i, j = 0;
    int changed = 0;
    bool stale;

    for (i = 0; i < st->n_units; i++) {
        u = st->units[i];
        age = now_mono_us - u->seen_mono_us;
        limit = ovl__stale_after_s(u) * 1000000;
        if (age >= limit * OVL_UNIT_DROP_FACTOR) {
            free(u);
            changed++;
            continue;
        }
        stale = age >= limit;
        if (stale != u->stale) {
            u->stale = stale;
            changed++;
        }
        st->units[j++] = u;
    }
    st->n_units = j;
    if (changed)
        st->generation++;
    return changed + ovl__expire_incidents(st, now_mono_us);
}

/* The monotonic time of something seen at wall time seen_wall_us: its age,
 * now_wall_us - seen_wall_us, kept between 0 (never in the future) and
 * OVL_ITEM_US_MAX, before now_mono_us. */
static int64_t ovl__mono_of_wall(int64_t seen_wall_us, int64_t now_mono_us,
                                 int64_t now_wall_us, int64_t *age_us)
{
    int64_t age, mono;

    if (__builtin_sub_overflow(now_wall_us, seen_wall_us, &age) || age < 0)
        age = 0;
    if (age > OVL_ITEM_US_MAX)
        age = OVL_ITEM_US_MAX;
    if (__builtin_sub_overflow(now_mono_us, age, &mono))
        mono = now_mono_us; /* clocks far outside any real value */
    *age_us = now_mono_us - mono;
    return mono;
}

/* Makes the incident of item x (the whole record) the one with its id,
 * seen at seen_mono_us; bumps the generation when a visible part changed. */
static int ovl__replace_incident(struct ovl_state *st,
                                 const struct ovl_incident *x, bool remote,
                                 int64_t seen_mono_us, char *err, size_t errlen)
{
    struct ovl_incident *rec;
    bool visible = true;
    size_t pos;

    if (ovl__search((void *const *)st->inc, st->n_inc,
                    offsetof(struct ovl_incident, d.id), x->d.id, &pos)) {
        rec = st->inc[pos];
        visible = memcmp(&rec->d, &x->d, sizeof rec->d) != 0 ||
                  rec->cad != x->cad ||
                  rec->created_wall_us != x->created_wall_us ||
                  rec->changed_wall_us != x->changed_wall_us;
    } else if (st->n_inc >= st->max_incidents) {
        return ovl__err(err, errlen, -ENOSPC,
                        "too many incidents: the limit is %zu",
                        st->max_incidents);
    } else if (!(rec = calloc(1, sizeof *rec))) {
        return ovl__err(err, errlen, -ENOMEM, "out of memory");
    } else {
        ovl__insert((void **)st->inc, st->n_inc++, pos, rec);
    }
    memcpy(&rec->d, &x->d, sizeof rec->d);
    rec->cad = x->cad;
    rec->created_wall_us = x->created_wall_us;
    rec->changed_wall_us = x->changed_wall_us;
    rec->seen_mono_us = seen_mono_us;
    rec->remote = remote;
    if (visible)
        ovl__changed_incidents(st);
    return 0;
}

/* Makes the unit of item u (the whole record) the one with its id, seen at
 * seen_mono_us, age_us ago; bumps the generation when a visible part
 * changed. */
static int ovl__replace_unit(struct ovl_state *st, const struct ovl_unit *u,
                             bool remote, int64_t seen_mono_us, int64_t age_us,
                             char *err, size_t errlen)
{
    struct ovl_unit *rec;
    bool visible = true, stale = age_us >= ovl__stale_after_s(u) * 1000000;
    size_t pos;

    if (ovl__search((void *const *)st->units, st->n_units,
                    offsetof(struct ovl_unit, d.id), u->d.id, &pos)) {
        rec = st->units[pos];
        visible = memcmp(&rec->d, &u->d, sizeof rec->d) != 0 ||
                  rec->stale != stale ||
                  rec->changed_wall_us != u->changed_wall_us;
    } else if (st->n_units >= st->max_units) {
        return ovl__err(err, errlen, -ENOSPC,
                        "too many units: the limit is %zu", st->max_units);
    } else if (!(rec = calloc(1, sizeof *rec))) {
        return ovl__err(err, errlen, -ENOMEM, "out of memory");
    } else {
        ovl__insert((void **)st->units, st->n_units++, pos, rec);
    }
    memcpy(&rec->d, &u->d, sizeof rec->d);
    rec->changed_wall_us = u->changed_wall_us;
    rec->seen_mono_us = seen_mono_us;
    rec->stale = stale;
    rec->remote = remote;
    if (visible)
        st->generation++;
    return 0;
}

int ovl_state_apply_item(struct ovl_state *st, enum ovl_item_kind kind,
                         const char *text, size_t len, bool remote,
                         int64_t now_mono_us, int64_t now_wall_us, char *err,
                         size_t errlen)
{
    struct ovl_item it;
    int64_t mono, age;
    int rc;

    rc = ovl_item_parse(kind, text, len, &it, err, errlen);
    if (rc < 0)
        return rc;
    mono = ovl__mono_of_wall(it.seen_wall_us, now_mono_us, now_wall_us, &age);
    if (kind == OVL_ITEM_INCIDENT)
        return ovl__replace_incident(st, &it.inc, remote, mono, err, errlen);
    return ovl__replace_unit(st, &it.unit, remote, mono, age, err, errlen);
}

const struct ovl_incident *ovl_state_find_incident(const struct ovl_state *st,
                                                   const char *id)
{
    size_t pos;

    if (!ovl__search((void *const *)st->inc, st->n_inc,
                     offsetof(struct ovl_incident, d.id), id, &pos))
        return NULL;
    return st->inc[pos];
}

const struct ovl_unit *ovl_state_find_unit(const struct ovl_state *st,
                                           const char *id)
{
    size_t pos;

    if (!ovl__search((void *const *)st->units, st->n_units,
                     offsetof(struct ovl_unit, d.id), id, &pos))
        return NULL;
    return st->units[pos];
}

/* The time an incident sorts by: its event time, else when first received. */
static int64_t ovl__sort_time(const struct ovl_incident *x)
{
    int64_t us = x->created_wall_us;

    if (x->d.fields & OVL_INC_TIME)
        return x->d.time_s;
    return us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
}

/* qsort order of incidents for drawing; see ovl_state_incidents(). */
static int ovl__incident_cmp(const void *pa, const void *pb)
{
    const struct ovl_incident *a = *(const struct ovl_incident *const *)pa;
    const struct ovl_incident *b = *(const struct ovl_incident *const *)pb;
    int pra = (a->d.fields & OVL_INC_PRIORITY) ? a->d.priority : 10;
    int prb = (b->d.fields & OVL_INC_PRIORITY) ? b->d.priority : 10;
    int64_t ta, tb;

    if (pra != prb)
        return pra < prb ? -1 : 1;
    ta = ovl__sort_time(a);
    tb = ovl__sort_time(b);
    if (ta != tb)
        return ta > tb ? -1 : 1;
    return strcmp(a->d.id, b->d.id);
}

size_t ovl_state_incidents(struct ovl_state *st,
                           const struct ovl_incident *const **view)
{
    if (!st->view_valid || st->view_generation != st->inc_generation) {
        if (st->n_inc)
            memcpy(st->view, st->inc, st->n_inc * sizeof *st->view);
        qsort(st->view, st->n_inc, sizeof *st->view, ovl__incident_cmp);
        st->view_generation = st->inc_generation;
        st->view_valid = true;
    }
    *view = st->view;
    return st->n_inc;
}

size_t ovl_state_units(const struct ovl_state *st,
                       const struct ovl_unit *const **view)
{
    *view = (const struct ovl_unit *const *)st->units;
    return st->n_units;
}

/* Appends lead"key": and v as a JSON string (lead: "{" or ","). */
static void ovl__text_str(struct ovl_json *t, const char *lead,
                          const char *key, const char *v)
{
    ovl_json_key(t, lead, key);
    ovl_json_quoted(t, v);
}

/* Appends ,"time":"..." (RFC 3339; a number outside years 0000-9999). */
static void ovl__text_time(struct ovl_json *t, int64_t v)
{
    char buf[OVL_TIME_BUF];

    if (ovl_format_rfc3339(v, buf) < 0)
        ovl_json_printf(t, ",\"time\":%lld", (long long)v);
    else
        ovl__text_str(t, ",", "time", buf);
}

/* Appends one incident as a JSON object. */
static void ovl__incident_text(struct ovl_json *t, const struct ovl_incident *x)
{
    const struct ovl_incident_data *d = &x->d;
    int i;

    ovl__text_str(t, "{", "id", d->id);
    if (d->fields & OVL_INC_KIND)
        ovl__text_str(t, ",", "kind", d->kind);
    if (d->fields & OVL_INC_PRIORITY)
        ovl_json_printf(t, ",\"priority\":%d", d->priority);
    if (d->fields & OVL_INC_STATUS)
        ovl__text_str(t, ",", "status", d->status);
    if (d->fields & OVL_INC_POS) {
        OVL_JSON_LIT(t, ",\"lat\":");
        ovl_json_num_fast(t, d->lat);
        OVL_JSON_LIT(t, ",\"lon\":");
        ovl_json_num_fast(t, d->lon);
    }
    if (d->fields & OVL_INC_ADDRESS)
        ovl__text_str(t, ",", "address", d->address);
    if (d->fields & OVL_INC_UNITS) {
        OVL_JSON_LIT(t, ",\"units\":[");
        for (i = 0; i < d->n_units; i++) {
            if (i)
                OVL_JSON_LIT(t, ",");
            ovl_json_quoted(t, d->units[i]);
        }
        OVL_JSON_LIT(t, "]");
    }
    if (d->fields & OVL_INC_TIME)
        ovl__text_time(t, d->time_s);
    OVL_JSON_LIT(t, "}");
}

/* Appends one unit as a JSON object. */
static void ovl__unit_text(struct ovl_json *t, const struct ovl_unit *u)
{
    const struct ovl_unit_data *d = &u->d;

    ovl__text_str(t, "{", "id", d->id);
    if (d->fields & OVL_UNIT_POS) {
        OVL_JSON_LIT(t, ",\"lat\":");
        ovl_json_num_fast(t, d->lat);
        OVL_JSON_LIT(t, ",\"lon\":");
        ovl_json_num_fast(t, d->lon);
    }
    if (d->fields & OVL_UNIT_HEADING) {
        OVL_JSON_LIT(t, ",\"heading\":");
        ovl_json_num_fast(t, d->heading);
    }
    if (d->fields & OVL_UNIT_SPEED) {
        OVL_JSON_LIT(t, ",\"speed_mps\":");
        ovl_json_num_fast(t, d->speed_mps);
    }
    if (d->fields & OVL_UNIT_STATUS)
        ovl__text_str(t, ",", "status", d->status);
    if (d->fields & OVL_UNIT_LABEL)
        ovl__text_str(t, ",", "label", d->label);
    if (d->fields & OVL_UNIT_CE) {
        OVL_JSON_LIT(t, ",\"ce_m\":");
        ovl_json_num_fast(t, d->ce_m);
    }
    if (d->fields & OVL_UNIT_TIME)
        ovl__text_time(t, d->time_s);
    ovl_json_printf(t, ",\"stale_after_s\":%lld,\"stale\":%s}",
                     (long long)ovl__stale_after_s(u),
                     u->stale ? "true" : "false");
}

char *ovl_state_to_json(struct ovl_state *st, size_t *len)
{
    const struct ovl_incident *const *inc;
    struct ovl_json t = OVL_JSON_INIT;
    size_t i, n;

    n = ovl_state_incidents(st, &inc);
    OVL_JSON_LIT(&t, "{\"incidents\":[");
    for (i = 0; i < n; i++) {
        if (i)
            OVL_JSON_LIT(&t, ",");
        ovl__incident_text(&t, inc[i]);
    }
    OVL_JSON_LIT(&t, "],\"units\":[");
    for (i = 0; i < st->n_units; i++) {
        if (i)
            OVL_JSON_LIT(&t, ",");
        ovl__unit_text(&t, st->units[i]);
    }
    OVL_JSON_LIT(&t, "]}");
    return ovl_json_finish(&t, len);
}
