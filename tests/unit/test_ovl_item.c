/*
 * test_ovl_item.c - tests of the items nodes share (wall/overlay/item.c and
 * ovl_state_apply_item()): incidents and units written on one state and
 * applied to another come back byte for byte with their real age; applying
 * the same item twice changes nothing; local upserts clear `remote`; every
 * bad field is refused with an error naming it and leaves the state alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "overlay/protocol.h"
#include "overlay/state.h"

#define SEC 1000000LL

/* Parses the NDJSON line and applies it as a local upsert. */
static int apply_line(struct ovl_state *st, const char *line, bool cad,
                      int64_t mono, int64_t wall)
{
    char err[OVL_ERR_MAX];
    struct ovl_msg m;
    int rc;

    rc = ovl_parse_line(line, strlen(line), &m, err, sizeof err);
    if (rc == 0)
        rc = ovl_state_apply(st, &m, cad, mono, wall, err, sizeof err);
    ovl_msg_clear(&m);
    return rc;
}

/* Applies the NUL-terminated item text; the error goes to err. */
static int apply_item(struct ovl_state *st, enum ovl_item_kind kind,
                      const char *text, bool remote, int64_t mono, int64_t wall,
                      char *err, size_t errlen)
{
    return ovl_state_apply_item(st, kind, text, strlen(text), remote, mono,
                                wall, err, errlen);
}

/* Every field of an incident, with numbers that need 17 digits and a string
 * that needs escapes, goes from state a to state b unchanged. */
static void test_incident_round_trip(struct check_counts *cc)
{
    struct ovl_state *a = ovl_state_create(NULL), *b = ovl_state_create(NULL);
    const struct ovl_incident *x, *y;
    char err[OVL_ERR_MAX] = "";
    size_t len = 0;
    char *text;
    int rc;

    CHECK_INT(cc, apply_line(a, "{\"type\":\"incident\",\"id\":\"24-1\","
                                "\"kind\":\"FIRE \\\"B\\\" \\\\ Müll\","
                                "\"priority\":2,\"status\":\"enroute\","
                                "\"lat\":32.30000000000001,\"lon\":-0.1,"
                                "\"address\":\"1 Main St\",\"units\":[\"A1\","
                                "\"E17\",\"L3\"],\"time\":\"2026-11-27T02:00:00Z\"}",
                          true, 5 * SEC, 1000 * SEC), 0);
    CHECK_INT(cc, apply_line(a, "{\"type\":\"incident\",\"id\":\"24-1\","
                                "\"status\":\"onscene\"}", true, 6 * SEC,
                          1001 * SEC), 0);
    x = ovl_state_find_incident(a, "24-1");
    if (!x)
        goto out;
    /* written on a 40 s after its last upsert (wall 1001 s) */
    text = ovl_incident_item_json(x, 46 * SEC, 1041 * SEC, &len);
    CHECK(cc, text && strlen(text) == len, "item written");
    if (!text)
        goto out;
    /* b's clocks: its monotonic clock started later, wall clock 30 s on */
    rc = apply_item(b, OVL_ITEM_INCIDENT, text, true, 77 * SEC, 1031 * SEC, err,
                    sizeof err);
    CHECK(cc, rc == 0, "apply %s: %d %s", text, rc, err);
    free(text);
    y = ovl_state_find_incident(b, "24-1");
    CHECK(cc, y != NULL, "incident created on b");
    if (!y)
        goto out;
    CHECK(cc, memcmp(&x->d, &y->d, sizeof x->d) == 0, "incident data equal");
    CHECK(cc, y->cad, "cad kept");
    CHECK(cc, y->remote && !x->remote, "remote marks only b's copy");
    CHECK_INT(cc, y->created_wall_us, 1000 * SEC);
    CHECK_INT(cc, y->changed_wall_us, 1001 * SEC);
    CHECK_INT(cc, y->seen_mono_us, 77 * SEC - 30 * SEC); /* seen 30 s ago */
out:
    ovl_state_destroy(a);
    ovl_state_destroy(b);
}

