/*
 * audit.c - the audit log's writer: a bounded queue of records filled by any
 * thread, and a thread of the module that numbers each record, puts it on a
 * line with the hash of the line before it, appends it to the file and
 * fsyncs.  Callers never touch the file; a full queue makes a producer wait
 * briefly, then counts the record as lost, and the writer notes the count in
 * an "audit_overflow" record at the place of the loss.
 */
#include "audit/audit.h"
#include "audit/audit_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/mem.h>
#include <libavutil/sha.h>

#include "base/log.h"
#include "base/timeutil.h"

#define BATCH 64                    /* records taken from the queue at once */
#define SYNC_EVERY_US 1000000       /* unsynced records wait at most this */

/* A queued record. */
struct audit_item {
    cJSON *fields;         /* owned; NULL for none */
    int64_t wall_us;       /* when it was queued: its "time" */
    uint64_t lost_before;  /* records lost (queue full) just before it */
    bool sync;
    char event[48];
};

struct audit {
    struct tlog *log;           /* immutable after audit_open */
    int fd;                     /* the writer's (audit_open/close: caller's) */
    pthread_t thread;
    bool thread_started;        /* audit_open/close */
    pthread_mutex_t mu;
    pthread_cond_t work;        /* writer waits: records queued, or stop */
    pthread_cond_t space;       /* producers wait: room in the queue */
    bool mu_ready, work_ready, space_ready;
    /* Under mu: */
    struct audit_item *q;       /* ring of AUDIT_QUEUE_MAX */
    size_t head, count;
    uint64_t pending_lost;      /* lost, not yet attached to a record */
    bool stopping, hold;
    /* The writer thread's (audit_open fills them before it starts): */
    struct AVSHA *sha;
    long long seq;              /* of the last record written; 0: none */
    uint8_t prev[AUDIT__HASH_LEN]; /* hash of the last line */
    int64_t size;               /* file size after the last good write */
    bool dirty;                 /* written since the last fsync */
    int64_t synced_us;          /* monotonic time of the last fsync */
    uint64_t write_lost;        /* records whose write failed, not yet noted */
    int write_err;              /* errno of the first of them */
};

/* Writes n bytes at the end of the file; on failure cuts what was written
 * back to the last good size and returns a negative errno. */
static int write_all(struct audit *a, const char *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(a->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = w < 0 ? errno : EIO;
            if (done > 0 && ftruncate(a->fd, (off_t)a->size) < 0)
                tlog_err(a->log, "cannot cut a partial record: %s", strerror(errno));
            return -err;
        }
        done += (size_t)w;
    }
    a->size += (int64_t)n;
    return 0;
}

/* Moves the members of fields (sanitised) into o, after "event". */
static bool move_fields(cJSON *o, cJSON *fields)
{
    if (audit__sanitize(fields) < 0)
        return false;
    cJSON *c;
    while ((c = fields->child)) {
        cJSON_DetachItemViaPointer(fields, c);
        if (!cJSON_AddItemToObject(o, c->string, c)) {
            cJSON_Delete(c);
            return false;
        }
    }
    return true;
}

/* The line (no newline) of the next record, or NULL; frees fields. */
static char *build_line(struct audit *a, const char *event, cJSON *fields,
                        int64_t wall_us)
{
    char when[32], prev[AUDIT__HEX_LEN + 1];
    audit__format_time(wall_us, when);
    audit__hex(a->prev, prev);
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddNumberToObject(o, "seq", (double)(a->seq + 1)) &&
              cJSON_AddStringToObject(o, "time", when) &&
              cJSON_AddStringToObject(o, "event", event) &&
              (!fields || move_fields(o, fields)) &&
              cJSON_AddStringToObject(o, "prev", prev);
    char *line = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    cJSON_Delete(fields);
    return line;
}

/* Appends the next record to the file and moves the chain on; frees
 * fields.  0 or a negative errno (nothing written, the chain unchanged). */
static int append_record(struct audit *a, const char *event, cJSON *fields,
                         int64_t wall_us)
{
    char *line = build_line(a, event, fields, wall_us);
    if (!line)
        return -ENOMEM;
    size_t len = strlen(line);
    char *buf = malloc(len + 1);
    int ret = buf ? 0 : -ENOMEM;
    if (ret == 0) {
        memcpy(buf, line, len);
        buf[len] = '\n';
        ret = write_all(a, buf, len + 1);
    }
    if (ret == 0) {
        audit__sha256(a->sha, line, len, a->prev);
        a->seq++;
        a->dirty = true;
    }
    free(buf);
    cJSON_free(line);
    return ret;
}

