/*
 * eido.c - NENA EIDO documents to incidents (see eido.h): cJSON for the
 * document, the guarded libexpat parser of xml.c for PIDF-LO locations.
 */
#include "cot/eido.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cot/xml.h"

#define EIDO__TEXT_MAX 128

/* Civic address elements (RFC 5139) in the order they are written. */
static const char *const eido__civic[] = {
    "HNO", "HNS", "PRD", "RD", "STS", "POD", "A3", "A1",
};
#define EIDO__N_CIVIC (sizeof eido__civic / sizeof eido__civic[0])

/* PIDF-LO parse context: owned by one eido_pidf_parse() call. */
struct eido__pidf {
    struct cot_xml x; /* first */
    struct eido_location *loc;
    int depth;
    int collect;      /* -1: nothing; EIDO__N_CIVIC: gml:pos; else civic index */
    char text[EIDO__TEXT_MAX + 1];
    size_t text_len;
    char civic[EIDO__N_CIVIC][EIDO__TEXT_MAX + 1];
};

/* Element name without its namespace prefix. */
static const char *eido__local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static void XMLCALL eido__start(void *opaque, const XML_Char *name,
                                const XML_Char **atts)
{
    struct eido__pidf *p = opaque;
    const char *local = eido__local(name);
    (void)atts;
    if (++p->depth > 32) {
        cot_xml_fail(&p->x, -ELOOP, "PIDF-LO nested deeper than 32 elements");
        return;
    }
    p->collect = -1;
    p->text_len = 0;
    if (strcmp(local, "pos") == 0 && !p->loc->has_pos)
        p->collect = EIDO__N_CIVIC;
    for (size_t i = 0; i < EIDO__N_CIVIC && p->collect < 0; i++)
        if (strcmp(local, eido__civic[i]) == 0 && !p->civic[i][0])
            p->collect = (int)i;
}

static void XMLCALL eido__text(void *opaque, const XML_Char *s, int len)
{
    struct eido__pidf *p = opaque;
    size_t n = (size_t)len;
    if (p->collect < 0)
        return;
    if (n > EIDO__TEXT_MAX - p->text_len) /* whole characters only */
        n = ovl_utf8_cut(s, n, EIDO__TEXT_MAX - p->text_len);
    memcpy(p->text + p->text_len, s, n);
    p->text_len += n;
}

/* Stores the text of gml:pos ("lat lon [alt]"). */
static void eido__pos(struct eido__pidf *p)
{
    char *end;
    double lat = strtod(p->text, &end), lon = strtod(end, &end);
    if (end != p->text && isfinite(lat) && isfinite(lon) && fabs(lat) <= 90 &&
        fabs(lon) <= 180) {
        p->loc->lat = lat, p->loc->lon = lon;
        p->loc->has_pos = true;
    }
}

static void XMLCALL eido__end(void *opaque, const XML_Char *name)
{
    struct eido__pidf *p = opaque;
    (void)name;
    p->depth--;
    if (p->collect < 0)
        return;
    p->text[p->text_len] = '\0';
    if (p->collect == (int)EIDO__N_CIVIC) {
        eido__pos(p);
    } else {
        char *t = p->text;
        while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
            t++;
        size_t n = strlen(t);
        while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n' ||
                     t[n - 1] == '\r'))
            n--;
        n = ovl_utf8_cut(t, n, EIDO__TEXT_MAX);
        memcpy(p->civic[p->collect], t, n);
        p->civic[p->collect][n] = '\0';
    }
    p->collect = -1;
}

