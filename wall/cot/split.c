/*
 * split.c - cuts a stream of CoT events sent back to back (TAK Server's plain
 * TCP port) into single events, and skips TAK Protocol version 1 messages
 * (0xbf, a varint length, that many protobuf bytes).  Bounded: an event over
 * the limit is dropped while it streams past, never buffered whole.
 */
#define _GNU_SOURCE /* memmem */
#include "cot/cot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define COT__END "</event"
#define COT__END_LEN (sizeof(COT__END) - 1)
#define COT__SLACK 16 /* kept while skipping, so an end tag split in two is found */

int cot_split_init(struct cot_split *s, size_t max)
{
    memset(s, 0, sizeof *s);
    s->max = max ? max : COT_EVENT_MAX;
    s->cap = s->max + COT__SLACK;
    if (!(s->buf = malloc(s->cap)))
        return -ENOMEM;
    return 0;
}

void cot_split_uninit(struct cot_split *s)
{
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
}

size_t cot_split_pending(const struct cot_split *s)
{
    return s->skipping ? 0 : s->len;
}

void cot_split_reset(struct cot_split *s)
{
    s->len = s->scanned = 0;
    s->tak_skip = 0;
    s->skipping = false;
}

static void cot__drop(struct cot_split *s, size_t n)
{
    memmove(s->buf, s->buf + n, s->len - n);
    s->len -= n;
    s->scanned = 0;
}

/* Offset just past the "</event ... >" end tag in buf, or 0 if none yet. */
static size_t cot__find_end(struct cot_split *s)
{
    size_t from = s->scanned > COT__END_LEN ? s->scanned - COT__END_LEN : 0;
    const char *p = memmem(s->buf + from, s->len - from, COT__END, COT__END_LEN);
    if (!p) {
        s->scanned = s->len;
        return 0;
    }
    const char *gt = memchr(p, '>', (size_t)(s->buf + s->len - p));
    if (!gt) {
        s->scanned = (size_t)(p - s->buf);
        return 0;
    }
    return (size_t)(gt - s->buf) + 1;
}

/* Reads a TAK v1 stream header (0xbf, varint length) at buf[0]; returns its
 * size, 0 when incomplete, or -1 when the varint is longer than 10 bytes. */
static int cot__tak_header(const struct cot_split *s, uint64_t *payload)
{
    *payload = 0;
    for (size_t i = 1; i < s->len && i <= 10; i++) {
        *payload |= (uint64_t)(s->buf[i] & 0x7f) << (7 * (i - 1));
        if (!(s->buf[i] & 0x80))
            return (int)i + 1;
    }
    return s->len > 10 ? -1 : 0;
}

/* Drops bytes before the next '<' or 0xbf; true when something was left. */
static bool cot__skip_junk(struct cot_split *s, cot_chunk_cb cb, void *opaque)
{
    size_t i = 0;
    bool junk = false;
    while (i < s->len && s->buf[i] != '<' && (unsigned char)s->buf[i] != COT_TAK_MAGIC) {
        junk |= !(s->buf[i] == ' ' || s->buf[i] == '\n' || s->buf[i] == '\r' ||
                  s->buf[i] == '\t' || s->buf[i] == '\0');
        i++;
    }
    if (junk)
        cb(opaque, COT_CHUNK_JUNK, s->buf, i);
    cot__drop(s, i);
    return s->len > 0;
}

/* Handles what buf holds now; returns false when it needs more bytes. */
static bool cot__step(struct cot_split *s, cot_chunk_cb cb, void *opaque)
{
    if (s->tak_skip) {
        size_t n = s->tak_skip < s->len ? (size_t)s->tak_skip : s->len;
        s->tak_skip -= n;
        cot__drop(s, n);
        return s->len > 0;
    }
    if (s->skipping) {
        size_t end = cot__find_end(s);
        if (end) {
            s->skipping = false;
            cot__drop(s, end);
            return true;
        }
        if (s->len > COT__SLACK)
            cot__drop(s, s->len - COT__SLACK);
        return false;
    }
    if (!cot__skip_junk(s, cb, opaque))
        return false;
    if ((unsigned char)s->buf[0] == COT_TAK_MAGIC) {
        uint64_t payload;
        int hdr = cot__tak_header(s, &payload);
        if (hdr == 0)
            return false;
        cb(opaque, COT_CHUNK_TAK, s->buf, s->len);
        cot__drop(s, hdr < 0 ? s->len : (size_t)hdr);
        s->tak_skip = hdr < 0 ? 0 : payload;
        return s->len > 0;
    }
    size_t end = cot__find_end(s);
    if (end) {
        cb(opaque, COT_CHUNK_EVENT, s->buf, end);
        cot__drop(s, end);
        return s->len > 0;
    }
    if (s->len > s->max) {
        cb(opaque, COT_CHUNK_TOO_BIG, s->buf, s->len);
        s->skipping = true;
        cot__drop(s, s->len - COT__SLACK);
    }
    return false;
}

void cot_split_feed(struct cot_split *s, const char *data, size_t n,
                    cot_chunk_cb cb, void *opaque)
{
    while (n > 0) {
        size_t room = s->cap - s->len, take = n < room ? n : room;
        memcpy(s->buf + s->len, data, take);
        s->len += take;
        data += take;
        n -= take;
        while (cot__step(s, cb, opaque))
            ;
    }
}
