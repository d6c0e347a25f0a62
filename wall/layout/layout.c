/*
 * layout.c - the life of a layout model (destroy; look-ups of feeds and views
 * and of which feeds a view shows), the diagnostics list that layout_parse()
 * fills.  Reading a layout file from disk is in load.c, parsing and
 * validation in layout_json.c, geometry in geometry.c.
 */
#include "layout/layout_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void layout__feed_free(struct layout_feed *f)
{
    int i;
    free(f->id);
    free(f->url);
    free(f->label);
    free(f->substream);
    free(f->consent.ref);
    for (i = 0; f->masks && i < f->n_masks; i++)
        free(f->masks[i].points);
    free(f->masks);
    for (i = 0; f->sub_masks && i < f->n_sub_masks; i++)
        free(f->sub_masks[i].points);
    free(f->sub_masks);
    free(f->camera);
}

/* Frees n outputs and the array holding them. */
static void outputs_free(struct layout_output *outputs, int n)
{
    int i, j;
    for (i = 0; outputs && i < n; i++) {
        struct layout_output *o = &outputs[i];
        for (j = 0; o->tiles && j < o->n_tiles; j++) {
            free(o->tiles[j].label);
            free(o->tiles[j].tour);
        }
        free(o->tiles);
        free(o->name);
        free(o->display_name);
        free(o->node);
    }
    free(outputs);
}

/* Frees the strings of a "sync" block, not s. */
static void sync_free(struct layout_sync *s)
{
    free(s->broker);
    free(s->host);
    free(s->wall);
    free(s->username_file);
    free(s->password_file);
    free(s->tls_files.ca_file);
    free(s->tls_files.cert_file);
    free(s->tls_files.key_file);
}

void layout_destroy(struct layout *layout)
{
    int i;
    if (!layout)
        return;
    for (i = 0; layout->feeds && i < layout->n_feeds; i++)
        layout__feed_free(&layout->feeds[i]);
    free(layout->feeds);
    for (i = 0; layout->views && i < layout->n_views; i++) {
        outputs_free(layout->views[i].outputs, layout->views[i].n_outputs);
        free(layout->views[i].name);
    }
    if (!layout->views) /* hand-built: outputs is not an alias */
        outputs_free(layout->outputs, layout->n_outputs);
    free(layout->views);
    free(layout->tour_views);
    free(layout->basemap);
    free(layout->timezone);
    free(layout->registry);
    for (i = 0; i < layout->callup.n_kinds; i++)
        free(layout->callup.kinds[i].kind);
    free(layout->callup.kinds);
    sync_free(&layout->sync);
    free(layout);
}

const struct layout_callup_rule *layout_callup_rule(const struct layout *layout,
                                                    const char *kind)
{
    for (int i = 0; kind && i < layout->callup.n_kinds; i++)
        if (strcmp(layout->callup.kinds[i].kind, kind) == 0)
            return &layout->callup.kinds[i].rule;
    return &layout->callup.rule;
}

int layout_find_feed(const struct layout *layout, const char *id)
{
    int i;
    if (!layout || !id)
        return -1;
    for (i = 0; i < layout->n_feeds; i++) {
        if (layout->feeds[i].id && strcmp(layout->feeds[i].id, id) == 0)
            return i;
    }
    return -1;
}

int layout_find_view(const struct layout *layout, const char *name)
{
    int i;
    if (!layout || !name)
        return -1;
    for (i = 0; layout->views && i < layout->n_views; i++) {
        if (layout->views[i].name && strcmp(layout->views[i].name, name) == 0)
            return i;
    }
    return -1;
}

/* True when tile t shows feed, itself or in its tour. */
static bool tile_shows(const struct layout_tile *t, int feed)
{
    int i;
    if (t->feed == feed)
        return true;
    for (i = 0; t->tour && i < t->n_tour; i++) {
        if (t->tour[i] == feed)
            return true;
    }
    return false;
}

bool layout_feed_shown(const struct layout *layout, int view, int feed)
{
    const struct layout_view *v;
    int i, j;

    if (!layout || !layout->views || view < 0 || view >= layout->n_views ||
        feed < 0 || feed >= layout->n_feeds)
        return false;
    v = &layout->views[view];
    for (i = 0; v->outputs && i < v->n_outputs; i++) {
        for (j = 0; v->outputs[i].tiles && j < v->outputs[i].n_tiles; j++) {
            if (tile_shows(&v->outputs[i].tiles[j], feed))
                return true;
        }
    }
    return false;
}

/* ---- diagnostics ---- */

int layout__diag_add(struct layout_diags *diags, int line, int col,
                     enum layout_severity severity, const char *fmt, ...)
{
    va_list ap;
    char *msg;
    int len;

    if (diags->n == diags->cap) {
        int cap = diags->cap ? diags->cap * 2 : 16;
        struct layout_diag *items;
        if (diags->cap > (1 << 24))
            return -ENOMEM;
        items = realloc(diags->items, (size_t)cap * sizeof *items);
        if (!items)
            return -ENOMEM;
        diags->items = items;
        diags->cap = cap;
    }
    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    msg = len < 0 ? NULL : malloc((size_t)len + 1);
    if (!msg)
        return -ENOMEM;
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)len + 1, fmt, ap);
    va_end(ap);
    diags->items[diags->n].line = line;
    diags->items[diags->n].col = col;
    diags->items[diags->n].severity = severity;
    diags->items[diags->n].message = msg;
    diags->n++;
    return 0;
}

/* A diagnostic with the index it was added at, so the sort is stable. */
struct ranked_diag {
    struct layout_diag d;
    int rank;
};

static int ranked_cmp(const void *pa, const void *pb)
{
    const struct ranked_diag *a = pa, *b = pb;
    if (a->d.line != b->d.line)
        return a->d.line < b->d.line ? -1 : 1;
    if (a->d.col != b->d.col)
        return a->d.col < b->d.col ? -1 : 1;
    return a->rank < b->rank ? -1 : a->rank > b->rank;
}

int layout__diags_sort(struct layout_diags *diags, int from)
{
    int i, n = diags->n - from;
    struct ranked_diag *r;

    if (from < 0 || n < 2)
        return 0;
    r = malloc((size_t)n * sizeof *r);
    if (!r)
        return -ENOMEM;
    for (i = 0; i < n; i++) {
        r[i].d = diags->items[from + i];
        r[i].rank = i;
    }
    qsort(r, (size_t)n, sizeof *r, ranked_cmp);
    for (i = 0; i < n; i++)
        diags->items[from + i] = r[i].d;
    free(r);
    return 0;
}

int layout_diags_count(const struct layout_diags *diags,
                       enum layout_severity severity)
{
    int i, count = 0;
    for (i = 0; diags && i < diags->n; i++)
        count += diags->items[i].severity == severity;
    return count;
}

void layout_diags_print(const struct layout_diags *diags, const char *file,
                        FILE *f)
{
    int i;
    for (i = 0; diags && i < diags->n; i++) {
        const struct layout_diag *d = &diags->items[i];
        fprintf(f, "%s:%d:%d: %s: %s\n", file ? file : "<layout>", d->line,
                d->col, d->severity == LAYOUT_WARNING ? "warning" : "error",
                d->message);
    }
}

void layout_diags_clear(struct layout_diags *diags)
{
    int i;
    if (!diags)
        return;
    for (i = 0; i < diags->n; i++)
        free(diags->items[i].message);
    free(diags->items);
    diags->items = NULL;
    diags->n = 0;
    diags->cap = 0;
}
