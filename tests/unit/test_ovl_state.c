/*
 * test_ovl_state.c - tests of the overlay state (wall/overlay/state.c): merge
 * semantics of upserts, close/remove, limits, unit staleness with injected
 * times, the generation counter, drawing order and the JSON state reply.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "overlay/protocol.h"
#include "overlay/state.h"

#define SEC 1000000LL

/* Parses line and applies it at the given times; returns the apply result
 * (or the parse result when that fails) and leaves the error in err. */
static int apply_as(struct ovl_state *st, const char *line, bool cad, int64_t mono,
                    int64_t wall, char *err, size_t errlen)
{
    struct ovl_msg m;
    int rc;

    rc = ovl_parse_line(line, strlen(line), &m, err, errlen);
    if (rc == 0)
        rc = ovl_state_apply(st, &m, cad, mono, wall, err, errlen);
    ovl_msg_clear(&m);
    return rc;
}

/* apply_as() from a client with the cad role. */
static int apply(struct ovl_state *st, const char *line, int64_t mono,
                 int64_t wall, char *err, size_t errlen)
{
    return apply_as(st, line, true, mono, wall, err, errlen);
}

#define APPLY(cc, st, line, mono, wall)                                        \
    do {                                                                       \
        char e_[OVL_ERR_MAX] = "";                                            \
        int r_ = apply((st), (line), (mono), (wall), e_, sizeof e_);           \
        CHECK(cc, r_ == 0, "apply %s: %d %s", (line), r_, e_);                \
    } while (0)

static void test_merge(struct check_counts *cc)
{
    struct ovl_state *st = ovl_state_create(NULL);
    const struct ovl_incident *x;
    uint64_t g0, g1;

    g0 = ovl_state_generation(st);
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"24-1\",\"kind\":\"BURGLARY\","
                  "\"priority\":2,\"lat\":32.3,\"lon\":-90.18,\"units\":[\"A1\","
                  "\"A2\"],\"address\":\"1 Main St\",\"caller\":\"J. Doe\"}",
          0, 100 * SEC);
    g1 = ovl_state_generation(st);
    CHECK(cc, g1 > g0, "generation moves on create");
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"24-1\",\"status\":\"onscene\","
                  "\"priority\":1}", 0, 101 * SEC);
    x = ovl_state_find_incident(st, "24-1");
    CHECK(cc, x != NULL, "incident exists");
    if (!x)
        goto out;
    CHECK_STR(cc, x->d.kind, "BURGLARY");
    CHECK_STR(cc, x->d.status, "onscene");
    CHECK_STR(cc, x->d.address, "1 Main St");
    CHECK_INT(cc, x->d.priority, 1);
    CHECK_INT(cc, x->d.n_units, 2);
    CHECK_STR(cc, x->d.units[1], "A2");
    CHECK(cc, x->d.lat == 32.3 && x->d.lon == -90.18, "position kept");
    CHECK_INT(cc, x->created_wall_us, 100 * SEC);
    CHECK_INT(cc, x->changed_wall_us, 101 * SEC);
    CHECK(cc, ovl_state_generation(st) > g1, "generation moves on change");

    /* the same values again: no change, no new generation */
    g1 = ovl_state_generation(st);
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"24-1\",\"priority\":1}", 0,
          102 * SEC);
    CHECK_INT(cc, ovl_state_generation(st), g1);
    CHECK_INT(cc, x->changed_wall_us, 101 * SEC);

    /* null forgets a field; [] empties units */
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"24-1\",\"address\":null,"
                  "\"lat\":null,\"lon\":null,\"units\":[]}", 0, 103 * SEC);
    x = ovl_state_find_incident(st, "24-1");
    CHECK_INT(cc, x->d.fields & (OVL_INC_ADDRESS | OVL_INC_POS), 0);
    CHECK_INT(cc, x->d.fields & OVL_INC_UNITS, OVL_INC_UNITS);
    CHECK_INT(cc, x->d.n_units, 0);
    CHECK_STR(cc, x->d.address, "");
    CHECK(cc, x->d.lat == 0, "cleared storage is zero");

    /* close removes; closing again is not an error */
    g1 = ovl_state_generation(st);
    APPLY(cc, st, "{\"type\":\"incident\",\"op\":\"close\",\"id\":\"24-1\"}", 0,
          104 * SEC);
    CHECK(cc, ovl_state_find_incident(st, "24-1") == NULL, "closed");
    CHECK(cc, ovl_state_generation(st) > g1, "generation moves on close");
    g1 = ovl_state_generation(st);
    APPLY(cc, st, "{\"type\":\"incident\",\"op\":\"close\",\"id\":\"24-1\"}", 0,
          105 * SEC);
    CHECK_INT(cc, ovl_state_generation(st), g1);
    CHECK_INT(cc, ovl_state_close_incident(st, "nope"), -ENOENT);