/* An incident with no optional field: its item is short and exact. */
static void test_incident_minimal(struct check_counts *cc)
{
    struct ovl_state *a = ovl_state_create(NULL), *b = ovl_state_create(NULL);
    const struct ovl_incident *x, *y;
    char err[OVL_ERR_MAX] = "";
    char *text;

    apply_line(a, "{\"type\":\"incident\",\"id\":\"Z\",\"units\":[]}", false,
               0, 5 * SEC);
    x = ovl_state_find_incident(a, "Z");
    text = x ? ovl_incident_item_json(x, 0, 5 * SEC, NULL) : NULL;
    CHECK_STR(cc, text, "{\"type\":\"incident\",\"id\":\"Z\",\"units\":[],"
                        "\"cad\":false,\"created_us\":5000000,"
                        "\"changed_us\":5000000,\"seen_us\":5000000}");
    if (text) {
        CHECK_INT(cc, apply_item(b, OVL_ITEM_INCIDENT, text, true, 0, 5 * SEC,
                                 err, sizeof err), 0);
        y = ovl_state_find_incident(b, "Z");
        CHECK(cc, y && memcmp(&x->d, &y->d, sizeof x->d) == 0 && !y->cad,
              "minimal incident equal");
    }
    free(text);
    ovl_state_destroy(a);
    ovl_state_destroy(b);
}

/* A Cursor on Target unit: a 64-byte uid, label and ce_m, all fields. */
static void test_unit_round_trip(struct check_counts *cc)
{
    struct ovl_state *a = ovl_state_create(NULL), *b = ovl_state_create(NULL);
    struct ovl_unit_data d;
    const struct ovl_unit *u, *v;
    char err[OVL_ERR_MAX] = "";
    char *text;
    int rc;

    memset(&d, 0, sizeof d);
    memset(d.id, 'u', OVL_UNIT_UID_MAX); /* the longest a CoT uid may be */
    snprintf(d.status, sizeof d.status, "busy");
    snprintf(d.label, sizeof d.label, "ALPHA-1 \"lead\"");
    d.lat = 1.0 / 3, d.lon = -179.99999999999997;
    d.ce_m = 9999998.5, d.heading = 359.99999999999994, d.speed_mps = 0.1 + 0.2;
    d.time_s = 1795000000, d.stale_after_s = 3600;
    d.fields = OVL_UNIT_POS | OVL_UNIT_HEADING | OVL_UNIT_SPEED |
               OVL_UNIT_STATUS | OVL_UNIT_TIME | OVL_UNIT_STALE |
               OVL_UNIT_LABEL | OVL_UNIT_CE;
    CHECK_INT(cc, ovl_state_upsert_unit(a, &d, d.fields, 0, 10 * SEC,
                                        500 * SEC, err, sizeof err), 0);
    u = ovl_state_find_unit(a, d.id);
    /* written 5 s after it was seen: seen_us is 5 s before now */
    text = u ? ovl_unit_item_json(u, 15 * SEC, 505 * SEC, NULL) : NULL;
    CHECK(cc, text && strstr(text, "\"seen_us\":500000000}"), "seen_us: %s",
          text ? text : "(null)");
    if (!text)
        goto out;
    rc = apply_item(b, OVL_ITEM_UNIT, text, true, 100 * SEC, 506 * SEC, err,
                    sizeof err);
    CHECK(cc, rc == 0, "apply %s: %d %s", text, rc, err);
    free(text);
    v = ovl_state_find_unit(b, d.id);
    CHECK(cc, v && memcmp(&u->d, &v->d, sizeof u->d) == 0, "unit data equal");
    if (v) {
        CHECK_INT(cc, v->seen_mono_us, 94 * SEC); /* 6 s old on b */
        CHECK_INT(cc, v->changed_wall_us, 500 * SEC);
        CHECK(cc, v->remote && !v->stale, "remote, fresh");
    }
out:
    ovl_state_destroy(a);
    ovl_state_destroy(b);
}