/* Notes records whose write failed, once writing works again. */
static void note_write_loss(struct audit *a)
{
    cJSON *f = cJSON_CreateObject();
    if (!f || !cJSON_AddNumberToObject(f, "lost", (double)a->write_lost) ||
        !cJSON_AddStringToObject(f, "error", strerror(a->write_err))) {
        cJSON_Delete(f);
        return;
    }
    if (append_record(a, "audit_write_failed", f, tm_wall_us()) == 0) {
        tlog_info(a->log, "writing again; %llu records were lost",
                  (unsigned long long)a->write_lost);
        a->write_lost = 0;
        a->dirty = true;
    }
}

/* Writes one record, counting it as lost (and saying so once) on failure. */
static void write_record(struct audit *a, const char *event, cJSON *fields,
                         int64_t wall_us)
{
    if (a->write_lost)
        note_write_loss(a);
    int ret = append_record(a, event, fields, wall_us);
    if (ret < 0 && a->write_lost++ == 0) {
        a->write_err = -ret;
        tlog_err(a->log, "cannot write a record: %s (records are lost until "
                 "writing works again)", strerror(-ret));
    }
}

/* Writes the "audit_overflow" record for lost records at time wall_us. */
static void write_overflow(struct audit *a, uint64_t lost, int64_t wall_us)
{
    tlog_warn(a->log, "the queue was full: %llu records lost",
              (unsigned long long)lost);
    cJSON *f = cJSON_CreateObject();
    if (f && cJSON_AddNumberToObject(f, "lost", (double)lost))
        write_record(a, "audit_overflow", f, wall_us);
    else
        cJSON_Delete(f);
}

/* fsyncs when asked to, or when unsynced records are a second old. */
static void maybe_sync(struct audit *a, bool now)
{
    int64_t t = tm_now_us();
    if (!a->dirty || (!now && t - a->synced_us < SYNC_EVERY_US))
        return;
    if (fdatasync(a->fd) < 0)
        tlog_err(a->log, "fsync: %s", strerror(errno));
    a->dirty = false;
    a->synced_us = t;
}

/* Waits (holding mu) for records to take, a stop, or the sync deadline. */
static void wait_for_work(struct audit *a)
{
    while (!a->stopping && (a->count == 0 || a->hold)) {
        if (!a->dirty) {
            pthread_cond_wait(&a->work, &a->mu);
            continue;
        }
        int64_t at = a->synced_us + SYNC_EVERY_US;
        struct timespec ts = {.tv_sec = at / 1000000,
                              .tv_nsec = (long)(at % 1000000) * 1000};
        if (pthread_cond_timedwait(&a->work, &a->mu, &ts) == ETIMEDOUT)
            return;
    }
}

/* Takes up to BATCH records (holding mu); *tail_lost gets the records lost
 * after the last of them when the queue is left empty.  True when the
 * writer is to stop after these. */
static bool take(struct audit *a, struct audit_item *out, size_t *n,
                 uint64_t *tail_lost)
{
    *n = 0;
    while (a->count > 0 && *n < BATCH && (!a->hold || a->stopping)) {
        out[(*n)++] = a->q[a->head];
        a->head = (a->head + 1) % AUDIT_QUEUE_MAX;
        a->count--;
    }
    *tail_lost = a->count == 0 ? a->pending_lost : 0;
    a->pending_lost -= *tail_lost;
    if (*n > 0)
        pthread_cond_broadcast(&a->space);
    return a->stopping && a->count == 0;
}

