/*
 * snapdir.c - the snapshot directory: bare names, writes through the
 * directory's descriptor that never follow a symlink and never replace a file
 * the wall did not write (see snapdir.h).
 */
#define _GNU_SOURCE /* renameat2 */
#include "base/snapdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SNAPDIR_REMEMBER_MAX 4096 /* names remembered; the oldest go first */

/* A name this directory wrote, or is writing now. */
struct snapdir_entry {
    char name[SNAPDIR_NAME_MAX];
    struct snapdir_id id; /* what it wrote there last; invalid: nothing yet */
    bool reserved;        /* a write is under way */
};

/* Owned by one thread (the render thread). */
struct snapdir {
    int fd;
    char *path;
    struct snapdir_entry *entries; /* oldest first */
    size_t n, cap;
};

struct snapdir *snapdir_create(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0700) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create the snapshot directory %s: %s", path,
                 strerror(errno));
        return NULL;
    }
    struct snapdir *d = calloc(1, sizeof(*d));
    if (!d || !(d->path = strdup(path))) {
        snprintf(err, errlen, "out of memory");
        free(d);
        return NULL;
    }
    d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d->fd < 0) {
        snprintf(err, errlen, "cannot open the snapshot directory %s: %s", path,
                 strerror(errno));
        snapdir_destroy(d);
        return NULL;
    }
    return d;
}

void snapdir_destroy(struct snapdir *d)
{
    if (!d)
        return;
    if (d->fd >= 0)
        close(d->fd);
    free(d->path);
    free(d->entries);
    free(d);
}

int snapdir_fd(const struct snapdir *d)
{
    return d->fd;
}

const char *snapdir_path(const struct snapdir *d)
{
    return d->path;
}

static bool name_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("-_.+@=,", c) != NULL;
}

int snapdir_check_name(const char *name, char *err, size_t errlen)
{
    size_t len = name ? strlen(name) : 0;
    const char *why = NULL;
    if (len == 0 || strchr(name, '/'))
        why = "a snapshot takes a bare file name (no \"/\"): it is written only into the "
              "snapshot directory";
    else if (len >= SNAPDIR_NAME_MAX)
        why = "a snapshot name may be at most 127 characters long";
    else if (strstr(name, ".."))
        why = "a snapshot name may not contain \"..\"";
    else if (name[0] == '.')
        why = "a snapshot name may not start with \".\"";
    else if (len < 5 || strcmp(name + len - 4, ".png") != 0)
        why = "a snapshot name must end with \".png\"";
    for (size_t i = 0; !why && i < len; i++)
        if (!name_char_ok(name[i]))
            why = "a snapshot name may hold only letters, digits and - _ . + @ = ,";
    if (!why)
        return 0;
    snprintf(err, errlen, "%s", why);
    return -EINVAL;
}

static struct snapdir_entry *find_entry(struct snapdir *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->entries[i].name, name) == 0)
            return &d->entries[i];
    return NULL;
}

/* Appends an entry for name, forgetting the oldest one not being written
 * when the list is full.  NULL on allocation failure or when all are busy. */
static struct snapdir_entry *add_entry(struct snapdir *d, const char *name)
{
    if (d->n == SNAPDIR_REMEMBER_MAX) {
        size_t i = 0;
        while (i < d->n && d->entries[i].reserved)
            i++;
        if (i == d->n)
            return NULL;
        memmove(&d->entries[i], &d->entries[i + 1], (d->n - i - 1) * sizeof(*d->entries));
        d->n--;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        struct snapdir_entry *e = realloc(d->entries, cap * sizeof(*e));
        if (!e)
            return NULL;
        d->entries = e;
        d->cap = cap;
    }
    struct snapdir_entry *e = &d->entries[d->n++];
    memset(e, 0, sizeof(*e));
    snprintf(e->name, sizeof(e->name), "%s", name);
    return e;
}

static struct snapdir_id id_of(const struct stat *st)
{
    return (struct snapdir_id){
        .valid = true, .dev = st->st_dev, .ino = st->st_ino, .size = st->st_size,
        .mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec};
}

static bool same_file(const struct snapdir_id *id, const struct stat *st)
{
    struct snapdir_id now = id_of(st);
    return id->valid && S_ISREG(st->st_mode) && now.dev == id->dev && now.ino == id->ino &&
           now.size == id->size && now.mtime_ns == id->mtime_ns;
}

