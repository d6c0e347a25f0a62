/*
 * map.c - map and list panels: Web Mercator basemap tiles from a local XYZ
 * directory (decoded with FFmpeg's PNG decoder, kept in a small cache), a
 * graticule when there are none, markers drawn by marker.frag, and text
 * through the same font path as tile labels.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "base/geo.h"
#include "base/log.h"
#include "render/render_internal.h"

#define BASEMAP_SLOTS 96
#define MARKER_PX 18

struct basemap_tile {
    int z, x, y;          /* valid when used */
    bool used, missing;   /* missing: no file (do not try again) */
    GLuint tex;
    uint64_t last_frame;
};

struct render_basemap {
    char dir[512];
    struct basemap_tile tiles[BASEMAP_SLOTS];
};

void render__basemap_destroy(struct render_basemap *bm)
{
    if (!bm)
        return;
    for (int i = 0; i < BASEMAP_SLOTS; i++)
        if (bm->tiles[i].tex)
            glDeleteTextures(1, &bm->tiles[i].tex);
    free(bm);
}

/* Decodes the first picture of an image file into RGBA; NULL on failure. */
static AVFrame *decode_image(const char *path)
{
    AVFormatContext *fmt = NULL;
    AVCodecContext *ctx = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *pic = av_frame_alloc(), *rgba = NULL;
    if (!pkt || !pic || avformat_open_input(&fmt, path, NULL, NULL) < 0 ||
        avformat_find_stream_info(fmt, NULL) < 0 || fmt->nb_streams < 1)
        goto done;
    const AVCodec *codec = avcodec_find_decoder(fmt->streams[0]->codecpar->codec_id);
    if (!codec || !(ctx = avcodec_alloc_context3(codec)) ||
        avcodec_parameters_to_context(ctx, fmt->streams[0]->codecpar) < 0 ||
        avcodec_open2(ctx, codec, NULL) < 0 || av_read_frame(fmt, pkt) < 0 ||
        avcodec_send_packet(ctx, pkt) < 0 || avcodec_receive_frame(ctx, pic) < 0)
        goto done;
    struct SwsContext *sws = sws_getContext(pic->width, pic->height, pic->format,
                                            pic->width, pic->height, AV_PIX_FMT_RGBA,
                                            SWS_POINT, NULL, NULL, NULL);
    rgba = av_frame_alloc();
    if (sws && rgba) {
        rgba->format = AV_PIX_FMT_RGBA;
        rgba->width = pic->width;
        rgba->height = pic->height;
        if (av_frame_get_buffer(rgba, 0) == 0)
            sws_scale(sws, (const uint8_t *const *)pic->data, pic->linesize, 0,
                      pic->height, rgba->data, rgba->linesize);
        else
            av_frame_free(&rgba);
    }
    sws_freeContext(sws);
done:
    avcodec_free_context(&ctx);
    avformat_close_input(&fmt);
    av_packet_free(&pkt);
    av_frame_free(&pic);
    return rgba;
}

/* Finds or loads tile z/x/y of dir; returns its texture or 0 if missing. */
static GLuint basemap_tile(struct renderer *r, const char *dir, int z, int x, int y)
{
    struct render_basemap *bm = r->basemap;
    if (!bm || strcmp(bm->dir, dir) != 0) {
        render__basemap_destroy(bm);
        if (!(bm = r->basemap = calloc(1, sizeof(*bm))))
            return 0;
        snprintf(bm->dir, sizeof(bm->dir), "%s", dir);
    }
    struct basemap_tile *slot = &bm->tiles[0];
    for (int i = 0; i < BASEMAP_SLOTS; i++) {
        struct basemap_tile *t = &bm->tiles[i];
        if (t->used && t->z == z && t->x == x && t->y == y) {
            t->last_frame = r->frame;
            return t->tex;
        }
        if (!t->used || t->last_frame < slot->last_frame)
            slot = t;
    }
    if (slot->tex)
        glDeleteTextures(1, &slot->tex);
    *slot = (struct basemap_tile){.z = z, .x = x, .y = y, .used = true,
                                  .last_frame = r->frame};
    char path[1024];
    snprintf(path, sizeof(path), "%s/%d/%d/%d.png", dir, z, x, y);
    AVFrame *img = decode_image(path);
    if (!img) {
        slot->missing = true;
        return 0;
    }
    glGenTextures(1, &slot->tex);
    glBindTexture(GL_TEXTURE_2D, slot->tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, img->linesize[0] / 4);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, img->width, img->height, 0, GL_RGBA,
                 GL_UNSIGNED_BYTE, img->data[0]);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    av_frame_free(&img);
    return slot->tex;
}

