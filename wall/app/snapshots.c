/*
 * snapshots.c - snapshot requests: the memory for the pictures is prepared
 * on libuv's thread pool, the pixels are read back on the render thread,
 * and the PNGs are encoded and written on the pool (see snapshots.h).
 */
#include "app/snapshots.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <libavcodec/avcodec.h>

#include "base/log.h"
#include "base/prio.h"
#include "base/snapdir.h"
#include "render/render.h"

#define SNAP_WAITING_MAX 8 /* requests waiting for one frame */

/* Where a waiting request stands. */
enum snap_stage {
    SNAP_NEW,       /* the next frame notes the outputs' sizes */
    SNAP_PREPARING, /* a pool thread allocates and touches the images */
    SNAP_READY,     /* the next frame reads the pixels back */
};

/* One request: a file per output.  Render thread, except images[i], which
 * the job preparing the images, then the job writing file i, owns while it
 * runs. */
struct snap_request {
    struct app_snaps *owner;
    enum snap_stage stage;
    int (*size)[2];               /* each output's size, noted at a frame */
    bool *read;                   /* each image holds its output's pixels */
    uv_work_t prepare;
    bool in_dir;                  /* names in the snapshot directory, else paths */
    int n;
    int n_here;                   /* outputs drawn here (named; the others NULL) */
    char **files;
    struct snapdir_id *expect;    /* in_dir: what each name held when reserved */
    struct render_image **images; /* read back, not yet written */
    int left;                     /* jobs still running */
    int ret;                      /* the first error, or 0 */
    app_snaps_done_fn done;
    void *opaque;
};

/* Writing one file; the worker sets ret and written. */
struct snap_job {
    uv_work_t work;
    struct snap_request *rq;
    int index;
    int dirfd;
    int ret;
    struct snapdir_id written;
};

/* Owned by the render thread. */
struct app_snaps {
    uv_loop_t *loop;
    const struct tlog *log;
    app_snaps_ready_fn ready;     /* a request's images were prepared */
    void *ready_opaque;
    char *dir_path;               /* --snapshot-dir, or NULL */
    struct snapdir *dir;          /* opened at the first socket request */
    struct snap_request *waiting[SNAP_WAITING_MAX];
    int n_waiting;
};

struct app_snaps *app_snaps_create(uv_loop_t *loop, const char *dir, const struct tlog *log,
                                   app_snaps_ready_fn ready, void *opaque)
{
    struct app_snaps *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->loop = loop;
    s->log = log;
    s->ready = ready;
    s->ready_opaque = opaque;
    if (dir && !(s->dir_path = strdup(dir))) {
        free(s);
        return NULL;
    }
    return s;
}

static void request_free(struct snap_request *rq)
{
    for (int i = 0; i < rq->n; i++) {
        if (rq->in_dir && rq->owner->dir && rq->files[i])
            snapdir_release(rq->owner->dir, rq->files[i], NULL);
        free(rq->files[i]);
        render_image_free(rq->images[i]);
    }
    free(rq->files);
    free(rq->expect);
    free(rq->images);
    free(rq->size);
    free(rq->read);
    free(rq);
}

void app_snaps_destroy(struct app_snaps *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n_waiting; i++)
        request_free(s->waiting[i]);
    snapdir_destroy(s->dir);
    free(s->dir_path);
    free(s);
}

static struct snap_request *request_new(struct app_snaps *s, int n, bool in_dir)
{
    struct snap_request *rq = calloc(1, sizeof(*rq));
    if (!rq)
        return NULL;
    rq->owner = s;
    rq->in_dir = in_dir;
    rq->files = calloc((size_t)n, sizeof(*rq->files));
    rq->expect = calloc((size_t)n, sizeof(*rq->expect));
    rq->images = calloc((size_t)n, sizeof(*rq->images));
    rq->size = calloc((size_t)n, sizeof(*rq->size));
    rq->read = calloc((size_t)n, sizeof(*rq->read));
    if (!rq->files || !rq->expect || !rq->images || !rq->size || !rq->read) {
        request_free(rq);
        return NULL;
    }
    return rq;
}

/* Opens the snapshot directory on first use. */
static int open_dir(struct app_snaps *s, char *err, size_t errlen)
{
    if (s->dir)
        return 0;
    char path[PATH_MAX];
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (s->dir_path)
        snprintf(path, sizeof(path), "%s", s->dir_path);
    else if (xdg && xdg[0] == '/')
        snprintf(path, sizeof(path), "%s/tessera", xdg);
    else
        snprintf(path, sizeof(path), "snapshots");
    if (!(s->dir = snapdir_create(path, err, errlen)))
        return -EIO;
    tlog_info(s->log, "snapshots go to %s", path);
    return 0;
}

