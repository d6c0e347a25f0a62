/*
 * test_eido.c - NENA EIDO documents shaped like NENA's published samples:
 * PIDF-LO geodetic and civic locations, $id/$ref links, both spellings of
 * the location component, three resources, status closed, bad documents.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cot/eido.h"

#define PIDF_GEO                                                                   \
    "<?xml version=\\\"1.0\\\" encoding=\\\"UTF-8\\\"?><presence "                   \
    "xmlns=\\\"urn:ietf:params:xml:ns:pidf\\\" "                                     \
    "xmlns:gp=\\\"urn:ietf:params:xml:ns:pidf:geopriv10\\\" "                        \
    "xmlns:gml=\\\"http://www.opengis.net/gml\\\" "                                  \
    "xmlns:ca=\\\"urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr\\\" "              \
    "entity=\\\"pres:caller@example.com\\\"><tuple id=\\\"t1\\\"><status><gp:geopriv>" \
    "<gp:location-info><gml:Point srsName=\\\"urn:ogc:def:crs:EPSG::4326\\\">"       \
    "<gml:pos>32.2988 -90.1848</gml:pos></gml:Point><ca:civicAddress>"               \
    "<ca:country>US</ca:country><ca:A1>MS</ca:A1><ca:A3>Jackson</ca:A3>"             \
    "<ca:RD>Main</ca:RD><ca:STS>St</ca:STS><ca:HNO>100</ca:HNO></ca:civicAddress>"   \
    "</gp:location-info></gp:geopriv></status></tuple></presence>"

static const char doc_open[] =
    "{\"$id\":\"urn:emergency:uid:incidentid:a56e556d871:psap.example.ms.us\","
    "\"lastUpdateTimeStamp\":\"2026-12-05T10:00:00Z\",\"eidoVersion\":\"1.0\","
    "\"incidentComponent\":{\"$id\":\"inc-1\",\"incidentTrackingIdentifier\":"
    "\"urn:emergency:uid:incidentid:a56e556d871:psap.example.ms.us\","
    "\"incidentTypeCommonRegistryText\":\"Fire-Structure\","
    "\"incidentCommonPriorityNumber\":2,"
    "\"incidentStatusCommonRegistryText\":[\"Dispatched\"],"
    "\"locationReference\":[{\"$ref\":\"loc-2\"}],"
    "\"callerName\":\"Jane Roe\"},"
    "\"locationComponent\":[{\"$id\":\"loc-1\",\"locationByReferenceUrl\":\"https://x\"},"
    "{\"$id\":\"loc-2\",\"locationByValue\":\"" PIDF_GEO "\"}],"
    "\"emergencyResourceComponent\":["
    "{\"$id\":\"r1\",\"emergencyResourceName\":\"E12\"},"
    "{\"$id\":\"r2\",\"emergencyResourceName\":\"L4\"},"
    "{\"$id\":\"r3\",\"emergencyResourceIdentification\":\"MEDIC-7-NIGHT-SHIFT-LONG\"}]}";

static void test_open(struct check_counts *cc)
{
    struct eido_result r;
    char err[OVL_ERR_MAX] = "";
    CHECK_INT(cc, eido_parse_text(doc_open, strlen(doc_open), &r, err, sizeof err), 0);
    CHECK(cc, err[0] == '\0', "err \"%s\"", err);
    CHECK_STR(cc, r.inc.id, "urn:emergency:uid:incidentid:a56e556d871:psap.example.ms.us");
    CHECK_STR(cc, r.inc.kind, "Fire-Structure");
    CHECK_INT(cc, r.inc.priority, 2);
    CHECK_STR(cc, r.inc.status, "Dispatched");
    CHECK(cc, !r.closed, "open");
    CHECK(cc, r.inc.lat == 32.2988 && r.inc.lon == -90.1848, "pos %f %f", r.inc.lat, r.inc.lon);
    CHECK_STR(cc, r.inc.address, "100 Main St, Jackson MS");
    CHECK_INT(cc, r.inc.n_units, 3);
    CHECK_STR(cc, r.inc.units[0], "E12");
    CHECK_STR(cc, r.inc.units[1], "L4");
    CHECK_STR(cc, r.inc.units[2], "MEDIC-7-NIGHT-SH"); /* cut to 16 bytes */
    CHECK_INT(cc, r.inc.fields, OVL_INC_KIND | OVL_INC_PRIORITY | OVL_INC_STATUS |
                                    OVL_INC_POS | OVL_INC_ADDRESS | OVL_INC_UNITS |
                                    OVL_INC_TIME);
}