/* Writes "HNO HNS PRD RD STS POD, A3 A1" from the civic elements found. */
static void eido__address(struct eido__pidf *p)
{
    char buf[EIDO__N_CIVIC * (EIDO__TEXT_MAX + 2) + 8] = "";
    size_t n = 0;
    bool comma = false; /* between street and city */
    for (size_t i = 0; i < EIDO__N_CIVIC; i++) {
        if (!p->civic[i][0])
            continue;
        const char *sep = n == 0 ? "" : i == 1 ? "" : i >= 6 && !comma ? ", " : " ";
        comma |= i >= 6;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", sep, p->civic[i]);
    }
    n = ovl_utf8_cut(buf, strlen(buf), OVL_ADDRESS_MAX);
    for (size_t i = 0; i < n; i++)
        p->loc->address[i] = (unsigned char)buf[i] < 0x20 ? ' ' : buf[i];
    p->loc->address[n] = '\0';
}

int eido_pidf_parse(const char *xml, size_t len, struct eido_location *loc,
                    char *err, size_t errlen)
{
    struct eido__pidf *p;
    memset(loc, 0, sizeof *loc);
    while (len && (*xml == ' ' || *xml == '\t' || *xml == '\n' || *xml == '\r'))
        xml++, len--;
    if (len > EIDO_PIDF_MAX) {
        snprintf(err, errlen, "locationByValue: longer than %d bytes", EIDO_PIDF_MAX);
        return -E2BIG;
    }
    if (!(p = calloc(1, sizeof *p)))
        return -ENOMEM;
    p->x.err = err, p->x.errlen = errlen;
    p->loc = loc;
    p->collect = -1;
    if (cot_xml_create(&p->x, eido__start, eido__end) < 0) {
        free(p);
        return -ENOMEM;
    }
    XML_SetCharacterDataHandler(p->x.xp, eido__text);
    int rc = cot_xml_run(&p->x, xml, len);
    if (rc != -EPERM)
        eido__address(p);
    else
        loc->has_pos = false;
    free(p);
    return rc;
}

/* Member name of an object, in either case of its first letter (published
 * samples write both "lastUpdateTimeStamp" and "LastUpdateTimeStamp"). */
static const cJSON *eido__get(const cJSON *o, const char *name)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItem(o, name) : NULL;
}

/* An object, or the first element of an array of them. */
static const cJSON *eido__one(const cJSON *it)
{
    return cJSON_IsArray(it) ? cJSON_GetArrayItem(it, 0) : it;
}

/* Copies a string (or the first string of an array, or with last set the
 * last one) cut on a UTF-8 boundary to max bytes, control characters made
 * spaces.  Returns 1 when copied, 0 when absent, or -EINVAL. */
static int eido__str(const cJSON *it, bool last, char *dst, size_t max,
                     const char *field, char *err, size_t errlen)
{
    if (cJSON_IsArray(it))
        it = cJSON_GetArrayItem(it, last ? cJSON_GetArraySize(it) - 1 : 0);
    if (!it || cJSON_IsNull(it))
        return 0;
    if (!cJSON_IsString(it) || !it->valuestring) {
        snprintf(err, errlen, "%s: must be a string", field);
        return -EINVAL;
    }
    size_t n = strlen(it->valuestring);
    if (ovl_utf8_check(it->valuestring, n, NULL) < 0) {
        snprintf(err, errlen, "%s: not valid UTF-8", field);
        return -EINVAL;
    }
    n = ovl_utf8_cut(it->valuestring, n, max);
    for (size_t i = 0; i < n; i++)
        dst[i] = (unsigned char)it->valuestring[i] < 0x20 ? ' ' : it->valuestring[i];
    dst[n] = '\0';
    return n > 0;
}

/* Whether any of the status texts is "closed" (any case). */
static bool eido__closed(const cJSON *status)
{
    const cJSON *it;
    if (cJSON_IsString(status))
        return strcasecmp(status->valuestring, "closed") == 0;
    cJSON_ArrayForEach(it, status)
        if (cJSON_IsString(it) && strcasecmp(it->valuestring, "closed") == 0)
            return true;
    return false;
}

/* Whether refs (a {"$ref"} object or an array of them) names id; true when
 * there are no refs at all. */
