/*
 * test_cot.c - Cursor on Target: events as ATAK and TAK Server send them,
 * their mapping to units, every refused input of issue 15 (malformed XML, a
 * huge event, deep nesting, DOCTYPE/entity expansion, TAK protobuf), and the
 * stream splitter fed events back to back, byte by byte and cut mid-event.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "check.h"
#include "cot/cot.h"
#include "cot/inputs.h"

#define T0 "2026-12-05T10:00:00.000Z"
#define T1 "2026-12-05T10:00:30Z"

static const char atak[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
    "<event version=\"2.0\" uid=\"ANDROID-589520ccfcd20f01\" type=\"a-f-G-U-C\" "
    "time=\"" T0 "\" start=\"" T0 "\" stale=\"" T1 "\" how=\"m-g\">"
    "<point lat=\"32.3001\" lon=\"-90.1822\" hae=\"95.3\" ce=\"12.5\" le=\"9999999\"/>"
    "<detail><takv os=\"34\" version=\"4.10\" device=\"x\" platform=\"ATAK-CIV\"/>"
    "<contact endpoint=\"*:-1:stcp\" callsign=\"ENGINE 12\"/>"
    "<uid Droid=\"ENGINE 12\"/><__group name=\"Cyan\" role=\"Team Member\"/>"
    "<status battery=\"88\"/><track course=\"135.5\" speed=\"12.2\"/>"
    "<remarks>secret remark</remarks></detail></event>";

static void test_atak_event(struct check_counts *cc)
{
    struct cot_event ev;
    struct ovl_unit_data u;
    unsigned set;
    char err[OVL_ERR_MAX];
    CHECK_INT(cc, cot_parse(atak, strlen(atak), &ev, err, sizeof err), 0);
    CHECK_STR(cc, ev.uid, "ANDROID-589520ccfcd20f01");
    CHECK_STR(cc, ev.type, "a-f-G-U-C");
    CHECK_STR(cc, ev.callsign, "ENGINE 12");
    CHECK_INT(cc, ev.time_ms, ev.time_s * 1000); /* ".000Z" */
    CHECK(cc, ev.lat == 32.3001 && ev.lon == -90.1822 && ev.ce == 12.5, "point");
    CHECK(cc, ev.has_track && ev.course == 135.5 && ev.speed == 12.2, "track");
    /* 10:00:00 now, stale at 10:00:30: fades in 30 s */
    CHECK_INT(cc, cot_to_unit(&ev, ev.time_s, &u, &set, err, sizeof err), COT_UPSERT);
    CHECK_STR(cc, u.id, "ANDROID-589520ccfcd20f01");
    CHECK_STR(cc, u.label, "ENGINE 12");
    CHECK_INT(cc, u.stale_after_s, 30);
    CHECK(cc, u.heading == 135.5 && u.speed_mps == 12.2 && u.ce_m == 12.5, "unit fields");
    CHECK_INT(cc, set, OVL_UNIT_POS | OVL_UNIT_TIME | OVL_UNIT_STALE | OVL_UNIT_LABEL |
                           OVL_UNIT_CE | OVL_UNIT_HEADING | OVL_UNIT_SPEED);
    /* arriving after its stale time: stale at once (1 s), not refused */
    CHECK_INT(cc, cot_to_unit(&ev, ev.time_s + 999, &u, &set, err, sizeof err), COT_UPSERT);
    CHECK_INT(cc, u.stale_after_s, 1);
}