/* NENA's older sample: "locationInformationComponent", capitalised prologue,
 * an incident component in an array, priority 10, civic-only PIDF-LO, and
 * status closed. */
static void test_closed_other_spelling(struct check_counts *cc)
{
    static const char doc[] =
        "{\"$id\":\"x:header\",\"LastUpdateTimeStamp\":\"2020-10-29T18:40:04.337Z\","
        "\"incidentTrackingIdentifier\":\"urn:emergency:uid:incidentid:0:psap\","
        "\"incidentComponent\":[{\"incidentTypeCommonRegistryText\":\"CU1\","
        "\"incidentCommonPriorityNumber\":10,"
        "\"incidentStatusCommonRegistryText\":[\"Dispatched\",\"Closed\"]}],"
        "\"locationInformationComponent\":[{\"$id\":\"l\",\"locationByValue\":"
        "\"   <?xml version=\\\"1.0\\\"?> <presence><dm:device xmlns:dm=\\\"urn:x\\\">"
        "<civicAddress><country>US</country><A1>DE</A1><A3>Wilmington</A3>"
        "<PRD>W</PRD><RD>Cellular</RD><STS>Street</STS><HNO>42</HNO></civicAddress>"
        "</dm:device></presence>\"}]}";
    struct eido_result r;
    char err[OVL_ERR_MAX];
    CHECK_INT(cc, eido_parse_text(doc, strlen(doc), &r, err, sizeof err), 0);
    CHECK_STR(cc, r.inc.id, "urn:emergency:uid:incidentid:0:psap");
    CHECK(cc, r.closed, "closed");
    CHECK_INT(cc, r.inc.priority, 9);
    CHECK_STR(cc, r.inc.address, "42 W Cellular Street, Wilmington DE");
    CHECK(cc, !(r.inc.fields & OVL_INC_POS), "no position");
    CHECK(cc, r.inc.fields & OVL_INC_TIME, "time");
}

/* One $ref object (not an array) picks that resource and location. */
static void test_single_ref(struct check_counts *cc)
{
    static const char doc[] =
        "{\"incidentTrackingIdentifier\":\"x\",\"incidentComponent\":{"
        "\"emergencyResourceReference\":{\"$ref\":\"r2\"},"
        "\"locationReference\":{\"$ref\":\"l2\"}},"
        "\"locationComponent\":[{\"$id\":\"l1\",\"locationByValue\":"
        "\"<p><gml:pos>1 2</gml:pos></p>\"},{\"$id\":\"l2\",\"locationByValue\":"
        "\"<p><gml:pos>3 4</gml:pos></p>\"}],"
        "\"emergencyResourceComponent\":[{\"$id\":\"r1\",\"emergencyResourceName\":\"A\"},"
        "{\"$id\":\"r2\",\"emergencyResourceName\":\"B\"}]}";
    struct eido_result r;
    char err[OVL_ERR_MAX];
    CHECK_INT(cc, eido_parse_text(doc, strlen(doc), &r, err, sizeof err), 0);
    CHECK_INT(cc, r.inc.n_units, 1);
    CHECK_STR(cc, r.inc.units[0], "B");
    CHECK(cc, r.inc.lat == 3 && r.inc.lon == 4, "referenced location %f", r.inc.lat);
    /* an empty reference object names nothing: every resource counts */
    static const char empty[] =
        "{\"incidentTrackingIdentifier\":\"x\",\"incidentComponent\":{"
        "\"emergencyResourceReference\":{}},\"emergencyResourceComponent\":["
        "{\"$id\":\"r1\",\"emergencyResourceName\":\"A\"},"
        "{\"$id\":\"r2\",\"emergencyResourceName\":\"B\"}]}";
    CHECK_INT(cc, eido_parse_text(empty, strlen(empty), &r, err, sizeof err), 0);
    CHECK_INT(cc, r.inc.n_units, 2);
}

