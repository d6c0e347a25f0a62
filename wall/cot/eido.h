/*
 * eido.h - NENA EIDO (NENA-STA-021, JSON) incident documents, pure: one parsed
 * document in, one incident upsert (or close) out.  The location comes from a
 * PIDF-LO document carried as a string in `locationByValue` (read with
 * libexpat: geodetic gml:pos "lat lon", civic address elements); components
 * are linked by `$id`/`$ref`.  Fields the wall does not show are dropped.
 */
#ifndef TESSERA_COT_EIDO_H
#define TESSERA_COT_EIDO_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "overlay/protocol.h"

#define EIDO_DOC_MAX (1024 * 1024) /* bytes of one document (a file) */
#define EIDO_PIDF_MAX (64 * 1024)  /* bytes of one locationByValue */

/* Where a PIDF-LO document puts the incident. */
struct eido_location {
    bool has_pos;
    double lat, lon;
    char address[OVL_ADDRESS_MAX + 1]; /* from civic elements; "" if none */
};

/* What a document means for the overlay. */
struct eido_result {
    struct ovl_incident_data inc; /* inc.fields: what the document gave */
    bool closed;                  /* status says closed: close inc.id */
};

/* Reads a PIDF-LO document (len bytes) into *loc.  Returns 0 (loc may still
 * hold nothing), -EINVAL for malformed XML (what was read before the error is
 * kept), -EPERM for a DOCTYPE or entity, -E2BIG past EIDO_PIDF_MAX; err says
 * which. */
int eido_pidf_parse(const char *xml, size_t len, struct eido_location *loc,
                    char *err, size_t errlen);

/* Maps an EIDO document (a JSON object) to an incident.  Returns 0, or
 * -EINVAL with err naming the field (no incidentTrackingIdentifier, wrong
 * types). */
int eido_parse(const cJSON *doc, struct eido_result *out, char *err,
               size_t errlen);

/* Parses the text of a document (a file: at most EIDO_DOC_MAX bytes) and
 * maps it as eido_parse() does.  Returns 0, -EINVAL or -E2BIG with err set,
 * or -ENOMEM. */
int eido_parse_text(const char *text, size_t len, struct eido_result *out,
                    char *err, size_t errlen);

#endif
