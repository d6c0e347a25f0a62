/*
 * layout_json.c - layout_parse_at(): turns the JSON text of a layout into the
 * layout model, checking every rule of docs/layout.md on the way.  It never
 * stops at the first problem: each one becomes a diagnostic with the line and
 * column of the offending value (or of the key, for unknown, duplicate and
 * misplaced keys), so "tessera --validate" can list them all.  Positions come
 * from json_pos.c, the tree from cJSON.
 *
 * The file reads, in order: feeds (with their privacy keys: owner, consent,
 * masks), the wall's outputs (either top-level "outputs", one view named
 * "default", or named views in "layouts") with their tiles (a feed, a panel
 * or a tour) and the PC ("node") that drives each, then the wall's "tour",
 * "basemap", camera "registry", "callup" policy and the "sync" broker of a
 * multi-node wall.
 */
#include "layout/json_pos.h"
#include "layout/layout_priv.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/tz.h"
#include "base/url.h"

/* Room for a user string quoted into a message (see quote()). */
#define QUOTE_SIZE 256
/* Quoted strings are cut after this many code points. */
#define QUOTE_CHARS 40

/* The state of one layout_parse_at() call. */
struct lj {
    const struct jpos_doc *doc;
    struct layout_diags *diags;
    struct layout *lay;
    long long now;           /* seconds since the epoch, for consent dates */
    struct tz_zone *tz;      /* the zone consent dates are read in */
    struct layout_view *view;/* the view whose outputs are being read */
    const cJSON **feed_node; /* per feed: its member in "feeds" */
    int *feed_uses;          /* per feed: tiles and tours showing it */
    const cJSON **view_node; /* per named view: its member in "layouts" */
    bool feeds_ok;           /* "feeds" was an object: check references */
    bool views_ok;           /* "layouts" was an object: check references */
    bool tiles_read;         /* every "tiles" was read: warn unused feeds */
    int errors;
    bool oom;
    const cJSON *camera_feed; /* the last "camera" read (needs "registry") */
    const cJSON *node_out;   /* the first output with a "node" key */
    const cJSON *bare_out;   /* the first output without one */
    char node_who[2 * QUOTE_SIZE + 32]; /* how messages name them */
    char bare_who[2 * QUOTE_SIZE + 32];
};

/* A key an object may have. */
struct lj_key {
    const char *name;
    bool required;
};

/* What layout_tile_check() needs to know about each tile of an output. */
struct tile_info {
    const cJSON *cell, *span; /* the members, when they were valid */
    const cJSON *node;        /* the tile object */
};

/* ---- messages ---- */

static void lj_diag(struct lj *c, struct jpos at, enum layout_severity sev,
                    const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (at.line <= 0)
        at.line = at.col = 1;
    if (layout__diag_add(c->diags, at.line, at.col, sev, "%s", msg) < 0)
        c->oom = true;
    if (sev == LAYOUT_ERROR)
        c->errors++;
}

static void lj_err(struct lj *c, struct jpos at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void lj_warn(struct lj *c, struct jpos at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void lj_err(struct lj *c, struct jpos at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lj_diag(c, at, LAYOUT_ERROR, fmt, ap);
    va_end(ap);
}

static void lj_warn(struct lj *c, struct jpos at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lj_diag(c, at, LAYOUT_WARNING, fmt, ap);
    va_end(ap);
}

static struct jpos at_value(const struct lj *c, const cJSON *node)
{
    return jpos_value(c->doc, node);
}

static struct jpos at_key(const struct lj *c, const cJSON *node)
{
    return jpos_key(c->doc, node);
}

/* Writes s into buf as a double-quoted string fit for a one-line message:
 * quotes, backslashes and control characters escaped, cut after QUOTE_CHARS
 * code points with "...".  Returns buf. */
static const char *quote(char buf[QUOTE_SIZE], const char *s)
{
    size_t o = 0;
    int chars = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    buf[o++] = '"';
    for (; *p && o < QUOTE_SIZE - 12; p++) {
        if ((*p & 0xC0) != 0x80 && chars++ == QUOTE_CHARS) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (*p == '"' || *p == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)*p;
        } else if (*p < 0x20 || *p == 0x7F) {
            o += (size_t)snprintf(buf + o, 7, "\\u%04x", *p);
        } else {
            buf[o++] = (char)*p;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

/* ---- did you mean ---- */

static int lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static int min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

/* Edit distance (insert, delete, substitute, swap neighbours) between a and
 * b, ignoring ASCII case; words of 32 bytes or more are never close. */
static int edit_distance(const char *a, const char *b)
{
    int d[33][33];
    int i, j, n = (int)strnlen(a, 32), m = (int)strnlen(b, 32);

    if (n >= 32 || m >= 32)
        return INT_MAX;
    for (i = 0; i <= n; i++)
        d[i][0] = i;
    for (j = 0; j <= m; j++)
        d[0][j] = j;
    for (i = 1; i <= n; i++) {
        for (j = 1; j <= m; j++) {
            int cost = lower(a[i - 1]) != lower(b[j - 1]);
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
                           d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]) &&
                d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    }
    return d[n][m];
}

/* The closest candidate so far for a misspelt word. */
struct suggestion {
    const char *best;
    int dist;
};

/* Keeps cand if it is close to word: one edit (a swap of neighbours counts
 * as one) for words of up to six characters, two for longer ones. */
static void suggest_consider(struct suggestion *s, const char *word,
                             const char *cand)
{
    size_t len = strlen(word) > strlen(cand) ? strlen(word) : strlen(cand);
    int limit = len <= 6 ? 1 : 2;
    int d = edit_distance(word, cand);
    if (d <= limit && (!s->best || d < s->dist)) {
        s->best = cand;
        s->dist = d;
    }
}

/* "; did you mean "x"?" for a suggestion, or "" without one. */
static const char *did_you_mean(char buf[QUOTE_SIZE + 32],
                                const struct suggestion *s)
{
    char q[QUOTE_SIZE];
    buf[0] = '\0';
    if (s->best)
        snprintf(buf, QUOTE_SIZE + 32, "; did you mean %s?",
                 quote(q, s->best));
    return buf;
}

/* ---- values ---- */

/* True when node is a number with an integral value that fits an int. */
static bool lj_int(const cJSON *node, int *out)
{
    double d;
    if (!cJSON_IsNumber(node))
        return false;
    d = node->valuedouble;
    if (!(d >= INT_MIN && d <= INT_MAX) || (double)(int)d != d)
        return false;
    *out = (int)d;
    return true;
}

/* True when node is [a, b] with two integers, each at least min. */
static bool lj_int_pair(const cJSON *node, int min, int v[2])
{
    const cJSON *a, *b;
    if (!cJSON_IsArray(node))
        return false;
    a = node->child;
    b = a ? a->next : NULL;
    if (!a || !b || b->next)
        return false;
    return lj_int(a, &v[0]) && lj_int(b, &v[1]) && v[0] >= min &&
           v[1] >= min;
}

static bool is_nonempty_string(const cJSON *node)
{
    return cJSON_IsString(node) && node->valuestring &&
           node->valuestring[0] != '\0';
}

/* strdup() that records an allocation failure. */
static char *lj_strdup(struct lj *c, const char *s)
{
    char *copy = strdup(s ? s : "");
    if (!copy)
        c->oom = true;
    return copy;
}

/* True when node is an array of exactly two numbers; e receives them. */
static bool number_pair(const cJSON *node, const cJSON *e[2])
{
    if (!cJSON_IsArray(node))
        return false;
    e[0] = node->child;
    e[1] = e[0] ? e[0]->next : NULL;
    return e[1] && !e[1]->next && cJSON_IsNumber(e[0]) &&
           cJSON_IsNumber(e[1]);
}

/* True when a comes before b in the text (by key position). */
static bool before(const struct lj *c, const cJSON *a, const cJSON *b)
{
    struct jpos pa = at_key(c, a), pb = at_key(c, b);
    return pa.line < pb.line || (pa.line == pb.line && pa.col < pb.col);
}

/* Number of UTF-8 code points in s. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Writes "\"a\"", "\"a\" or \"b\"" or "\"a\", \"b\" or \"c\"" into buf. */
static const char *name_list(char *buf, size_t size, const char *const *names,
                             int n)
{
    size_t o = 0;
    int i;
    buf[0] = '\0';
    for (i = 0; i < n && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s\"%s\"",
                              i == 0 ? "" : i == n - 1 ? " or " : ", ",
                              names[i]);
    return buf;
}

/* Reads a string that must be one of names[0..n): true with its index in
 * *out; otherwise reports "\"key\" must be ..." with a suggestion. */
static bool lj_enum(struct lj *c, const cJSON *node, const char *key,
                    const char *const *names, int n, int *out)
{
    struct suggestion s = {NULL, 0};
    char list[256], dym[QUOTE_SIZE + 32];
    int i;

    for (i = 0; cJSON_IsString(node) && i < n; i++) {
        if (strcmp(node->valuestring, names[i]) == 0) {
            *out = i;
            return true;
        }
        suggest_consider(&s, node->valuestring, names[i]);
    }
    lj_err(c, at_value(c, node), "\"%s\" must be %s%s", key,
           name_list(list, sizeof list, names, n), did_you_mean(dym, &s));
    return false;
}

/* Reads a number of units more than 0 and at most max into *out (left as
 * it was on error); true when it is valid. */
static bool lj_positive(struct lj *c, const cJSON *node, const char *key,
                        const char *unit, double max, double *out)
{
    double d;
    if (!cJSON_IsNumber(node)) {
        lj_err(c, at_value(c, node), "\"%s\" must be a number of %s", key,
               unit);
        return false;
    }
    d = node->valuedouble;
    if (!(d > 0 && d <= max)) {
        lj_err(c, at_value(c, node), "\"%s\" %g is out of range (more than "
               "0 and at most %g %s)", key, d, max, unit);
        return false;
    }
    *out = d;
    return true;
}

/* Reads "key": [latitude, longitude] into v; true when it is valid. */
static bool lj_latlon(struct lj *c, const cJSON *node, const char *key,
                      double v[2])
{
    static const char *const part[2] = {"latitude", "longitude"};
    static const double limit[2] = {90, 180};
    const cJSON *e[2];
    bool ok = true;
    int i;

    if (!number_pair(node, e)) {
        lj_err(c, at_value(c, node), "\"%s\" must be an array of two "
               "numbers [latitude, longitude]", key);
        return false;
    }
    for (i = 0; i < 2; i++) {
        double d = e[i]->valuedouble;
        if (d >= -limit[i] && d <= limit[i]) {
            v[i] = d;
            continue;
        }
        lj_err(c, at_value(c, e[i]), "\"%s\" %s %g is out of range (%g to "
               "%g)", key, part[i], d, -limit[i], limit[i]);
        ok = false;
    }
    return ok;
}

/* ---- names ---- */

/* Checks the key of member as an id (a feed id or a layout name, as what
 * says): non-empty, letters, digits, '-' and '_', at most LAYOUT_MAX_ID. */
static void lj_check_id(struct lj *c, const cJSON *member, const char *what)
{
    const char *id = member->string ? member->string : "";
    char q[QUOTE_SIZE];
    size_t i;

    if (id[0] == '\0') {
        lj_err(c, at_key(c, member), "%s must not be empty", what);
        return;
    }
    for (i = 0; id[i]; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) {
            lj_err(c, at_key(c, member), "%s %s may only contain letters, "
                   "digits, '-' and '_'", what, quote(q, id));
            return;
        }
    }
    if (i > LAYOUT_MAX_ID)
        lj_err(c, at_key(c, member), "%s %s is too long (at most %d "
               "characters)", what, quote(q, id), LAYOUT_MAX_ID);
}

/* Resolves node, a string naming a feed, to its index (counting a use of the
 * feed), or reports it (type_msg when it is not a string) and gives -1. */
static int lj_feed_ref(struct lj *c, const cJSON *node, const char *type_msg)
{
    struct suggestion s = {NULL, 0};
    char q[QUOTE_SIZE], dym[QUOTE_SIZE + 32];
    int i;

    if (!cJSON_IsString(node) || !node->valuestring) {
        lj_err(c, at_value(c, node), "%s", type_msg);
        return -1;
    }
    if (!c->feeds_ok)
        return -1;
    i = layout_find_feed(c->lay, node->valuestring);
    if (i >= 0) {
        c->feed_uses[i]++;
        return i;
    }
    for (i = 0; i < c->lay->n_feeds; i++)
        suggest_consider(&s, node->valuestring, c->lay->feeds[i].id);
    lj_err(c, at_value(c, node), "unknown feed %s%s",
           quote(q, node->valuestring), did_you_mean(dym, &s));
    return -1;
}

/* Resolves node, a string naming a view in "layouts", to its index, or
 * reports it and gives -1. */
static int lj_view_ref(struct lj *c, const cJSON *node, const char *type_msg)
{
    struct suggestion s = {NULL, 0};
    char q[QUOTE_SIZE], dym[QUOTE_SIZE + 32];
    int i;

    if (!cJSON_IsString(node) || !node->valuestring) {
        lj_err(c, at_value(c, node), "%s", type_msg);
        return -1;
    }
    if (!c->views_ok)
        return -1;
    i = layout_find_view(c->lay, node->valuestring);
    if (i >= 0)
        return i;
    for (i = 0; i < c->lay->n_views; i++) {
        if (c->lay->views[i].name)
            suggest_consider(&s, node->valuestring, c->lay->views[i].name);
    }
    lj_err(c, at_value(c, node), "unknown layout %s%s",
           quote(q, node->valuestring), did_you_mean(dym, &s));
    return -1;
}

/* What a tour lists: feeds (in a tile) or views (on the whole wall). */
struct tour_kind {
    const char *key;      /* "feeds" */
    const char *items;    /* "feed ids" */
    const char *plural;   /* "feeds" */
    int (*ref)(struct lj *c, const cJSON *node, const char *type_msg);
};

/* Reads a tour's list: an array of at least two names, each resolved by
 * kind->ref.  Returns a new array of indexes (-1 where a name was bad) with
 * its length in *n, or NULL (*n = 0) when node is not an array. */
static int *lj_tour_list(struct lj *c, const cJSON *node,
                         const struct tour_kind *kind, int *n)
{
    char type_msg[96];
    const cJSON *e;
    int *idx, count = 0;

    *n = 0;
    snprintf(type_msg, sizeof type_msg, "\"%s\" must list %s (strings)",
             kind->key, kind->items);
    if (!cJSON_IsArray(node)) {
        lj_err(c, at_value(c, node), "\"%s\" must be an array of %s",
               kind->key, kind->items);
        return NULL;
    }
    for (e = node->child; e && count < LAYOUT_MAX_TOUR; e = e->next)
        count++;
    if (e)
        lj_err(c, at_value(c, e), "too many entries in a tour (at most %d)",
               LAYOUT_MAX_TOUR);
    if (count < 2)
        lj_err(c, at_value(c, node), "a tour needs at least two %s",
               kind->plural);
    idx = calloc((size_t)count + 1, sizeof *idx);
    if (!idx) {
        c->oom = true;
        return NULL;
    }
    for (e = node->child; e && *n < count; e = e->next)
        idx[(*n)++] = kind->ref(c, e, type_msg);
    return idx;
}

/* ---- objects ---- */

static void lj_unknown_key(struct lj *c, const cJSON *member, const char *kind,
                           const struct lj_key *keys, int n)
{
    struct suggestion s = {NULL, 0};
    char q[QUOTE_SIZE], dym[QUOTE_SIZE + 32];
    const char *name = member->string ? member->string : "";
    int i;

    for (i = 0; i < n; i++)
        suggest_consider(&s, name, keys[i].name);
    lj_err(c, at_key(c, member), "unknown key %s in %s%s", quote(q, name),
           kind, did_you_mean(dym, &s));
}

/* Goes over the members of obj: stores in found[i] the first member named
 * keys[i].name and reports unknown and duplicate keys, naming the object by
 * its kind ("tile"). */
static void lj_members(struct lj *c, const cJSON *obj, const char *kind,
                       const struct lj_key *keys, int n, const cJSON **found)
{
    const cJSON *m;
    char q[QUOTE_SIZE];
    int i;

    for (i = 0; i < n; i++)
        found[i] = NULL;
    for (m = obj->child; m; m = m->next) {
        const char *name = m->string ? m->string : "";
        for (i = 0; i < n && strcmp(name, keys[i].name) != 0; i++)
            continue;
        if (i == n)
            lj_unknown_key(c, m, kind, keys, n);
        else if (found[i])
            lj_err(c, at_key(c, m), "duplicate key %s in %s", quote(q, name),
                   kind);
        else
            found[i] = m;
    }
}

/* Reports each required key missing from obj, at obj, naming it as who. */
static void lj_missing(struct lj *c, const cJSON *obj, const char *who,
                       const struct lj_key *keys, int n, const cJSON **found)
{
    int i;
    for (i = 0; i < n; i++) {
        if (keys[i].required && !found[i])
            lj_err(c, at_value(c, obj), "missing key \"%s\" in %s",
                   keys[i].name, who);
    }
}

/* ---- dates ---- */

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
                                 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* The value of the n decimal digits at s. */
static int digits(const char *s, int n)
{
    int v = 0;
    while (n-- > 0)
        v = v * 10 + (*s++ - '0');
    return v;
}

#define DATE_FORMS "a date (YYYY-MM-DD, e.g. \"2026-03-01\") or a time " \
    "with an offset (RFC 3339, e.g. \"2027-01-05T00:00:00-06:00\")"

/* Checks that the 10 characters at s are "YYYY-MM-DD", a real calendar date
 * (reported at node otherwise), and stores its day number (days since
 * 1970-01-01) in *day. */
static bool lj_date_part(struct lj *c, const cJSON *node, const char *key,
                         const char *s, long long *day)
{
    static const char *const months[12] = {"January", "February", "March",
        "April", "May", "June", "July", "August", "September", "October",
        "November", "December"};
    int i, y, m, d;

    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7 ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9')) {
            lj_err(c, at_value(c, node), "\"%s\" must be " DATE_FORMS, key);
            return false;
        }
    }
    y = digits(s, 4);
    m = digits(s + 5, 2);
    d = digits(s + 8, 2);
    if (m < 1 || m > 12 || d < 1) {
        lj_err(c, at_value(c, node), "\"%s\" %.10s is not a date (there is no "
               "%s %02d)", key, s, m < 1 || m > 12 ? "month" : "day",
               m < 1 || m > 12 ? m : d);
        return false;
    }
    if (d > days_in_month(y, m)) {
        lj_err(c, at_value(c, node), "\"%s\" %.10s is not a date (%s %04d has "
               "%d days)", key, s, months[m - 1], y, days_in_month(y, m));
        return false;
    }
    *day = tz_days_from_civil(y, m, d);
    return true;
}