static void test_kinds(struct check_counts *cc)
{
    static const char del[] =
        "<event version=\"2.0\" uid=\"del-1\" type=\"t-x-d-d\" time=\"" T0 "\" start=\"" T0
        "\" stale=\"" T1 "\" how=\"h-g-i-g-o\"><point lat=\"0\" lon=\"0\" hae=\"0\" "
        "ce=\"9999999\" le=\"9999999\"/><detail><link uid=\"ANDROID-1\" relation=\"none\" "
        "type=\"a-f-G\"/><__forcedelete/></detail></event>";
    static const char chat[] =
        "<event version=\"2.0\" uid=\"GeoChat.x\" type=\"b-t-f\" time=\"" T0 "\" start=\""
        T0 "\" stale=\"" T1 "\" how=\"h-g-i-g-o\"><point lat=\"1\" lon=\"2\" hae=\"0\" "
        "ce=\"9999999\" le=\"9999999\"/></event>";
    static const char noce[] =
        "<event version=\"2.0\" uid=\"U2\" type=\"a-h-A\" time=\"" T0 "\" start=\"" T0
        "\" stale=\"" T1 "\" how=\"m-g\"><point lat=\"1\" lon=\"2\" hae=\"0\" "
        "ce=\"9999999\" le=\"9999999\"/></event>";
    struct cot_event ev;
    struct ovl_unit_data u;
    unsigned set;
    char err[OVL_ERR_MAX];
    static const char frac[] =
        "<event uid=\"f\" type=\"a-f\" time=\"2026-12-05T10:00:00.25+01:00\" "
        "stale=\"" T1 "\"></event>";
    CHECK_INT(cc, cot_parse(frac, strlen(frac), &ev, err, sizeof err), 0);
    CHECK_INT(cc, ev.time_ms, (ev.time_s * 1000) + 250);
    CHECK_INT(cc, cot_parse(del, strlen(del), &ev, err, sizeof err), 0);
    CHECK_INT(cc, cot_to_unit(&ev, ev.time_s, &u, &set, err, sizeof err), COT_DELETE);
    CHECK_STR(cc, u.id, "ANDROID-1");
    CHECK_INT(cc, cot_parse(chat, strlen(chat), &ev, err, sizeof err), 0);
    CHECK_INT(cc, cot_to_unit(&ev, ev.time_s, &u, &set, err, sizeof err), COT_NOT_DRAWN);
    CHECK_INT(cc, cot_parse(noce, strlen(noce), &ev, err, sizeof err), 0);
    CHECK_INT(cc, cot_to_unit(&ev, ev.time_s, &u, &set, err, sizeof err), COT_UPSERT);
    CHECK(cc, !(set & (OVL_UNIT_CE | OVL_UNIT_LABEL | OVL_UNIT_HEADING)), "no ce/label");
    CHECK_STR(cc, u.id, "U2");
}

static const struct {
    const char *xml;
    int rc;
    const char *err_has;
} bad[] = {
    {"<event uid=\"a\" type=\"a-f\"", -EINVAL, "XML:"},
    {"<event uid=\"a\" type=\"a-f\" time=\"" T0 "\" stale=\"" T1 "\"><point/></event>",
     -EINVAL, "point"},
    {"<event type=\"a-f\" time=\"" T0 "\" stale=\"" T1 "\"/>", -EINVAL, "uid"},
    {"<event uid=\"a\" type=\"a-f\" time=\"yesterday\" stale=\"" T1 "\"/>", -EINVAL, "time"},
    {"<chat/>", -EINVAL, "root element"},
    {"", -EINVAL, "XML:"},
    {"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
     "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><event uid=\"&lol2;\"/>",
     -EPERM, "DOCTYPE"},
    {"<!DOCTYPE e SYSTEM \"file:///etc/passwd\"><event/>", -EPERM, "DOCTYPE"},
    {"\xbf\x01\xbf\x12\x04\x08\x01", -EPROTONOSUPPORT, "TAK Protocol"},
};

