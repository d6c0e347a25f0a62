/*
 * map.c - map and list panels: Web Mercator basemap tiles from a local XYZ
 * directory or an MBTiles file (decoded with FFmpeg's image decoders on
 * libuv's thread pool, kept in an LRU cache sized by the map panels on
 * screen), a
 * graticule when there are none, camera view sectors (sectors.c), markers
 * drawn by marker.frag, and text
 * through the same font path as tile labels.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
#include <uv.h>

#include "base/geo.h"
#include "base/log.h"
#include "base/prio.h"
#include "map/mbtiles.h"
#include "render/render_internal.h"

#define BASEMAP_MIN_SLOTS 32   /* the cache never holds fewer tiles */
#define BASEMAP_MAX_DECODING 64 /* decodes queued at once */
#define MARKER_PX 18
#define LABEL_CHAR_PX 7   /* a 12 px label's mean advance, for placing it */
#define LABEL_CELL_PX 8   /* the label occupancy grid's cells */
#define LABELS_MAX 400    /* labels on one map, well inside the text cache */

enum tile_state {
    TILE_DECODING = 0, /* queued on the thread pool */
    TILE_DECODED,      /* picture waiting for its upload */
    TILE_SHOWN,        /* texture ready */
    TILE_MISSING,      /* no file, or not a picture: do not try again */
};

/* One cached tile.  Render thread. */
struct basemap_tile {
    int z, x, y;
    enum tile_state state;
    GLuint tex;        /* TILE_SHOWN */
    AVFrame *rgba;     /* TILE_DECODED */
    uint64_t last_use; /* the cache's use counter when last drawn */
};

/* The tile cache of one basemap directory: an LRU of at most capacity tiles
 * (more only while decodes are under way).  Render thread; it stays alive,
 * detached, until the last decode in flight is back (refs). */
struct render_basemap {
    char dir[512];
    struct mbtiles *mbt; /* dir is an MBTiles file (NULL: a directory, or
                            the file could not be opened); read by workers */
    struct basemap_tile *tiles;
    int n, alloc;
    uint64_t uses;
    int decoding;      /* jobs in flight */
    int refs;          /* 1 for the renderer while attached, 1 per job */
    uint64_t serial;   /* which basemap this is, for the map layers' keys */
    bool detached;     /* the renderer let it go */
    uv_loop_t *loop;   /* NULL: decode on the render thread */
    void (*ready)(void *opaque);
    void *opaque;
};

/* A decode on the thread pool: the worker fills rgba. */
struct basemap_job {
    uv_work_t work;
    struct render_basemap *bm;
    int z, x, y;
    char path[1024];
    AVFrame *rgba;
};

static void basemap_unref(struct render_basemap *bm)
{
    if (--bm->refs > 0)
        return;
    mbt_close(bm->mbt);
    free(bm->tiles);
    free(bm);
}

void render__basemap_destroy(struct render_basemap *bm)
{
    if (!bm)
        return;
    for (int i = 0; i < bm->n; i++) {
        if (bm->tiles[i].tex)
            glDeleteTextures(1, &bm->tiles[i].tex);
        av_frame_free(&bm->tiles[i].rgba);
    }
    bm->n = 0;
    bm->detached = true;
    basemap_unref(bm);
}

void render_basemap_set_worker(struct renderer *r, uv_loop_t *loop,
                               void (*ready)(void *opaque), void *opaque)
{
    r->basemap_loop = loop;
    r->basemap_ready = ready;
    r->basemap_opaque = opaque;
}

void render_basemap_size(struct renderer *r, int tiles)
{
    int cap = tiles + tiles / 2 + 16; /* a margin for panning and zooming */
    r->basemap_capacity = cap < BASEMAP_MIN_SLOTS ? BASEMAP_MIN_SLOTS : cap;
}

bool render_basemap_take_waiting(struct renderer *r)
{
    bool waiting = r->basemap_waiting;
    r->basemap_waiting = false;
    return waiting;
}

