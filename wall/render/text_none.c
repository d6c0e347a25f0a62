/*
 * text_none.c - text in TESSERA_HEADLESS_ONLY builds, which have neither
 * SDL2_ttf nor fontconfig: nothing is rasterised, so labels, status banners
 * and the HUD are not drawn (tiles, pictures and rectangles are):
 * render_text() draws nothing, and the cache the renderer keeps is empty.
 * It says once why text is missing.
 */
#include <stdlib.h>

#include "base/log.h"
#include "render/render_internal.h"

struct render_text_cache {
    const struct tlog *log;
};

struct render_text_cache *render__text_create(const struct tlog *log)
{
    struct render_text_cache *tc = calloc(1, sizeof(*tc));
    if (!tc)
        return NULL;
    tc->log = log;
    tlog_info(log, "headless-only build: no text (labels, status banners, HUD) is drawn");
    return tc;
}

void render__text_destroy(struct render_text_cache *tc)
{
    free(tc);
}

void render__text_sweep(struct render_text_cache *tc, uint64_t frame)
{
    (void)tc;
    (void)frame;
}

const struct render_text_entry *render__text_get(struct render_text_cache *tc,
                                                 const char *text, int px,
                                                 uint64_t frame)
{
    (void)tc;
    (void)text;
    (void)px;
    (void)frame;
    return NULL;
}

void render_text(struct renderer *r, const char *text, int px,
                 struct layout_rect rect, enum render_align align,
                 struct render_color color, bool boxed)
{
    (void)r, (void)text, (void)px, (void)rect, (void)align, (void)color, (void)boxed;
}
