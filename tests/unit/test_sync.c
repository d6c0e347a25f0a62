/*
 * test_sync.c - the parts of the multi-node link (wall/sync/) that need no
 * broker: topic names for ids, who is present and missing, the leader,
 * whether the nodes are back after the link returned, who joined, nodes of
 * another message format, and the outbox that packs commands into
 * messages.  The link itself is tested against a real Mosquitto by
 * integration.multinode.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sync/sync_priv.h"

#define S INT64_C(1000000)

static void test_escape(struct check_counts *cc)
{
    char buf[64];
    CHECK_STR(cc, sync_topic_escape("I-2026.17_a~", buf, sizeof(buf)), "I-2026.17_a~");
    CHECK_STR(cc, sync_topic_escape("a/b+c#d%", buf, sizeof(buf)), "a%2Fb%2Bc%23d%25");
    CHECK_STR(cc, sync_topic_escape("é", buf, sizeof(buf)), "%C3%A9");
    /* never past the buffer, always terminated, never half an escape */
    CHECK_STR(cc, sync_topic_escape("//////", buf, 8), "%2F%2F");
    CHECK_STR(cc, sync_topic_escape("", buf, sizeof(buf)), "");
}

static void online(struct sync__peers *p, const char *node, int64_t now)
{
    sync__peers_take(p, node, "{\"state\":\"online\",\"feeds_live\":3,\"feeds_total\":4}", now);
}

static void test_presence(struct check_counts *cc)
{
    struct sync__peers p;
    CHECK_INT(cc, sync__peers_init(&p, "pc2", "0.1.0", 5 * S), 0);
    CHECK(cc, sync__peers_leader(&p, true), "alone, pc2 leads");
    CHECK(cc, !sync__peers_leader(&p, false), "without a link nobody leads");
    CHECK(cc, !sync__peers_take(&p, "pc2", "{\"state\":\"offline\"}", 0),
          "this node's own (earlier run's) presence is not a peer");
    CHECK_INT(cc, p.n, 1);

    CHECK(cc, sync__peers_take(&p, "pc3", "{\"state\":\"online\"}", 1 * S), "pc3 appears");
    CHECK(cc, sync__peers_leader(&p, true), "pc3 > pc2: pc2 still leads");
    online(&p, "pc1", 1 * S);
    CHECK(cc, !sync__peers_leader(&p, true), "pc1 < pc2: pc1 leads");
    CHECK_INT(cc, p.list[2].feeds_live, 3);
    CHECK_INT(cc, p.list[2].feeds_total, 4);

    /* pc1's last will: missing at once, pc2 leads again */
    CHECK(cc, sync__peers_take(&p, "pc1", "{\"state\":\"offline\"}", 2 * S), "will");
    CHECK(cc, p.list[2].missing, "pc1 missing after its will");
    CHECK(cc, sync__peers_leader(&p, true), "pc2 leads when pc1 is gone");
    /* bad JSON is offline too */
    sync__peers_take(&p, "pc1", "{\"state\":", 2 * S);
    CHECK(cc, p.n == 3 && p.list[2].missing, "unreadable presence: missing");

    /* silence: pc3 heard at 1 s is missing after 5 s more, not before */
    CHECK(cc, !sync__peers_age(&p, 5 * S), "pc3 heard 4 s ago is present");
    CHECK(cc, sync__peers_age(&p, 6 * S + 1), "pc3 silent for 5 s goes missing");
    CHECK(cc, p.list[1].missing, "pc3 missing");
    online(&p, "pc3", 7 * S);
    CHECK(cc, !p.list[1].missing, "pc3 back");

    /* a presence cleared on the broker (an administrator retired the
     * node): forgotten, the others kept in order; never this node */
    CHECK_INT(cc, sync__peers_take(&p, "pc1", "", 8 * S), SYNC__PEER_CHANGED);
    CHECK_INT(cc, p.n, 2);
    CHECK(cc, strcmp(p.list[1].node, "pc3") == 0 && !p.list[1].missing, "pc3 kept");
    CHECK_INT(cc, sync__peers_take(&p, "pc1", NULL, 8 * S), 0);
    CHECK_INT(cc, sync__peers_take(&p, "pc2", "", 8 * S), 0);
    CHECK_INT(cc, p.n, 2);
    /* a name too long for a node (a topic anyone could publish) is no node:
     * kept, it would come back truncated and be added again each time */
    char longname[SYNC_NODE_MAX + 8];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    for (int i = 0; i < 3; i++)
        CHECK_INT(cc, sync__peers_take(&p, longname, "{\"state\":\"online\"}", 8 * S), 0);
    CHECK_INT(cc, p.n, 2);
    /* numbers out of range are 0, never converted (undefined behaviour) */
    sync__peers_take(&p, "pc3", "{\"state\":\"online\",\"feeds_live\":1e300,"
                                "\"feeds_total\":-5,\"fps\":1e308}", 9 * S);
    CHECK(cc, p.list[1].feeds_live == 0 && p.list[1].feeds_total == 0 && p.list[1].fps == 0,
          "out-of-range health: %d %d %g", p.list[1].feeds_live, p.list[1].feeds_total,
          p.list[1].fps);
    sync__peers_free(&p);
}

