/*
 * sync_priv.h - the link's own state, shared by the files of sync/ only.
 *
 * sync.c owns the link (libmosquitto, the inbox its thread fills, the
 * outbox, dispatching); peers.c keeps who is present.  peers.c calls
 * nothing of sync.c.
 */
#ifndef TESSERA_SYNC_PRIV_H
#define TESSERA_SYNC_PRIV_H

#include <pthread.h>

#include "sync/sync.h"

struct mosquitto;

/* Something libmosquitto's thread received, queued for the loop's thread. */
struct sync__ev {
    struct sync__ev *next;
    enum { SYNC_EV_UP, SYNC_EV_DOWN, SYNC_EV_MESSAGE, SYNC_EV_ACK } type;
    int mid;                /* SYNC_EV_ACK */
    char *topic;            /* SYNC_EV_MESSAGE (owned) */
    char *payload;          /* SYNC_EV_MESSAGE (owned, NUL-terminated) */
    size_t len;
};

/* A command of this node not yet acknowledged by the broker. */
struct sync__out {
    uint64_t seq;
    char *text;             /* the envelope, sent as is */
    int mid;                /* libmosquitto's id of the last send; 0: unsent */
    int64_t queued_us;      /* monotonic */
};

/* The last command seen from one boot of one node. */
struct sync__seen {
    char node[SYNC_NODE_MAX];
    uint64_t boot, seq;
};

/* Who is present (peers.c). */
struct sync__peers {
    struct sync_peer *list; /* [0] is this node */
    int n, cap;
    int64_t silent_us;      /* heard nothing for this long: missing */
};

struct sync {
    /* set at creation, read-only after */
    uv_loop_t *loop;
    struct sync_hooks hooks;
    struct mosquitto *mosq;
    char host[256];
    int port;
    char wall[65];
    char node[SYNC_NODE_MAX];
    char prefix[96];        /* "tessera/<wall>/" */
    int keepalive_s;
    int64_t outbox_us;
    uint64_t boot;          /* per start: its wall-clock time (us), so a
                               later run's commands are told from replays */
    /* shared with libmosquitto's thread, under lock */
    pthread_mutex_t lock;
    struct sync__ev *inbox, **inbox_tail;
    /* the loop's thread only */
    uv_async_t *wake;       /* heap: freed by its close callback */
    uv_timer_t *timer;      /* presence and outbox, once a second */
    bool connected;
    int64_t up_us;          /* when the link last came up (monotonic) */
    int64_t down_us;        /* ... and went down */
    bool held;              /* the outbox waits for the nodes to come back */
    bool want_state;        /* snapshots are read (sync_want_state()) */
    uint64_t next_seq;
    struct sync__out *outbox;
    int n_out;
    struct sync__seen seen[32];
    int n_seen;
    struct sync__peers peers;
    uint64_t sent, received, duplicates, undelivered, rejected, links;
};

/* ---- peers.c ---- */

/* Starts the list with this node (missing after silent_us unheard). */
int sync__peers_init(struct sync__peers *p, const char *self, int64_t silent_us);

/* Frees the list. */
void sync__peers_free(struct sync__peers *p);

/* Takes a presence message of node (payload JSON; NULL/empty: cleared) at
 * now_us; returns true when something a hook should hear changed. */
bool sync__peers_take(struct sync__peers *p, const char *node, const char *payload,
                      int64_t now_us);

/* Re-derives who is missing at now_us; true when that changed. */
bool sync__peers_age(struct sync__peers *p, int64_t now_us);

/* Whether every node heard since alive_us (shortly before the link went
 * down; a broker that stops may send their last wills) was heard online
 * again since since_us (so it is subscribed again). */
bool sync__peers_back(const struct sync__peers *p, int64_t since_us, int64_t alive_us);

/* Whether self (entry 0, its link up when up) has the smallest name among
 * the nodes present. */
bool sync__peers_leader(const struct sync__peers *p, bool up);

#endif