out:
    ovl_state_destroy(st);
}

static void test_limits(struct check_counts *cc)
{
    struct ovl_state_limits lim = {3, 2};
    struct ovl_state *st = ovl_state_create(&lim);
    char line[128], err[OVL_ERR_MAX];
    int i;

    for (i = 0; i < 3; i++) {
        snprintf(line, sizeof line, "{\"type\":\"incident\",\"id\":\"i%d\"}", i);
        APPLY(cc, st, line, 0, 0);
    }
    CHECK_INT(cc, apply(st, "{\"type\":\"incident\",\"id\":\"i9\"}", 0, 0, err,
                        sizeof err),
              -ENOSPC);
    CHECK_STR(cc, err, "too many incidents: the limit is 3");
    /* updating an existing one still works at the limit */
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"i1\",\"priority\":3}", 0, 0);
    APPLY(cc, st, "{\"type\":\"incident\",\"op\":\"close\",\"id\":\"i0\"}", 0,
          0);
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"i9\"}", 0, 0);

    APPLY(cc, st, "{\"type\":\"unit\",\"id\":\"u1\"}", 0, 0);
    APPLY(cc, st, "{\"type\":\"unit\",\"id\":\"u2\"}", 0, 0);
    CHECK_INT(cc, apply(st, "{\"type\":\"unit\",\"id\":\"u3\"}", 0, 0, err,
                        sizeof err),
              -ENOSPC);
    CHECK_STR(cc, err, "too many units: the limit is 2");
    APPLY(cc, st, "{\"type\":\"unit\",\"op\":\"remove\",\"id\":\"u1\"}", 0, 0);
    APPLY(cc, st, "{\"type\":\"unit\",\"id\":\"u3\"}", 0, 0);
    CHECK_INT(cc, ovl_state_remove_unit(st, "u1"), -ENOENT);
    ovl_state_destroy(st);
}

static void test_staleness(struct check_counts *cc)
{
    struct ovl_state *st = ovl_state_create(NULL);
    const struct ovl_unit *const *v;
    const struct ovl_unit *u;
    uint64_t g;

    APPLY(cc, st, "{\"type\":\"unit\",\"id\":\"A1\",\"lat\":1,\"lon\":2}",
          1000 * SEC, 0);
    APPLY(cc, st, "{\"type\":\"unit\",\"id\":\"B2\",\"lat\":1,\"lon\":2,"
                  "\"stale_after_s\":10}", 1000 * SEC, 0);
    CHECK_INT(cc, ovl_state_expire(st, 1009 * SEC), 0);
    g = ovl_state_generation(st);
    CHECK_INT(cc, ovl_state_expire(st, 1010 * SEC), 1); /* B2 stale */
    CHECK(cc, ovl_state_generation(st) > g, "staleness is a change");
    u = ovl_state_find_unit(st, "B2");
    CHECK(cc, u && u->stale, "B2 stale after 10 s");
    CHECK(cc, !ovl_state_find_unit(st, "A1")->stale, "A1 fresh");
    CHECK_INT(cc, ovl_state_expire(st, 1011 * SEC), 0); /* no flip again */

    /* a report makes it fresh again, even with the same values */
    g = ovl_state_generation(st);
    APPLY(cc, st, "{\"type\":\"unit\",\"id\":\"B2\",\"lat\":1,\"lon\":2}",
          1020 * SEC, 0);
    CHECK(cc, !ovl_state_find_unit(st, "B2")->stale, "B2 fresh again");
    CHECK(cc, ovl_state_generation(st) > g, "freshness is a change");
    CHECK_INT(cc, ovl_state_find_unit(st, "B2")->d.stale_after_s, 10);

    CHECK_INT(cc, ovl_state_expire(st, 1060 * SEC), 2); /* both stale */
    CHECK_INT(cc, ovl_state_expire(st, 1069 * SEC), 0);
    CHECK_INT(cc, ovl_state_expire(st, 1070 * SEC), 1); /* B2: 5 x 10 s */
    CHECK(cc, ovl_state_find_unit(st, "B2") == NULL, "B2 dropped");
    CHECK_INT(cc, ovl_state_units(st, &v), 1);
    CHECK_INT(cc, ovl_state_expire(st, 1299 * SEC), 0);
    CHECK_INT(cc, ovl_state_expire(st, 1300 * SEC), 1); /* A1: 5 x 60 s */
    CHECK_INT(cc, ovl_state_units(st, &v), 0);
    ovl_state_destroy(st);
}

