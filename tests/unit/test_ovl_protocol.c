/*
 * test_ovl_protocol.c - table-driven tests of the overlay protocol parser
 * (wall/overlay/protocol.c): good and bad lines with the exact error texts,
 * field values and merge bits, UTF-8 validation and RFC 3339 date-times.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "overlay/protocol.h"

struct line_case {
    const char *line;
    int rc;                /* ovl_parse_line() result */
    enum ovl_msg_type type; /* when rc == 0 */
    const char *seq;       /* expected msg.seq */
    const char *err;       /* expected error text when rc < 0 */
};

#define OK(l, t, s) {l, 0, t, s, ""}
#define BAD(l, s, e) {l, -EINVAL, OVL_MSG_OTHER, s, e}

static const struct line_case line_cases[] = {
    /* good lines of every type */
    OK("{\"type\":\"ping\"}", OVL_MSG_PING, ""),
    OK("{\"type\":\"ping\",\"seq\":7}", OVL_MSG_PING, "7"),
    OK("{\"seq\":-12,\"type\":\"ping\"}\r", OVL_MSG_PING, "-12"),
    OK(" {\"type\" : \"ping\" , \"seq\" : 0 } ", OVL_MSG_PING, "0"),
    OK("{\"type\":\"ping\",\"seq\":123456789012345678901234567890}",
       OVL_MSG_PING, "123456789012345678901234567890"),
    OK("{\"type\":\"ping\",\"s\\u0065q\":5}", OVL_MSG_PING, "5"),
    OK("{\"type\":\"ping\",\"x\":{\"seq\":1,\"a\":[1,\"]\"]},\"seq\":2}",
       OVL_MSG_PING, "2"),
    OK("{\"type\":\"state\",\"seq\":1}", OVL_MSG_STATE, "1"),
    OK("{\"type\":\"stats\"}", OVL_MSG_STATS, ""),
    OK("{\"type\":\"auth\",\"token\":\"s3cret\"}", OVL_MSG_AUTH, ""),
    OK("{\"type\":\"incident\",\"op\":\"upsert\",\"id\":\"24-001234\","
       "\"kind\":\"BURGLARY\",\"priority\":1,\"status\":\"dispatched\","
       "\"lat\":32.2988,\"lon\":-90.1848,\"address\":\"100 Main St\","
       "\"units\":[\"A12\"],\"time\":\"2026-11-27T02:00:00Z\"}",
       OVL_MSG_INCIDENT_UPSERT, ""),
    OK("{\"type\":\"incident\",\"id\":\"x\"}", OVL_MSG_INCIDENT_UPSERT, ""),
    OK("{\"type\":\"incident\",\"op\":\"close\",\"id\":\"24-001234\"}",
       OVL_MSG_INCIDENT_CLOSE, ""),
    OK("{\"type\":\"incident\",\"op\":\"close\",\"id\":\"a\",\"priority\":99}",
       OVL_MSG_INCIDENT_CLOSE, ""),
    OK("{\"type\":\"incident\",\"id\":\"x\",\"caller\":\"J. Doe\","
       "\"phone\":\"555-0100\"}",
       OVL_MSG_INCIDENT_UPSERT, ""),
    OK("{\"type\":\"incident\",\"id\":\"x\",\"priority\":9.0}",
       OVL_MSG_INCIDENT_UPSERT, ""),
    OK("{\"type\":\"incident\",\"id\":\"x\",\"units\":[]}",
       OVL_MSG_INCIDENT_UPSERT, ""),
    OK("{\"type\":\"incident\",\"id\":\"x\",\"lat\":null,\"lon\":null}",
       OVL_MSG_INCIDENT_UPSERT, ""),
    OK("{\"type\":\"unit\",\"id\":\"A12\",\"lat\":32.3,\"lon\":-90.2,"
       "\"heading\":90,\"speed_mps\":12.5,\"status\":\"enroute\","
       "\"time\":\"2026-11-27T02:00:05.5+00:00\",\"stale_after_s\":60}",
       OVL_MSG_UNIT_UPSERT, ""),
    OK("{\"type\":\"unit\",\"op\":\"remove\",\"id\":\"A12\"}",
       OVL_MSG_UNIT_REMOVE, ""),
    OK("{\"type\":\"unit\",\"id\":\"\xc3\x84-1\",\"lat\":-90,\"lon\":180}",
       OVL_MSG_UNIT_UPSERT, ""),
    OK("{\"type\":\"reload-layout\",\"seq\":3}", OVL_MSG_OTHER, "3"),
    OK("{\"type\":\"\"}", OVL_MSG_OTHER, ""),
    /* lines ignored without a reply */
    {"", 1, OVL_MSG_OTHER, "", ""},
    {"\r", 1, OVL_MSG_OTHER, "", ""},
    {"  \t ", 1, OVL_MSG_OTHER, "", ""},
    /* malformed lines */
    BAD("{\"type\":\"ping\"", "", "malformed JSON at byte 13"),
    BAD("not json", "", "malformed JSON at byte 0"),
    BAD("{\"type\":\"ping\"} {\"type\":\"ping\"}", "",
        "malformed JSON: unexpected data at byte 16"),
    BAD("[1,2]", "", "message must be a JSON object"),
    BAD("\"ping\"", "", "message must be a JSON object"),
    BAD("{\"type\":\"ping\",\"x\":\"a\x01\"}", "",
        "malformed JSON: control character at byte 21"),
    BAD("{\"type\":\"p\xffing\"}", "", "invalid UTF-8 at byte 10"),
    BAD("{\"type\":\"\xc0\xaf\"}", "", "invalid UTF-8 at byte 9"),
    BAD("{\"type\":\"\xed\xa0\x80\"}", "", "invalid UTF-8 at byte 9"),
    BAD("{\"type\":\"\xe2\x82\"}", "", "invalid UTF-8 at byte 9"),
    BAD("{\"seq\":1}", "1", "type: missing"),
    BAD("{\"type\":7,\"seq\":2}", "2", "type: must be a string"),
    BAD("{\"type\":\"ping\",\"seq\":1.5}", "", "seq: must be an integer"),
    BAD("{\"type\":\"ping\",\"seq\":\"1\"}", "", "seq: must be an integer"),
    BAD("{\"type\":\"ping\",\"seq\":1e3}", "", "seq: must be an integer"),
    BAD("{\"type\":\"ping\",\"seq\":1,\"seq\":2}", "1",
        "duplicate field \"seq\""),
    BAD("{\"type\":\"ping\",\"type\":\"state\"}", "",
        "duplicate field \"type\""),
    /* incidents */
    BAD("{\"type\":\"incident\",\"op\":\"delete\",\"id\":\"x\",\"seq\":4}", "4",
        "op: must be \"upsert\" or \"close\""),
    BAD("{\"type\":\"incident\",\"op\":1,\"id\":\"x\"}", "",
        "op: must be a string"),
    BAD("{\"type\":\"incident\"}", "", "id: missing"),
    BAD("{\"type\":\"incident\",\"id\":\"\"}", "", "id: must not be empty"),
    BAD("{\"type\":\"incident\",\"id\":12}", "", "id: must be a string"),
    BAD("{\"type\":\"incident\",\"id\":\"0123456789012345678901234567890123456"
        "789012345678901234567890123456789\"}",
        "", "id: longer than 64 bytes"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"priority\":0}", "",
        "priority: must be an integer from 1 to 9"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"priority\":10}", "",
        "priority: must be an integer from 1 to 9"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"priority\":1.5}", "",
        "priority: must be an integer from 1 to 9"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"priority\":\"1\"}", "",
        "priority: must be a number"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"lat\":91,\"lon\":0}", "",
        "lat: must be between -90 and 90"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"lat\":0,\"lon\":-180.5}", "",
        "lon: must be between -180 and 180"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"lat\":1e999,\"lon\":0}", "",
        "lat: must be between -90 and 90"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"lat\":\"32.1\",\"lon\":0}", "",
        "lat: must be a number"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"lat\":32.1}", "",
        "lat: given without lon"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"lon\":32.1}", "",
        "lon: given without lat"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"kind\":[\"A\"]}", "",
        "kind: must be a string"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"status\":\"0123456789012345678"
        "9012345678901234\"}",
        "", "status: longer than 32 bytes"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"address\":\"a\\nb\"}", "",
        "address: contains a control character"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"units\":\"A12\"}", "",
        "units: must be an array of strings"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"units\":[\"A1\",2]}", "",
        "units[1]: must be a string"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"units\":[\"\"]}", "",
        "units[0]: must not be empty"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"units\":[\"01234567890123456\"]}",
        "", "units[0]: longer than 16 bytes"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"units\":[\"1\",\"2\",\"3\",\"4\","
        "\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\",\"14\","
        "\"15\",\"16\",\"17\"]}",
        "", "units: more than 16 entries"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"time\":\"2026-02-30T00:00:00Z\"}",
        "", "time: must be an RFC 3339 date-time such as 2026-11-27T02:00:00Z"),
    BAD("{\"type\":\"incident\",\"id\":\"x\",\"time\":1764208800}", "",
        "time: must be a string"),
    /* units */
    BAD("{\"type\":\"unit\",\"op\":\"close\",\"id\":\"A1\"}", "",
        "op: must be \"upsert\" or \"remove\""),
    BAD("{\"type\":\"unit\",\"id\":\"A1\",\"heading\":361}", "",
        "heading: must be between 0 and 360"),
    BAD("{\"type\":\"unit\",\"id\":\"A1\",\"heading\":true}", "",
        "heading: must be a number"),
    BAD("{\"type\":\"unit\",\"id\":\"A1\",\"speed_mps\":-1}", "",
        "speed_mps: must be between 0 and 1000"),
    BAD("{\"type\":\"unit\",\"id\":\"A1\",\"stale_after_s\":0}", "",
        "stale_after_s: must be an integer from 1 to 3600"),
    BAD("{\"type\":\"unit\",\"id\":\"01234567890123456\"}", "",
        "id: longer than 16 bytes"),
    BAD("{\"type\":\"unit\",\"id\":\"A1\",\"lat\":null,\"lon\":5}", "",
        "lat: must be a number"),
    /* auth */
    BAD("{\"type\":\"auth\"}", "", "token: missing"),
    BAD("{\"type\":\"auth\",\"token\":42,\"seq\":9}", "9",
        "token: must be a string"),
};

