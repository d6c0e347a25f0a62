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

#endif