static void test_order(struct check_counts *cc)
{
    struct ovl_state *st = ovl_state_create(NULL);
    const struct ovl_incident *const *v;
    const struct ovl_unit *const *u;
    static const char *const want[] = {"p1-new", "p1-old", "p1-recv",
                                       "p2",     "none-b", "none-c"};
    size_t i, n;

    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"none-c\"}", 0, 50 * SEC);
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"none-b\"}", 0, 50 * SEC);
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"p2\",\"priority\":2,"
                  "\"time\":\"2030-01-01T00:00:00Z\"}", 0, 0);
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"p1-old\",\"priority\":1,"
                  "\"time\":\"1970-01-01T00:01:00Z\"}", 0, 0);
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"p1-new\",\"priority\":1,"
                  "\"time\":\"1970-01-01T00:02:00Z\"}", 0, 0);
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"p1-recv\",\"priority\":1}",
          0, 30 * SEC);
    n = ovl_state_incidents(st, &v);
    CHECK_INT(cc, n, 6);
    for (i = 0; i < n && i < 6; i++)
        CHECK_STR(cc, v[i]->d.id, want[i]);

    /* the view follows changes */
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"none-c\",\"priority\":1,"
                  "\"time\":\"2031-01-01T00:00:00Z\"}", 0, 0);
    n = ovl_state_incidents(st, &v);
    CHECK_STR(cc, v[0]->d.id, "none-c");

    APPLY(cc, st, "{\"type\":\"unit\",\"id\":\"Z9\"}", 0, 0);
    APPLY(cc, st, "{\"type\":\"unit\",\"id\":\"A1\"}", 0, 0);
    APPLY(cc, st, "{\"type\":\"unit\",\"id\":\"M5\"}", 0, 0);
    n = ovl_state_units(st, &u);
    CHECK_INT(cc, n, 3);
    CHECK(cc, n == 3 && strcmp(u[0]->d.id, "A1") == 0 &&
                  strcmp(u[1]->d.id, "M5") == 0 &&
                  strcmp(u[2]->d.id, "Z9") == 0,
          "units sorted by id");
    ovl_state_destroy(st);
}

static void test_json(struct check_counts *cc)
{
    struct ovl_state *st = ovl_state_create(NULL);
    char *text;
    size_t len = 0;

    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"24-1\",\"kind\":\"FIRE\","
                  "\"priority\":1,\"status\":\"new\",\"lat\":32.5,\"lon\":-90.25,"
                  "\"address\":\"1 \\\"Main\\\" St\",\"units\":[\"E1\"],"
                  "\"time\":\"2026-11-27T03:00:00+01:00\",\"phone\":\"555\"}",
          0, 0);
    APPLY(cc, st, "{\"type\":\"unit\",\"id\":\"E1\",\"lat\":32.4,\"lon\":-90.2,"
                  "\"heading\":45,\"speed_mps\":10,\"status\":\"enroute\"}",
          0, 0);
    text = ovl_state_to_json(st, &len);
    CHECK(cc, text && len == strlen(text), "length");
    CHECK_STR(cc, text,
              "{\"incidents\":[{\"id\":\"24-1\",\"kind\":\"FIRE\",\"priority\":1,"
              "\"status\":\"new\",\"lat\":32.5,\"lon\":-90.25,\"address\":"
              "\"1 \\\"Main\\\" St\",\"units\":[\"E1\"],\"time\":"
              "\"2026-11-27T02:00:00Z\"}],\"units\":[{\"id\":\"E1\",\"lat\":32.4,"
              "\"lon\":-90.2,\"heading\":45,\"speed_mps\":10,\"status\":"
              "\"enroute\",\"stale_after_s\":60,\"stale\":false}]}");
    free(text);
    ovl_state_destroy(st);
}

static void test_json_numbers(struct check_counts *cc)
{
    struct ovl_state *st = ovl_state_create(NULL);
    char *text;

    APPLY(cc, st, "{\"type\":\"unit\",\"id\":\"N\",\"lat\":-0.5,"
                  "\"lon\":179.999999999,\"heading\":0,\"speed_mps\":0.000001}",
          0, 0);
    APPLY(cc, st, "{\"type\":\"unit\",\"id\":\"O\",\"lat\":-1e-12,"
                  "\"lon\":-180,\"heading\":359.5,\"speed_mps\":999.25}",
          0, 0);
    text = ovl_state_to_json(st, NULL);
    CHECK_STR(cc, text,
              "{\"incidents\":[],\"units\":[{\"id\":\"N\",\"lat\":-0.5,"
              "\"lon\":179.999999999,\"heading\":0,\"speed_mps\":0.000001,"
              "\"stale_after_s\":60,\"stale\":false},{\"id\":\"O\",\"lat\":0,"
              "\"lon\":-180,\"heading\":359.5,\"speed_mps\":999.25,"
              "\"stale_after_s\":60,\"stale\":false}]}");
    free(text);
    ovl_state_destroy(st);
}

