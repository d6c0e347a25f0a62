/*
 * audit_tail.c - where an existing audit log's chain goes on: reads the end
 * of the file (never all of it: a full check is audit_verify's job), checks
 * the links between the whole lines found there, and recognises a last
 * record cut by a crash (bytes after the last newline that are no record).
 */
#include "audit/audit_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TAIL_MIN ((int64_t)64 * 1024)
#define TAIL_MAX ((int64_t)64 * 1024 * 1024)

/* What scan() finds at the end of the file. */
struct window {
    struct audit__rec base;    /* the last whole line (or the chain start) */
    struct audit__rec before;  /* when cut: the line before base */
    bool cut;                  /* base is no record and does not link */
    struct audit__rec parsed;  /* the last whole line that is a record */
    struct audit__rec partial; /* the bytes after the last newline */
    bool has_base, has_parsed, has_partial;
    int lines;                 /* whole lines seen */
    bool broken;               /* a link between whole lines fails */
    char detail[128];          /* which */
};

/* Reads n bytes at offset at; 0 or a negative errno (-EIO if cut short). */
static int pread_all(int fd, char *buf, size_t n, int64_t at)
{
    while (n > 0) {
        ssize_t r = pread(fd, buf, n, (off_t)at);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -errno : -EIO;
        buf += r;
        n -= (size_t)r;
        at += r;
    }
    return 0;
}

/* Notes the first broken link: r does not follow after. */
static void set_broken(struct window *w, const struct audit__rec *after,
                       const struct audit__rec *r)
{
    char s[24] = "?";
    if (r->parsed)
        snprintf(s, sizeof(s), "%lld", r->seq);
    if (!w->broken)
        snprintf(w->detail, sizeof(w->detail),
                 "the record after seq %lld (seq %s) does not link to it",
                 after->seq, s);
    w->broken = true;
}

/* Takes one line (whole: ends with a newline) into the window.  A line that
 * is no record is judged by the next: the note of an earlier crash, or a
 * break. */
static void take_line(struct window *w, const struct audit__rec *r)
{
    bool cut = false;
    if (w->cut) {
        if (!audit__notes_cut(&w->before, &w->base, r))
            set_broken(w, &w->before, &w->base);
    } else if (w->has_base && !audit__linked(&w->base, r)) {
        if (w->base.parsed && !r->parsed) {
            w->before = w->base; /* judged when the next line comes */
            cut = true;
        } else {
            set_broken(w, &w->base, r);
        }
    }
    w->cut = cut;
    w->base = *r;
    w->has_base = true;
    w->lines++;
    if (r->parsed) {
        w->parsed = *r;
        w->has_parsed = true;
    }
}

/* Splits the n bytes of buf (the file's end; at_start: all of it) into
 * lines; -EAGAIN when it holds too few whole lines to tell. */
static int scan(const char *buf, size_t n, bool at_start, struct AVSHA *sha,
                struct window *w)
{
    const char *p = buf, *end = buf + n;
    if (at_start) {
        audit__rec_start(&w->base);
        w->has_base = true;
    } else {
        const char *nl = memchr(p, '\n', n);
        if (!nl)
            return -EAGAIN;
        p = nl + 1; /* the first line may be cut: skip it */
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        struct audit__rec r;
        audit__parse(sha, p, len, 1, nl != NULL, &r);
        if (!nl) {
            w->partial = r;
            w->has_partial = true;
            break;
        }
        take_line(w, &r);
        p = nl + 1;
    }
    return !at_start && w->lines < 2 ? -EAGAIN : 0;
}

/* The file ends with bytes that are no record: a record cut by a crash (or
 * the zeros a power loss can leave).  The chain goes on from those bytes. */
static int cut_record(const struct window *w, struct audit__tail *t)
{
    if (!w->has_parsed && w->partial.seq < 0)
        return -EINVAL; /* neither a record before it nor the start of one */
    t->seq = w->base.parsed ? w->base.seq : w->parsed.seq;
    memcpy(t->hash, w->partial.hash, AUDIT__HASH_LEN);
    t->broken = AUDIT__REASON_INCOMPLETE;
    snprintf(t->detail, sizeof(t->detail),
             "the last record (after seq %lld) was cut, by a crash while "
             "writing?%s%s", t->seq, w->broken ? "; also " : "",
             w->broken ? w->detail : "");
    return 0;
}

/* Turns what scan() found into *t. */
static int decide(struct window *w, struct audit__tail *t)
{
    if (w->has_partial) {
        t->add_newline = true;
        if (!w->partial.parsed)
            return cut_record(w, t);
        take_line(w, &w->partial); /* a whole record, only its newline lost */
    }
    if (!w->has_parsed)
        return -EINVAL;
    memcpy(t->hash, w->base.hash, AUDIT__HASH_LEN);
    if (!w->base.parsed) {
        t->seq = w->parsed.seq;
        t->broken = "the last line is not a record";
        snprintf(t->detail, sizeof(t->detail), "the last line is not a record "
                 "(%s); the last record is seq %lld", w->base.why, t->seq);
    } else {
        t->seq = w->base.seq;
        if (w->broken) {
            t->broken = "chain broken at the end of the log";
            snprintf(t->detail, sizeof(t->detail), "%s", w->detail);
        }
    }
    return 0;
}

int audit__read_tail(int fd, int64_t size, struct AVSHA *sha,
                     struct audit__tail *t)
{
    *t = (struct audit__tail){.seq = 0};
    if (size <= 0)
        return 0;
    for (int64_t chunk = TAIL_MIN;; chunk *= 4) {
        if (chunk > size)
            chunk = size;
        char *buf = malloc((size_t)chunk);
        if (!buf)
            return -ENOMEM;
        struct window w = {.has_base = false};
        int ret = pread_all(fd, buf, (size_t)chunk, size - chunk);
        if (ret == 0)
            ret = scan(buf, (size_t)chunk, chunk == size, sha, &w);
        free(buf);
        if (ret == -EAGAIN && chunk >= TAIL_MAX)
            return -EINVAL; /* no two whole lines in 64 MiB: not a log */
        if (ret != -EAGAIN)
            return ret < 0 ? ret : decide(&w, t);
    }
}