static void test_bad(struct check_counts *cc)
{
    struct cot_event ev;
    char err[OVL_ERR_MAX];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        int rc = cot_parse(bad[i].xml, strlen(bad[i].xml), &ev, err, sizeof err);
        CHECK(cc, rc == bad[i].rc, "bad[%zu]: rc %d, want %d (%s)", i, rc, bad[i].rc, err);
        CHECK(cc, strstr(err, bad[i].err_has) != NULL, "bad[%zu]: \"%s\" lacks \"%s\"", i,
              err, bad[i].err_has);
    }
    /* 10 MB event; 1,000 levels deep */
    size_t big = 10u << 20;
    char *buf = malloc(big + 1);
    memset(buf, ' ', big);
    memcpy(buf, "<event>", 7);
    CHECK_INT(cc, cot_parse(buf, big, &ev, err, sizeof err), -E2BIG);
    size_t n = 0;
    n += (size_t)sprintf(buf, "<event uid=\"d\" type=\"a-f\" time=\"" T0 "\" stale=\"" T1 "\">");
    for (int i = 0; i < 1000; i++)
        n += (size_t)sprintf(buf + n, "<d>");
    CHECK_INT(cc, cot_parse(buf, n, &ev, err, sizeof err), -ELOOP);
    free(buf);
}

struct seen {
    int events, too_big, tak, junk;
    char last_uid[OVL_UNIT_UID_MAX + 1];
};

static void on_chunk(void *opaque, enum cot_chunk kind, const char *data, size_t len)
{
    struct seen *s = opaque;
    struct cot_event ev;
    char err[OVL_ERR_MAX];
    if (kind == COT_CHUNK_EVENT && cot_parse(data, len, &ev, err, sizeof err) == 0) {
        s->events++;
        strcpy(s->last_uid, ev.uid);
    }
    s->too_big += kind == COT_CHUNK_TOO_BIG;
    s->tak += kind == COT_CHUNK_TAK;
    s->junk += kind == COT_CHUNK_JUNK;
}

static void test_split(struct check_counts *cc)
{
    struct cot_split sp;
    struct seen s = {0};
    /* three events back to back, then byte by byte */
    CHECK_INT(cc, cot_split_init(&sp, 0), 0);
    char stream[8192];
    snprintf(stream, sizeof stream, "%s\n%s%s", atak, atak, atak);
    cot_split_feed(&sp, stream, strlen(stream), on_chunk, &s);
    CHECK_INT(cc, s.events, 3);
    for (size_t i = 0; i < strlen(stream); i++)
        cot_split_feed(&sp, stream + i, 1, on_chunk, &s);
    CHECK_INT(cc, s.events, 6);
    /* half an event: held, nothing emitted; the rest completes it */
    cot_split_feed(&sp, atak, 100, on_chunk, &s);
    CHECK_INT(cc, s.events, 6);
    CHECK_INT(cc, cot_split_pending(&sp), 100);
    cot_split_feed(&sp, atak + 100, strlen(atak) - 100, on_chunk, &s);
    CHECK_INT(cc, s.events, 7);
    CHECK_INT(cc, cot_split_pending(&sp), 0);
    /* a TAK v1 stream message (0xbf, varint 300, 300 bytes) between events */
    char tak[303] = {(char)0xbf, (char)0xac, 0x02};
    memset(tak + 3, '<', 300);
    cot_split_feed(&sp, tak, sizeof tak, on_chunk, &s);
    cot_split_feed(&sp, atak, strlen(atak), on_chunk, &s);
    CHECK_INT(cc, s.tak, 1);
    CHECK_INT(cc, s.events, 8);
    /* a 10 MB event streams past in 64 kB reads, never buffered; the next
     * event still arrives */
    size_t big = 10u << 20;
    char *buf = malloc(big);
    memset(buf, 'x', big);
    memcpy(buf, "<event uid=\"big\">", 17);
    memcpy(buf + big - 8, "</event>", 8);
    for (size_t off = 0; off < big; off += 65536)
        cot_split_feed(&sp, buf + off, big - off < 65536 ? big - off : 65536, on_chunk, &s);
    CHECK_INT(cc, s.too_big, 1);
    CHECK(cc, sp.cap <= COT_EVENT_MAX + 16, "buffer bounded");
    cot_split_feed(&sp, "garbage", 7, on_chunk, &s);
    cot_split_feed(&sp, atak, strlen(atak), on_chunk, &s);
    CHECK_INT(cc, s.events, 9);
    CHECK_INT(cc, s.junk, 1);
    free(buf);
    cot_split_uninit(&sp);
}