/* A retained unit read by a node that just started keeps its real age. */
static void test_unit_age(struct check_counts *cc)
{
    struct ovl_state *b = ovl_state_create(NULL);
    const char *old2 = "{\"type\":\"unit\",\"id\":\"U2\",\"stale_after_s\":60,"
                       "\"changed_us\":1000000000,\"seen_us\":1000000000}";
    const char *old10 = "{\"type\":\"unit\",\"id\":\"U10\",\"stale_after_s\":60,"
                        "\"changed_us\":520000000,\"seen_us\":520000000}";
    const char *future = "{\"type\":\"unit\",\"id\":\"F\","
                         "\"changed_us\":9000000000,\"seen_us\":9000000000}";
    const struct ovl_unit *u;
    char err[OVL_ERR_MAX] = "";

    /* b: monotonic 3 s since boot, wall clock 1120 s (U2 seen 2 min ago,
     * U10 10 min ago, F in b's future) */
    CHECK_INT(cc, apply_item(b, OVL_ITEM_UNIT, old2, true, 3 * SEC, 1120 * SEC,
                             err, sizeof err), 0);
    CHECK_INT(cc, apply_item(b, OVL_ITEM_UNIT, old10, true, 3 * SEC, 1120 * SEC,
                             err, sizeof err), 0);
    CHECK_INT(cc, apply_item(b, OVL_ITEM_UNIT, future, true, 3 * SEC,
                             1120 * SEC, err, sizeof err), 0);
    u = ovl_state_find_unit(b, "U2");
    CHECK(cc, u && u->stale, "a unit seen 2 min ago (stale after 60 s) is stale");
    CHECK(cc, u && u->seen_mono_us == 3 * SEC - 120 * SEC, "U2's age");
    u = ovl_state_find_unit(b, "F");
    CHECK(cc, u && u->seen_mono_us == 3 * SEC && !u->stale,
          "a time in the future counts as now");
    ovl_state_expire(b, 3 * SEC);
    u = ovl_state_find_unit(b, "U2");
    CHECK(cc, u && u->stale, "still stale after ovl_state_expire()");
    CHECK(cc, ovl_state_find_unit(b, "U10") == NULL,
          "a unit silent 10 min (5 x 60 s) is dropped by ovl_state_expire()");
    CHECK(cc, ovl_state_find_unit(b, "F") != NULL, "F kept");
    ovl_state_destroy(b);
}

/* The generation moves only for visible changes; an item replaces the
 * whole record; a local upsert clears remote. */
static void test_generation_remote(struct check_counts *cc)
{
    struct ovl_state *st = ovl_state_create(NULL);
    const char *inc1 = "{\"type\":\"incident\",\"id\":\"I\",\"kind\":\"FIRE\","
                       "\"priority\":3,\"cad\":true,\"created_us\":1,"
                       "\"changed_us\":2,\"seen_us\":2}";
    const char *inc2 = "{\"type\":\"incident\",\"id\":\"I\",\"priority\":3,"
                       "\"cad\":true,\"created_us\":1,\"changed_us\":3,"
                       "\"seen_us\":3}";
    const char *unit = "{\"type\":\"unit\",\"id\":\"U\",\"lat\":1,\"lon\":2,"
                       "\"changed_us\":100000000,\"seen_us\":100000000}";
    const struct ovl_incident *x;
    const struct ovl_unit *u;
    char err[OVL_ERR_MAX] = "";
    uint64_t g;

    CHECK_INT(cc, apply_item(st, OVL_ITEM_INCIDENT, inc1, true, 0, 10, err,
                             sizeof err), 0);
    CHECK_INT(cc, apply_item(st, OVL_ITEM_UNIT, unit, true, 5 * SEC, 101 * SEC,
                             err, sizeof err), 0);
    g = ovl_state_generation(st);
    CHECK_INT(cc, apply_item(st, OVL_ITEM_INCIDENT, inc1, true, 1, 11, err,
                             sizeof err), 0);
    CHECK_INT(cc, apply_item(st, OVL_ITEM_UNIT, unit, true, 6 * SEC, 102 * SEC,
                             err, sizeof err), 0);
    CHECK_INT(cc, ovl_state_generation(st), g);
    CHECK_INT(cc, apply_item(st, OVL_ITEM_INCIDENT, inc2, true, 2, 12, err,
                             sizeof err), 0);
    CHECK(cc, ovl_state_generation(st) > g, "a changed item moves it");
    x = ovl_state_find_incident(st, "I");
    CHECK(cc, x && !(x->d.fields & OVL_INC_KIND) && x->d.kind[0] == '\0',
          "a field absent from the item is forgotten");
    CHECK(cc, x && x->remote, "remote after a remote item");
    CHECK_INT(cc, apply_line(st, "{\"type\":\"incident\",\"id\":\"I\","
                                 "\"priority\":3}", true, 3, 13), 0);
    x = ovl_state_find_incident(st, "I");
    CHECK(cc, x && !x->remote, "a local upsert clears remote");
    CHECK_INT(cc, apply_line(st, "{\"type\":\"unit\",\"id\":\"U\"}", false,
                             7 * SEC, 103 * SEC), 0);
    u = ovl_state_find_unit(st, "U");
    CHECK(cc, u && !u->remote, "a local unit upsert clears remote");
    CHECK_INT(cc, apply_item(st, OVL_ITEM_UNIT, unit, false, 8 * SEC,
                             104 * SEC, err, sizeof err), 0);
    u = ovl_state_find_unit(st, "U");
    CHECK(cc, u && !u->remote, "remote false when applied as local");
    ovl_state_destroy(st);
}

