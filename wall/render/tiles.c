/*
 * tiles.c - one camera tile: picture (or placeholder), status banner, label,
 * selection outline.  Text sizes follow the tile's height so labels stay
 * legible on 4x4 grids and do not shout on a maximised tile.
 */
#include "render/render_internal.h"

static const struct render_color tile_bg = {0.08f, 0.08f, 0.10f, 1.0f};
static const struct render_color white = {1, 1, 1, 1};
static const struct render_color amber = {1.0f, 0.78f, 0.2f, 1};
static const struct render_color red = {1.0f, 0.35f, 0.3f, 1};

/* Text height for a tile: about 1/16 of its height, 12..32 px. */
static int label_px(struct layout_rect rect)
{
    int px = rect.h / 16;
    return px < 12 ? 12 : px > 32 ? 32 : px;
}

static void outline(struct renderer *r, struct layout_rect t, int w,
                    struct render_color c)
{
    render_rect(r, (struct layout_rect){t.x, t.y, t.w, w}, c);
    render_rect(r, (struct layout_rect){t.x, t.y + t.h - w, t.w, w}, c);
    render_rect(r, (struct layout_rect){t.x, t.y, w, t.h}, c);
    render_rect(r, (struct layout_rect){t.x + t.w - w, t.y, w, t.h}, c);
}

/* Fills what the picture at p leaves of tile t (the bars of a contained
 * picture) with the tile background: never the whole tile, so that with a
 * software rasteriser no pixel is filled twice. */
static void bars(struct renderer *r, struct layout_rect t, struct layout_rect p)
{
    struct layout_rect parts[4] = {
        {t.x, t.y, t.w, p.y - t.y},                         /* above */
        {t.x, p.y + p.h, t.w, t.y + t.h - (p.y + p.h)},     /* below */
        {t.x, p.y, p.x - t.x, p.h},                         /* left */
        {p.x + p.w, p.y, t.x + t.w - (p.x + p.w), p.h},     /* right */
    };
    for (int i = 0; i < 4; i++)
        if (parts[i].w > 0 && parts[i].h > 0)
            render_rect(r, parts[i], tile_bg);
}

enum render_drawn render_tile_picture(struct renderer *r, const struct render_tile_info *t)
{
    if (t->rect.w <= 0 || t->rect.h <= 0)
        return RENDER_DRAWN_NONE;
    bool picture = render_video_ready(t->video) &&
                   (t->unmasked || render_video_mask_state(t->video) >= 0);
    if (!picture) {
        render_rect(r, t->rect, tile_bg);
    } else if (t->fit == LAYOUT_FIT_CONTAIN) {
        int w, h;
        double sar;
        struct layout_rect p;
        float uv[4];
        render_video_size(t->video, &w, &h, &sar);
        layout_fit_rect(t->fit, t->rect, w, h, sar, &p, uv);
        bars(r, t->rect, p);
    }
    enum render_drawn drawn = RENDER_DRAWN_NONE;
    if (picture)
        drawn = render_video_draw(r, t->video, t->rect, t->fit, t->dim ? 0.45f : 1.0f,
                                  !t->unmasked);
    return drawn;
}

void render_tile_overlay(struct renderer *r, const struct render_tile_info *t)
{
    if (t->rect.w <= 0 || t->rect.h <= 0)
        return;
    int px = label_px(t->rect);
    if (t->status)
        render_text(r, t->status, px, t->rect, RENDER_ALIGN_CENTER,
                    t->alert ? red : amber, true);
    if (t->label && *t->label)
        render_text(r, t->label, px, t->rect, RENDER_ALIGN_BOTTOM_LEFT, white, true);
    if (t->highlight && *t->highlight) {
        outline(r, t->rect, 4, red);
        render_text(r, t->highlight, px, t->rect, RENDER_ALIGN_TOP_LEFT, red, true);
    }
    if (t->selected)
        outline(r, t->rect, 3, (struct render_color){0.2f, 0.6f, 1.0f, 1});
}
