/*
 * layout_json.c - layout_parse(): turns the JSON text of a layout into the
 * layout model, checking every rule of docs/layout.md on the way.  It never
 * stops at the first problem: each one becomes a diagnostic with the line and
 * column of the offending value (or of the key, for unknown and duplicate
 * keys), so "tessera --validate" can list them all.  Positions come from
 * json_pos.c, the tree from cJSON.
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

/* Room for a user string quoted into a message (see quote()). */
#define QUOTE_SIZE 256
/* Quoted strings are cut after this many code points. */
#define QUOTE_CHARS 40

/* The state of one layout_parse() call. */
struct lj {
    const struct jpos_doc *doc;
    struct layout_diags *diags;
    struct layout *lay;
    const cJSON **feed_node; /* per feed: its member in "feeds" */
    int *feed_uses;          /* per feed: tiles showing it */
    bool feeds_ok;           /* "feeds" was an object: check references */
    bool tiles_read;         /* every "tiles" was read: warn unused feeds */
    int errors;
    bool oom;
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

/* ---- feeds ---- */

/* Checks the id of a feed (the key of its member in "feeds"). */
static void lj_feed_id(struct lj *c, const cJSON *member)
{
    const char *id = member->string ? member->string : "";
    char q[QUOTE_SIZE];
    size_t i;

    if (id[0] == '\0') {
        lj_err(c, at_key(c, member), "feed id must not be empty");
        return;
    }
    for (i = 0; id[i]; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) {
            lj_err(c, at_key(c, member), "feed id %s may only contain "
                   "letters, digits, '-' and '_'", quote(q, id));
            return;
        }
    }
    if (i > LAYOUT_MAX_ID)
        lj_err(c, at_key(c, member), "feed id %s is too long (at most %d "
               "characters)", quote(q, id), LAYOUT_MAX_ID);
}

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

/* Fills f from the feed object obj (whose id is already set). */
static void lj_feed_body(struct lj *c, struct layout_feed *f, const cJSON *obj)
{
    static const struct lj_key keys[] = {
        {"url", true}, {"label", false}, {"loop", false}};
    const cJSON *found[3];
    char who[QUOTE_SIZE + 8], q[QUOTE_SIZE];

    snprintf(who, sizeof who, "feed %s", quote(q, f->id));
    lj_members(c, obj, "feed", keys, 3, found);
    lj_missing(c, obj, who, keys, 3, found);
    if (found[0] && !is_nonempty_string(found[0]))
        lj_err(c, at_value(c, found[0]), "\"url\" must be a non-empty string");
    else if (found[0])
        f->url = lj_strdup(c, found[0]->valuestring);
    if (found[1] && !cJSON_IsString(found[1]))
        lj_err(c, at_value(c, found[1]), "\"label\" must be a string");
    f->label = lj_strdup(c, cJSON_IsString(found[1]) ? found[1]->valuestring
                                                     : f->id);
    if (found[2] && !cJSON_IsBool(found[2]))
        lj_err(c, at_value(c, found[2]), "\"loop\" must be true or false");
    f->loop = cJSON_IsTrue(found[2]);
}

/* Adds one member of "feeds" to the layout (unless its id is taken). */
static void lj_feed(struct lj *c, const cJSON *member)
{
    struct layout_feed *f;
    char q[QUOTE_SIZE];
    int twin;

    lj_feed_id(c, member);
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
    c->feeds_ok = true;
}

/* Warns about each feed that no tile shows (when all tiles could be read:
 * otherwise the warning would only echo an error). */
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

/* Reads a tile's "feed": the id of a feed in "feeds". */
static void lj_tile_feed(struct lj *c, struct layout_tile *t,
                         const cJSON *node)
{
    struct suggestion s = {NULL, 0};
    char q[QUOTE_SIZE], dym[QUOTE_SIZE + 32];
    int i;

    if (!cJSON_IsString(node) || !node->valuestring) {
        lj_err(c, at_value(c, node), "\"feed\" must be a string naming a "
               "feed");
        return;
    }
    if (!c->feeds_ok)
        return;
    t->feed = layout_find_feed(c->lay, node->valuestring);
    if (t->feed >= 0) {
        c->feed_uses[t->feed]++;
        return;
    }
    for (i = 0; i < c->lay->n_feeds; i++)
        suggest_consider(&s, node->valuestring, c->lay->feeds[i].id);
    lj_err(c, at_value(c, node), "unknown feed %s%s",
           quote(q, node->valuestring), did_you_mean(dym, &s));
}

/* Reads a tile's "fit": contain, cover or stretch. */
static void lj_tile_fit(struct lj *c, struct layout_tile *t, const cJSON *node)
{
    static const char *const names[] = {"contain", "cover", "stretch"};
    struct suggestion s = {NULL, 0};
    char dym[QUOTE_SIZE + 32];
    int i;

    for (i = 0; cJSON_IsString(node) && i < 3; i++) {
        if (strcmp(node->valuestring, names[i]) == 0) {
            t->fit = (enum layout_fit)i;
            return;
        }
        suggest_consider(&s, node->valuestring, names[i]);
    }
    lj_err(c, at_value(c, node), "\"fit\" must be \"contain\", \"cover\" or "
           "\"stretch\"%s", did_you_mean(dym, &s));
}