struct bad_item {
    enum ovl_item_kind kind;
    const char *text, *err;
};

#define INC_TAIL ",\"created_us\":1,\"changed_us\":1,\"seen_us\":1}"
#define UNIT_TAIL ",\"changed_us\":1,\"seen_us\":1}"
#define I(fields) "{\"type\":\"incident\",\"id\":\"X\"," fields INC_TAIL
#define U(fields) "{\"type\":\"unit\",\"id\":\"X\"," fields UNIT_TAIL
#define I0 "{\"type\":\"incident\",\"id\":\"X\"" INC_TAIL /* no field */
#define U0 "{\"type\":\"unit\",\"id\":\"X\"" UNIT_TAIL

static const struct bad_item bad_items[] = {
    {OVL_ITEM_INCIDENT, "{\"type\":\"incident\"", "malformed JSON at byte 17"},
    {OVL_ITEM_INCIDENT, "{} x", "malformed JSON: unexpected data at byte 3"},
    {OVL_ITEM_INCIDENT, "[1]", "item must be a JSON object"},
    {OVL_ITEM_INCIDENT, "{\"id\":\"X\"" INC_TAIL, "type: missing"},
    {OVL_ITEM_INCIDENT, U0, "type: must be \"incident\""},
    {OVL_ITEM_UNIT, I0, "type: must be \"unit\""},
    {OVL_ITEM_INCIDENT, "{\"type\":\"incident\"" INC_TAIL, "id: missing"},
    {OVL_ITEM_INCIDENT, "{\"type\":\"incident\",\"id\":\"\"" INC_TAIL,
     "id: must not be empty"},
    {OVL_ITEM_INCIDENT, "{\"type\":\"incident\",\"id\":7" INC_TAIL,
     "id: must be a string"},
    {OVL_ITEM_INCIDENT, "{\"type\":\"incident\",\"id\":\"a\\nb\"" INC_TAIL,
     "id: contains a control character"},
    {OVL_ITEM_INCIDENT, "{\"type\":\"incident\",\"id\":\"X\",\"id\":\"Y\""
                        INC_TAIL, "duplicate field \"id\""},
    {OVL_ITEM_INCIDENT, I("\"priority\":0"),
     "priority: must be an integer from 1 to 9"},
    {OVL_ITEM_INCIDENT, I("\"priority\":2.5"),
     "priority: must be an integer from 1 to 9"},
    {OVL_ITEM_INCIDENT, I("\"priority\":\"2\""), "priority: must be a number"},
    {OVL_ITEM_INCIDENT, I("\"lat\":1"), "lat: given without lon"},
    {OVL_ITEM_INCIDENT, I("\"lat\":91,\"lon\":0"),
     "lat: must be between -90 and 90"},
    {OVL_ITEM_INCIDENT, I("\"status\":\"123456789012345678901234567890123\""),
     "status: longer than 32 bytes"},
    {OVL_ITEM_INCIDENT, I("\"kind\":true"), "kind: must be a string"},
    {OVL_ITEM_INCIDENT, I("\"units\":\"A1\""),
     "units: must be an array of strings"},
    {OVL_ITEM_INCIDENT, I("\"units\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\","
                          "\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\","
                          "\"14\",\"15\",\"16\",\"17\"]"),
     "units: more than 16 entries"},
    {OVL_ITEM_INCIDENT, I("\"units\":[\"A\",\"12345678901234567\"]"),
     "units[1]: longer than 16 bytes"},
    {OVL_ITEM_INCIDENT, I("\"units\":[\"\"]"), "units[0]: must not be empty"},
    {OVL_ITEM_INCIDENT, I("\"time\":\"yesterday\""),
     "time: must be an RFC 3339 date-time such as 2026-11-27T02:00:00Z"},
    {OVL_ITEM_INCIDENT, I("\"cad\":1"), "cad: must be true or false"},
    {OVL_ITEM_INCIDENT, "{\"type\":\"incident\",\"id\":\"X\",\"changed_us\":1}",
     "created_us: missing"},
    {OVL_ITEM_INCIDENT, "{\"type\":\"incident\",\"id\":\"X\",\"created_us\":1,"
                        "\"changed_us\":1}",
     "seen_us: missing"},
    {OVL_ITEM_INCIDENT, "{\"type\":\"incident\",\"id\":\"X\",\"created_us\":1,"
                        "\"changed_us\":-1}",
     "changed_us: must be an integer from 0 to 9007199254740992"},
    {OVL_ITEM_UNIT, "{\"type\":\"unit\",\"id\":\"X\",\"changed_us\":1}",
     "seen_us: missing"},
    {OVL_ITEM_UNIT, "{\"type\":\"unit\",\"id\":\"X\",\"changed_us\":1,"
                    "\"seen_us\":1e300}",
     "seen_us: must be an integer from 0 to 9007199254740992"},
    {OVL_ITEM_UNIT, "{\"type\":\"unit\",\"id\":\"12345678901234567890123456789"
                    "012345678901234567890123456789012345\"" UNIT_TAIL,
     "id: longer than 64 bytes"},
    {OVL_ITEM_UNIT, U("\"heading\":361"), "heading: must be between 0 and 360"},
    {OVL_ITEM_UNIT, U("\"speed_mps\":-1"),
     "speed_mps: must be between 0 and 1000"},
    {OVL_ITEM_UNIT, U("\"ce_m\":-0.5"), "ce_m: must be between 0 and 1e+07"},
    {OVL_ITEM_UNIT, U("\"label\":\"1234567890123456789012345678901234567890"
                      "123456789\""), "label: longer than 48 bytes"},
    {OVL_ITEM_UNIT, U("\"label\":\"a\\u007fb\""),
     "label: contains a control character"},
    {OVL_ITEM_UNIT, U("\"stale_after_s\":0"),
     "stale_after_s: must be an integer from 1 to 3600"},
    {OVL_ITEM_UNIT, U("\"stale_after_s\":3601"),
     "stale_after_s: must be an integer from 1 to 3600"},
    {OVL_ITEM_UNIT, U("\"status\":\"\xff\""), "invalid UTF-8 at byte 34"},
};