/* Converts a decoded picture into a new RGBA frame; NULL on failure. */
static AVFrame *to_rgba(const AVFrame *pic)
{
    struct SwsContext *sws = sws_getContext(pic->width, pic->height, pic->format,
                                            pic->width, pic->height, AV_PIX_FMT_RGBA,
                                            SWS_POINT, NULL, NULL, NULL);
    AVFrame *rgba = av_frame_alloc();
    if (sws && rgba) {
        rgba->format = AV_PIX_FMT_RGBA;
        rgba->width = pic->width;
        rgba->height = pic->height;
        if (av_frame_get_buffer(rgba, 0) == 0)
            sws_scale(sws, (const uint8_t *const *)pic->data, pic->linesize, 0,
                      pic->height, rgba->data, rgba->linesize);
        else
            av_frame_free(&rgba);
    } else {
        av_frame_free(&rgba);
    }
    sws_freeContext(sws);
    return rgba;
}

/* Decodes an image held in data[0..len) (PNG, JPEG or WebP, told by its
 * first bytes, as MBTiles stores them) into RGBA; NULL on failure. */
static AVFrame *decode_blob(const uint8_t *data, size_t len)
{
    enum AVCodecID id = len > 8 && memcmp(data, "\x89PNG", 4) == 0 ? AV_CODEC_ID_PNG
                      : len > 3 && data[0] == 0xFF && data[1] == 0xD8 ? AV_CODEC_ID_MJPEG
                      : len > 12 && memcmp(data + 8, "WEBP", 4) == 0 ? AV_CODEC_ID_WEBP
                                                                   : AV_CODEC_ID_NONE;
    const AVCodec *codec = avcodec_find_decoder(id);
    AVCodecContext *ctx = codec ? avcodec_alloc_context3(codec) : NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *pic = av_frame_alloc(), *rgba = NULL;
    if (ctx && pkt && pic && avcodec_open2(ctx, codec, NULL) == 0 &&
        av_new_packet(pkt, (int)len) == 0) {
        memcpy(pkt->data, data, len);
        int rc = avcodec_send_packet(ctx, pkt);
        if (rc == 0 && (rc = avcodec_receive_frame(ctx, pic)) == AVERROR(EAGAIN) &&
            avcodec_send_packet(ctx, NULL) == 0) /* a decoder that waits for more */
            rc = avcodec_receive_frame(ctx, pic);
        if (rc == 0)
            rgba = to_rgba(pic);
    }
    avcodec_free_context(&ctx);
    av_packet_free(&pkt);
    av_frame_free(&pic);
    return rgba;
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
    rgba = to_rgba(pic);
done:
    avcodec_free_context(&ctx);
    avformat_close_input(&fmt);
    av_packet_free(&pkt);
    av_frame_free(&pic);
    return rgba;
}

static struct basemap_tile *find_tile(struct render_basemap *bm, int z, int x, int y)
{
    for (int i = 0; i < bm->n; i++)
        if (bm->tiles[i].z == z && bm->tiles[i].x == x && bm->tiles[i].y == y)
            return &bm->tiles[i];
    return NULL;
}

/* Decodes tile z/x/y of bm (its MBTiles file, or path in its directory). */
static AVFrame *decode_tile(struct render_basemap *bm, const char *path, int z, int x, int y)
{
    uint8_t *data;
    size_t len;
    if (!bm->mbt)
        return bm->dir[0] && !mbt_is_path(bm->dir) ? decode_image(path) : NULL;
    if (mbt_read(bm->mbt, z, x, y, &data, &len) < 0)
        return NULL;
    AVFrame *rgba = decode_blob(data, len);
    free(data);
    return rgba;
}

/* Worker thread: decodes one tile. */
static void decode_work(uv_work_t *work)
{
    prio_background(); /* a pool thread: below the render thread */
    struct basemap_job *job = work->data;
    job->rgba = decode_tile(job->bm, job->path, job->z, job->x, job->y);
}

/* Loop thread: a decode is back; once the last one of a batch is, the
 * panels redraw to show them. */
