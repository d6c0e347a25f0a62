/*
 * GL/glew.h (headless-only stand-in) - for TESSERA_HEADLESS_ONLY builds,
 * which have no GLEW: the renderer's GL 3.3 core calls are declared by
 * Khronos' glcorearb.h and resolved by linking glvnd's libOpenGL.so.0, which
 * exports every core entry point and dispatches it to the EGL context
 * current on the thread (output_egl.c makes it current and checks the
 * entry points with eglGetProcAddress).  Only this build's include path has
 * this directory; the normal build uses the real GLEW.
 */
#ifndef TESSERA_HEADLESS_GLEW_H
#define TESSERA_HEADLESS_GLEW_H

#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <GL/glcorearb.h>

#endif
