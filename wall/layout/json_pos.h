/*
 * json_pos.h - cJSON with source positions.  cJSON builds a tree but forgets
 * where each value came from; this wrapper first checks the text with a strict
 * RFC 8259 scanner (which gives a precise message and position for the first
 * syntax error), records the line and column of every key and value in
 * document order, lets cJSON build its tree, and pairs the two by walking the
 * tree in pre-order (the order cJSON appends children, duplicates included).
 *
 * Lines are 1-based and split at "\n", "\r\n" or "\r"; columns are 1-based and
 * count UTF-8 code points (a tab is one column).  A leading UTF-8 byte order
 * mark is skipped and not counted.  Pure: no globals, any thread.
 */
#ifndef TESSERA_LAYOUT_JSON_POS_H
#define TESSERA_LAYOUT_JSON_POS_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Deepest nesting of arrays and objects jpos_parse() accepts. */
#define JPOS_MAX_DEPTH 64

/* Longest number token accepted (cJSON copies numbers into a 64-byte buffer). */
#define JPOS_MAX_NUMBER 63

/* A place in the source text; {0, 0} means "unknown". */
struct jpos {
    int line, col;
};

/* The first syntax error of a document. */
struct jpos_error {
    struct jpos pos;
    char message[160];
};

/* A parsed document: the cJSON tree plus the position of every node. */
struct jpos_doc;

/* Parses text[0..len) (which needs no terminating NUL).  Returns 0 and a new
 * document in *out (free with jpos_doc_destroy), -EINVAL with *err filled for
 * a syntax error, or -ENOMEM; *out is NULL on any error. */
int jpos_parse(const char *text, size_t len, struct jpos_doc **out,
               struct jpos_error *err);

/* The root of the tree; valid until the document is destroyed. */
const cJSON *jpos_root(const struct jpos_doc *doc);

/* Where node's value starts (its first character), or {0, 0} for a node that
 * is not part of doc. */
struct jpos jpos_value(const struct jpos_doc *doc, const cJSON *node);

/* Where the key of an object member starts (its opening quote); the value
 * position for array elements and the root; {0, 0} for foreign nodes. */
struct jpos jpos_key(const struct jpos_doc *doc, const cJSON *node);

/* Position of the character at byte offset in text[0..len) (an offset past
 * the end gives the position just after the last character). */
struct jpos jpos_at_offset(const char *text, size_t len, size_t offset);

/* Frees the document and its tree; accepts NULL. */
void jpos_doc_destroy(struct jpos_doc *doc);

#endif
