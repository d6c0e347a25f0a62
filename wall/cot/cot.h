/*
 * cot.h - Cursor on Target (CoT), pure: one XML <event> in, one typed event
 * (and the unit upsert it means) out, through libexpat; and a splitter that
 * cuts a TCP byte stream of events sent back to back into single events.
 * No I/O, no clock, no libuv: wall/cot/inputs.c does the sockets.
 *
 * Limits: an event is at most COT_EVENT_MAX bytes and COT_DEPTH_MAX elements
 * deep; a DOCTYPE or any entity declaration is refused (no entity expansion
 * at all); TAK Protocol version 1 (protobuf, magic byte 0xbf) is recognised
 * and reported, never parsed.
 */
#ifndef TESSERA_COT_H
#define TESSERA_COT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "overlay/protocol.h"

#define COT_EVENT_MAX (64 * 1024) /* bytes of one event */
#define COT_DEPTH_MAX 16          /* element nesting */
#define COT_TYPE_MAX 48
#define COT_UNKNOWN 9999999.0     /* hae/ce/le: not known */
#define COT_TAK_MAGIC 0xbf        /* first byte of TAK Protocol version 1 */

/* What an event means for the overlay. */
enum cot_action {
    COT_UPSERT,    /* a drawn type ("a-..."): upsert unit */
    COT_DELETE,    /* t-x-d-d: remove unit */
    COT_NOT_DRAWN, /* any other type: counted, not shown */
};

/* One parsed event: only what the wall uses (everything else is dropped). */
struct cot_event {
    char uid[OVL_UNIT_UID_MAX + 1];
    char type[COT_TYPE_MAX + 1];
    char callsign[OVL_LABEL_MAX + 1]; /* <contact callsign>; "" if none */
    char link_uid[OVL_UNIT_UID_MAX + 1]; /* <link uid> (what t-x-d-d deletes) */
    int64_t time_s, stale_s;          /* seconds since the Unix epoch */
    int64_t time_ms;                  /* time to the millisecond (its fraction) */
    double lat, lon, ce;              /* ce: COT_UNKNOWN when not known */
    double course, speed;             /* degrees true, m/s; valid if has_track */
    bool has_point, has_track;
};

/* Parses one event (len bytes, need not be NUL-terminated) into *ev.
 * Returns 0; -EPROTONOSUPPORT for TAK Protocol v1 (first byte 0xbf);
 * -E2BIG past COT_EVENT_MAX; -EPERM for a DOCTYPE or entity declaration;
 * -ELOOP past COT_DEPTH_MAX; -EINVAL for malformed XML or a missing or bad
 * attribute; err always says which. */
int cot_parse(const char *buf, size_t len, struct cot_event *ev, char *err,
              size_t errlen);

/* Turns a parsed event into a unit upsert *u with its `set` bits (for
 * COT_UPSERT: id, label, position, heading and speed, time, ce when known,
 * stale_after_s = stale - now_s clamped to 1..OVL_STALE_MAX_S) or a removal
 * (COT_DELETE: u->id only).  Returns the action, or -EINVAL with err set for
 * a drawn type without a valid position. */
int cot_to_unit(const struct cot_event *ev, int64_t now_s,
                struct ovl_unit_data *u, unsigned *set, char *err,
                size_t errlen);

/* What the splitter found in a stream. */
enum cot_chunk {
    COT_CHUNK_EVENT,   /* one whole event: give it to cot_parse() */
    COT_CHUNK_TOO_BIG, /* an event over the limit was dropped */
    COT_CHUNK_TAK,     /* a TAK Protocol v1 message was skipped */
    COT_CHUNK_JUNK,    /* bytes outside any event were dropped */
};

typedef void (*cot_chunk_cb)(void *opaque, enum cot_chunk kind,
                             const char *data, size_t len);

/* Splits a stream of events sent back to back.  Owned by whoever owns the
 * stream (the loop thread for a TCP input). */
struct cot_split {
    char *buf;       /* bytes of the unfinished event */
    size_t len, cap; /* cap: max + 16 */
    size_t max;      /* largest event kept */
    size_t scanned;  /* buf[0..scanned) holds no end tag */
    uint64_t tak_skip; /* TAK payload bytes still to skip */
    bool skipping;   /* dropping an event over the limit until its end */
};

/* Prepares s for events of at most max bytes (0: COT_EVENT_MAX).  Returns 0
 * or -ENOMEM. */
int cot_split_init(struct cot_split *s, size_t max);

/* Frees what s holds; accepts a zeroed or uninitialised-by-init s. */
void cot_split_uninit(struct cot_split *s);

/* Feeds n bytes; calls cb (synchronously, data valid during the call) for
 * each event or dropped piece completed by them.  Never holds more than
 * max + 16 bytes. */
void cot_split_feed(struct cot_split *s, const char *data, size_t n,
                    cot_chunk_cb cb, void *opaque);

/* Bytes of an unfinished event held now (a peer that stalls mid-event). */
size_t cot_split_pending(const struct cot_split *s);

/* Forgets an unfinished event (after a stall or a reconnect). */
void cot_split_reset(struct cot_split *s);

#endif
