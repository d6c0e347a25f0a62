/*
 * snapshots.h - the wall's snapshots, off the render thread: a request
 * (the control socket's "snapshot", or the --snapshot one-shot) names one
 * file per output; the next frame notes the outputs' sizes, libuv's thread
 * pool allocates the images (and touches their pages), the first frame
 * after that reads each output's pixels back (all the render thread does),
 * and the pool encodes the PNGs and writes them.  Socket requests write only into the snapshot directory
 * (base/snapdir.h); the one-shot writes the operator's own path.
 *
 * Threads: everything here runs on the render thread (the loop's thread),
 * except the work it queues on the loop's thread pool.
 */
#ifndef TESSERA_APP_SNAPSHOTS_H
#define TESSERA_APP_SNAPSHOTS_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

struct cJSON;
struct renderer;
struct render_target;
struct tlog;
struct app_snaps;

/* Called on the loop's thread once every file of a request was written
 * (ret 0) or one failed (ret a negative errno/AVERROR). */
typedef void (*app_snaps_done_fn)(void *opaque, int ret);

/* Called on the loop's thread when a request's images are ready: the
 * caller should draw a frame soon (app_snaps_waiting is true again). */
typedef void (*app_snaps_ready_fn)(void *opaque);

/* Creates the snapshot service on loop, writing socket snapshots into dir
 * (NULL: $XDG_RUNTIME_DIR/tessera, else ./snapshots; opened, and created
 * 0700, at the first request).  log is borrowed; ready (may be NULL) is
 * called with opaque as described above.  NULL on allocation failure. */
struct app_snaps *app_snaps_create(uv_loop_t *loop, const char *dir, const struct tlog *log,
                                   app_snaps_ready_fn ready, void *opaque);

/* Frees the service; call it once the loop has run out (no preparation and
 * no write in flight).  Accepts NULL. */
void app_snaps_destroy(struct app_snaps *s);

/* A socket request: name is a bare file name ending .png, or NULL for a
 * timestamped one; with several outputs each file is NAME-OUTPUT.png.
 * An output named NULL is drawn by another PC: no file for it.
 * Every file must be one the directory may write (see snapdir_reserve).
 * On success adds "name" and "files" to reply and returns 0 (the files are
 * written soon after: see above); else returns a negative errno with the
 * reason in err. */
int app_snaps_request(struct app_snaps *s, const char *name, const char *const *outputs,
                      int n_outputs, struct cJSON *reply, char *err, size_t errlen);

/* The one-shot: writes output i to paths[i] (any path: the operator's own
 * command line; NULL: another PC draws it), then calls done.  Returns 0 or
 * -ENOMEM. */
int app_snaps_request_paths(struct app_snaps *s, const char *const *paths, int n,
                            app_snaps_done_fn done, void *opaque);

/* True when a request waits for a frame (to note sizes or to be read). */
bool app_snaps_waiting(const struct app_snaps *s);

/* After output index was drawn into target: notes its size for new
 * requests and reads its pixels back for ready ones (render thread, GL
 * current). */
void app_snaps_capture(struct app_snaps *s, struct renderer *r,
                       const struct render_target *target, int index);

/* After every output was captured: hands the ready requests' images to the
 * thread pool to be written, and new ones to be prepared. */
void app_snaps_submit(struct app_snaps *s);

#endif