/* The writer thread. */
static void *writer_main(void *arg)
{
    struct audit *a = arg;
    struct audit_item batch[BATCH];
    for (bool stop = false; !stop;) {
        size_t n;
        uint64_t tail_lost;
        pthread_mutex_lock(&a->mu);
        wait_for_work(a);
        stop = take(a, batch, &n, &tail_lost);
        pthread_mutex_unlock(&a->mu);
        bool sync = stop;
        for (size_t i = 0; i < n; i++) {
            if (batch[i].lost_before)
                write_overflow(a, batch[i].lost_before, batch[i].wall_us);
            sync |= batch[i].sync || batch[i].lost_before;
            write_record(a, batch[i].event, batch[i].fields, batch[i].wall_us);
        }
        if (tail_lost)
            write_overflow(a, tail_lost, tm_wall_us());
        maybe_sync(a, sync || tail_lost);
    }
    return NULL;
}

/* Checks a record before it is queued: 0 or -EINVAL. */
static int check_record(const char *event, const cJSON *fields)
{
    size_t len = event ? strlen(event) : 0;
    if (len == 0 || len >= sizeof(((struct audit_item *)0)->event) ||
        strspn(event, "abcdefghijklmnopqrstuvwxyz0123456789_") != len)
        return -EINVAL;
    if (!fields)
        return 0;
    if (!cJSON_IsObject(fields))
        return -EINVAL;
    static const char *const reserved[] = {"seq", "time", "event", "prev"};
    for (const cJSON *c = fields->child; c; c = c->next)
        for (size_t i = 0; i < sizeof(reserved) / sizeof(*reserved); i++)
            if (!c->string || strcmp(c->string, reserved[i]) == 0)
                return -EINVAL;
    return 0;
}

/* Makes room (holding mu): waits up to AUDIT_FULL_WAIT_MS unless records
 * are already being lost.  0, -ENOBUFS (lost, counted) or -ESHUTDOWN. */
static int wait_for_room(struct audit *a)
{
    if (!a->stopping && a->count == AUDIT_QUEUE_MAX && a->pending_lost == 0) {
        int64_t at = tm_now_us() + AUDIT_FULL_WAIT_MS * 1000;
        struct timespec ts = {.tv_sec = at / 1000000,
                              .tv_nsec = (long)(at % 1000000) * 1000};
        while (!a->stopping && a->count == AUDIT_QUEUE_MAX)
            if (pthread_cond_timedwait(&a->space, &a->mu, &ts) == ETIMEDOUT)
                break;
    }
    if (a->stopping)
        return -ESHUTDOWN;
    if (a->count == AUDIT_QUEUE_MAX) {
        a->pending_lost++;
        return -ENOBUFS;
    }
    return 0;
}

int audit_record(struct audit *a, const char *event, cJSON *fields, bool sync)
{
    if (!a) {
        cJSON_Delete(fields);
        return 0;
    }
    int ret = check_record(event, fields);
    if (ret == 0) {
        pthread_mutex_lock(&a->mu);
        if ((ret = wait_for_room(a)) == 0) {
            struct audit_item *it = &a->q[(a->head + a->count) % AUDIT_QUEUE_MAX];
            *it = (struct audit_item){.fields = fields, .wall_us = tm_wall_us(),
                                      .lost_before = a->pending_lost, .sync = sync};
            snprintf(it->event, sizeof(it->event), "%s", event);
            a->pending_lost = 0;
            a->count++;
            pthread_cond_signal(&a->work);
        }
        pthread_mutex_unlock(&a->mu);
    }
    if (ret < 0)
        cJSON_Delete(fields);
    return ret;
}

void audit__test_hold_writer(struct audit *a, bool hold)
{
    pthread_mutex_lock(&a->mu);
    a->hold = hold;
    pthread_cond_signal(&a->work);
    pthread_mutex_unlock(&a->mu);
}

/* fsyncs the directory holding path, so a new file's name survives a crash. */
static void sync_dir(const struct audit *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1,
             slash ? path : ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) < 0)
        tlog_warn(a->log, "cannot sync the directory %s: %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
}

/* Opens or creates the file, locks it and reads its size: 0 or -errno. */
static int open_file(struct audit *a, const char *path)
{
    bool created = true;
    a->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (a->fd < 0 && errno == EEXIST) {
        created = false;
        a->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
    }
    struct stat st;
    if (a->fd < 0 || fstat(a->fd, &st) < 0)
        return -errno;
    if (!S_ISREG(st.st_mode))
        return -EINVAL;
    if (flock(a->fd, LOCK_EX | LOCK_NB) < 0)
        return errno == EWOULDBLOCK ? -EBUSY : -errno;
    if (st.st_mode & 077)
        tlog_warn(a->log, "%s is readable or writable by others (mode %03o)",
                  path, (unsigned)(st.st_mode & 0777));
    if (created)
        sync_dir(a, path);
    a->size = (int64_t)st.st_size;
    return 0;
}