/* Whether the n characters at s are digits. */
static bool all_digits(const char *s, int n)
{
    while (n-- > 0)
        if (!(*s >= '0' && *s <= '9'))
            return false;
        else
            s++;
    return true;
}

/* Reads the part of an RFC 3339 time after its date, "THH:MM:SS[.frac]"
 * and "Z" or "+HH:MM"/"-HH:MM", into *secs (seconds into the day, UTC
 * adjusted by the offset); false when it is not that. */
static bool time_part(const char *t, long long *secs)
{
    int sign;
    if (!(t[0] == 'T' || t[0] == 't' || t[0] == ' ') || !all_digits(t + 1, 2) ||
        t[3] != ':' || !all_digits(t + 4, 2) || t[6] != ':' || !all_digits(t + 7, 2))
        return false;
    int h = digits(t + 1, 2), mi = digits(t + 4, 2), se = digits(t + 7, 2);
    if (h > 23 || mi > 59 || se > 60)
        return false;
    t += 9;
    if (*t == '.' && t[1] >= '0' && t[1] <= '9')
        for (t++; *t >= '0' && *t <= '9'; t++)
            continue;
    *secs = h * 3600 + mi * 60 + (se > 59 ? 59 : se);
    if ((t[0] == 'Z' || t[0] == 'z') && !t[1])
        return true;
    if (!(t[0] == '+' || t[0] == '-') || !all_digits(t + 1, 2) || t[3] != ':' ||
        !all_digits(t + 4, 2) || t[6] || digits(t + 1, 2) > 23 || digits(t + 4, 2) > 59)
        return false;
    sign = t[0] == '-' ? -1 : 1;
    *secs -= sign * (digits(t + 1, 2) * 3600 + digits(t + 4, 2) * 60);
    return true;
}

/* Reads "key": a date "YYYY-MM-DD" read in c->tz (the instant the day
 * starts, or with end the instant it ends) or an RFC 3339 time with an
 * offset; copies it into text and stores the instant (seconds since the
 * epoch) in *epoch.  False when node is NULL (already reported as missing)
 * or not such a time (reported). */
static bool lj_when(struct lj *c, const cJSON *node, const char *key, bool end,
                    char text[40], long long *epoch)
{
    const char *s = cJSON_IsString(node) ? node->valuestring : NULL;
    long long day, secs;

    if (!node)
        return false;
    if (!s || strlen(s) < 10 || strlen(s) >= 40) {
        lj_err(c, at_value(c, node), "\"%s\" must be " DATE_FORMS, key);
        return false;
    }
    if (!lj_date_part(c, node, key, s, &day))
        return false;
    if (s[10] == '\0') {
        /* a midnight that occurs twice: the later one starts a consent,
         * the earlier one ends it (the shorter consent) */
        *epoch = tz_local_to_utc(c->tz, (day + (end ? 1 : 0)) * 86400, !end);
    } else if (time_part(s + 10, &secs)) {
        *epoch = day * 86400 + secs;
    } else {
        char q[QUOTE_SIZE];
        lj_err(c, at_value(c, node), "\"%s\" %s is not %s", key, quote(q, s),
               strchr(s + 10, 'Z') || strchr(s + 10, 'z') || strchr(s + 11, '+') ||
                       strchr(s + 11, '-')
                   ? DATE_FORMS
                   : "a time with an offset (add \"Z\" or e.g. \"-06:00\"; a "
                     "date alone is read in the layout's \"timezone\")");
        return false;
    }
    memcpy(text, s, strlen(s) + 1);
    return true;
}

/* ---- feeds: privacy ---- */

/* The keys of a feed object, in the order of feed_keys[]. */
enum feed_key {
    FK_URL, FK_LABEL, FK_LOOP, FK_SUBSTREAM, FK_STALL, FK_HWDEC, FK_LOCATION,
    FK_RANGE, FK_OWNER, FK_CONSENT, FK_MASKS, FK_TRANSPORT, FK_CAMERA, FK_N
};

static const struct lj_key feed_keys[FK_N] = {
    {"url", false}, {"label", false}, {"loop", false}, {"substream", false},
    {"stall_after", false}, {"hwdec", false}, {"location", false},
    {"range_m", false}, {"owner", false}, {"consent", false},
    {"masks", false}, {"transport", false}, {"camera", false}};

enum consent_key { CK_REF, CK_GRANTED, CK_EXPIRES, CK_SCOPE, CK_N };