static void decode_done(uv_work_t *work, int status)
{
    struct basemap_job *job = work->data;
    struct render_basemap *bm = job->bm;
    bm->decoding--;
    struct basemap_tile *t = bm->detached ? NULL : find_tile(bm, job->z, job->x, job->y);
    if (t && t->state == TILE_DECODING) {
        t->state = status == 0 && job->rgba ? TILE_DECODED : TILE_MISSING;
        t->rgba = t->state == TILE_DECODED ? job->rgba : NULL;
        job->rgba = t->state == TILE_DECODED ? NULL : job->rgba;
    }
    av_frame_free(&job->rgba);
    /* one redraw per batch: a big panel is costly to draw again */
    if (!bm->detached && bm->ready && bm->decoding == 0)
        bm->ready(bm->opaque);
    basemap_unref(bm);
    free(job);
}

/* Makes room for one more tile: drops the least recently used one that is
 * not being decoded once the cache is full.  Returns the new slot or NULL. */
static struct basemap_tile *new_slot(struct render_basemap *bm, int capacity)
{
    int victim = -1;
    for (int i = 0; bm->n >= capacity && i < bm->n; i++)
        if (bm->tiles[i].state != TILE_DECODING &&
            (victim < 0 || bm->tiles[i].last_use < bm->tiles[victim].last_use))
            victim = i;
    if (victim >= 0) {
        struct basemap_tile *t = &bm->tiles[victim];
        if (t->tex)
            glDeleteTextures(1, &t->tex);
        av_frame_free(&t->rgba);
        *t = bm->tiles[--bm->n];
    }
    if (bm->n == bm->alloc) {
        int alloc = bm->alloc ? bm->alloc * 2 : 64;
        struct basemap_tile *tiles = realloc(bm->tiles, (size_t)alloc * sizeof(*tiles));
        if (!tiles)
            return NULL;
        bm->tiles = tiles;
        bm->alloc = alloc;
    }
    struct basemap_tile *t = &bm->tiles[bm->n++];
    memset(t, 0, sizeof(*t));
    return t;
}

/* Starts decoding tile t (on the thread pool when there is one). */
static void start_decode(struct render_basemap *bm, struct basemap_tile *t)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%d/%d/%d.png", bm->dir, t->z, t->x, t->y);
    struct basemap_job *job = bm->loop ? calloc(1, sizeof(*job)) : NULL;
    if (job) {
        *job = (struct basemap_job){.bm = bm, .z = t->z, .x = t->x, .y = t->y};
        snprintf(job->path, sizeof(job->path), "%s", path);
        job->work.data = job;
        if (uv_queue_work(bm->loop, &job->work, decode_work, decode_done) == 0) {
            t->state = TILE_DECODING;
            bm->decoding++;
            bm->refs++;
            return;
        }
        free(job);
    }
    t->rgba = decode_tile(bm, path, t->z, t->x, t->y); /* no thread pool: here and now */
    t->state = t->rgba ? TILE_DECODED : TILE_MISSING;
}

/* Uploads a decoded tile as a texture. */
static void upload_tile(struct basemap_tile *t)
{
    AVFrame *img = t->rgba;
    glGenTextures(1, &t->tex);
    glBindTexture(GL_TEXTURE_2D, t->tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, img->linesize[0] / 4);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, img->width, img->height, 0, GL_RGBA,
                 GL_UNSIGNED_BYTE, img->data[0]);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    /* drawn 1:1 at whole pixels (draw_basemap): nearest gives the same
     * pixels as linear, at half the cost in a software rasteriser */
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    av_frame_free(&t->rgba);
    t->state = TILE_SHOWN;
}

/* The cache for dir, made anew when the directory changed. */
static struct render_basemap *basemap_for(struct renderer *r, const char *dir)
{
    struct render_basemap *bm = r->basemap;
    if (bm && strcmp(bm->dir, dir) == 0)
        return bm;
    render__basemap_destroy(bm);
    if (!(bm = r->basemap = calloc(1, sizeof(*bm))))
        return NULL;
    snprintf(bm->dir, sizeof(bm->dir), "%s", dir);
    if (mbt_is_path(dir)) {
        char err[256];
        if (!(bm->mbt = mbt_open(dir, err, sizeof(err))))
            tlog_err(r->log, "basemap %s: %s", dir, err);
    }
    bm->refs = 1;
    bm->serial = ++r->basemap_serial;
    bm->loop = r->basemap_loop;
    bm->ready = r->basemap_ready;
    bm->opaque = r->basemap_opaque;
    return bm;
}