/* Draws an RGBA texture into rect (no tint). */
static void draw_texture(struct renderer *r, GLuint tex, struct layout_rect rect)
{
    static const float full[4] = {0, 0, 1, 1};
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, tex);
    glUseProgram(r->text.id);
    glUniform4f(r->text.color, 1, 1, 1, 1);
    render__quad(r, &r->text, rect, full); /* text.frag multiplies alpha only */
}

/* The panel's top-left corner in world pixels at the panel's zoom. */
static void view_origin(const struct render_map_info *m, double *ox, double *oy)
{
    double cx, cy;
    geo_project(m->center_lat, m->center_lon, m->zoom, &cx, &cy);
    *ox = cx - m->rect.w / 2.0;
    *oy = cy - m->rect.h / 2.0;
}

/* Draws the basemap tiles covering the panel; returns how many were found. */
static int draw_basemap(struct renderer *r, const struct render_map_info *m,
                        double ox, double oy)
{
    int found = 0, n = 1 << m->zoom;
    int x0 = (int)floor(ox / GEO_TILE_PX), y0 = (int)floor(oy / GEO_TILE_PX);
    int x1 = (int)floor((ox + m->rect.w) / GEO_TILE_PX);
    int y1 = (int)floor((oy + m->rect.h) / GEO_TILE_PX);
    for (int ty = y0 > 0 ? y0 : 0; ty <= y1 && ty < n; ty++) {
        for (int tx = x0; tx <= x1; tx++) {
            GLuint tex = basemap_tile(r, m->basemap_dir, m->zoom, ((tx % n) + n) % n, ty);
            if (!tex)
                continue;
            struct layout_rect dst = {m->rect.x + (int)lround(tx * GEO_TILE_PX - ox),
                                      m->rect.y + (int)lround(ty * GEO_TILE_PX - oy),
                                      GEO_TILE_PX, GEO_TILE_PX};
            draw_texture(r, tex, dst);
            found++;
        }
    }
    return found;
}

/* Grid spacing in degrees giving lines roughly every 100-200 pixels. */
static double graticule_step(int zoom)
{
    static const double steps[] = {30, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02,
                                   0.01, 0.005, 0.002, 0.001, 0.0005, 0.0002};
    double deg_px = GEO_TILE_PX * ldexp(1.0, zoom) / 360.0; /* pixels a degree */
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (steps[i] * deg_px < 200)
            return steps[i];
    return 0.0001;
}

static void draw_graticule(struct renderer *r, const struct render_map_info *m,
                           double ox, double oy)
{
    const struct render_color line = {0.3f, 0.4f, 0.5f, 0.5f};
    double step = graticule_step(m->zoom), lat0, lon0, lat1, lon1;
    geo_unproject(ox, oy, m->zoom, &lat0, &lon0);
    geo_unproject(ox + m->rect.w, oy + m->rect.h, m->zoom, &lat1, &lon1);
    for (double lon = ceil(lon0 / step) * step; lon <= lon1; lon += step) {
        double x, y;
        geo_project(0, lon, m->zoom, &x, &y);
        render_rect(r, (struct layout_rect){m->rect.x + (int)lround(x - ox), m->rect.y, 1,
                                            m->rect.h}, line);
    }
    for (double lat = floor(lat0 / step) * step; lat >= lat1; lat -= step) {
        double x, y;
        geo_project(lat, 0, m->zoom, &x, &y);
        render_rect(r, (struct layout_rect){m->rect.x, m->rect.y + (int)lround(y - oy),
                                            m->rect.w, 1}, line);
    }
}

