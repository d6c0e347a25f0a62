/*
 * video.c - a feed's picture on the GPU: one texture per plane (R8 for Y, U,
 * V; RG8 for NV12's interleaved chroma), re-allocated only when the size or
 * format changes, plus the colour matrix and range the shader needs.
 * Hardware frames (CUDA, VAAPI, DRM PRIME) go through a zero-copy interop
 * (hwdec/interop.h) into the same NV12 textures; when there is none, or it
 * fails, they are copied to system memory once here and the decoders are
 * told to copy from then on.  A picture the feed thread already scaled to
 * its tile (decode/scale.h) is BGRA, as the targets are: drawn unmasked at
 * its own size, it is copied into the target rather than shaded.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <libavutil/hwcontext.h>

#include "hwdec/hwdec.h"
#include "hwdec/interop.h"
#include "decode/pack.h"
#include "decode/scale.h"
#include "render/mask.h"
#include "render/render_internal.h"

struct render_video {
    GLuint tex[3];
    int plane_w[3], plane_h[3];
    int planes;
    int layout;            /* as u_layout in video.frag */
    int format;            /* AVPixelFormat of the textures */
    int width, height;
    double sar;
    float matrix[9];       /* column-major mat3 */
    float offset[3];
    bool ready;
    GLuint mask_tex;               /* privacy mask coverage, or 0 for none */
    bool mask_error;               /* masks were asked for and could not be
                                      built or uploaded: draw no picture */
    GLint chroma_filter;           /* GL_LINEAR or GL_NEAREST, as set now */
    GLint rgb_filter;              /* the same for a scaled RGB picture */
    struct hwdec_interop *interop; /* for hardware frames, made on the first */
    bool interop_failed;           /* copy hardware frames from now on */
    GLuint copy_fbo;               /* reads a scaled picture's texture, or 0 */
};

struct render_video *render_video_create(void)
{
    struct render_video *v = calloc(1, sizeof(*v));
    if (v)
        v->format = AV_PIX_FMT_NONE;
    return v;
}

void render_video_destroy(struct render_video *v)
{
    if (!v)
        return;
    hwdec_interop_destroy(v->interop);
    glDeleteTextures(3, v->tex);
    glDeleteTextures(1, &v->mask_tex);
    glDeleteFramebuffers(1, &v->copy_fbo);
    free(v);
}

bool render_video_ready(const struct render_video *v)
{
    return v && v->ready;
}

void render_video_size(const struct render_video *v, int *w, int *h, double *sar)
{
    *w = v->width;
    *h = v->height;
    *sar = v->sar;
}

/* Colour matrix from Kr/Kb and the range, folded so that
 * rgb = matrix * (yuv - offset) with yuv as sampled (0..1). */
static void set_matrix(struct render_video *v, const AVFrame *f)
{
    double kr = 0.299, kb = 0.114;
    enum AVColorSpace cs = f->colorspace;
    if (cs == AVCOL_SPC_UNSPECIFIED)
        cs = f->height >= 720 ? AVCOL_SPC_BT709 : AVCOL_SPC_SMPTE170M;
    if (cs == AVCOL_SPC_BT709) {
        kr = 0.2126;
        kb = 0.0722;
    } else if (cs == AVCOL_SPC_BT2020_NCL || cs == AVCOL_SPC_BT2020_CL) {
        kr = 0.2627;
        kb = 0.0593;
    }
    double kg = 1.0 - kr - kb;
    bool full = f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P ||
                f->format == AV_PIX_FMT_YUVJ422P || f->format == AV_PIX_FMT_YUVJ444P;
    double ys = full ? 1.0 : 255.0 / 219.0, cs_ = full ? 1.0 : 255.0 / 224.0;
    /* columns: Y, Cb, Cr */
    double m[9] = {
        ys, ys, ys,
        0.0, -2.0 * kb * (1.0 - kb) / kg * cs_, 2.0 * (1.0 - kb) * cs_,
        2.0 * (1.0 - kr) * cs_, -2.0 * kr * (1.0 - kr) / kg * cs_, 0.0,
    };
    for (int i = 0; i < 9; i++)
        v->matrix[i] = (float)m[i];
    v->offset[0] = full ? 0.0f : 16.0f / 255.0f;
    v->offset[1] = v->offset[2] = 128.0f / 255.0f;
}

