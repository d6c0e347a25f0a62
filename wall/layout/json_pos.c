/*
 * json_pos.c - a strict JSON scanner that records where every key and value
 * starts, and the pairing of those positions with the nodes of the tree cJSON
 * builds from the same text.  See json_pos.h for the rules.
 *
 * The scanner accepts a subset of what cJSON accepts (RFC 8259 without lone
 * surrogates, "\u0000" or numbers over 63 characters), so a text it accepts
 * gives a cJSON tree with one node per recorded value, in the same order.  If
 * the two ever disagree the document is rejected with an "internal error"
 * message rather than mislabelled; the fuzzer treats that message, and a
 * cJSON failure (reported as -ENOMEM), as bugs.
 */
#include "layout/json_pos.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Largest document accepted: keeps line and column counts far from INT_MAX. */
#define JPOS_MAX_BYTES ((size_t)256 << 20)

struct jpos_entry {
    const cJSON *node;
    struct jpos key;   /* {0, 0} for array elements and the root */
    struct jpos value;
};

struct jpos_doc {
    cJSON *root;
    struct jpos_entry *entries; /* sorted by node address once mapped */
    size_t n;
};

/* A read position in the text, with its line and column. */
struct cursor {
    const unsigned char *s;
    size_t len, off;
    struct jpos pos;
};

struct scanner {
    struct cursor c;
    struct jpos open;      /* innermost unclosed '{' or '[' */
    char open_ch;          /* its character, or 0 at top level */
    struct jpos_entry *v;  /* recorded values, in document order */
    size_t n, cap;
    struct jpos_error *err;
};

/* ---- cursor ---- */

