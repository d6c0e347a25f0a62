/*
 * inputs.c - the CoT sockets and the EIDO sources on the render thread's
 * libuv loop (see inputs.h).  Bounded everywhere: a UDP datagram or a stream
 * event is at most COT_EVENT_MAX bytes (the splitter never buffers more), each
 * input applies at most COT_RATE_MAX events a second and drops the rest
 * unparsed (the kernel's socket buffer is the only queue), a TCP peer holding
 * half an event for COT_STALL_S is cut off, and EIDO files are read on the
 * thread pool.  This file owns the set of inputs (create, destroy, stats);
 * what every input does with the events it receives is in source.c.
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

struct cot_inputs *cot_inputs_create(uv_loop_t *loop, struct ovl_state *st,
                                     const struct cot_inputs_config *cfg,
                                     const struct tlog *log)
{
    struct cot_inputs *in = calloc(1, sizeof *in);
    if (!in || !(in->log = tlog_create(log, "cot")))
        goto fail;
    in->loop = loop, in->st = st;
    for (size_t i = 0; i < cfg->n_allow && i < COT_INPUTS_MAX; i++) {
        if (cot_cidr_parse(cfg->allow[i], &in->allow[in->n_allow++]) < 0) {
            tlog_err(in->log, "--cot-allow %s: not an address or CIDR", cfg->allow[i]);
            goto fail;
        }
    }
    if (!(in->control = cot__src_add(in, "eido", "control")))
        goto fail;
    for (size_t i = 0; i < cfg->n_cot; i++)
        if (cot__socket_open(in, cfg->cot[i]) < 0)
            goto fail;
    if (cfg->eido_dir && cot__dir_open(in, cfg->eido_dir) < 0)
        goto fail;
    if (cot__sweep_start(in) < 0)
        goto fail;
    return in;
fail:
    cot_inputs_destroy(in);
    return NULL;
}

void cot_inputs_destroy(struct cot_inputs *in)
{
    if (!in)
        return;
    in->closing = true;
    cot__sockets_close(in);
    cot__dir_close(in);
    while (in->open_handles > 0 || in->pending_reqs > 0)
        uv_run(in->loop, UV_RUN_ONCE);
    cot__dir_free(in);
    for (size_t i = 0; i < in->n_srcs; i++) {
        cot_split_uninit(&in->srcs[i]->split);
        free(in->srcs[i]->rbuf);
        free(in->srcs[i]);
    }
    tlog_destroy(in->log);
    free(in);
}

/* One input as a stats object. */
static cJSON *cot__src_json(const struct cot__src *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "kind", s->kind);
    cJSON_AddStringToObject(o, "spec", s->spec);
    cJSON_AddNumberToObject(o, "events", (double)s->k.events);
    cJSON_AddNumberToObject(o, "errors", (double)s->k.errors);
    if (s->k.last_error[0])
        cJSON_AddStringToObject(o, "last_error", s->k.last_error);
    else
        cJSON_AddNullToObject(o, "last_error");
    cJSON_AddNumberToObject(o, "not_drawn", (double)s->k.not_drawn);
    cJSON_AddNumberToObject(o, "unsupported", (double)s->k.unsupported);
    cJSON_AddNumberToObject(o, "dropped", (double)s->k.dropped);
    if (s->k.age_us.n) { /* event time to applied: same clock on one host only */
        cJSON *age = cJSON_AddObjectToObject(o, "age_ms");
        cJSON_AddNumberToObject(age, "p50", (double)ring_percentile(&s->k.age_us, 50) / 1000.0);
        cJSON_AddNumberToObject(age, "p99", (double)ring_percentile(&s->k.age_us, 99) / 1000.0);
    }
    if (s->kind[0] != 'e')
        cJSON_AddBoolToObject(o, "connected", s->connected);
    return o;
}

int cot_inputs_stats(const struct cot_inputs *in, cJSON *arr)
{
    for (size_t i = 0; in && i < in->n_srcs; i++) {
        cJSON *o = cot__src_json(in->srcs[i]);
        if (!o)
            return -ENOMEM;
        cJSON_AddItemToArray(arr, o);
    }
    return 0;
}
