/*
 * fuzz_layout.c - libFuzzer entry for layout_parse(): any bytes must give
 * either a layout or errors, never a crash, a leak or undefined behaviour.
 * Besides the sanitizers it checks what callers rely on: the result code
 * agrees with the diagnostics, positions are real and sorted, messages fit
 * one line, the scanner and cJSON agree (no "internal error", no -ENOMEM
 * with memory to spare), and the geometry of an accepted layout stays inside
 * its output.  A broken rule aborts (a finding).
 */
#include "layout/layout.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EXPECT(cond)                                                           \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_layout: %s:%d: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
            abort();                                                           \
        }                                                                      \
    } while (0)

static int count_lines(const uint8_t *data, size_t size)
{
    int lines = 1;
    size_t i;
    for (i = 0; i < size; i++)
        lines += data[i] == '\n' || (data[i] == '\r' &&
                                     (i + 1 == size || data[i + 1] != '\n'));
    return lines;
}

static void check_diags(const struct layout_diags *d, int rc, int lines)
{
    int i, errors = layout_diags_count(d, LAYOUT_ERROR);
    char *out = NULL;
    size_t out_len = 0;
    FILE *f;

    EXPECT(rc == 0 || rc == -EINVAL); /* -ENOMEM: cJSON refused the text */
    EXPECT(rc != 0 || errors == 0);
    EXPECT(rc != -EINVAL || errors > 0);
    for (i = 0; i < d->n; i++) {
        const struct layout_diag *g = &d->items[i];
        EXPECT(g->line >= 1 && g->line <= lines && g->col >= 1);
        EXPECT(g->message && g->message[0] && !strchr(g->message, '\n'));
        EXPECT(strncmp(g->message, "internal error:", 15) != 0);
        if (i > 0)
            EXPECT(g->line > g[-1].line ||
                   (g->line == g[-1].line && g->col >= g[-1].col));
    }
    f = open_memstream(&out, &out_len);
    if (f) {
        layout_diags_print(d, "fuzz.json", f);
        fclose(f);
    }
    free(out);
}

/* An output may leave "size" out when "display" names its monitor: it gets
 * the monitor's size at run time (out_resolve_sizes).  The geometry checks
 * give such an output a monitor of 1920x1080. */
static struct layout_output sized(const struct layout_output *o)
{
    struct layout_output s = *o;
    EXPECT((o->width > 0 && o->height > 0) ||
           (o->width == 0 && o->height == 0 && (o->display_index >= 0 || o->display_name)));
    if (!s.width) {
        s.width = 1920;
        s.height = 1080;
    }
    return s;
}

static void check_output(const struct layout *lay,
                         const struct layout_output *given, unsigned seed)
{
    int i;
    struct layout_output out = sized(given);
    const struct layout_output *o = &out;
    EXPECT(o->name && o->grid_cols > 0 && o->grid_rows > 0);
    for (i = 0; i < o->n_tiles; i++) {
        const struct layout_tile *t = &o->tiles[i];
        struct layout_rect r = layout_tile_rect(o, t), dst;
        float uv[4];
        EXPECT(t->feed >= 0 && t->feed < lay->n_feeds);
        EXPECT(r.x >= 0 && r.y >= 0 && r.w >= 1 && r.h >= 1);
        EXPECT(r.x + r.w <= o->width && r.y + r.h <= o->height);
        EXPECT(layout_tile_at(o, r.x, r.y) == i);
        EXPECT(layout_tile_at(o, r.x + r.w - 1, r.y + r.h - 1) == i);
        layout_fit_rect(t->fit, r, (int)(seed % 4000), (int)(seed / 4000 % 3000),
                        (double)(seed % 7) / 3.0, &dst, uv);
        EXPECT(dst.x >= r.x && dst.y >= r.y && dst.w >= 1 && dst.h >= 1);
        EXPECT(dst.x + dst.w <= r.x + r.w && dst.y + dst.h <= r.y + r.h);
        EXPECT(uv[0] >= 0 && uv[0] <= uv[2] && uv[2] <= 1);
        EXPECT(uv[1] >= 0 && uv[1] <= uv[3] && uv[3] <= 1);
    }
}

static void check_layout(const struct layout *lay, unsigned seed)
{
    int i;
    EXPECT(lay->n_outputs >= 1);
    for (i = 0; i < lay->n_feeds; i++) {
        EXPECT(lay->feeds[i].id && lay->feeds[i].label);
        EXPECT((lay->feeds[i].url != NULL) != (lay->feeds[i].camera != NULL));
        EXPECT(layout_find_feed(lay, lay->feeds[i].id) == i);
    }
    for (i = 0; i < lay->n_outputs; i++)
        check_output(lay, &lay->outputs[i], seed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct layout_diags diags = {0};
    struct layout *lay = NULL;
    unsigned seed = 0;
    size_t i;
    int rc = layout_parse((const char *)data, size, &lay, &diags);

    for (i = 0; i < size && i < 16; i++)
        seed = seed * 31 + data[i];
    EXPECT((rc == 0) == (lay != NULL));
    check_diags(&diags, rc, count_lines(data, size));
    if (lay)
        check_layout(lay, seed);
    layout_destroy(lay);
    layout_diags_clear(&diags);
    return 0;
}
