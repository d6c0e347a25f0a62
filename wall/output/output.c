/*
 * output.c - SDL windows and the one shared GL context.  Headless runs use
 * SDL's offscreen video driver, which creates EGL pbuffer surfaces: there,
 * Debian's GLX-built GLEW reports GLEW_ERROR_NO_GLX_DISPLAY although it loaded
 * the GL functions, so that one error is accepted after checking that the
 * entry points the renderer needs are really there.
 */
#include "output/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <GL/glew.h>
#include <SDL2/SDL.h>

#include "base/log.h"

struct out_window {
    SDL_Window *window;
    char *name;
};

struct out_set {
    const struct tlog *log;
    struct out_window *win;
    int n;
    SDL_GLContext gl;
    char gl_desc[256];
};

static void set_gl_attributes(void)
{
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
    SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);
    SDL_GL_SetAttribute(SDL_GL_SHARE_WITH_CURRENT_CONTEXT, 1);
}

/* True when every GL entry point the renderer calls was loaded. */
static bool gl_entry_points_loaded(void)
{
    return glCreateShader && glShaderSource && glCompileShader &&
           glCreateProgram && glLinkProgram && glUseProgram &&
           glGetUniformLocation && glUniform4f && glUniformMatrix3fv &&
           glGenVertexArrays && glBindVertexArray && glActiveTexture &&
           glBindFramebuffer && glDeleteVertexArrays;
}

/* Loads GL entry points; see the file comment for the EGL case. */
static int load_gl(const struct tlog *log)
{
    glewExperimental = GL_TRUE;
    GLenum err = glewInit();
    glGetError(); /* glewInit queries extensions the core profile lacks */
    if (err == GLEW_ERROR_NO_GLX_DISPLAY && gl_entry_points_loaded()) {
        tlog_debug(log, "GLEW has no GLX display (EGL context); GL functions are loaded");
        return 0;
    }
    if (err != GLEW_OK) {
        tlog_err(log, "glewInit: %s", (const char *)glewGetErrorString(err));
        return -1;
    }
    if (!gl_entry_points_loaded()) {
        tlog_err(log, "the OpenGL 3.3 core functions are missing");
        return -1;
    }
    return 0;
}

static int create_window(struct out_set *set, int i, const struct layout_output *lo,
                         bool headless)
{
    Uint32 flags = SDL_WINDOW_OPENGL | (headless ? SDL_WINDOW_HIDDEN : 0);
    if (!headless)
        flags |= SDL_WINDOW_BORDERLESS;
    set->win[i].name = strdup(lo->name);
    set->win[i].window = SDL_CreateWindow(lo->name, SDL_WINDOWPOS_CENTERED,
                                          SDL_WINDOWPOS_CENTERED, lo->width,
                                          lo->height, flags);
    if (!set->win[i].window || !set->win[i].name) {
        tlog_err(set->log, "cannot create the window for output %s: %s", lo->name,
                 SDL_GetError());
        return -1;
    }
    return 0;
}

struct out_set *out_set_create(const struct layout *layout,
                               const struct out_options *opt,
                               const struct tlog *log)
{
    if (opt->headless)
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) {
        tlog_err(log, "cannot start SDL video: %s", SDL_GetError());
        return NULL;
    }
    struct out_set *set = calloc(1, sizeof(*set));
    if (!set || !(set->win = calloc((size_t)layout->n_outputs, sizeof(*set->win))))
        goto fail;
    set->log = log;
    set->n = layout->n_outputs;
    set_gl_attributes();
    for (int i = 0; i < set->n; i++)
        if (create_window(set, i, &layout->outputs[i], opt->headless) < 0)
            goto fail;
    set->gl = SDL_GL_CreateContext(set->win[0].window);
    if (!set->gl) {
        tlog_err(log, "cannot create an OpenGL 3.3 core context: %s", SDL_GetError());
        goto fail;
    }
    if (load_gl(log) < 0)
        goto fail;
    for (int i = 0; i < set->n; i++) {
        SDL_GL_MakeCurrent(set->win[i].window, set->gl);
        SDL_GL_SetSwapInterval(opt->vsync && i == 0 ? 1 : 0);
    }
    snprintf(set->gl_desc, sizeof(set->gl_desc), "%s, OpenGL %s (SDL driver %s)",
             (const char *)glGetString(GL_RENDERER), (const char *)glGetString(GL_VERSION),
             SDL_GetCurrentVideoDriver());
    tlog_info(log, "%s", set->gl_desc);
    return set;
fail:
    out_set_destroy(set);
    if (!set)
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
    return NULL;
}

void out_set_destroy(struct out_set *set)
{
    if (!set)
        return;
    if (set->gl)
        SDL_GL_DeleteContext(set->gl);
    for (int i = 0; set->win && i < set->n; i++) {
        if (set->win[i].window)
            SDL_DestroyWindow(set->win[i].window);
        free(set->win[i].name);
    }
    free(set->win);
    free(set);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

int out_count(const struct out_set *set)
{
    return set->n;
}

void out_begin(struct out_set *set, int i, int *width, int *height)
{
    SDL_GL_MakeCurrent(set->win[i].window, set->gl);
    SDL_GL_GetDrawableSize(set->win[i].window, width, height);
}

void out_present(struct out_set *set, int i)
{
    SDL_GL_SwapWindow(set->win[i].window);
}

int out_index_of_window(const struct out_set *set, uint32_t window_id)
{
    for (int i = 0; i < set->n; i++)
        if (SDL_GetWindowID(set->win[i].window) == window_id)
            return i;
    return -1;
}

const char *out_name(const struct out_set *set, int i)
{
    return set->win[i].name;
}

const char *out_gl_description(const struct out_set *set)
{
    return set->gl_desc;
}