/* Each bad item is refused with its error and changes nothing. */
static void test_bad_items(struct check_counts *cc)
{
    struct ovl_state *st = ovl_state_create(NULL);
    char err[OVL_ERR_MAX];
    uint64_t g = ovl_state_generation(st);
    size_t i;
    int rc;

    for (i = 0; i < sizeof bad_items / sizeof bad_items[0]; i++) {
        snprintf(err, sizeof err, "(none)");
        rc = apply_item(st, bad_items[i].kind, bad_items[i].text, true, 0, 0,
                        err, sizeof err);
        CHECK(cc, rc == -EINVAL && strcmp(err, bad_items[i].err) == 0,
              "%s: %d \"%s\", want \"%s\"", bad_items[i].text, rc, err,
              bad_items[i].err);
    }
    rc = ovl_state_apply_item(st, OVL_ITEM_UNIT, U("\"status\":\"a\0b\""),
                              sizeof U("\"status\":\"a\0b\"") - 1, true, 0, 0,
                              err, sizeof err);
    CHECK(cc, rc == -EINVAL && strcmp(err, "malformed JSON: NUL at byte 35") == 0,
          "NUL: %d %s", rc, err);
    rc = ovl_state_apply_item(st, (enum ovl_item_kind)7, "{}", 2, true, 0, 0,
                              err, sizeof err);
    CHECK_INT(cc, rc, -EINVAL);
    CHECK_INT(cc, ovl_state_generation(st), g);
    CHECK(cc, ovl_state_find_incident(st, "X") == NULL, "nothing stored");
    CHECK(cc, ovl_state_find_unit(st, "X") == NULL, "nothing stored");
    /* the same text with good fields is accepted: the table tests one thing */
    CHECK_INT(cc, apply_item(st, OVL_ITEM_INCIDENT, I("\"priority\":9"), true, 0,
                             0, err, sizeof err), 0);
    CHECK_INT(cc, apply_item(st, OVL_ITEM_UNIT, U("\"ce_m\":0,\"future\":{}"),
                             true, 0, 0, err, sizeof err), 0);
    ovl_state_destroy(st);
}