static void test_pidf(struct check_counts *cc)
{
    struct eido_location loc;
    char err[OVL_ERR_MAX];
    static const char lol[] =
        "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY a \"aaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><presence><pos>&b;</pos></presence>";
    CHECK_INT(cc, eido_pidf_parse(lol, strlen(lol), &loc, err, sizeof err), -EPERM);
    CHECK(cc, !loc.has_pos, "nothing from a refused document");
    /* malformed after gml:pos (as in a published sample): the position read
     * before the error is kept, the error reported */
    static const char broken[] = "<presence><gml:pos>40.44 -80.0 34</gml:pos><x></presence>";
    CHECK_INT(cc, eido_pidf_parse(broken, strlen(broken), &loc, err, sizeof err), -EINVAL);
    CHECK(cc, loc.has_pos && loc.lat == 40.44 && loc.lon == -80.0, "kept pos");
    /* a civic element longer than kept, ending in 4-byte characters: cut
     * between characters, never inside one */
    char longer[600];
    int n = snprintf(longer, sizeof longer, "<presence><A3>");
    for (int i = 0; i < 40; i++)
        n += snprintf(longer + n, sizeof longer - (size_t)n, "a\xf0\x9f\x9a\x92");
    n += snprintf(longer + n, sizeof longer - (size_t)n, "</A3></presence>");
    CHECK_INT(cc, eido_pidf_parse(longer, (size_t)n, &loc, err, sizeof err), 0);
    CHECK(cc, ovl_utf8_check(loc.address, strlen(loc.address), NULL) == 0, "valid UTF-8 cut");
    static const char far[] = "<presence><gml:pos>400 -80.0</gml:pos></presence>";
    CHECK_INT(cc, eido_pidf_parse(far, strlen(far), &loc, err, sizeof err), 0);
    CHECK(cc, !loc.has_pos, "latitude out of range ignored");
}

static void test_bad(struct check_counts *cc)
{
    static const struct {
        const char *doc;
        const char *err_has;
    } bad[] = {
        {"[1,2]", "must be an object"},
        {"{\"incidentComponent\":{}}", "incidentTrackingIdentifier: missing"},
        {"{\"incidentTrackingIdentifier\":\"a\",\"incidentComponent\":7}",
         "incidentComponent"},
        {"{\"incidentTrackingIdentifier\":\"a\",\"incidentComponent\":"
         "{\"incidentCommonPriorityNumber\":\"high\"}}", "incidentCommonPriorityNumber"},
        {"{\"incidentTrackingIdentifier\":\"a\",\"incidentComponent\":"
         "{\"incidentTypeCommonRegistryText\":5}}", "incidentTypeCommonRegistryText"},
        {"{\"incidentTrackingIdentifier\":\"01234567890123456789012345678901234567890"
         "123456789012345678901234567890\"}", "longer than 64"},
        {"{\"incidentTrackingIdentifier\":", "not JSON"},
    };
    struct eido_result r;
    char err[OVL_ERR_MAX];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        int rc = eido_parse_text(bad[i].doc, strlen(bad[i].doc), &r, err, sizeof err);
        CHECK(cc, rc == -EINVAL, "bad[%zu]: rc %d", i, rc);
        CHECK(cc, strstr(err, bad[i].err_has) != NULL, "bad[%zu]: \"%s\" lacks \"%s\"", i,
              err, bad[i].err_has);
    }
}

int main(void)
{
    struct check_counts cc = {0};
    test_open(&cc);
    test_closed_other_spelling(&cc);
    test_single_ref(&cc);
    test_pidf(&cc);
    test_bad(&cc);
    return check_report(&cc);
}
