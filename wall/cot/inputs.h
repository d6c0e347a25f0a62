/*
 * inputs.h - the wall's Cursor on Target and EIDO inputs on the render
 * thread's libuv loop: UDP (multicast or unicast), TCP client (reconnects with
 * backoff), TCP listener (senders limited by --cot-allow beyond loopback), the
 * EIDO drop directory (files read on the thread pool), and EIDO documents
 * from the control socket.  Each applies what it receives to the overlay
 * state with the cad role, and counts events and errors for the stats.
 *
 * The spec and CIDR parsers at the top are pure (the command line checks
 * with them); everything else belongs to the loop thread.
 */
#ifndef TESSERA_COT_INPUTS_H
#define TESSERA_COT_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <uv.h>

struct cJSON;
struct ovl_state;
struct tlog;

#define COT_INPUTS_MAX 16     /* --cot and --cot-allow, each */
#define COT_RATE_MAX 10000    /* events a second one input applies; more dropped */
#define COT_RATE_BURST 2500   /* ... of which this many may come at once */
#define COT_STALL_S 10        /* half an event held this long: dropped */

enum cot_spec_kind { COT_SPEC_UDP, COT_SPEC_TCP, COT_SPEC_TCP_LISTEN };

/* A parsed --cot SPEC. */
struct cot_spec {
    enum cot_spec_kind kind;
    char host[256]; /* without IPv6 brackets */
    int port;
};

/* Parses "udp:GROUP:PORT", "tcp:HOST:PORT" or "tcp-listen:HOST:PORT" (an
 * IPv6 host in brackets).  Returns 0, or -EINVAL with err saying why. */
int cot_spec_parse(const char *text, struct cot_spec *out, char *err, size_t errlen);

/* An allowed sender network. */
struct cot_cidr {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    int bits;
};

/* Parses "A.B.C.D[/N]" or "IPV6[/N]".  Returns 0 or -EINVAL. */
int cot_cidr_parse(const char *text, struct cot_cidr *out);

/* Whether addr (IPv4, IPv6 or IPv4-mapped IPv6) lies in one of the n nets. */
bool cot_cidr_match(const struct cot_cidr *nets, size_t n, const struct sockaddr *addr);

struct cot_inputs_config {
    const char *const *cot;   /* --cot specs */
    size_t n_cot;
    const char *const *allow; /* --cot-allow CIDRs */
    size_t n_allow;
    const char *eido_dir;     /* --eido-dir, or NULL */
};

struct cot_inputs;

/* Opens every input of cfg on loop, applying to st (borrowed; it must
 * outlive the inputs).  A TCP client that cannot connect retries by itself;
 * a bad spec, a listener beyond loopback without --cot-allow, or a socket
 * that cannot be bound is an error (logged).  Returns NULL then. */
struct cot_inputs *cot_inputs_create(uv_loop_t *loop, struct ovl_state *st,
                                     const struct cot_inputs_config *cfg,
                                     const struct tlog *log);

/* Closes every input (running the loop until their handles are closed and
 * any directory read has finished) and frees them; accepts NULL. */
void cot_inputs_destroy(struct cot_inputs *in);

/* Applies an EIDO document from the control socket (counted as the input
 * {"kind":"eido","spec":"control"}); returns 0 or a negative errno with err
 * set, and fills reply-worthy facts: *closed, id (OVL_ID_MAX + 1 bytes). */
int cot_inputs_eido(struct cot_inputs *in, const struct cJSON *doc, bool *closed,
                    char *id, char *err, size_t errlen);

/* Appends one object per input to the array arr: {"kind", "spec", "events",
 * "errors", "last_error", ...}.  Returns 0 or -ENOMEM. */
int cot_inputs_stats(const struct cot_inputs *in, struct cJSON *arr);

#endif
