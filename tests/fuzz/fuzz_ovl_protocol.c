/*
 * fuzz_ovl_protocol.c - libFuzzer harness for the overlay protocol parser and
 * state: the input is split into lines, each parsed and (when it is a state
 * change) applied to a small state, with invariants checked on the way; the
 * state's JSON text must always parse back.  Built from tests/overlay/.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "overlay/protocol.h"
#include "overlay/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a finding for the fuzzer) when cond is false. */
static void must(int cond)
{
    if (!cond)
        abort();
}

/* Checks what ovl_parse_line() promised about one line. */
static void check_parse(int rc, const struct ovl_msg *m, const char *err)
{
    size_t i;

    must(rc == 0 || rc == 1 || rc == -EINVAL || rc == -ENOMEM);
    must(rc >= 0 || err[0] != '\0');
    for (i = 0; m->seq[i]; i++)
        must((m->seq[i] >= '0' && m->seq[i] <= '9') ||
             (i == 0 && m->seq[i] == '-'));
    must((rc == 0 && m->type == OVL_MSG_OTHER) == (m->root != NULL));
    if (rc == 0 && m->type == OVL_MSG_INCIDENT_UPSERT)
        must(m->inc.id[0] && m->inc.n_units >= 0 &&
             m->inc.n_units <= OVL_UNITS_MAX);
}

/* The state's JSON must be valid and its views consistent. */
static void check_state(struct ovl_state *st)
{
    const struct ovl_incident *const *inc;
    const struct ovl_unit *const *units;
    size_t n, i, len = 0;
    char *text;
    cJSON *j;

    n = ovl_state_incidents(st, &inc);
    for (i = 0; i < n; i++)
        must(ovl_state_find_incident(st, inc[i]->d.id) == inc[i]);
    n = ovl_state_units(st, &units);
    for (i = 1; i < n; i++)
        must(strcmp(units[i - 1]->d.id, units[i]->d.id) < 0);
    text = ovl_state_to_json(st, &len);
    must(text != NULL && strlen(text) == len);
    j = cJSON_ParseWithLength(text, len);
    must(j != NULL);
    cJSON_Delete(j);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ovl_state_limits lim = {4, 4};
    struct ovl_state *st = ovl_state_create(&lim);
    const char *p = (const char *)data, *end = p + size, *nl;
    char err[OVL_ERR_MAX];
    struct ovl_msg m;
    int64_t t = 0;
    int rc;

    if (!st)
        return 0;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        rc = ovl_parse_line(p, (size_t)(nl - p), &m, err, sizeof err);
        check_parse(rc, &m, err);
        if (rc == 0 && m.type <= OVL_MSG_UNIT_REMOVE) {
            rc = ovl_state_apply(st, &m, (t & 1) != 0, t, t, err, sizeof err);
            must(rc == 0 || rc == -ENOSPC);
        }
        ovl_msg_clear(&m);
        t += 7000000; /* 7 s per line: staleness and drops happen */
        ovl_state_expire(st, t);
        p = nl + 1;
    }
    check_state(st);
    ovl_state_destroy(st);
    return 0;
}
