/*
 * sectors.c - the view sectors of registry cameras on a map panel: each
 * camera in view becomes a fan of triangles (a circle for PTZ), the
 * highlighted ones brighter with an outline, and all of a panel's sectors go
 * to the GPU as one vertex buffer in one draw call.  Cameras outside the
 * panel cost a few comparisons; the fan's segments follow its size on screen,
 * so a 10,000-camera registry seen from afar stays cheap.
 */
#include <math.h>
#include <stdlib.h>

#include "base/geo.h"
#include "render/render_internal.h"

#define SECTOR_FLOATS 6         /* x y r g b a per vertex */
#define SECTOR_MAX_SEGMENTS 48  /* segments of a full circle's arc at most */
#define SECTOR_MIN_PX 2.0       /* smaller views are not drawn */
#define SECTOR_OUTLINE_PX 2.0f

static const float fill_rgba[4] = {0.35f, 0.75f, 1.0f, 0.16f};
static const float hl_fill_rgba[4] = {1.0f, 0.78f, 0.15f, 0.40f};
static const float hl_line_rgba[4] = {1.0f, 0.85f, 0.25f, 0.95f};

/* The vertices being built for one panel.  Render thread. */
struct sector_batch {
    struct renderer *r;
    size_t n;     /* floats written */
    bool failed;  /* out of memory: the rest is dropped */
};

void render__sectors_destroy(struct renderer *r)
{
    if (r->sector_vbo)
        glDeleteBuffers(1, &r->sector_vbo);
    if (r->sector_vao)
        glDeleteVertexArrays(1, &r->sector_vao);
    free(r->sector_verts);
    r->sector_verts = NULL;
    r->sector_cap = 0;
}

/* Room for floats more; false when memory ran out. */
static bool batch_reserve(struct sector_batch *b, size_t floats)
{
    struct renderer *r = b->r;
    if (b->failed)
        return false;
    if (b->n + floats <= r->sector_cap)
        return true;
    size_t cap = r->sector_cap ? r->sector_cap : 4096;
    while (cap < b->n + floats)
        cap *= 2;
    float *v = realloc(r->sector_verts, cap * sizeof(*v));
    if (!v) {
        b->failed = true;
        return false;
    }
    r->sector_verts = v;
    r->sector_cap = cap;
    return true;
}

static void push_vertex(struct sector_batch *b, float x, float y, const float rgba[4])
{
    float *v = b->r->sector_verts + b->n;
    v[0] = x;
    v[1] = y;
    for (int i = 0; i < 4; i++)
        v[2 + i] = rgba[i];
    b->n += SECTOR_FLOATS;
}

/* A triangle; nothing when memory ran out. */
static void push_triangle(struct sector_batch *b, const float p[6], const float rgba[4])
{
    if (!batch_reserve(b, 3 * SECTOR_FLOATS))
        return;
    for (int i = 0; i < 3; i++)
        push_vertex(b, p[2 * i], p[2 * i + 1], rgba);
}

/* A band of width w along the segment from (x0,y0) to (x1,y1) (the side of the normal (-dy, dx), pointing into a sector drawn clockwise). */
static void push_line(struct sector_batch *b, float x0, float y0, float x1, float y1, float w,
                      const float rgba[4])
{
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len <= 0)
        return;
    float nx = -dy / len * w, ny = dx / len * w;
    const float t0[6] = {x0, y0, x1, y1, x1 + nx, y1 + ny};
    const float t1[6] = {x0, y0, x1 + nx, y1 + ny, x0 + nx, y0 + ny};
    push_triangle(b, t0, rgba);
    push_triangle(b, t1, rgba);
}