/* "snapshot-20270105-143000-123.png", local time. */
static void timestamped_name(char *buf, size_t n)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    snprintf(buf, n, "snapshot-%s-%03ld.png", stamp, ts.tv_nsec / 1000000);
}

/* Names and reserves file i of rq: name, or NAME-OUTPUT.png with several. */
static int reserve_file(struct app_snaps *s, struct snap_request *rq, int i,
                        const char *name, const char *output, char *err, size_t errlen)
{
    char file[SNAPDIR_NAME_MAX * 2];
    if (!output)
        return 0; /* not drawn here: no file */
    if (rq->n_here == 1)
        snprintf(file, sizeof(file), "%s", name);
    else
        snprintf(file, sizeof(file), "%.*s-%s.png", (int)(strlen(name) - 4), name, output);
    if (!(rq->files[i] = strdup(file))) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int ret = snapdir_reserve(s->dir, file, &rq->expect[i], err, errlen);
    if (ret < 0) { /* not ours to release */
        free(rq->files[i]);
        rq->files[i] = NULL;
    }
    return ret;
}

int app_snaps_request(struct app_snaps *s, const char *name, const char *const *outputs,
                      int n_outputs, cJSON *reply, char *err, size_t errlen)
{
    char stamp[64];
    if (!name) {
        timestamped_name(stamp, sizeof(stamp));
        name = stamp;
    }
    int ret = snapdir_check_name(name, err, errlen);
    if (ret < 0)
        return ret;
    if (s->n_waiting == SNAP_WAITING_MAX) {
        snprintf(err, errlen, "too many snapshots are waiting for the next frame");
        return -EBUSY;
    }
    if ((ret = open_dir(s, err, errlen)) < 0)
        return ret;
    struct snap_request *rq = request_new(s, n_outputs, true);
    if (!rq) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    rq->n = n_outputs;
    for (int i = 0; i < n_outputs; i++)
        rq->n_here += outputs[i] != NULL;
    for (int i = 0; i < n_outputs && ret == 0; i++)
        ret = reserve_file(s, rq, i, name, outputs[i], err, errlen);
    if (ret < 0) {
        request_free(rq);
        return ret;
    }
    cJSON_AddStringToObject(reply, "name", name);
    cJSON *files = cJSON_AddArrayToObject(reply, "files");
    for (int i = 0; i < n_outputs; i++)
        if (rq->files[i])
            cJSON_AddItemToArray(files, cJSON_CreateString(rq->files[i]));
    s->waiting[s->n_waiting++] = rq;
    return 0;
}

int app_snaps_request_paths(struct app_snaps *s, const char *const *paths, int n,
                            app_snaps_done_fn done, void *opaque)
{
    if (s->n_waiting == SNAP_WAITING_MAX)
        return -EBUSY;
    struct snap_request *rq = request_new(s, n, false);
    if (!rq)
        return -ENOMEM;
    for (rq->n = 0; rq->n < n; rq->n++)
        if (paths[rq->n] && !(rq->files[rq->n] = strdup(paths[rq->n]))) {
            request_free(rq);
            return -ENOMEM;
        }
    rq->done = done;
    rq->opaque = opaque;
    s->waiting[s->n_waiting++] = rq;
    return 0;
}

bool app_snaps_waiting(const struct app_snaps *s)
{
    for (int i = 0; i < s->n_waiting; i++)
        if (s->waiting[i]->stage != SNAP_PREPARING)
            return true;
    return false;
}

void app_snaps_capture(struct app_snaps *s, struct renderer *r,
                       const struct render_target *target, int index)
{
    for (int i = 0; i < s->n_waiting; i++) {
        struct snap_request *rq = s->waiting[i];
        if (index >= rq->n || !rq->files[index])
            continue; /* another PC's output */
        if (rq->stage == SNAP_NEW) {
            render_target_size(target, &rq->size[index][0], &rq->size[index][1]);
        } else if (rq->stage == SNAP_READY && rq->images[index]) {
            struct render_image **img = &rq->images[index];
            int ret = render_snapshot_read(r, target, *img);
            if (ret < 0) { /* resized since its size was noted: a fresh image, here */
                int w, h;
                render_target_size(target, &w, &h);
                render_image_free(*img);
                *img = render_image_new(w, h);
                ret = *img ? render_snapshot_read(r, target, *img) : -ENOMEM;
            }
            rq->read[index] = ret == 0;
        }
    }
}

/* Worker thread: allocates and touches the request's images. */
static void prepare_work(uv_work_t *work)
{
    prio_background(); /* a pool thread: below the render thread */
    struct snap_request *rq = work->data;
    for (int i = 0; i < rq->n; i++)
        if (rq->files[i] && rq->size[i][0] > 0)
            rq->images[i] = render_image_new(rq->size[i][0], rq->size[i][1]);
}

