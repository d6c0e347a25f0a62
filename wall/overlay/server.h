/*
 * server.h - the overlay control socket: a libuv server that takes
 * newline-delimited JSON from CAD / AVL systems (docs/protocol.md), applies it
 * to a struct ovl_state and answers every request with one reply line.
 *
 * Threading: everything here runs on the thread that runs `loop` (the render
 * thread, stepping it with uv_run(loop, UV_RUN_NOWAIT) each frame, or running
 * it with UV_RUN_DEFAULT); that thread owns the server and the state.  No call
 * blocks: reads are buffered per client, at most `lines_per_step` lines per
 * client and about `step_budget_us` of work are handled per loop iteration,
 * and what is left waits for the next iteration (an idle handle keeps a
 * UV_RUN_DEFAULT loop from sleeping meanwhile).
 */
#ifndef TESSERA_OVL_SERVER_H
#define TESSERA_OVL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>
#include <uv.h>

#include "base/log.h"
#include "overlay/state.h"

#define OVL_MAX_CLIENTS_DEFAULT 128
#define OVL_LINES_PER_STEP_DEFAULT 256
#define OVL_MAX_BACKLOG_DEFAULT (1024 * 1024)
#define OVL_STEP_BUDGET_US_DEFAULT 4000
#define OVL_EXPIRE_MS_DEFAULT 1000
#define OVL_MAX_AUTH_FAILURES 3
#define OVL_SPEC_MAX 160 /* room for a spec string, with its NUL */
#define OVL_IDLE_MS_DEFAULT (300 * 1000)
#define OVL_IDLE_NEVER 0xffffffffu /* idle_ms: never close an idle client */
#define OVL_AUTH_TIMEOUT_MS_DEFAULT 5000

/* Roles of a control client: bits of ovl_client_info.roles.  Each request
 * type needs one of a set of roles (the table in server.c, documented in
 * docs/protocol.md); a supervisor may send everything. */
enum ovl_role {
    OVL_ROLE_VIEWER = 1u << 0,     /* ping, state, stats */
    OVL_ROLE_CAD = 1u << 1,        /* incident, unit */
    OVL_ROLE_OPERATOR = 1u << 2,   /* layout, maximize, ... */
    OVL_ROLE_SUPERVISOR = 1u << 3, /* everything, and reload, snapshot, unmask */
};
#define OVL_ROLES_ALL 0xfu

/* One accepted token and the roles it gives. */
struct ovl_token {
    char token[OVL_TOKEN_MAX + 1];
    unsigned roles; /* enum ovl_role bits, not 0 */
};

/* Zero fields take the defaults above. */
struct ovl_server_config {
    const char *spec;  /* "unix:PATH" (or an absolute PATH), "tcp:HOST:PORT" */
    const char *token; /* NULL or "": none; else every client must auth
                          first and then has every role (the old single
                          token, kept for --control-token-file) */
    const struct ovl_token *tokens; /* n_tokens tokens (copied): clients are
                                       viewers until they auth, then have
                                       that token's roles */
    size_t n_tokens;
    size_t max_clients;     /* connections served at once */
    size_t lines_per_step;  /* lines handled per client per loop iteration */
    size_t max_backlog;     /* unsent reply bytes before a client is dropped */
    unsigned step_budget_us; /* work per loop iteration, checked per line */
    unsigned expire_ms;      /* how often ovl_state_expire() runs */
    unsigned idle_ms;        /* a client without a request this long is
                                closed (OVL_IDLE_NEVER: never) */
    unsigned auth_timeout_ms; /* with tokens: a client that has not
                                 authenticated this long is closed */
};

enum ovl_peer_kind { OVL_PEER_UNIX, OVL_PEER_TCP };

/* Who sent a request (for auditing); valid during the hook call only. */
struct ovl_client_info {
    uint64_t id; /* 1, 2, ... in order of connection */
    enum ovl_peer_kind kind;
    bool has_cred;     /* OVL_PEER_UNIX: SO_PEERCRED worked */
    uid_t uid;         /* OVL_PEER_UNIX with has_cred */
    gid_t gid;
    pid_t pid;
    char addr[64];     /* OVL_PEER_TCP: "127.0.0.1:40312" or "[::1]:40312" */
    bool authenticated; /* sent the right token (always true without one) */
    unsigned roles;     /* enum ovl_role bits it holds now */
};

/* Optional application hooks; any may be NULL. */
struct ovl_server_hooks {
    void *opaque;
    /* Fills the object of a {"type":"stats"} reply; returns 0 or a negative
     * errno (the client then gets an error).  Without it the object is {}. */
    int (*stats)(void *opaque, cJSON *stats);
    /* Handles a message of any type the server does not know.  msg is the
     * whole parsed line; reply already holds "ok" and "seq" (leave them) and
     * gets any fields to return.  Returns 0 (ok reply), -ENOENT (the reply is
     * 'unknown type "x"') or another negative errno with a text in err (the
     * error reply). */
    int (*command)(void *opaque, const cJSON *msg,
                   const struct ovl_client_info *who, cJSON *reply, char *err,
                   size_t errlen);
    /* Told of a request refused for the client's roles (msg: the parsed
     * line for a type the server does not know, else NULL; err: the error
     * replied), before the reply goes: an application may record it. */
    void (*forbidden)(void *opaque, const cJSON *msg, const struct ovl_client_info *who,
                      const char *err);
};

