/*
 * load.c - reading a layout file from disk (bounded size, errors as
 * diagnostics) and handing its text to layout_parse_at().  Above the rest
 * of the module: it calls layout.c and layout_json.c, they never call it.
 * A layout read from a file gets the file names of its "sync" block made
 * relative to the file's directory.
 */
#include "layout/layout_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Reads all of f into a new buffer: 0, -errno, or -EFBIG past max bytes. */
static int read_all(FILE *f, size_t max, char **out, size_t *out_len)
{
    size_t len = 0, cap = 4096, got;
    char *buf = malloc(cap), *more;

    if (!buf)
        return -ENOMEM;
    do {
        if (len == cap) {
            more = cap > max ? NULL : realloc(buf, cap * 2);
            if (!more) {
                free(buf);
                return cap > max ? -EFBIG : -ENOMEM;
            }
            buf = more;
            cap *= 2;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    if (ferror(f) || len > max) {
        int err = len > max ? EFBIG : errno ? errno : EIO;
        free(buf);
        return -err;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

/* Replaces *name, when it is relative, with dir/name; 0 or -ENOMEM. */
static int resolve_one(char **name, const char *dir, size_t dir_len)
{
    char *joined;
    size_t n;

    if (!*name || (*name)[0] == '/')
        return 0;
    n = dir_len + 1 + strlen(*name) + 1;
    if (!(joined = malloc(n)))
        return -ENOMEM;
    snprintf(joined, n, "%.*s/%s", (int)dir_len, dir, *name);
    free(*name);
    *name = joined;
    return 0;
}

int layout__sync_resolve(struct layout *l, const char *layout_path)
{
    const char *slash = strrchr(layout_path, '/');
    struct layout_sync *s = &l->sync;
    char **names[] = {&s->username_file, &s->password_file,
                      &s->tls_files.ca_file, &s->tls_files.cert_file,
                      &s->tls_files.key_file};
    int rc = 0;

    if (!slash) /* the layout is in the working directory: nothing to add */
        return 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        /* "/wall.json": dir_len 0 gives "/name" */
        if (resolve_one(names[i], layout_path,
                        (size_t)(slash - layout_path)) < 0)
            rc = -ENOMEM;
    }
    return rc;
}

/* Adds "cannot read layout file: reason" at 1:1 and returns err. */
static int report_unreadable(struct layout_diags *diags, int err)
{
    char reason[128];
    if (err == -EFBIG)
        snprintf(reason, sizeof reason, "it is larger than %d bytes",
                 LAYOUT_MAX_BYTES);
    else if (strerror_r(-err, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", -err);
    if (reason[0] >= 'A' && reason[0] <= 'Z')
        reason[0] = (char)(reason[0] - 'A' + 'a');
    layout__diag_add(diags, 1, 1, LAYOUT_ERROR,
                     "cannot read layout file: %s", reason);
    return err;
}

int layout_load_file(const char *path, struct layout **out,
                     struct layout_diags *diags)
{
    return layout_load_file_at(path, (long long)time(NULL), out, diags);
}

int layout_load_file_at(const char *path, long long now_epoch,
                        struct layout **out, struct layout_diags *diags)
{
    char *text = NULL;
    size_t len = 0;
    int rc;
    FILE *f;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f)
        return report_unreadable(diags, errno ? -errno : -EIO);
    errno = 0;
    rc = read_all(f, LAYOUT_MAX_BYTES, &text, &len);
    fclose(f);
    if (rc < 0)
        return report_unreadable(diags, rc);
    rc = layout_parse_at(text, len, now_epoch, out, diags);
    free(text);
    if (rc == 0 && layout__sync_resolve(*out, path) < 0) {
        layout_destroy(*out);
        *out = NULL;
        rc = -ENOMEM;
    }
    return rc;
}