static void test_lines(struct check_counts *cc)
{
    char err[OVL_ERR_MAX];
    struct ovl_msg msg;
    size_t i;
    int rc;

    for (i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
        const struct line_case *t = &line_cases[i];

        rc = ovl_parse_line(t->line, strlen(t->line), &msg, err, sizeof err);
        CHECK(cc, rc == t->rc, "case %zu (%s): rc %d, want %d (err \"%s\")", i,
              t->line, rc, t->rc, err);
        CHECK(cc, strcmp(msg.seq, t->seq) == 0, "case %zu: seq \"%s\", want "
              "\"%s\"", i, msg.seq, t->seq);
        if (t->rc == 0)
            CHECK(cc, msg.type == t->type, "case %zu: type %d, want %d", i,
                  (int)msg.type, (int)t->type);
        if (t->rc < 0)
            CHECK(cc, strcmp(err, t->err) == 0,
                  "case %zu: err \"%s\", want \"%s\"", i, err, t->err);
        CHECK(cc, (msg.type == OVL_MSG_OTHER && rc == 0) == (msg.root != NULL),
              "case %zu: root kept only for other types", i);
        ovl_msg_clear(&msg);
    }
}

static void test_incident_fields(struct check_counts *cc)
{
    const char *l = line_cases[10].line;
    char err[OVL_ERR_MAX];
    struct ovl_msg m;

    CHECK_INT(cc, ovl_parse_line(l, strlen(l), &m, err, sizeof err), 0);
    CHECK_STR(cc, m.inc.id, "24-001234");
    CHECK_STR(cc, m.inc.kind, "BURGLARY");
    CHECK_STR(cc, m.inc.status, "dispatched");
    CHECK_STR(cc, m.inc.address, "100 Main St");
    CHECK_INT(cc, m.inc.priority, 1);
    CHECK(cc, m.inc.lat == 32.2988 && m.inc.lon == -90.1848, "lat/lon");
    CHECK_INT(cc, m.inc.n_units, 1);
    CHECK_STR(cc, m.inc.units[0], "A12");
    CHECK_INT(cc, m.inc.time_s, 1795744800);
    CHECK_INT(cc, m.set, OVL_INC_KIND | OVL_INC_PRIORITY | OVL_INC_STATUS |
                             OVL_INC_POS | OVL_INC_ADDRESS | OVL_INC_UNITS |
                             OVL_INC_TIME);
    CHECK_INT(cc, m.clear, 0);
    ovl_msg_clear(&m);

    l = "{\"type\":\"incident\",\"id\":\"x\",\"kind\":null,\"lat\":null,"
        "\"lon\":null,\"units\":null,\"status\":\"new\"}";
    CHECK_INT(cc, ovl_parse_line(l, strlen(l), &m, err, sizeof err), 0);
    CHECK_INT(cc, m.set, OVL_INC_STATUS);
    CHECK_INT(cc, m.clear, OVL_INC_KIND | OVL_INC_POS | OVL_INC_UNITS);
    ovl_msg_clear(&m);
}