/* Plane layout of a supported format: count, chroma shifts, NV12-ness. */
static int describe(int fmt, int *planes, int *layout, int *sx, int *sy)
{
    *sx = *sy = 0;
    *layout = 0;
    *planes = 3;
    switch (fmt) {
    case AV_PIX_FMT_YUV420P: case AV_PIX_FMT_YUVJ420P: *sx = *sy = 1; return 0;
    case AV_PIX_FMT_YUV422P: case AV_PIX_FMT_YUVJ422P: *sx = 1; return 0;
    case AV_PIX_FMT_YUV444P: case AV_PIX_FMT_YUVJ444P: return 0;
    case AV_PIX_FMT_NV12: *planes = 2; *layout = 1; *sx = *sy = 1; return 0;
    case AV_PIX_FMT_GRAY8: *planes = 1; *layout = 2; return 0;
    case PACK_FORMAT: *planes = 1; *layout = 3; return 0;
    case SCALE_FORMAT: *planes = 1; *layout = 4; return 0;
    default: return -EINVAL;
    }
}

/* Points v->copy_fbo at a scaled picture's texture (one made on first use),
 * or frees it for any other layout; the read framebuffer binding is kept.
 * An FBO that is not complete is dropped: such pictures are then shaded. */
static void attach_copy_fbo(struct render_video *v)
{
    if (v->layout != 4) {
        glDeleteFramebuffers(1, &v->copy_fbo);
        v->copy_fbo = 0;
        return;
    }
    GLint was = 0;
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &was);
    if (!v->copy_fbo)
        glGenFramebuffers(1, &v->copy_fbo);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, v->copy_fbo);
    glFramebufferTexture2D(GL_READ_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D,
                           v->tex[0], 0);
    GLenum status = glCheckFramebufferStatus(GL_READ_FRAMEBUFFER);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, (GLuint)was);
    if (status != GL_FRAMEBUFFER_COMPLETE) {
        glDeleteFramebuffers(1, &v->copy_fbo);
        v->copy_fbo = 0;
    }
}

/* The texture formats of plane i of layout: internal, and of the data. */
static void plane_formats(int layout, int i, GLint *internal, GLenum *data)
{
    if (layout == 4) { /* unsized: the driver picks the targets' BGRA layout */
        *internal = GL_RGBA;
        *data = GL_BGRA;
    } else if (layout == 3) {
        *internal = GL_RGBA8;
        *data = GL_RGBA;
    } else if (layout == 1 && i == 1) {
        *internal = GL_RG8;
        *data = GL_RG;
    } else {
        *internal = GL_R8;
        *data = GL_RED;
    }
}

static void alloc_textures(struct render_video *v, const AVFrame *f, int sx, int sy)
{
    glDeleteTextures(3, v->tex);
    glGenTextures(v->planes, v->tex);
    v->chroma_filter = v->rgb_filter = 0; /* new textures filter linearly;
                                              set on first draw */
    for (int i = 0; i < v->planes; i++) {
        int w = i ? AV_CEIL_RSHIFT(f->width, sx) : f->width;
        int h = i ? AV_CEIL_RSHIFT(f->height, sy) : f->height;
        GLint internal;
        GLenum data;
        plane_formats(v->layout, i, &internal, &data);
        glBindTexture(GL_TEXTURE_2D, v->tex[i]);
        glTexImage2D(GL_TEXTURE_2D, 0, internal, w, h, 0, data, GL_UNSIGNED_BYTE, NULL);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        v->plane_w[i] = w;
        v->plane_h[i] = h;
    }
    v->width = f->width;
    v->height = f->height;
    v->format = f->format;
    attach_copy_fbo(v);
}

static int upload_hw(struct render_video *v, const AVFrame *f);

int render_video_upload(struct render_video *v, const AVFrame *f)
{
    if (hwdec_interop_is_hw_format(f->format))
        return upload_hw(v, f);
    int planes, layout, sx, sy;
    if (describe(f->format, &planes, &layout, &sx, &sy) < 0 || f->width <= 0 ||
        f->height <= 0)
        return -EINVAL;
    for (int i = 0; i < planes; i++)
        if (f->linesize[i] <= 0)
            return -EINVAL;
    v->planes = planes;
    v->layout = layout;
    if (f->format != v->format || f->width != v->width || f->height != v->height)
        alloc_textures(v, f, sx, sy);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    for (int i = 0; i < planes; i++) {
        int bpp = layout >= 3 ? 4 : layout == 1 && i == 1 ? 2 : 1;
        GLint internal;
        GLenum data;
        plane_formats(layout, i, &internal, &data);
        glBindTexture(GL_TEXTURE_2D, v->tex[i]);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, f->linesize[i] / bpp);
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, v->plane_w[i], v->plane_h[i], data,
                        GL_UNSIGNED_BYTE, f->data[i]);
    }
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    set_matrix(v, f);
    AVRational sar = f->sample_aspect_ratio;
    v->sar = sar.num > 0 && sar.den > 0 ? av_q2d(sar) : 1.0;
    v->ready = true;
    return 0;
}

/* Makes the interop for hardware frames on first use; false if there is
 * none (reported, so that the decoders copy from now on). */