/* Adds one sector centred at pixel (cx, cy) of rad pixels. */
static void push_sector(struct sector_batch *b, const struct render_sector *s, float cx,
                        float cy, float rad)
{
    bool circle = s->ptz || s->fov_deg >= 360.0f;
    double span = (circle ? 360.0 : s->fov_deg) * M_PI / 180.0;
    double a0 = circle ? 0 : (s->heading_deg - s->fov_deg / 2.0) * M_PI / 180.0;
    int segs = (int)ceil(span * rad / 6.0); /* about 6 px of arc a segment */
    int max = (int)ceil(SECTOR_MAX_SEGMENTS * span / (2 * M_PI));
    segs = segs < 2 ? 2 : segs > max ? (max < 2 ? 2 : max) : segs;
    const float *fill = s->highlight ? hl_fill_rgba : fill_rgba;
    float px = cx + rad * (float)sin(a0), py = cy - rad * (float)cos(a0);
    float fx = px, fy = py;
    for (int i = 1; i <= segs; i++) {
        double a = a0 + span * i / segs;
        float qx = cx + rad * (float)sin(a), qy = cy - rad * (float)cos(a);
        const float t[6] = {cx, cy, px, py, qx, qy};
        push_triangle(b, t, fill);
        if (s->highlight) /* clockwise in pixels: the left side is inward */
            push_line(b, px, py, qx, qy, SECTOR_OUTLINE_PX, hl_line_rgba);
        px = qx;
        py = qy;
    }
    if (s->highlight && !circle) {
        push_line(b, cx, cy, fx, fy, SECTOR_OUTLINE_PX, hl_line_rgba);
        push_line(b, px, py, cx, cy, SECTOR_OUTLINE_PX, hl_line_rgba);
    }
}

/* Uploads and draws the batch's triangles. */
static void draw_batch(struct renderer *r, size_t floats)
{
    if (!r->sector_vao) {
        glGenVertexArrays(1, &r->sector_vao);
        glGenBuffers(1, &r->sector_vbo);
        glBindVertexArray(r->sector_vao);
        glBindBuffer(GL_ARRAY_BUFFER, r->sector_vbo);
        glEnableVertexAttribArray(0);
        glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, SECTOR_FLOATS * sizeof(float),
                              (const void *)0);
        glEnableVertexAttribArray(1);
        glVertexAttribPointer(1, 4, GL_FLOAT, GL_FALSE, SECTOR_FLOATS * sizeof(float),
                              (const void *)(2 * sizeof(float)));
    }
    glBindVertexArray(r->sector_vao);
    glBindBuffer(GL_ARRAY_BUFFER, r->sector_vbo);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(floats * sizeof(float)), r->sector_verts,
                 GL_STREAM_DRAW);
    glUseProgram(r->sector.id);
    glUniform2f(r->sector.target, (float)r->width, (float)r->height);
    glEnable(GL_BLEND);
    glDrawArrays(GL_TRIANGLES, 0, (GLsizei)(floats / SECTOR_FLOATS));
    glDisable(GL_BLEND);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    glBindVertexArray(r->vao);
}

int render__sectors_draw(struct renderer *r, const struct render_map_info *m, double ox,
                         double oy)
{
    struct sector_batch b = {.r = r};
    double m_per_px0 = 156543.03392 / ldexp(1.0, m->zoom); /* at the equator */
    int drawn = 0;
    for (int i = 0; i < m->n_sectors; i++) {
        const struct render_sector *s = &m->sectors[i];
        double x, y;
        if (!(s->range_m > 0))
            continue;
        geo_project(s->lat, s->lon, m->zoom, &x, &y);
        double rad = s->range_m / (m_per_px0 * cos(s->lat * M_PI / 180.0));
        x -= ox;
        y -= oy;
        if (rad < SECTOR_MIN_PX || x + rad < 0 || y + rad < 0 || x - rad > m->rect.w ||
            y - rad > m->rect.h)
            continue;
        push_sector(&b, s, (float)(m->rect.x + x), (float)(m->rect.y + y), (float)rad);
        drawn++;
    }
    if (b.n > 0)
        draw_batch(r, b.n);
    return drawn;
}