static bool eido__referenced(const cJSON *refs, const cJSON *comp)
{
    const cJSON *id = eido__get(comp, "$id"), *it;
    if (!refs)
        return true;
    if (!cJSON_IsString(id))
        return false;
    if (cJSON_IsObject(refs) && !cJSON_GetObjectItem(refs, "$ref"))
        return true; /* not a reference: as if there were none */
    for (it = cJSON_IsArray(refs) ? refs->child : refs; it; it = it->next) {
        const cJSON *r = eido__get(it, "$ref");
        if (cJSON_IsString(r) && strcmp(r->valuestring, id->valuestring) == 0)
            return true;
        if (!cJSON_IsArray(refs))
            break;
    }
    return false;
}

/* The location: the referenced (or else first) location component, in
 * either spelling, whose locationByValue parses. */
static void eido__location(const cJSON *doc, const cJSON *inc, struct eido_result *out)
{
    const cJSON *comps = eido__get(doc, "locationComponent"), *it;
    const cJSON *refs = eido__get(inc, "locationReference");
    struct eido_location loc;
    char err[OVL_ERR_MAX];
    if (!comps)
        comps = eido__get(doc, "locationInformationComponent");
    for (int pass = refs ? 0 : 1; pass < 2; pass++) {
        for (it = cJSON_IsArray(comps) ? comps->child : comps; it;
             it = cJSON_IsArray(comps) ? it->next : NULL) {
            const cJSON *v = eido__get(it, "locationByValue");
            if (!cJSON_IsString(v) || (pass == 0 && !eido__referenced(refs, it)))
                continue;
            eido_pidf_parse(v->valuestring, strlen(v->valuestring), &loc, err, sizeof err);
            if (!loc.has_pos && !loc.address[0])
                continue;
            if (loc.has_pos) {
                out->inc.lat = loc.lat, out->inc.lon = loc.lon;
                out->inc.fields |= OVL_INC_POS;
            }
            if (loc.address[0]) {
                memcpy(out->inc.address, loc.address, sizeof out->inc.address);
                out->inc.fields |= OVL_INC_ADDRESS;
            }
            return;
        }
    }
}

/* Resource names a CAD export may use for a unit, in order of preference. */
static const char *const eido__unit_names[] = {
    "emergencyResourceName", "emergencyResourceIdentification",
    "emergencyResourceIdentifier", "unitIdentification", "resourceIdentifier",
};

/* The units: emergencyResourceComponent entries (those the incident
 * references, if it references any). */
static int eido__units(const cJSON *doc, const cJSON *inc, struct eido_result *out,
                       char *err, size_t errlen)
{
    const cJSON *comps = eido__get(doc, "emergencyResourceComponent"), *it;
    const cJSON *refs = eido__get(inc, "emergencyResourceReference");
    struct ovl_incident_data *d = &out->inc;
    for (it = cJSON_IsArray(comps) ? comps->child : comps; it && d->n_units < OVL_UNITS_MAX;
         it = cJSON_IsArray(comps) ? it->next : NULL) {
        if (!eido__referenced(refs, it))
            continue;
        for (size_t i = 0; i < sizeof eido__unit_names / sizeof eido__unit_names[0]; i++) {
            int rc = eido__str(eido__get(it, eido__unit_names[i]), false,
                               d->units[d->n_units], OVL_UNIT_ID_MAX,
                               eido__unit_names[i], err, errlen);
            if (rc < 0)
                return rc;
            if (rc > 0) {
                d->n_units++;
                break;
            }
        }
    }
    if (comps)
        d->fields |= OVL_INC_UNITS;
    return 0;
}

/* The incident's id: incidentTrackingIdentifier (incident component or
 * document), else the document's $id. */
