/*
 * mapbase.c - a map panel's base layer (its background and basemap tiles,
 * or the graticule) kept in a texture of the panel's size.  Redrawing a
 * panel for a moved unit or a new incident then copies that layer (one
 * blit) instead of drawing every tile again: without a GPU, a large map is
 * the costliest thing a wall draws (a 4096x3200 panel: ~60 ms of tiles
 * against ~5 ms for the copy here).  map.c draws tiles into a layer as they
 * come in, each once; a new view or size takes a new layer.
 */
#include <stdlib.h>
#include <string.h>

#include "render/render_internal.h"

struct render_map_base *render__map_base_find(struct renderer *r,
                                              const struct render_map_base_key *key)
{
    for (int i = 0; i < RENDER_MAP_BASES; i++) {
        struct render_map_base *b = &r->map_bases[i];
        if (b->target && memcmp(&b->key, key, sizeof(*key)) == 0) {
            b->last_use = ++r->map_base_uses;
            return b;
        }
    }
    return NULL;
}

/* The slot a new layer takes: a free one, else the least recently used
 * (whose texture is kept when it has the same size).  With more map panels
 * than slots, layers take turns: correct, only no cheaper than drawing. */
static struct render_map_base *pick_slot(struct renderer *r)
{
    struct render_map_base *lru = &r->map_bases[0];
    for (int i = 0; i < RENDER_MAP_BASES; i++) {
        struct render_map_base *b = &r->map_bases[i];
        if (!b->target)
            return b;
        if (b->last_use < lru->last_use)
            lru = b;
    }
    return lru;
}

struct render_map_base *render__map_base_claim(struct renderer *r,
                                               const struct render_map_base_key *key,
                                               int cells)
{
    struct render_map_base *b = pick_slot(r);
    if (b->target && (b->key.w != key->w || b->key.h != key->h)) {
        render_target_destroy(b->target);
        b->target = NULL;
    }
    if (cells > b->cells) {
        unsigned char *drawn = realloc(b->drawn, (size_t)cells);
        if (!drawn)
            return NULL;
        b->drawn = drawn;
        b->cells = cells;
    }
    if (!b->target && !(b->target = render_target_create(key->w, key->h)))
        return NULL;
    memset(b->drawn, 0, (size_t)b->cells);
    b->key = *key;
    b->last_use = ++r->map_base_uses;
    b->found = 0;
    b->complete = false;
    return b;
}

void render__map_base_bind(struct renderer *r, const struct render_map_base *b)
{
    glBindFramebuffer(GL_FRAMEBUFFER, b->target->fbo);
    glViewport(0, 0, b->key.w, b->key.h);
    glDisable(GL_SCISSOR_TEST);
    r->width = b->key.w;
    r->height = b->key.h;
}

void render__map_base_done(struct renderer *r)
{
    const struct render_target *t = r->target;
    glBindFramebuffer(GL_FRAMEBUFFER, t->fbo);
    glViewport(0, 0, t->width, t->height);
    r->width = t->width;
    r->height = t->height;
}

void render__map_base_blit(struct renderer *r, const struct render_map_base *b,
                           struct layout_rect rect)
{
    glDisable(GL_SCISSOR_TEST);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, b->target->fbo);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, r->target->fbo);
    /* both targets hold their top row first: a straight copy */
    glBlitFramebuffer(0, 0, b->key.w, b->key.h, rect.x, rect.y, rect.x + b->key.w,
                      rect.y + b->key.h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, r->target->fbo);
}

void render__map_bases_destroy(struct renderer *r)
{
    for (int i = 0; i < RENDER_MAP_BASES; i++) {
        render_target_destroy(r->map_bases[i].target);
        free(r->map_bases[i].drawn);
        r->map_bases[i] = (struct render_map_base){0};
    }
}
