/*
 * protocol.h - the overlay control protocol, pure: one newline-delimited JSON
 * line in, one typed message (or an error text naming the field) out.  No I/O,
 * no clock, no libuv; docs/protocol.md is the reference this code implements.
 *
 * Only the fields the wall displays are kept (data minimisation): any other
 * field of a message is dropped while parsing and never stored or logged.
 */
#ifndef TESSERA_OVL_PROTOCOL_H
#define TESSERA_OVL_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Limits of the wire format, in bytes of UTF-8 (the NUL is not counted). */
#define OVL_LINE_MAX 65536 /* one line, without its "\n" (and a "\r") */
#define OVL_ID_MAX 64      /* incident id */
#define OVL_KIND_MAX 64
#define OVL_STATUS_MAX 32
#define OVL_ADDRESS_MAX 256
#define OVL_UNITS_MAX 16    /* entries of an incident's "units" */
#define OVL_UNIT_ID_MAX 16  /* a unit id, alone or inside "units" */
#define OVL_UNIT_UID_MAX 64 /* a unit's stored id: longer ones come only from
                               Cursor on Target uids (wall/cot) */
#define OVL_LABEL_MAX 48    /* a unit's label (a CoT callsign) */
#define OVL_TOKEN_MAX 256
#define OVL_SEQ_MAX 64      /* characters of the echoed "seq" */
#define OVL_ERR_MAX 192     /* room for any error text this module writes */
#define OVL_TIME_BUF 48     /* room for ovl_format_rfc3339() */

#define OVL_PRIORITY_MIN 1
#define OVL_PRIORITY_MAX 9
#define OVL_SPEED_MAX 1000.0       /* m/s */
#define OVL_STALE_DEFAULT_S 60
#define OVL_STALE_MAX_S 3600

enum ovl_msg_type {
    OVL_MSG_INCIDENT_UPSERT,
    OVL_MSG_INCIDENT_CLOSE,
    OVL_MSG_UNIT_UPSERT,
    OVL_MSG_UNIT_REMOVE,
    OVL_MSG_STATE,
    OVL_MSG_STATS,
    OVL_MSG_PING,
    OVL_MSG_AUTH,
    OVL_MSG_OTHER, /* any other "type": msg->root holds the parsed line */
};

/* Bits of ovl_incident_data.fields: which optional fields hold a value. */
enum {
    OVL_INC_KIND = 1u << 0,
    OVL_INC_PRIORITY = 1u << 1,
    OVL_INC_STATUS = 1u << 2,
    OVL_INC_POS = 1u << 3, /* lat and lon, always together */
    OVL_INC_ADDRESS = 1u << 4,
    OVL_INC_UNITS = 1u << 5,
    OVL_INC_TIME = 1u << 6,
};

/* Bits of ovl_unit_data.fields. */
enum {
    OVL_UNIT_POS = 1u << 0,
    OVL_UNIT_HEADING = 1u << 1,
    OVL_UNIT_SPEED = 1u << 2,
    OVL_UNIT_STATUS = 1u << 3,
    OVL_UNIT_TIME = 1u << 4,
    OVL_UNIT_STALE = 1u << 5, /* stale_after_s */
    OVL_UNIT_LABEL = 1u << 6, /* label: set by Cursor on Target only */
    OVL_UNIT_CE = 1u << 7,    /* ce_m: set by Cursor on Target only */
};

/* An incident's displayed fields.  A field holds a value only when its bit is
 * in `fields`; unset storage is all zero bytes, so two records compare with
 * memcmp().  Strings are NUL-terminated UTF-8 without control characters. */
struct ovl_incident_data {
    unsigned fields;
    char id[OVL_ID_MAX + 1];
    char kind[OVL_KIND_MAX + 1];
    char status[OVL_STATUS_MAX + 1];
    char address[OVL_ADDRESS_MAX + 1];
    char units[OVL_UNITS_MAX][OVL_UNIT_ID_MAX + 1];
    int n_units;
    int priority; /* 1 (highest) .. 9 */
    double lat, lon;
    int64_t time_s; /* event time, seconds since the Unix epoch (UTC) */
};

