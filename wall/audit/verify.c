/*
 * verify.c - reading the audit log: parsing a line into its chain data, and
 * audit_verify(), which walks the chain line by line and, at the first link
 * that does not hold, tells from the seq numbers and hashes around it which
 * record was altered, removed, inserted or moved.  Pure file reading: one
 * line in memory at a time (plus one line of lookahead), so a log of any
 * size is checked in constant memory.
 */
#include "audit/audit.h"
#include "audit/audit_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/mem.h>
#include <libavutil/sha.h>

void audit__sha256(struct AVSHA *sha, const void *data, size_t len,
                   uint8_t out[AUDIT__HASH_LEN])
{
    av_sha_init(sha, 256);
    const uint8_t *p = data;
    while (len > 0) { /* av_sha_update takes an unsigned int length */
        size_t n = len > (1u << 30) ? (1u << 30) : len;
        av_sha_update(sha, p, (unsigned)n);
        p += n;
        len -= n;
    }
    av_sha_final(sha, out);
}

void audit__hex(const uint8_t hash[AUDIT__HASH_LEN], char out[AUDIT__HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < AUDIT__HASH_LEN; i++) {
        out[2 * i] = digits[hash[i] >> 4];
        out[2 * i + 1] = digits[hash[i] & 15];
    }
    out[AUDIT__HEX_LEN] = '\0';
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decodes 64 lowercase hex digits; false if s is anything else. */
static bool unhex(const char *s, uint8_t out[AUDIT__HASH_LEN])
{
    if (!s || strlen(s) != AUDIT__HEX_LEN)
        return false;
    for (int i = 0; i < AUDIT__HASH_LEN; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

void audit__rec_start(struct audit__rec *r)
{
    *r = (struct audit__rec){.line = 0, .parsed = true, .complete = true, .seq = 0};
}

bool audit__linked(const struct audit__rec *prev, const struct audit__rec *next)
{
    return prev->parsed && next->parsed && next->seq == prev->seq + 1 &&
           memcmp(next->prev, prev->hash, AUDIT__HASH_LEN) == 0;
}

bool audit__notes_cut(const struct audit__rec *before, const struct audit__rec *cut,
                      const struct audit__rec *note)
{
    return before->parsed && !cut->parsed && note->parsed &&
           note->seq == before->seq + 1 &&
           memcmp(note->prev, cut->hash, AUDIT__HASH_LEN) == 0 &&
           strcmp(note->event, "audit_chain_broken") == 0 &&
           strcmp(note->reason, AUDIT__REASON_INCOMPLETE) == 0;
}

/* Copies a string member of o into out (size n), or "" if it is not one. */
static void copy_member(const cJSON *o, const char *name, char *out, size_t n)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, name);
    snprintf(out, n, "%s", cJSON_IsString(s) ? s->valuestring : "");
}

/* Fills the record part of *r from the parsed object o; false (with r->why)
 * if o is not a record. */
static bool read_record(const cJSON *o, struct audit__rec *r)
{
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(o, "seq");
    const cJSON *prev = cJSON_GetObjectItemCaseSensitive(o, "prev");
    const cJSON *event = cJSON_GetObjectItemCaseSensitive(o, "event");
    const char *why = NULL;
    if (!cJSON_IsObject(o))
        why = "not a JSON object";
    else if (!cJSON_IsNumber(seq) || seq->valuedouble < 1 ||
             seq->valuedouble > 9007199254740992.0 ||
             seq->valuedouble != (double)(long long)seq->valuedouble)
        why = "no valid \"seq\"";
    else if (!cJSON_IsString(prev) || !unhex(prev->valuestring, r->prev))
        why = "no valid \"prev\"";
    else if (!cJSON_IsString(event))
        why = "no \"event\"";
    if (why) {
        snprintf(r->why, sizeof(r->why), "%s", why);
        return false;
    }
    r->seq = (long long)seq->valuedouble;
    copy_member(o, "event", r->event, sizeof(r->event));
    if (strcmp(r->event, "audit_chain_broken") == 0)
        copy_member(o, "reason", r->reason, sizeof(r->reason));
    return true;
}

void audit__parse(struct AVSHA *sha, const char *line, size_t len, long lineno,
                  bool complete, struct audit__rec *r)
{
    *r = (struct audit__rec){.line = lineno, .complete = complete, .seq = -1};
    audit__sha256(sha, line, len, r->hash);
    cJSON *o = memchr(line, '\0', len) ? NULL : cJSON_ParseWithLength(line, len);
    if (!o)
        snprintf(r->why, sizeof(r->why), "%s", len ? "not JSON" : "an empty line");
    else
        r->parsed = read_record(o, r);
    cJSON_Delete(o);
    static const char prefix[] = "{\"seq\":";
    if (!r->parsed && len > sizeof(prefix) - 1 &&
        memcmp(line, prefix, sizeof(prefix) - 1) == 0) {
        char digits[20] = "";
        size_t n = 0, at = sizeof(prefix) - 1;
        while (at + n < len && n < sizeof(digits) - 1 && line[at + n] >= '0' &&
               line[at + n] <= '9')
            n++;
        memcpy(digits, line + at, n);
        r->seq = n ? strtoll(digits, NULL, 10) : -1;
    }
}

/* Reads the log a line at a time. */
struct vreader {
    FILE *f;
    struct AVSHA *sha;
    char *buf;
    size_t cap;
    long line;
};

/* Reads the next line into *r: 1, or 0 at the end, or a negative errno. */
static int vread(struct vreader *v, struct audit__rec *r)
{
    errno = 0;
    ssize_t n = getline(&v->buf, &v->cap, v->f);
    if (n < 0)
        return ferror(v->f) ? -(errno ? errno : EIO) : 0;
    bool nl = v->buf[n - 1] == '\n';
    audit__parse(v->sha, v->buf, (size_t)n - nl, ++v->line, nl, r);
    return 1;
}

/* The line number at which seq is found: d first (if any), then the lines
 * after it; 0 if nowhere.  Consumes the reader. */
static long find_seq(struct vreader *v, const struct audit__rec *d, long long seq)
{
    if (d && d->parsed && d->seq == seq)
        return d->line;
    struct audit__rec r;
    while (vread(v, &r) > 0)
        if (r.parsed && r.seq == seq)
            return r.line;
    return 0;
}

/* "seq N" or "seq ?" for a record, into buf. */
static const char *seq_str(const struct audit__rec *r, char buf[32])
{
    if (r->seq >= 0)
        snprintf(buf, 32, "%lld", r->seq);
    else
        snprintf(buf, 32, "?");
    return buf;
}

/* "line L (seq S)" or "the start of the log" for b, into buf. */
static const char *where(const struct audit__rec *b, char buf[64])
{
    if (b->line == 0)
        snprintf(buf, 64, "the start of the log");
    else
        snprintf(buf, 64, "line %ld (seq %lld)", b->line, b->seq);
    return buf;
}

/* What diagnose() found at the first link that fails. */
enum { DIAG_NOTED_CUT, DIAG_FOUND, DIAG_B_ALTERED };

/* Prints "audit: the chain holds up to line L (seq S, hash H)" for the last
 * record known good, g; nothing when no record is (g is the start). */
static void report_holds(FILE *out, const struct audit__rec *g)
{
    char hex[AUDIT__HEX_LEN + 1];
    if (g->line <= 0)
        return;
    audit__hex(g->hash, hex);
    fprintf(out, "audit: the chain holds up to line %ld (seq %lld, hash %s)\n", g->line,
            g->seq, hex);
}

/* Prints "audit: record L (line L, seq S) was WHAT: " for r. */
static void headline(FILE *out, const struct audit__rec *r, long long seq,
                     const char *what)
{
    char s[32];
    struct audit__rec tmp = {.seq = seq};
    fprintf(out, "audit: record %ld (line %ld, seq %s) %s: ", r->line, r->line,
            seq_str(&tmp, s), what);
}

/* The first link fails between b and c, and c's seq is b's plus one: either
 * b was altered (its hash changed) or c was (its prev, hence its hash).
 * Returns DIAG_B_ALTERED when it was b, else DIAG_FOUND. */
static int diagnose_prev(FILE *out, const struct audit__rec *b,
                         const struct audit__rec *c, const struct audit__rec *d)
{
    if (b->line == 0) {
        headline(out, c, c->seq, "was altered");
        fprintf(out, "the first record's prev must be 64 zeros\n");
    } else if (d && d->parsed && d->seq == c->seq + 1 &&
               memcmp(d->prev, c->hash, AUDIT__HASH_LEN) != 0) {
        headline(out, c, c->seq, "was altered");
        fprintf(out, "its prev is not the hash of line %ld, and its own hash "
                     "is not the prev of line %ld\n", b->line, d->line);
    } else {
        headline(out, b, b->seq, "was altered");
        fprintf(out, "its hash is not the prev of line %ld (seq %lld)\n",
                c->line, c->seq);
        return DIAG_B_ALTERED;
    }
    return DIAG_FOUND;
}

/* The first link fails because c's seq skips ahead of b's: records moved,
 * c's seq altered, or records removed. */
static void diagnose_gap(FILE *out, struct vreader *v, const struct audit__rec *b,
                         const struct audit__rec *c, const struct audit__rec *d)
{
    long long want = b->seq + 1;
    char w[64];
    long at = find_seq(v, d, want);
    if (at > 0) {
        headline(out, c, c->seq, "was moved");
        fprintf(out, "seq %lld should come here and is at line %ld\n", want, at);
    } else if (memcmp(c->prev, b->hash, AUDIT__HASH_LEN) == 0) {
        headline(out, c, c->seq, "was altered");
        fprintf(out, "its seq should be %lld (its prev is the hash of %s)\n",
                want, where(b, w));
    } else if (c->seq == want + 1) {
        headline(out, c, want, "was removed");
        fprintf(out, "line %ld holds seq %lld after %s, and its prev does "
                     "not link to it\n", c->line, c->seq, where(b, w));
    } else {
        fprintf(out, "audit: records %ld-%lld (line %ld, seq %lld-%lld) were "
                     "removed: line %ld holds seq %lld after %s\n", c->line,
                c->line + (c->seq - want) - 1, c->line, want, c->seq - 1,
                c->line, c->seq, where(b, w));
    }
}

/* c, which does not link to b, links nowhere, but b links to d: c was
 * inserted, or (a seq still to come, found nowhere later) moved here. */
static void diagnose_extra(FILE *out, struct vreader *v, const struct audit__rec *b,
                           const struct audit__rec *c, const struct audit__rec *d)
{
    char w[64], s[32];
    long at = c->parsed && c->seq > d->seq ? find_seq(v, NULL, c->seq) : -1;
    if (at == 0) {
        headline(out, c, c->seq, "was moved");
        fprintf(out, "seq %lld should come here and is at line %ld\n", d->seq,
                d->line);
        return;
    }
    headline(out, c, c->seq, "was inserted");
    fprintf(out, "without it %s is followed by line %ld (seq %lld)", where(b, w),
            d->line, d->seq);
    if (at > 0)
        fprintf(out, "; seq %s is also at line %ld", seq_str(c, s), at);
    fputc('\n', out);
}

/* Names what broke the link from b to c (d: the line after c, or NULL) and
 * returns DIAG_FOUND (DIAG_B_ALTERED when b itself was altered), or returns
 * DIAG_NOTED_CUT for a record cut by a crash that the writer noted in d
 * (the walk goes on from d). */
static int diagnose(FILE *out, struct vreader *v, const struct audit__rec *b,
                    const struct audit__rec *c, const struct audit__rec *d)
{
    char s[32], w[64];
    if (!c->parsed && !c->complete) {
        headline(out, c, c->seq, "is incomplete");
        fprintf(out, "the log ends in the middle of it (a crash while writing, "
                     "or the file was cut)\n");
    } else if (d && audit__notes_cut(b, c, d)) {
        fprintf(out, "audit: note: line %ld is a record cut by a crash (seq %s); "
                     "the writer noted it at line %ld (seq %lld)\n", c->line,
                seq_str(c, s), d->line, d->seq);
        return DIAG_NOTED_CUT;
    } else if (d && audit__linked(b, d)) {
        diagnose_extra(out, v, b, c, d);
    } else if (!c->parsed) {
        headline(out, c, c->seq, "was altered");
        fprintf(out, "it is not a record (%s)\n", c->why);
    } else if (c->seq == b->seq + 1) {
        return diagnose_prev(out, b, c, d);
    } else if (c->seq > b->seq + 1) {
        diagnose_gap(out, v, b, c, d);
    } else if (memcmp(c->prev, b->hash, AUDIT__HASH_LEN) == 0) {
        headline(out, c, c->seq, "was altered");
        fprintf(out, "its seq should be %lld (its prev is the hash of %s)\n",
                b->seq + 1, where(b, w));
    } else {
        headline(out, c, c->seq, "was inserted");
        fprintf(out, "seq %lld does not follow %s\n", c->seq, where(b, w));
    }
    return DIAG_FOUND;
}

/* Prints the closing lines of an intact log whose last record is last. */
static void report_intact(FILE *out, long n, const struct audit__rec *last)
{
    fprintf(out, "audit: %ld record%s, chain intact\n", n, n == 1 ? "" : "s");
    if (last->line > 0) {
        char hex[AUDIT__HEX_LEN + 1];
        audit__hex(last->hash, hex);
        if (!last->complete)
            fprintf(out, "audit: note: the last line has no newline\n");
        fprintf(out, "audit: last record: line %ld, seq %lld, hash %s\n",
                last->line, last->seq, hex);
    }
}

/* Walks the chain; returns 0 intact, 1 broken, or a negative errno. */
static int walk(struct vreader *v, FILE *out)
{
    struct audit__rec a, b, c, d; /* a: the record before b */
    audit__rec_start(&b);
    a = b;
    long n = 0;
    int ret = vread(v, &c);
    while (ret > 0) {
        if (audit__linked(&b, &c)) {
            a = b;
            b = c;
            n++;
            ret = vread(v, &c);
            continue;
        }
        if ((ret = vread(v, &d)) < 0)
            return ret;
        int found = diagnose(out, v, &b, &c, ret > 0 ? &d : NULL);
        if (found != DIAG_NOTED_CUT) {
            report_holds(out, found == DIAG_B_ALTERED ? &a : &b);
            return 1;
        }
        a = b;
        b = d; /* a noted crash: go on after the note */
        n++;
        ret = vread(v, &c);
    }
    if (ret < 0)
        return ret;
    report_intact(out, n, &b);
    return 0;
}

int audit_verify(const char *path, FILE *out)
{
    struct vreader v = {.f = fopen(path, "rb"), .sha = av_sha_alloc()};
    int ret = !v.f ? -errno : !v.sha ? -ENOMEM : 0;
    if (ret == 0)
        ret = walk(&v, out);
    if (v.f)
        fclose(v.f);
    av_free(v.sha);
    free(v.buf);
    return ret;
}
