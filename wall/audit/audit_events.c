/*
 * audit_events.c - what goes into audit records: the builders that name each
 * event and its fields (the one place they are defined), the rule that keeps
 * credentials out (fields named like a secret are redacted, URLs lose their
 * userinfo and secret query values), and the record time format.
 */
#include "audit/audit.h"
#include "audit/audit_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/url.h"

#define REDACTED "[redacted]"

static const char *const secret_words[] = {
    "password", "passwd", "passphrase", "pass", "pwd", "secret", "token",
    "key", "apikey", "auth", "authorization", "credential", "credentials",
    "cookie", "signature", "sig", "private", "bearer", NULL};

/* True when the len letters at w are one of secret_words. */
static bool word_is_secret(const char *w, size_t len)
{
    for (int i = 0; secret_words[i]; i++)
        if (strlen(secret_words[i]) == len && strncasecmp(w, secret_words[i], len) == 0)
            return true;
    return false;
}

bool audit_field_is_secret(const char *name)
{
    const char *p = name;
    while (p && *p) {
        if (!isalpha((unsigned char)*p)) {
            p++;
            continue;
        }
        const char *w = p++;
        while (isalpha((unsigned char)*p) &&
               !(islower((unsigned char)p[-1]) && isupper((unsigned char)*p)))
            p++;
        if (word_is_secret(w, (size_t)(p - w)))
            return true;
    }
    return false;
}

/* Replaces member c of parent by the string "[redacted]"; false on ENOMEM. */
static bool redact_member(cJSON *parent, cJSON **c)
{
    cJSON *r = cJSON_CreateString(REDACTED);
    size_t n = strlen((*c)->string) + 1;
    char *key = r ? cJSON_malloc(n) : NULL;
    if (!key) {
        cJSON_Delete(r);
        return false;
    }
    memcpy(key, (*c)->string, n);
    r->string = key;
    cJSON_ReplaceItemViaPointer(parent, *c, r); /* frees *c */
    *c = r;
    return true;
}

/* Puts a string holding "://" (a URL, or text with URLs in it) through
 * url_redact_text(); false on ENOMEM. */
static bool redact_url(cJSON *s)
{
    size_t len = strlen(s->valuestring);
    char *buf = malloc(3 * len + 16); /* "***" may be longer than a secret */
    if (!buf)
        return false;
    url_redact_text(s->valuestring, buf, 3 * len + 16);
    bool ok = cJSON_SetValuestring(s, buf) != NULL;
    free(buf);
    return ok;
}

int audit__sanitize(cJSON *fields)
{
    for (cJSON *c = fields ? fields->child : NULL; c; c = c->next) {
        bool ok = true;
        if (c->string && audit_field_is_secret(c->string))
            ok = redact_member(fields, &c);
        else if (cJSON_IsString(c) && strstr(c->valuestring, "://"))
            ok = redact_url(c);
        else if (cJSON_IsObject(c) || cJSON_IsArray(c))
            ok = audit__sanitize(c) == 0;
        if (!ok)
            return -ENOMEM;
    }
    return 0;
}

void audit__format_time(int64_t wall_us, char out[32])
{
    int64_t sec = wall_us / 1000000, us = wall_us % 1000000;
    if (us < 0) {
        us += 1000000;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, 32, "1970-01-01T00:00:00.000Z");
        return;
    }
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(us / 1000));
}

/* Adds a string member, or null when v is NULL; false on ENOMEM. */
static bool put_str(cJSON *o, const char *name, const char *v)
{
    return v ? cJSON_AddStringToObject(o, name, v) != NULL
             : cJSON_AddNullToObject(o, name) != NULL;
}

/* Adds a time member (RFC 3339), or null when wall_us <= 0. */
static bool put_time(cJSON *o, const char *name, int64_t wall_us)
{
    char buf[32];
    if (wall_us <= 0)
        return cJSON_AddNullToObject(o, name) != NULL;
    audit__format_time(wall_us, buf);
    return cJSON_AddStringToObject(o, name, buf) != NULL;
}

