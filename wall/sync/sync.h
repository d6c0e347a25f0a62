/*
 * sync.h - the MQTT link that keeps the nodes of one wall in step.
 *
 * One struct sync per node.  It connects to the broker (Eclipse Mosquitto)
 * on libmosquitto's own thread, reconnects by itself, and hands what arrives
 * to the loop's thread through hooks.  It knows the topics, the command
 * envelope, the outbox and who is present; what a command means is the
 * app's business (wall/app/sync.c).
 *
 * Topics, all under tessera/<wall>/ (so walls can share a broker):
 *   cmd             commands, QoS 1, applied by every node in broker order;
 *                   one message carries one command, or several when they
 *                   come faster than one per PACK_US (50 ms)
 *   state           the wall state's snapshot (retained; the leader's)
 *   node/<node>     presence and health (retained; the last will: offline)
 *   incident/<id>   an open incident (retained; an empty message clears it)
 *   unit/<id>       a unit's last position (retained, refreshed at most every
 *                   30 s while it moves, and sent again when a node joins;
 *                   empty: gone)
 *   units           units that moved, several per message (one JSON per
 *                   line; QoS 0, not retained): the live positions
 * Ids are percent-encoded in topic names (no '/', '+', '#').
 *
 * A command carries its node, the node's boot (when it started), a
 * sequence number per boot and the layout version (a content hash); a
 * command already seen from that node and boot, or from an earlier boot of
 * it, is dropped (QoS 1 may deliver twice; nothing is replayed).  Commands wait in the outbox while the broker is away;
 * one not acknowledged within the outbox's time is given up and reported.
 *
 * Threads: every function runs on the thread of the loop given to
 * sync_create(), and the hooks are called there; libmosquitto's thread only
 * queues what it receives.
 */
#ifndef TESSERA_SYNC_H
#define TESSERA_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct cJSON;
struct sync;

#define SYNC_NODE_MAX 64   /* a node's name, with its NUL */
#define SYNC_HASH_MAX 65   /* a layout version (hex), with its NUL */
#define SYNC_RELEASE_MAX 24 /* a Tessera release ("0.1.0"), with its NUL */

/* The format of the messages on the wall's topics ("v" in commands,
 * snapshots and presence, the third word of an item's sender line; a
 * message that names none is of format 1).  Nodes that speak different
 * formats ignore each other's commands, snapshots and items, never lead
 * each other, and list each other as foreign (an upgrade in progress:
 * every PC of a wall must run one release). */
#define SYNC_PROTOCOL 1

struct sync_config {
    const char *host;
    int port;
    bool tls;
    const char *ca_file, *cert_file, *key_file; /* NULL: none / the system's CAs */
    const char *username, *password;            /* NULL: anonymous; copied */
    const char *wall;      /* topic level: [A-Za-z0-9_-] */
    const char *node;      /* this node */
    const char *release;   /* this build's release, told in the presence
                              (NULL: not told) */
    int keepalive_s;       /* a node silent for twice this (at least 2 s)
                              is missing: presence comes once a second and
                              is checked once a second; the MQTT
                              keep-alive is this, at least 5 s (libmosquitto's
                              least), after 1.5 times which the broker sends
                              the last will of a node that hangs */
    double outbox_s;       /* a command not delivered by then is given up */
};

/* A command as it arrives, in broker order, duplicates removed. */
struct sync_cmd {
    const char *node;      /* who sent it */
    uint64_t seq;          /* its number in that node's boot */
    const char *hash;      /* the layout version it was made for */
    int64_t sent_wall_us;  /* when it was sent (the sender's wall clock) */
    bool own;              /* this node sent it */
    const struct cJSON *body; /* the command (valid during the hook only) */
};

enum sync_item { SYNC_INCIDENT = 0, SYNC_UNIT };

/* One node of the wall as its presence says (this node included). */
struct sync_peer {
    char node[SYNC_NODE_MAX];
    bool online;           /* its presence says online (not its last will) */
    bool missing;          /* offline, or silent for 2 keep-alives (at
                              least 2 s) */
    int feeds_live, feeds_total;
    double fps;
    int64_t heard_us;      /* monotonic: when its presence last arrived */
    uint64_t boot;         /* when it started (its presence's "boot") */
    int protocol;          /* the message format it speaks (SYNC_PROTOCOL
                              for this node; 1 when its presence names none) */
    bool foreign;          /* it speaks another format than this node */
    char release[SYNC_RELEASE_MAX]; /* its release ("" when not told) */
};