/* Reads where the chain goes on, ends a cut last line, and queues the
 * audit_chain_broken record if the end of the log is damaged. */
static int continue_chain(struct audit *a, const char *path)
{
    struct audit__tail t;
    int ret = audit__read_tail(a->fd, a->size, a->sha, &t);
    if (ret < 0)
        return ret;
    a->seq = t.seq;
    memcpy(a->prev, t.hash, AUDIT__HASH_LEN);
    if (t.add_newline && (ret = write_all(a, "\n", 1)) < 0)
        return ret;
    if (!t.broken)
        return 0;
    tlog_warn(a->log, "%s: %s; appending, and noting it in the log (check "
              "it with --verify-audit)", path, t.detail);
    cJSON *f = cJSON_CreateObject();
    if (!f || !cJSON_AddStringToObject(f, "reason", t.broken) ||
        !cJSON_AddNumberToObject(f, "after_seq", (double)t.seq)) {
        cJSON_Delete(f);
        return -ENOMEM;
    }
    return audit_record(a, "audit_chain_broken", f, true);
}

/* Allocates the queue, hash context and thread primitives: 0 or -errno. */
static int init_parts(struct audit *a)
{
    pthread_condattr_t ca;
    if (!(a->q = calloc(AUDIT_QUEUE_MAX, sizeof(*a->q))) ||
        !(a->sha = av_sha_alloc()) || pthread_condattr_init(&ca) != 0)
        return -ENOMEM;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    a->mu_ready = pthread_mutex_init(&a->mu, NULL) == 0;
    a->work_ready = pthread_cond_init(&a->work, &ca) == 0;
    a->space_ready = pthread_cond_init(&a->space, &ca) == 0;
    pthread_condattr_destroy(&ca);
    return a->mu_ready && a->work_ready && a->space_ready ? 0 : -ENOMEM;
}

/* Frees a (half-built) audit whose thread is not running. */
static void destroy(struct audit *a)
{
    for (size_t i = 0; a->q && i < a->count; i++)
        cJSON_Delete(a->q[(a->head + i) % AUDIT_QUEUE_MAX].fields);
    if (a->fd >= 0)
        close(a->fd);
    if (a->mu_ready)
        pthread_mutex_destroy(&a->mu);
    if (a->work_ready)
        pthread_cond_destroy(&a->work);
    if (a->space_ready)
        pthread_cond_destroy(&a->space);
    av_free(a->sha);
    free(a->q);
    tlog_destroy(a->log);
    free(a);
}

struct audit *audit_open(const char *path, const struct tlog *log, int *err)
{
    struct audit *a = calloc(1, sizeof(*a));
    if (!a) {
        *err = -ENOMEM;
        return NULL;
    }
    a->fd = -1;
    a->synced_us = tm_now_us();
    int ret = (a->log = tlog_create(log, "audit")) ? init_parts(a) : -ENOMEM;
    if (ret == 0)
        ret = open_file(a, path);
    if (ret == 0)
        ret = continue_chain(a, path);
    if (ret == 0) {
        tlog_debug(a->log, "%s: appending after seq %lld", path, a->seq);
        ret = -pthread_create(&a->thread, NULL, writer_main, a);
        a->thread_started = ret == 0;
    }
    if (ret < 0) {
        tlog_err(a->log ? a->log : log, "cannot open %s: %s", path,
                 ret == -EINVAL ? "not a regular file ending with a record"
                 : ret == -EBUSY ? "another process is writing it"
                                 : strerror(-ret));
        destroy(a);
        *err = ret;
        return NULL;
    }
    return a;
}

void audit_close(struct audit *a)
{
    if (!a)
        return;
    if (a->thread_started) {
        pthread_mutex_lock(&a->mu);
        a->stopping = true;
        pthread_cond_broadcast(&a->work);
        pthread_cond_broadcast(&a->space);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->thread, NULL);
    }
    if (a->fd >= 0 && fsync(a->fd) < 0)
        tlog_err(a->log, "fsync: %s", strerror(errno));
    destroy(a);
}
