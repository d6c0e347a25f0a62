/*
 * SDL2/SDL.h (headless-only stand-in) - the few SDL names the shared sources
 * use outside the SDL output (app.c's event pump and log routing), for
 * TESSERA_HEADLESS_ONLY builds, which have no SDL: there is no window, so no
 * event ever arrives and SDL never logs.  Only this build's include path
 * has this directory; the normal build uses the real SDL.
 */
#ifndef TESSERA_HEADLESS_SDL_H
#define TESSERA_HEADLESS_SDL_H

#include <stdint.h>

typedef enum {
    SDL_LOG_PRIORITY_VERBOSE = 1,
    SDL_LOG_PRIORITY_DEBUG,
    SDL_LOG_PRIORITY_INFO,
    SDL_LOG_PRIORITY_WARN,
    SDL_LOG_PRIORITY_ERROR,
    SDL_LOG_PRIORITY_CRITICAL,
} SDL_LogPriority;

typedef void (*SDL_LogOutputFunction)(void *userdata, int category,
                                      SDL_LogPriority priority, const char *message);

enum {
    SDL_QUIT = 0x100,
    SDL_WINDOWEVENT = 0x200,
    SDL_KEYDOWN = 0x300,
};
enum { SDL_WINDOWEVENT_EXPOSED = 3 };
enum { SDLK_h = 'h', SDLK_q = 'q' };
enum { KMOD_CTRL = 0x00c0 };

typedef struct SDL_Keysym {
    int32_t sym;
    uint16_t mod;
} SDL_Keysym;

typedef struct SDL_KeyboardEvent {
    uint32_t type;
    uint8_t repeat;
    SDL_Keysym keysym;
} SDL_KeyboardEvent;

typedef struct SDL_WindowEvent {
    uint32_t type;
    uint8_t event;
} SDL_WindowEvent;

typedef union SDL_Event {
    uint32_t type;
    SDL_WindowEvent window;
    SDL_KeyboardEvent key;
} SDL_Event;

/* No window, no events: always 0. */
static inline int SDL_PollEvent(SDL_Event *event)
{
    (void)event;
    return 0;
}

/* Nothing logs through SDL here. */
static inline void SDL_LogSetOutputFunction(SDL_LogOutputFunction callback,
                                            void *userdata)
{
    (void)callback;
    (void)userdata;
}

#endif
