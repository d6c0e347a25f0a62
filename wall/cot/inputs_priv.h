/*
 * inputs_priv.h - what the files of the inputs (inputs.c, net.c, dir.c)
 * share.  Threads: everything belongs to the loop thread, except a struct
 * cot__dirscan while its scan runs on the thread pool (in->scanning).
 */
#ifndef TESSERA_COT_INPUTS_PRIV_H
#define TESSERA_COT_INPUTS_PRIV_H

#include <stdarg.h>

#include "base/ring.h"
#include "cot/cot.h"
#include "cot/inputs.h"

#define COT__SRCS_MAX (COT_INPUTS_MAX + 2) /* + control socket and the directory */
#define COT__PEERS_MAX 64                  /* connections one listener holds */

struct cot__counts {
    uint64_t events;      /* parsed and applied (drawn, deleted or not drawn) */
    uint64_t errors;      /* refused: malformed, too big, too deep, entities... */
    uint64_t not_drawn;   /* types the wall does not draw */
    uint64_t unsupported; /* TAK Protocol v1 messages */
    uint64_t dropped;     /* over the rate limit, not parsed */
    char last_error[OVL_ERR_MAX + 64];
    struct ring age_us;   /* applied (wall clock) minus the event's time */
};

/* One input (a line of the stats). */
struct cot__src {
    struct cot_inputs *owner;
    char kind[16];  /* "udp", "tcp", "tcp-listen", "eido-dir", "eido" */
    char spec[300];
    struct cot__counts k;
    double tokens;       /* rate limit bucket */
    uint64_t refill_ms;
    bool tak_logged;
    struct cot_spec sp;
    union {
        uv_udp_t udp;
        uv_tcp_t tcp;
        uv_handle_t handle;
    } h;
    bool h_open, connected;
    uv_timer_t retry;    /* tcp: reconnect backoff */
    bool retry_open;
    unsigned backoff_ms;
    uv_getaddrinfo_t gai;
    bool gai_busy;       /* gai in flight */
    uv_connect_t conn;
    struct cot_split split; /* tcp client */
    int64_t last_data_ms;
    int n_peers;            /* tcp-listen */
    char *rbuf;             /* receive buffer, COT_EVENT_MAX + 1 bytes */
};

/* One accepted connection of a tcp-listen input. */
struct cot__peer {
    uv_tcp_t tcp;
    struct cot__src *src;
    struct cot_split split;
    int64_t last_data_ms;
    bool closing;
    struct cot__peer *next;
};

struct cot__dirscan; /* dir.c */

struct cot_inputs {
    uv_loop_t *loop;
    struct ovl_state *st;
    struct tlog *log;
    struct cot_cidr allow[COT_INPUTS_MAX];
    size_t n_allow;
    struct cot__src *srcs[COT__SRCS_MAX];
    size_t n_srcs;
    struct cot__src *control;  /* EIDO from the control socket */
    struct cot__peer *peers;
    uv_timer_t sweep;          /* stalls, once a second */
    bool sweep_open;
    struct cot__dirscan *dir;  /* --eido-dir, or NULL */
    int open_handles, pending_reqs;
    bool closing;
};

/* Counts an error on s and keeps its text as last_error. */
void cot__set_error(struct cot__src *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Adds an input line; NULL past COT__SRCS_MAX or out of memory. */
struct cot__src *cot__src_add(struct cot_inputs *in, const char *kind, const char *spec);

/* Parses and applies one CoT event (rate limited). */
void cot__apply(struct cot__src *s, const char *buf, size_t len);

/* Parses and applies one EIDO document's text (name: for messages). */
void cot__eido_text(struct cot__src *s, const char *name, const char *text, size_t len);

/* net.c: opens one --cot spec (0 or -errno, logged); closes every socket;
 * starts the stall sweep. */
int cot__socket_open(struct cot_inputs *in, const char *spec);
void cot__sockets_close(struct cot_inputs *in);
int cot__sweep_start(struct cot_inputs *in);

/* dir.c: watches --eido-dir (0 or -errno, logged); stops watching (its
 * handles close and its scan finishes as the loop runs); frees what is left
 * once they have. */
int cot__dir_open(struct cot_inputs *in, const char *path);
void cot__dir_close(struct cot_inputs *in);
void cot__dir_free(struct cot_inputs *in);

#endif