/* Joins: a node that appears, comes back after its will, or starts again
 * (a new boot) wants this node's items; its health changing does not. */
static void test_joined(struct check_counts *cc)
{
    struct sync__peers p;
    sync__peers_init(&p, "pc1", NULL, 5 * S);
    const char *up = "{\"state\":\"online\",\"boot\":\"0a\"}";
    CHECK_INT(cc, sync__peers_take(&p, "pc2", up, 1 * S), SYNC__PEER_CHANGED | SYNC__PEER_JOINED);
    CHECK_INT(cc, sync__peers_take(&p, "pc2", up, 2 * S), 0);
    CHECK_INT(cc, sync__peers_take(&p, "pc2", "{\"state\":\"online\",\"boot\":\"0a\","
                                              "\"feeds_live\":1}", 3 * S), SYNC__PEER_CHANGED);
    CHECK_INT(cc, sync__peers_take(&p, "pc2", "{\"state\":\"online\",\"boot\":\"0b\","
                                              "\"feeds_live\":1}", 4 * S),
              SYNC__PEER_CHANGED | SYNC__PEER_JOINED);
    CHECK_INT(cc, sync__peers_take(&p, "pc2", "{\"state\":\"offline\"}", 5 * S),
              SYNC__PEER_CHANGED);
    CHECK_INT(cc, sync__peers_take(&p, "pc2", up, 6 * S), SYNC__PEER_CHANGED | SYNC__PEER_JOINED);
    sync__peers_free(&p);
}

static char *dup_text(const char *t)
{
    char *d = malloc(strlen(t) + 1);
    return d ? strcpy(d, t) : NULL;
}

/* The outbox: commands packed in order, several to a message, taken off by
 * the acknowledgement of the message that carried them, all sent again
 * after a new link. */
static void test_outbox(struct check_counts *cc)
{
    struct sync__outbox o = {0};
    char *msg = NULL;
    CHECK_INT(cc, sync__outbox_pack(&o, "\"node\":\"a\"", &msg), 0);
    CHECK(cc, msg == NULL, "nothing to pack");
    sync__outbox_add(&o, 1, dup_text("{\"seq\":1}"), 0);
    CHECK_INT(cc, sync__outbox_pack(&o, "\"node\":\"a\"", &msg), 1);
    CHECK_STR(cc, msg, "{\"node\":\"a\",\"cmds\":[{\"seq\":1}]}");
    free(msg);
    sync__outbox_mark(&o, 1, 7);
    sync__outbox_add(&o, 2, dup_text("{\"seq\":2}"), 1);
    sync__outbox_add(&o, 3, dup_text("{\"seq\":3}"), 2);
    CHECK_INT(cc, sync__outbox_pack(&o, "\"node\":\"a\"", &msg), 2);
    CHECK_STR(cc, msg, "{\"node\":\"a\",\"cmds\":[{\"seq\":2},{\"seq\":3}]}");
    free(msg);
    sync__outbox_mark(&o, 2, 8);
    CHECK_INT(cc, sync__outbox_pack(&o, "\"node\":\"a\"", &msg), 0);
    CHECK_INT(cc, sync__outbox_ack(&o, 8), 2);
    CHECK_INT(cc, o.n, 1);
    CHECK_INT(cc, (int)o.list[0].seq, 1);
    CHECK_INT(cc, sync__outbox_ack(&o, 8), 0);
    sync__outbox_unsend(&o); /* a new link: command 1 goes again */
    CHECK_INT(cc, sync__outbox_pack(&o, "\"node\":\"a\"", &msg), 1);
    free(msg);
    /* never more than SYNC__PACK_MAX to a message, never more than the
     * outbox holds */
    for (int i = o.n; i < SYNC__OUTBOX_MAX; i++)
        CHECK_INT(cc, sync__outbox_add(&o, (uint64_t)i + 10, dup_text("{}"), 3), 0);
    char *more = dup_text("{}");
    CHECK_INT(cc, sync__outbox_add(&o, 999, more, 3), -ENOSPC);
    free(more);
    CHECK_INT(cc, sync__outbox_pack(&o, "\"node\":\"a\"", &msg), SYNC__PACK_MAX);
    free(msg);
    sync__outbox_free(&o);
    CHECK_INT(cc, o.n, 0);
}

