/*
 * state.h - the current overlay picture: open CAD incidents and the last known
 * position of each unit (AVL), as merged from protocol messages.
 *
 * Pure data: no I/O and no clock reads; every time is passed in (monotonic
 * microseconds for staleness, wall-clock microseconds for "when received").
 * Not thread-safe: the thread that steps the server's loop (the render thread)
 * owns the state, applies messages to it and reads it for drawing.
 */
#ifndef TESSERA_OVL_STATE_H
#define TESSERA_OVL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "overlay/protocol.h"

#define OVL_MAX_INCIDENTS_DEFAULT 1000
#define OVL_MAX_UNITS_DEFAULT 5000
#define OVL_UNIT_DROP_FACTOR 5 /* dropped after 5 x stale_after_s silent */
#define OVL_INCIDENT_TTL_DEFAULT_S 3600 /* an incident not updated for this
                                           long closes by itself */

/* An open incident. */
struct ovl_incident {
    struct ovl_incident_data d; /* d.fields says which fields hold a value */
    int64_t created_wall_us;    /* wall clock when first received */
    int64_t changed_wall_us;    /* wall clock of the last change */
    int64_t seen_mono_us;       /* monotonic clock of the last upsert (for
                                   incident_ttl) */
    bool cad;                   /* its last upsert came from a client with the
                                   cad role: only then may it open an
                                   incident-only camera */
    bool remote;                /* its last change came from another node
                                   (ovl_state_apply_item() with remote); false
                                   after any other upsert */
};

/* A unit, stale once silent for d.stale_after_s (the default when unset). */
struct ovl_unit {
    struct ovl_unit_data d;
    int64_t seen_mono_us;    /* monotonic clock of the last upsert */
    int64_t changed_wall_us; /* wall clock of the last change */
    bool stale;              /* as of the last ovl_state_expire() */
    bool remote;             /* its last change came from another node
                                (ovl_state_apply_item() with remote); false
                                after any other upsert */
};

/* What an item (one incident or unit shared between nodes) describes. */
enum ovl_item_kind { OVL_ITEM_INCIDENT, OVL_ITEM_UNIT };

struct ovl_state_limits {
    size_t max_incidents; /* 0: OVL_MAX_INCIDENTS_DEFAULT */
    size_t max_units;     /* 0: OVL_MAX_UNITS_DEFAULT */
};

struct ovl_state;

/* Creates an empty state with the given limits (NULL: defaults); NULL when
 * out of memory. */
struct ovl_state *ovl_state_create(const struct ovl_state_limits *limits);

/* Frees the state and everything in it; accepts NULL. */
void ovl_state_destroy(struct ovl_state *st);

/* Counts changes: it increases whenever anything visible changes (a field, an
 * item added or removed, a unit turning stale or fresh), so a renderer redraws
 * only when it differs from the value it last drew. */
uint64_t ovl_state_generation(const struct ovl_state *st);

/* Sets how long an incident may go without an upsert before
 * ovl_state_expire() closes it (seconds > 0; otherwise the default,
 * OVL_INCIDENT_TTL_DEFAULT_S). */
void ovl_state_set_incident_ttl(struct ovl_state *st, int64_t ttl_s);

/* Merges an upsert into the incident d->id (creating it): fields in `set` take
 * the new value, fields in `clear` are forgotten, the rest are kept; the
 * incident is marked seen at now_mono_us and takes cad (whether this sender
 * has the cad role).  Returns 0, or -ENOSPC (with err naming the limit) when
 * a new incident would exceed max_incidents, or -ENOMEM. */
int ovl_state_upsert_incident(struct ovl_state *st,
                              const struct ovl_incident_data *d, unsigned set,
                              unsigned clear, bool cad, int64_t now_mono_us,
                              int64_t now_wall_us, char *err, size_t errlen);

/* Removes the incident id; returns 0, or -ENOENT if there was none. */
int ovl_state_close_incident(struct ovl_state *st, const char *id);

/* Merges an upsert into the unit d->id (creating it), marks it seen at
 * now_mono_us and fresh.  Returns 0, -ENOSPC past max_units, or -ENOMEM. */