static int eido__id(const cJSON *doc, const cJSON *inc, struct eido_result *out,
                    char *err, size_t errlen)
{
    const cJSON *id = eido__get(inc, "incidentTrackingIdentifier");
    if (!id)
        id = eido__get(doc, "incidentTrackingIdentifier");
    if (!id)
        id = eido__get(doc, "$id");
    if (!cJSON_IsString(id) || !id->valuestring[0]) {
        snprintf(err, errlen, "incidentTrackingIdentifier: missing");
        return -EINVAL;
    }
    if (strlen(id->valuestring) > OVL_ID_MAX) {
        snprintf(err, errlen, "incidentTrackingIdentifier: longer than %d bytes",
                 OVL_ID_MAX);
        return -EINVAL;
    }
    return eido__str(id, false, out->inc.id, OVL_ID_MAX, "incidentTrackingIdentifier",
                     err, errlen) < 0 ? -EINVAL : 0;
}

/* Type, priority (clamped to 1..9: EIDO's scale is wider), status and
 * update time of the incident component. */
static int eido__fields(const cJSON *doc, const cJSON *inc, struct eido_result *out,
                        char *err, size_t errlen)
{
    struct ovl_incident_data *d = &out->inc;
    const cJSON *prio = eido__get(inc, "incidentCommonPriorityNumber");
    const cJSON *status = eido__get(inc, "incidentStatusCommonRegistryText");
    const cJSON *t = eido__get(inc, "lastUpdateTimeStamp");
    int rc;
    if ((rc = eido__str(eido__get(inc, "incidentTypeCommonRegistryText"), false, d->kind,
                        OVL_KIND_MAX, "incidentTypeCommonRegistryText", err, errlen)) < 0)
        return rc;
    d->fields |= rc ? OVL_INC_KIND : 0;
    if ((rc = eido__str(status, true, d->status, OVL_STATUS_MAX,
                        "incidentStatusCommonRegistryText", err, errlen)) < 0)
        return rc;
    d->fields |= rc ? OVL_INC_STATUS : 0;
    out->closed = eido__closed(status);
    if (cJSON_IsNumber(prio) && isfinite(prio->valuedouble)) {
        double v = prio->valuedouble;
        d->priority = v < OVL_PRIORITY_MIN ? OVL_PRIORITY_MIN
                      : v > OVL_PRIORITY_MAX ? OVL_PRIORITY_MAX : (int)v;
        d->fields |= OVL_INC_PRIORITY;
    } else if (prio && !cJSON_IsNull(prio)) {
        snprintf(err, errlen, "incidentCommonPriorityNumber: must be a number");
        return -EINVAL;
    }
    if (!t)
        t = eido__get(doc, "lastUpdateTimeStamp");
    if (cJSON_IsString(t) &&
        ovl_parse_rfc3339(t->valuestring, strlen(t->valuestring), &d->time_s) == 0)
        d->fields |= OVL_INC_TIME;
    return 0;
}

int eido_parse(const cJSON *doc, struct eido_result *out, char *err, size_t errlen)
{
    const cJSON *inc;
    int rc;
    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(doc)) {
        snprintf(err, errlen, "document: must be an object");
        return -EINVAL;
    }
    inc = eido__one(eido__get(doc, "incidentComponent"));
    if (inc && !cJSON_IsObject(inc)) {
        snprintf(err, errlen, "incidentComponent: must be an object");
        return -EINVAL;
    }
    if ((rc = eido__id(doc, inc, out, err, errlen)) < 0 ||
        (rc = eido__fields(doc, inc, out, err, errlen)) < 0 ||
        (rc = eido__units(doc, inc, out, err, errlen)) < 0)
        return rc;
    eido__location(doc, inc, out);
    return 0;
}

int eido_parse_text(const char *text, size_t len, struct eido_result *out,
                    char *err, size_t errlen)
{
    const char *end = NULL;
    if (len > EIDO_DOC_MAX) {
        snprintf(err, errlen, "document of %zu bytes refused (limit %d)", len,
                 EIDO_DOC_MAX);
        return -E2BIG;
    }
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!doc) {
        snprintf(err, errlen, "not JSON (at byte %td)", end ? end - text : (ptrdiff_t)0);
        return -EINVAL;
    }
    int rc = eido_parse(doc, out, err, errlen);
    cJSON_Delete(doc);
    return rc;
}
