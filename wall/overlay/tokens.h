/*
 * tokens.h - the control socket's tokens file (--control-tokens FILE): one
 * token per line with the roles it gives, read once at start.
 *
 *     # comment
 *     cad            7f3c...e1
 *     operator,cad   91aa...0c
 *
 * The file must be a regular file that neither group nor others may read or
 * write; tokens are never logged nor put into an error text.
 */
#ifndef TESSERA_OVL_TOKENS_H
#define TESSERA_OVL_TOKENS_H

#include <stddef.h>

#include "overlay/server.h"

/* Reads the tokens file at path into a new array (*out, *n; free it with
 * ovl_tokens_free()).  Returns 0, or a negative errno with err saying why:
 * "PATH: cannot open: ...", "PATH: readable or writable by group or others
 * (mode 0644); chmod 600 PATH", or "PATH:LINE: message" for a malformed
 * line. */
int ovl_tokens_load(const char *path, struct ovl_token **out, size_t *n,
                    char *err, size_t errlen);

/* Parses one line of a tokens file (without its newline) into *tok.
 * Returns 1 for a token, 0 for a blank or comment line, or -EINVAL with
 * err holding the message (without file and line). */
int ovl_tokens_parse_line(const char *line, struct ovl_token *tok, char *err,
                          size_t errlen);

/* Wipes and frees an array from ovl_tokens_load(); accepts NULL. */
void ovl_tokens_free(struct ovl_token *tokens, size_t n);

#endif