static void test_back(struct check_counts *cc)
{
    struct sync__peers p;
    sync__peers_init(&p, "pc1", NULL, 5 * S);
    online(&p, "pc2", 1 * S);
    online(&p, "pc3", 9 * S); /* pc3 was alive just before the link went down at 10 s */
    /* a broker that stops sends pc3's last will: it must still come back */
    sync__peers_take(&p, "pc3", "{\"state\":\"offline\"}", 10 * S);
    int64_t alive = 7 * S, up = 20 * S;
    CHECK(cc, !sync__peers_back(&p, up, alive), "pc3 not heard since the link came back");
    online(&p, "pc3", 21 * S);
    CHECK(cc, sync__peers_back(&p, up, alive), "pc3 back; pc2 (silent long before) not waited for");
    sync__peers_free(&p);
}

/* Formats: a presence names the format its node speaks (none: 1) and its
 * release; a node of another format is listed as foreign, never leads,
 * is not waited for, and joins only once it speaks this node's format. */
static void test_foreign(struct check_counts *cc)
{
    struct sync__peers p;
    char v2[160];
    snprintf(v2, sizeof(v2), "{\"state\":\"online\",\"boot\":\"0a\",\"v\":%d,"
             "\"release\":\"9.0.0\\u001b[31m\"}", SYNC_PROTOCOL + 1);
    CHECK_INT(cc, sync__peers_init(&p, "pc2", "0.1.0", 5 * S), 0);
    CHECK(cc, p.list[0].protocol == SYNC_PROTOCOL && !p.list[0].foreign, "this node");
    CHECK_STR(cc, p.list[0].release, "0.1.0");

    /* pc1 (a smaller name) runs a release of the next format */
    CHECK_INT(cc, sync__peers_take(&p, "pc1", v2, 1 * S), SYNC__PEER_CHANGED);
    CHECK(cc, p.list[1].foreign && !p.list[1].missing, "pc1 present, foreign");
    CHECK_INT(cc, p.list[1].protocol, SYNC_PROTOCOL + 1);
    CHECK_STR(cc, p.list[1].release, "9.0.031m"); /* only what a version is written with */
    CHECK(cc, sync__peers_leader(&p, true), "a foreign pc1 does not lead pc2");
    CHECK(cc, sync__peers_back(&p, 2 * S, 0), "a foreign pc1 is not waited for");

    /* pc3 names no format (an earlier release): format 1 */
    sync__peers_take(&p, "pc3", "{\"state\":\"online\"}", 1 * S);
    CHECK_INT(cc, p.list[2].protocol, 1);
    CHECK(cc, p.list[2].foreign == (SYNC_PROTOCOL != 1), "no \"v\": format 1");
    sync__peers_take(&p, "pc3", "{\"state\":\"online\",\"v\":\"1\"}", 1 * S);
    CHECK(cc, p.list[2].protocol == 0 && p.list[2].foreign, "a bad \"v\": foreign");

    /* pc1 upgraded: the same boot, this node's format: it joins and leads */
    char same[160];
    snprintf(same, sizeof(same), "{\"state\":\"online\",\"boot\":\"0a\",\"v\":%d}",
             SYNC_PROTOCOL);
    CHECK_INT(cc, sync__peers_take(&p, "pc1", same, 2 * S),
              SYNC__PEER_CHANGED | SYNC__PEER_JOINED);
    CHECK(cc, !p.list[1].foreign && !sync__peers_leader(&p, true), "pc1 leads once it speaks ours");
    CHECK(cc, !sync__peers_back(&p, 3 * S, 0), "and is waited for");
    sync__peers_free(&p);
}

int main(void)
{
    struct check_counts cc = {0, 0};
    test_escape(&cc);
    test_presence(&cc);
    test_back(&cc);
    test_joined(&cc);
    test_outbox(&cc);
    test_foreign(&cc);
    return check_report(&cc);
}