/* 3 if text starts with a UTF-8 byte order mark, else 0. */
static size_t bom_length(const char *text, size_t len)
{
    return len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

static void cursor_init(struct cursor *c, const char *text, size_t len)
{
    c->s = (const unsigned char *)text;
    c->len = len;
    c->off = 0;
    c->pos.line = 1;
    c->pos.col = 1;
    c->off = bom_length(text, len); /* skipped, not counted */
}

static int cursor_peek(const struct cursor *c)
{
    return c->off < c->len ? c->s[c->off] : -1;
}

static int cursor_peek_at(const struct cursor *c, size_t ahead)
{
    return c->len - c->off > ahead ? c->s[c->off + ahead] : -1;
}

/* Moves past n bytes (never past the end), keeping line and column. */
static void cursor_advance(struct cursor *c, size_t n)
{
    for (; n > 0 && c->off < c->len; n--, c->off++) {
        unsigned char b = c->s[c->off];
        if (b == '\n' || (b == '\r' && cursor_peek_at(c, 1) != '\n')) {
            c->pos.line++;
            c->pos.col = 1;
        } else if (b != '\r' && (b & 0xC0) != 0x80) {
            c->pos.col++; /* continuation bytes share their code point */
        }
    }
}

static void cursor_skip_ws(struct cursor *c)
{
    int b;
    while ((b = cursor_peek(c)) == ' ' || b == '\t' || b == '\n' || b == '\r')
        cursor_advance(c, 1);
}

struct jpos jpos_at_offset(const char *text, size_t len, size_t offset)
{
    struct cursor c;
    cursor_init(&c, text, len);
    if (offset > c.off)
        cursor_advance(&c, offset - c.off);
    return c.pos;
}

/* ---- UTF-8 ---- */

/* Length of the well-formed UTF-8 sequence at s[0..n) and its code point in
 * *cp, or 0 if the bytes there are not one. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t len, i;
    unsigned lo = 0x80, hi = 0xBF;
    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        *cp = s[0] & 0x1Fu;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        *cp = s[0] & 0x0Fu;
        lo = s[0] == 0xE0 ? 0xA0 : 0x80;
        hi = s[0] == 0xED ? 0x9F : 0xBF;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        *cp = s[0] & 0x07u;
        lo = s[0] == 0xF0 ? 0x90 : 0x80;
        hi = s[0] == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3Fu);
    }
    return len;
}

/* ---- scanner errors ---- */

static int scan_fail(struct scanner *sc, struct jpos at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first syntax error; returns -EINVAL. */
static int scan_fail(struct scanner *sc, struct jpos at, const char *fmt, ...)
{
    va_list ap;
    sc->err->pos = at;
    va_start(ap, fmt);
    vsnprintf(sc->err->message, sizeof sc->err->message, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* Names the character at the cursor for a message ("'x'", "U+00A0"). */
static void scan_describe(const struct scanner *sc, char *buf, size_t size)
{
    const struct cursor *c = &sc->c;
    unsigned cp = 0;
    int b = cursor_peek(c);
    if (b >= 0x20 && b < 0x7F)
        snprintf(buf, size, "'%c'", b);
    else if (b >= 0 && b < 0x80)
        snprintf(buf, size, "control character U+%04X", (unsigned)b);
    else if (utf8_decode(c->s + c->off, c->len - c->off, &cp) > 0)
        snprintf(buf, size, "character U+%04X", cp);
    else
        snprintf(buf, size, "byte 0x%02X (not UTF-8)", (unsigned)b);
}

/* Reports what is at the cursor when something else was expected, with
 * friendlier words for the usual hand-editing slips. */
static int scan_unexpected(struct scanner *sc, const char *expected)
{
    char what[48];
    unsigned cp = 0;
    const struct cursor *c = &sc->c;
    int b = cursor_peek(c);

    if (b < 0 && sc->open_ch)
        return scan_fail(sc, c->pos,
                         "unexpected end of input; the '%c' at line %d, "
                         "column %d is not closed",
                         sc->open_ch, sc->open.line, sc->open.col);
    if (b < 0)
        return scan_fail(sc, c->pos, "unexpected end of input; expected %s",
                         expected);
    if (b == '/' || b == '#')
        return scan_fail(sc, c->pos, "comments are not allowed in JSON");
    if (b == '\'')
        return scan_fail(sc, c->pos,
                         "strings and keys need double quotes, not '");
    if (utf8_decode(c->s + c->off, c->len - c->off, &cp) == 3 &&
        (cp == 0x201C || cp == 0x201D || cp == 0x2018 || cp == 0x2019))
        return scan_fail(sc, c->pos,
                         "typographic quote U+%04X; use a straight "
                         "double quote (\")", cp);
    scan_describe(sc, what, sizeof what);
    return scan_fail(sc, c->pos, "unexpected %s; expected %s", what, expected);
}

/* ---- scanner ---- */

static int scan_value(struct scanner *sc, struct jpos key, int depth);

static bool is_digit(int b)
{
    return b >= '0' && b <= '9';
}

static bool is_word_char(int b)
{
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || is_digit(b) ||
           b == '_' || b == '$';
}

static int hex_value(int b)
{
    if (is_digit(b))
        return b - '0';
    if (b >= 'a' && b <= 'f')
        return b - 'a' + 10;
    if (b >= 'A' && b <= 'F')
        return b - 'A' + 10;
    return -1;
}

/* The four hex digits after "\u" at ahead bytes from the cursor, or -1. */
static long scan_hex4(const struct scanner *sc, size_t ahead)
{
    long v = 0;
    size_t i;
    if (cursor_peek_at(&sc->c, ahead) != '\\' ||
        cursor_peek_at(&sc->c, ahead + 1) != 'u')
        return -1;
    for (i = 0; i < 4; i++) {
        int h = hex_value(cursor_peek_at(&sc->c, ahead + 2 + i));
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Checks the escape at the cursor (a backslash) and moves past it. */
static int scan_escape(struct scanner *sc)
{
    struct jpos at = sc->c.pos;
    int e = cursor_peek_at(&sc->c, 1);
    long hi, lo;

    if (e > 0 && strchr("\"\\/bfnrt", e)) {
        cursor_advance(&sc->c, 2);
        return 0;
    }
    if (e != 'u') {
        if (e > 0x20 && e < 0x7F)
            return scan_fail(sc, at, "invalid escape '\\%c' in string", e);
        return scan_fail(sc, at, "invalid escape in string");
    }
    hi = scan_hex4(sc, 0);
    if (hi < 0)
        return scan_fail(sc, at, "invalid \\u escape; expected four hex digits");
    if (hi == 0)
        return scan_fail(sc, at, "\\u0000 is not allowed in strings");
    if (hi >= 0xDC00 && hi <= 0xDFFF)
        return scan_fail(sc, at, "unpaired surrogate \\u%04lX in string", hi);
    if (hi >= 0xD800 && hi <= 0xDBFF) {
        lo = scan_hex4(sc, 6);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return scan_fail(sc, at, "unpaired surrogate \\u%04lX in string",
                             hi);
        cursor_advance(&sc->c, 6);
    }
    cursor_advance(&sc->c, 6);
    return 0;
}

/* Checks the string at the cursor (an opening quote) and moves past it. */
static int scan_string(struct scanner *sc)
{
    struct cursor *c = &sc->c;
    struct jpos open = c->pos;
    unsigned cp;

    cursor_advance(c, 1);
    for (;;) {
        int b = cursor_peek(c);
        size_t n;
        if (b < 0)
            return scan_fail(sc, open,
                             "unterminated string; missing closing '\"'");
        if (b == '"') {
            cursor_advance(c, 1);
            return 0;
        }
        if (b == '\\') {
            if (scan_escape(sc) < 0)
                return -EINVAL;
            continue;
        }
        if (b == '\n' || b == '\r')
            return scan_fail(sc, open,
                             "unterminated string; missing closing '\"' "
                             "before the end of the line");
        if (b < 0x20)
            return scan_fail(sc, c->pos,
                             "control character U+%04X in string must be "
                             "escaped", (unsigned)b);
        n = utf8_decode(c->s + c->off, c->len - c->off, &cp);
        if (n == 0)
            return scan_fail(sc, c->pos, "invalid UTF-8 in string");
        cursor_advance(c, n);
    }
}

/* Checks the number at the cursor ('-' or a digit) and moves past it. */
static int scan_number(struct scanner *sc)
{
    const struct cursor *c = &sc->c;
    struct jpos at = c->pos;
    size_t i = 0;

    if (cursor_peek_at(c, i) == '-')
        i++;
    if (!is_digit(cursor_peek_at(c, i)))
        return scan_fail(sc, at, "invalid number; expected a digit after '-'");
    if (cursor_peek_at(c, i) == '0' && is_digit(cursor_peek_at(c, i + 1)))
        return scan_fail(sc, at, "invalid number; leading zeros are not "
                                 "allowed");
    while (is_digit(cursor_peek_at(c, i)))
        i++;
    if (cursor_peek_at(c, i) == '.') {
        if (!is_digit(cursor_peek_at(c, ++i)))
            return scan_fail(sc, at, "invalid number; expected a digit "
                                     "after '.'");
        while (is_digit(cursor_peek_at(c, i)))
            i++;
    }
    if (cursor_peek_at(c, i) == 'e' || cursor_peek_at(c, i) == 'E') {
        i++;
        if (cursor_peek_at(c, i) == '+' || cursor_peek_at(c, i) == '-')
            i++;
        if (!is_digit(cursor_peek_at(c, i)))
            return scan_fail(sc, at, "invalid number; expected a digit in "
                                     "the exponent");
        while (is_digit(cursor_peek_at(c, i)))
            i++;
    }
    if (is_word_char(cursor_peek_at(c, i)) || cursor_peek_at(c, i) == '.' ||
        cursor_peek_at(c, i) == '+' || cursor_peek_at(c, i) == '-')
        return scan_fail(sc, at, "invalid number");
    if (i > JPOS_MAX_NUMBER)
        return scan_fail(sc, at, "number is too long (more than %d "
                                 "characters)", JPOS_MAX_NUMBER);
    cursor_advance(&sc->c, i);
    return 0;
}

/* Checks the bare word at the cursor: true, false or null. */
static int scan_word(struct scanner *sc)
{
    static const char *const literals[] = {"true", "false", "null"};
    const struct cursor *c = &sc->c;
    char word[24];
    size_t n = 0, i;

    while (is_word_char(cursor_peek_at(c, n)))
        n++;
    snprintf(word, sizeof word, "%.*s%s", n > 16 ? 16 : (int)n,
             (const char *)c->s + c->off, n > 16 ? "..." : "");
    for (i = 0; i < 3; i++) {
        if (n == strlen(literals[i]) && memcmp(word, literals[i], n) == 0) {
            cursor_advance(&sc->c, n);
            return 0;
        }
    }
    for (i = 0; i < 3; i++) {
        if (n == strlen(literals[i]) && strncasecmp(word, literals[i], n) == 0)
            return scan_fail(sc, c->pos, "invalid literal \"%s\"; did you "
                             "mean \"%s\"?", word, literals[i]);
    }
    return scan_fail(sc, c->pos, "unexpected word \"%s\"; strings need double "
                     "quotes", word);
}

/* Enters an object or array at the cursor; fails when nested too deeply. */
static int scan_open(struct scanner *sc, int depth, struct jpos *saved,
                     char *saved_ch)
{
    *saved = sc->open;
    *saved_ch = sc->open_ch;
    if (depth >= JPOS_MAX_DEPTH)
        return scan_fail(sc, sc->c.pos, "nesting is too deep (more than %d "
                         "levels)", JPOS_MAX_DEPTH);
    sc->open = sc->c.pos;
    sc->open_ch = (char)cursor_peek(&sc->c);
    cursor_advance(&sc->c, 1);
    cursor_skip_ws(&sc->c);
    return 0;
}

/* After a ',' in an object or array: rejects a trailing comma. */
static int scan_after_comma(struct scanner *sc, struct jpos comma, int close)
{
    cursor_skip_ws(&sc->c);
    if (cursor_peek(&sc->c) == close)
        return scan_fail(sc, comma, "trailing comma before '%c'", close);
    return 0;
}

/* Checks "key": value at the cursor. */
static int scan_member(struct scanner *sc, int depth)
{
    struct jpos key = sc->c.pos;
    int b = cursor_peek(&sc->c);

    if (b != '"') {
        if (is_word_char(b))
            return scan_fail(sc, key, "object keys need double quotes");
        return scan_unexpected(sc, "a key in double quotes");
    }
    if (scan_string(sc) < 0)
        return -EINVAL;
    cursor_skip_ws(&sc->c);
    if (cursor_peek(&sc->c) != ':')
        return scan_unexpected(sc, "':' after the object key");
    cursor_advance(&sc->c, 1);
    return scan_value(sc, key, depth + 1);
}

static int scan_object(struct scanner *sc, int depth)
{
    struct jpos saved;
    char saved_ch;

    if (scan_open(sc, depth, &saved, &saved_ch) < 0)
        return -EINVAL;
    if (cursor_peek(&sc->c) != '}') {
        for (;;) {
            struct jpos comma;
            int rc = scan_member(sc, depth);
            if (rc < 0)
                return rc; /* -EINVAL, or -ENOMEM from scan_record() */
            cursor_skip_ws(&sc->c);
            if (cursor_peek(&sc->c) != ',')
                break;
            comma = sc->c.pos;
            cursor_advance(&sc->c, 1);
            if (scan_after_comma(sc, comma, '}') < 0)
                return -EINVAL;
        }
        if (cursor_peek(&sc->c) == '"')
            return scan_fail(sc, sc->c.pos, "expected ',' between object "
                                            "members");
        if (cursor_peek(&sc->c) != '}')
            return scan_unexpected(sc, "',' or '}' after object member");
    }
    cursor_advance(&sc->c, 1);
    sc->open = saved;
    sc->open_ch = saved_ch;
    return 0;
}

static bool starts_value(int b)
{
    return b == '{' || b == '[' || b == '"' || b == '-' || is_digit(b) ||
           b == 't' || b == 'f' || b == 'n';
}

static int scan_array(struct scanner *sc, int depth)
{
    struct jpos saved, none = {0, 0};
    char saved_ch;

    if (scan_open(sc, depth, &saved, &saved_ch) < 0)
        return -EINVAL;
    if (cursor_peek(&sc->c) != ']') {
        for (;;) {
            struct jpos comma;
            int rc = scan_value(sc, none, depth + 1);
            if (rc < 0)
                return rc;
            cursor_skip_ws(&sc->c);
            if (cursor_peek(&sc->c) != ',')
                break;
            comma = sc->c.pos;
            cursor_advance(&sc->c, 1);
            if (scan_after_comma(sc, comma, ']') < 0)
                return -EINVAL;
        }
        if (starts_value(cursor_peek(&sc->c)))
            return scan_fail(sc, sc->c.pos, "expected ',' between array "
                                            "elements");
        if (cursor_peek(&sc->c) != ']')
            return scan_unexpected(sc, "',' or ']' after array element");
    }
    cursor_advance(&sc->c, 1);
    sc->open = saved;
    sc->open_ch = saved_ch;
    return 0;
}

/* Records where the value at the cursor starts (and its key). */
static int scan_record(struct scanner *sc, struct jpos key)
{
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 64;
        struct jpos_entry *v = realloc(sc->v, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        sc->v = v;
        sc->cap = cap;
    }
    sc->v[sc->n].node = NULL;
    sc->v[sc->n].key = key;
    sc->v[sc->n].value = sc->c.pos;
    sc->n++;
    return 0;
}

/* Checks the value at the cursor (after optional white space). */
static int scan_value(struct scanner *sc, struct jpos key, int depth)
{
    int b;
    cursor_skip_ws(&sc->c);
    b = cursor_peek(&sc->c);
    if (!starts_value(b) && !is_word_char(b))
        return scan_unexpected(sc, "a value");
    if (scan_record(sc, key) < 0)
        return -ENOMEM;
    if (b == '{')
        return scan_object(sc, depth);
    if (b == '[')
        return scan_array(sc, depth);
    if (b == '"')
        return scan_string(sc);
    if (b == '-' || is_digit(b))
        return scan_number(sc);
    return scan_word(sc);
}

/* Checks a whole document: one value and nothing after it. */
static int scan_document(struct scanner *sc)
{
    struct jpos none = {0, 0};
    int rc;
    cursor_skip_ws(&sc->c);
    if (cursor_peek(&sc->c) < 0)
        return scan_fail(sc, sc->c.pos, "empty document; expected a JSON "
                                        "object");
    rc = scan_value(sc, none, 0);
    if (rc < 0)
        return rc;
    cursor_skip_ws(&sc->c);
    if (cursor_peek(&sc->c) >= 0)
        return scan_unexpected(sc, "the end of the document");
    return 0;
}

/* ---- pairing with cJSON ---- */

/* Gives the entries, in pre-order, their nodes; -1 on a count mismatch. */
static int map_walk(struct jpos_doc *doc, const cJSON *node, size_t *i)
{
    for (; node; node = node->next) {
        if (*i >= doc->n)
            return -1;
        doc->entries[(*i)++].node = node;
        if (node->child && map_walk(doc, node->child, i) < 0)
            return -1;
    }
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const struct jpos_entry *)a)->node;
    uintptr_t y = (uintptr_t)((const struct jpos_entry *)b)->node;
    return x < y ? -1 : x > y;
}

static const struct jpos_entry *doc_find(const struct jpos_doc *doc,
                                         const cJSON *node)
{
    struct jpos_entry key = {.node = node};
    if (!doc || !node || doc->n == 0)
        return NULL;
    return bsearch(&key, doc->entries, doc->n, sizeof key, entry_cmp);
}

/* Lets cJSON build the tree for a text the scanner accepted and pairs it
 * with the recorded positions.  cJSON accepts everything the scanner does,
 * so a NULL tree means it ran out of memory. */
static int doc_build(struct jpos_doc *doc, const char *text, size_t len,
                     struct jpos_error *err)
{
    size_t i = 0, skip = bom_length(text, len);
    char *copy = malloc(len + 1);

    if (!copy)
        return -ENOMEM;
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    /* cJSON only skips a byte order mark in texts over four bytes long */
    doc->root = cJSON_ParseWithLengthOpts(copy + skip, len - skip, NULL, 0);
    free(copy);
    if (!doc->root)
        return -ENOMEM;
    if (map_walk(doc, doc->root, &i) < 0 || i != doc->n) {
        err->pos.line = err->pos.col = 1;
        snprintf(err->message, sizeof err->message,
                 "internal error: cJSON and the position scanner disagree");
        return -EINVAL;
    }
    qsort(doc->entries, doc->n, sizeof *doc->entries, entry_cmp);
    return 0;
}

int jpos_parse(const char *text, size_t len, struct jpos_doc **out,
               struct jpos_error *err)
{
    struct scanner sc = {.err = err};
    struct jpos_doc *doc;
    int rc;

    *out = NULL;
    memset(err, 0, sizeof *err);
    if (!text)
        len = 0;
    if (len > JPOS_MAX_BYTES) {
        err->pos.line = err->pos.col = 1;
        snprintf(err->message, sizeof err->message, "document is too large");
        return -EINVAL;
    }
    cursor_init(&sc.c, text ? text : "", len);
    rc = scan_document(&sc);
    doc = rc < 0 ? NULL : calloc(1, sizeof *doc);
    if (rc == 0 && !doc)
        rc = -ENOMEM;
    if (rc < 0) {
        free(sc.v);
        return rc;
    }
    doc->entries = sc.v;
    doc->n = sc.n;
    rc = doc_build(doc, text ? text : "", len, err);
    if (rc < 0) {
        jpos_doc_destroy(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

const cJSON *jpos_root(const struct jpos_doc *doc)
{
    return doc ? doc->root : NULL;
}

struct jpos jpos_value(const struct jpos_doc *doc, const cJSON *node)
{
    const struct jpos_entry *e = doc_find(doc, node);
    struct jpos none = {0, 0};
    return e ? e->value : none;
}

struct jpos jpos_key(const struct jpos_doc *doc, const cJSON *node)
{
    const struct jpos_entry *e = doc_find(doc, node);
    struct jpos none = {0, 0};
    if (!e)
        return none;
    return e->key.line > 0 ? e->key : e->value;
}

void jpos_doc_destroy(struct jpos_doc *doc)
{
    if (!doc)
        return;
    cJSON_Delete(doc->root);
    free(doc->entries);
    free(doc);
}
