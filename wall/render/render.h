/*
 * render.h - everything the render thread draws with OpenGL 3.3 core: the
 * per-feed video textures (uploaded once per new frame, drawn by every tile
 * that shows the feed), tiles with their fit, labels and status text, flat
 * rectangles, and snapshots of what was drawn (read back here, encoded
 * anywhere).
 *
 * Threads: every function here must be called on the render thread with the
 * GL context current, except the two image functions that say otherwise.
 */
#ifndef TESSERA_RENDER_H
#define TESSERA_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include <libavutil/frame.h>

#include "layout/layout.h"

struct tlog;
struct renderer;
struct render_video;

/* An RGBA colour with components in 0..1. */
struct render_color {
    float r, g, b, a;
};

/* Where text is anchored inside a rectangle. */
enum render_align {
    RENDER_ALIGN_BOTTOM_LEFT = 0,
    RENDER_ALIGN_CENTER,
    RENDER_ALIGN_TOP_LEFT,
    RENDER_ALIGN_TOP_RIGHT,
};

/* Loads the shaders from shader_dir, finds a font through fontconfig and
 * builds the GL objects.  Returns NULL (with the reason logged) on failure. */
struct renderer *render_create(const char *shader_dir, const struct tlog *log);

/* True when OpenGL runs in software (Mesa's llvmpipe or softpipe): there,
 * feeds are best handed over packed (decode/pack.h). */
bool render_is_software(const struct renderer *r);

/* Frees every GL object and the font cache; accepts NULL. */
void render_destroy(struct renderer *r);

/* An offscreen image of one output (a framebuffer object).  The wall is
 * drawn into it tile by tile, only where something changed, and it keeps its
 * content between frames; presenting copies it to the window. */
struct render_target;

/* Creates a target of width x height pixels; NULL on failure. */
struct render_target *render_target_create(int width, int height);

/* Frees the target; accepts NULL. */
void render_target_destroy(struct render_target *t);

/* The target's size in pixels. */
void render_target_size(const struct render_target *t, int *width, int *height);

/* A wall frame starts (before its outputs' render_begin): renews what one
 * frame may spend on work that can wait (basemap tile uploads). */
void render_frame_start(struct renderer *r);

/* Starts drawing into target; with clear, wipes it to the wall's background
 * first (a full redraw). */
void render_begin(struct renderer *r, struct render_target *target, bool clear);

/* Copies target to the current window's framebuffer (width x height),
 * ready for a buffer swap. */
void render_present(struct renderer *r, const struct render_target *target,
                    int width, int height);

/* Fills rect with a colour (alpha-blended). */
void render_rect(struct renderer *r, struct layout_rect rect,
                 struct render_color color);

/* Draws text (UTF-8) of pixel height px in rect, aligned as asked, on a
 * translucent dark box when boxed; text wider than rect is clipped. */
void render_text(struct renderer *r, const char *text, int px,
                 struct layout_rect rect, enum render_align align,
                 struct render_color color, bool boxed);

/* Ends a frame: lets text textures that were not used for a while go, and
 * hands the frame's drawing to the GL driver now (with no window to present,
 * nothing else would until the next upload needs the textures). */
void render_end(struct renderer *r);

/* ---- video ---- */

/* Creates an empty video texture set (no picture yet). */
struct render_video *render_video_create(void);

/* Frees its textures; accepts NULL. */
void render_video_destroy(struct render_video *v);

/* Uploads a decoded frame (a format dec_format_supported() accepts, or a
 * hardware frame: mapped zero-copy through hwdec/interop.h when possible,
 * else copied), re-creating the textures only when the size or format
 * changed.  Returns 0, or -EINVAL for a frame it cannot show. */
int render_video_upload(struct render_video *v, const AVFrame *frame);

/* True once a picture was uploaded. */
bool render_video_ready(const struct render_video *v);

/* The picture's size and sample aspect ratio. */
void render_video_size(const struct render_video *v, int *w, int *h, double *sar);

/* Sets the privacy masks of this picture (none: n_masks 0), rasterised once
 * here and applied in the shader on every draw.  Returns 0, or a negative
 * errno when they cannot be built or uploaded: then the picture is not drawn
 * at all while masks are on (fail closed). */
int render_video_set_masks(struct render_video *v, const struct layout_mask *masks,
                           int n_masks);

/* 1 when masks are in place, 0 when there are none, -1 when they failed
 * (and the picture is hidden); 0 for NULL. */
int render_video_mask_state(const struct render_video *v);

/* How a picture reached the target. */
enum render_drawn {
    RENDER_DRAWN_NONE,   /* not drawn (no picture, or its masks failed) */
    RENDER_DRAWN_SHADER, /* through the video shader (masks, colour, scaling) */
    RENDER_DRAWN_COPY,   /* copied texel for pixel: a scaled picture without
                            masks, at full brightness */
};

/* Draws the video into tile with the given fit; dim < 1 darkens it; masks
 * false leaves the privacy masks off (a supervisor lifted them).  With masks
 * on and a mask that failed, draws nothing.  Says how it was drawn. */
enum render_drawn render_video_draw(struct renderer *r, const struct render_video *v,
                                    struct layout_rect tile, enum layout_fit fit,
                                    float dim, bool masks);

/* ---- tiles ---- */

