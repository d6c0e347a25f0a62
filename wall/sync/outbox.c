/*
 * outbox.c - this node's commands that the broker has not acknowledged yet
 * (see sync_priv.h).  Commands are queued one by one and sent packed, several
 * to a message when they come faster than messages are sent; a message's
 * acknowledgement takes every command it carried off the outbox.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync_priv.h"

int sync__outbox_add(struct sync__outbox *o, uint64_t seq, char *text, int64_t now_us)
{
    if (o->n >= SYNC__OUTBOX_MAX)
        return -ENOSPC;
    struct sync__out *more = realloc(o->list, (size_t)(o->n + 1) * sizeof(*more));
    if (!more)
        return -ENOMEM;
    o->list = more;
    o->list[o->n++] = (struct sync__out){.seq = seq, .text = text, .queued_us = now_us};
    return 0;
}

void sync__outbox_remove(struct sync__outbox *o, int i)
{
    free(o->list[i].text);
    memmove(&o->list[i], &o->list[i + 1], (size_t)(o->n - i - 1) * sizeof(*o->list));
    o->n--;
}

void sync__outbox_free(struct sync__outbox *o)
{
    while (o->n > 0)
        sync__outbox_remove(o, o->n - 1);
    free(o->list);
    o->list = NULL;
}

/* The first command not handed to the broker (they come last), or o->n. */
static int first_unsent(const struct sync__outbox *o)
{
    int i = o->n;
    while (i > 0 && o->list[i - 1].mid == 0)
        i--;
    return i;
}

int sync__outbox_pack(const struct sync__outbox *o, const char *head, char **text)
{
    int first = first_unsent(o), n = 0;
    size_t len = strlen(head) + 16;
    for (int i = first; i < o->n && n < SYNC__PACK_MAX; i++, n++)
        len += strlen(o->list[i].text) + 1;
    *text = NULL;
    if (n == 0)
        return 0;
    char *t = malloc(len), *w = t;
    if (!t)
        return -ENOMEM;
    w += sprintf(w, "{%s,\"cmds\":[", head);
    for (int i = first; i < first + n; i++)
        w += sprintf(w, "%s%s", i > first ? "," : "", o->list[i].text);
    strcpy(w, "]}");
    *text = t;
    return n;
}

void sync__outbox_mark(struct sync__outbox *o, int n, int mid)
{
    for (int i = first_unsent(o); i < o->n && n > 0; i++, n--)
        o->list[i].mid = mid;
}

int sync__outbox_ack(struct sync__outbox *o, int mid)
{
    int gone = 0;
    for (int i = o->n - 1; i >= 0; i--) {
        if (o->list[i].mid == mid) {
            sync__outbox_remove(o, i);
            gone++;
        }
    }
    return gone;
}

void sync__outbox_unsend(struct sync__outbox *o)
{
    for (int i = 0; i < o->n; i++)
        o->list[i].mid = 0;
}
