/*
 * secret.h - the one place secrets are compared and read: a constant-time
 * comparison, a reader for the first line of a secret file, and a guard that
 * limits failed attempts per client (so a secret cannot be guessed over the
 * control socket).  Pure: times are passed in; no globals.
 */
#ifndef TESSERA_SECRET_H
#define TESSERA_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when a and b are the same non-empty string; the time taken depends
 * only on their lengths, never on where they differ. */
bool secret_equal(const char *a, const char *b);

/* Reads the first line of the file at path (without its line end) into buf
 * of size n.  Returns 0, a negative errno when it cannot be read, -EINVAL
 * when the line is empty and -E2BIG when it does not fit in buf.  buf is
 * emptied on every error. */
int secret_read_file(const char *path, char *buf, size_t n);

/* Overwrites n bytes at p with zeros in a way the compiler keeps. */
void secret_wipe(void *p, size_t n);

#define SECRET_GUARD_CLIENTS 64   /* clients remembered at once */
#define SECRET_GUARD_KEY 72       /* bytes of a client key */

/* Failed attempts of up to SECRET_GUARD_CLIENTS clients: max_fails failures
 * within window_us lock the client out for lockout_us.  Owned by one thread
 * (the control socket's). */
struct secret_guard {
    int max_fails;
    int64_t window_us, lockout_us;
    struct secret_guard_client {
        char key[SECRET_GUARD_KEY];  /* "" for a free slot */
        int64_t first_fail_us;       /* start of the current window */
        int fails;                   /* failures in it */
        int64_t locked_until_us;     /* 0: not locked */
        int64_t last_us;             /* for reuse of the oldest slot */
    } clients[SECRET_GUARD_CLIENTS];
};

/* Sets up g: max_fails failures within window_us lock out for lockout_us. */
void secret_guard_init(struct secret_guard *g, int max_fails, int64_t window_us,
                       int64_t lockout_us);

/* Whether client may try now: 0, or -EBUSY while it is locked out (then
 * *retry_s, if not NULL, gets the seconds left, at least 1). */
int secret_guard_check(struct secret_guard *g, const char *client, int64_t now_us,
                       int *retry_s);

/* Records a failed attempt of client at now_us; returns true when this one
 * locked it out. */
bool secret_guard_fail(struct secret_guard *g, const char *client, int64_t now_us);

/* Forgets client's failures (after a success). */
void secret_guard_success(struct secret_guard *g, const char *client);

#endif