/* Whether the bytes p[0..n) contain the text s. */
static int contains(const void *p, size_t n, const char *s)
{
    size_t i, k = strlen(s);

    for (i = 0; i + k <= n; i++)
        if (memcmp((const char *)p + i, s, k) == 0)
            return 1;
    return 0;
}

static void test_unit_fields(struct check_counts *cc)
{
    const char *l = "{\"type\":\"unit\",\"id\":\"A12\",\"lat\":1.5,\"lon\":2,"
                    "\"heading\":90,\"speed_mps\":12.5,\"stale_after_s\":30,"
                    "\"name\":\"Officer Smith\"}";
    char err[OVL_ERR_MAX];
    struct ovl_msg m;

    CHECK_INT(cc, ovl_parse_line(l, strlen(l), &m, err, sizeof err), 0);
    CHECK_STR(cc, m.unit.id, "A12");
    CHECK(cc, m.unit.heading == 90 && m.unit.speed_mps == 12.5, "heading");
    CHECK_INT(cc, m.unit.stale_after_s, 30);
    CHECK_INT(cc, m.set, OVL_UNIT_POS | OVL_UNIT_HEADING | OVL_UNIT_SPEED |
                             OVL_UNIT_STALE);
    CHECK(cc, !contains(&m, sizeof m, "Smith"), "unknown fields are not kept");
    ovl_msg_clear(&m);
}

