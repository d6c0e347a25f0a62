/*
 * privacy.c - privacy settings belong to the camera, not to a feed entry:
 * entries whose URLs name the same source (scheme, host, port and path; not
 * credentials or query, see url_source_key()) share one owner, consent and
 * mask set, and so does an entry whose URL is another entry's substream (its
 * masks are then that entry's substream masks).  Helpers to compare and copy
 * those settings between entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "layout/layout_priv.h"

const struct layout_mask *layout_feed_masks(const struct layout_feed *lf, bool sub,
                                            int *n)
{
    bool own = sub && lf->sub_masks;
    *n = own ? lf->n_sub_masks : lf->n_masks;
    return own ? lf->sub_masks : lf->masks;
}

/* Whether two mask lists are identical. */
static bool masks_equal(const struct layout_mask *a, int na, const struct layout_mask *b,
                        int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++) {
        if (a[i].n_points != b[i].n_points || a[i].style != b[i].style)
            return false;
        if (a[i].n_points && (!a[i].points || !b[i].points ||
                              memcmp(a[i].points, b[i].points,
                                     (size_t)a[i].n_points * sizeof *a[i].points) != 0))
            return false;
    }
    return true;
}

static bool consent_equal(const struct layout_consent *a, const struct layout_consent *b)
{
    if (a->present != b->present)
        return false;
    return !a->present ||
           (a->granted_epoch == b->granted_epoch && a->expires_epoch == b->expires_epoch &&
            a->scope == b->scope && a->ref && b->ref && strcmp(a->ref, b->ref) == 0);
}

bool layout__privacy_equal(const struct layout_feed *a, const struct layout_feed *b,
                           bool b_sub)
{
    int na, nb, sa, sb;
    const struct layout_mask *ma = layout_feed_masks(a, false, &na);
    const struct layout_mask *mb = layout_feed_masks(b, b_sub, &nb);
    if (a->owner != b->owner || !consent_equal(&a->consent, &b->consent) ||
        !masks_equal(ma, na, mb, nb))
        return false;
    if (b_sub)
        return true; /* a's own substream is another stream again */
    const struct layout_mask *ua = layout_feed_masks(a, true, &sa);
    const struct layout_mask *ub = layout_feed_masks(b, true, &sb);
    return masks_equal(ua, sa, ub, sb);
}

/* Copies n masks into *out; 0 or -ENOMEM. */
static int copy_masks(struct layout_mask **out, const struct layout_mask *m, int n)
{
    *out = calloc((size_t)n + 1, sizeof **out);
    if (!*out)
        return -ENOMEM;
    for (int i = 0; i < n; i++) {
        (*out)[i] = m[i];
        (*out)[i].points = NULL;
        if (!m[i].points)
            continue;
        size_t bytes = (size_t)m[i].n_points * sizeof *m[i].points;
        if (!((*out)[i].points = malloc(bytes)))
            return -ENOMEM; /* the caller's layout frees what was copied */
        memcpy((*out)[i].points, m[i].points, bytes);
    }
    return 0;
}

int layout__privacy_copy(struct layout_feed *dst, const struct layout_feed *src,
                         bool src_sub)
{
    int n;
    const struct layout_mask *m = layout_feed_masks(src, src_sub, &n);
    dst->owner = src->owner;
    dst->consent = src->consent;
    dst->consent.ref = NULL;
    if (src->consent.ref && !(dst->consent.ref = strdup(src->consent.ref)))
        return -ENOMEM;
    dst->n_masks = n;
    if (m && copy_masks(&dst->masks, m, n) < 0)
        return -ENOMEM;
    if (src_sub)
        return 0;
    dst->n_sub_masks = src->n_sub_masks;
    if (src->sub_masks && copy_masks(&dst->sub_masks, src->sub_masks, src->n_sub_masks) < 0)
        return -ENOMEM;
    return 0;
}
