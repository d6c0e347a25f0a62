/*
 * item.h - reading back the JSON text of one shared item (an incident or a
 * unit as the nodes of a wall exchange them; written by
 * ovl_incident_item_json() and ovl_unit_item_json() in state.h) into plain
 * records, for ovl_state_apply_item().  Pure: no I/O, no clock, no state.
 */
#ifndef TESSERA_OVL_ITEM_H
#define TESSERA_OVL_ITEM_H

#include <stddef.h>
#include <stdint.h>

#include "overlay/state.h"

#define OVL_ITEM_CE_MAX 1e7 /* ce_m, metres (CoT's "not known" is 9999999) */
#define OVL_ITEM_US_MAX 9007199254740992LL /* 2^53: wall-clock microseconds
                                              stay exact in a JSON number */

/* One item read back.  Only the part of its kind is filled; every string and
 * unset field is zero-filled, so records compare with memcmp(). */
struct ovl_item {
    enum ovl_item_kind kind;
    struct ovl_incident inc; /* d, created_wall_us, changed_wall_us, cad */
    struct ovl_unit unit;    /* d, changed_wall_us */
    int64_t seen_wall_us;    /* when its sender last saw it: "seen_us" */
};

/* Reads the item text[0..len) (need not be NUL-terminated) of the given kind
 * into *out.  Returns 0, -EINVAL with a one-line error naming the field in err
 * (bad JSON or UTF-8, another kind, a missing id or time, a field of the wrong
 * type, out of range, too long, or with a control character), or -ENOMEM. */
int ovl_item_parse(enum ovl_item_kind kind, const char *text, size_t len,
                   struct ovl_item *out, char *err, size_t errlen);

#endif
