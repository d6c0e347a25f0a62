/*
 * layout_priv.h - what the files of the layout module share with each other
 * and with nobody else: adding diagnostics and putting them in order.
 */
#ifndef TESSERA_LAYOUT_PRIV_H
#define TESSERA_LAYOUT_PRIV_H

#include "layout/layout.h"

/* Appends one diagnostic (printf-style message) to diags.  Returns 0, or
 * -ENOMEM when it could not be stored (the list is left as it was). */
int layout__diag_add(struct layout_diags *diags, int line, int col,
                     enum layout_severity severity, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Sorts diags->items[from..n) by line and column, keeping the order in which
 * they were added for equal positions.  Returns 0 or -ENOMEM (then the items
 * stay in the order they were added). */
int layout__diags_sort(struct layout_diags *diags, int from);

/* Whether two feed entries of one camera have the same owner, consent and
 * masks: for both streams, or, with b_sub (a's URL is b's substream), a's
 * main masks against b's substream masks. */
bool layout__privacy_equal(const struct layout_feed *a, const struct layout_feed *b,
                           bool b_sub);

/* Gives dst (an entry that states no privacy settings of its own) a copy of
 * src's owner, consent and masks (with src_sub, dst reads src's substream:
 * src's substream masks become dst's masks).  0 or -ENOMEM (what was copied
 * stays in dst, freed with the layout). */
int layout__privacy_copy(struct layout_feed *dst, const struct layout_feed *src,
                         bool src_sub);

/* Frees what feed entry f owns (its strings, consent and masks), not f. */
void layout__feed_free(struct layout_feed *f);

/* What layout__name_check() finds. */
enum layout_name_check {
    LAYOUT_NAME_OK = 0,
    LAYOUT_NAME_EMPTY,     /* NULL or "" */
    LAYOUT_NAME_BAD_CHAR,  /* a character other than A-Z a-z 0-9 and extra */
    LAYOUT_NAME_TOO_LONG,  /* more than max characters */
};

/* The characters a node name may have besides letters and digits. */
#define LAYOUT_NODE_EXTRA "._-"
/* The same for "sync"'s "wall" (an MQTT topic level: no '/', '+', '#'). */
#define LAYOUT_WALL_EXTRA "_-"

/* Checks that s is 1 to max characters from A-Z, a-z, 0-9 and extra. */
int layout__name_check(const char *s, const char *extra, int max);

/* Takes the broker URL "mqtt://HOST[:PORT]" or "mqtts://HOST[:PORT]" apart
 * (HOST a name, IPv4 or [IPv6]; PORT 1..65535, default 1883 or 8883).
 * Returns 0 with a new string in *host (brackets dropped), *port and *tls
 * (mqtts://); -EINVAL with why (n bytes) saying what is wrong, to follow
 * the key's name and value in a message (it quotes nothing of url); or
 * -ENOMEM.  *host is NULL on any error. */
int layout__broker_parse(const char *url, char **host, int *port, bool *tls,
                         char *why, size_t n);

/* Makes the relative file names of l->sync relative to the directory of
 * layout_path instead (see struct layout_sync).  0 or -ENOMEM (a name that
 * could not be rebuilt stays as it was). */
int layout__sync_resolve(struct layout *l, const char *layout_path);

#endif