/* Writes a consent reference for a message: as written when it is plain
 * (printable ASCII, no spaces or quotes), quoted otherwise. */
static const char *ref_text(char buf[QUOTE_SIZE], const char *ref)
{
    const char *p;
    for (p = ref; *p > ' ' && *p < 0x7F && *p != '"' && *p != '\\'; p++)
        continue;
    if (*p || p == ref)
        return quote(buf, ref);
    snprintf(buf, QUOTE_SIZE, "%s", ref);
    return buf;
}

/* Reads the consent's "ref": a non-empty string of at most 64 characters. */
static void lj_consent_ref(struct lj *c, struct layout_consent *k,
                           const cJSON *node)
{
    if (!node)
        return;
    if (!is_nonempty_string(node))
        lj_err(c, at_value(c, node), "\"ref\" must be a non-empty string "
               "(the waiver's reference)");
    else if (utf8_chars(node->valuestring) > LAYOUT_MAX_CONSENT_REF)
        lj_err(c, at_value(c, node), "\"ref\" is too long (at most %d "
               "characters)", LAYOUT_MAX_CONSENT_REF);
    else
        k->ref = lj_strdup(c, node->valuestring);
}

/* The day number (days since 1970-01-01) of instant t in c->tz. */
static long long local_day(const struct lj *c, long long t)
{
    long long l = t + tz_offset_at(c->tz, t);
    return l / 86400 - (l % 86400 < 0);
}

/* Warns, as of c->now, about a valid consent that has expired, expires
 * within LAYOUT_CONSENT_WARN_DAYS days, or has not started. */
static void lj_consent_due(struct lj *c, const struct layout_feed *f,
                           const cJSON *const found[CK_N])
{
    long long left = f->consent.expires_epoch - c->now;
    long long days = local_day(c, f->consent.expires_epoch - 1) - local_day(c, c->now);
    char ref[QUOTE_SIZE], id[QUOTE_SIZE], when[48];

    ref_text(ref, f->consent.ref);
    quote(id, f->id);
    if (left <= 0)
        lj_warn(c, at_value(c, found[CK_EXPIRES]), "consent %s for feed %s "
                "expired on %s", ref, id, f->consent.expires);
    if (left > 0 && days <= LAYOUT_CONSENT_WARN_DAYS) {
        if (days == 0)
            snprintf(when, sizeof when, "today");
        else
            snprintf(when, sizeof when, "in %lld day%s", days,
                     days == 1 ? "" : "s");
        lj_warn(c, at_value(c, found[CK_EXPIRES]), "consent %s for feed %s "
                "expires %s (%s)", ref, id, when, f->consent.expires);
    }
    if (c->now < f->consent.granted_epoch)
        lj_warn(c, at_value(c, found[CK_GRANTED]), "consent %s for feed %s "
                "is not valid before %s", ref, id, f->consent.granted);
}

/* Reads the consent's times; true when both are valid and in order (then
 * the epochs are filled). */
static bool lj_consent_dates(struct lj *c, struct layout_consent *k,
                             const cJSON *const found[CK_N])
{
    bool g_ok = lj_when(c, found[CK_GRANTED], "granted", false, k->granted,
                        &k->granted_epoch);
    bool e_ok = lj_when(c, found[CK_EXPIRES], "expires", true, k->expires,
                        &k->expires_epoch);

    if (!g_ok || !e_ok)
        return false;
    if (k->expires_epoch <= k->granted_epoch) {
        lj_err(c, at_value(c, found[CK_EXPIRES]), "\"expires\" %s is before "
               "\"granted\" %s", k->expires, k->granted);
        return false;
    }
    return true;
}

/* Reads the consent's "scope"; "incident-only" needs the feed's "location"
 * and "range_m" (feed_found: the members of the feed). */
static void lj_consent_scope(struct lj *c, struct layout_consent *k,
                             const cJSON *node,
                             const cJSON *const feed_found[FK_N])
{
    static const char *const names[] = {"live", "incident-only"};
    const cJSON *loc = feed_found[FK_LOCATION], *range = feed_found[FK_RANGE];
    int v;

    if (!node || !lj_enum(c, node, "scope", names, 2, &v))
        return;
    k->scope = (enum layout_consent_scope)v;
    if (k->scope == LAYOUT_CONSENT_INCIDENT_ONLY && (!loc || !range))
        lj_err(c, at_value(c, node), "consent scope \"incident-only\" needs "
               "%s%s%s on the feed (it is shown only while an incident is in "
               "range)", loc ? "" : "\"location\"", !loc && !range ? " and " :
               "", range ? "" : "\"range_m\"");
}

/* Reads a feed's "consent" object. */
static void lj_consent(struct lj *c, struct layout_feed *f, const cJSON *node,
                       const cJSON *const feed_found[FK_N])
{
    static const struct lj_key keys[CK_N] = {{"ref", true},
        {"granted", true}, {"expires", true}, {"scope", false}};
    const cJSON *found[CK_N];
    bool dates_ok;

    if (!cJSON_IsObject(node)) {
        lj_err(c, at_value(c, node), "\"consent\" must be an object with "
               "\"ref\", \"granted\" and \"expires\"");
        return;
    }
    f->consent.present = true;
    lj_members(c, node, "consent", keys, CK_N, found);
    lj_missing(c, node, "consent", keys, CK_N, found);
    lj_consent_ref(c, &f->consent, found[CK_REF]);
    dates_ok = lj_consent_dates(c, &f->consent, found);
    lj_consent_scope(c, &f->consent, found[CK_SCOPE], feed_found);
    if (dates_ok && f->consent.ref)
        lj_consent_due(c, f, found);
}

/* Reads "owner" and "consent": consent belongs to private feeds, and a
 * private feed without it is never shown (a warning, not an error). */
static void lj_feed_privacy(struct lj *c, struct layout_feed *f,
                            const cJSON *const found[FK_N])
{
    static const char *const owners[] = {"agency", "private"};
    const cJSON *owner = found[FK_OWNER], *consent = found[FK_CONSENT];
    char q[QUOTE_SIZE];
    bool owner_ok = true;
    int v;

    if (owner && (owner_ok = lj_enum(c, owner, "owner", owners, 2, &v)))
        f->owner = (enum layout_owner)v;
    if (consent)
        lj_consent(c, f, consent, found);
    if (consent && owner_ok && f->owner != LAYOUT_OWNER_PRIVATE)
        lj_err(c, at_value(c, consent), "\"consent\" is for private feeds; "
               "add \"owner\": \"private\"");
    if (!consent && f->owner == LAYOUT_OWNER_PRIVATE)
        lj_warn(c, at_value(c, owner), "private feed %s has no consent: it "
                "will not be shown", quote(q, f->id));
}

/* ---- feeds: masks ---- */

/* Whether the points of a polygon all lie on one line (it encloses no
 * area; a self-crossing outline whose signed area is 0 still does). */
static bool polygon_flat(float (*p)[2], int n)
{
    int i;
    for (i = 1; i + 1 < n; i++) {
        double cross = ((double)p[i][0] - p[0][0]) * ((double)p[i + 1][1] - p[0][1]) -
                       ((double)p[i][1] - p[0][1]) * ((double)p[i + 1][0] - p[0][0]);
        if (cross > 1e-12 || cross < -1e-12)
            return false;
    }
    return true;
}

/* Reads a mask's "polygon": 3 to LAYOUT_MAX_MASK_POINTS points [x, y] with
 * coordinates from 0 to 1, enclosing some area. */
static void lj_polygon(struct lj *c, struct layout_mask *m, const cJSON *node)
{
    const cJSON *e, *xy[2];
    int n = cJSON_IsArray(node) ? cJSON_GetArraySize(node) : 0, i = 0;
    bool ok = true;

    if (!cJSON_IsArray(node) || n < 3 || n > LAYOUT_MAX_MASK_POINTS) {
        lj_err(c, at_value(c, node), "\"polygon\" must be an array of 3 to "
               "%d points [x, y]", LAYOUT_MAX_MASK_POINTS);
        return;
    }
    m->points = calloc((size_t)n, sizeof *m->points);
    if (!m->points) {
        c->oom = true;
        return;
    }
    m->n_points = n;
    for (e = node->child; e; e = e->next, i++) {
        if (!number_pair(e, xy)) {
            lj_err(c, at_value(c, e), "polygon point %d must be an array of "
                   "two numbers [x, y]", i);
        } else if (!(xy[0]->valuedouble >= 0 && xy[0]->valuedouble <= 1 &&
                     xy[1]->valuedouble >= 0 && xy[1]->valuedouble <= 1)) {
            lj_err(c, at_value(c, e), "polygon point %d [%g, %g] is outside "
                   "the picture (x and y go from 0 to 1)", i,
                   xy[0]->valuedouble, xy[1]->valuedouble);
        } else {
            m->points[i][0] = (float)xy[0]->valuedouble;
            m->points[i][1] = (float)xy[1]->valuedouble;
            continue;
        }
        ok = false;
    }
    if (ok && polygon_flat(m->points, n))
        lj_err(c, at_value(c, node), "\"polygon\" encloses no area (its "
               "points are on one line)");
}

/* Fills m from the mask object obj, number index of its feed. */
static void lj_mask(struct lj *c, struct layout_mask *m, const cJSON *obj,
                    int index)
{
    static const struct lj_key keys[] = {{"polygon", true}, {"style", false}};
    static const char *const styles[] = {"solid", "pixelate"};
    const cJSON *found[2];
    char who[32];
    int v;

    snprintf(who, sizeof who, "mask %d", index);
    lj_members(c, obj, "mask", keys, 2, found);
    lj_missing(c, obj, who, keys, 2, found);
    if (found[0])
        lj_polygon(c, m, found[0]);
    if (found[1] && lj_enum(c, found[1], "style", styles, 2, &v))
        m->style = (enum layout_mask_style)v;
}

/* Reads an array of at most LAYOUT_MAX_MASKS masks into *out, *n. */
static void lj_mask_list(struct lj *c, struct layout_mask **out, int *count,
                         const cJSON *node, const char *what)
{
    const cJSON *e;
    int n = 0;

    if (!cJSON_IsArray(node)) {
        lj_err(c, at_value(c, node), "%s must be an array of masks", what);
        return;
    }
    for (e = node->child; e && n < LAYOUT_MAX_MASKS; e = e->next)
        n++;
    if (e)
        lj_err(c, at_value(c, e), "too many masks (at most %d per stream)",
               LAYOUT_MAX_MASKS);
    *out = calloc((size_t)n + 1, sizeof **out);
    if (!*out) {
        c->oom = true;
        return;
    }
    for (e = node->child; e && *count < n; e = e->next) {
        if (cJSON_IsObject(e))
            lj_mask(c, &(*out)[*count], e, *count);
        else
            lj_err(c, at_value(c, e), "mask %d must be an object", *count);
        (*count)++;
    }
}

/* Reads a feed's "masks": an array of masks for both streams, or
 * {"main": [...], "substream": [...]} with a set per stream ("main" is
 * required; without "substream" the substream uses "main"). */
static void lj_masks(struct lj *c, struct layout_feed *f, const cJSON *node,
                     bool has_substream)
{
    static const struct lj_key keys[2] = {{"main", true}, {"substream", false}};
    const cJSON *found[2];

    if (!cJSON_IsObject(node)) {
        lj_mask_list(c, &f->masks, &f->n_masks, node, "\"masks\"");
        return;
    }
    if (!cJSON_GetObjectItemCaseSensitive(node, "main") &&
        !cJSON_GetObjectItemCaseSensitive(node, "substream")) {
        lj_err(c, at_value(c, node), "\"masks\" must be an array of masks, or "
               "{\"main\": [masks], \"substream\": [masks]}");
        return;
    }
    lj_members(c, node, "masks", keys, 2, found);
    lj_missing(c, node, "\"masks\"", keys, 2, found);
    if (found[0])
        lj_mask_list(c, &f->masks, &f->n_masks, found[0], "\"main\"");
    if (found[1] && !has_substream)
        lj_err(c, at_key(c, found[1]), "masks for the \"substream\" need the "
               "feed's \"substream\" URL");
    else if (found[1])
        lj_mask_list(c, &f->sub_masks, &f->n_sub_masks, found[1],
                     "\"substream\"");
}

