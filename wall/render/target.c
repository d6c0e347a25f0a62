/*
 * target.c - render targets: an output's framebuffer (a texture and its
 * FBO), also used for map panels' base layers (mapbase.c).
 *
 * A target is laid out as a window's buffer is in Mesa: B, G, R, A bytes,
 * rows from the top (render_internal.h).  With a software rasteriser,
 * presenting it and copying scaled pictures into it are then plain memory
 * copies instead of a shader pass over every pixel.
 */
#include <stdlib.h>

#include "render/render_internal.h"

struct render_target *render_target_create(int width, int height)
{
    struct render_target *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->width = width;
    t->height = height;
    glGenTextures(1, &t->tex);
    glBindTexture(GL_TEXTURE_2D, t->tex);
    /* unsized RGBA: the driver picks the layout of the BGRA data offered */
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_BGRA,
                 GL_UNSIGNED_BYTE, NULL);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glGenFramebuffers(1, &t->fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, t->fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D,
                           t->tex, 0);
    GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    if (status != GL_FRAMEBUFFER_COMPLETE) {
        render_target_destroy(t);
        return NULL;
    }
    return t;
}

void render_target_size(const struct render_target *t, int *width, int *height)
{
    *width = t->width;
    *height = t->height;
}

void render_target_destroy(struct render_target *t)
{
    if (!t)
        return;
    glDeleteFramebuffers(1, &t->fbo);
    glDeleteTextures(1, &t->tex);
    free(t);
}
