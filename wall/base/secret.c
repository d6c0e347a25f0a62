/*
 * secret.c - constant-time comparison, secret files, and the failed-attempt
 * guard (see secret.h).
 */
#include "base/secret.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    volatile unsigned char diff = (unsigned char)(la != lb);
    /* walk the attempt b whole, reading a cyclically, so the time depends on
     * the lengths only */
    for (size_t i = 0; i < lb && la > 0; i++)
        diff |= (unsigned char)(a[i % la] ^ b[i]);
    return diff == 0 && la > 0;
}

void secret_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

int secret_read_file(const char *path, char *buf, size_t n)
{
    if (n < 2)
        return -EINVAL;
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    char *line = fgets(buf, (int)n, f);
    fclose(f);
    size_t len = line ? strcspn(buf, "\r\n") : 0;
    int ret = !line ? -EINVAL : buf[len] == '\0' && len == n - 1 ? -E2BIG : 0;
    buf[len] = '\0';
    if (ret == 0 && len == 0)
        ret = -EINVAL;
    if (ret < 0)
        secret_wipe(buf, n);
    return ret;
}

void secret_guard_init(struct secret_guard *g, int max_fails, int64_t window_us,
                       int64_t lockout_us)
{
    memset(g, 0, sizeof(*g));
    g->max_fails = max_fails;
    g->window_us = window_us;
    g->lockout_us = lockout_us;
}

/* The slot of client, or NULL when it has none (create: takes a free slot or
 * the one least recently used). */
static struct secret_guard_client *slot(struct secret_guard *g, const char *client,
                                        bool create)
{
    struct secret_guard_client *oldest = NULL;
    for (int i = 0; i < SECRET_GUARD_CLIENTS; i++) {
        struct secret_guard_client *c = &g->clients[i];
        if (c->key[0] && strcmp(c->key, client) == 0)
            return c;
        bool free_slot = !c->key[0];
        if (!oldest || (free_slot && oldest->key[0]) ||
            (!free_slot && oldest->key[0] && c->last_us < oldest->last_us))
            oldest = c;
    }
    if (!create)
        return NULL;
    memset(oldest, 0, sizeof(*oldest));
    snprintf(oldest->key, sizeof(oldest->key), "%s", client[0] ? client : "?");
    return oldest;
}

int secret_guard_check(struct secret_guard *g, const char *client, int64_t now_us,
                       int *retry_s)
{
    struct secret_guard_client *c = slot(g, client, false);
    if (!c || c->locked_until_us <= now_us)
        return 0;
    if (retry_s) {
        int64_t left = (c->locked_until_us - now_us + 999999) / 1000000;
        *retry_s = left < 1 ? 1 : (int)left;
    }
    return -EBUSY;
}

bool secret_guard_fail(struct secret_guard *g, const char *client, int64_t now_us)
{
    struct secret_guard_client *c = slot(g, client, true);
    c->last_us = now_us;
    if (c->locked_until_us > now_us)
        return false;
    if (c->locked_until_us || now_us - c->first_fail_us > g->window_us || !c->fails) {
        c->locked_until_us = 0;
        c->first_fail_us = now_us;
        c->fails = 0;
    }
    if (++c->fails < g->max_fails)
        return false;
    c->locked_until_us = now_us + g->lockout_us;
    return true;
}

void secret_guard_success(struct secret_guard *g, const char *client)
{
    struct secret_guard_client *c = slot(g, client, false);
    if (c)
        memset(c, 0, sizeof(*c));
}