/* ---- feeds ---- */

/* Index of an earlier feed with the same id as member, or -1. */
static int lj_feed_twin(const struct lj *c, const cJSON *member)
{
    int i;
    for (i = 0; i < c->lay->n_feeds; i++) {
        if (strcmp(c->lay->feeds[i].id, member->string) == 0)
            return i;
    }
    return -1;
}

/* Reads "substream", "stall_after", "hwdec" and "transport": how the feed is
 * fetched and decoded. */
static void lj_feed_video(struct lj *c, struct layout_feed *f,
                          const cJSON *const found[FK_N])
{
    static const char *const hwdecs[] = {"auto", "nvdec", "vaapi", "sw"};
    static const char *const transports[] = {"auto", "tcp", "udp"};
    int v;

    if (found[FK_SUBSTREAM] && !is_nonempty_string(found[FK_SUBSTREAM]))
        lj_err(c, at_value(c, found[FK_SUBSTREAM]), "\"substream\" must be a "
               "non-empty string");
    else if (found[FK_SUBSTREAM])
        f->substream = lj_strdup(c, found[FK_SUBSTREAM]->valuestring);
    if (found[FK_STALL])
        lj_positive(c, found[FK_STALL], "stall_after", "seconds",
                    LAYOUT_MAX_STALL_AFTER, &f->stall_after);
    if (found[FK_HWDEC] && lj_enum(c, found[FK_HWDEC], "hwdec", hwdecs, 4, &v))
        f->hwdec = (enum layout_hwdec)(LAYOUT_HWDEC_AUTO + v);
    if (found[FK_TRANSPORT] &&
        lj_enum(c, found[FK_TRANSPORT], "transport", transports, 3, &v))
        f->transport = (enum layout_transport)v;
}

/* Reads "location" and "range_m" (which needs "location"). */
static void lj_feed_place(struct lj *c, struct layout_feed *f,
                          const cJSON *const found[FK_N])
{
    double ll[2];

    if (found[FK_LOCATION] && lj_latlon(c, found[FK_LOCATION], "location",
                                        ll)) {
        f->has_location = true;
        f->lat = ll[0];
        f->lon = ll[1];
    }
    if (!found[FK_RANGE])
        return;
    lj_positive(c, found[FK_RANGE], "range_m", "metres", LAYOUT_MAX_RANGE_M,
                &f->range_m);
    if (!found[FK_LOCATION])
        lj_err(c, at_value(c, found[FK_RANGE]), "\"range_m\" needs "
               "\"location\"");
}

/* Reads "camera" (a registry camera id), which stands for "url" and the
 * camera's place and privacy; without it "url" is required. */
static void lj_feed_camera(struct lj *c, struct layout_feed *f, const cJSON *obj,
                           const cJSON *const found[FK_N])
{
    static const int own[] = {FK_URL, FK_LOCATION, FK_RANGE, FK_OWNER, FK_CONSENT,
                              FK_MASKS};
    const cJSON *cam = found[FK_CAMERA];
    char q[QUOTE_SIZE], q2[QUOTE_SIZE];

    if (!cam) {
        if (!found[FK_URL])
            lj_err(c, at_value(c, obj), "missing key \"url\" in feed %s",
                   quote(q, f->id));
        return;
    }
    if (!is_nonempty_string(cam) || strlen(cam->valuestring) >= LAYOUT_MAX_ID) {
        lj_err(c, at_value(c, cam), "\"camera\" must be a registry camera id (a "
               "string of at most %d bytes)", LAYOUT_MAX_ID - 1);
        return;
    }
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        if (found[own[i]])
            lj_err(c, at_key(c, found[own[i]]), "feed %s takes \"%s\" from "
                   "registry camera %s; leave it out here", quote(q, f->id),
                   found[own[i]]->string, quote(q2, cam->valuestring));
    struct jpos at = at_value(c, cam);
    f->camera = lj_strdup(c, cam->valuestring);
    f->camera_line = at.line;
    f->camera_col = at.col;
    c->camera_feed = cam;
}

/* Fills f from the feed object obj (whose id is already set). */
static void lj_feed_body(struct lj *c, struct layout_feed *f, const cJSON *obj)
{
    const cJSON *found[FK_N];
    char who[QUOTE_SIZE + 8], q[QUOTE_SIZE];

    snprintf(who, sizeof who, "feed %s", quote(q, f->id));
    lj_members(c, obj, "feed", feed_keys, FK_N, found);
    lj_missing(c, obj, who, feed_keys, FK_N, found);
    lj_feed_camera(c, f, obj, found);
    if (found[FK_URL] && !is_nonempty_string(found[FK_URL]))
        lj_err(c, at_value(c, found[FK_URL]), "\"url\" must be a non-empty "
               "string");
    else if (found[FK_URL])
        f->url = lj_strdup(c, found[FK_URL]->valuestring);
    if (found[FK_LABEL] && !cJSON_IsString(found[FK_LABEL]))
        lj_err(c, at_value(c, found[FK_LABEL]), "\"label\" must be a string");
    f->label = lj_strdup(c, cJSON_IsString(found[FK_LABEL])
                                ? found[FK_LABEL]->valuestring : f->id);
    if (found[FK_LOOP] && !cJSON_IsBool(found[FK_LOOP]))
        lj_err(c, at_value(c, found[FK_LOOP]), "\"loop\" must be true or "
               "false");
    f->loop = cJSON_IsTrue(found[FK_LOOP]);
    lj_feed_video(c, f, found);
    lj_feed_place(c, f, found);
    lj_feed_privacy(c, f, found);
    if (found[FK_MASKS])
        lj_masks(c, f, found[FK_MASKS], found[FK_SUBSTREAM] != NULL);
    f->privacy_given = found[FK_OWNER] || found[FK_CONSENT] || found[FK_MASKS];
}

/* Adds one member of "feeds" to the layout (unless its id is taken). */
static void lj_feed(struct lj *c, const cJSON *member)
{
    struct layout_feed *f;
    char q[QUOTE_SIZE];
    int twin;

    lj_check_id(c, member, "feed id");
    twin = lj_feed_twin(c, member);
    if (twin >= 0) {
        struct jpos first = at_key(c, c->feed_node[twin]);
        lj_err(c, at_key(c, member), "duplicate feed id %s (first defined "
               "at line %d, column %d)", quote(q, member->string),
               first.line, first.col);
        return;
    }
    c->feed_node[c->lay->n_feeds] = member;
    f = &c->lay->feeds[c->lay->n_feeds++];
    f->id = lj_strdup(c, member->string);
    if (!f->id)
        return;
    if (!cJSON_IsObject(member)) {
        lj_err(c, at_value(c, member), "feed %s must be an object",
               quote(q, f->id));
        f->label = lj_strdup(c, f->id);
        return;
    }
    lj_feed_body(c, f, member);
}

/* The first entry other than i that states privacy settings and reads the
 * camera with source key key: by its URL, or else by its substream (then
 * *via_sub is set); -1 if none. */
static int lj_camera_entry(const struct lj *c, int i, const char *key, bool *via_sub)
{
    const struct layout *l = c->lay;
    char k[512];

    for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < l->n_feeds; j++) {
            const char *u = pass ? l->feeds[j].substream : l->feeds[j].url;
            if (j == i || !u || !l->feeds[j].privacy_given)
                continue;
            url_source_key(u, k, sizeof k);
            if (strcmp(key, k) == 0) {
                *via_sub = pass == 1;
                return j;
            }
        }
    }
    return -1;
}

/* Privacy belongs to the camera: an entry that states no owner, consent or
 * masks takes those of the first entry of the same source that does (an
 * entry reading another's substream: its substream masks); one that states
 * different ones is an error (at its id). */
static void lj_sources(struct lj *c)
{
    struct layout *l = c->lay;
    char key[512], q[QUOTE_SIZE], q2[QUOTE_SIZE];

    for (int i = 0; i < l->n_feeds && !c->oom; i++) {
        bool via_sub = false;
        if (!l->feeds[i].url)
            continue;
        url_source_key(l->feeds[i].url, key, sizeof key);
        int first = lj_camera_entry(c, i, key, &via_sub);
        if (first < 0 || (l->feeds[i].privacy_given && first > i && !via_sub))
            continue; /* none, or i is the first: the others compare to it */
        if (!l->feeds[i].privacy_given) {
            if (layout__privacy_copy(&l->feeds[i], &l->feeds[first], via_sub) < 0)
                c->oom = true;
            continue;
        }
        if (!layout__privacy_equal(&l->feeds[i], &l->feeds[first], via_sub)) {
            struct jpos at = at_key(c, c->feed_node[first]);
            lj_err(c, at_key(c, c->feed_node[i]), "feed %s reads the same camera "
                   "as feed %s%s (line %d, column %d) but its \"owner\", "
                   "\"consent\" or \"masks\" differ: privacy belongs to the "
                   "camera; state it once, or the same on both",
                   quote(q, l->feeds[i].id), quote(q2, l->feeds[first].id),
                   via_sub ? "'s substream" : "", at.line, at.col);
        }
    }
}

/* Reads "feeds": an object mapping feed ids to feed objects. */
static void lj_feeds(struct lj *c, const cJSON *feeds)
{
    const cJSON *m;
    int n = 0;

    if (!cJSON_IsObject(feeds)) {
        lj_err(c, at_value(c, feeds), "\"feeds\" must be an object mapping "
               "feed ids to feeds");
        return;
    }
    for (m = feeds->child; m && n < LAYOUT_MAX_FEEDS; m = m->next)
        n++;
    if (m)
        lj_err(c, at_key(c, m), "too many feeds (at most %d)",
               LAYOUT_MAX_FEEDS);
    c->lay->feeds = calloc((size_t)n + 1, sizeof *c->lay->feeds);
    c->feed_node = calloc((size_t)n + 1, sizeof *c->feed_node);
    c->feed_uses = calloc((size_t)n + 1, sizeof *c->feed_uses);
    if (!c->lay->feeds || !c->feed_node || !c->feed_uses) {
        c->oom = true;
        return;
    }
    for (m = feeds->child; m && n-- > 0 && !c->oom; m = m->next) {
        if (m->string)
            lj_feed(c, m);
    }
    lj_sources(c);
    c->feeds_ok = true;
}

/* Warns about each feed that no tile or tour of any view shows (when all
 * tiles could be read: otherwise the warning would only echo an error). */
static void lj_unused_feeds(struct lj *c)
{
    char q[QUOTE_SIZE];
    int i;
    for (i = 0; c->feeds_ok && c->tiles_read && i < c->lay->n_feeds; i++) {
        if (c->feed_uses[i] == 0)
            lj_warn(c, at_key(c, c->feed_node[i]), "feed %s is not shown by "
                    "any tile", quote(q, c->lay->feeds[i].id));
    }
}

/* ---- tiles ---- */

/* The keys of a tile object, in the order of tile_keys[]. */
enum tile_key {
    TK_FEED, TK_PANEL, TK_TOUR, TK_CELL, TK_SPAN, TK_FIT, TK_LABEL,
    TK_CENTER, TK_ZOOM, TK_CALLUP, TK_N
};

