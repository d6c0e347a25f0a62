/*
 * quad.c - the two drawing primitives every other file of the renderer
 * uses: a textured quad through a program, and a solid rectangle.  A leaf
 * of the module: it calls no other file of it.
 */
#include "render/render_internal.h"

void render__quad(struct renderer *r, const struct render_program *prog,
                  struct layout_rect rect, const float uv[4])
{
    glUseProgram(prog->id);
    glUniform4f(prog->rect, (float)rect.x, (float)rect.y, (float)rect.w, (float)rect.h);
    glUniform2f(prog->target, (float)r->width, (float)r->height);
    glUniform4f(prog->uv, uv[0], uv[1], uv[2], uv[3]);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
}

void render__scissor(struct layout_rect rect)
{
    glEnable(GL_SCISSOR_TEST);
    glScissor(rect.x, rect.y, rect.w, rect.h); /* targets' rows run from the top */
}

void render_rect(struct renderer *r, struct layout_rect rect,
                 struct render_color c)
{
    static const float full[4] = {0, 0, 1, 1};
    if (c.a < 1.0f)
        glEnable(GL_BLEND);
    glUseProgram(r->solid.id);
    glUniform4f(r->solid.color, c.r, c.g, c.b, c.a);
    render__quad(r, &r->solid, rect, full);
    glDisable(GL_BLEND);
}
