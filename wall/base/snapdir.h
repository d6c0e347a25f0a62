/*
 * snapdir.h - a directory that untrusted requests may write snapshot files
 * into, and nothing else: bare names only, files created through the
 * directory's descriptor as an O_EXCL|O_NOFOLLOW temporary and then moved into
 * place, never through a symlink, and never over a file the wall did not
 * write itself (the directory remembers the identity of every file it
 * wrote: device, inode, size, modification time).
 *
 * Threads: a struct snapdir belongs to one thread (the render thread);
 * snapdir_write() and snapdir_write_path() touch only their arguments and
 * the file system, so libuv's worker threads may run them.
 */
#ifndef TESSERA_SNAPDIR_H
#define TESSERA_SNAPDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SNAPDIR_NAME_MAX 128 /* longest file name accepted, with its NUL */

/* Which file a name held: its device, inode, size and modification time
 * (an inode number alone may be reused by a file made after ours was
 * deleted); valid false for none. */
struct snapdir_id {
    bool valid;
    dev_t dev;
    ino_t ino;
    off_t size;
    long long mtime_ns;
};

struct snapdir;

/* Opens directory path for writing snapshots, creating it (not its parents)
 * with mode 0700 when missing.  Returns NULL with the reason in err. */
struct snapdir *snapdir_create(const char *path, char *err, size_t errlen);

/* Closes the directory and forgets what it wrote; accepts NULL. */
void snapdir_destroy(struct snapdir *d);

/* The directory's descriptor (valid until snapdir_destroy). */
int snapdir_fd(const struct snapdir *d);

/* The directory's path as given to snapdir_create. */
const char *snapdir_path(const struct snapdir *d);

/* Checks that name is a bare file name a request may use: 1 to
 * SNAPDIR_NAME_MAX-1 bytes of printable ASCII, no "/", no "..", not starting
 * with ".", ending ".png".  Returns 0, or -EINVAL with the reason in err. */
int snapdir_check_name(const char *name, char *err, size_t errlen);

/* Reserves name for one write: it must pass snapdir_check_name, be absent or
 * hold the file this directory last wrote under that name (not a symlink,
 * not anything else), and not be reserved already.  On success returns 0 and
 * stores in *expect what the name holds now (for snapdir_write); else a
 * negative errno with the reason in err.  Pair with snapdir_release. */
int snapdir_reserve(struct snapdir *d, const char *name, struct snapdir_id *expect,
                    char *err, size_t errlen);

/* Ends a reservation; with written valid, remembers that name now holds
 * that file (the directory may write it again). */
void snapdir_release(struct snapdir *d, const char *name, const struct snapdir_id *written);

/* Writes size bytes of data as name in directory dirfd (mode 0600): a new
 * temporary file, then moved to name atomically only if name still holds
 * *expect (nothing when expect->valid is false); a symlink or any other file
 * there is left as it was.  Stores the new file's identity in *written.
 * Returns 0, -EEXIST when name holds something else, or another negative
 * errno. */
int snapdir_write(int dirfd, const char *name, const void *data, size_t size,
                  const struct snapdir_id *expect, struct snapdir_id *written);

/* Writes data to path the ordinary way (path.tmp, then rename over path):
 * for a path the operator gave on the command line.  0 or negative errno. */
int snapdir_write_path(const char *path, const void *data, size_t size);

#endif