static const struct lj_key tile_keys[TK_N] = {
    {"feed", false}, {"panel", false}, {"tour", false}, {"cell", true},
    {"span", false}, {"fit", false}, {"label", false}, {"center", false},
    {"zoom", false}, {"callup", false}};

/* Reads a tile's "panel": what it shows instead of a feed. */
static void lj_tile_panel(struct lj *c, struct layout_tile *t,
                          const cJSON *node)
{
    static const char *const panels[] = {"map", "incidents"};
    int v;
    if (lj_enum(c, node, "panel", panels, 2, &v))
        t->panel = (enum layout_panel)(LAYOUT_PANEL_MAP + v);
}

/* Reads a tile's "tour": {"feeds": [...], "dwell": seconds}. */
static void lj_tile_tour(struct lj *c, struct layout_tile *t,
                         const cJSON *node)
{
    static const struct lj_key keys[] = {{"feeds", true}, {"dwell", false}};
    static const struct tour_kind kind = {"feeds", "feed ids", "feeds",
                                          lj_feed_ref};
    const cJSON *found[2];

    if (!cJSON_IsObject(node)) {
        lj_err(c, at_value(c, node), "\"tour\" must be an object with "
               "\"feeds\" and \"dwell\"");
        return;
    }
    lj_members(c, node, "tour", keys, 2, found);
    lj_missing(c, node, "tour", keys, 2, found);
    if (found[0])
        t->tour = lj_tour_list(c, found[0], &kind, &t->n_tour);
    if (t->tour && t->n_tour > 0)
        t->feed = t->tour[0];
    if (found[1])
        lj_positive(c, found[1], "dwell", "seconds", LAYOUT_MAX_DWELL,
                    &t->dwell);
}

/* Reads a tile's "callup": K, the number of the call-up slot it is. */
static void lj_tile_callup(struct lj *c, struct layout_tile *t, const cJSON *node)
{
    int k;
    if (!lj_int(node, &k) || k < 1 || k > LAYOUT_MAX_SLOT) {
        lj_err(c, at_value(c, node), "\"callup\" must be a slot number from 1 "
               "to %d", LAYOUT_MAX_SLOT);
        return;
    }
    t->panel = LAYOUT_PANEL_CALLUP;
    t->callup = k;
}

/* Reads what tile number index shows: exactly one of "feed", "panel" and
 * "tour"; the first in the text is read, each other one is an error. */
static void lj_tile_content(struct lj *c, struct layout_tile *t,
                            const cJSON *obj, int index,
                            const cJSON *const found[TK_N])
{
    static const int kinds[4] = {TK_FEED, TK_PANEL, TK_TOUR, TK_CALLUP};
    const cJSON *first = NULL;
    int i;

    for (i = 0; i < 4; i++) {
        if (found[kinds[i]] && (!first || before(c, found[kinds[i]], first)))
            first = found[kinds[i]];
    }
    if (!first) {
        lj_err(c, at_value(c, obj), "tile %d needs one of \"feed\", \"panel\", "
               "\"tour\" or \"callup\"", index);
        return;
    }
    for (i = 0; i < 4; i++) {
        if (found[kinds[i]] && found[kinds[i]] != first)
            lj_err(c, at_key(c, found[kinds[i]]), "tile %d has both \"%s\" "
                   "and \"%s\"; a tile shows one feed, one panel, one tour "
                   "or one call-up slot",
                   index, first->string, found[kinds[i]]->string);
    }
    if (first == found[TK_FEED])
        t->feed = lj_feed_ref(c, first, "\"feed\" must be a string naming a "
                              "feed");
    else if (first == found[TK_PANEL])
        lj_tile_panel(c, t, first);
    else if (first == found[TK_CALLUP])
        lj_tile_callup(c, t, first);
    else
        lj_tile_tour(c, t, first);
}

/* Reads "center" and "zoom", which only a map panel has (and it needs a
 * center).  Says nothing when "panel" was given but not read. */
static void lj_tile_map(struct lj *c, struct layout_tile *t, const cJSON *obj,
                        int index, const cJSON *const found[TK_N])
{
    const cJSON *zoom = found[TK_ZOOM];

    if (found[TK_PANEL] && t->panel == LAYOUT_PANEL_NONE)
        return;
    if (t->panel != LAYOUT_PANEL_MAP) {
        if (found[TK_CENTER])
            lj_err(c, at_key(c, found[TK_CENTER]), "\"center\" applies to "
                   "map panels only");
        if (zoom)
            lj_err(c, at_key(c, zoom), "\"zoom\" applies to map panels only");
        return;
    }
    if (!found[TK_CENTER])
        lj_err(c, at_value(c, obj), "missing key \"center\" in tile %d; a map "
               "panel needs it", index);
    else
        lj_latlon(c, found[TK_CENTER], "center", t->center);
    if (zoom && (!lj_int(zoom, &t->zoom) || t->zoom < 0 ||
                 t->zoom > LAYOUT_MAX_ZOOM)) {
        lj_err(c, at_value(c, zoom), "\"zoom\" must be an integer from 0 to "
               "%d", LAYOUT_MAX_ZOOM);
        t->zoom = 14;
    }
}

/* Reads a tile's "cell" and "span". */
static void lj_tile_cell(struct lj *c, struct layout_tile *t,
                         const cJSON *const found[TK_N],
                         struct tile_info *info)
{
    const cJSON *cell = found[TK_CELL], *span = found[TK_SPAN];
    int v[2];

    if (cell && lj_int_pair(cell, 0, v)) {
        t->col = v[0];
        t->row = v[1];
        info->cell = cell;
    } else if (cell) {
        lj_err(c, at_value(c, cell), "\"cell\" must be an array of two "
               "non-negative integers [column, row]");
    }
    if (span && lj_int_pair(span, 1, v)) {
        t->cols = v[0];
        t->rows = v[1];
        info->span = span;
    } else if (span) {
        lj_err(c, at_value(c, span), "\"span\" must be an array of two "
               "positive integers [columns, rows]");
    }
}

/* Fills t from the tile object obj, number index in its output. */
static void lj_tile(struct lj *c, struct layout_tile *t, const cJSON *obj,
                    int index, struct tile_info *info)
{
    static const char *const fits[] = {"contain", "cover", "stretch"};
    const cJSON *found[TK_N];
    char who[32];
    int v;

    snprintf(who, sizeof who, "tile %d", index);
    lj_members(c, obj, "tile", tile_keys, TK_N, found);
    lj_tile_content(c, t, obj, index, found);
    lj_missing(c, obj, who, tile_keys, TK_N, found);
    lj_tile_cell(c, t, found, info);
    if (found[TK_FIT] && t->panel != LAYOUT_PANEL_NONE && t->panel != LAYOUT_PANEL_CALLUP)
        lj_err(c, at_key(c, found[TK_FIT]), "\"fit\" applies to camera tiles "
               "only");
    else if (found[TK_FIT] && lj_enum(c, found[TK_FIT], "fit", fits, 3, &v))
        t->fit = (enum layout_fit)v;
    if (found[TK_LABEL] && !cJSON_IsString(found[TK_LABEL]))
        lj_err(c, at_value(c, found[TK_LABEL]), "\"label\" must be a string");
    else if (found[TK_LABEL])
        t->label = lj_strdup(c, found[TK_LABEL]->valuestring);
    lj_tile_map(c, t, obj, index, found);
}

/* Writes "column 2", "columns 2 to 3" (from..to) into buf. */
static void describe_range(char *buf, size_t size, const char *what, int from,
                           long long to)
{
    if (to == from)
        snprintf(buf, size, "%s %d", what, from);
    else
        snprintf(buf, size, "%ss %d to %lld", what, from, to);
}

/* Checks that a tile lies inside its output's grid; true if it does. */
static bool lj_tile_inside(struct lj *c, const struct layout_output *o,
                           const struct layout_tile *t, int index,
                           const struct tile_info *info)
{
    long long right = (long long)t->col + t->cols;
    long long bottom = (long long)t->row + t->rows;
    char cols[48] = "", rows[48] = "";

    if (t->col >= o->grid_cols || t->row >= o->grid_rows) {
        lj_err(c, at_value(c, info->cell), "tile %d cell [%d, %d] is outside "
               "the %dx%d grid (columns 0 to %d, rows 0 to %d)", index,
               t->col, t->row, o->grid_cols, o->grid_rows, o->grid_cols - 1,
               o->grid_rows - 1);
        return false;
    }
    if (right <= o->grid_cols && bottom <= o->grid_rows)
        return true;
    if (right > o->grid_cols)
        describe_range(cols, sizeof cols, "column", o->grid_cols, right - 1);
    if (bottom > o->grid_rows)
        describe_range(rows, sizeof rows, "row", o->grid_rows, bottom - 1);
    lj_err(c, at_value(c, info->span), "tile %d span [%d, %d] at cell [%d, "
           "%d] reaches outside the %dx%d grid (%s%s%s)", index, t->cols,
           t->rows, t->col, t->row, o->grid_cols, o->grid_rows, cols,
           cols[0] && rows[0] ? " and " : "", rows);
    return false;
}

/* Marks the cells of tile i in owner[] and reports each earlier tile it
 * overlaps, once, at the first shared cell. */
static void lj_tile_claim(struct lj *c, const struct layout_output *o, int i,
                          const struct tile_info *info, int *owner,
                          int *reported)
{
    const struct layout_tile *t = &o->tiles[i];
    int x, y;

    for (y = t->row; y < t->row + t->rows; y++) {
        for (x = t->col; x < t->col + t->cols; x++) {
            int *cell = &owner[y * o->grid_cols + x];
            if (*cell < 0) {
                *cell = i;
            } else if (reported[*cell] != i) {
                reported[*cell] = i;
                lj_err(c, at_value(c, info[i].cell), "tile %d overlaps tile "
                       "%d at cell [%d, %d]", i, *cell, x, y);
            }
        }
    }
}

/* Checks that the tiles of o lie inside its grid and do not overlap. */
static void lj_tiles_place(struct lj *c, const struct layout_output *o,
                           const struct tile_info *info)
{
    size_t cells = (size_t)o->grid_cols * (size_t)o->grid_rows;
    int *owner = malloc(cells * sizeof *owner);
    int *reported = malloc(((size_t)o->n_tiles + 1) * sizeof *reported);
    size_t k;
    int i;

    if (!owner || !reported) {
        c->oom = true;
    } else {
        for (k = 0; k < cells; k++)
            owner[k] = -1;
        for (i = 0; i < o->n_tiles; i++)
            reported[i] = -1;
        for (i = 0; i < o->n_tiles; i++) {
            if (info[i].cell && lj_tile_inside(c, o, &o->tiles[i], i, &info[i]))
                lj_tile_claim(c, o, i, info, owner, reported);
        }
    }
    free(owner);
    free(reported);
}

/* Reads "tiles" of output o; grid_ok says whether o's grid is known. */
/* Reports each call-up slot number a tile of o repeats (tiles: their array). */
static void lj_slots_unique(struct lj *c, const struct layout_output *o,
                           const cJSON *tiles)
{
    const cJSON *e = tiles->child;
    for (int i = 0; i < o->n_tiles && e; i++, e = e->next) {
        for (int j = 0; o->tiles[i].callup && j < i; j++) {
            if (o->tiles[j].callup != o->tiles[i].callup)
                continue;
            lj_err(c, at_value(c, cJSON_GetObjectItemCaseSensitive(e, "callup")),
                   "call-up slot %d is already tile %d of this output",
                   o->tiles[i].callup, j);
            break;
        }
    }
}