/* Counters since creation; read them with ovl_server_get_counters(). */
struct ovl_server_counters {
    uint64_t msgs_ok, msgs_err;   /* replies sent, by kind */
    uint64_t clients_accepted;    /* connections served */
    uint64_t clients_refused;     /* connections over max_clients */
    uint64_t clients_dropped;     /* closed for a reply backlog or auth */
    uint64_t lines_too_long;
    uint64_t auth_failures;
    uint64_t forbidden;           /* requests beyond the client's roles */
    uint64_t auth_timeouts;       /* closed: no auth within auth_timeout_ms */
    uint64_t idle_closed;         /* closed: idle beyond idle_ms */
    uint64_t http_closed;         /* closed: first line was HTTP */
    uint64_t bytes_in, bytes_out;
    size_t clients;               /* connected now */
};

/* A parsed spec string. */
struct ovl_spec {
    enum ovl_peer_kind kind;
    char path[108];  /* OVL_PEER_UNIX: the socket's path */
    char host[64];   /* OVL_PEER_TCP: a numeric address ("localhost" becomes
                        127.0.0.1), without brackets */
    int port;        /* OVL_PEER_TCP: 0..65535 (0: any free port) */
    bool loopback;   /* OVL_PEER_TCP: 127.0.0.0/8 or ::1 */
};

struct ovl_server;

/* Parses "unix:PATH", an absolute PATH, or "tcp:HOST:PORT" (HOST a numeric
 * IPv4 address, "[IPv6]" or "localhost").  Returns 0, or -EINVAL with err
 * saying what is wrong. */
int ovl_spec_parse(const char *spec, struct ovl_spec *out, char *err,
                   size_t errlen);

/* Writes the default spec, "unix:$XDG_RUNTIME_DIR/tessera.sock", into buf
 * given the value of XDG_RUNTIME_DIR (pass getenv's result).  Returns 0,
 * -ENOENT when it is unset, empty or not absolute, or -ENAMETOOLONG. */
int ovl_server_default_spec(const char *xdg_runtime_dir, char *buf,
                            size_t len);

/* Finds the roles a request of type `type` needs: returns 0 with *roles set
 * (any one of those bits suffices; 0: open to every client, as "auth"), or
 * -ENOENT for a type the table does not know (only a supervisor's such
 * requests reach the command hook). */
int ovl_role_needed(const char *type, unsigned *roles);

/* Whether a client holding roles `have` may send what needs `need`. */
bool ovl_roles_allow(unsigned have, unsigned need);

/* Returns the bit of the role called name[0..len) ("viewer", "cad",
 * "operator", "supervisor"), or 0 for no such role. */
unsigned ovl_role_parse(const char *name, size_t len);

/* Writes the roles as "cad,operator" (or "" for none) into buf. */
void ovl_roles_format(unsigned roles, char *buf, size_t len);

/* Starts listening on cfg->spec and serving clients on loop, applying their
 * messages to state (borrowed; it must outlive the server) and logging
 * through log (borrowed, may be NULL).  A Unix socket is created with mode
 * 0600 (a stale socket file nobody listens on is replaced); a TCP address
 * other than loopback is refused unless cfg->token is set.  If SIGPIPE still
 * has its default action it is set to SIG_IGN (a client that vanishes must
 * not kill the process).  Returns NULL on any error, which is logged; the
 * loop is then as it was. */
struct ovl_server *ovl_server_create(uv_loop_t *loop,
                                     const struct ovl_server_config *cfg,
                                     struct ovl_state *state,
                                     const struct ovl_server_hooks *hooks,
                                     const struct tlog *log);

/* Closes every client and the listener, removes the socket file it created,
 * and runs loop (UV_RUN_NOWAIT) until all its handles' close callbacks have
 * fired, so the caller may then close the loop.  Not to be called from a
 * callback of that loop.  Accepts NULL. */
void ovl_server_destroy(struct ovl_server *srv);

/* Serves the connected stream socket fd (e.g. one end of a socketpair) as a
 * client, as if it had connected to the listener (for tests and fuzzing; fd
 * is owned by the server from then on, closed even on error).  Returns 0 or
 * a negative errno. */
int ovl_server_adopt(struct ovl_server *srv, int fd);

/* Copies the counters into *out. */
void ovl_server_get_counters(const struct ovl_server *srv,
                             struct ovl_server_counters *out);

/* Returns the TCP port listened on (useful with port 0), or 0 for a Unix
 * socket. */
int ovl_server_port(const struct ovl_server *srv);

#endif
