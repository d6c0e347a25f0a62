/*
 * audit_priv.h - what the audit module's files share: parsing one line of the
 * log into its chain data (seq, prev, hash), hashing, time formatting, and the
 * field sanitiser.  Not for use outside wall/audit/ (and its unit test).
 */
#ifndef TESSERA_AUDIT_PRIV_H
#define TESSERA_AUDIT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct AVSHA;
struct audit;

#define AUDIT__HASH_LEN 32
#define AUDIT__HEX_LEN (2 * AUDIT__HASH_LEN)
/* The "reason" of the audit_chain_broken record that notes a record cut by a
 * crash; the verifier accepts exactly this acknowledgement. */
#define AUDIT__REASON_INCOMPLETE "incomplete record"

/* One line of the log as the chain sees it. */
struct audit__rec {
    long line;                     /* 1-based; 0: the start of a chain */
    bool parsed;                   /* an object with seq >= 1 and a hex prev */
    bool complete;                 /* the line ended with a newline */
    long long seq;                 /* when parsed; -1 if unknown otherwise */
    uint8_t prev[AUDIT__HASH_LEN]; /* when parsed */
    uint8_t hash[AUDIT__HASH_LEN]; /* SHA-256 of the line, newline excluded */
    char event[48];                /* "" unless parsed */
    char reason[48];               /* "reason" of audit_chain_broken, else "" */
    char why[96];                  /* why the line is not a record */
};

/* Fills *r from the len bytes of line (no newline): hash always, the rest
 * when it is a record; seq is also read from a cut line's '{"seq":N' prefix.
 * sha is a scratch context. */
void audit__parse(struct AVSHA *sha, const char *line, size_t len, long lineno,
                  bool complete, struct audit__rec *r);

/* The start of a chain: line 0, seq 0, a hash of 64 zeros. */
void audit__rec_start(struct audit__rec *r);

/* True when next follows prev: seq is one more and prev is prev's hash. */
bool audit__linked(const struct audit__rec *prev, const struct audit__rec *next);

/* True when note is the writer's audit_chain_broken record for cut, a line
 * that is no record (left by a crash) after the record before: note has the
 * seq after before's, cut's hash as its prev, and AUDIT__REASON_INCOMPLETE. */
bool audit__notes_cut(const struct audit__rec *before, const struct audit__rec *cut,
                      const struct audit__rec *note);

/* SHA-256 of len bytes into out, with sha as a scratch context. */
void audit__sha256(struct AVSHA *sha, const void *data, size_t len,
                   uint8_t out[AUDIT__HASH_LEN]);

/* Writes the 64 lowercase hex digits of hash and a NUL into out. */
void audit__hex(const uint8_t hash[AUDIT__HASH_LEN], char out[AUDIT__HEX_LEN + 1]);

/* Formats wall_us (microseconds since the epoch) as RFC 3339 UTC with
 * milliseconds, "2024-05-01T12:34:56.789Z", into out. */
void audit__format_time(int64_t wall_us, char out[32]);

/* Makes fields safe to write, in place and at every depth: members named like
 * a secret (audit_field_is_secret) get the value "[redacted]", and strings
 * holding "://" go through url_redact().  Returns 0 or -ENOMEM. */
int audit__sanitize(cJSON *fields);

/* Where the chain of an existing log goes on, read from its end. */
struct audit__tail {
    long long seq;                 /* the last record's seq (0: none) */
    uint8_t hash[AUDIT__HASH_LEN]; /* hash of the last line: the next prev */
    bool add_newline;              /* the file does not end with a newline */
    const char *broken;            /* NULL, or the reason of the
                                      audit_chain_broken record to write */
    char detail[160];              /* what is broken, for the warning */
};

/* Reads the end of the log open on fd (size bytes: at least 64 KiB, or more
 * until it holds two whole lines) and says how its chain goes on.  Returns 0,
 * -EINVAL when the end holds no record (not an audit log), or a negative
 * errno from reading. */
int audit__read_tail(int fd, int64_t size, struct AVSHA *sha,
                     struct audit__tail *t);

/* Test hook: while held, the writer takes nothing from the queue, so a test
 * can fill it and see records counted as lost. */
void audit__test_hold_writer(struct audit *a, bool hold);

#endif
