/*
 * output_egl.c - the output of TESSERA_HEADLESS_ONLY builds (same API as
 * output.c, no SDL): one OpenGL 3.3 core context on raw EGL with no window
 * system and no surface, for machines with no X server, no Wayland and no
 * SDL, such as a data-centre GPU.  The wall draws into its framebuffer
 * objects (render targets) as always; snapshots read them back; there is no
 * window to present to, so only --headless runs.
 *
 * The display is, in order: an EGL device (EGL_EXT_platform_device) that is
 * not a software rasteriser (NVIDIA's headless EGL), Mesa's surfaceless
 * platform (EGL_MESA_platform_surfaceless), a software EGL device, then the
 * default display.  TESSERA_EGL_PLATFORM=device|surfaceless|default forces
 * one.  GL functions come from glvnd's libOpenGL.so.0 (see
 * headless/GL/glew.h); eglGetProcAddress checks that the context really
 * has the entry points the renderer calls.
 */
#include "output/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/glew.h>

#include "base/log.h"

#define MAX_DEVICES 16

struct out_output {
    char *name;
    int width, height;
};

struct out_set {
    const struct tlog *log;
    struct out_output *out;
    int n;
    EGLDisplay dpy;
    EGLContext ctx;
    char gl_desc[256];
};

static bool has_ext(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; p && (p = strstr(p, name)); p += len)
        if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
            return true;
    return false;
}

/* Initialises dpy; returns it, or EGL_NO_DISPLAY (terminated) on failure. */
static EGLDisplay init_display(EGLDisplay dpy, const char *what, const struct tlog *log)
{
    EGLint major, minor;
    if (dpy == EGL_NO_DISPLAY)
        return EGL_NO_DISPLAY;
    if (!eglInitialize(dpy, &major, &minor)) {
        tlog_debug(log, "EGL %s: eglInitialize failed (0x%x)", what, (unsigned)eglGetError());
        return EGL_NO_DISPLAY;
    }
    tlog_debug(log, "EGL %s: EGL %d.%d, %s", what, major, minor,
               eglQueryString(dpy, EGL_VENDOR));
    return dpy;
}

/* The first EGL device that is (software false) a GPU / (true) a software
 * rasteriser and initialises. */
static EGLDisplay device_display(bool software, const struct tlog *log)
{
    PFNEGLQUERYDEVICESEXTPROC query_devices =
        (PFNEGLQUERYDEVICESEXTPROC)eglGetProcAddress("eglQueryDevicesEXT");
    PFNEGLQUERYDEVICESTRINGEXTPROC device_string =
        (PFNEGLQUERYDEVICESTRINGEXTPROC)eglGetProcAddress("eglQueryDeviceStringEXT");
    PFNEGLGETPLATFORMDISPLAYEXTPROC platform_display =
        (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
    EGLDeviceEXT devices[MAX_DEVICES];
    EGLint n = 0;
    if (!query_devices || !device_string || !platform_display ||
        !query_devices(MAX_DEVICES, devices, &n))
        return EGL_NO_DISPLAY;
    for (EGLint i = 0; i < n; i++) {
        const char *ext = device_string(devices[i], EGL_EXTENSIONS);
        if (has_ext(ext, "EGL_MESA_device_software") != software)
            continue;
        EGLDisplay dpy = init_display(
            platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i], NULL),
            software ? "software device" : "device", log);
        if (dpy != EGL_NO_DISPLAY)
            return dpy;
    }
    return EGL_NO_DISPLAY;
}

