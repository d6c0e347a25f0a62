/*
 * text.c - text through SDL2_ttf with a font that fontconfig picks: each
 * distinct (string, size) is rendered once into a texture and kept while it
 * is drawn; entries not drawn for a while are freed by render_end().
 */
#include <stdlib.h>
#include <string.h>

#include <SDL2/SDL_ttf.h>
#include <fontconfig/fontconfig.h>

#include "base/log.h"
#include "render/render_internal.h"

#define TEXT_CACHE_MAX 1024
#define TEXT_KEEP_FRAMES 240
#define FONT_SIZES 8

struct text_slot {
    struct render_text_entry e;
    char *text;          /* NULL: free slot */
    uint32_t hash;
    int px;
    uint64_t last_used;
};

struct render_text_cache {
    const struct tlog *log;
    char *font_path;
    TTF_Font *fonts[FONT_SIZES];
    int font_px[FONT_SIZES];
    struct text_slot slots[TEXT_CACHE_MAX];
};

/* Asks fontconfig for a bold sans-serif font file; NULL if none. */
static char *find_font(void)
{
    FcPattern *pat = FcNameParse((const FcChar8 *)"sans-serif:weight=bold");
    char *path = NULL;
    if (!pat)
        return NULL;
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *match = FcFontMatch(NULL, pat, &res);
    FcChar8 *file = NULL;
    if (match && FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch)
        path = strdup((const char *)file);
    if (match)
        FcPatternDestroy(match);
    FcPatternDestroy(pat);
    return path;
}

struct render_text_cache *render__text_create(const struct tlog *log)
{
    struct render_text_cache *tc = calloc(1, sizeof(*tc));
    if (!tc)
        return NULL;
    tc->log = log;
    if (TTF_Init() < 0) {
        tlog_err(log, "SDL_ttf: %s", TTF_GetError());
        free(tc);
        return NULL;
    }
    tc->font_path = find_font();
    if (!tc->font_path) {
        tlog_err(log, "fontconfig found no sans-serif font (install fonts-dejavu-core)");
        render__text_destroy(tc);
        return NULL;
    }
    tlog_debug(log, "font: %s", tc->font_path);
    return tc;
}

void render__text_destroy(struct render_text_cache *tc)
{
    if (!tc)
        return;
    for (int i = 0; i < TEXT_CACHE_MAX; i++) {
        if (tc->slots[i].text) {
            glDeleteTextures(1, &tc->slots[i].e.tex);
            free(tc->slots[i].text);
        }
    }
    for (int i = 0; i < FONT_SIZES; i++)
        if (tc->fonts[i])
            TTF_CloseFont(tc->fonts[i]);
    free(tc->font_path);
    free(tc);
    TTF_Quit();
}

/* The font at px, opened on first use (a few sizes are kept open). */
static TTF_Font *font_at(struct render_text_cache *tc, int px)
{
    for (int i = 0; i < FONT_SIZES; i++)
        if (tc->fonts[i] && tc->font_px[i] == px)
            return tc->fonts[i];
    for (int i = 0; i < FONT_SIZES; i++) {
        if (!tc->fonts[i]) {
            tc->fonts[i] = TTF_OpenFont(tc->font_path, px);
            tc->font_px[i] = px;
            if (!tc->fonts[i])
                tlog_err(tc->log, "cannot open %s: %s", tc->font_path, TTF_GetError());
            return tc->fonts[i];
        }
    }
    return tc->fonts[FONT_SIZES - 1]; /* all sizes taken: close enough */
}

