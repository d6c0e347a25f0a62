/*
 * registry_json.c - reads a camera registry: a GeoJSON FeatureCollection of
 * Point features whose properties describe each camera.  Every problem is
 * reported at its line and column (through layout/json_pos.h, as for the
 * layout); unknown properties are warnings (GIS exports carry their own),
 * anything malformed is an error and the registry is refused whole.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tz.h"
#include "layout/json_pos.h"
#include "layout/layout_priv.h"
#include "registry/registry_priv.h"

/* The state of one parse. */
struct rj {
    const struct jpos_doc *doc;
    struct layout_diags *diags;
    const struct tz_zone *tz; /* consent dates; NULL: UTC */
    int errors;
    bool oom;
};

/* Replaces the control characters of msg (a name or value from the file
 * quoted in it: a diagnostic is one line) with "?". */
static void one_line(char *msg)
{
    for (unsigned char *p = (unsigned char *)msg; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            *p = '?';
}

static void rj_diag(struct rj *c, const cJSON *node, enum layout_severity sev,
                    const char *fmt, va_list ap)
{
    char msg[512];
    struct jpos at = node ? jpos_value(c->doc, node) : (struct jpos){1, 1};
    vsnprintf(msg, sizeof msg, fmt, ap);
    one_line(msg);
    if (at.line <= 0)
        at = (struct jpos){1, 1};
    if (layout__diag_add(c->diags, at.line, at.col, sev, "%s", msg) < 0)
        c->oom = true;
    c->errors += sev == LAYOUT_ERROR;
}

static void rj_err(struct rj *c, const cJSON *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void rj_err(struct rj *c, const cJSON *node, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rj_diag(c, node, LAYOUT_ERROR, fmt, ap);
    va_end(ap);
}

static void rj_warn(struct rj *c, const cJSON *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void rj_warn(struct rj *c, const cJSON *node, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rj_diag(c, node, LAYOUT_WARNING, fmt, ap);
    va_end(ap);
}

static char *rj_dup(struct rj *c, const char *s)
{
    char *d = strdup(s);
    if (!d)
        c->oom = true;
    return d;
}

/* Reads a string of 1..max-1 bytes into *out (a copy); reports otherwise. */
static void rj_string(struct rj *c, const cJSON *node, const char *key, size_t max,
                      char **out)
{
    if (!cJSON_IsString(node) || !node->valuestring[0] ||
        strlen(node->valuestring) >= max) {
        rj_err(c, node, "\"%s\" must be a non-empty string of at most %zu bytes",
               key, max - 1);
        return;
    }
    *out = rj_dup(c, node->valuestring);
}

/* Reads a number lo ≤ v ≤ hi (v < hi when hi_open) into *out. */
static bool rj_number(struct rj *c, const cJSON *node, const char *key, double lo,
                      double hi, bool hi_open, double *out)
{
    double v = cJSON_IsNumber(node) ? node->valuedouble : NAN;
    if (!(v >= lo && (hi_open ? v < hi : v <= hi))) {
        rj_err(c, node, "\"%s\" must be a number from %g to %g%s", key, lo, hi,
               hi_open ? " (exclusive)" : "");
        return false;
    }
    *out = v;
    return true;
}

/* The member of obj named key, or NULL. */
static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static bool is_type(const cJSON *obj, const char *type)
{
    const cJSON *t = member(obj, "type");
    return cJSON_IsString(t) && strcmp(t->valuestring, type) == 0;
}

/* ---- consent dates ---- */

/* Parses "YYYY-MM-DD" (read in tz, the day's start or with end its end) or
 * "YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)" into *epoch; false when it is neither. */
static bool parse_when(const char *s, const struct tz_zone *tz, bool end, long long *epoch)
{
    int y, mo, d, h, mi, se, oh, om, n = 0;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int i = 0; i < 10; i++) /* digits only, as the layout's dates: no */
        if (i == 4 || i == 7 ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
            return false; /* sign or space that sscanf would let through */
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 || mo < 1 ||
        mo > 12 || d < 1 || d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
        return false;
    long long day = tz_days_from_civil(y, mo, d);
    if (!s[10]) {
        long long local = (day + (end ? 1 : 0)) * 86400;
        *epoch = tz ? tz_local_to_utc(tz, local, !end) : local;
        return true;
    }
    const char *t = s + 10;
    for (int i = 1; i < 9; i++)
        if (!t[i] || (i % 3 == 0 ? t[i] != ':' : !(t[i] >= '0' && t[i] <= '9')))
            return false;
    if (sscanf(t, "T%2d:%2d:%2d%n", &h, &mi, &se, &n) != 3 || n != 9 || h > 23 ||
        mi > 59 || se > 60)
        return false;
    t += 9;
    if (*t == '.')
        for (t++; *t >= '0' && *t <= '9'; t++)
            continue;
    long long secs = day * 86400 + h * 3600 + mi * 60 + (se > 59 ? 59 : se);
    if (strcmp(t, "Z") == 0) {
        *epoch = secs;
        return true;
    }
    for (int i = 1; i < 6; i++)
        if (!t[i] || (i == 3 ? t[i] != ':' : !(t[i] >= '0' && t[i] <= '9')))
            return false;
    if ((*t != '+' && *t != '-') || sscanf(t + 1, "%2d:%2d%n", &oh, &om, &n) != 2 ||
        n != 5 || t[6] || oh > 23 || om > 59)
        return false;
    *epoch = secs - (*t == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    return true;
}

static bool rj_when(struct rj *c, const cJSON *node, const char *key, bool end,
                    char text[40], long long *epoch)
{
    if (!node) {
        rj_err(c, NULL, "internal error: no %s", key);
        return false;
    }
    if (!cJSON_IsString(node) || strlen(node->valuestring) >= 40 ||
        !parse_when(node->valuestring, c->tz, end, epoch)) {
        rj_err(c, node, "\"%s\" must be a date (YYYY-MM-DD) or a time with an "
               "offset (RFC 3339, e.g. \"2027-01-05T00:00:00-06:00\")", key);
        return false;
    }
    memcpy(text, node->valuestring, strlen(node->valuestring) + 1);
    return true;
}

/* ---- privacy ---- */

static void rj_consent(struct rj *c, struct reg_camera *cam, const cJSON *node)
{
    const cJSON *ref = member(node, "ref"), *g = member(node, "granted");
    const cJSON *e = member(node, "expires"), *scope = member(node, "scope"), *m;
    struct layout_consent *k = &cam->consent;

    if (!cJSON_IsObject(node) || !ref || !g || !e) {
        rj_err(c, node, "\"consent\" must be an object with \"ref\", \"granted\" "
               "and \"expires\" (\"scope\" optional)");
        return;
    }
    cJSON_ArrayForEach(m, node)
        if (strcmp(m->string, "ref") && strcmp(m->string, "granted") &&
            strcmp(m->string, "expires") && strcmp(m->string, "scope"))
            rj_err(c, m, "unknown consent key \"%s\"", m->string);
    k->present = true;
    rj_string(c, ref, "ref", LAYOUT_MAX_CONSENT_REF + 1, &k->ref);
    bool ok = rj_when(c, g, "granted", false, k->granted, &k->granted_epoch);
    ok = rj_when(c, e, "expires", true, k->expires, &k->expires_epoch) && ok;
    if (ok && k->expires_epoch <= k->granted_epoch)
        rj_err(c, e, "\"expires\" %s is before \"granted\" %s", k->expires, k->granted);
    if (scope && cJSON_IsString(scope) && strcmp(scope->valuestring, "incident-only") == 0)
        k->scope = LAYOUT_CONSENT_INCIDENT_ONLY;
    else if (scope && !(cJSON_IsString(scope) && strcmp(scope->valuestring, "live") == 0))
        rj_err(c, scope, "\"scope\" must be \"live\" or \"incident-only\"");
}

static void rj_polygon(struct rj *c, struct layout_mask *mk, const cJSON *node)
{
    int n = cJSON_IsArray(node) ? cJSON_GetArraySize(node) : 0, i = 0;
    const cJSON *p;
    if (n < 3 || n > LAYOUT_MAX_MASK_POINTS) {
        rj_err(c, node, "\"polygon\" must be an array of 3 to %d points [x, y]",
               LAYOUT_MAX_MASK_POINTS);
        return;
    }
    if (!(mk->points = calloc((size_t)n, sizeof *mk->points))) {
        c->oom = true;
        return;
    }
    mk->n_points = n;
    cJSON_ArrayForEach(p, node) {
        const cJSON *x = cJSON_GetArrayItem(p, 0), *y = cJSON_GetArrayItem(p, 1);
        if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 2 || !cJSON_IsNumber(x) ||
            !cJSON_IsNumber(y) || !(x->valuedouble >= 0 && x->valuedouble <= 1 &&
                                    y->valuedouble >= 0 && y->valuedouble <= 1))
            rj_err(c, p, "polygon point %d must be [x, y] with x and y from 0 to 1", i);
        else
            mk->points[i][0] = (float)x->valuedouble, mk->points[i][1] = (float)y->valuedouble;
        i++;
    }
}

static void rj_masks(struct rj *c, struct reg_camera *cam, const cJSON *node)
{
    int n = cJSON_IsArray(node) ? cJSON_GetArraySize(node) : -1;
    const cJSON *m;
    if (n < 0 || n > LAYOUT_MAX_MASKS) {
        rj_err(c, node, "\"masks\" must be an array of at most %d masks", LAYOUT_MAX_MASKS);
        return;
    }
    if (!(cam->masks = calloc((size_t)n + 1, sizeof *cam->masks))) {
        c->oom = true;
        return;
    }
    cJSON_ArrayForEach(m, node) {
        struct layout_mask *mk = &cam->masks[cam->n_masks++];
        const cJSON *style = member(m, "style"), *k;
        if (!cJSON_IsObject(m) || !member(m, "polygon")) {
            rj_err(c, m, "a mask must be an object with \"polygon\" (\"style\" optional)");
            continue;
        }
        cJSON_ArrayForEach(k, m)
            if (strcmp(k->string, "polygon") && strcmp(k->string, "style"))
                rj_err(c, k, "unknown mask key \"%s\"", k->string);
        rj_polygon(c, mk, member(m, "polygon"));
        if (cJSON_IsString(style) && strcmp(style->valuestring, "pixelate") == 0)
            mk->style = LAYOUT_MASK_PIXELATE;
        else if (style && !(cJSON_IsString(style) && strcmp(style->valuestring, "solid") == 0))
            rj_err(c, style, "\"style\" must be \"solid\" or \"pixelate\"");
    }
}

static void rj_linked(struct rj *c, struct reg_camera *cam, const cJSON *node)
{
    int n = cJSON_IsArray(node) ? cJSON_GetArraySize(node) : -1;
    const cJSON *e;
    if (n < 0 || n > REG_MAX_LINKED) {
        rj_err(c, node, "\"linked\" must be an array of at most %d strings", REG_MAX_LINKED);
        return;
    }
    if (!(cam->linked = calloc((size_t)n + 1, sizeof *cam->linked))) {
        c->oom = true;
        return;
    }
    cJSON_ArrayForEach(e, node) {
        char *s = NULL;
        rj_string(c, e, "linked", LAYOUT_MAX_ID, &s);
        if (s)
            cam->linked[cam->n_linked++] = s;
    }
}

static void rj_owner(struct rj *c, struct reg_camera *cam, const cJSON *node)
{
    if (cJSON_IsString(node) && strcmp(node->valuestring, "private") == 0)
        cam->owner = LAYOUT_OWNER_PRIVATE;
    else if (!(cJSON_IsString(node) && strcmp(node->valuestring, "agency") == 0))
        rj_err(c, node, "\"owner\" must be \"agency\" or \"private\"");
}

/* ---- features ---- */

/* Reads one property (key k of the properties object). */
static void rj_property(struct rj *c, struct reg_camera *cam, const cJSON *k)
{
    const char *key = k->string;
    if (strcmp(key, "id") == 0)
        rj_string(c, k, key, LAYOUT_MAX_ID, &cam->id);
    else if (strcmp(key, "url") == 0)
        rj_string(c, k, key, 4096, &cam->url);
    else if (strcmp(key, "label") == 0)
        rj_string(c, k, key, 256, &cam->label);
    else if (strcmp(key, "substream") == 0)
        rj_string(c, k, key, 4096, &cam->substream);
    else if (strcmp(key, "heading_deg") == 0)
        cam->has_heading = rj_number(c, k, key, 0, 360, true, &cam->heading_deg);
    else if (strcmp(key, "fov_deg") == 0 && rj_number(c, k, key, 0, 360, false, &cam->fov_deg) &&
             cam->fov_deg <= 0)
        rj_err(c, k, "\"fov_deg\" must be more than 0");
    else if (strcmp(key, "range_m") == 0)
        rj_number(c, k, key, 0, LAYOUT_MAX_RANGE_M, false, &cam->range_m);
    else if (strcmp(key, "height_m") == 0)
        rj_number(c, k, key, 0, REG_MAX_HEIGHT_M, false, &cam->height_m);
    else if (strcmp(key, "ptz") == 0 && !cJSON_IsBool(k))
        rj_err(c, k, "\"ptz\" must be true or false");
    else if (strcmp(key, "ptz") == 0)
        cam->ptz = cJSON_IsTrue(k);
    else if (strcmp(key, "owner") == 0)
        rj_owner(c, cam, k);
    else if (strcmp(key, "consent") == 0)
        rj_consent(c, cam, k);
    else if (strcmp(key, "masks") == 0)
        rj_masks(c, cam, k);
    else if (strcmp(key, "linked") == 0)
        rj_linked(c, cam, k);
    else if (strcmp(key, "fov_deg") != 0)
        rj_warn(c, k, "unknown camera property \"%s\" (ignored)", key);
}

/* Checks what one property cannot: required keys and their combinations. */
static void rj_camera_check(struct rj *c, struct reg_camera *cam, const cJSON *props)
{
    const cJSON *heading = member(props, "heading_deg"), *fov = member(props, "fov_deg");
    const cJSON *consent = member(props, "consent");
    if (!member(props, "id"))
        rj_err(c, props, "camera properties need \"id\"");
    if (!member(props, "url"))
        rj_err(c, props, "camera properties need \"url\"");
    if (heading && !fov)
        rj_err(c, heading, "\"heading_deg\" needs \"fov_deg\" (the view's width)");
    if (fov && !heading && !cam->ptz && cam->fov_deg < 360)
        rj_err(c, fov, "\"fov_deg\" below 360 needs \"heading_deg\" (or \"ptz\": true)");
    if (!fov && !heading)
        cam->fov_deg = 360.0 * cam->ptz; /* no sector: sees only as PTZ */
    if (consent && cam->owner != LAYOUT_OWNER_PRIVATE)
        rj_err(c, consent, "\"consent\" is for private cameras; add \"owner\": \"private\"");
    if (cam->owner == LAYOUT_OWNER_PRIVATE && !consent)
        rj_warn(c, member(props, "owner"), "private camera %s has no consent: it "
                "is never shown", cam->id ? cam->id : "?");
    if (cam->consent.scope == LAYOUT_CONSENT_INCIDENT_ONLY && !(cam->range_m > 0))
        rj_err(c, consent, "consent scope \"incident-only\" needs \"range_m\"");
    if (cam->id && !cam->label)
        cam->label = rj_dup(c, cam->id);
}

/* Reads the geometry: a Point [lon, lat] (an altitude may follow). */
static void rj_point(struct rj *c, struct reg_camera *cam, const cJSON *feature)
{
    const cJSON *g = member(feature, "geometry"), *xy = member(g, "coordinates");
    const cJSON *lon = cJSON_GetArrayItem(xy, 0), *lat = cJSON_GetArrayItem(xy, 1);
    int n = cJSON_IsArray(xy) ? cJSON_GetArraySize(xy) : 0;
    if (!cJSON_IsObject(g) || !is_type(g, "Point")) {
        rj_err(c, g ? g : feature, "a camera's \"geometry\" must be a Point");
        return;
    }
    if (n < 2 || n > 3 || !cJSON_IsNumber(lon) || !cJSON_IsNumber(lat)) {
        rj_err(c, xy ? xy : g, "\"coordinates\" must be [longitude, latitude]");
        return;
    }
    if (!(fabs(lon->valuedouble) <= 180.0 && fabs(lat->valuedouble) <= 90.0)) {
        rj_err(c, xy, "coordinates [%g, %g] are not [longitude, latitude] (longitude "
               "-180..180, latitude -90..90)", lon->valuedouble, lat->valuedouble);
        return;
    }
    cam->lon = lon->valuedouble;
    cam->lat = lat->valuedouble;
}

static void rj_feature(struct rj *c, struct reg_camera *cam, const cJSON *f)
{
    const cJSON *props = member(f, "properties"), *k;
    if (!cJSON_IsObject(f) || !is_type(f, "Feature")) {
        rj_err(c, f, "each of \"features\" must be an object with \"type\": \"Feature\"");
        return;
    }
    rj_point(c, cam, f);
    if (!cJSON_IsObject(props)) {
        rj_err(c, props ? props : f, "a camera Feature needs \"properties\" (an object)");
        return;
    }
    cJSON_ArrayForEach(k, props) {
        const cJSON *e = props->child;
        while (e != k && strcmp(e->string, k->string) != 0)
            e = e->next;
        if (e != k)
            rj_err(c, k, "duplicate property \"%s\"", k->string);
        else
            rj_property(c, cam, k);
    }
    rj_camera_check(c, cam, props);
}

/* Reports each camera whose id an earlier camera has (reg->by_id is built). */
static void rj_unique_ids(struct rj *c, const struct registry *reg, const cJSON *features)
{
    for (int i = 0, j; i < reg->n; i = j) {
        int first = reg->by_id[i];
        for (j = i + 1; j < reg->n &&
                        strcmp(reg->cams[reg->by_id[j]].id, reg->cams[first].id) == 0; j++)
            first = reg->by_id[j] < first ? reg->by_id[j] : first;
        if (j - i < 2)
            continue;
        struct jpos at = jpos_value(c->doc, cJSON_GetArrayItem(features, first));
        for (int k = i; k < j; k++) {
            const cJSON *f = cJSON_GetArrayItem(features, reg->by_id[k]);
            if (reg->by_id[k] != first)
                rj_err(c, member(member(f, "properties"), "id"), "camera id \"%s\" is "
                       "already used (line %d, column %d)", reg->cams[first].id, at.line,
                       at.col);
        }
    }
}

/* Reads the FeatureCollection into reg (cams allocated here). */
static void rj_collection(struct rj *c, struct registry *reg, const cJSON *root)
{
    const cJSON *features = member(root, "features"), *f;
    int n = cJSON_IsArray(features) ? cJSON_GetArraySize(features) : -1;

    if (!cJSON_IsObject(root) || !is_type(root, "FeatureCollection")) {
        rj_err(c, root, "a camera registry must be a GeoJSON object with \"type\": "
               "\"FeatureCollection\"");
        return;
    }
    if (n < 0 || n > REG_MAX_CAMERAS) {
        rj_err(c, features ? features : root, "\"features\" must be an array of at "
               "most %d cameras", REG_MAX_CAMERAS);
        return;
    }
    if (!(reg->cams = calloc((size_t)n + 1, sizeof *reg->cams))) {
        c->oom = true;
        return;
    }
    cJSON_ArrayForEach(f, features)
        rj_feature(c, &reg->cams[reg->n++], f);
}

int reg_parse(const char *text, size_t len, const struct tz_zone *tz,
              struct registry **out, struct layout_diags *diags)
{
    struct jpos_doc *doc = NULL;
    struct jpos_error perr;
    struct registry *reg = calloc(1, sizeof *reg);
    struct rj c = {.diags = diags, .tz = tz};
    int from = diags->n, rc = jpos_parse(text, len, &doc, &perr);

    *out = NULL;
    if (rc == -EINVAL)
        layout__diag_add(diags, perr.pos.line > 0 ? perr.pos.line : 1,
                         perr.pos.col > 0 ? perr.pos.col : 1, LAYOUT_ERROR, "%s",
                         perr.message);
    if (rc < 0 || !reg) {
        reg_destroy(reg);
        return rc < 0 ? rc : -ENOMEM;
    }
    c.doc = doc;
    rj_collection(&c, reg, jpos_root(doc));
    if (!c.errors && !c.oom && reg__index_build(reg) < 0)
        c.oom = true;
    if (!c.errors && !c.oom)
        rj_unique_ids(&c, reg, member(jpos_root(doc), "features"));
    jpos_doc_destroy(doc);
    layout__diags_sort(diags, from);
    if (c.errors || c.oom) {
        reg_destroy(reg);
        return c.oom ? -ENOMEM : -EINVAL;
    }
    *out = reg;
    return 0;
}

int reg_load_file(const char *path, const struct tz_zone *tz, struct registry **out,
                  struct layout_diags *diags)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    if (f) {
        FILE *mem = open_memstream(&text, &len);
        char buf[65536];
        size_t got;
        while (mem && (got = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, got, mem);
        rc = ferror(f) ? -EIO : mem ? 0 : -ENOMEM;
        if (mem)
            fclose(mem);
        fclose(f);
    } else {
        rc = -errno;
    }
    if (rc < 0) {
        layout__diag_add(diags, 1, 1, LAYOUT_ERROR, "cannot read the camera registry: %s",
                         strerror(-rc));
        free(text);
        return rc;
    }
    rc = reg_parse(text, len, tz, out, diags);
    free(text);
    return rc;
}
