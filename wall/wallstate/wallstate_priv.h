/*
 * wallstate_priv.h - what the files of wall/wallstate share and nobody else:
 * wallstate.c with callup.c (the call-up part of the state) and snapshot.c
 * (WS_CMD_ADOPT), and the JSON helpers of json.c that wire.c and snapshot.c
 * read and write with.
 */
#ifndef TESSERA_WALLSTATE_PRIV_H
#define TESSERA_WALLSTATE_PRIV_H

#include "wallstate/wallstate.h"

/* Whether output o exists and has a tile t. */
bool ws__valid_tile(const struct wall_state *ws, int o, int t);

/* The pin of tile t of output o, or NULL. */
const struct ws_pin *ws__find_pin(const struct wall_state *ws, int o, int t);

/* WS_CMD_CALLUP: adds or updates cmd->incident's call-up. */
int ws__callup(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed);

/* WS_CMD_RELEASE: removes cmd->incident's call-up (-ENOENT: none). */
int ws__release(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed);

/* Releases the call-ups whose hold ran out by now. */
void ws__callups_expire(struct wall_state *ws, int64_t now, unsigned *changed);

/* The earliest hold that runs out, or 0. */
int64_t ws__callups_next(const struct wall_state *ws);

/* Call-up cameras follow their feed (by id) into layout to; the call-ups
 * left without cameras are dropped. */
void ws__callups_remap(struct wall_state *ws, const struct layout *to);

/* Gives the call-up slots of the view shown (unpinned, by slot number, then
 * output) to the call-ups' cameras in rank order; sets each tile's
 * callup_feed and each call-up's n_slots. */
void ws__callups_assign(struct wall_state *ws);

/* Frees the call-ups. */
void ws__callups_free(struct wall_state *ws);

/* WS_CMD_ADOPT: replaces view, operator state, wall-tour schedule, pins and
 * call-ups with cmd->snapshot's, checked against ws's layout (all or nothing);
 * raises ws->seq to the snapshot's.  0, -EINVAL or -ENOMEM. */
int ws__adopt(struct wall_state *ws, const struct ws_cmd *cmd, unsigned *changed);

/* Writes ": view NAME seq N (pins P, call-ups C)" of s (NULL: ": no snapshot")
 * into buf (always terminated when n > 0). */
void ws__snapshot_describe(const struct ws_snapshot *s, char *buf, size_t n);

/* ---- JSON helpers (json.c): every reader fills err with "WHERE KEY: what is
 * wrong" (where: "" or a path such as "outputs[1].") and returns -EINVAL ---- */

struct cJSON;

/* The largest integer (a time in microseconds, a sequence number) read or
 * written: a double holds it exactly, and cJSON, which prints a number with
 * 15 digits when that comes within DBL_EPSILON of it, prints it whole (4e15
 * microseconds since 1970 is the year 2096). */
#define WS__JSON_MAX_INT 4000000000000000LL

/* Longest name or feed id read from the wire, in bytes (an on-demand feed id
 * is "registry/" and a registry id). */
#define WS__WIRE_MAX_NAME 128

/* Formats err (always terminated; may be NULL when n is 0); returns -EINVAL. */
int ws__json_fail(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads o's member key as an integer in [lo, hi] into *out. */
int ws__json_int(const struct cJSON *o, const char *where, const char *key, long long lo,
                 long long hi, long long *out, char *err, size_t n);

/* Reads o's member key as a finite number in [lo, hi] into *out, rounded to
 * 15 significant digits as ws__json_add_real() writes it. */
int ws__json_num(const struct cJSON *o, const char *where, const char *key, double lo,
                 double hi, double *out, char *err, size_t n);

/* o's member key as a string of 1..max-1 bytes (0 bytes too when empty_ok)
 * without control characters, or NULL with err.  Valid while o is. */
const char *ws__json_str(const struct cJSON *o, const char *where, const char *key,
                         size_t max, bool empty_ok, char *err, size_t n);

/* Whether s is text the wire carries: 1..max-1 bytes (0 too when empty_ok),
 * no control characters. */
bool ws__wire_text_ok(const char *s, size_t max, bool empty_ok);

/* Checks item (the value of what) as ws__json_str() does; returns its string. */
const char *ws__json_str_item(const struct cJSON *item, const char *what, size_t max,
                              bool empty_ok, char *err, size_t n);

/* o's member key as an array (of at most max items), or NULL with err. */
const struct cJSON *ws__json_array(const struct cJSON *o, const char *where, const char *key,
                                   int max, char *err, size_t n);

/* Feed id's index in ws's layout: the layout's own, else what resolve (may
 * be NULL) returns when it is a feed of that id; -1 otherwise. */
int ws__feed_ref(const struct wall_state *ws, const char *id, ws_feed_resolver resolve,
                 void *opaque);

/* Adds key: value to o as a JSON number; false when value is beyond
 * ±WS__JSON_MAX_INT (a reader would refuse it) or memory ran out. */
bool ws__json_add_int(struct cJSON *o, const char *key, long long value);

/* Adds key: value (not an integer) to o as a JSON number with 15 significant
 * digits, so that every node reads the same double; false when out of memory. */
bool ws__json_add_real(struct cJSON *o, const char *key, double value);

/* Adds key: value to o as a JSON string (NULL: null); false when out of memory. */
bool ws__json_add_str(struct cJSON *o, const char *key, const char *value);

#endif
