/*
 * audit_events.c - what goes into audit records: the builders that name each
 * event and its fields (the one place they are defined).  What keeps
 * credentials out of them and the record time format are in redact.c.
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
