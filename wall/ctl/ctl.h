/*
 * ctl.h - `tessera ctl`: a short-lived command-line client of the control
 * socket (docs/protocol.md) that turns words into one request, sends it
 * (after an auth request when given a token file), prints the reply and
 * exits with its outcome, so nobody has to hand-write NDJSON.
 */
#ifndef TESSERA_CTL_H
#define TESSERA_CTL_H

#include <stddef.h>
#include <stdio.h>

/* Exit statuses of ctl_main(). */
enum {
    CTL_EXIT_OK = 0,    /* the reply was ok */
    CTL_EXIT_ERROR = 1, /* the reply was an error (printed on err) */
    CTL_EXIT_USAGE = 2, /* bad command line, or no connection / no reply */
};

/* Runs `tessera ctl` with argv[0] = "ctl" and the words after it; the reply
 * goes to out, errors to err.  Returns a CTL_EXIT_* status. */
int ctl_main(int argc, char **argv, FILE *out, FILE *err);

/* Builds the request of the words argv[0..argc) (e.g. "incident", "upsert",
 * "--id", "24-1") into a new cJSON object (the caller deletes it); returns
 * NULL with a usage message in msg. */
struct cJSON *ctl_build_request(int argc, char **argv, char *msg, size_t len);

#endif