static void lj_tiles(struct lj *c, struct layout_output *o, const cJSON *tiles,
                     bool grid_ok)
{
    struct tile_info *info;
    const cJSON *e;
    int n = 0;

    if (!cJSON_IsArray(tiles)) {
        lj_err(c, at_value(c, tiles), "\"tiles\" must be an array of tiles");
        c->tiles_read = false;
        return;
    }
    for (e = tiles->child; e && n < LAYOUT_MAX_TILES; e = e->next)
        n++;
    if (e) {
        lj_err(c, at_value(c, e), "too many tiles (at most %d per output)",
               LAYOUT_MAX_TILES);
        c->tiles_read = false;
    }
    o->tiles = calloc((size_t)n + 1, sizeof *o->tiles);
    info = calloc((size_t)n + 1, sizeof *info);
    for (e = tiles->child; o->tiles && info && o->n_tiles < n; e = e->next) {
        struct layout_tile *t = &o->tiles[o->n_tiles];
        t->feed = -1;
        t->cols = t->rows = 1;
        t->zoom = 14;
        t->dwell = 10;
        if (cJSON_IsObject(e))
            lj_tile(c, t, e, o->n_tiles, &info[o->n_tiles]);
        else
            lj_err(c, at_value(c, e), "tile %d must be an object", o->n_tiles);
        o->n_tiles++;
    }
    if (!o->tiles || !info)
        c->oom = true;
    else if (grid_ok)
        lj_tiles_place(c, o, info);
    if (o->tiles)
        lj_slots_unique(c, o, tiles);
    free(info);
}

/* ---- outputs ---- */

/* Reads an output's "name"; names it in who ("output "main"" or "output 1").
 * Names are unique within the view being read. */
static void lj_output_name(struct lj *c, struct layout_output *o,
                           const cJSON *obj, const cJSON *name, int index,
                           int count, char *who, size_t who_size)
{
    char q[QUOTE_SIZE];
    const char *s = NULL;
    int j;

    if (name && !is_nonempty_string(name))
        lj_err(c, at_value(c, name), "\"name\" must be a non-empty string");
    else if (name)
        s = name->valuestring;
    else if (count == 1)
        s = "main";
    else
        lj_err(c, at_value(c, obj), "missing key \"name\" in output %d; names "
               "are required when there are several outputs", index);
    for (j = 0; s && j < index; j++) {
        if (c->view->outputs[j].name &&
            strcmp(c->view->outputs[j].name, s) == 0)
            lj_err(c, at_value(c, name), "duplicate output name %s (first used "
                   "by output %d)", quote(q, s), j);
    }
    if (s)
        snprintf(who, who_size, "output %s", quote(q, s));
    else
        snprintf(who, who_size, "output %d", index);
    o->name = s ? lj_strdup(c, s) : NULL;
}

/* Reads "size"; true when it is valid. */
static bool lj_output_size(struct lj *c, struct layout_output *o,
                           const cJSON *node)
{
    int v[2];
    if (!node)
        return false;
    if (!lj_int_pair(node, 1, v)) {
        lj_err(c, at_value(c, node), "\"size\" must be an array of two "
               "positive integers");
        return false;
    }
    if (v[0] > LAYOUT_MAX_SIZE || v[1] > LAYOUT_MAX_SIZE) {
        lj_err(c, at_value(c, node), "\"size\" [%d, %d] is too large (at most "
               "%d pixels a side)", v[0], v[1], LAYOUT_MAX_SIZE);
        return false;
    }
    o->width = v[0];
    o->height = v[1];
    return true;
}

/* Reads "grid"; true when it is valid (and fits "size" if that is known). */
static bool lj_output_grid(struct lj *c, struct layout_output *o,
                           const cJSON *node, bool size_ok)
{
    int v[2];
    if (!node)
        return false;
    if (!lj_int_pair(node, 1, v)) {
        lj_err(c, at_value(c, node), "\"grid\" must be an array of two "
               "positive integers");
        return false;
    }
    if (v[0] > LAYOUT_MAX_GRID || v[1] > LAYOUT_MAX_GRID) {
        lj_err(c, at_value(c, node), "\"grid\" [%d, %d] is too large (at most "
               "%d cells a side)", v[0], v[1], LAYOUT_MAX_GRID);
        return false;
    }
    o->grid_cols = v[0];
    o->grid_rows = v[1];
    if (size_ok && (v[0] > o->width || v[1] > o->height)) {
        lj_err(c, at_value(c, node), "\"grid\" [%d, %d] does not fit in "
               "\"size\" [%d, %d] (each cell needs at least one pixel)", v[0],
               v[1], o->width, o->height);
    }
    return true;
}

/* Reads "gap"; it must leave every tile at least one pixel. */
static void lj_output_gap(struct lj *c, struct layout_output *o,
                          const cJSON *node, bool size_ok, bool grid_ok)
{
    int cw, ch;
    if (!node)
        return;
    if (!lj_int(node, &o->gap) || o->gap < 0) {
        lj_err(c, at_value(c, node), "\"gap\" must be a non-negative integer");
        return;
    }
    if (!size_ok || !grid_ok)
        return;
    cw = o->width / o->grid_cols;
    ch = o->height / o->grid_rows;
    if (o->gap > 0 && (o->gap >= cw || o->gap >= ch))
        lj_err(c, at_value(c, node), "\"gap\" %d leaves no room for tiles "
               "(the smallest cell is %dx%d pixels)", o->gap, cw, ch);
}

/* Reads "display": an SDL display index or an SDL display name. */
static void lj_output_display(struct lj *c, struct layout_output *o,
                              const cJSON *node)
{
    int v;
    if (lj_int(node, &v) && v >= 0)
        o->display_index = v;
    else if (is_nonempty_string(node))
        o->display_name = lj_strdup(c, node->valuestring);
    else
        lj_err(c, at_value(c, node), "\"display\" must be a display number "
               "(0, 1, ...) or a display name such as \"DP-2\"");
}

/* Reads an output's "node" (NULL: not given), the PC that drives it, and
 * remembers the first output with and without one, named as who. */
static void lj_output_node(struct lj *c, struct layout_output *o,
                           const cJSON *obj, const cJSON *node, const char *who)
{
    char q[QUOTE_SIZE];
    const cJSON **first = node ? &c->node_out : &c->bare_out;
    char *first_who = node ? c->node_who : c->bare_who;

    if (!*first) {
        *first = obj;
        snprintf(first_who, sizeof c->node_who, "%s%s%s", who,
                 c->view_node ? " of layout " : "",
                 c->view_node ? quote(q, c->view->name) : "");
    }
    if (!node)
        return;
    switch (cJSON_IsString(node) ? layout__name_check(node->valuestring,
                                       LAYOUT_NODE_EXTRA, LAYOUT_MAX_NODE)
                                 : LAYOUT_NAME_EMPTY) {
    case LAYOUT_NAME_OK:
        o->node = lj_strdup(c, node->valuestring);
        o->node_line = at_value(c, node).line;
        o->node_col = at_value(c, node).col;
        break;
    case LAYOUT_NAME_EMPTY:
        lj_err(c, at_value(c, node), "\"node\" must be a non-empty string: "
               "the name of the PC that drives the output (tessera --node NAME)");
        break;
    case LAYOUT_NAME_BAD_CHAR:
        lj_err(c, at_value(c, node), "\"node\" %s may only contain letters, "
               "digits, '.', '-' and '_'", quote(q, node->valuestring));
        break;
    default:
        lj_err(c, at_value(c, node), "\"node\" %s is too long (at most %d "
               "characters)", quote(q, node->valuestring), LAYOUT_MAX_NODE);
    }
}

/* Fills o from the output object obj, number index of count. */
static void lj_output(struct lj *c, struct layout_output *o, const cJSON *obj,
                      int index, int count)
{
    static const struct lj_key keys[] = {{"name", false}, {"size", false},
        {"grid", true}, {"gap", false}, {"tiles", false}, {"display", false},
        {"node", false}};
    const cJSON *found[7];
    char who[QUOTE_SIZE + 8];
    bool size_ok, grid_ok;

    lj_members(c, obj, "output", keys, 7, found);
    lj_output_name(c, o, obj, found[0], index, count, who, sizeof who);
    if (!found[1] && !found[5]) /* without it, the display's size */
        lj_err(c, at_value(c, obj), "missing key \"size\" in %s (it may be left "
               "out only when \"display\" names a monitor)", who);
    lj_missing(c, obj, who, keys, 7, found);
    lj_output_node(c, o, obj, found[6], who);
    size_ok = lj_output_size(c, o, found[1]);
    grid_ok = lj_output_grid(c, o, found[2], size_ok);
    lj_output_gap(c, o, found[3], size_ok, grid_ok);
    if (found[4])
        lj_tiles(c, o, found[4], grid_ok);
    if (found[5])
        lj_output_display(c, o, found[5]);
}

/* Reads "outputs" of view v: a non-empty array of output objects. */
static void lj_outputs(struct lj *c, struct layout_view *v,
                       const cJSON *outputs)
{
    const cJSON *e;
    int n = 0, count;

    if (!cJSON_IsArray(outputs)) {
        lj_err(c, at_value(c, outputs), "\"outputs\" must be an array of "
               "outputs");
        c->tiles_read = false;
        return;
    }
    for (e = outputs->child; e && n < LAYOUT_MAX_OUTPUTS; e = e->next)
        n++;
    if (n == 0)
        lj_err(c, at_value(c, outputs), "\"outputs\" must list at least one "
               "output");
    if (e) {
        lj_err(c, at_value(c, e), "too many outputs (at most %d)",
               LAYOUT_MAX_OUTPUTS);
        c->tiles_read = false;
    }
    count = cJSON_GetArraySize(outputs);
    v->outputs = calloc((size_t)n + 1, sizeof *v->outputs);
    if (!v->outputs) {
        c->oom = true;
        return;
    }
    c->view = v;
    for (e = outputs->child; e && v->n_outputs < n; e = e->next) {
        int i = v->n_outputs++;
        v->outputs[i].display_index = -1;
        if (cJSON_IsObject(e))
            lj_output(c, &v->outputs[i], e, i, count);
        else
            lj_err(c, at_value(c, e), "output %d must be an object", i);
        c->tiles_read = c->tiles_read && cJSON_IsObject(e);
    }
    c->view = NULL;
}

/* ---- views ---- */

/* Index of an earlier view with the same name as member, or -1. */
static int lj_view_twin(const struct lj *c, const cJSON *member)
{
    int i;
    for (i = 0; i < c->lay->n_views; i++) {
        if (c->lay->views[i].name &&
            strcmp(c->lay->views[i].name, member->string) == 0)
            return i;
    }
    return -1;
}

/* Adds one member of "layouts" as a view (unless its name is taken). */
static void lj_view(struct lj *c, const cJSON *member)
{
    static const struct lj_key keys[] = {{"outputs", true}};
    const cJSON *found[1];
    struct layout_view *v;
    char who[QUOTE_SIZE + 8], q[QUOTE_SIZE];
    int twin;

    lj_check_id(c, member, "layout name");
    twin = lj_view_twin(c, member);
    if (twin >= 0) {
        struct jpos first = at_key(c, c->view_node[twin]);
        lj_err(c, at_key(c, member), "duplicate layout name %s (first defined "
               "at line %d, column %d)", quote(q, member->string), first.line,
               first.col);
        c->tiles_read = false;
        return;
    }
    c->view_node[c->lay->n_views] = member;
    v = &c->lay->views[c->lay->n_views++];
    v->name = lj_strdup(c, member->string);
    snprintf(who, sizeof who, "layout %s", quote(q, member->string));
    if (!cJSON_IsObject(member)) {
        lj_err(c, at_value(c, member), "%s must be an object", who);
        c->tiles_read = false;
        return;
    }
    lj_members(c, member, who, keys, 1, found);
    lj_missing(c, member, who, keys, 1, found);
    if (found[0])
        lj_outputs(c, v, found[0]);
    else
        c->tiles_read = false;
}