int snapdir_reserve(struct snapdir *d, const char *name, struct snapdir_id *expect,
                    char *err, size_t errlen)
{
    int ret = snapdir_check_name(name, err, errlen);
    if (ret < 0)
        return ret;
    struct snapdir_entry *e = find_entry(d, name);
    if (e && e->reserved) {
        snprintf(err, errlen, "a snapshot named \"%s\" is being written", name);
        return -EBUSY;
    }
    struct stat st;
    *expect = (struct snapdir_id){0};
    if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!e || !same_file(&e->id, &st)) {
            snprintf(err, errlen, "\"%s\" exists in the snapshot directory and was not "
                     "written by the wall: it is left as it is", name);
            return -EEXIST;
        }
        *expect = e->id;
    } else if (errno != ENOENT) {
        snprintf(err, errlen, "cannot check \"%s\": %s", name, strerror(errno));
        return -errno;
    }
    if (!e && !(e = add_entry(d, name))) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    e->reserved = true;
    return 0;
}

void snapdir_release(struct snapdir *d, const char *name, const struct snapdir_id *written)
{
    struct snapdir_entry *e = find_entry(d, name);
    if (!e)
        return;
    e->reserved = false;
    if (written && written->valid)
        e->id = *written;
}

/* Creates a new temporary file for name in dirfd (O_EXCL|O_NOFOLLOW, mode
 * 0600), its name in tmp.  Returns the descriptor or a negative errno. */
static int open_temp(int dirfd, const char *name, const void *seed, char *tmp, size_t n)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t x = (uint64_t)(uintptr_t)seed ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
    for (int i = 0; i < 16; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        snprintf(tmp, n, ".%s.%016llx.tmp", name, (unsigned long long)x);
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        0600);
        if (fd >= 0 || errno != EEXIST)
            return fd >= 0 ? fd : -errno;
    }
    return -EEXIST;
}

/* Writes all of data to fd and closes it; stores its identity.  0 or
 * negative errno. */
static int fill_and_close(int fd, const void *data, size_t size, struct snapdir_id *id)
{
    const char *p = data;
    int ret = 0;
    while (size > 0 && ret == 0) {
        ssize_t w = write(fd, p, size);
        if (w < 0 && errno != EINTR)
            ret = -errno;
        else if (w > 0)
            p += w, size -= (size_t)w;
    }
    struct stat st;
    if (ret == 0 && fstat(fd, &st) < 0)
        ret = -errno;
    if (close(fd) < 0 && ret == 0)
        ret = -errno;
    if (ret == 0)
        *id = id_of(&st);
    return ret;
}

/* Moves tmp to name only if nothing is there (not even a symlink). */
static int move_new(int dirfd, const char *tmp, const char *name)
{
    if (renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -errno;
    /* a file system without RENAME_NOREPLACE: link() never replaces either */
    if (linkat(dirfd, tmp, dirfd, name, 0) < 0)
        return -errno;
    unlinkat(dirfd, tmp, 0);
    return 0;
}

/* Moves tmp over name only if name holds *expect: swaps the two atomically,
 * looks at what came out, and swaps back when it was not the wall's file. */
static int move_over(int dirfd, const char *tmp, const char *name,
                     const struct snapdir_id *expect, bool *keep_tmp)
{
    struct stat st;
    if (renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE) < 0) {
        if (errno == ENOENT)
            return move_new(dirfd, tmp, name); /* it went away meanwhile */
        if (errno != EINVAL && errno != ENOSYS)
            return -errno;
        /* no RENAME_EXCHANGE here: check, then rename (a tiny window) */
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            return errno == ENOENT ? move_new(dirfd, tmp, name) : -errno;
        if (!same_file(expect, &st))
            return -EEXIST;
        return renameat(dirfd, tmp, dirfd, name) < 0 ? -errno : 0;
    }
    if (fstatat(dirfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0 && same_file(expect, &st)) {
        unlinkat(dirfd, tmp, 0); /* the wall's old file */
        return 0;
    }
    /* someone else's file came out: put it back as it was */
    if (renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE) < 0) {
        *keep_tmp = true; /* it holds their file now: never delete it */
        return -errno;
    }
    return -EEXIST;
}

int snapdir_write(int dirfd, const char *name, const void *data, size_t size,
                  const struct snapdir_id *expect, struct snapdir_id *written)
{
    char tmp[SNAPDIR_NAME_MAX + 32];
    *written = (struct snapdir_id){0};
    int fd = open_temp(dirfd, name, data, tmp, sizeof(tmp));
    if (fd < 0)
        return fd;
    struct snapdir_id id;
    bool keep_tmp = false;
    int ret = fill_and_close(fd, data, size, &id);
    if (ret == 0)
        ret = expect->valid ? move_over(dirfd, tmp, name, expect, &keep_tmp)
                            : move_new(dirfd, tmp, name);
    if (ret < 0 && !keep_tmp)
        unlinkat(dirfd, tmp, 0);
    else
        *written = id;
    return ret;
}

int snapdir_write_path(const char *path, const void *data, size_t size)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    struct snapdir_id id;
    int ret = fill_and_close(fd, data, size, &id);
    if (ret == 0 && rename(tmp, path) < 0)
        ret = -errno;
    if (ret < 0)
        unlink(tmp);
    return ret;
}
