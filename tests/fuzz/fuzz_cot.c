/*
 * fuzz_cot.c - libFuzzer harness for Cursor on Target: the input is parsed
 * whole as one event, then fed through the stream splitter in pieces whose
 * sizes come from the input itself; every event cut out is parsed, turned
 * into a unit and applied to a small overlay state, with invariants checked.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cot/cot.h"
#include "overlay/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond)
{
    if (!cond)
        abort();
}

static void check_event(const struct cot_event *ev)
{
    must(memchr(ev->uid, 0, sizeof ev->uid) != NULL && ev->uid[0]);
    must(memchr(ev->callsign, 0, sizeof ev->callsign) != NULL);
    must(ovl_utf8_check(ev->callsign, strlen(ev->callsign), NULL) == 0);
}

static void on_chunk(void *opaque, enum cot_chunk kind, const char *buf, size_t len)
{
    struct ovl_state *st = opaque;
    struct cot_event ev;
    struct ovl_unit_data u;
    unsigned set;
    char err[OVL_ERR_MAX];
    must(len <= COT_EVENT_MAX + 16);
    if (kind != COT_CHUNK_EVENT || cot_parse(buf, len, &ev, err, sizeof err) != 0)
        return;
    check_event(&ev);
    int action = cot_to_unit(&ev, 1764928800, &u, &set, err, sizeof err);
    if (action == COT_UPSERT) {
        must(u.stale_after_s >= 1 && u.stale_after_s <= OVL_STALE_MAX_S);
        must(u.lat >= -90 && u.lat <= 90 && u.lon >= -180 && u.lon <= 180);
        ovl_state_upsert_unit(st, &u, set, 0, 1, 1, err, sizeof err);
    } else if (action == COT_DELETE) {
        ovl_state_remove_unit(st, u.id);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cot_event ev;
    char err[OVL_ERR_MAX];
    if (cot_parse((const char *)data, size, &ev, err, sizeof err) == 0)
        check_event(&ev);
    struct ovl_state_limits lim = {.max_units = 16, .max_incidents = 4};
    struct ovl_state *st = ovl_state_create(&lim);
    struct cot_split sp;
    if (!st || cot_split_init(&sp, 512) < 0)
        abort();
    size_t off = 0, step = size ? (size_t)data[0] % 97 + 1 : 1;
    while (off < size) {
        size_t n = size - off < step ? size - off : step;
        cot_split_feed(&sp, (const char *)data + off, n, on_chunk, st);
        must(sp.len <= sp.cap);
        off += n;
        step = (size_t)data[off % size] % 97 + 1;
    }
    size_t len;
    free(ovl_state_to_json(st, &len));
    cot_split_uninit(&sp);
    ovl_state_destroy(st);
    return 0;
}
