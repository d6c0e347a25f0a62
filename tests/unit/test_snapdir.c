/*
 * test_snapdir.c - the snapshot directory (base/snapdir.h): the name rules
 * (a table), and writes in a scratch directory that never follow a symlink,
 * never replace a file the directory did not write, replace its own files,
 * and leave no temporary file behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "base/snapdir.h"
#include "check.h"

static void test_names(struct check_counts *cc)
{
    static const struct {
        const char *name;
        int ok;
    } cases[] = {
        {"wall.png", 1}, {"a-b_c.1+2@x=y,z.png", 1}, {"snapshot-20270105-143000-123.png", 1},
        {"", 0}, {"/tmp/x.png", 0}, {"sub/x.png", 0}, {"../x.png", 0}, {"..png", 0},
        {"a..b.png", 0}, {".hidden.png", 0}, {"x.txt", 0}, {"x.PNG", 0}, {".png", 0},
        {"x.png/", 0}, {"sp ace.png", 0}, {"tab\t.png", 0}, {"new\nline.png", 0},
        {"quote\".png", 0}, {"back\\slash.png", 0}, {"x.png.txt", 0},
    };
    char err[256];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        err[0] = '\0';
        int ret = snapdir_check_name(cases[i].name, err, sizeof(err));
        CHECK(cc, (ret == 0) == cases[i].ok, "name \"%s\": %d (%s)", cases[i].name, ret, err);
        CHECK(cc, cases[i].ok || err[0], "name \"%s\": no reason given", cases[i].name);
    }
    char longname[SNAPDIR_NAME_MAX + 8];
    memset(longname, 'a', sizeof(longname));
    strcpy(longname + sizeof(longname) - 5, ".png");
    CHECK(cc, snapdir_check_name(longname, err, sizeof(err)) < 0, "a long name was accepted");
    CHECK(cc, snapdir_check_name(NULL, err, sizeof(err)) < 0, "NULL was accepted");
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int read_text(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t got = fread(buf, 1, n - 1, f);
    buf[got] = '\0';
    fclose(f);
    return 0;
}

/* Reserves, writes and releases name with text; returns the write's result
 * (or the reservation's when it failed). */
static int put(struct snapdir *d, const char *name, const char *text)
{
    char err[256];
    struct snapdir_id expect, written;
    int ret = snapdir_reserve(d, name, &expect, err, sizeof(err));
    if (ret < 0)
        return ret;
    ret = snapdir_write(snapdir_fd(d), name, text, strlen(text), &expect, &written);
    snapdir_release(d, name, &written);
    return ret;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

static void test_writes(struct check_counts *cc, const char *root)
{
    char dir[512], victim[512], path[600], buf[64], err[256];
    snprintf(dir, sizeof(dir), "%s/snaps", root);
    snprintf(victim, sizeof(victim), "%s/victim.txt", root);
    write_text(victim, "precious");
    struct snapdir *d = snapdir_create(dir, err, sizeof(err));
    CHECK(cc, d != NULL, "snapdir_create: %s", err);
    if (!d)
        return;
    struct stat st;
    CHECK(cc, stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "mode %o", st.st_mode & 0777);

    CHECK_INT(cc, put(d, "a.png", "one"), 0);
    snprintf(path, sizeof(path), "%s/a.png", dir);
    CHECK(cc, read_text(path, buf, sizeof(buf)) == 0 && strcmp(buf, "one") == 0, "a.png: %s", buf);
    CHECK_INT(cc, put(d, "a.png", "two"), 0); /* its own file again */
    CHECK(cc, read_text(path, buf, sizeof(buf)) == 0 && strcmp(buf, "two") == 0, "a.png: %s", buf);

    /* a symlink, dangling or not, and someone else's file are refused */
    snprintf(path, sizeof(path), "%s/link.png", dir);
    CHECK(cc, symlink(victim, path) == 0, "symlink");
    CHECK_INT(cc, put(d, "link.png", "x"), -EEXIST);
    snprintf(path, sizeof(path), "%s/dangle.png", dir);
    char target[600];
    snprintf(target, sizeof(target), "%s/created.txt", root);
    CHECK(cc, symlink(target, path) == 0, "symlink");
    CHECK_INT(cc, put(d, "dangle.png", "x"), -EEXIST);
    CHECK(cc, access(target, F_OK) != 0, "a dangling symlink was followed");
    snprintf(path, sizeof(path), "%s/other.png", dir);
    write_text(path, "theirs");
    CHECK_INT(cc, put(d, "other.png", "x"), -EEXIST);

    /* its own name swapped for someone else's file between the check and
     * the write: the write leaves theirs as it was */
    struct snapdir_id expect, written;
    CHECK_INT(cc, snapdir_reserve(d, "a.png", &expect, err, sizeof(err)), 0);
    CHECK_INT(cc, snapdir_reserve(d, "a.png", &expect, err, sizeof(err)), -EBUSY);
    snprintf(path, sizeof(path), "%s/a.png", dir);
    unlink(path);
    write_text(path, "swapped in");
    CHECK_INT(cc, snapdir_write(snapdir_fd(d), "a.png", "three", 5, &expect, &written), -EEXIST);
    snapdir_release(d, "a.png", &written);
    CHECK(cc, read_text(path, buf, sizeof(buf)) == 0 && strcmp(buf, "swapped in") == 0,
          "a.png: %s", buf);
    /* ... and a symlink swapped in the same way */
    CHECK_INT(cc, put(d, "b.png", "b"), 0);
    CHECK_INT(cc, snapdir_reserve(d, "b.png", &expect, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/b.png", dir);
    unlink(path);
    CHECK(cc, symlink(victim, path) == 0, "symlink");
    CHECK_INT(cc, snapdir_write(snapdir_fd(d), "b.png", "evil", 4, &expect, &written), -EEXIST);
    snapdir_release(d, "b.png", &written);
    CHECK(cc, read_text(victim, buf, sizeof(buf)) == 0 && strcmp(buf, "precious") == 0,
          "victim: %s", buf);
    struct stat lst;
    CHECK(cc, lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode), "b.png is no longer the symlink");
    /* a.png b.png link.png dangle.png other.png: no temporary file stayed */
    CHECK_INT(cc, count_entries(dir), 5);
    snapdir_destroy(d);
    snapdir_destroy(NULL);
}

int main(void)
{
    struct check_counts cc = {0};
    char root[] = "/tmp/test_snapdir.XXXXXX";
    test_names(&cc);
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    test_writes(&cc, root);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
    return check_report(&cc);
}
