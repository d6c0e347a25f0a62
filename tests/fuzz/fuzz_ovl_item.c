/*
 * fuzz_ovl_item.c - libFuzzer harness for the items nodes share
 * (wall/overlay/item.c, ovl_state_apply_item()): the input is split into
 * lines, each applied to a small state as an incident and as a unit item.  An
 * item refused must say why and change nothing; an item accepted must write
 * back to a text that, applied to a fresh state, gives the same record (data,
 * times, cad, age); the state's JSON must always parse.
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

/* The incident id's item, written back and applied to a fresh state at the
 * same times, must give the same record. */
static void check_incident(const struct ovl_incident *x, int64_t mono,
                           int64_t wall)
{
    struct ovl_state *st2 = ovl_state_create(NULL);
    const struct ovl_incident *y;
    char err[OVL_ERR_MAX] = "";
    size_t len = 0;
    char *text = ovl_incident_item_json(x, mono, wall, &len);

    must(text != NULL && st2 != NULL && strlen(text) == len);
    must(ovl_state_apply_item(st2, OVL_ITEM_INCIDENT, text, len, false, mono,
                              wall, err, sizeof err) == 0);
    y = ovl_state_find_incident(st2, x->d.id);
    must(y != NULL && memcmp(&x->d, &y->d, sizeof x->d) == 0);
    must(x->cad == y->cad && x->created_wall_us == y->created_wall_us &&
         x->changed_wall_us == y->changed_wall_us &&
         x->seen_mono_us == y->seen_mono_us);
    free(text);
    ovl_state_destroy(st2);
}

/* Likewise for a unit (its seen_us and stale flag included). */
static void check_unit(const struct ovl_unit *u, int64_t mono, int64_t wall)
{
    struct ovl_state *st2 = ovl_state_create(NULL);
    const struct ovl_unit *v;
    char err[OVL_ERR_MAX] = "";
    size_t len = 0;
    char *text = ovl_unit_item_json(u, mono, wall, &len);

    must(text != NULL && st2 != NULL && strlen(text) == len);
    must(ovl_state_apply_item(st2, OVL_ITEM_UNIT, text, len, false, mono, wall,
                              err, sizeof err) == 0);
    v = ovl_state_find_unit(st2, u->d.id);
    must(v != NULL && memcmp(&u->d, &v->d, sizeof u->d) == 0);
    must(u->changed_wall_us == v->changed_wall_us &&
         u->seen_mono_us == v->seen_mono_us && u->stale == v->stale);
    free(text);
    ovl_state_destroy(st2);
}

/* Applies one line as an item of kind and checks what was promised. */
static void apply_one(struct ovl_state *st, enum ovl_item_kind kind,
                      const char *line, size_t len, int64_t mono, int64_t wall)
{
    char err[OVL_ERR_MAX] = "";
    uint64_t g = ovl_state_generation(st);
    const struct ovl_incident *x;
    const struct ovl_unit *u;
    const cJSON *id;
    cJSON *j;
    int rc;

    rc = ovl_state_apply_item(st, kind, line, len, true, mono, wall, err,
                              sizeof err);
    must(rc == 0 || rc == -EINVAL || rc == -ENOSPC || rc == -ENOMEM);
    if (rc < 0) {
        must(err[0] != '\0' && !strchr(err, '\n'));
        must(ovl_state_generation(st) == g);
        return;
    }
    j = cJSON_ParseWithLength(line, len); /* the id, to find the record */
    must(j != NULL);
    id = cJSON_GetObjectItemCaseSensitive(j, "id");
    must(cJSON_IsString(id));
    if (kind == OVL_ITEM_INCIDENT) {
        x = ovl_state_find_incident(st, id->valuestring);
        must(x != NULL && x->remote);
        check_incident(x, mono, wall);
    } else {
        u = ovl_state_find_unit(st, id->valuestring);
        must(u != NULL && u->remote);
        check_unit(u, mono, wall);
    }
    cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ovl_state_limits lim = {4, 4};
    struct ovl_state *st = ovl_state_create(&lim);
    const char *p = (const char *)data, *end = p + size, *nl;
    int64_t mono = 0, wall = 1800000000LL * 1000000;
    size_t len;
    char *text;
    cJSON *j;

    if (!st)
        return 0;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        apply_one(st, OVL_ITEM_INCIDENT, p, (size_t)(nl - p), mono, wall);
        apply_one(st, OVL_ITEM_UNIT, p, (size_t)(nl - p), mono, wall);
        mono += 7000000; /* 7 s per line: staleness and drops happen */
        wall += 7000000;
        ovl_state_expire(st, mono);
        p = nl + 1;
    }
    text = ovl_state_to_json(st, &len);
    must(text != NULL && strlen(text) == len);
    j = cJSON_ParseWithLength(text, len);
    must(j != NULL);
    cJSON_Delete(j);
    free(text);
    ovl_state_destroy(st);
    return 0;
}
