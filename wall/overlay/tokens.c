/*
 * tokens.c - reads the control socket's tokens file (see tokens.h and
 * docs/protocol.md): checks its permissions, parses "ROLE[,ROLE...] TOKEN"
 * lines, and never lets a token reach a log line or an error text.
 */
#include "overlay/tokens.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OVL__TOKENS_LINE_MAX 1024

static bool ovl__space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Parses the roles list s[0..len) ("cad,operator") into *roles. */
static int ovl__parse_roles(const char *s, size_t len, unsigned *roles,
                            char *err, size_t errlen)
{
    size_t i = 0, j;
    unsigned bit;

    *roles = 0;
    while (i <= len) {
        for (j = i; j < len && s[j] != ','; j++)
            ;
        bit = ovl_role_parse(s + i, j - i);
        if (!bit) {
            snprintf(err, errlen,
                     "unknown role \"%.*s\" (viewer, cad, operator, supervisor)",
                     (int)(j - i > 32 ? 32 : j - i), s + i);
            return -EINVAL;
        }
        *roles |= bit;
        i = j + 1;
    }
    return 0;
}

int ovl_tokens_parse_line(const char *line, struct ovl_token *tok, char *err,
                          size_t errlen)
{
    const char *p = line, *roles, *t;
    size_t nroles, nt;

    memset(tok, 0, sizeof *tok);
    while (ovl__space(*p))
        p++;
    if (*p == '\0' || *p == '#')
        return 0;
    for (roles = p; *p && !ovl__space(*p); p++)
        ;
    nroles = (size_t)(p - roles);
    while (ovl__space(*p))
        p++;
    for (t = p; *p && !ovl__space(*p); p++)
        ;
    nt = (size_t)(p - t);
    while (ovl__space(*p))
        p++;
    if (nt == 0 || *p != '\0') {
        snprintf(err, errlen, "expected ROLE[,ROLE...] TOKEN");
        return -EINVAL;
    }
    if (nt > OVL_TOKEN_MAX) {
        snprintf(err, errlen, "the token is longer than %d bytes",
                 OVL_TOKEN_MAX);
        return -EINVAL;
    }
    if (ovl__parse_roles(roles, nroles, &tok->roles, err, errlen) < 0)
        return -EINVAL;
    memcpy(tok->token, t, nt);
    tok->token[nt] = '\0';
    return 1;
}

/* Opens path for reading and checks it is a regular file closed to group
 * and others; returns the stream or NULL with err set. */
static FILE *ovl__open_private(const char *path, char *err, size_t errlen)
{
    struct stat st;
    FILE *f;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
    } else if (st.st_mode & 0066) {
        snprintf(err, errlen,
                 "%s: readable or writable by group or others (mode %04o); "
                 "chmod 600 %s",
                 path, (unsigned)(st.st_mode & 07777), path);
    } else if ((f = fdopen(fd, "r")) != NULL) {
        return f;
    } else {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    }
    close(fd);
    return NULL;
}

/* Appends tok to *arr (growing it); returns 0 or -ENOMEM. */
static int ovl__push(struct ovl_token **arr, size_t *n, size_t *cap,
                     const struct ovl_token *tok)
{
    struct ovl_token *p;

    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        p = realloc(*arr, *cap * sizeof *p);
        if (!p)
            return -ENOMEM;
        *arr = p;
    }
    (*arr)[(*n)++] = *tok;
    return 0;
}

/* Reads every line of f into *arr; returns 0 or a negative errno with err
 * "PATH:LINE: message". */
static int ovl__read_lines(FILE *f, const char *path, struct ovl_token **arr,
                           size_t *n, char *err, size_t errlen)
{
    char line[OVL__TOKENS_LINE_MAX + 2], msg[128];
    struct ovl_token tok;
    size_t cap = 0, i;
    int lineno = 0, rc = 0;

    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%d: line longer than %d bytes", path,
                     lineno, OVL__TOKENS_LINE_MAX);
            rc = -EINVAL;
            break;
        }
        line[strcspn(line, "\n")] = '\0';
        rc = ovl_tokens_parse_line(line, &tok, msg, sizeof msg);
        if (rc < 0) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
            break;
        }
        for (i = 0; rc == 1 && i < *n; i++)
            if (strcmp((*arr)[i].token, tok.token) == 0) {
                snprintf(err, errlen, "%s:%d: a token given twice", path,
                         lineno);
                rc = -EINVAL;
            }
        if (rc == 1)
            rc = ovl__push(arr, n, &cap, &tok);
    }
    memset(line, 0, sizeof line);
    memset(&tok, 0, sizeof tok);
    if (rc == -ENOMEM)
        snprintf(err, errlen, "%s: out of memory", path);
    if (rc == 0 && *n == 0) {
        snprintf(err, errlen, "%s: no tokens in the file", path);
        rc = -EINVAL;
    }
    return rc;
}

int ovl_tokens_load(const char *path, struct ovl_token **out, size_t *n,
                    char *err, size_t errlen)
{
    FILE *f = ovl__open_private(path, err, errlen);
    int rc;

    *out = NULL;
    *n = 0;
    if (!f)
        return -EACCES;
    rc = ovl__read_lines(f, path, out, n, err, errlen);
    fclose(f);
    if (rc < 0) {
        ovl_tokens_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void ovl_tokens_free(struct ovl_token *tokens, size_t n)
{
    if (!tokens)
        return;
    memset(tokens, 0, n * sizeof *tokens);
    free(tokens);
}
