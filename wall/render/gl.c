/*
 * gl.c - the renderer's GL objects: shader programs loaded from shaders/,
 * the empty VAO, frame begin/end, and flat rectangles.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "render/render_internal.h"

#define MAX_SHADER_BYTES (256 * 1024)

/* Reads shader_dir/name into a new NUL-terminated buffer; NULL on failure. */
static char *read_shader(const char *dir, const char *name, const struct tlog *log)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        tlog_err(log, "cannot open shader %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MAX_SHADER_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_SHADER_BYTES, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* Compiles shader dir/name with defines (NULL: none) inserted after its
 * #version line. */
static GLuint compile(GLenum type, const char *dir, const char *name,
                      const char *defines, const struct tlog *log)
{
    char *src = read_shader(dir, name, log);
    if (!src)
        return 0;
    char *body = strchr(src, '\n');
    body = body ? body + 1 : src + strlen(src);
    const GLchar *parts[3] = {src, defines ? defines : "", body};
    GLint lens[3] = {(GLint)(body - src), -1, -1};
    GLuint sh = glCreateShader(type);
    glShaderSource(sh, 3, parts, lens);
    glCompileShader(sh);
    free(src);
    GLint ok = 0;
    glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char msg[1024];
        glGetShaderInfoLog(sh, sizeof(msg), NULL, msg);
        tlog_err(log, "shader %s/%s: %s", dir, name, msg);
        glDeleteShader(sh);
        return 0;
    }
    return sh;
}

/* Builds vert + frag into prog and looks up its uniforms. */
static int link_shaders(struct render_program *prog, const char *dir, const char *vert,
                        const char *frag, const char *defines, const struct tlog *log)
{
    GLuint vs = compile(GL_VERTEX_SHADER, dir, vert, NULL, log);
    GLuint fs = compile(GL_FRAGMENT_SHADER, dir, frag, defines, log);
    GLint ok = 0;
    if (vs && fs) {
        prog->id = glCreateProgram();
        glAttachShader(prog->id, vs);
        glAttachShader(prog->id, fs);
        glLinkProgram(prog->id);
        glGetProgramiv(prog->id, GL_LINK_STATUS, &ok);
    }
    glDeleteShader(vs);
    glDeleteShader(fs);
    if (!ok) {
        tlog_err(log, "cannot link the %s program", frag);
        return -EINVAL;
    }
    GLuint p = prog->id;
    prog->rect = glGetUniformLocation(p, "u_rect");
    prog->target = glGetUniformLocation(p, "u_target");
    prog->uv = glGetUniformLocation(p, "u_uv");
    prog->color = glGetUniformLocation(p, "u_color");
    prog->tex = glGetUniformLocation(p, "u_tex");
    prog->layout = glGetUniformLocation(p, "u_layout");
    prog->matrix = glGetUniformLocation(p, "u_matrix");
    prog->offset = glGetUniformLocation(p, "u_offset");
    prog->dim = glGetUniformLocation(p, "u_dim");
    prog->shape = glGetUniformLocation(p, "u_shape");
    prog->heading = glGetUniformLocation(p, "u_heading");
    prog->mask = glGetUniformLocation(p, "u_mask");
    prog->masked = glGetUniformLocation(p, "u_masked");
    prog->blocks = glGetUniformLocation(p, "u_blocks");
    static const char *const planes[3] = {"u_plane0", "u_plane1", "u_plane2"};
    glUseProgram(p);
    for (int i = 0; i < 3; i++) {
        prog->plane[i] = glGetUniformLocation(p, planes[i]);
        if (prog->plane[i] >= 0)
            glUniform1i(prog->plane[i], i);
    }
    if (prog->tex >= 0)
        glUniform1i(prog->tex, 0);
    if (prog->mask >= 0)
        glUniform1i(prog->mask, 3);
    return 0;
}