static bool have_interop(struct render_video *v, const AVFrame *f)
{
    char why[HWDEC_WHY_MAX];
    if (v->interop || v->interop_failed)
        return v->interop != NULL;
    if (!(v->interop = hwdec_interop_create(f, why, sizeof(why)))) {
        v->interop_failed = true;
        hwdec_interop_report(f, false, "interop", why);
    }
    return v->interop != NULL;
}

/* Maps a hardware frame (NV12 underneath) into NV12 textures. */
static int map_hw(struct render_video *v, const AVFrame *f)
{
    const AVHWFramesContext *fc = (const AVHWFramesContext *)f->hw_frames_ctx->data;
    char why[HWDEC_WHY_MAX] = "not an NV12 picture";
    int ret = AVERROR(ENOSYS);
    if (fc->sw_format == AV_PIX_FMT_NV12 && f->width > 0 && f->height > 0) {
        v->planes = 2;
        v->layout = 1;
        if (f->format != v->format || f->width != v->width || f->height != v->height)
            alloc_textures(v, f, 1, 1);
        struct hwdec_gl_planes pl = {
            .tex = {v->tex[0], v->tex[1]},
            .width = {v->plane_w[0], v->plane_w[1]},
            .height = {v->plane_h[0], v->plane_h[1]},
        };
        ret = hwdec_interop_map(v->interop, f, &pl, why, sizeof(why));
    }
    hwdec_interop_report(f, ret == 0, hwdec_interop_name(v->interop), why);
    if (ret < 0) {
        hwdec_interop_destroy(v->interop);
        v->interop = NULL;
        v->interop_failed = true;
        v->format = AV_PIX_FMT_NONE; /* the textures may be half re-pointed */
    }
    return ret;
}

/* Hardware frames: zero-copy through the interop, else one copy here. */
static int upload_hw(struct render_video *v, const AVFrame *f)
{
    if (!f->hw_frames_ctx)
        return -EINVAL;
    if (have_interop(v, f) && map_hw(v, f) == 0) {
        set_matrix(v, f);
        AVRational sar = f->sample_aspect_ratio;
        v->sar = sar.num > 0 && sar.den > 0 ? av_q2d(sar) : 1.0;
        v->ready = true;
        return 0;
    }
    AVFrame *sys = av_frame_alloc();
    int ret = sys ? av_hwframe_transfer_data(sys, f, 0) : AVERROR(ENOMEM);
    if (ret >= 0)
        ret = av_frame_copy_props(sys, f);
    if (ret >= 0)
        ret = render_video_upload(v, sys);
    av_frame_free(&sys);
    return ret < 0 ? -EINVAL : 0;
}

int render_video_set_masks(struct render_video *v, const struct layout_mask *masks,
                           int n_masks)
{
    glDeleteTextures(1, &v->mask_tex);
    v->mask_tex = 0;
    v->mask_error = n_masks > 0; /* until the mask is really in place */
    if (n_masks <= 0)
        return 0;
    uint8_t *img = malloc((size_t)MASK_SIZE * MASK_SIZE);
    if (!img)
        return -ENOMEM;
    int ret = mask_rasterize(masks, n_masks, img);
    while (glGetError() != GL_NO_ERROR)
        continue; /* errors of others are not ours */
    glGenTextures(1, &v->mask_tex);
    glBindTexture(GL_TEXTURE_2D, v->mask_tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, MASK_SIZE, MASK_SIZE, 0, GL_RED,
                 GL_UNSIGNED_BYTE, img);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    free(img);
    if (ret >= 0 && v->mask_tex && glGetError() == GL_NO_ERROR) {
        v->mask_error = false;
        return 0;
    }
    glDeleteTextures(1, &v->mask_tex);
    v->mask_tex = 0;
    return ret < 0 ? ret : -EIO;
}

int render_video_mask_state(const struct render_video *v)
{
    return !v ? 0 : v->mask_error ? -1 : v->mask_tex ? 1 : 0;
}

/* Chroma planes are sampled nearest when the picture is shrunk: the shader
 * then reads one chroma texel instead of four, and nothing visible is lost
 * (chroma has half the resolution anyway); enlarged pictures keep linear
 * filtering.  The textures are bound to units 1 and 2 at this point. */
static void set_chroma_filter(struct render_video *v, bool shrunk)
{
    GLint want = shrunk ? GL_NEAREST : GL_LINEAR;
    if (v->layout >= 2 || v->chroma_filter == want)
        return;
    for (int i = 1; i < v->planes; i++) {
        glActiveTexture(GL_TEXTURE0 + (GLenum)i);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, want);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, want);
    }
    v->chroma_filter = want;
}