int ovl_state_upsert_unit(struct ovl_state *st, const struct ovl_unit_data *d,
                          unsigned set, unsigned clear, int64_t now_mono_us,
                          int64_t now_wall_us, char *err, size_t errlen);

/* Removes the unit id; returns 0, or -ENOENT if there was none. */
int ovl_state_remove_unit(struct ovl_state *st, const char *id);

/* Applies an incident or unit message from ovl_parse_line() (closing or
 * removing an unknown id is not an error); cad says whether the sender has
 * the cad role (stored on incidents it upserts).  Returns 0, -ENOSPC or
 * -ENOMEM with err set, or -EINVAL for other message types. */
int ovl_state_apply(struct ovl_state *st, const struct ovl_msg *msg, bool cad,
                    int64_t now_mono_us, int64_t now_wall_us, char *err,
                    size_t errlen);

/* Marks units silent for their stale_after_s as stale, drops those silent
 * for OVL_UNIT_DROP_FACTOR times as long, and closes incidents not upserted
 * for the incident ttl.  Returns how many units and incidents changed. */
int ovl_state_expire(struct ovl_state *st, int64_t now_mono_us);

/* Returns the incident or unit with that id, or NULL; valid until the state
 * next changes. */
const struct ovl_incident *ovl_state_find_incident(const struct ovl_state *st,
                                                   const char *id);
const struct ovl_unit *ovl_state_find_unit(const struct ovl_state *st,
                                           const char *id);

/* Sets *view to the incidents in drawing order (priority 1 first, no priority
 * last; then newest event time first, "time" or else when first received;
 * then by id) and returns how many there are.  The array stays valid until the
 * state next changes. */
size_t ovl_state_incidents(struct ovl_state *st,
                           const struct ovl_incident *const **view);

/* Sets *view to the units sorted by id and returns how many there are; valid
 * until the state next changes. */
size_t ovl_state_units(const struct ovl_state *st,
                       const struct ovl_unit *const **view);

/* Returns the whole state as the text of a JSON object,
 * {"incidents":[...],"units":[...]} (incidents in drawing order, only the
 * fields that hold a value; units with "stale_after_s" and "stale"), in a
 * malloc'd NUL-terminated string the caller frees, with its length in *len
 * (if not NULL); NULL when out of memory.  Written directly rather than
 * through cJSON: a full state is several hundred kB and this is ~5x faster. */
char *ovl_state_to_json(struct ovl_state *st, size_t *len);

/* ---- items: incidents and units shared between nodes (item.c) ----------- */

/* Incident x as one JSON object text with every field that holds a value (the
 * unit list, "cad", "created_us" and "changed_us" as wall-clock microseconds
 * included, and "seen_us": the wall-clock time it was last upserted, computed
 * from now_mono_us, now_wall_us and x->seen_mono_us), malloc'd and
 * NUL-terminated (length in *len if not NULL); NULL when out of memory. */
char *ovl_incident_item_json(const struct ovl_incident *x, int64_t now_mono_us,
                             int64_t now_wall_us, size_t *len);

/* Unit u likewise (label, ce_m, stale_after_s, "changed_us" and "seen_us"). */
char *ovl_unit_item_json(const struct ovl_unit *u, int64_t now_mono_us,
                         int64_t now_wall_us, size_t *len);

/* Applies an item written by the two functions above (len bytes of text, not
 * necessarily NUL-terminated): the incident or unit with its id is REPLACED as
 * a whole (fields absent from the item are forgotten) or created; remote marks
 * it (see struct ovl_incident); seen_mono_us is set so that its age is the
 * item's, now_mono_us - (now_wall_us - seen_us), never in the future
 * (incidents use "changed_us" for that), and a unit's stale flag follows that
 * age at once; created/changed wall times come from the item.  Returns 0 (the
 * generation increases only if something visible changed), -EINVAL with a
 * one-line err (bad JSON, wrong kind, missing id, a field of the wrong type,
 * out of range, too long, control characters: the limits protocol.c
 * enforces), -ENOSPC past the limits, or -ENOMEM.  Never crashes on any
 * input. */
int ovl_state_apply_item(struct ovl_state *st, enum ovl_item_kind kind,
                         const char *text, size_t len, bool remote,
                         int64_t now_mono_us, int64_t now_wall_us, char *err,
                         size_t errlen);

#endif
