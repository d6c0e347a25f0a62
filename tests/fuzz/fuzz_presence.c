/*
 * fuzz_presence.c - libFuzzer harness for the presence messages of a wall's
 * nodes (wall/sync/peers.c), which any client of the broker can publish:
 * the input is split into lines "NODE<tab>PAYLOAD" taken in order, a second
 * apart, with the list aged between them.  The list must keep this node
 * first and each node once, say foreign exactly for another format, keep
 * only version characters of a release, and give a leader and a "back"
 * answer without crashing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a finding for the fuzzer) when cond is false. */
static void must(int cond)
{
    if (!cond)
        abort();
}

static void check(const struct sync__peers *p)
{
    must(p->n >= 1 && p->n <= p->cap && strcmp(p->list[0].node, "pc2") == 0);
    must(!p->list[0].foreign && p->list[0].protocol == SYNC_PROTOCOL);
    for (int i = 0; i < p->n; i++) {
        const struct sync_peer *e = &p->list[i];
        must(memchr(e->node, 0, sizeof(e->node)) && e->node[0]);
        must(memchr(e->release, 0, sizeof(e->release)) != NULL);
        must(strspn(e->release, "0123456789abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-+~") == strlen(e->release));
        must(e->foreign == (e->protocol != SYNC_PROTOCOL));
        for (int j = 0; j < i; j++)
            must(strcmp(p->list[j].node, e->node) != 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sync__peers p;
    char line[4096], *tab;
    const char *s = (const char *)data, *end = s + size;
    int64_t now = 0;

    if (sync__peers_init(&p, "pc2", "0.1.0", 2000000) < 0)
        return 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = (size_t)((nl ? nl : end) - s);
        if (n < sizeof(line)) {
            memcpy(line, s, n);
            line[n] = '\0';
            tab = strchr(line, '\t');
            if (tab && tab > line) {
                *tab = '\0';
                int flags = sync__peers_take(&p, line, tab + 1, now);
                must((flags & ~(SYNC__PEER_CHANGED | SYNC__PEER_JOINED)) == 0);
                must(!(flags & SYNC__PEER_JOINED) || (flags & SYNC__PEER_CHANGED));
            }
        }
        now += 1000000;
        sync__peers_age(&p, now);
        check(&p);
        (void)sync__peers_leader(&p, true);
        (void)sync__peers_back(&p, now - 500000, now - 3000000);
        s += n + 1;
    }
    sync__peers_free(&p);
    return 0;
}