/* Incidents remember whether a cad client sent their last upsert, and close
 * by themselves once not upserted for the ttl (monotonic clock; an upsert
 * that changes nothing still counts as seen). */
static void test_incident_ttl_cad(struct check_counts *cc)
{
    struct ovl_state *st = ovl_state_create(NULL);
    char err[OVL_ERR_MAX];
    const struct ovl_incident *x;

    CHECK_INT(cc, apply_as(st, "{\"type\":\"incident\",\"id\":\"A\",\"lat\":1,"
                               "\"lon\":2}", true, 0, 0, err, sizeof err), 0);
    CHECK_INT(cc, apply_as(st, "{\"type\":\"incident\",\"id\":\"B\",\"lat\":1,"
                               "\"lon\":2}", false, 0, 0, err, sizeof err), 0);
    x = ovl_state_find_incident(st, "A");
    CHECK(cc, x && x->cad, "A from a cad client");
    x = ovl_state_find_incident(st, "B");
    CHECK(cc, x && !x->cad, "B not from a cad client");
    /* a non-cad update of A takes its cad mark; a cad one gives it back */
    uint64_t gen = ovl_state_generation(st);
    CHECK_INT(cc, apply_as(st, "{\"type\":\"incident\",\"id\":\"A\"}", false, 10 * SEC,
                           0, err, sizeof err), 0);
    x = ovl_state_find_incident(st, "A");
    CHECK(cc, x && !x->cad, "A still cad after a non-cad update");
    CHECK(cc, ovl_state_generation(st) != gen, "losing cad is not a change");
    CHECK_INT(cc, apply_as(st, "{\"type\":\"incident\",\"id\":\"A\"}", true, 20 * SEC,
                           0, err, sizeof err), 0);
    CHECK(cc, ovl_state_find_incident(st, "A")->cad, "A not cad again");

    /* default ttl: an hour */
    CHECK_INT(cc, ovl_state_expire(st, 3599 * SEC), 0);
    CHECK_INT(cc, ovl_state_expire(st, 3600 * SEC), 1); /* B: seen at 0 */
    CHECK(cc, !ovl_state_find_incident(st, "B"), "B did not expire");
    CHECK(cc, ovl_state_find_incident(st, "A") != NULL, "A expired early");
    CHECK_INT(cc, ovl_state_expire(st, 3620 * SEC), 1); /* A: seen at 20 s */
    CHECK(cc, !ovl_state_find_incident(st, "A"), "A did not expire");

    /* a short ttl, kept alive by updates that change nothing */
    ovl_state_set_incident_ttl(st, 5);
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"C\",\"kind\":\"FIRE\"}", 100 * SEC, 0);
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"C\",\"kind\":\"FIRE\"}", 104 * SEC, 0);
    CHECK_INT(cc, ovl_state_expire(st, 108 * SEC), 0);
    CHECK_INT(cc, ovl_state_expire(st, 109 * SEC), 1);
    const struct ovl_incident *const *view;
    CHECK_INT(cc, ovl_state_incidents(st, &view), 0);
    ovl_state_set_incident_ttl(st, 0); /* back to the default */
    APPLY(cc, st, "{\"type\":\"incident\",\"id\":\"D\"}", 0, 0);
    CHECK_INT(cc, ovl_state_expire(st, 3599 * SEC), 0);
    ovl_state_destroy(st);
}

static void test_misc(struct check_counts *cc)
{
    struct ovl_state *st = ovl_state_create(NULL);
    struct ovl_incident_data d;
    struct ovl_msg m;
    char err[OVL_ERR_MAX];

    memset(&d, 0, sizeof d);
    CHECK_INT(cc, ovl_state_upsert_incident(st, &d, 0, 0, true, 0, 0, err, sizeof err),
              -EINVAL);
    CHECK_STR(cc, err, "id: must not be empty");
    memset(&m, 0, sizeof m);
    m.type = OVL_MSG_PING;
    CHECK_INT(cc, ovl_state_apply(st, &m, true, 0, 0, err, sizeof err), -EINVAL);
    ovl_state_destroy(st);
    ovl_state_destroy(NULL);
}

int main(void)
{
    struct check_counts cc = {0, 0};

    test_merge(&cc);
    test_limits(&cc);
    test_staleness(&cc);
    test_order(&cc);
    test_json(&cc);
    test_json_numbers(&cc);
    test_incident_ttl_cad(&cc);
    test_misc(&cc);
    return check_report(&cc);
}