/* Tile z/x/y of dir: *tex its texture once decoded (0 until then).  Returns
 * false when the tile does not exist. */
static bool basemap_tile(struct renderer *r, const char *dir, int z, int x, int y,
                         GLuint *tex)
{
    struct render_basemap *bm = basemap_for(r, dir);
    *tex = 0;
    if (!bm)
        return false;
    struct basemap_tile *t = find_tile(bm, z, x, y);
    if (!t) {
        if (bm->decoding >= BASEMAP_MAX_DECODING)
            return true; /* asked for again when a decode comes back */
        int cap = r->basemap_capacity > 0 ? r->basemap_capacity : BASEMAP_MIN_SLOTS;
        if (!(t = new_slot(bm, cap)))
            return false;
        *t = (struct basemap_tile){.z = z, .x = x, .y = y};
        start_decode(bm, t);
    }
    t->last_use = ++bm->uses;
    if (t->state == TILE_DECODED && r->basemap_uploads_left > 0) {
        upload_tile(t);
        r->basemap_uploads_left--;
    } else if (t->state == TILE_DECODED) {
        r->basemap_waiting = true;
    }
    *tex = t->state == TILE_SHOWN ? t->tex : 0;
    return t->state != TILE_MISSING;
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

/* The tiles covering the panel: columns x0..x1, rows y0..y1 (rows may lie
 * outside the world; columns wrap around it). */
struct tile_span {
    int x0, y0, x1, y1;
};

static struct tile_span tile_span(const struct render_map_info *m, double ox, double oy)
{
    return (struct tile_span){(int)floor(ox / GEO_TILE_PX), (int)floor(oy / GEO_TILE_PX),
                              (int)floor((ox + m->rect.w) / GEO_TILE_PX),
                              (int)floor((oy + m->rect.h) / GEO_TILE_PX)};
}

/* Draws into m->rect the basemap tiles over the panel that are ready and not
 * yet marked in drawn (NULL: every ready tile), then marks them and the
 * missing ones.  Returns how many it drew; *waiting is how many exist but are
 * not ready (still decoding, or not yet uploaded). */
static int draw_tiles(struct renderer *r, const struct render_map_info *m, double ox,
                      double oy, unsigned char *drawn, int *waiting)
{
    struct tile_span s = tile_span(m, ox, oy);
    int n = 1 << m->zoom, cols = s.x1 - s.x0 + 1, shown = 0;
    *waiting = 0;
    for (int ty = s.y0 > 0 ? s.y0 : 0; ty <= s.y1 && ty < n; ty++) {
        for (int tx = s.x0; tx <= s.x1; tx++) {
            unsigned char *mark = drawn ? &drawn[(ty - s.y0) * cols + (tx - s.x0)] : NULL;
            GLuint tex;
            if (mark && *mark)
                continue;
            bool exists = basemap_tile(r, m->basemap_dir, m->zoom, ((tx % n) + n) % n, ty, &tex);
            if (exists && !tex) {
                (*waiting)++;
                continue;
            }
            if (tex) {
                draw_texture(r, tex,
                             (struct layout_rect){m->rect.x + (int)lround(tx * GEO_TILE_PX - ox),
                                                  m->rect.y + (int)lround(ty * GEO_TILE_PX - oy),
                                                  GEO_TILE_PX, GEO_TILE_PX});
                shown++;
            }
            if (mark)
                *mark = 1; /* drawn, or missing: the background shows */
        }
    }
    return shown;
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

/* A unit's accuracy ring: a thin translucent circle of ring_m metres, when
 * it is larger than the marker and smaller than the panel. */
static void draw_ring(struct renderer *r, const struct render_marker *mk,
                      const struct render_map_info *m, int px, int py)
{
    static const float full[4] = {0, 0, 1, 1};
    double m_per_px = 156543.03392 * cos(mk->lat * M_PI / 180.0) / ldexp(1.0, m->zoom);
    int rad = (int)lround(mk->ring_m / m_per_px);
    if (rad <= MARKER_PX / 2 || rad > m->rect.w + m->rect.h)
        return;
    struct render_color c = mk->color;
    glEnable(GL_BLEND);
    glUseProgram(r->marker.id);
    glUniform4f(r->marker.color, c.r, c.g, c.b, mk->faded ? 0.25f : 0.6f);
    glUniform1i(r->marker.shape, 3);
    glUniform1f(r->marker.heading, 2.0f / (float)rad); /* 2 px wide */
    render__quad(r, &r->marker, (struct layout_rect){px - rad, py - rad, 2 * rad, 2 * rad},
                 full);
    glDisable(GL_BLEND);
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
}

/* Where a marker's label goes: right of the marker, as wide as the text
 * (estimated at LABEL_CHAR_PX a character, at most 220 px). */
static struct layout_rect label_rect(const struct render_marker *mk, int px, int py)
{
    int size = mk->kind == RENDER_MARKER_CAMERA ? MARKER_PX - 6 : MARKER_PX;
    int w = (int)strlen(mk->text) * LABEL_CHAR_PX + 12;
    return (struct layout_rect){px - size / 2 + size + 2, py - size / 2 - 6,
                                w < 220 ? w : 220, size + 12};
}

/* Claims the cells of the occupancy grid (LABEL_CELL_PX squares over the
 * panel) that box covers; false, claiming nothing, when one is taken. */
static bool label_claim(unsigned char *grid, int cols, int rows,
                        const struct render_map_info *m, struct layout_rect box)
{
    int c0 = (box.x - m->rect.x) / LABEL_CELL_PX, r0 = (box.y - m->rect.y) / LABEL_CELL_PX;
    int c1 = (box.x + box.w - 1 - m->rect.x) / LABEL_CELL_PX;
    int r1 = (box.y + box.h - 1 - m->rect.y) / LABEL_CELL_PX;
    c0 = c0 < 0 ? 0 : c0, r0 = r0 < 0 ? 0 : r0;
    c1 = c1 >= cols ? cols - 1 : c1, r1 = r1 >= rows ? rows - 1 : r1;
    for (int y = r0; y <= r1; y++)
        for (int x = c0; x <= c1; x++)
            if (grid[y * cols + x])
                return false;
    for (int y = r0; y <= r1; y++)
        memset(grid + y * cols + c0, 1, (size_t)(c1 - c0 + 1));
    return true;
}

/* The labels of the markers on screen (pos[i] its pixel, x < 0: off the
 * panel), most important first (incidents, most urgent first; cameras;
 * units), each only where it overlaps no label already drawn, and at most
 * LABELS_MAX: a crowded map stays legible and its text cache never thrashes. */
static void draw_labels(struct renderer *r, const struct render_map_info *m,
                        const int (*pos)[2])
{
    static const enum render_marker_kind order[] = {
        RENDER_MARKER_INCIDENT, RENDER_MARKER_CAMERA, RENDER_MARKER_UNIT};
    int cols = m->rect.w / LABEL_CELL_PX + 1, rows = m->rect.h / LABEL_CELL_PX + 1;
    unsigned char *grid = calloc((size_t)cols * (size_t)rows, 1);
    int drawn = 0;
    for (int k = 0; grid && k < 3; k++) {
        for (int i = m->n_markers; i-- > 0 && drawn < LABELS_MAX;) {
            const struct render_marker *mk = &m->markers[i];
            if (mk->kind != order[k] || pos[i][0] < 0 || !mk->text || !*mk->text)
                continue;
            struct layout_rect box = label_rect(mk, pos[i][0], pos[i][1]);
            if (!label_claim(grid, cols, rows, m, box))
                continue;
            box.w = 220; /* the text itself is not cut at the estimate, */
            if (box.x + box.w > m->rect.x + m->rect.w) /* only at the panel */
                box.w = m->rect.x + m->rect.w - box.x;
            render_text(r, mk->text, 12, box, RENDER_ALIGN_TOP_LEFT,
                        (struct render_color){1, 1, 1, mk->faded ? 0.5f : 1.0f}, true);
            drawn++;
        }
    }
    free(grid);
}

/* Draws the panel's background and basemap tiles (or the graticule when
 * there are none) into m->rect. */
static void draw_base(struct renderer *r, const struct render_map_info *m, double ox,
                      double oy)
{
    render_rect(r, m->rect, (struct render_color){0.07f, 0.09f, 0.12f, 1});
    render__scissor(m->rect);
    int waiting = 0;
    if (!m->basemap_dir || draw_tiles(r, m, ox, oy, NULL, &waiting) + waiting == 0)
        draw_graticule(r, m, ox, oy);
}

/* Draws into layer b (bound; m->rect at the origin) the tiles that became
 * ready since the last pass, and the graticule once no tile turned out to
 * exist; marks b complete when no tile is left to wait for. */
static void draw_layer_tiles(struct renderer *r, const struct render_map_info *m,
                             double ox, double oy, struct render_map_base *b)
{
    int waiting = 0;
    if (m->basemap_dir)
        b->found += draw_tiles(r, m, ox, oy, b->drawn, &waiting);
    b->complete = waiting == 0;
    if (b->complete && b->found == 0)
        draw_graticule(r, m, ox, oy); /* no tile exists here */
}

/* Draws the panel's base through its layer (mapbase.c): tiles that came in
 * are drawn into the layer, which is then copied into m->rect.  Returns
 * false when no layer can be had (then nothing was drawn). */
static bool draw_base_layer(struct renderer *r, const struct render_map_info *m,
                            double ox, double oy)
{
    struct render_map_base_key key;
    memset(&key, 0, sizeof(key)); /* compared as bytes, padding included */
    key.lat = m->center_lat;
    key.lon = m->center_lon;
    key.zoom = m->zoom;
    key.w = m->rect.w;
    key.h = m->rect.h;
    struct render_basemap *bm = m->basemap_dir ? basemap_for(r, m->basemap_dir) : NULL;
    key.basemap = bm ? bm->serial : 0;
    struct render_map_base *b = render__map_base_find(r, &key);
    bool fresh = !b;
    if (fresh) {
        struct tile_span s = tile_span(m, ox, oy);
        if (!(b = render__map_base_claim(r, &key, (s.x1 - s.x0 + 1) * (s.y1 - s.y0 + 1))))
            return false;
    }
    if (!b->complete) {
        struct render_map_info at_origin = *m;
        at_origin.rect.x = at_origin.rect.y = 0;
        if (m->basemap_dir && !bm)
            at_origin.basemap_dir = NULL; /* no memory for it: the graticule */
        render__map_base_bind(r, b);
        if (fresh) {
            glClearColor(0.07f, 0.09f, 0.12f, 1);
            glClear(GL_COLOR_BUFFER_BIT);
        }
        draw_layer_tiles(r, &at_origin, ox, oy, b);
        render__map_base_done(r);
    }
    render__map_base_blit(r, b, m->rect);
    return true;
}

void render_map(struct renderer *r, const struct render_map_info *m)
{
    double ox, oy;
    view_origin(m, &ox, &oy);
    if (!draw_base_layer(r, m, ox, oy))
        draw_base(r, m, ox, oy);
    render__scissor(m->rect); /* render_text turns it off */
    if (m->n_sectors > 0)
        render__sectors_draw(r, m, ox, oy);
    int (*pos)[2] = malloc((size_t)(m->n_markers ? m->n_markers : 1) * sizeof *pos);
    for (int i = 0; pos && i < m->n_markers; i++) {
        double x, y;
        geo_project(m->markers[i].lat, m->markers[i].lon, m->zoom, &x, &y);
        int px = m->rect.x + (int)lround(x - ox), py = m->rect.y + (int)lround(y - oy);
        pos[i][0] = -1;
        if (px < m->rect.x - MARKER_PX || py < m->rect.y - MARKER_PX ||
            px > m->rect.x + m->rect.w + MARKER_PX || py > m->rect.y + m->rect.h + MARKER_PX)
            continue;
        pos[i][0] = px, pos[i][1] = py;
        render__scissor(m->rect);
        if (m->markers[i].ring_m > 0)
            draw_ring(r, &m->markers[i], m, px, py);
        draw_marker(r, &m->markers[i], px, py);
    }
    if (pos)
        draw_labels(r, m, (const int (*)[2])pos);
    free(pos);
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