/* Reads "layouts": an object mapping layout names to {"outputs": [...]}. */
static void lj_views(struct lj *c, const cJSON *layouts)
{
    const cJSON *m;
    int n = 0;

    if (!cJSON_IsObject(layouts)) {
        lj_err(c, at_value(c, layouts), "\"layouts\" must be an object "
               "mapping layout names to layouts");
        return;
    }
    for (m = layouts->child; m && n < LAYOUT_MAX_VIEWS; m = m->next)
        n++;
    if (n == 0)
        lj_err(c, at_value(c, layouts), "\"layouts\" must name at least one "
               "layout");
    if (m)
        lj_err(c, at_key(c, m), "too many layouts (at most %d)",
               LAYOUT_MAX_VIEWS);
    c->tiles_read = !m;
    c->lay->views = calloc((size_t)n + 1, sizeof *c->lay->views);
    c->view_node = calloc((size_t)n + 1, sizeof *c->view_node);
    if (!c->lay->views || !c->view_node) {
        c->oom = true;
        return;
    }
    for (m = layouts->child; m && n-- > 0 && !c->oom; m = m->next) {
        if (m->string)
            lj_view(c, m);
    }
    c->views_ok = true;
}

/* Reads top-level "outputs" as the one view named "default". */
static void lj_classic(struct lj *c, const cJSON *outputs)
{
    c->lay->views = calloc(1, sizeof *c->lay->views);
    if (!c->lay->views) {
        c->oom = true;
        return;
    }
    c->lay->n_views = 1;
    c->lay->views[0].name = lj_strdup(c, "default");
    c->tiles_read = true;
    lj_outputs(c, &c->lay->views[0], outputs);
}

/* Reads the wall: exactly one of top-level "outputs" and "layouts" (the
 * first in the text is read when both are there).  Points the layout's
 * outputs at the first view's. */
static void lj_wall(struct lj *c, const cJSON *root, const cJSON *outputs,
                    const cJSON *layouts)
{
    if (!outputs && !layouts) {
        lj_err(c, at_value(c, root), "missing key \"outputs\" or \"layouts\" "
               "in the layout");
        return;
    }
    if (outputs && layouts) {
        lj_err(c, at_key(c, before(c, outputs, layouts) ? layouts : outputs),
               "top-level \"outputs\" and \"layouts\" cannot both be given "
               "(put the outputs in a named layout)");
        if (before(c, outputs, layouts))
            layouts = NULL;
        else
            outputs = NULL;
    }
    if (outputs)
        lj_classic(c, outputs);
    else
        lj_views(c, layouts);
    if (outputs && layouts)
        c->tiles_read = false;
    if (c->lay->n_views > 0) {
        c->lay->outputs = c->lay->views[0].outputs;
        c->lay->n_outputs = c->lay->views[0].n_outputs;
    }
}

/* ---- nodes ---- */

/* The output named name in an earlier view than v that names a node, or
 * NULL; *view receives that view's index. */
static const struct layout_output *lj_node_twin(const struct lj *c, int v,
                                                const char *name, int *view)
{
    for (int k = 0; k < v; k++) {
        const struct layout_view *e = &c->lay->views[k];
        for (int j = 0; e->outputs && j < e->n_outputs; j++) {
            if (e->outputs[j].name && e->outputs[j].node &&
                strcmp(e->outputs[j].name, name) == 0) {
                *view = k;
                return &e->outputs[j];
            }
        }
    }
    return NULL;
}

/* Checks "node" across the wall: every output names one or none does, and
 * an output of the same name names the same node in every view. */
static void lj_nodes(struct lj *c)
{
    char q[QUOTE_SIZE], q2[QUOTE_SIZE], q3[QUOTE_SIZE], q4[QUOTE_SIZE];

    if (c->node_out && c->bare_out)
        lj_err(c, at_value(c, c->bare_out), "missing key \"node\" in %s (%s "
               "names its node: either every output names one or none does)",
               c->bare_who, c->node_who);
    for (int v = 1; v < c->lay->n_views; v++) {
        const struct layout_view *e = &c->lay->views[v];
        for (int j = 0; e->outputs && j < e->n_outputs; j++) {
            const struct layout_output *o = &e->outputs[j], *twin;
            int k;
            if (!o->name || !o->node ||
                !(twin = lj_node_twin(c, v, o->name, &k)) ||
                strcmp(twin->node, o->node) == 0)
                continue;
            lj_err(c, (struct jpos){o->node_line, o->node_col}, "output %s "
                   "is driven by node %s here but by node %s in layout %s "
                   "(line %d, column %d); an output has one PC in every "
                   "layout", quote(q, o->name), quote(q2, o->node),
                   quote(q3, twin->node), quote(q4, c->lay->views[k].name),
                   twin->node_line, twin->node_col);
        }
    }
}

/* Reads the top-level "tour": {"layouts": [...], "dwell": seconds}, which
 * needs named layouts. */
static void lj_wall_tour(struct lj *c, const cJSON *member, bool named)
{
    static const struct lj_key keys[] = {{"layouts", true}, {"dwell", false}};
    static const struct tour_kind kind = {"layouts", "layout names",
                                          "layouts", lj_view_ref};
    const cJSON *found[2];

    if (!named) {
        lj_err(c, at_key(c, member), "\"tour\" needs \"layouts\": it cycles "
               "the wall through named layouts");
        return;
    }
    if (!cJSON_IsObject(member)) {
        lj_err(c, at_value(c, member), "\"tour\" must be an object with "
               "\"layouts\" and \"dwell\"");
        return;
    }
    lj_members(c, member, "tour", keys, 2, found);
    lj_missing(c, member, "tour", keys, 2, found);
    if (found[0])
        c->lay->tour_views = lj_tour_list(c, found[0], &kind,
                                          &c->lay->n_tour_views);
    if (found[1])
        lj_positive(c, found[1], "dwell", "seconds", LAYOUT_MAX_DWELL,
                    &c->lay->tour_dwell);
}

/* ---- the document ---- */

static void lj_version(struct lj *c, const cJSON *node)
{
    int v;
    if (!lj_int(node, &v))
        lj_err(c, at_value(c, node), "\"version\" must be the integer 1");
    else if (v != 1)
        lj_err(c, at_value(c, node), "unsupported \"version\" %d (only "
               "version 1 is known)", v);
}

/* The keys of the layout object, in the order of layout_keys[]. */
enum layout_key {
    LK_SCHEMA, LK_VERSION, LK_FEEDS, LK_OUTPUTS, LK_LAYOUTS, LK_TOUR,
    LK_BASEMAP, LK_TIMEZONE, LK_INCIDENT_TTL, LK_REGISTRY, LK_CALLUP, LK_SYNC,
    LK_N
};

static const struct lj_key layout_keys[LK_N] = {
    {"$schema", false}, {"version", false}, {"feeds", true},
    {"outputs", false}, {"layouts", false}, {"tour", false},
    {"basemap", false}, {"timezone", false}, {"incident_ttl", false},
    {"registry", false}, {"callup", false}, {"sync", false}};

/* Loads the zone consent dates are read in: "timezone" (an IANA name) or,
 * without it, the machine's zone.  Before the feeds, whose dates need it. */
static void lj_timezone(struct lj *c, const cJSON *node)
{
    int ret;

    c->tz = calloc(1, sizeof *c->tz);
    if (!c->tz) {
        c->oom = true;
        return;
    }
    if (node && !is_nonempty_string(node)) {
        lj_err(c, at_value(c, node), "\"timezone\" must be an IANA time "
               "zone name, e.g. \"America/Chicago\"");
        node = NULL;
    }
    ret = tz_load(c->tz, node ? node->valuestring : NULL);
    if (ret < 0) {
        char q[QUOTE_SIZE];
        lj_err(c, at_value(c, node), "\"timezone\" %s is not a time zone "
               "known here (%s)", quote(q, node->valuestring),
               ret == -EINVAL ? "not a zone name" : strerror(-ret));
        tz_load(c->tz, "UTC");
    }
    c->lay->timezone = lj_strdup(c, c->tz->name);
    c->lay->timezone_given = node != NULL;
}

/* The keys of a call-up rule, in the order of the reads in lj_callup_rule(). */
static const struct lj_key callup_keys[] = {
    {"up_to_priority", false}, {"max_cameras", false}, {"radius_m", false},
    {"hold_s", false}, {"kinds", false}};

/* Reads the four keys of a call-up rule from found[] into r. */
static void lj_callup_rule(struct lj *c, const cJSON *const found[5],
                           struct layout_callup_rule *r)
{
    int v;
    if (found[0] && (!lj_int(found[0], &v) || v < 0 || v > 9))
        lj_err(c, at_value(c, found[0]), "\"up_to_priority\" must be an integer "
               "from 0 (no automatic call-up) to 9");
    else if (found[0])
        r->up_to_priority = v;
    if (found[1] && (!lj_int(found[1], &v) || v < 1 || v > LAYOUT_MAX_CALLUP_CAMERAS))
        lj_err(c, at_value(c, found[1]), "\"max_cameras\" must be an integer "
               "from 1 to %d", LAYOUT_MAX_CALLUP_CAMERAS);
    else if (found[1])
        r->max_cameras = v;
    if (found[2] && !(cJSON_IsNumber(found[2]) && found[2]->valuedouble >= 0 &&
                      found[2]->valuedouble <= LAYOUT_MAX_RANGE_M))
        lj_err(c, at_value(c, found[2]), "\"radius_m\" must be a number of "
               "metres from 0 to %g", LAYOUT_MAX_RANGE_M);
    else if (found[2])
        r->radius_m = found[2]->valuedouble;
    if (found[3])
        lj_positive(c, found[3], "hold_s", "seconds", LAYOUT_MAX_HOLD, &r->hold_s);
}

/* Reads "kinds": {"kind": {rule keys}}, each starting from the policy's rule. */
static void lj_callup_kinds(struct lj *c, struct layout_callup *p, const cJSON *node)
{
    const cJSON *m, *found[5];
    int n = cJSON_IsObject(node) ? cJSON_GetArraySize(node) : -1;
    if (n < 0 || n > LAYOUT_MAX_CALLUP_KINDS) {
        lj_err(c, at_value(c, node), "\"kinds\" must be an object of at most %d "
               "incident kinds, each with call-up keys", LAYOUT_MAX_CALLUP_KINDS);
        return;
    }
    if (!(p->kinds = calloc((size_t)n + 1, sizeof *p->kinds))) {
        c->oom = true;
        return;
    }
    cJSON_ArrayForEach(m, node) {
        if (!cJSON_IsObject(m)) {
            lj_err(c, at_value(c, m), "kind \"%s\" must be an object with call-up "
                   "keys", m->string);
            continue;
        }
        struct layout_callup_kind *k = &p->kinds[p->n_kinds++];
        k->rule = p->rule;
        k->kind = lj_strdup(c, m->string);
        lj_members(c, m, "call-up kind", callup_keys, 4, found);
        lj_callup_rule(c, found, &k->rule);
    }
}

/* Reads the "callup" policy object. */
static void lj_callup(struct lj *c, const cJSON *node)
{
    const cJSON *found[5];
    if (!cJSON_IsObject(node)) {
        lj_err(c, at_value(c, node), "\"callup\" must be an object (keys "
               "\"up_to_priority\", \"max_cameras\", \"radius_m\", \"hold_s\", "
               "\"kinds\")");
        return;
    }
    c->lay->callup.given = true;
    lj_members(c, node, "\"callup\"", callup_keys, 5, found);
    lj_callup_rule(c, found, &c->lay->callup.rule);
    if (found[4])
        lj_callup_kinds(c, &c->lay->callup, found[4]);
}

