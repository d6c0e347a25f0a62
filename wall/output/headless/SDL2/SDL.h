/*
 * SDL2/SDL.h (headless-only stand-in) - the few SDL names the shared sources
 * use outside the SDL output (the app's event pump, keys and clicks, log
 * routing), for TESSERA_HEADLESS_ONLY builds, which have no SDL: there is no
 * window, so no event ever arrives and SDL never logs.  Values are SDL's.
 * The integration test headless_only builds this configuration, so a new
 * SDL name in shared code shows up there first.  Only this build's include path
 * has this directory; the normal build uses the real SDL.
 */
#ifndef TESSERA_HEADLESS_SDL_H
#define TESSERA_HEADLESS_SDL_H

#include <stddef.h>
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
    SDL_MOUSEBUTTONDOWN = 0x401,
};
enum { SDL_WINDOWEVENT_EXPOSED = 3 };
enum { SDL_BUTTON_LEFT = 1 };

typedef int32_t SDL_Keycode;
#define SDL_KEYCODE_OF_SCANCODE(sc) ((SDL_Keycode)((sc) | (1 << 30)))
enum {
    SDLK_RETURN = '\r', SDLK_ESCAPE = 27, SDLK_1 = '1', SDLK_9 = '9',
    SDLK_h = 'h', SDLK_q = 'q',
    SDLK_F1 = SDL_KEYCODE_OF_SCANCODE(58),
    SDLK_RIGHT = SDL_KEYCODE_OF_SCANCODE(79), SDLK_LEFT = SDL_KEYCODE_OF_SCANCODE(80),
    SDLK_DOWN = SDL_KEYCODE_OF_SCANCODE(81), SDLK_UP = SDL_KEYCODE_OF_SCANCODE(82),
    SDLK_KP_ENTER = SDL_KEYCODE_OF_SCANCODE(88), SDLK_KP_1 = SDL_KEYCODE_OF_SCANCODE(89),
    SDLK_KP_9 = SDL_KEYCODE_OF_SCANCODE(97),
};
enum { KMOD_CTRL = 0x00c0 };

typedef struct SDL_Keysym {
    SDL_Keycode sym;
    uint16_t mod;
} SDL_Keysym;

typedef struct SDL_KeyboardEvent {
    uint32_t type;
    uint32_t windowID;
    uint8_t repeat;
    SDL_Keysym keysym;
} SDL_KeyboardEvent;

typedef struct SDL_MouseButtonEvent {
    uint32_t type;
    uint32_t windowID;
    uint8_t button;
    int32_t x, y;
} SDL_MouseButtonEvent;

typedef struct SDL_WindowEvent {
    uint32_t type;
    uint32_t windowID;
    uint8_t event;
} SDL_WindowEvent;

typedef union SDL_Event {
    uint32_t type;
    SDL_WindowEvent window;
    SDL_KeyboardEvent key;
    SDL_MouseButtonEvent button;
} SDL_Event;

typedef struct SDL_Window SDL_Window;

/* There are no windows. */
static inline SDL_Window *SDL_GetWindowFromID(uint32_t id)
{
    (void)id;
    return NULL;
}

static inline void SDL_GetWindowSize(SDL_Window *window, int *w, int *h)
{
    (void)window;
    *w = *h = 0;
}

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
