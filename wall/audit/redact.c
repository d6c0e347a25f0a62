/*
 * redact.c - the rule that keeps credentials out of audit records (fields
 * named like a secret are redacted, URLs lose their userinfo and secret
 * query values) and the record time format.  A leaf of the module: audit.c
 * and audit_events.c call it, it calls neither.
 */
#include "audit/audit.h"
#include "audit/audit_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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