/* Records f built with ok (false: building failed) as event. */
static int submit(struct audit *a, const char *event, cJSON *f, bool ok, bool sync)
{
    if (!ok || !f) {
        cJSON_Delete(f);
        return -ENOMEM;
    }
    return audit_record(a, event, f, sync);
}

int audit_program_start(struct audit *a, const char *version,
                        const char *layout_path)
{
    if (!a)
        return 0;
    if (!version)
        return -EINVAL;
    char host[256] = "";
    if (gethostname(host, sizeof(host) - 1) < 0)
        host[0] = '\0';
    cJSON *f = cJSON_CreateObject();
    bool ok = f && put_str(f, "version", version) &&
              put_str(f, "layout", layout_path) &&
              cJSON_AddNumberToObject(f, "pid", (double)getpid()) &&
              cJSON_AddNumberToObject(f, "uid", (double)getuid()) &&
              put_str(f, "host", host[0] ? host : NULL);
    return submit(a, "program_start", f, ok, true);
}

int audit_program_stop(struct audit *a, const char *reason)
{
    if (!a)
        return 0;
    if (!reason)
        return -EINVAL;
    cJSON *f = cJSON_CreateObject();
    return submit(a, "program_stop", f, f && put_str(f, "reason", reason), true);
}

int audit_layout(struct audit *a, const char *path, const char *view_name,
                 const char *action)
{
    if (!a)
        return 0;
    if (!path || !action || (strcmp(action, "loaded") != 0 &&
                             strcmp(action, "switched") != 0 &&
                             strcmp(action, "reloaded") != 0))
        return -EINVAL;
    cJSON *f = cJSON_CreateObject();
    bool ok = f && put_str(f, "action", action) && put_str(f, "path", path) &&
              put_str(f, "view", view_name);
    return submit(a, "layout", f, ok, true);
}

int audit_visible(struct audit *a, const char *feed_id, const char *output_name,
                  int tile_index, int64_t from_wall_us, int64_t to_wall_us)
{
    if (!a)
        return 0;
    if (!feed_id || !output_name)
        return -EINVAL;
    cJSON *f = cJSON_CreateObject();
    bool ok = f && put_str(f, "feed", feed_id) &&
              put_str(f, "output", output_name) &&
              cJSON_AddNumberToObject(f, "tile", tile_index) &&
              put_time(f, "from", from_wall_us) && put_time(f, "to", to_wall_us);
    return submit(a, "visible", f, ok, false);
}

int audit_mask_lifted(struct audit *a, const char *feed_id, const char *who,
                      const char *reason, int64_t until_wall_us)
{
    if (!a)
        return 0;
    if (!feed_id)
        return -EINVAL;
    cJSON *f = cJSON_CreateObject();
    bool ok = f && put_str(f, "feed", feed_id) && put_str(f, "by", who) &&
              put_str(f, "reason", reason) && put_time(f, "until", until_wall_us);
    return submit(a, "mask_lifted", f, ok, true);
}

int audit_mask_restored(struct audit *a, const char *feed_id)
{
    if (!a)
        return 0;
    if (!feed_id)
        return -EINVAL;
    cJSON *f = cJSON_CreateObject();
    return submit(a, "mask_restored", f, f && put_str(f, "feed", feed_id), true);
}

int audit_consent_refused(struct audit *a, const char *feed_id,
                          const char *ref, const char *why)
{
    if (!a)
        return 0;
    if (!feed_id)
        return -EINVAL;
    cJSON *f = cJSON_CreateObject();
    bool ok = f && put_str(f, "feed", feed_id) && put_str(f, "ref", ref) &&
              put_str(f, "why", why);
    return submit(a, "consent_refused", f, ok, true);
}

int audit_command(struct audit *a, const char *type, long uid,
                  const char *peer_addr, const char *summary)
{
    if (!a)
        return 0;
    if (!type)
        return -EINVAL;
    cJSON *f = cJSON_CreateObject();
    bool ok = f && put_str(f, "type", type) &&
              (uid >= 0 ? cJSON_AddNumberToObject(f, "uid", (double)uid) != NULL
                        : cJSON_AddNullToObject(f, "uid") != NULL) &&
              put_str(f, "peer", peer_addr) && put_str(f, "summary", summary);
    return submit(a, "command", f, ok, true);
}
