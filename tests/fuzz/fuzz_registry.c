/*
 * fuzz_registry.c - libFuzzer entry for reg_parse() and reg_rank(): any
 * bytes must give either a registry or errors, never a crash, a leak or
 * undefined behaviour.  Besides the sanitizers it checks what callers rely
 * on: the result code agrees with the diagnostics, positions are real and
 * sorted, every camera is found by its id, and a ranking around each camera
 * returns each camera at most once, in its groups' order, nearest first.
 */
#include "registry/registry.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EXPECT(cond)                                                           \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_registry: %s:%d: %s\n", __FILE__, __LINE__, \
                    #cond);                                                    \
            abort();                                                           \
        }                                                                      \
    } while (0)

static int count_lines(const uint8_t *data, size_t size)
{
    int lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n' || (data[i] == '\r' &&
                                     (i + 1 == size || data[i + 1] != '\n'));
    return lines;
}

static void check_diags(const struct layout_diags *d, int rc, int lines)
{
    int errors = layout_diags_count(d, LAYOUT_ERROR);
    EXPECT(rc == 0 || rc == -EINVAL);
    EXPECT(rc != 0 || errors == 0);
    EXPECT(rc != -EINVAL || errors > 0);
    for (int i = 0; i < d->n; i++) {
        const struct layout_diag *g = &d->items[i];
        EXPECT(g->line >= 1 && g->line <= lines && g->col >= 1);
        EXPECT(g->message && g->message[0] && !strchr(g->message, '\n'));
        EXPECT(strncmp(g->message, "internal error", 14) != 0);
        if (i > 0)
            EXPECT(g->line > g[-1].line || (g->line == g[-1].line && g->col >= g[-1].col));
    }
}

static void check_rank(const struct registry *reg, const struct reg_camera *at)
{
    struct reg_pick picks[64];
    const char *links[1] = {at->n_linked ? at->linked[0] : "x"};
    struct reg_query q = {at->lat, at->lon, links, 1, 300, NULL, NULL};
    int n = reg_rank(reg, &q, picks, 64);
    EXPECT(n >= 0 && n <= 64);
    for (int i = 0; i < n; i++) {
        EXPECT(reg_camera_at(reg, picks[i].camera) != NULL);
        EXPECT(picks[i].distance_m >= 0 && picks[i].bearing_deg >= 0 &&
               picks[i].bearing_deg < 360);
        for (int j = 0; j < i; j++)
            EXPECT(picks[j].camera != picks[i].camera);
        if (i > 0)
            EXPECT(picks[i - 1].why < picks[i].why ||
                   (picks[i - 1].why == picks[i].why &&
                    picks[i - 1].distance_m <= picks[i].distance_m));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct layout_diags diags = {0};
    struct registry *reg = NULL;
    int rc = reg_parse((const char *)data, size, NULL, &reg, &diags);

    EXPECT((rc == 0) == (reg != NULL));
    check_diags(&diags, rc, count_lines(data, size));
    for (int i = 0; i < reg_count(reg); i++) {
        const struct reg_camera *c = reg_camera_at(reg, i);
        EXPECT(c->id && c->url && c->label && reg_find(reg, c->id) == i);
        EXPECT(fabs(c->lat) <= 90 && fabs(c->lon) <= 180);
        if (i < 8)
            check_rank(reg, c);
    }
    reg_destroy(reg);
    layout_diags_clear(&diags);
    return 0;
}