static void test_long_lines(struct check_counts *cc)
{
    static char buf[OVL_LINE_MAX + 64];
    const char *head = "{\"type\":\"ping\",\"pad\":\"";
    char err[OVL_ERR_MAX];
    struct ovl_msg m;
    size_t n;

    /* exactly OVL_LINE_MAX bytes: accepted */
    n = strlen(head);
    memcpy(buf, head, n);
    memset(buf + n, 'a', OVL_LINE_MAX - n - 2);
    memcpy(buf + OVL_LINE_MAX - 2, "\"}", 2);
    CHECK_INT(cc, ovl_parse_line(buf, OVL_LINE_MAX, &m, err, sizeof err), 0);
    ovl_msg_clear(&m);
    /* one more byte: refused */
    memcpy(buf + OVL_LINE_MAX - 2, "a\"}", 3);
    CHECK_INT(cc, ovl_parse_line(buf, OVL_LINE_MAX + 1, &m, err, sizeof err),
              -EINVAL);
    CHECK_STR(cc, err, "line longer than 65536 bytes");
    ovl_msg_clear(&m);
    /* deep nesting is refused by cJSON, not a crash */
    memset(buf, '[', 5000);
    CHECK_INT(cc, ovl_parse_line(buf, 5000, &m, err, sizeof err), -EINVAL);
    ovl_msg_clear(&m);
}

struct time_case {
    const char *text;
    int rc;
    long long epoch;
};