static uint32_t hash_text(const char *s, int px)
{
    uint32_t h = 2166136261u ^ (uint32_t)px;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* Renders text into a new RGBA texture in slot; returns 0 or -1. */
static int rasterise(struct render_text_cache *tc, struct text_slot *slot,
                     const char *text, int px)
{
    TTF_Font *font = font_at(tc, px);
    if (!font)
        return -1;
    SDL_Color white = {255, 255, 255, 255};
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, text, white);
    SDL_Surface *rgba = s ? SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ABGR8888, 0) : NULL;
    SDL_FreeSurface(s);
    if (!rgba)
        return -1;
    glGenTextures(1, &slot->e.tex);
    glBindTexture(GL_TEXTURE_2D, slot->e.tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, rgba->pitch / 4);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, rgba->w, rgba->h, 0, GL_RGBA,
                 GL_UNSIGNED_BYTE, rgba->pixels);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    slot->e.w = rgba->w;
    slot->e.h = rgba->h;
    SDL_FreeSurface(rgba);
    return 0;
}

const struct render_text_entry *render__text_get(struct render_text_cache *tc,
                                                 const char *text, int px,
                                                 uint64_t frame)
{
    uint32_t h = hash_text(text, px);
    struct text_slot *free_slot = NULL, *oldest = NULL;
    for (int i = 0; i < TEXT_CACHE_MAX; i++) {
        struct text_slot *s = &tc->slots[i];
        if (!s->text) {
            if (!free_slot)
                free_slot = s;
            continue;
        }
        if (s->hash == h && s->px == px && strcmp(s->text, text) == 0) {
            s->last_used = frame;
            return &s->e;
        }
        if (!oldest || s->last_used < oldest->last_used)
            oldest = s;
    }
    struct text_slot *slot = free_slot ? free_slot : oldest;
    if (slot->text) {
        glDeleteTextures(1, &slot->e.tex);
        free(slot->text);
        slot->text = NULL;
    }
    if (!*text || rasterise(tc, slot, text, px) < 0)
        return NULL;
    slot->text = strdup(text);
    if (!slot->text) {
        glDeleteTextures(1, &slot->e.tex);
        return NULL;
    }
    slot->hash = h;
    slot->px = px;
    slot->last_used = frame;
    return &slot->e;
}

void render__text_sweep(struct render_text_cache *tc, uint64_t frame)
{
    for (int i = 0; i < TEXT_CACHE_MAX; i++) {
        struct text_slot *s = &tc->slots[i];
        if (s->text && frame - s->last_used > TEXT_KEEP_FRAMES) {
            glDeleteTextures(1, &s->e.tex);
            free(s->text);
            s->text = NULL;
        }
    }
}

/* Position of a w x h box inside rect for the given alignment. */
static struct layout_rect place(struct layout_rect rect, int w, int h,
                                enum render_align align)
{
    int pad = h / 5 + 2;
    struct layout_rect b = {rect.x + pad, rect.y + rect.h - h - pad, w, h};
    if (align == RENDER_ALIGN_CENTER) {
        b.x = rect.x + (rect.w - w) / 2;
        b.y = rect.y + (rect.h - h) / 2;
    } else if (align == RENDER_ALIGN_TOP_LEFT) {
        b.y = rect.y + pad;
    } else if (align == RENDER_ALIGN_TOP_RIGHT) {
        b.x = rect.x + rect.w - w - pad;
        b.y = rect.y + pad;
    }
    return b;
}

void render_text(struct renderer *r, const char *text, int px,
                 struct layout_rect rect, enum render_align align,
                 struct render_color color, bool boxed)
{
    const struct render_text_entry *e = render__text_get(r->texts, text, px, r->frame);
    if (!e)
        return;
    int w = e->w < rect.w - 8 ? e->w : rect.w - 8;
    if (w <= 0)
        return;
    struct layout_rect b = place(rect, w, e->h, align);
    render__scissor(rect);
    if (boxed) {
        struct layout_rect box = {b.x - 6, b.y - 2, w + 12, e->h + 4};
        render_rect(r, box, (struct render_color){0, 0, 0, 0.6f});
    }
    float uv[4] = {0, 0, (float)w / (float)e->w, 1};
    glEnable(GL_BLEND);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, e->tex);
    glUseProgram(r->text.id);
    glUniform4f(r->text.color, color.r, color.g, color.b, color.a);
    render__quad(r, &r->text, b, uv);
    glDisable(GL_BLEND);
    glDisable(GL_SCISSOR_TEST);
}