/* Fills t from the tile object obj, number index in its output. */
static void lj_tile(struct lj *c, struct layout_tile *t, const cJSON *obj,
                    int index, struct tile_info *info)
{
    static const struct lj_key keys[] = {{"feed", true}, {"cell", true},
        {"span", false}, {"fit", false}, {"label", false}};
    const cJSON *found[5];
    char who[32];
    int v[2];

    snprintf(who, sizeof who, "tile %d", index);
    lj_members(c, obj, "tile", keys, 5, found);
    lj_missing(c, obj, who, keys, 5, found);
    if (found[0])
        lj_tile_feed(c, t, found[0]);
    if (found[1] && lj_int_pair(found[1], 0, v)) {
        t->col = v[0];
        t->row = v[1];
        info->cell = found[1];
    } else if (found[1]) {
        lj_err(c, at_value(c, found[1]), "\"cell\" must be an array of two "
               "non-negative integers [column, row]");
    }
    if (found[2] && lj_int_pair(found[2], 1, v)) {
        t->cols = v[0];
        t->rows = v[1];
        info->span = found[2];
    } else if (found[2]) {
        lj_err(c, at_value(c, found[2]), "\"span\" must be an array of two "
               "positive integers [columns, rows]");
    }
    if (found[3])
        lj_tile_fit(c, t, found[3]);
    if (found[4] && !cJSON_IsString(found[4]))
        lj_err(c, at_value(c, found[4]), "\"label\" must be a string");
    else if (found[4])
        t->label = lj_strdup(c, found[4]->valuestring);
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
    free(info);
}

/* ---- outputs ---- */

/* Reads an output's "name"; names it in who ("output "main"" or "output 1"). */
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
        if (c->lay->outputs[j].name && strcmp(c->lay->outputs[j].name, s) == 0)
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

/* Fills o from the output object obj, number index of count. */
static void lj_output(struct lj *c, struct layout_output *o, const cJSON *obj,
                      int index, int count)
{
    static const struct lj_key keys[] = {{"name", false}, {"size", true},
        {"grid", true}, {"gap", false}, {"tiles", false}};
    const cJSON *found[5];
    char who[QUOTE_SIZE + 8];
    bool size_ok, grid_ok;

    lj_members(c, obj, "output", keys, 5, found);
    lj_output_name(c, o, obj, found[0], index, count, who, sizeof who);
    lj_missing(c, obj, who, keys, 5, found);
    size_ok = lj_output_size(c, o, found[1]);
    grid_ok = lj_output_grid(c, o, found[2], size_ok);
    lj_output_gap(c, o, found[3], size_ok, grid_ok);
    if (found[4])
        lj_tiles(c, o, found[4], grid_ok);
}

/* Reads "outputs": a non-empty array of output objects. */
static void lj_outputs(struct lj *c, const cJSON *outputs)
{
    const cJSON *e;
    int n = 0, count;

    if (!cJSON_IsArray(outputs)) {
        lj_err(c, at_value(c, outputs), "\"outputs\" must be an array of "
               "outputs");
        return;
    }
    for (e = outputs->child; e && n < LAYOUT_MAX_OUTPUTS; e = e->next)
        n++;
    if (n == 0)
        lj_err(c, at_value(c, outputs), "\"outputs\" must list at least one "
               "output");
    if (e)
        lj_err(c, at_value(c, e), "too many outputs (at most %d)",
               LAYOUT_MAX_OUTPUTS);
    c->tiles_read = !e;
    count = cJSON_GetArraySize(outputs);
    c->lay->outputs = calloc((size_t)n + 1, sizeof *c->lay->outputs);
    if (!c->lay->outputs) {
        c->oom = true;
        return;
    }
    for (e = outputs->child; e && c->lay->n_outputs < n; e = e->next) {
        int i = c->lay->n_outputs++;
        if (cJSON_IsObject(e))
            lj_output(c, &c->lay->outputs[i], e, i, count);
        else
            lj_err(c, at_value(c, e), "output %d must be an object", i);
        c->tiles_read = c->tiles_read && cJSON_IsObject(e);
    }
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

static void lj_layout(struct lj *c, const cJSON *root)
{
    static const struct lj_key keys[] = {{"$schema", false},
        {"version", false}, {"feeds", true}, {"outputs", true}};
    const cJSON *found[4];

    if (!cJSON_IsObject(root)) {
        lj_err(c, at_value(c, root), "the layout must be a JSON object");
        return;
    }
    lj_members(c, root, "the layout", keys, 4, found);
    lj_missing(c, root, "the layout", keys, 4, found);
    if (found[0] && !cJSON_IsString(found[0]))
        lj_err(c, at_value(c, found[0]), "\"$schema\" must be a string");
    if (found[1])
        lj_version(c, found[1]);
    if (found[2])
        lj_feeds(c, found[2]);
    if (found[3] && !c->oom)
        lj_outputs(c, found[3]);
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

int layout_parse(const char *text, size_t len, struct layout **out,
                 struct layout_diags *diags)
{
    struct lj c = {.diags = diags};
    int from = diags->n;

    *out = NULL;
    c.lay = calloc(1, sizeof *c.lay);
    if (!c.lay)
        return -ENOMEM;
    lj_parse(&c, text, len);
    free(c.feed_node);
    free(c.feed_uses);
    if (layout__diags_sort(diags, from) < 0)
        c.oom = true;
    if (c.oom || c.errors) {
        layout_destroy(c.lay);
        return c.oom ? -ENOMEM : -EINVAL;
    }
    *out = c.lay;
    return 0;
}
