/*
 * url.h - URL helpers that keep credentials off logs, screens, stats and the
 * audit log (the one redaction used everywhere), and the source key that
 * privacy settings hang on.
 */
#ifndef TESSERA_URL_H
#define TESSERA_URL_H

#include <stdbool.h>
#include <stddef.h>

/* Copies url into out (size n, always NUL-terminated; cut if it does not fit)
 * with any "user:pass@" or "user@" userinfo replaced by "***@", and the value
 * of every query parameter whose name contains "pass", "secret", "token",
 * "key", "auth", "sig" or "pwd" (any case) replaced by "***".  Everything
 * else is unchanged. */
void url_redact(const char *url, char *out, size_t n);

/* Copies free text (a log line, an FFmpeg message, an error text) into out
 * (size n, always NUL-terminated; cut if it does not fit) with every URL in
 * it ("scheme://" up to the next blank or quote) put through url_redact().
 * out must not overlap text. */
void url_redact_text(const char *text, char *out, size_t n);

/* Writes the camera a URL names, "scheme://host:port/path" (scheme and host
 * in lower case, the scheme's default port filled in where known; no
 * credentials, query or fragment), into out (size n, always NUL-terminated).
 * Two feed entries with the same key are the same camera. */
void url_source_key(const char *url, char *out, size_t n);

/* True when url names a local file (a plain path or "file:"), i.e. a source
 * that should be paced to its own frame rate. */
int url_is_file(const char *url);

#endif