/* Builds quad.vert + frag into prog. */
static int link_program(struct render_program *prog, const char *dir,
                        const char *frag, const char *defines, const struct tlog *log)
{
    return link_shaders(prog, dir, "quad.vert", frag, defines, log);
}

/* One video program per plane layout and mask use (see video.frag). */
static int link_video_programs(struct renderer *r, const char *dir,
                               const struct tlog *log)
{
    for (int layout = 0; layout < RENDER_VIDEO_LAYOUTS; layout++)
        for (int masked = 0; masked < 2; masked++) {
            char defines[64];
            snprintf(defines, sizeof(defines), "#define LAYOUT %d\n#define MASKED %d\n",
                     layout, masked);
            if (link_program(&r->video[layout][masked], dir, "video.frag", defines, log) < 0)
                return -EINVAL;
        }
    return 0;
}

struct renderer *render_create(const char *shader_dir, const struct tlog *log)
{
    struct renderer *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->log = log;
    glGenVertexArrays(1, &r->vao);
    if (link_program(&r->solid, shader_dir, "solid.frag", NULL, log) < 0 ||
        link_program(&r->text, shader_dir, "text.frag", NULL, log) < 0 ||
        link_program(&r->marker, shader_dir, "marker.frag", NULL, log) < 0 ||
        link_shaders(&r->sector, shader_dir, "sector.vert", "sector.frag", NULL, log) < 0 ||
        link_video_programs(r, shader_dir, log) < 0)
        goto fail;
    if (!(r->texts = render__text_create(log)))
        goto fail;
    return r;
fail:
    render_destroy(r);
    return NULL;
}

bool render_is_software(const struct renderer *r)
{
    const char *name = (const char *)glGetString(GL_RENDERER);
    (void)r;
    return name && (strstr(name, "llvmpipe") || strstr(name, "softpipe") ||
                    strstr(name, "SWR") || strstr(name, "Software Rasterizer"));
}

void render_destroy(struct renderer *r)
{
    if (!r)
        return;
    render__text_destroy(r->texts);
    render__basemap_destroy(r->basemap);
    render__map_bases_destroy(r);
    glDeleteProgram(r->solid.id);
    glDeleteProgram(r->text.id);
    for (int layout = 0; layout < RENDER_VIDEO_LAYOUTS; layout++)
        for (int masked = 0; masked < 2; masked++)
            glDeleteProgram(r->video[layout][masked].id);
    glDeleteProgram(r->marker.id);
    glDeleteProgram(r->sector.id);
    render__sectors_destroy(r);
    glDeleteVertexArrays(1, &r->vao);
    free(r);
}

void render_frame_start(struct renderer *r)
{
    r->basemap_uploads_left = RENDER_BASEMAP_UPLOADS;
}

void render_begin(struct renderer *r, struct render_target *target, bool clear)
{
    r->target = target;
    r->width = target->width;
    r->height = target->height;
    r->frame++;
    glBindFramebuffer(GL_FRAMEBUFFER, target->fbo);
    glViewport(0, 0, target->width, target->height);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_SCISSOR_TEST);
    if (clear) {
        glClearColor(0.02f, 0.02f, 0.03f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
    }
    glBindVertexArray(r->vao);
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
}

void render_present(struct renderer *r, const struct render_target *target,
                    int width, int height)
{
    (void)r;
    glBindFramebuffer(GL_READ_FRAMEBUFFER, target->fbo);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    /* flipped in GL terms: the target's top row first becomes the window's
     * (whose buffer Mesa also keeps top row first: a row-for-row copy) */
    glBlitFramebuffer(0, 0, target->width, target->height, 0, height, width, 0,
                      GL_COLOR_BUFFER_BIT,
                      width == target->width && height == target->height ? GL_NEAREST
                                                                        : GL_LINEAR);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

void render_end(struct renderer *r)
{
    render__text_sweep(r->texts, r->frame);
    glFlush();
}
