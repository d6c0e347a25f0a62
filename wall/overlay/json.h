/*
 * json.h - what the overlay module's JSON writers and readers share: a
 * growing text buffer that remembers an allocation failure (so a writer
 * checks once, at the end), and the value checks whose error texts name the
 * field ("priority: must be an integer from 1 to 9").  Internal to
 * wall/overlay/; pure: no I/O, no clock.
 */
#ifndef TESSERA_OVL_JSON_H
#define TESSERA_OVL_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* JSON text being written; start from OVL_JSON_INIT. */
struct ovl_json {
    char *p;
    size_t len, cap;
    bool failed; /* an allocation failed: the text is incomplete */
};

#define OVL_JSON_INIT {NULL, 0, 0, false}

/* Appends the n bytes at s (the text stays NUL-terminated). */
void ovl_json_add(struct ovl_json *t, const char *s, size_t n);

/* Appends a string literal. */
#define OVL_JSON_LIT(t, lit) ovl_json_add((t), (lit), sizeof(lit) - 1)

/* Appends printf output of at most 63 bytes (numbers, short keys). */
void ovl_json_printf(struct ovl_json *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends v as a JSON string literal, control characters escaped. */
void ovl_json_quoted(struct ovl_json *t, const char *v);

/* Appends lead"key": (lead: "{", "," or ""). */
void ovl_json_key(struct ovl_json *t, const char *lead, const char *key);

/* Appends v to at most 9 decimals, trailing zeros trimmed, when |v| < 1e9
 * (every coordinate, heading and speed; several times faster than "%.15g"),
 * and with "%.15g" otherwise. */
void ovl_json_num_fast(struct ovl_json *t, double v);

/* Appends v with the fewest digits (15 to 17) that read back as the same
 * double, so a value round-trips exactly; null when v is not finite. */
void ovl_json_num_exact(struct ovl_json *t, double v);

/* Returns the text, its length in *len (when len is not NULL), and leaves t
 * empty; or frees the text and returns NULL when an allocation failed. */
char *ovl_json_finish(struct ovl_json *t, size_t *len);

/* Checks that it is a string of at most max bytes (nonempty: at least one)
 * without control characters and copies it into dst (room for max + 1).
 * Returns 0, or -EINVAL with "name: ..." in err. */
int ovl_json_get_str(const cJSON *it, const char *name, char *dst, size_t max,
                     bool nonempty, char *err, size_t errlen);

/* Checks that it is a finite number from lo to hi (whole: an integer) and
 * stores it in *v.  Returns 0, or -EINVAL with "name: ..." in err. */
int ovl_json_get_num(const cJSON *it, const char *name, double lo, double hi,
                     bool whole, double *v, char *err, size_t errlen);

#endif