/* Reads "registry" (a file name) and "callup"; a feed naming a "camera"
 * needs the registry. */
static void lj_registry(struct lj *c, const cJSON *const found[LK_N])
{
    const cJSON *reg = found[LK_REGISTRY];
    if (reg && !is_nonempty_string(reg))
        lj_err(c, at_value(c, reg), "\"registry\" must be a non-empty string (a "
               "GeoJSON file of cameras)");
    else if (reg)
        c->lay->registry = lj_strdup(c, reg->valuestring);
    else if (c->camera_feed)
        lj_err(c, at_value(c, c->camera_feed), "\"camera\" names a registry "
               "camera, but the layout has no \"registry\"");
    if (found[LK_CALLUP])
        lj_callup(c, found[LK_CALLUP]);
}

/* ---- sync: the broker of a multi-node wall ---- */

/* Reads "broker" into s: its text, host, port and whether it is mqtts://.
 * Messages never quote a value with an '@' (a password may hold a '/', which
 * would end the authority for url_redact()), and quote others redacted (a
 * secret query parameter). */
static void lj_sync_broker(struct lj *c, struct layout_sync *s,
                           const cJSON *node)
{
    char why[256], red[QUOTE_SIZE], q[QUOTE_SIZE];
    int rc;

    if (!is_nonempty_string(node)) {
        lj_err(c, at_value(c, node), "\"broker\" must be a string such as "
               "\"mqtt://broker.example:1883\" or \"mqtts://broker.example\"");
        return;
    }
    rc = layout__broker_parse(node->valuestring, &s->host, &s->port, &s->tls,
                              why, sizeof why);
    if (rc == -ENOMEM)
        c->oom = true;
    if (rc == -EINVAL && strchr(node->valuestring, '@')) {
        lj_err(c, at_value(c, node), "\"broker\" %s", why);
    } else if (rc == -EINVAL) {
        url_redact(node->valuestring, red, sizeof red);
        lj_err(c, at_value(c, node), "\"broker\" %s %s", quote(q, red), why);
    }
    if (rc == 0)
        s->broker = lj_strdup(c, node->valuestring);
}

/* Reads "wall": the wall's name as one level of MQTT topic names. */
static void lj_sync_wall(struct lj *c, struct layout_sync *s, const cJSON *node)
{
    char q[QUOTE_SIZE];
    switch (cJSON_IsString(node) ? layout__name_check(node->valuestring,
                                       LAYOUT_WALL_EXTRA, LAYOUT_MAX_WALL)
                                 : LAYOUT_NAME_EMPTY) {
    case LAYOUT_NAME_OK:
        s->wall = lj_strdup(c, node->valuestring);
        break;
    case LAYOUT_NAME_EMPTY:
        lj_err(c, at_value(c, node), "\"wall\" must be a non-empty string: "
               "the wall's name in MQTT topic names");
        break;
    case LAYOUT_NAME_BAD_CHAR:
        lj_err(c, at_value(c, node), "\"wall\" %s may only contain letters, "
               "digits, '-' and '_' (it is a level of MQTT topic names)",
               quote(q, node->valuestring));
        break;
    default:
        lj_err(c, at_value(c, node), "\"wall\" %s is too long (at most %d "
               "characters)", quote(q, node->valuestring), LAYOUT_MAX_WALL);
    }
}

/* Reads the file name node (NULL: not given) of key into *out. */
static void lj_file_name(struct lj *c, const cJSON *node, const char *key,
                         char **out)
{
    if (node && !is_nonempty_string(node))
        lj_err(c, at_value(c, node), "\"%s\" must be a non-empty string (a "
               "file name)", key);
    else if (node)
        *out = lj_strdup(c, node->valuestring);
}

/* Reports first ("key_a") when it is given without second ("key_b"). */
static void lj_needs(struct lj *c, const cJSON *first, const char *a,
                     const cJSON *second, const char *b)
{
    if (first && !second)
        lj_err(c, at_key(c, first), "\"%s\" needs \"%s\"", a, b);
}

/* Reads "tls": {"ca_file", "cert_file", "key_file"} (a client certificate
 * needs its key and the other way round). */
static void lj_sync_tls(struct lj *c, struct layout_sync *s, const cJSON *node)
{
    static const struct lj_key keys[] = {{"ca_file", false},
        {"cert_file", false}, {"key_file", false}};
    const cJSON *found[3];

    if (!cJSON_IsObject(node)) {
        lj_err(c, at_value(c, node), "\"tls\" must be an object (keys "
               "\"ca_file\", \"cert_file\", \"key_file\"; {} for the system's "
               "CA certificates)");
        return;
    }
    s->tls = s->tls_files.given = true;
    lj_members(c, node, "\"tls\"", keys, 3, found);
    lj_file_name(c, found[0], "ca_file", &s->tls_files.ca_file);
    lj_file_name(c, found[1], "cert_file", &s->tls_files.cert_file);
    lj_file_name(c, found[2], "key_file", &s->tls_files.key_file);
    lj_needs(c, found[1], "cert_file", found[2], "key_file");
    lj_needs(c, found[2], "key_file", found[1], "cert_file");
}

/* The keys of "sync", in the order of sync_keys[]. */
enum sync_key { SK_BROKER, SK_WALL, SK_USER, SK_PASS, SK_TLS, SK_KEEPALIVE, SK_N };

static const struct lj_key sync_keys[SK_N] = {
    {"broker", true}, {"wall", true}, {"username_file", false},
    {"password_file", false}, {"tls", false}, {"keepalive_s", false}};

/* Reads the top-level "sync" object. */
static void lj_sync(struct lj *c, const cJSON *node)
{
    struct layout_sync *s = &c->lay->sync;
    const cJSON *found[SK_N], *k;
    struct jpos at = at_value(c, node);

    if (!cJSON_IsObject(node)) {
        lj_err(c, at, "\"sync\" must be an object with \"broker\" and "
               "\"wall\"");
        return;
    }
    s->given = true;
    s->line = at.line;
    s->col = at.col;
    lj_members(c, node, "\"sync\"", sync_keys, SK_N, found);
    lj_missing(c, node, "\"sync\"", sync_keys, SK_N, found);
    if (found[SK_BROKER])
        lj_sync_broker(c, s, found[SK_BROKER]);
    if (found[SK_WALL])
        lj_sync_wall(c, s, found[SK_WALL]);
    lj_file_name(c, found[SK_USER], "username_file", &s->username_file);
    lj_file_name(c, found[SK_PASS], "password_file", &s->password_file);
    lj_needs(c, found[SK_PASS], "password_file", found[SK_USER], "username_file");
    if (found[SK_TLS])
        lj_sync_tls(c, s, found[SK_TLS]);
    if ((k = found[SK_KEEPALIVE]) && (!cJSON_IsNumber(k) || !(k->valuedouble >= 1 &&
                                      k->valuedouble <= LAYOUT_MAX_KEEPALIVE)))
        lj_err(c, at_value(c, k), "\"keepalive_s\" must be a number of seconds "
               "from 1 to %g", LAYOUT_MAX_KEEPALIVE);
    else if (k)
        s->keepalive_s = k->valuedouble;
}

static void lj_layout(struct lj *c, const cJSON *root)
{
    const cJSON *found[LK_N];

    if (!cJSON_IsObject(root)) {
        lj_err(c, at_value(c, root), "the layout must be a JSON object");
        return;
    }
    lj_members(c, root, "the layout", layout_keys, LK_N, found);
    lj_missing(c, root, "the layout", layout_keys, LK_N, found);
    if (found[LK_SCHEMA] && !cJSON_IsString(found[LK_SCHEMA]))
        lj_err(c, at_value(c, found[LK_SCHEMA]), "\"$schema\" must be a "
               "string");
    if (found[LK_VERSION])
        lj_version(c, found[LK_VERSION]);
    lj_timezone(c, found[LK_TIMEZONE]);
    if (found[LK_INCIDENT_TTL])
        lj_positive(c, found[LK_INCIDENT_TTL], "incident_ttl", "seconds",
                    LAYOUT_MAX_INCIDENT_TTL, &c->lay->incident_ttl);
    if (found[LK_FEEDS] && !c->oom)
        lj_feeds(c, found[LK_FEEDS]);
    if (!c->oom)
        lj_wall(c, root, found[LK_OUTPUTS], found[LK_LAYOUTS]);
    if (!c->oom)
        lj_nodes(c);
    if (found[LK_TOUR] && !c->oom)
        lj_wall_tour(c, found[LK_TOUR], found[LK_LAYOUTS] != NULL);
    if (found[LK_BASEMAP] && !is_nonempty_string(found[LK_BASEMAP]))
        lj_err(c, at_value(c, found[LK_BASEMAP]), "\"basemap\" must be a "
               "non-empty string (a directory of map tiles or an .mbtiles file)");
    else if (found[LK_BASEMAP]) {
        struct jpos at = at_value(c, found[LK_BASEMAP]);
        c->lay->basemap = lj_strdup(c, found[LK_BASEMAP]->valuestring);
        c->lay->basemap_line = at.line;
        c->lay->basemap_col = at.col;
    }
    if (!c->oom)
        lj_registry(c, found);
    if (found[LK_SYNC] && !c->oom)
        lj_sync(c, found[LK_SYNC]);
    if (!c->oom)
        lj_unused_feeds(c);
}

/* Parses text into c->lay (already allocated), filling diagnostics. */
static void lj_parse(struct lj *c, const char *text, size_t len)
{
    struct jpos_doc *doc = NULL;
    struct jpos_error jerr;
    struct jpos first = {1, 1};
    int rc;

    if (len > LAYOUT_MAX_BYTES) {
        lj_err(c, first, "the layout is larger than %d bytes",
               LAYOUT_MAX_BYTES);
        return;
    }
    rc = jpos_parse(text, len, &doc, &jerr);
    if (rc == -ENOMEM) {
        c->oom = true;
        return;
    }
    if (rc < 0) {
        lj_err(c, jerr.pos, "%s", jerr.message);
        return;
    }
    c->doc = doc;
    lj_layout(c, jpos_root(doc));
    c->doc = NULL;
    jpos_doc_destroy(doc);
}

int layout_parse_at(const char *text, size_t len, long long now_epoch,
                    struct layout **out, struct layout_diags *diags)
{
    struct lj c = {.diags = diags, .now = now_epoch};
    int from = diags->n;

    *out = NULL;
    c.lay = calloc(1, sizeof *c.lay);
    if (!c.lay)
        return -ENOMEM;
    c.lay->tour_dwell = 30;
    c.lay->incident_ttl = LAYOUT_INCIDENT_TTL_DEFAULT;
    c.lay->callup.rule = (struct layout_callup_rule){3, 4, 250, 900};
    c.lay->sync.keepalive_s = LAYOUT_KEEPALIVE_DEFAULT;
    lj_parse(&c, text, len);
    free(c.tz);
    free(c.feed_node);
    free(c.feed_uses);
    free(c.view_node);
    if (layout__diags_sort(diags, from) < 0)
        c.oom = true;
    if (c.oom || c.errors) {
        layout_destroy(c.lay);
        return c.oom ? -ENOMEM : -EINVAL;
    }
    *out = c.lay;
    return 0;
}

int layout_parse(const char *text, size_t len, struct layout **out,
                 struct layout_diags *diags)
{
    return layout_parse_at(text, len, (long long)time(NULL), out, diags);
}