static EGLDisplay surfaceless_display(const struct tlog *log)
{
    PFNEGLGETPLATFORMDISPLAYEXTPROC platform_display =
        (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
    const char *client = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    if (!platform_display || !has_ext(client, "EGL_MESA_platform_surfaceless"))
        return EGL_NO_DISPLAY;
    return init_display(platform_display(EGL_PLATFORM_SURFACELESS_MESA,
                                         EGL_DEFAULT_DISPLAY, NULL),
                        "surfaceless platform", log);
}

/* Opens a display as the file comment says; names it in how. */
static EGLDisplay open_display(const struct tlog *log, char *how, size_t n)
{
    const char *force = getenv("TESSERA_EGL_PLATFORM");
    const char *client = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    bool device = has_ext(client, "EGL_EXT_platform_device") &&
                  (!force || strcmp(force, "device") == 0);
    bool surfaceless = !force || strcmp(force, "surfaceless") == 0;
    EGLDisplay dpy = EGL_NO_DISPLAY;
    if (device && (dpy = device_display(false, log)) != EGL_NO_DISPLAY)
        snprintf(how, n, "EGL device platform");
    else if (surfaceless && (dpy = surfaceless_display(log)) != EGL_NO_DISPLAY)
        snprintf(how, n, "EGL surfaceless platform");
    else if (device && (dpy = device_display(true, log)) != EGL_NO_DISPLAY)
        snprintf(how, n, "EGL software device");
    else if ((!force || strcmp(force, "default") == 0) &&
             (dpy = init_display(eglGetDisplay(EGL_DEFAULT_DISPLAY), "default display",
                                 log)) != EGL_NO_DISPLAY)
        snprintf(how, n, "EGL default display");
    return dpy;
}

/* Creates an OpenGL 3.3 core context and makes it current without a
 * surface (EGL_KHR_surfaceless_context). */
static int create_context(struct out_set *set)
{
    static const EGLint config_attrs[] = {
        EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE, EGL_PBUFFER_BIT,
        EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_NONE,
    };
    static const EGLint ctx_attrs[] = {
        EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
        EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE,
    };
    EGLConfig config = NULL;
    EGLint count = 0;
    const char *ext = eglQueryString(set->dpy, EGL_EXTENSIONS);
    if (!eglBindAPI(EGL_OPENGL_API)) {
        tlog_err(set->log, "EGL cannot bind the OpenGL API");
        return -1;
    }
    if (!eglChooseConfig(set->dpy, config_attrs, &config, 1, &count) || count < 1) {
        if (!has_ext(ext, "EGL_KHR_no_config_context")) {
            tlog_err(set->log, "EGL has no OpenGL configuration");
            return -1;
        }
        config = EGL_NO_CONFIG_KHR;
    }
    set->ctx = eglCreateContext(set->dpy, config, EGL_NO_CONTEXT, ctx_attrs);
    if (set->ctx == EGL_NO_CONTEXT) {
        tlog_err(set->log, "cannot create an OpenGL 3.3 core context (EGL 0x%x)",
                 (unsigned)eglGetError());
        return -1;
    }
    if (!eglMakeCurrent(set->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, set->ctx)) {
        tlog_err(set->log, "cannot make the context current without a surface (EGL 0x%x)",
                 (unsigned)eglGetError());
        return -1;
    }
    return 0;
}

/* True when the context is OpenGL 3.3 or later and has every entry point
 * the renderer calls (with glvnd, eglGetProcAddress answers for any GL
 * name, so the version is the check that counts). */
static bool gl_usable(const struct tlog *log)
{
    GLint major = 0, minor = 0;
    glGetIntegerv(GL_MAJOR_VERSION, &major);
    glGetIntegerv(GL_MINOR_VERSION, &minor);
    if (major * 10 + minor < 33) {
        tlog_err(log, "OpenGL %d.%d: the renderer needs 3.3 core", major, minor);
        return false;
    }
    static const char *const names[] = {
        "glCreateShader", "glShaderSource", "glCompileShader", "glCreateProgram",
        "glLinkProgram", "glUseProgram", "glGetUniformLocation", "glUniform4f",
        "glUniformMatrix3fv", "glGenVertexArrays", "glBindVertexArray",
        "glActiveTexture", "glBindFramebuffer", "glDeleteVertexArrays",
        "glBlitFramebuffer", "glFramebufferTexture2D", "glReadPixels",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!eglGetProcAddress(names[i])) {
            tlog_err(log, "the OpenGL context lacks %s", names[i]);
            return false;
        }
    }
    return true;
}

static int init_outputs(struct out_set *set, const struct layout *layout)
{
    set->n = layout->n_outputs;
    if (!(set->out = calloc((size_t)set->n, sizeof(*set->out))))
        return -1;
    for (int i = 0; i < set->n; i++) {
        set->out[i].width = layout->outputs[i].width;
        set->out[i].height = layout->outputs[i].height;
        if (!(set->out[i].name = strdup(layout->outputs[i].name)))
            return -1;
    }
    return 0;
}

