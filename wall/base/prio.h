/*
 * prio.h - background threads run a little below the render thread.  Linux
 * niceness is per thread, and a thread's new threads inherit it: feed
 * threads (and the decoders' own threads) and libuv's thread pool (snapshot
 * images and PNGs, basemap tiles, layout reads, stats files) call
 * prio_background() so that, when the machine is short of CPU, the wall
 * keeps drawing on time and the background work waits instead.
 */
#ifndef TESSERA_BASE_PRIO_H
#define TESSERA_BASE_PRIO_H

#define PRIO_BACKGROUND_NICE 4 /* the render thread keeps 0 */

/* Lowers the calling thread to PRIO_BACKGROUND_NICE; idempotent, any
 * thread.  Returns 0 or a negative errno (the thread runs on unchanged). */
int prio_background(void);

#endif