/* Loop thread: the images are ready; the next frame reads them back. */
static void prepare_done(uv_work_t *work, int status)
{
    struct snap_request *rq = work->data;
    struct app_snaps *s = rq->owner;
    (void)status; /* an image missing fails its file at submit time */
    rq->stage = SNAP_READY;
    if (s->ready)
        s->ready(s->ready_opaque);
}

/* Frame of a new request: its images are prepared off this thread. */
static void start_prepare(struct app_snaps *s, struct snap_request *rq)
{
    rq->prepare.data = rq;
    rq->stage = SNAP_PREPARING;
    if (uv_queue_work(s->loop, &rq->prepare, prepare_work, prepare_done) < 0) {
        prepare_work(&rq->prepare); /* no pool: here and now */
        rq->stage = SNAP_READY;
    }
}

/* Worker thread: encodes and writes one file. */
static void job_work(uv_work_t *work)
{
    prio_background(); /* a pool thread: below the render thread */
    struct snap_job *job = work->data;
    struct snap_request *rq = job->rq;
    const char *file = rq->files[job->index];
    AVPacket *pkt = av_packet_alloc();
    int ret = pkt ? render_image_png(rq->images[job->index], pkt) : AVERROR(ENOMEM);
    if (ret == 0)
        ret = rq->in_dir ? snapdir_write(job->dirfd, file, pkt->data, (size_t)pkt->size,
                                         &rq->expect[job->index], &job->written)
                         : snapdir_write_path(file, pkt->data, (size_t)pkt->size);
    av_packet_free(&pkt);
    render_image_free(rq->images[job->index]);
    rq->images[job->index] = NULL;
    job->ret = ret;
}

/* Loop thread: the request is over once its last file is. */
static void request_finish(struct snap_request *rq)
{
    if (rq->done)
        rq->done(rq->opaque, rq->ret);
    request_free(rq);
}

/* Loop thread: one file written (or not). */
static void job_done(uv_work_t *work, int status)
{
    struct snap_job *job = work->data;
    struct snap_request *rq = job->rq;
    struct app_snaps *s = rq->owner;
    const char *file = rq->files[job->index];
    int ret = status < 0 ? status : job->ret;
    if (ret == -EEXIST)
        tlog_err(s->log, "snapshot %s not written: the name was taken meanwhile by a "
                         "file the wall did not write", file);
    else if (ret < 0)
        tlog_err(s->log, "cannot write snapshot %s: %s", file, av_err2str(ret));
    else if (rq->in_dir)
        printf("%s/%s\n", snapdir_path(s->dir), file);
    else
        printf("%s\n", file);
    fflush(stdout);
    if (rq->in_dir) { /* the name is free for the next request now */
        snapdir_release(s->dir, file, &job->written);
        free(rq->files[job->index]);
        rq->files[job->index] = NULL;
    }
    if (ret < 0 && rq->ret == 0)
        rq->ret = ret;
    free(job);
    if (--rq->left == 0)
        request_finish(rq);
}

/* Queues file i of rq; 0 or a negative errno (then nothing was queued). */
static int queue_job(struct app_snaps *s, struct snap_request *rq, int i)
{
    struct snap_job *job = calloc(1, sizeof(*job));
    if (!job)
        return -ENOMEM;
    job->rq = rq;
    job->index = i;
    job->dirfd = rq->in_dir ? snapdir_fd(s->dir) : -1;
    job->work.data = job;
    int ret = uv_queue_work(s->loop, &job->work, job_work, job_done);
    if (ret < 0)
        free(job);
    return ret;
}

/* Hands a captured request's images to the thread pool. */
static void submit_request(struct app_snaps *s, struct snap_request *rq)
{
    rq->left = 1; /* held until every job is queued */
    for (int i = 0; i < rq->n; i++) {
        if (!rq->files[i])
            continue; /* an output another PC draws */
        int ret = rq->images[i] && rq->read[i] ? queue_job(s, rq, i) : -EIO;
        if (ret == 0)
            rq->left++;
        else if (rq->ret == 0)
            rq->ret = ret;
    }
    if (rq->ret < 0)
        tlog_err(s->log, "a snapshot could not be taken of every output");
    if (--rq->left == 0)
        request_finish(rq);
}

void app_snaps_submit(struct app_snaps *s)
{
    int kept = 0, n = s->n_waiting;
    for (int k = 0; k < n; k++) {
        struct snap_request *rq = s->waiting[k];
        if (rq->stage == SNAP_READY) {
            submit_request(s, rq);
            continue;
        }
        if (rq->stage == SNAP_NEW)
            start_prepare(s, rq);
        s->waiting[kept++] = rq;
    }
    s->n_waiting = kept;
}