/* A unit's (officer's, vehicle's) displayed fields; same rules as above. */
struct ovl_unit_data {
    unsigned fields;
    char id[OVL_UNIT_UID_MAX + 1]; /* NDJSON ids are at most OVL_UNIT_ID_MAX */
    char status[OVL_STATUS_MAX + 1];
    char label[OVL_LABEL_MAX + 1]; /* drawn instead of the id when set */
    double lat, lon;
    double ce_m;      /* circular error (metres, 1 sigma) of lat/lon */
    double heading;   /* degrees clockwise from north, 0..360 */
    double speed_mps; /* 0..OVL_SPEED_MAX */
    int64_t time_s;   /* time of the fix, seconds since the Unix epoch */
    int stale_after_s;
};

/* One parsed line.  For upserts, `set` bits name the fields the line gave a
 * value and `clear` bits the fields it set to null (the field is forgotten);
 * absent fields are in neither and keep their old value when merged. */
struct ovl_msg {
    enum ovl_msg_type type;
    char seq[OVL_SEQ_MAX + 1]; /* "seq" as sent (a JSON integer), or "" */
    unsigned set, clear;
    struct ovl_incident_data inc;  /* OVL_MSG_INCIDENT_*: inc.id at least */
    struct ovl_unit_data unit;     /* OVL_MSG_UNIT_*: unit.id at least */
    char token[OVL_TOKEN_MAX + 1]; /* OVL_MSG_AUTH */
    cJSON *root;                   /* OVL_MSG_OTHER only; see ovl_msg_clear() */
};

/* Parses one line (len bytes, without its "\n"; a trailing "\r" is ignored;
 * line need not be NUL-terminated) into *msg.  Returns 0 for a message, 1 for
 * a line to ignore without a reply (empty or only blanks), or -EINVAL with a
 * one-line error naming the field in err (msg->seq is filled when the line
 * carried a valid one) and -ENOMEM when out of memory.  Always call
 * ovl_msg_clear() afterwards. */
int ovl_parse_line(const char *line, size_t len, struct ovl_msg *msg, char *err,
                   size_t errlen);

/* Frees what ovl_parse_line() attached to msg (msg->root); accepts a zeroed
 * or already cleared msg. */
void ovl_msg_clear(struct ovl_msg *msg);

/* Returns the name of a message type as it appears in "type" ("incident", ...)
 * or "other". */
const char *ovl_msg_type_name(enum ovl_msg_type type);

/* Checks that s[0..len) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points above U+10FFFF).  Returns 0, or -EILSEQ with *bad_at (if not
 * NULL) set to the offset of the first byte that is wrong. */
int ovl_utf8_check(const char *s, size_t len, size_t *bad_at);

/* Returns the largest n <= max such that s[0..n) ends on a UTF-8 character
 * boundary of the valid UTF-8 string s of length len (for cutting texts). */
size_t ovl_utf8_cut(const char *s, size_t len, size_t max);

/* Parses an RFC 3339 date-time ("2026-11-27T02:00:00Z", "...02:00:00.25+01:00";
 * "t" or " " for "T", "z" for "Z"; seconds 60 allowed; fractions truncated)
 * into seconds since the Unix epoch.  Returns 0 or -EINVAL. */
int ovl_parse_rfc3339(const char *s, size_t len, int64_t *epoch_s);

/* Writes epoch_s (years 0000..9999) as "YYYY-MM-DDTHH:MM:SSZ" into buf, which
 * has room for OVL_TIME_BUF bytes.  Returns 0, or -ERANGE outside those years. */
int ovl_format_rfc3339(int64_t epoch_s, char *buf);

#endif
