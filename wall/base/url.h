/*
 * url.h - URL helpers that keep credentials off logs, screens and stats.
 */
#ifndef TESSERA_URL_H
#define TESSERA_URL_H

#include <stddef.h>

/* Copies url into out (size n, always NUL-terminated) with any "user:pass@"
 * or "user@" userinfo replaced by "***@", and the values of query parameters
 * that look like secrets (password, passwd, pass, pwd, token, key, secret,
 * auth, signature, sig) replaced by "***".  Everything else is unchanged. */
void url_redact(const char *url, char *out, size_t n);

/* True when url names a local file (a plain path or "file:"), i.e. a source
 * that should be paced to its own frame rate. */
int url_is_file(const char *url);

#endif
