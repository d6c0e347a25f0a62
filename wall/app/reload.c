/*
 * reload.c - reading the layout file again when it changes: the file (and
 * its camera registry, when it lies beside it) is watched, read and checked
 * on libuv's thread pool, never on the render thread; a broken file keeps
 * the last good layout on screen, with a banner carrying the
 * file:line:column message.  A good one is shown (views.c), or, on a wall
 * of several nodes, sent to all of them first (sync.c).
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "base/log.h"
#include "base/prio.h"
#include "base/secret.h"
#include "output/output.h"
#include "registry/registry.h"

#include <libavutil/sha.h>

#define RELOAD_SETTLE_MS 150 /* editors write in several steps */


/* A layout file read on the thread pool: the worker fills layout and diags,
 * the render thread takes them in reload_done(). */
struct app_reload {
    uv_work_t req;
    struct app *app;
    char *path;
    enum ws_origin origin;
    struct layout *layout;
    struct layout_diags diags;
    struct registry *registry;    /* the layout's "registry", or NULL */
    char *reg_path;               /* its path, for reg_diags */
    struct layout_diags reg_diags;
    const char *secret_path;      /* --supervisor-secret-file (re-read too), or NULL */
    char secret[sizeof(((struct app *)0)->supervisor_secret)];
    int secret_ret;
    char hash[APP_HASH_MAX];      /* the version read (app_layout_hash()) */
};

/* ---- reloading the file ---- */


/* Sets the banner from the first error (and the count of the others). */
static void set_banner(struct app *app, const struct layout_diags *d)
{
    int errors = layout_diags_count(d, LAYOUT_ERROR);
    for (int i = 0; i < d->n; i++) {
        if (d->items[i].severity != LAYOUT_ERROR)
            continue;
        snprintf(app->banner, sizeof(app->banner),
                 "LAYOUT NOT RELOADED · %s:%d:%d: %s%s", app->opt.layout_path,
                 d->items[i].line, d->items[i].col, d->items[i].message,
                 errors > 1 ? " (and more: see the log)" : "");
        break;
    }
    app->dirty = app->full_redraw = true;
}

/* On the thread pool: reads and checks the file; touches nothing else. */
static void reload_work(uv_work_t *req)
{
    prio_background(); /* a pool thread: below the render thread */
    struct app_reload *job = req->data;
    reg_load_layout(job->path, &job->layout, &job->registry, &job->reg_path, &job->diags,
                    &job->reg_diags);
    if (job->layout)
        app_layout_hash(job->path, job->reg_path, job->hash);
    if (job->secret_path) /* a reload re-reads the supervisor secret too */
        job->secret_ret = secret_read_file(job->secret_path, job->secret, sizeof(job->secret));
}

static void reload_free(struct app_reload *job)
{
    secret_wipe(job->secret, sizeof(job->secret));
    layout_destroy(job->layout);
    layout_diags_clear(&job->diags);
    reg_destroy(job->registry);
    free(job->reg_path);
    layout_diags_clear(&job->reg_diags);
    free(job->path);
    free(job);
}

/* Back on the render thread: shows what was read, or keeps the old layout. */
static void reload_done(uv_work_t *req, int status)
{
    struct app_reload *job = req->data;
    struct app *app = job->app;
    app->reload = NULL;
    if (status < 0 || app->stopping) {
        reload_free(job);
        return;
    }
    if (job->secret_path && job->secret_ret < 0)
        tlog_err(app->log, "cannot read the supervisor secret from %s (%s): masks cannot "
                 "be lifted", job->secret_path, strerror(-job->secret_ret));
    if (job->secret_path)
        memcpy(app->supervisor_secret, job->secret, sizeof(job->secret));
    layout_diags_print(&job->diags, job->path, stderr);
    layout_diags_print(&job->reg_diags, job->reg_path, stderr);
    if (!job->layout) {
        tlog_err(app->log, "%s has errors: keeping the layout on screen", job->path);
        set_banner(app, job->diags.n ? &job->diags : &job->reg_diags);
    } else {
        struct layout *l = job->layout;
        out_resolve_sizes(l, app->opt.headless, app->log); /* asks SDL */
        job->layout = NULL; /* the app's now, and its registry too */
        app_layout_read(app, l, job->registry, job->hash, job->origin);
        job->registry = NULL;
    }
    enum ws_origin origin = job->origin;
    reload_free(job);
    if (app->reload_again) {
        app->reload_again = false;
        app_reload(app, origin);
    }
}