static const struct time_case time_cases[] = {
    {"1970-01-01T00:00:00Z", 0, 0},
    {"2026-11-27T02:00:00Z", 0, 1795744800},
    {"2026-11-27t02:00:00z", 0, 1795744800},
    {"2026-11-27 02:00:00Z", 0, 1795744800},
    {"2026-11-27T03:30:00.123456+01:30", 0, 1795744800},
    {"2026-11-26T21:00:00-05:00", 0, 1795744800},
    {"2024-02-29T12:00:00Z", 0, 1709208000},
    {"1969-12-31T23:59:59Z", 0, -1},
    {"2016-12-31T23:59:60Z", 0, 1483228800},
    {"0000-01-01T00:00:00Z", 0, -62167219200LL},
    {"2023-02-29T12:00:00Z", -EINVAL, 0},
    {"2026-13-01T00:00:00Z", -EINVAL, 0},
    {"2026-11-27T24:00:00Z", -EINVAL, 0},
    {"2026-11-27T02:00:00", -EINVAL, 0},
    {"2026-11-27T02:00:00.Z", -EINVAL, 0},
    {"2026-11-27T02:00:00+0100", -EINVAL, 0},
    {"2026-11-27T02:00:00+24:00", -EINVAL, 0},
    {"2026-11-27", -EINVAL, 0},
    {"2026-11-27T02:00Z", -EINVAL, 0},
    {"2026-1a-27T02:00:00Z", -EINVAL, 0},
    {"2026-11-27T02:00:00ZZ", -EINVAL, 0},
};

static void test_rfc3339(struct check_counts *cc)
{
    char buf[OVL_TIME_BUF];
    int64_t t;
    size_t i;
    int rc;

    for (i = 0; i < sizeof time_cases / sizeof time_cases[0]; i++) {
        const struct time_case *c = &time_cases[i];

        t = 0;
        rc = ovl_parse_rfc3339(c->text, strlen(c->text), &t);
        CHECK(cc, rc == c->rc, "%s: rc %d, want %d", c->text, rc, c->rc);
        if (c->rc == 0)
            CHECK(cc, t == c->epoch, "%s: %lld, want %lld", c->text,
                  (long long)t, c->epoch);
    }
    CHECK_INT(cc, ovl_format_rfc3339(1795744800, buf), 0);
    CHECK_STR(cc, buf, "2026-11-27T02:00:00Z");
    CHECK_INT(cc, ovl_format_rfc3339(-1, buf), 0);
    CHECK_STR(cc, buf, "1969-12-31T23:59:59Z");
    CHECK_INT(cc, ovl_format_rfc3339(253402300800LL, buf), -ERANGE);
    for (t = -86400 * 800; t < 86400 * 800; t += 86399) {
        int64_t back = 0;
        ovl_format_rfc3339(t * 7, buf);
        ovl_parse_rfc3339(buf, strlen(buf), &back);
        CHECK(cc, back == t * 7, "round trip %lld via %s", (long long)t * 7,
              buf);
    }
}

static void test_utf8(struct check_counts *cc)
{
    size_t bad = 99;

    CHECK_INT(cc, ovl_utf8_check("abc\xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x93", 12,
                                 &bad), 0);
    CHECK_INT(cc, ovl_utf8_check("ab\x80", 3, &bad), -EILSEQ);
    CHECK_INT(cc, bad, 2);
    CHECK_INT(cc, ovl_utf8_check("\xf4\x90\x80\x80", 4, &bad), -EILSEQ);
    CHECK_INT(cc, ovl_utf8_check("\xe0\x80\xaf", 3, &bad), -EILSEQ);
    CHECK_INT(cc, ovl_utf8_check("a\xf0\x9f\x9a", 4, &bad), -EILSEQ);
    CHECK_INT(cc, bad, 1);
    CHECK_INT(cc, ovl_utf8_cut("a\xc3\xa9z", 4, 2), 1);
    CHECK_INT(cc, ovl_utf8_cut("a\xc3\xa9z", 4, 3), 3);
    CHECK_INT(cc, ovl_utf8_cut("abc", 3, 10), 3);
}

int main(void)
{
    struct check_counts cc = {0, 0};

    test_lines(&cc);
    test_incident_fields(&cc);
    test_unit_fields(&cc);
    test_long_lines(&cc);
    test_rfc3339(&cc);
    test_utf8(&cc);
    return check_report(&cc);
}
