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

#endif
