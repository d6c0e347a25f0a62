/*
 * sync_priv.h - the link's own state, shared by the files of sync/ only.
 *
 * sync.c owns the link (libmosquitto, the inbox its thread fills,
 * dispatching); outbox.c keeps the commands not acknowledged yet and packs
 * them into messages; peers.c keeps who is present.  outbox.c and peers.c
 * call nothing of sync.c.
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
    char *text;             /* the command's JSON (seq, hash, t, cmd) */
    int mid;                /* libmosquitto's id of the message that carried
                               it last; 0: not handed to the broker */
    int64_t queued_us;      /* monotonic */
};

#define SYNC__OUTBOX_MAX 256 /* commands waiting for the broker, at most */
#define SYNC__PACK_MAX 32    /* commands in one message, at most */

/* The commands not acknowledged yet, oldest first; those not handed to the
 * broker come last. */
struct sync__outbox {
    struct sync__out *list;
    int n;
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
    struct sync__outbox out;
    char head[SYNC_NODE_MAX + 48]; /* "node":"<node>","boot":"<hex>","v":<n> */
    uv_timer_t *pack;       /* the next command message (PACK_US) */
    int64_t packed_us;      /* when the last one was sent (monotonic) */
    struct sync__seen seen[32];
    int n_seen;
    struct sync__peers peers;
    uint64_t sent, received, duplicates, undelivered, rejected, links, messages;
    uint64_t foreign;       /* messages of another format, ignored */
};

/* ---- outbox.c ---- */

/* Queues command seq (text: its JSON, owned from now on) at now_us.  0, or
 * -ENOSPC when the outbox is full (text stays the caller's), -ENOMEM. */
int sync__outbox_add(struct sync__outbox *o, uint64_t seq, char *text, int64_t now_us);

/* Removes command i (its text freed). */
void sync__outbox_remove(struct sync__outbox *o, int i);

/* Frees every command and the list. */
void sync__outbox_free(struct sync__outbox *o);

/* Packs the commands not handed to the broker yet, SYNC__PACK_MAX at most,
 * into one message, {<head>,"cmds":[...]}, in *text (malloc'd).  Returns
 * how many it packed (0: none waits, *text NULL) or -ENOMEM. */
int sync__outbox_pack(const struct sync__outbox *o, const char *head, char **text);

/* Notes that the first n commands not handed to the broker went in the
 * message with id mid. */
void sync__outbox_mark(struct sync__outbox *o, int n, int mid);

/* Takes the commands that message mid carried off the outbox: how many. */
int sync__outbox_ack(struct sync__outbox *o, int mid);

/* Forgets every send (after a new link): all are sent again. */
void sync__outbox_unsend(struct sync__outbox *o);

/* ---- peers.c ---- */

/* Starts the list with this node, of release (NULL: not told); a node is
 * missing after silent_us unheard. */
int sync__peers_init(struct sync__peers *p, const char *self, const char *release,
                     int64_t silent_us);

/* Frees the list. */
void sync__peers_free(struct sync__peers *p);

#define SYNC__PEER_CHANGED 1 /* something a hook should hear changed */
#define SYNC__PEER_JOINED 2  /* the node came onto the wall: present after
                                missing or unknown, or started again */

/* Takes a presence message of node (payload JSON) at now_us; NULL or empty
 * (cleared on the broker) forgets the node; a node name of SYNC_NODE_MAX
 * bytes or more is no node's (ignored).  Returns SYNC__PEER_* flags (0:
 * nothing new). */
int sync__peers_take(struct sync__peers *p, const char *node, const char *payload,
                      int64_t now_us);

/* Re-derives who is missing at now_us; true when that changed. */
bool sync__peers_age(struct sync__peers *p, int64_t now_us);

/* Whether every node of this node's format heard since alive_us (shortly
 * before the link went down; a broker that stops may send their last
 * wills) was heard online again since since_us (so it is subscribed
 * again). */
bool sync__peers_back(const struct sync__peers *p, int64_t since_us, int64_t alive_us);

/* Whether self (entry 0, its link up when up) has the smallest name among
 * the nodes present that speak its format. */
bool sync__peers_leader(const struct sync__peers *p, bool up);

#endif
