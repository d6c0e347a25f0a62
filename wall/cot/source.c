/*
 * source.c - what every CoT/EIDO input does with what it receives: counts
 * it, limits its rate (token bucket), parses it and applies it to the
 * overlay state, and records its last error.  A leaf of the module's I/O
 * files: inputs.c, net.c and dir.c call it, it calls none of them.
 */
#include "cot/inputs_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cot/cot.h"
#include "cot/eido.h"
#include "overlay/state.h"

void cot__set_error(struct cot__src *s, const char *fmt, ...)
{
    va_list ap;
    s->k.errors++;
    va_start(ap, fmt);
    vsnprintf(s->k.last_error, sizeof s->k.last_error, fmt, ap);
    va_end(ap);
}

/* Token bucket: true when this input may apply one more event now. */
static bool cot__take(struct cot__src *s)
{
    uint64_t now = uv_now(s->owner->loop);
    s->tokens += (double)(now - s->refill_ms) * COT_RATE_MAX / 1000.0;
    s->refill_ms = now;
    if (s->tokens > COT_RATE_BURST)
        s->tokens = COT_RATE_BURST;
    if (s->tokens < 1) {
        if (s->k.dropped++ % COT_RATE_MAX == 0)
            snprintf(s->k.last_error, sizeof s->k.last_error,
                     "over %d events a second: the rest dropped", COT_RATE_MAX);
        return false;
    }
    s->tokens -= 1;
    return true;
}

/* Applies one event's unit change to the overlay state. */
static void cot__apply_event(struct cot__src *s, const struct cot_event *ev)
{
    struct ovl_state *st = s->owner->st;
    struct ovl_unit_data u;
    unsigned set;
    char err[OVL_ERR_MAX];
    int64_t wall_us = tm_wall_us(), mono_us = (int64_t)(uv_hrtime() / 1000);
    int action = cot_to_unit(ev, wall_us / 1000000, &u, &set, err, sizeof err);
    if (action < 0) {
        cot__set_error(s, "uid %s: %s", ev->uid, err);
        return;
    }
    s->k.events++;
    ring_add(&s->k.age_us, wall_us - ev->time_ms * 1000);
    if (action == COT_NOT_DRAWN)
        s->k.not_drawn++;
    else if (action == COT_DELETE)
        ovl_state_remove_unit(st, u.id);
    else if (ovl_state_upsert_unit(st, &u, set, 0, mono_us, wall_us, err, sizeof err) < 0)
        cot__set_error(s, "uid %s: %s", ev->uid, err);
}

void cot__apply(struct cot__src *s, const char *buf, size_t len)
{
    struct cot_event ev;
    char err[OVL_ERR_MAX];
    if (!cot__take(s))
        return;
    int rc = cot_parse(buf, len, &ev, err, sizeof err);
    if (rc == -EPROTONOSUPPORT) {
        s->k.unsupported++;
        snprintf(s->k.last_error, sizeof s->k.last_error, "%s", err);
        if (!s->tak_logged)
            tlog_warn(s->owner->log, "%s: %s; set the sender to TAK Protocol 0 (XML) "
                      "(counted as unsupported, logged once)", s->spec, err);
        s->tak_logged = true;
    } else if (rc < 0) {
        cot__set_error(s, "%s", err);
        tlog_debug(s->owner->log, "%s: refused: %s", s->spec, err);
    } else {
        cot__apply_event(s, &ev);
    }
}

/* Applies an EIDO result (cad role: it may open incident-only cameras). */
static int cot__eido_apply(struct cot_inputs *in, const struct eido_result *r,
                           char *err, size_t errlen)
{
    if (r->closed) {
        ovl_state_close_incident(in->st, r->inc.id);
        return 0;
    }
    return ovl_state_upsert_incident(in->st, &r->inc, r->inc.fields, 0, true,
                                     (int64_t)(uv_hrtime() / 1000), tm_wall_us(), err,
                                     errlen);
}

void cot__eido_text(struct cot__src *s, const char *name, const char *text, size_t len)
{
    struct eido_result r;
    char err[OVL_ERR_MAX];
    int rc = eido_parse_text(text, len, &r, err, sizeof err);
    if (rc == 0)
        rc = cot__eido_apply(s->owner, &r, err, sizeof err);
    if (rc < 0) {
        cot__set_error(s, "%s: %s", name, err);
        tlog_warn(s->owner->log, "eido %s: %s", name, err);
        return;
    }
    s->k.events++;
    tlog_info(s->owner->log, "eido %s: incident %s %s", name, r.inc.id,
              r.closed ? "closed" : "updated");
}

int cot_inputs_eido(struct cot_inputs *in, const cJSON *doc, bool *closed, char *id,
                    char *err, size_t errlen)
{
    struct eido_result r;
    int rc = eido_parse(doc, &r, err, errlen);
    if (rc == 0)
        rc = cot__eido_apply(in, &r, err, errlen);
    if (rc < 0) {
        cot__set_error(in->control, "%s", err);
        return rc;
    }
    in->control->k.events++;
    *closed = r.closed;
    snprintf(id, OVL_ID_MAX + 1, "%s", r.inc.id);
    return 0;
}

struct cot__src *cot__src_add(struct cot_inputs *in, const char *kind, const char *spec)
{
    struct cot__src *s;
    if (in->n_srcs >= COT__SRCS_MAX || !(s = calloc(1, sizeof *s)))
        return NULL;
    s->owner = in;
    snprintf(s->kind, sizeof s->kind, "%s", kind);
    snprintf(s->spec, sizeof s->spec, "%s", spec);
    s->tokens = COT_RATE_BURST;
    s->refill_ms = uv_now(in->loop);
    in->srcs[in->n_srcs++] = s;
    return s;
}