int app_reload(struct app *app, enum ws_origin origin)
{
    if (app->reload) {
        app->reload_again = true;
        return 0;
    }
    struct app_reload *job = calloc(1, sizeof(*job));
    if (!job || !(job->path = strdup(app->opt.layout_path))) {
        free(job);
        return -ENOMEM;
    }
    job->app = app;
    job->origin = origin;
    job->secret_path = app->opt.supervisor_secret_file;
    job->req.data = job;
    int ret = uv_queue_work(&app->loop, &job->req, reload_work, reload_done);
    if (ret < 0) {
        reload_free(job);
        return ret;
    }
    app->reload = job;
    return 0;
}

static void on_reload_timer(uv_timer_t *timer)
{
    app_reload(timer->data, WS_ORIGIN_FILE_WATCH);
}

static void on_file_event(uv_fs_event_t *ev, const char *name, int events, int status)
{
    struct app *app = ev->data;
    (void)events;
    if (status < 0 || (name && strcmp(name, app->watch_name) != 0 &&
                       strcmp(name, app->registry_watch_name) != 0))
        return;
    uv_timer_start(&app->reload_timer, on_reload_timer, RELOAD_SETTLE_MS, 0);
}

int app_watch_start(struct app *app)
{
    app_registry_watch(app);
    char *copy = strdup(app->opt.layout_path), *copy2 = strdup(app->opt.layout_path);
    int ret = copy && copy2 ? 0 : -ENOMEM;
    if (ret == 0) {
        snprintf(app->watch_name, sizeof(app->watch_name), "%s", basename(copy));
        uv_timer_init(&app->loop, &app->reload_timer);
        uv_fs_event_init(&app->loop, &app->watch);
        app->reload_timer.data = app->watch.data = app;
        app->watching = true;
        /* the directory, not the file: editors replace files by renaming */
        ret = uv_fs_event_start(&app->watch, on_file_event, dirname(copy2), 0);
        if (ret < 0)
            tlog_warn(app->log, "cannot watch %s for changes: %s", app->opt.layout_path,
                      uv_strerror(ret));
    }
    free(copy);
    free(copy2);
    return ret;
}

void app_watch_close(struct app *app)
{
    if (!app->watching)
        return;
    uv_close((uv_handle_t *)&app->watch, NULL);
    uv_close((uv_handle_t *)&app->reload_timer, NULL);
    app->watching = false;
}


/* Feeds the file at path into sha; false when it cannot be read. */
static bool hash_file(struct AVSHA *sha, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    unsigned char buf[16384];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        av_sha_update(sha, buf, n);
    bool ok = !ferror(f);
    fclose(f);
    return ok;
}

void app_layout_hash(const char *path, const char *reg_path, char hash[APP_HASH_MAX])
{
    struct AVSHA *sha = av_sha_alloc();
    unsigned char d[32];
    hash[0] = '\0';
    if (!sha || av_sha_init(sha, 256) < 0 || !hash_file(sha, path) ||
        (reg_path && (av_sha_update(sha, (const uint8_t *)"\0", 1), !hash_file(sha, reg_path)))) {
        av_free(sha);
        return;
    }
    av_sha_final(sha, d);
    av_free(sha);
    for (int i = 0; i < 32; i++)
        snprintf(hash + 2 * i, 3, "%02x", d[i]);
}
