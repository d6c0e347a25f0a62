/*
 * render_internal.h - the renderer's private state, shared by the files of
 * render/ only.
 */
#ifndef TESSERA_RENDER_INTERNAL_H
#define TESSERA_RENDER_INTERNAL_H

#include <GL/glew.h>

#include "render/render.h"

#define RENDER_BASEMAP_UPLOADS 8 /* tile textures made per wall frame: each
                                    is fresh memory, which some virtual
                                    machines fault in slowly (~1.5 ms a tile
                                    here); the rest wait for the next redraw */
#define RENDER_VIDEO_LAYOUTS 5 /* planar, NV12, grey, packed, scaled RGB:
                                  see video.frag */

struct render_text_cache;
struct render_basemap;

/* A linked program and the uniform locations the renderer uses. */
struct render_program {
    GLuint id;
    GLint rect, target, uv;          /* quad.vert */
    GLint color;                     /* solid.frag, text.frag */
    GLint tex;                       /* text.frag */
    GLint plane[3], layout, matrix, offset, dim; /* video.frag */
    GLint shape, heading;            /* marker.frag */
    GLint mask, masked, blocks;      /* video.frag privacy masks */
};

/* An offscreen framebuffer.  Its rows run from the top: pixel row y of the
 * wall is GL row y (quad.vert and sector.vert put y = 0 at the bottom of
 * clip space, scissors and blits use y as it is), which is how Mesa lays out
 * a window's buffer, so render_present() flips it in GL terms and the
 * driver copies it row for row.  Its texels are BGRA (target.c). */
struct render_target {
    GLuint fbo, tex;
    int width, height;
};

/* What a map panel's base layer shows (mapbase.c): compared as bytes, so
 * always zero-initialise it whole. */
struct render_map_base_key {
    uint64_t basemap;    /* the basemap's serial (0: none) */
    double lat, lon;     /* the panel's centre */
    int zoom, w, h;      /* its zoom level and size */
};

#define RENDER_MAP_BASES 4 /* map layers kept (each the size of its panel) */

/* A map layer: drawn tile by tile as the tiles come in, then only copied. */
struct render_map_base {
    struct render_map_base_key key;
    struct render_target *target; /* NULL: a free slot */
    uint64_t last_use;
    unsigned char *drawn;         /* per tile in view: drawn, or known missing */
    int cells;                    /* drawn's length */
    int found;                    /* tiles drawn */
    bool complete;                /* every tile in view drawn or missing */
};

struct renderer {
    const struct tlog *log;
    GLuint vao;                      /* empty: vertices come from gl_VertexID */
    struct render_program solid, text, marker;
    struct render_program sector;    /* sector.vert + sector.frag (sectors.c) */
    GLuint sector_vao, sector_vbo;   /* sectors.c: 0 until the first draw */
    float *sector_verts;             /* sectors.c: scratch, x y r g b a each */
    size_t sector_cap;               /* floats sector_verts holds */
    struct render_program video[RENDER_VIDEO_LAYOUTS][2]; /* [layout][masked] */
    struct render_basemap *basemap;  /* map tile cache (map.c) */
    struct uv_loop_s *basemap_loop;  /* decodes tiles on its thread pool, or NULL */
    void (*basemap_ready)(void *opaque); /* a decoded tile is ready to draw */
    void *basemap_opaque;
    int basemap_capacity;            /* tiles the cache holds; 0: the minimum */
    uint64_t basemap_serial;         /* basemaps opened so far (map.c) */
    int basemap_uploads_left;        /* tile uploads this wall frame may still make */
    bool basemap_waiting;            /* decoded tiles wait for an upload */
    struct render_map_base map_bases[RENDER_MAP_BASES]; /* mapbase.c */
    uint64_t map_base_uses;
    struct render_text_cache *texts;
    const struct render_target *target; /* current target (render_begin) */
    int width, height;               /* ... its size, or a map layer's */
    uint64_t frame;                  /* frames begun, for the text cache */
};

/* Limits drawing to rect (wall pixels) until GL_SCISSOR_TEST is disabled. */
void render__scissor(struct layout_rect rect);

/* Binds prog, sets the quad uniforms and draws rect (pixels) showing the uv
 * range {u0, v0, u1, v1} of whatever the program samples. */
void render__quad(struct renderer *r, const struct render_program *prog,
                  struct layout_rect rect, const float uv[4]);

/* Basemap tile cache (map.c). */
void render__basemap_destroy(struct render_basemap *bm);

/* Map base layers (mapbase.c).  _find returns the layer kept for key, or
 * NULL; _claim returns a blank layer for key with cells tiles (NULL when no
 * texture can be made); _bind makes a layer the drawing target (r->width
 * and r->height its size) and _done the current target again; _blit copies
 * a layer into rect of the current target; _destroy frees them all. */
struct render_map_base *render__map_base_find(struct renderer *r,
                                              const struct render_map_base_key *key);
struct render_map_base *render__map_base_claim(struct renderer *r,
                                               const struct render_map_base_key *key,
                                               int cells);
void render__map_base_bind(struct renderer *r, const struct render_map_base *b);
void render__map_base_done(struct renderer *r);
void render__map_base_blit(struct renderer *r, const struct render_map_base *b,
                           struct layout_rect rect);
void render__map_bases_destroy(struct renderer *r);
/* Frees the map's sector buffers (sectors.c). */
void render__sectors_destroy(struct renderer *r);
/* Draws m's sectors that lie in view (the panel's top-left corner at world
 * pixel ox, oy) in one draw call; returns how many (sectors.c). */
int render__sectors_draw(struct renderer *r, const struct render_map_info *m, double ox,
                         double oy);

/* Text cache (text.c). */
struct render_text_cache *render__text_create(const struct tlog *log);
void render__text_destroy(struct render_text_cache *tc);
void render__text_sweep(struct render_text_cache *tc, uint64_t frame);
/* Finds or renders the texture of text at px; NULL if it cannot be drawn. */
const struct render_text_entry *render__text_get(struct render_text_cache *tc,
                                                 const char *text, int px,
                                                 uint64_t frame);
struct render_text_entry {
    GLuint tex;
    int w, h;
};

#endif