static void draw_marker(struct renderer *r, const struct render_marker *mk,
                        int px, int py)
{
    static const float full[4] = {0, 0, 1, 1};
    int size = mk->kind == RENDER_MARKER_CAMERA ? MARKER_PX - 6 : MARKER_PX;
    struct layout_rect q = {px - size / 2, py - size / 2, size, size};
    struct render_color c = mk->color;
    if (mk->faded)
        c.a *= 0.4f;
    glEnable(GL_BLEND);
    glUseProgram(r->marker.id);
    glUniform4f(r->marker.color, c.r, c.g, c.b, c.a);
    glUniform1i(r->marker.shape, mk->kind == RENDER_MARKER_UNIT ? 1
                                 : mk->kind == RENDER_MARKER_CAMERA ? 2 : 0);
    glUniform1f(r->marker.heading, mk->heading_deg * (float)M_PI / 180.0f);
    render__quad(r, &r->marker, q, full);
    glDisable(GL_BLEND);
    if (mk->text && *mk->text) {
        struct layout_rect tr = {q.x + size + 2, q.y - 6, 220, size + 12};
        render_text(r, mk->text, 12, tr, RENDER_ALIGN_TOP_LEFT,
                    (struct render_color){1, 1, 1, mk->faded ? 0.5f : 1.0f}, true);
    }
}

void render_map(struct renderer *r, const struct render_map_info *m)
{
    double ox, oy;
    render_rect(r, m->rect, (struct render_color){0.07f, 0.09f, 0.12f, 1});
    view_origin(m, &ox, &oy);
    glEnable(GL_SCISSOR_TEST);
    glScissor(m->rect.x, r->height - m->rect.y - m->rect.h, m->rect.w, m->rect.h);
    if (!m->basemap_dir || draw_basemap(r, m, ox, oy) == 0)
        draw_graticule(r, m, ox, oy);
    glEnable(GL_SCISSOR_TEST); /* render_text turns it off */
    for (int i = 0; i < m->n_markers; i++) {
        double x, y;
        geo_project(m->markers[i].lat, m->markers[i].lon, m->zoom, &x, &y);
        int px = m->rect.x + (int)lround(x - ox), py = m->rect.y + (int)lround(y - oy);
        if (px < m->rect.x - MARKER_PX || py < m->rect.y - MARKER_PX ||
            px > m->rect.x + m->rect.w + MARKER_PX || py > m->rect.y + m->rect.h + MARKER_PX)
            continue;
        glScissor(m->rect.x, r->height - m->rect.y - m->rect.h, m->rect.w, m->rect.h);
        glEnable(GL_SCISSOR_TEST);
        draw_marker(r, &m->markers[i], px, py);
    }
    glDisable(GL_SCISSOR_TEST);
    if (m->title)
        render_text(r, m->title, 14, m->rect, RENDER_ALIGN_TOP_LEFT,
                    (struct render_color){1, 1, 1, 1}, true);
}

void render_list(struct renderer *r, struct layout_rect rect, const char *title,
                 const struct render_list_row *rows, int n_rows)
{
    const int px = rect.h / 24 < 13 ? 13 : rect.h / 24 > 22 ? 22 : rect.h / 24;
    const int line = px + px / 2;
    render_rect(r, rect, (struct render_color){0.06f, 0.07f, 0.09f, 1});
    struct layout_rect row = {rect.x + 4, rect.y + 2, rect.w - 8, line};
    render_text(r, title, px, row, RENDER_ALIGN_TOP_LEFT, (struct render_color){1, 1, 1, 1},
                false);
    int fit = (rect.h - line - 4) / line - 1;
    for (int i = 0; i < n_rows && i < fit; i++) {
        row.y += line;
        render_rect(r, (struct layout_rect){row.x + 4, row.y + line / 4, px / 2 + 2, px / 2 + 2},
                    rows[i].swatch);
        struct layout_rect tr = {row.x + px, row.y - px / 5, row.w - px, line};
        render_text(r, rows[i].text, px, tr, RENDER_ALIGN_TOP_LEFT,
                    (struct render_color){0.92f, 0.92f, 0.92f, 1}, false);
    }
    if (n_rows > fit && fit >= 0) {
        char more[64];
        snprintf(more, sizeof(more), "… and %d more", n_rows - (fit > 0 ? fit : 0));
        row.y += line;
        render_text(r, more, px, row, RENDER_ALIGN_TOP_LEFT,
                    (struct render_color){0.7f, 0.7f, 0.7f, 1}, false);
    }
}
