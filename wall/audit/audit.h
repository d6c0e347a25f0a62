/*
 * audit.h - the audit log: an append-only, tamper-evident record of what the
 * wall showed (program start and stop, layouts, every interval a feed was
 * visible on an output, masks lifted and restored, consent refusals, control
 * commands that changed the picture).  One JSON object per line; each line
 * carries the SHA-256 of the line before it, so a verifier finds the first
 * record that was altered, removed, inserted or moved.  Records are written by
 * a thread of the module: callers (the render thread among them) never wait
 * for the disk.  docs/audit.md describes the format, every event and the
 * fsync policy.
 */
#ifndef TESSERA_AUDIT_H
#define TESSERA_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

struct tlog;
struct audit;

/* Records that may wait for the writer; past this a producer waits up to
 * AUDIT_FULL_WAIT_MS for room, then the record is lost and counted (an
 * "audit_overflow" record says how many when the writer catches up). */
#define AUDIT_QUEUE_MAX 4096
#define AUDIT_FULL_WAIT_MS 10

/* Opens (creating with mode 0600, O_APPEND) the log at path and continues the
 * chain from its last record, read from the file's tail: a last record cut by
 * a crash is closed with a newline and an "audit_chain_broken" record notes
 * it; a broken chain at the tail is logged as a warning and noted the same
 * way.  Refuses (-EINVAL) a non-empty file with no record at its end, and
 * (-EBUSY) a log another process holds open.  Starts the writer thread;
 * log is only borrowed for the call (a child logger is kept).  NULL on
 * failure with *err set to a negative errno. */
struct audit *audit_open(const char *path, const struct tlog *log, int *err);

/* Queues one record: event (1 to 47 characters of [a-z0-9_]) and fields, an
 * object whose members follow "seq", "time" and "event" on the line (NULL for
 * none).  Takes ownership of fields whatever it returns.  sync asks for an
 * fsync right after the record is written (start/stop, layouts, masks,
 * consent, commands); other records are synced within a second.  A NULL a
 * (no audit log configured) does nothing and returns 0.  Returns 0,
 * -EINVAL (bad event name, fields not an object or using a reserved name:
 * seq, time, event, prev), -ENOBUFS (the queue stayed full: the record is
 * lost and counted) or -ESHUTDOWN (audit_close has begun).  Thread-safe. */
int audit_record(struct audit *a, const char *event, cJSON *fields, bool sync);

/* Writes everything queued, fsyncs, stops the writer, closes the file and
 * frees; accepts NULL.  No audit_record call may run after it starts. */
void audit_close(struct audit *a);

/* Checks the chain of the log at path and writes a report to out: a line per
 * note (a record cut by a crash and noted by the writer), then either
 * "audit: N records, chain intact" followed by the last record's seq and
 * hash, or "audit: record L (line L, seq S) was altered|removed|inserted|
 * moved: why" (or "is incomplete") naming the first problem.  Returns 0
 * intact, 1 broken, or a negative errno when the file cannot be read. */
int audit_verify(const char *path, FILE *out);

/* True when a field named name may hold a credential and is therefore
 * written as "[redacted]": the name, split into words at '_', '-', '.',
 * spaces and lower-to-upper case changes, has a word that is password,
 * passwd, passphrase, pass, pwd, secret, token, key, apikey, auth,
 * authorization, credential(s), cookie, signature, sig or private
 * (case-insensitive; "api_key", "authToken", "X-Auth" match; "keyframe",
 * "author", "signal" do not). */
bool audit_field_is_secret(const char *name);

/* Record builders: the one place that names the events and their fields.
 * Each returns what audit_record returns (0 for a NULL a), or -EINVAL for a
 * NULL required argument (the first string; "visible" needs feed and output,
 * "layout" path and action), -ENOMEM when building the fields fails; other
 * NULL strings are written as null.  None takes a URL, and
 * any string with "://" in any record is passed through url_redact(). */

/* "program_start" {version, layout, pid, uid, host}; synced. */
int audit_program_start(struct audit *a, const char *version,
                        const char *layout_path);
/* "program_stop" {reason}; synced. */
int audit_program_stop(struct audit *a, const char *reason);
/* "layout" {action, path, view}: action is "loaded", "switched" or
 * "reloaded" (else -EINVAL); view_name may be NULL (null); synced. */
int audit_layout(struct audit *a, const char *path, const char *view_name,
                 const char *action);
/* "visible" {feed, output, tile, from, to}: feed_id was shown on output in
 * tile tile_index from from_wall_us to to_wall_us (microseconds since the
 * Unix epoch, written as RFC 3339 UTC with milliseconds); not synced. */
int audit_visible(struct audit *a, const char *feed_id, const char *output_name,
                  int tile_index, int64_t from_wall_us, int64_t to_wall_us);
/* "mask_lifted" {feed, by, reason, until}: until_wall_us <= 0 writes null
 * (until restored); synced. */
int audit_mask_lifted(struct audit *a, const char *feed_id, const char *who,
                      const char *reason, int64_t until_wall_us);
/* "mask_restored" {feed}; synced. */
int audit_mask_restored(struct audit *a, const char *feed_id);
/* "consent_refused" {feed, ref, why}: ref (the consent reference) may be
 * NULL (null); synced. */
int audit_consent_refused(struct audit *a, const char *feed_id,
                          const char *ref, const char *why);
/* "command" {type, uid, peer, summary}: a control-socket command that changed
 * what is shown; uid is the Unix-socket client's uid or -1 (null), peer the
 * TCP peer address or NULL (null); synced. */
int audit_command(struct audit *a, const char *type, long uid,
                  const char *peer_addr, const char *summary);

#endif