/* A scaled RGB picture drawn at its own size (the feed thread scaled it to
 * this tile) is sampled nearest: one texel per pixel, no filtering work for
 * a software rasteriser; at any other size (the tile just changed) linearly.
 * The texture is bound to unit 0 at this point. */
static void set_rgb_filter(struct render_video *v, struct layout_rect dst,
                           const float uv[4])
{
    if (v->layout != 4)
        return;
    double full_w = dst.w / (double)(uv[2] - uv[0]), full_h = dst.h / (double)(uv[3] - uv[1]);
    bool one_to_one = full_w - v->width < 1.5 && v->width - full_w < 1.5 &&
                      full_h - v->height < 1.5 && v->height - full_h < 1.5;
    GLint want = one_to_one ? GL_NEAREST : GL_LINEAR;
    if (v->rgb_filter == want)
        return;
    glActiveTexture(GL_TEXTURE0);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, want);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, want);
    v->rgb_filter = want;
}

/* Binds the mask (unit 3) and its uniforms. */
static void bind_mask(const struct render_program *p, const struct render_video *v)
{
    glActiveTexture(GL_TEXTURE3);
    glBindTexture(GL_TEXTURE_2D, v->mask_tex);
    /* about 24 blocks across the picture, square on screen */
    float bx = 24.0f, by = v->width > 0 ? 24.0f * (float)v->height / (float)v->width : 24.0f;
    glUniform2f(p->blocks, bx, by < 4 ? 4 : by);
}

/* The first of the n_dst texels (of n) that the texture span lo..hi puts on
 * n_dst pixels when that is texel for pixel (the span is n_dst texels wide,
 * give or take the half texel a cover fit's rounding leaves); -1 when not. */
static int copy_span(int n, float lo, float hi, int n_dst)
{
    double shown = (double)(hi - lo) * n;
    if (n_dst <= 0 || n_dst > n || fabs(shown - n_dst) > 0.75)
        return -1;
    int first = (int)floor(lo * (double)n + 0.5);
    if (first + n_dst > n)
        first = n - n_dst;
    return first < 0 ? -1 : first;
}

/* Copies a scaled picture into the target at dst, texel for pixel, when the
 * part of it shown (all of it, or a cover fit's middle) is dst's size;
 * false (nothing done) otherwise.  Only for pictures drawn without masks and
 * at full brightness: everything else is the shader's.  Same layout, same
 * size: a memory copy in Mesa's software rasteriser, where the shader would
 * cost a few ns a pixel. */
static bool copy_picture(struct renderer *r, const struct render_video *v,
                         struct layout_rect dst, const float uv[4])
{
    int sx = copy_span(v->width, uv[0], uv[2], dst.w);
    int sy = copy_span(v->height, uv[1], uv[3], dst.h);
    if (v->layout != 4 || !v->copy_fbo || sx < 0 || sy < 0)
        return false;
    glDisable(GL_SCISSOR_TEST); /* a scissored blit is a shader pass */
    glBindFramebuffer(GL_READ_FRAMEBUFFER, v->copy_fbo);
    /* picture and target both hold their top row first: a straight copy */
    glBlitFramebuffer(sx, sy, sx + dst.w, sy + dst.h, dst.x, dst.y, dst.x + dst.w,
                      dst.y + dst.h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, r->target->fbo);
    return true;
}

enum render_drawn render_video_draw(struct renderer *r, const struct render_video *v,
                                    struct layout_rect tile, enum layout_fit fit,
                                    float dim, bool masks)
{
    struct layout_rect dst;
    float uv[4];
    layout_fit_rect(fit, tile, v->width, v->height, v->sar, &dst, uv);
    if (masks && v->mask_error)
        return RENDER_DRAWN_NONE; /* fail closed: no picture without its masks */
    bool masked = masks && v->mask_tex;
    if (!masked && dim == 1.0f && copy_picture(r, v, dst, uv))
        return RENDER_DRAWN_COPY;
    const struct render_program *p = &r->video[v->layout][masked];
    glUseProgram(p->id);
    for (int i = 0; i < v->planes; i++) {
        glActiveTexture(GL_TEXTURE0 + (GLenum)i);
        glBindTexture(GL_TEXTURE_2D, v->tex[i]);
    }
    set_chroma_filter((struct render_video *)v, dst.w < v->width && dst.h < v->height);
    set_rgb_filter((struct render_video *)v, dst, uv);
    if (masked)
        bind_mask(p, v);
    glActiveTexture(GL_TEXTURE0);
    glUniform1i(p->layout, v->layout);
    glUniformMatrix3fv(p->matrix, 1, GL_FALSE, v->matrix);
    glUniform3fv(p->offset, 1, v->offset);
    glUniform1f(p->dim, dim);
    render__quad(r, p, dst, uv);
    return RENDER_DRAWN_SHADER;
}
