/*
 * state.c - the overlay picture: incidents and units kept in arrays of
 * pointers sorted by id (binary search, memmove on insert/remove), merged
 * field by field from protocol upserts, with a generation counter for the
 * renderer and a cached drawing order for incidents.  No clock reads here.
 */
#include "overlay/state.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ovl_state {
    size_t max_incidents, max_units;
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
                             int64_t now_wall_us, char *err, size_t errlen)
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
    ovl__insert((void **)st->inc, st->n_inc++, pos, rec);
    ovl__changed_incidents(st);
    return 0;
}

int ovl_state_upsert_incident(struct ovl_state *st,
                              const struct ovl_incident_data *d, unsigned set,
                              unsigned clear, int64_t now_wall_us, char *err,
                              size_t errlen)
{
    struct ovl_incident_data tmp;
    struct ovl_incident *rec;
    size_t pos;

    if (d->id[0] == '\0')
        return ovl__err(err, errlen, -EINVAL, "id: must not be empty");
    if (!ovl__search((void *const *)st->inc, st->n_inc,
                     offsetof(struct ovl_incident, d.id), d->id, &pos))
        return ovl__add_incident(st, pos, d, set, now_wall_us, err, errlen);
    rec = st->inc[pos];
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

int ovl_state_apply(struct ovl_state *st, const struct ovl_msg *msg,
                    int64_t now_mono_us, int64_t now_wall_us, char *err,
                    size_t errlen)
{
    switch (msg->type) {
    case OVL_MSG_INCIDENT_UPSERT:
        return ovl_state_upsert_incident(st, &msg->inc, msg->set, msg->clear,
                                         now_wall_us, err, errlen);
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
    return changed;
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

/* Adds "time" as RFC 3339 text to obj; false when out of memory. */
static bool ovl__add_time(cJSON *obj, int64_t t)
{
    char buf[OVL_TIME_BUF];

    if (ovl_format_rfc3339(t, buf) < 0)
        return cJSON_AddNumberToObject(obj, "time", (double)t) != NULL;
    return cJSON_AddStringToObject(obj, "time", buf) != NULL;
}

/* Adds the optional fields of an incident to obj; false when out of memory. */
static bool ovl__incident_fields(cJSON *o, const struct ovl_incident_data *d)
{
    cJSON *units;
    int i;

    if ((d->fields & OVL_INC_KIND) &&
        !cJSON_AddStringToObject(o, "kind", d->kind))
        return false;
    if ((d->fields & OVL_INC_PRIORITY) &&
        !cJSON_AddNumberToObject(o, "priority", d->priority))
        return false;
    if ((d->fields & OVL_INC_STATUS) &&
        !cJSON_AddStringToObject(o, "status", d->status))
        return false;
    if ((d->fields & OVL_INC_POS) &&
        (!cJSON_AddNumberToObject(o, "lat", d->lat) ||
         !cJSON_AddNumberToObject(o, "lon", d->lon)))
        return false;
    if ((d->fields & OVL_INC_ADDRESS) &&
        !cJSON_AddStringToObject(o, "address", d->address))
        return false;
    if (d->fields & OVL_INC_UNITS) {
        units = cJSON_AddArrayToObject(o, "units");
        for (i = 0; units && i < d->n_units; i++)
            if (!cJSON_AddItemToArray(units, cJSON_CreateString(d->units[i])))
                return false;
        if (!units)
            return false;
    }
    return !(d->fields & OVL_INC_TIME) || ovl__add_time(o, d->time_s);
}

/* Returns a new JSON object describing incident x, or NULL. */
static cJSON *ovl__incident_json(const struct ovl_incident *x)
{
    cJSON *o = cJSON_CreateObject();

    if (!o || !cJSON_AddStringToObject(o, "id", x->d.id) ||
        !ovl__incident_fields(o, &x->d)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Adds the optional fields of a unit to obj; false when out of memory. */
static bool ovl__unit_fields_json(cJSON *o, const struct ovl_unit_data *d)
{
    if ((d->fields & OVL_UNIT_POS) &&
        (!cJSON_AddNumberToObject(o, "lat", d->lat) ||
         !cJSON_AddNumberToObject(o, "lon", d->lon)))
        return false;
    if ((d->fields & OVL_UNIT_HEADING) &&
        !cJSON_AddNumberToObject(o, "heading", d->heading))
        return false;
    if ((d->fields & OVL_UNIT_SPEED) &&
        !cJSON_AddNumberToObject(o, "speed_mps", d->speed_mps))
        return false;
    if ((d->fields & OVL_UNIT_STATUS) &&
        !cJSON_AddStringToObject(o, "status", d->status))
        return false;
    return !(d->fields & OVL_UNIT_TIME) || ovl__add_time(o, d->time_s);
}

/* Returns a new JSON object describing unit u, or NULL. */
static cJSON *ovl__unit_json(const struct ovl_unit *u)
{
    cJSON *o = cJSON_CreateObject();

    if (!o || !cJSON_AddStringToObject(o, "id", u->d.id) ||
        !ovl__unit_fields_json(o, &u->d) ||
        !cJSON_AddNumberToObject(o, "stale_after_s",
                                 (double)ovl__stale_after_s(u)) ||
        !cJSON_AddBoolToObject(o, "stale", u->stale)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int ovl_state_to_json(struct ovl_state *st, cJSON *obj)
{
    const struct ovl_incident *const *inc;
    cJSON *a, *item;
    size_t i, n;

    a = cJSON_AddArrayToObject(obj, "incidents");
    if (!a)
        return -ENOMEM;
    n = ovl_state_incidents(st, &inc);
    for (i = 0; i < n; i++) {
        item = ovl__incident_json(inc[i]);
        if (!item || !cJSON_AddItemToArray(a, item))
            return -ENOMEM;
    }
    a = cJSON_AddArrayToObject(obj, "units");
    if (!a)
        return -ENOMEM;
    for (i = 0; i < st->n_units; i++) {
        item = ovl__unit_json(st->units[i]);
        if (!item || !cJSON_AddItemToArray(a, item))
            return -ENOMEM;
    }
    return 0;
}