struct sync_hooks {
    void *opaque;
    /* the link to the broker came up (up) or went away */
    void (*link)(void *opaque, bool up);
    /* a command, in broker order (this node's own included) */
    void (*command)(void *opaque, const struct sync_cmd *cmd);
    /* a command of this node given up undelivered (body: its JSON text) */
    void (*undelivered)(void *opaque, uint64_t seq, const char *body);
    /* the wall state's snapshot (retained or new), made for layout hash */
    void (*snapshot)(void *opaque, const char *from, const char *hash,
                     const struct cJSON *state);
    /* an incident or unit (json NULL: cleared; id "" for a unit of a
     * batch: the id is in json), another node's or an earlier run's */
    void (*item)(void *opaque, enum sync_item kind, const char *id, const char *json,
                 size_t len);
    /* some node appeared, went missing or changed its health; joined: a
     * node came onto the wall (new, back, or started again), which wants
     * this node's incidents and units */
    void (*peers)(void *opaque, bool joined);
};

/* Starts a node's link (connecting in the background; the link hook says
 * when it is up).  NULL with a sentence in err when the client cannot be
 * set up (bad TLS files, no memory); a broker that does not answer is not
 * an error: the link keeps trying. */
struct sync *sync_create(uv_loop_t *loop, const struct sync_config *cfg,
                         const struct sync_hooks *hooks, char *err, size_t errlen);

/* Says goodbye (presence offline), disconnects, joins libmosquitto's thread
 * and frees everything; accepts NULL.  The loop must still run afterwards
 * for the handles to close. */
void sync_destroy(struct sync *s);

/* Whether the link to the broker is up now. */
bool sync_connected(const struct sync *s);

/* Queues a command (body: a JSON object, copied) for every node, this one
 * included, made for layout version hash; *seq gets its number.  It is
 * sent at once, or packed with the next ones when the last command message
 * left less than 50 ms ago.  0, or -ENOSPC when the outbox is full, -ENOMEM. */
int sync_send_command(struct sync *s, const struct cJSON *body, const char *hash,
                      uint64_t *seq);

/* Publishes the wall state's snapshot (retained) made for hash.  0 or a
 * negative errno (-ENOTCONN while the link is down). */
int sync_publish_state(struct sync *s, const struct cJSON *state, const char *hash);

/* Publishes item id of kind (retained); json NULL clears it.  0 or a
 * negative errno (-ENOTCONN while the link is down). */
int sync_publish_item(struct sync *s, enum sync_item kind, const char *id, const char *json,
                      size_t len);

/* Publishes a batch of unit items (lines: one JSON object each, len bytes),
 * not retained.  0 or a negative errno (-ENOTCONN while the link is down). */
int sync_publish_units(struct sync *s, const char *lines, size_t len);

/* Whether snapshots that arrive are read and handed to the snapshot hook
 * (a node that follows the commands needs none; default true). */
void sync_want_state(struct sync *s, bool want);

/* Sets this node's health, published in its presence once a second. */
void sync_set_health(struct sync *s, int feeds_live, int feeds_total, double fps);

/* The nodes known (this one first), valid until the loop runs again;
 * *n gets their number. */
const struct sync_peer *sync_peers(struct sync *s, int *n);

/* Whether this node leads: the link is up and no present node that speaks
 * this node's format has a smaller name.  The leader steps tours and
 * publishes the snapshot. */
bool sync_is_leader(struct sync *s);

/* Adds the link's figures to obj: broker (host:port, never credentials),
 * wall, node, protocol, connected, counters, outbox, nodes (each with its
 * protocol and release).  Who leads is the app's to say: the link's
 * sync_is_leader() is only its part of it. */
void sync_stats(struct sync *s, struct cJSON *obj);

/* Percent-encodes id for a topic level into buf (always terminated);
 * returns buf. */
const char *sync_topic_escape(const char *id, char *buf, size_t n);

#endif