static void test_specs(struct check_counts *cc)
{
    struct cot_spec sp;
    char err[300];
    CHECK_INT(cc, cot_spec_parse("udp:239.2.3.1:6969", &sp, err, sizeof err), 0);
    CHECK(cc, sp.kind == COT_SPEC_UDP && sp.port == 6969, "udp");
    CHECK_STR(cc, sp.host, "239.2.3.1");
    CHECK_INT(cc, cot_spec_parse("tcp:takserver.example:8087", &sp, err, sizeof err), 0);
    CHECK(cc, sp.kind == COT_SPEC_TCP, "tcp");
    CHECK_INT(cc, cot_spec_parse("tcp-listen:[::1]:4242", &sp, err, sizeof err), 0);
    CHECK(cc, sp.kind == COT_SPEC_TCP_LISTEN && sp.port == 4242, "listen");
    CHECK_STR(cc, sp.host, "::1");
    static const char *const bad_specs[] = {"239.2.3.1:6969", "udp:239.2.3.1", "udp::6969",
                                      "tcp:h:0", "tcp:h:65536", "tcp:h:80x", "sctp:h:1"};
    for (size_t i = 0; i < sizeof bad_specs / sizeof bad_specs[0]; i++)
        CHECK(cc, cot_spec_parse(bad_specs[i], &sp, err, sizeof err) == -EINVAL, "spec %s",
              bad_specs[i]);

    struct cot_cidr nets[3];
    CHECK_INT(cc, cot_cidr_parse("10.20.0.0/16", &nets[0]), 0);
    CHECK_INT(cc, cot_cidr_parse("192.168.1.7", &nets[1]), 0);
    CHECK_INT(cc, cot_cidr_parse("fd00::/8", &nets[2]), 0);
    CHECK_INT(cc, cot_cidr_parse("10.0.0.0/33", &nets[0]), -EINVAL);
    CHECK_INT(cc, cot_cidr_parse("ten/8", &nets[0]), -EINVAL);
    cot_cidr_parse("10.20.0.0/16", &nets[0]);
    struct sockaddr_in a4 = {.sin_family = AF_INET};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET, "10.20.255.1", &a4.sin_addr);
    CHECK(cc, cot_cidr_match(nets, 3, (struct sockaddr *)&a4), "10.20.255.1 in");
    inet_pton(AF_INET, "10.21.0.1", &a4.sin_addr);
    CHECK(cc, !cot_cidr_match(nets, 3, (struct sockaddr *)&a4), "10.21.0.1 out");
    inet_pton(AF_INET, "192.168.1.7", &a4.sin_addr);
    CHECK(cc, cot_cidr_match(nets, 3, (struct sockaddr *)&a4), "host /32");
    inet_pton(AF_INET6, "::ffff:10.20.1.1", &a6.sin6_addr);
    CHECK(cc, cot_cidr_match(nets, 3, (struct sockaddr *)&a6), "v4-mapped");
    inet_pton(AF_INET6, "fd12::1", &a6.sin6_addr);
    CHECK(cc, cot_cidr_match(nets, 3, (struct sockaddr *)&a6), "fd12::1 in fd00::/8");
    inet_pton(AF_INET6, "fe80::1", &a6.sin6_addr);
    CHECK(cc, !cot_cidr_match(nets, 3, (struct sockaddr *)&a6), "fe80::1 out");
}

int main(void)
{
    struct check_counts cc = {0};
    test_specs(&cc);
    test_atak_event(&cc);
    test_kinds(&cc);
    test_bad(&cc);
    test_split(&cc);
    return check_report(&cc);
}