/* Past max_incidents / max_units: -ENOSPC; replacing at the limit works. */
static void test_limits(struct check_counts *cc)
{
    struct ovl_state_limits lim = {1, 1};
    struct ovl_state *st = ovl_state_create(&lim);
    char err[OVL_ERR_MAX] = "";

    CHECK_INT(cc, apply_item(st, OVL_ITEM_INCIDENT, I0, true, 0, 0, err,
                             sizeof err), 0);
    CHECK_INT(cc, apply_item(st, OVL_ITEM_INCIDENT, I("\"priority\":1"), true,
                             0, 0, err, sizeof err), 0);
    CHECK_INT(cc, apply_item(st, OVL_ITEM_INCIDENT,
                             "{\"type\":\"incident\",\"id\":\"Y\"" INC_TAIL,
                             true, 0, 0, err, sizeof err), -ENOSPC);
    CHECK_STR(cc, err, "too many incidents: the limit is 1");
    CHECK_INT(cc, apply_item(st, OVL_ITEM_UNIT, U0, true, 0, 0, err,
                             sizeof err), 0);
    CHECK_INT(cc, apply_item(st, OVL_ITEM_UNIT,
                             "{\"type\":\"unit\",\"id\":\"Y\"" UNIT_TAIL, true,
                             0, 0, err, sizeof err), -ENOSPC);
    CHECK_STR(cc, err, "too many units: the limit is 1");
    ovl_state_destroy(st);
}

/* CAD sending an incident again unchanged keeps it alive on every node: the
 * item carries the last upsert (seen_us), not only the last change, so the
 * other node's copy expires incident_ttl after the last re-send. */
static void test_incident_resent(struct check_counts *cc)
{
    struct ovl_state *a = ovl_state_create(NULL), *b = ovl_state_create(NULL);
    const char *line = "{\"type\":\"incident\",\"id\":\"R\",\"status\":\"open\"}";
    const struct ovl_incident *x, *y;
    char err[OVL_ERR_MAX] = "", *text;

    ovl_state_set_incident_ttl(b, 60);
    apply_line(a, line, true, 10 * SEC, 1000 * SEC);
    apply_line(a, line, true, 100 * SEC, 1090 * SEC); /* unchanged, 90 s on */
    x = ovl_state_find_incident(a, "R");
    text = x ? ovl_incident_item_json(x, 100 * SEC, 1090 * SEC, NULL) : NULL;
    CHECK(cc, text != NULL, "item written");
    if (text)
        CHECK_INT(cc, apply_item(b, OVL_ITEM_INCIDENT, text, true, 500 * SEC, 1090 * SEC, err,
                                 sizeof err), 0);
    free(text);
    y = ovl_state_find_incident(b, "R");
    CHECK(cc, y && y->changed_wall_us == 1000 * SEC, "last change kept");
    CHECK(cc, y && y->seen_mono_us == 500 * SEC, "seen now, not 90 s ago");
    CHECK_INT(cc, ovl_state_expire(b, 530 * SEC), 0);
    CHECK(cc, ovl_state_find_incident(b, "R") != NULL, "open 30 s after the re-send");
    ovl_state_destroy(a);
    ovl_state_destroy(b);
}

int main(void)
{
    struct check_counts cc = {0, 0};

    test_incident_round_trip(&cc);
    test_incident_minimal(&cc);
    test_incident_resent(&cc);
    test_unit_round_trip(&cc);
    test_unit_age(&cc);
    test_generation_remote(&cc);
    test_bad_items(&cc);
    test_limits(&cc);
    return check_report(&cc);
}
