/*
 * dir.c - the EIDO drop directory (--eido-dir): a CAD export writes
 * NAME.json files (best written under another name and renamed).  A change
 * notification (uv_fs_event) or a 2 s poll starts a scan on the thread pool
 * that lists the directory and reads every .json file new or changed (by
 * mtime and size) since the last scan; the loop thread then parses and
 * applies the documents.  The render thread never touches the disk here.
 */
#include "cot/inputs_priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/prio.h"
#include "cot/eido.h"

#define COT__DIR_FILES_MAX 256
#define COT__DIR_POLL_MS 2000

struct cot__dirfile {
    char name[256];
    int64_t mtime_ns, size;
};

struct cot__dirdoc {
    char name[256];
    char *text; /* NULL: unreadable or too big (err says) */
    size_t len;
    int err;
};

/* Owned by the worker while in->dir->busy, by the loop thread otherwise. */
struct cot__dirscan {
    struct cot__src *src;
    char path[4096];
    uv_fs_event_t fsev;
    uv_timer_t poll;
    uv_work_t work;
    bool busy, again, have_fsev;
    struct cot__dirfile known[COT__DIR_FILES_MAX];
    size_t n_known;
    struct cot__dirdoc docs[COT__DIR_FILES_MAX];
    size_t n_docs;
};

static bool cot__is_json(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0 && n < 256;
}

/* Worker: reads one file into doc (at most EIDO_DOC_MAX bytes). */
static void cot__read_doc(int dfd, const char *name, int64_t size, struct cot__dirdoc *doc)
{
    memset(doc, 0, sizeof *doc);
    snprintf(doc->name, sizeof doc->name, "%s", name);
    if (size > EIDO_DOC_MAX) {
        doc->err = E2BIG;
        return;
    }
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || !(doc->text = malloc((size_t)size + 1))) {
        doc->err = fd < 0 ? errno : ENOMEM;
        if (fd >= 0)
            close(fd);
        return;
    }
    ssize_t n = read(fd, doc->text, (size_t)size + 1);
    close(fd);
    if (n < 0 || n > size) { /* error, or it grew: read it when it settles */
        free(doc->text);
        doc->text = NULL;
        doc->err = n < 0 ? errno : EAGAIN;
        return;
    }
    doc->len = (size_t)n;
}

static void cot__scan_work(uv_work_t *w)
{
    prio_background(); /* a pool thread: below the render thread */
    struct cot__dirscan *d = w->data;
    struct cot__dirfile now[COT__DIR_FILES_MAX];
    size_t n_now = 0;
    struct dirent *e;
    struct stat st;
    DIR *dir = opendir(d->path);
    d->n_docs = 0;
    if (!dir)
        return;
    while ((e = readdir(dir)) && n_now < COT__DIR_FILES_MAX) {
        if (!cot__is_json(e->d_name) ||
            fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        struct cot__dirfile *f = &now[n_now++];
        snprintf(f->name, sizeof f->name, "%s", e->d_name);
        f->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        f->size = st.st_size;
        bool seen = false;
        for (size_t i = 0; i < d->n_known && !seen; i++)
            seen = !strcmp(d->known[i].name, f->name) && d->known[i].mtime_ns == f->mtime_ns &&
                   d->known[i].size == f->size;
        if (!seen)
            cot__read_doc(dirfd(dir), f->name, f->size, &d->docs[d->n_docs++]);
    }
    closedir(dir);
    memcpy(d->known, now, n_now * sizeof now[0]);
    d->n_known = n_now;
}

static void cot__scan_start(struct cot__dirscan *d);

static void cot__scan_done(uv_work_t *w, int status)
{
    struct cot__dirscan *d = w->data;
    struct cot_inputs *in = d->src->owner;
    in->pending_reqs--;
    d->busy = false;
    for (size_t i = 0; i < d->n_docs; i++) {
        struct cot__dirdoc *doc = &d->docs[i];
        if (status == 0 && !in->closing && doc->text)
            cot__eido_text(d->src, doc->name, doc->text, doc->len);
        else if (status == 0 && !in->closing && doc->err != EAGAIN)
            cot__set_error(d->src, "%s: %s", doc->name, strerror(doc->err));
        free(doc->text);
    }
    d->n_docs = 0;
    if (d->again && !in->closing)
        cot__scan_start(d);
}

static void cot__scan_start(struct cot__dirscan *d)
{
    struct cot_inputs *in = d->src->owner;
    if (d->busy) {
        d->again = true;
        return;
    }
    d->again = false;
    d->work.data = d;
    if (uv_queue_work(in->loop, &d->work, cot__scan_work, cot__scan_done) == 0)
        d->busy = true, in->pending_reqs++;
}

static void cot__dir_changed(uv_fs_event_t *h, const char *name, int events, int status)
{
    (void)name, (void)events, (void)status;
    cot__scan_start(h->data);
}

static void cot__dir_poll(uv_timer_t *t)
{
    cot__scan_start(t->data);
}

static void cot__dir_handle_closed(uv_handle_t *h)
{
    struct cot__dirscan *d = h->data;
    d->src->owner->open_handles--;
}

int cot__dir_open(struct cot_inputs *in, const char *path)
{
    struct stat st;
    struct cot__dirscan *d;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        tlog_err(in->log, "--eido-dir %s: not a directory", path);
        return -ENOTDIR;
    }
    if (!(d = calloc(1, sizeof *d)) || !(d->src = cot__src_add(in, "eido-dir", path))) {
        free(d);
        return -ENOMEM;
    }
    in->dir = d;
    snprintf(d->path, sizeof d->path, "%s", path);
    d->src->connected = true;
    uv_timer_init(in->loop, &d->poll);
    d->poll.data = d, in->open_handles++;
    uv_timer_start(&d->poll, cot__dir_poll, 0, COT__DIR_POLL_MS);
    uv_fs_event_init(in->loop, &d->fsev);
    d->fsev.data = d, in->open_handles++, d->have_fsev = true;
    if (uv_fs_event_start(&d->fsev, cot__dir_changed, d->path, 0) < 0)
        tlog_info(in->log, "--eido-dir %s: no change notifications; polling every 2 s", path);
    tlog_info(in->log, "watching %s for EIDO documents (*.json)", path);
    return 0;
}

void cot__dir_close(struct cot_inputs *in)
{
    struct cot__dirscan *d = in->dir;
    if (!d)
        return;
    uv_close((uv_handle_t *)&d->poll, cot__dir_handle_closed);
    if (d->have_fsev)
        uv_close((uv_handle_t *)&d->fsev, cot__dir_handle_closed);
    d->have_fsev = false;
}

void cot__dir_free(struct cot_inputs *in)
{
    free(in->dir);
    in->dir = NULL;
}