struct out_set *out_set_create(const struct layout *layout,
                               const struct out_options *opt,
                               const struct tlog *log)
{
    char how[64] = "";
    if (!opt->headless) {
        tlog_err(log, "this is a headless-only build (TESSERA_HEADLESS_ONLY): "
                 "run with --headless");
        return NULL;
    }
    struct out_set *set = calloc(1, sizeof(*set));
    if (!set)
        return NULL;
    set->log = log;
    set->dpy = EGL_NO_DISPLAY;
    set->ctx = EGL_NO_CONTEXT;
    if (init_outputs(set, layout) < 0)
        goto fail;
    if ((set->dpy = open_display(log, how, sizeof(how))) == EGL_NO_DISPLAY) {
        tlog_err(log, "no EGL display: neither an EGL device nor Mesa's surfaceless "
                 "platform initialises (is libEGL's vendor library installed?)");
        goto fail;
    }
    if (create_context(set) < 0 || !gl_usable(log))
        goto fail;
    snprintf(set->gl_desc, sizeof(set->gl_desc), "%s, OpenGL %s (%s, %s)",
             (const char *)glGetString(GL_RENDERER), (const char *)glGetString(GL_VERSION),
             how, eglQueryString(set->dpy, EGL_VENDOR));
    tlog_info(log, "%s", set->gl_desc);
    return set;
fail:
    out_set_destroy(set);
    return NULL;
}

void out_resolve_sizes(struct layout *layout, bool headless, const struct tlog *log)
{
    (void)headless; /* this build has no displays: always headless */
    for (int v = 0; v < layout->n_views; v++)
        for (int o = 0; o < layout->views[v].n_outputs; o++) {
            struct layout_output *lo = &layout->views[v].outputs[o];
            if (lo->width > 0 && lo->height > 0)
                continue;
            lo->width = OUT_DEFAULT_WIDTH;
            lo->height = OUT_DEFAULT_HEIGHT;
            tlog_info(log, "output %s: no \"size\" and headless: %dx%d", lo->name,
                      lo->width, lo->height);
        }
}

void out_set_destroy(struct out_set *set)
{
    if (!set)
        return;
    if (set->dpy != EGL_NO_DISPLAY) {
        eglMakeCurrent(set->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        if (set->ctx != EGL_NO_CONTEXT)
            eglDestroyContext(set->dpy, set->ctx);
        eglTerminate(set->dpy);
    }
    for (int i = 0; set->out && i < set->n; i++)
        free(set->out[i].name);
    free(set->out);
    free(set);
}

int out_set_apply(struct out_set *set, const struct layout_output *outs, int n)
{
    struct out_output *out = calloc((size_t)n + 1, sizeof(*out));
    for (int i = 0; out && i < n; i++) {
        out[i].width = outs[i].width;
        out[i].height = outs[i].height;
        if (!(out[i].name = strdup(outs[i].name))) {
            while (i-- > 0)
                free(out[i].name);
            free(out);
            return -1;
        }
    }
    if (!out)
        return -1;
    for (int i = 0; i < set->n; i++)
        free(set->out[i].name);
    free(set->out);
    set->out = out;
    set->n = n;
    return 0;
}

void out_set_node(struct out_set *set, const char *node)
{
    (void)set; /* every output is drawn offscreen here: nothing to hide */
    (void)node;
}

int out_count(const struct out_set *set)
{
    return set->n;
}

void out_begin(struct out_set *set, int i, int *width, int *height)
{
    if (eglGetCurrentContext() != set->ctx)
        eglMakeCurrent(set->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, set->ctx);
    *width = set->out[i].width;
    *height = set->out[i].height;
}

void out_present(struct out_set *set, int i)
{
    (void)set;
    (void)i;
    glFlush(); /* nothing to show: the framebuffers are the output */
}

int out_index_of_window(const struct out_set *set, uint32_t window_id)
{
    (void)set;
    (void)window_id;
    return -1;
}

const char *out_name(const struct out_set *set, int i)
{
    return set->out[i].name;
}

const char *out_gl_description(const struct out_set *set)
{
    return set->gl_desc;
}
