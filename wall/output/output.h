/*
 * output.h - the screens a wall draws on: one SDL window per layout output
 * (borderless, or offscreen with --headless) and one OpenGL 3.3 core context
 * shared by all of them, so a feed's textures are uploaded once and drawn by
 * every output.
 *
 * Threads: render thread only.
 */
#ifndef TESSERA_OUTPUT_H
#define TESSERA_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "layout/layout.h"

struct tlog;
struct out_set;

struct out_options {
    bool headless; /* SDL's offscreen driver (EGL), no window on any screen */
    bool vsync;    /* swap interval 1 on the first output only */
};

/* Initialises SDL video, creates one window per output of layout at the
 * output's size, one GL context, and loads GL entry points with GLEW.
 * Returns NULL (reason logged) on failure. */
struct out_set *out_set_create(const struct layout *layout,
                               const struct out_options *opt,
                               const struct tlog *log);

/* Destroys windows and the context and shuts SDL video down; accepts NULL. */
void out_set_destroy(struct out_set *set);

/* Number of outputs. */
int out_count(const struct out_set *set);

/* Makes output i current for drawing and returns its drawable size. */
void out_begin(struct out_set *set, int i, int *width, int *height);

/* Presents output i (swaps its buffers). */
void out_present(struct out_set *set, int i);

/* The output index of the SDL window with this id, or -1. */
int out_index_of_window(const struct out_set *set, uint32_t window_id);

/* The layout name of output i (for snapshot file names). */
const char *out_name(const struct out_set *set, int i);

/* A one-line description of the GL implementation (renderer, version). */
const char *out_gl_description(const struct out_set *set);

#endif