/* What one tile shows this frame. */
struct render_tile_info {
    struct layout_rect rect;
    enum layout_fit fit;
    const struct render_video *video; /* NULL or not ready: no picture yet */
    const char *label;                /* bottom left; NULL for none */
    const char *status;               /* centred banner; NULL when live */
    bool alert;                       /* status in red (offline, error) */
    bool dim;                         /* darken the picture (stale) */
    bool selected;                    /* outline (operator selection) */
    bool unmasked;                    /* privacy masks lifted for now */
    const char *highlight;            /* open incident in range: red outline
                                         and this text at the top; or NULL */
};

/* Draws a tile's picture with the tile's fit (or a placeholder) and says how
 * the picture was drawn.  Then render_tile_overlay() draws what goes over
 * it; the wall draws every picture of a frame before the overlays, so that
 * pictures copied into the target come together (render_video_draw). */
enum render_drawn render_tile_picture(struct renderer *r, const struct render_tile_info *t);

/* Draws what goes over a tile's picture: the status banner when the feed is
 * not live, the label, the incident highlight and the selection outline. */
void render_tile_overlay(struct renderer *r, const struct render_tile_info *t);

/* ---- panels ---- */

enum render_marker_kind {
    RENDER_MARKER_INCIDENT = 0, /* disc */
    RENDER_MARKER_UNIT,         /* arrow along heading */
    RENDER_MARKER_CAMERA,       /* square */
};

/* One thing on a map panel. */
struct render_marker {
    double lat, lon;
    enum render_marker_kind kind;
    struct render_color color;
    float heading_deg;  /* units: degrees clockwise from north */
    const char *text;   /* drawn beside the marker; NULL for none */
    bool faded;         /* stale */
    float ring_m;       /* units: accuracy ring radius in metres; 0: none */
};

/* One registry camera's view on a map panel: a sector of range_m metres
 * (converted at the camera's latitude) around heading_deg, fov_deg wide, or
 * a circle for a PTZ camera. */
struct render_sector {
    double lat, lon;
    float heading_deg;  /* 0 = north, clockwise */
    float fov_deg;      /* ≥ 360: a circle */
    float range_m;      /* ≤ 0: not drawn */
    bool ptz;           /* can look any way: a circle */
    bool highlight;     /* chosen for the incident called up: bright, outlined */
};

/* What a map panel shows. */
struct render_map_info {
    struct layout_rect rect;
    double center_lat, center_lon;
    int zoom;                       /* 0..19 */
    const char *basemap_dir;        /* {z}/{x}/{y}.png tiles, or NULL */
    const struct render_marker *markers;
    int n_markers;
    const struct render_sector *sectors; /* drawn under the markers, those in
                                            view only, in one draw call */
    int n_sectors;
    const char *title;              /* NULL for none */
};

/* Draws a map panel: the basemap tiles found under basemap_dir (missing
 * tiles, and tiles still being decoded, leave the background), else a
 * graticule, then the markers.  Tiles are decoded once (off the render
 * thread with render_basemap_set_worker) and kept in an LRU cache. */
void render_map(struct renderer *r, const struct render_map_info *m);

/* Decodes basemap tiles on loop's thread pool from now on; ready(opaque)
 * is called on the loop's thread each time one is ready to draw (the
 * caller redraws its map panels).  Without it tiles decode while drawing. */
struct uv_loop_s;
void render_basemap_set_worker(struct renderer *r, struct uv_loop_s *loop,
                               void (*ready)(void *opaque), void *opaque);

/* Sizes the tile cache for the map panels on screen: tiles, the number
 * they show together, plus a margin. */
void render_basemap_size(struct renderer *r, int tiles);

/* True when the maps drawn since the last call left decoded tiles waiting
 * (a wall frame makes a bounded number of tile textures): the caller should
 * draw the map panels again soon.  Clears it. */
bool render_basemap_take_waiting(struct renderer *r);

/* One row of a list panel. */
struct render_list_row {
    struct render_color swatch; /* a small square before the text */
    const char *text;
};

/* Draws a list panel: a title line, then rows from the top, as many as fit;
 * a last line says how many did not fit. */
void render_list(struct renderer *r, struct layout_rect rect, const char *title,
                 const struct render_list_row *rows, int n_rows);

/* ---- snapshots ---- */

/* Pixels read back from a target: B, G, R, A bytes (the targets' own
 * layout), rows packed, top row first.  The image owns bgra. */
struct render_image {
    int width, height;
    uint8_t *bgra;
};

/* A new width x height image with every page of its pixels touched: any
 * thread, so that a read-back on the render thread pays no page faults
 * (tens of milliseconds for a large output on some virtual machines).
 * NULL when out of memory. */
struct render_image *render_image_new(int width, int height);

/* Reads back what target holds into img, which has target's size (render
 * thread, GL current).  Returns 0, or -EINVAL when the sizes differ. */
int render_snapshot_read(struct renderer *r, const struct render_target *target,
                         struct render_image *img);

/* Frees an image; accepts NULL.  Any thread. */
void render_image_free(struct render_image *img);

/* Encodes img as an RGB PNG into pkt (blank; av_packet_unref it after).
 * Touches no GL and no shared state: any thread, e.g. a libuv worker.
 * Returns 0 or a negative AVERROR. */
struct AVPacket;
int render_image_png(const struct render_image *img, struct AVPacket *pkt);

#endif
