/*
 * test_audit.c - the audit log through the real module and real files: the
 * line format, continuing the chain across reopenings, what audit_verify
 * names for each kind of tampering (edit, removal, insertion, swap, a crash
 * mid-record), the writer's recovery after a crash, concurrent producers,
 * a full queue, credential stripping, the builders, and the file mode.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/mem.h>
#include <libavutil/sha.h>

#include "audit/audit.h"
#include "audit/audit_priv.h"
#include "base/log.h"
#include "check.h"

static char tmpdir[64];

/* A path in the scratch directory (static buffer, one at a time per slot). */
static const char *tmp_path(const char *name, int slot)
{
    static char buf[4][256];
    snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", tmpdir, name);
    return buf[slot];
}

/* A file's lines (without newlines), and whether the last one had one. */
struct lines {
    char **v;
    int n, cap;
    bool last_nl;
};

static void lines_free(struct lines *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    *l = (struct lines){.n = 0};
}

/* Makes room for one more line (and one to insert); exits if it cannot. */
static void lines_grow(struct lines *l)
{
    if (l->n + 2 <= l->cap)
        return;
    l->cap = l->cap ? 2 * l->cap : 64;
    if (!(l->v = realloc(l->v, sizeof(*l->v) * (size_t)l->cap)))
        abort();
}

static int read_lines(const char *path, struct lines *l)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    *l = (struct lines){.last_nl = true};
    while (f && (n = getline(&buf, &cap, f)) > 0) {
        l->last_nl = buf[n - 1] == '\n';
        buf[n - l->last_nl] = '\0';
        lines_grow(l);
        l->v[l->n++] = strdup(buf);
    }
    free(buf);
    if (f)
        fclose(f);
    return l->n;
}

/* Writes lines, with a newline after each except (if !last_nl) the last. */
static void write_lines(const char *path, char *const *v, int n, bool last_nl)
{
    FILE *f = fopen(path, "w");
    for (int i = 0; f && i < n; i++)
        fprintf(f, "%s%s", v[i], i < n - 1 || last_nl ? "\n" : "");
    if (f)
        fclose(f);
}

/* Runs audit_verify; returns its result and the report's first line in
 * first (and the whole report in all, if not NULL). */
static int verify(const char *path, char *first, size_t n, char **all)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    int ret = audit_verify(path, out);
    fclose(out);
    size_t len = strcspn(buf, "\n");
    snprintf(first, n, "%.*s", (int)len, buf);
    if (all)
        *all = buf;
    else
        free(buf);
    return ret;
}

static struct audit *open_log(struct check_counts *cc, const char *path)
{
    int err = 0;
    struct audit *a = audit_open(path, NULL, &err);
    CHECK(cc, a != NULL, "audit_open(%s): %s", path, strerror(-err));
    return a;
}

/* Writes n records (n >= 3) through the builders into a new log at path:
 * program_start, layout, visible cam-3 ... cam-(n-1), program_stop. */
static void make_log(struct check_counts *cc, const char *path, int n)
{
    unlink(path);
    struct audit *a = open_log(cc, path);
    if (!a)
        return;
    CHECK_INT(cc, audit_program_start(a, "0.1.0", "walls/a.json"), 0);
    CHECK_INT(cc, audit_layout(a, "walls/a.json", NULL, "loaded"), 0);
    for (int i = 3; i < n; i++) {
        char feed[32];
        snprintf(feed, sizeof(feed), "cam-%d", i);
        int64_t t = 1714566896789000 + (int64_t)i * 1000000;
        CHECK_INT(cc, audit_visible(a, feed, "main", i % 4, t, t + 500000), 0);
    }
    CHECK_INT(cc, audit_program_stop(a, "test"), 0);
    audit_close(a);
}

/* The line format, mode 0600, and the chain continued by a reopening. */
static void test_format_and_reopen(struct check_counts *cc)
{
    const char *path = tmp_path("format.log", 0);
    make_log(cc, path, 10);
    struct stat st;
    CHECK(cc, stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
          "mode %03o, want 600", (unsigned)(st.st_mode & 0777));
    struct audit *a = open_log(cc, path);
    for (int i = 0; a && i < 10; i++)
        CHECK_INT(cc, audit_mask_restored(a, "north"), 0);
    audit_close(a);

    struct lines l;
    CHECK_INT(cc, read_lines(path, &l), 20);
    const char *zeros = "0000000000000000000000000000000000000000000000000000000000000000";
    char want[256];
    CHECK(cc, strncmp(l.v[0], "{\"seq\":1,\"time\":\"", 17) == 0, "line 1: %s", l.v[0]);
    const char *t = l.v[0] + 17; /* 2024-05-01T12:34:56.789Z */
    CHECK(cc, strlen(t) > 24 && t[4] == '-' && t[10] == 'T' && t[19] == '.' &&
          t[23] == 'Z' && t[24] == '"', "time in line 1: %.26s", t);
    CHECK(cc, strstr(l.v[0], "\",\"event\":\"program_start\",\"version\":\"0.1.0\","
                             "\"layout\":\"walls/a.json\",\"pid\":") != NULL,
          "line 1: %s", l.v[0]);
    snprintf(want, sizeof(want), ",\"prev\":\"%s\"}", zeros);
    CHECK(cc, strlen(l.v[0]) > strlen(want) &&
          strcmp(l.v[0] + strlen(l.v[0]) - strlen(want), want) == 0, "line 1 ends: %s", l.v[0]);
    CHECK(cc, strstr(l.v[3], "\"event\":\"visible\",\"feed\":\"cam-4\",\"output\":\"main\","
                             "\"tile\":0,\"from\":\"2024-05-01T12:35:00.789Z\","
                             "\"to\":\"2024-05-01T12:35:01.289Z\",\"prev\":\"") != NULL,
          "line 4: %s", l.v[3]);
    CHECK(cc, strchr(l.v[5], ' ') == NULL, "no spaces: %s", l.v[5]);
    /* line 11 (the first after the reopening) goes on from line 10 */
    struct AVSHA *sha = av_sha_alloc();
    struct audit__rec r10, r11;
    char hex[AUDIT__HEX_LEN + 1];
    audit__parse(sha, l.v[9], strlen(l.v[9]), 10, true, &r10);
    audit__parse(sha, l.v[10], strlen(l.v[10]), 11, true, &r11);
    CHECK(cc, r11.parsed && r11.seq == 11 && audit__linked(&r10, &r11),
          "line 11 continues line 10: %s", l.v[10]);
    audit__hex(r10.hash, hex);
    snprintf(want, sizeof(want), "\"prev\":\"%s\"}", hex);
    CHECK(cc, strstr(l.v[10], want) != NULL, "line 11 prev: %s", l.v[10]);
    av_free(sha);
    lines_free(&l);
    char first[512];
    CHECK_INT(cc, verify(path, first, sizeof(first), NULL), 0);
    CHECK_STR(cc, first, "audit: 20 records, chain intact");
}

/* One tampering: how to change the lines, and the report's first line. */
struct tamper {
    const char *name;
    void (*apply)(struct lines *l);
    int want_ret;
    const char *want;
    int holds; /* the line the chain holds up to (the last record known good;
                  0: no such line is printed) */
};

static void swap_lines(struct lines *l, int a, int b)
{
    char *t = l->v[a - 1];
    l->v[a - 1] = l->v[b - 1];
    l->v[b - 1] = t;
}

static void delete_line(struct lines *l, int k)
{
    free(l->v[k - 1]);
    memmove(&l->v[k - 1], &l->v[k], sizeof(char *) * (size_t)(l->n - k));
    l->n--;
}

/* Inserts s as line k (owning it). */
static void insert_line(struct lines *l, int k, char *s)
{
    lines_grow(l);
    memmove(&l->v[k], &l->v[k - 1], sizeof(char *) * (size_t)(l->n - k + 1));
    l->v[k - 1] = s;
    l->n++;
}

/* Replaces the first from in line k by to. */
static void edit_line(struct lines *l, int k, const char *from, const char *to)
{
    char *s = l->v[k - 1], *at = strstr(s, from);
    if (!at)
        return;
    char *n = malloc(strlen(s) + strlen(to) + 1);
    sprintf(n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    free(s);
    l->v[k - 1] = n;
}

static void t_edit_field(struct lines *l) { edit_line(l, 7, "cam-7", "cam-9"); }
static void t_delete(struct lines *l) { delete_line(l, 12); }
static void t_delete_first(struct lines *l) { delete_line(l, 1); }
static void t_delete_three(struct lines *l)
{
    for (int i = 0; i < 3; i++)
        delete_line(l, 10);
}
static void t_insert_copy(struct lines *l) { insert_line(l, 16, strdup(l->v[2])); }
static void t_duplicate(struct lines *l) { insert_line(l, 9, strdup(l->v[7])); }
static void t_insert_blank(struct lines *l) { insert_line(l, 6, strdup("")); }
static void t_swap_adjacent(struct lines *l) { swap_lines(l, 5, 6); }
static void t_swap_far(struct lines *l) { swap_lines(l, 4, 9); }
static void t_edit_prev(struct lines *l)
{
    char *p = strstr(l->v[9], "\"prev\":\"") + 8;
    *p = *p == 'f' ? 'e' : 'f';
}
static void t_edit_seq(struct lines *l) { edit_line(l, 10, "{\"seq\":10,", "{\"seq\":99,"); }
static void t_garbage(struct lines *l)
{
    free(l->v[13]);
    l->v[13] = strdup("hello");
}
static void t_truncate(struct lines *l)
{
    l->v[l->n - 1][strlen(l->v[l->n - 1]) / 2] = '\0';
    l->last_nl = false;
}
static void t_drop_last(struct lines *l) { delete_line(l, l->n); }

static const struct tamper tampers[] = {
    {"edit a field", t_edit_field, 1,
     "audit: record 7 (line 7, seq 7) was altered: its hash is not the prev of line 8 (seq 8)", 6},
    {"delete a line", t_delete, 1,
     "audit: record 12 (line 12, seq 12) was removed: line 12 holds seq 13 after line 11 "
     "(seq 11), and its prev does not link to it", 11},
    {"delete the first line", t_delete_first, 1,
     "audit: record 1 (line 1, seq 1) was removed: line 1 holds seq 2 after the start of "
     "the log, and its prev does not link to it", 0},
    {"delete three lines", t_delete_three, 1,
     "audit: records 10-12 (line 10, seq 10-12) were removed: line 10 holds seq 13 after "
     "line 9 (seq 9)", 9},
    {"insert a copied line", t_insert_copy, 1,
     "audit: record 16 (line 16, seq 3) was inserted: without it line 15 (seq 15) is "
     "followed by line 17 (seq 16)", 15},
    {"duplicate a line", t_duplicate, 1,
     "audit: record 9 (line 9, seq 8) was inserted: without it line 8 (seq 8) is "
     "followed by line 10 (seq 9)", 8},
    {"insert a blank line", t_insert_blank, 1,
     "audit: record 6 (line 6, seq ?) was inserted: without it line 5 (seq 5) is "
     "followed by line 7 (seq 6)", 5},
    {"swap adjacent lines", t_swap_adjacent, 1,
     "audit: record 5 (line 5, seq 6) was moved: seq 5 should come here and is at line 6", 4},
    {"swap distant lines", t_swap_far, 1,
     "audit: record 4 (line 4, seq 9) was moved: seq 4 should come here and is at line 9", 3},
    {"edit a prev", t_edit_prev, 1,
     "audit: record 10 (line 10, seq 10) was altered: its prev is not the hash of line 9, "
     "and its own hash is not the prev of line 11", 9},
    {"edit a seq", t_edit_seq, 1,
     "audit: record 10 (line 10, seq 99) was altered: its seq should be 10 (its prev is "
     "the hash of line 9 (seq 9))", 9},
    {"replace a line by garbage", t_garbage, 1,
     "audit: record 14 (line 14, seq ?) was altered: it is not a record (not JSON)", 13},
    {"cut the last line (a crash)", t_truncate, 1,
     "audit: record 20 (line 20, seq 20) is incomplete: the log ends in the middle of it "
     "(a crash while writing, or the file was cut)", 19},
    /* what a chain alone cannot see: the end cut at a line boundary */
    {"drop the last line", t_drop_last, 0, "audit: 19 records, chain intact", 0},
};

static void test_tampering(struct check_counts *cc)
{
    const char *orig = tmp_path("orig.log", 0), *bad = tmp_path("bad.log", 1);
    make_log(cc, orig, 20);
    for (size_t i = 0; i < sizeof(tampers) / sizeof(*tampers); i++) {
        const struct tamper *t = &tampers[i];
        struct lines l;
        CHECK_INT(cc, read_lines(orig, &l), 20);
        t->apply(&l);
        write_lines(bad, l.v, l.n, l.last_nl);
        lines_free(&l);
        char first[512], holds[96], *all = NULL;
        int ret = verify(bad, first, sizeof(first), &all);
        CHECK(cc, ret == t->want_ret, "%s: verify returned %d, want %d", t->name, ret,
              t->want_ret);
        CHECK(cc, strcmp(first, t->want) == 0, "%s:\n  got  %s\n  want %s", t->name,
              first, t->want);
        snprintf(holds, sizeof(holds), "\naudit: the chain holds up to line %d (seq %d, ",
                 t->holds, t->holds);
        CHECK(cc, t->holds ? strstr(all, holds) != NULL : !strstr(all, "holds up to"),
              "%s: want the chain to hold up to line %d:\n%s", t->name, t->holds, all);
        free(all);
    }
}

/* A log cut mid-record by a crash: the next audit_open ends the line, notes
 * it, and the chain goes on; verify accepts the noted cut. */
static void test_crash_recovery(struct check_counts *cc)
{
    const char *path = tmp_path("crash.log", 0);
    make_log(cc, path, 20);
    struct lines l;
    read_lines(path, &l);
    t_truncate(&l);
    write_lines(path, l.v, l.n, false);
    lines_free(&l);
    struct audit *a = open_log(cc, path);
    CHECK_INT(cc, audit_program_start(a, "0.1.0", "walls/a.json"), 0);
    CHECK_INT(cc, audit_program_stop(a, "test"), 0);
    audit_close(a);
    char first[512], *all = NULL;
    CHECK_INT(cc, verify(path, first, sizeof(first), &all), 0);
    CHECK_STR(cc, first, "audit: note: line 20 is a record cut by a crash (seq 20); "
                         "the writer noted it at line 21 (seq 20)");
    CHECK(cc, strstr(all, "\naudit: 22 records, chain intact\naudit: last record: "
                          "line 23, seq 22, hash ") != NULL, "report: %s", all);
    free(all);
    read_lines(path, &l);
    CHECK(cc, l.n == 23 && strstr(l.v[20], "\"event\":\"audit_chain_broken\","
                                  "\"reason\":\"incomplete record\",\"after_seq\":19,") != NULL,
          "line 21: %s", l.n > 20 ? l.v[20] : "(none)");
    lines_free(&l);
    /* the noted cut is no break the next time the log is opened */
    a = open_log(cc, path);
    CHECK_INT(cc, audit_program_stop(a, "again"), 0);
    audit_close(a);
    CHECK_INT(cc, read_lines(path, &l), 24);
    CHECK(cc, l.n == 24 && strstr(l.v[23], "\"event\":\"program_stop\""),
          "line 24: %s", l.n == 24 ? l.v[23] : "(none)");
    lines_free(&l);
}

/* Records longer than the 64 KiB first read of the tail, and the zeros a
 * power loss can leave at the end of a file. */
static void test_long_records_and_zeros(struct check_counts *cc)
{
    const char *path = tmp_path("long.log", 0);
    unlink(path);
    char *big = malloc(50000);
    memset(big, 'x', 49999);
    big[49999] = '\0';
    for (int round = 0; round < 3; round++) {
        struct audit *a = open_log(cc, path);
        for (int i = 0; a && i < 3; i++) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "note", big);
            CHECK_INT(cc, audit_record(a, "test", f, false), 0);
        }
        audit_close(a);
    }
    free(big);
    char first[512];
    CHECK_INT(cc, verify(path, first, sizeof(first), NULL), 0);
    CHECK_STR(cc, first, "audit: 9 records, chain intact");

    FILE *f = fopen(path, "a");
    for (int i = 0; i < 100; i++)
        fputc('\0', f);
    fclose(f);
    CHECK_INT(cc, verify(path, first, sizeof(first), NULL), 1);
    CHECK_STR(cc, first, "audit: record 10 (line 10, seq ?) is incomplete: the log ends "
                         "in the middle of it (a crash while writing, or the file was cut)");
    struct audit *a = open_log(cc, path);
    audit_close(a);
    CHECK_INT(cc, verify(path, first, sizeof(first), NULL), 0);
    CHECK_STR(cc, first, "audit: note: line 10 is a record cut by a crash (seq ?); "
                         "the writer noted it at line 11 (seq 10)");
}

/* Reopening a log whose end was tampered with: it appends, notes it, and
 * verify still names the tampering. */
static void test_reopen_broken(struct check_counts *cc)
{
    const char *path = tmp_path("broken.log", 0);
    make_log(cc, path, 20);
    struct lines l;
    read_lines(path, &l);
    t_edit_field(&l);
    write_lines(path, l.v, l.n, true);
    lines_free(&l);
    struct audit *a = open_log(cc, path);
    audit_close(a);
    read_lines(path, &l);
    CHECK(cc, l.n == 21 && strstr(l.v[20], "\"event\":\"audit_chain_broken\",\"reason\":"
                                  "\"chain broken at the end of the log\",\"after_seq\":20,"),
          "line 21: %s", l.n > 20 ? l.v[20] : "(none)");
    lines_free(&l);
    char first[512];
    CHECK_INT(cc, verify(path, first, sizeof(first), NULL), 1);
    CHECK_STR(cc, first, tampers[0].want);
}

/* What audit_open and audit_verify refuse. */
static void test_refusals(struct check_counts *cc)
{
    const char *path = tmp_path("other.txt", 0);
    FILE *f = fopen(path, "w");
    fputs("hello world\nnot a log\nat all\n", f);
    fclose(f);
    int err = 0;
    CHECK(cc, audit_open(path, NULL, &err) == NULL && err == -EINVAL,
          "a non-log file: err %d", err);
    const char *log = tmp_path("busy.log", 1);
    unlink(log);
    struct audit *a = open_log(cc, log);
    CHECK(cc, audit_open(log, NULL, &err) == NULL && err == -EBUSY,
          "a log in use: err %d", err);
    CHECK_INT(cc, audit_record(a, "Bad-Name", NULL, false), -EINVAL);
    CHECK_INT(cc, audit_record(a, "", NULL, false), -EINVAL);
    CHECK_INT(cc, audit_record(a, "x", cJSON_CreateArray(), false), -EINVAL);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "seq", 5);
    CHECK_INT(cc, audit_record(a, "x", o, false), -EINVAL);
    CHECK_INT(cc, audit_layout(a, "a.json", NULL, "deleted"), -EINVAL);
    CHECK_INT(cc, audit_visible(a, NULL, "main", 0, 1, 2), -EINVAL);
    CHECK_INT(cc, audit_visible(NULL, "north", "main", 0, 1, 2), 0);
    CHECK_INT(cc, audit_record(NULL, "x", cJSON_CreateObject(), true), 0);
    audit_close(a);
    audit_close(NULL);
    char first[512];
    CHECK_INT(cc, verify(log, first, sizeof(first), NULL), 0);
    CHECK_STR(cc, first, "audit: 0 records, chain intact");
    CHECK_INT(cc, audit_verify(tmp_path("missing.log", 2), stdout), -ENOENT);
}

/* Credentials never reach the file. */
static void test_secrets(struct check_counts *cc)
{
    static const struct {
        const char *name;
        bool secret;
    } names[] = {
        {"password", true}, {"api_key", true}, {"authToken", true}, {"X-Auth", true},
        {"APIKey", true}, {"client-secret", true}, {"token2", true}, {"Cookie", true},
        {"keyframe", false}, {"author", false}, {"signal", false}, {"passage", false},
        {"feed", false}, {"uid", false}, {"monkey", false}, {"", false},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
        CHECK(cc, audit_field_is_secret(names[i].name) == names[i].secret,
              "audit_field_is_secret(\"%s\") != %d", names[i].name, names[i].secret);

    const char *path = tmp_path("secrets.log", 0);
    unlink(path);
    struct audit *a = open_log(cc, path);
    cJSON *f = cJSON_Parse(
        "{\"password\":\"hunter2\",\"api_key\":\"k123\",\"authToken\":{\"v\":\"t456\"},"
        "\"nested\":{\"X-Auth\":\"xauthval\",\"keyframe\":5},\"list\":[{\"secret\":\"s0s0\"}],"
        "\"source\":\"rtsp://admin:pw@cam/x?token=tokval9&ch=1\",\"author\":\"bob\"}");
    CHECK_INT(cc, audit_record(a, "test", f, true), 0);
    CHECK_INT(cc, audit_command(a, "show", 1000, NULL, "tile 2 shows http://u:p@cam/x"), 0);
    audit_close(a);
    struct lines l;
    CHECK_INT(cc, read_lines(path, &l), 2);
    const char *leaks[] = {"hunter2", "k123", "t456", "xauthval", "s0s0", "admin", ":pw@",
                           "tokval9", "u:p@"};
    for (size_t i = 0; i < sizeof(leaks) / sizeof(*leaks); i++)
        for (int k = 0; k < l.n; k++)
            CHECK(cc, !strstr(l.v[k], leaks[i]), "\"%s\" leaked: %s", leaks[i], l.v[k]);
    CHECK(cc, l.n == 2 && strstr(l.v[0],
              "\"event\":\"test\",\"password\":\"[redacted]\",\"api_key\":\"[redacted]\","
              "\"authToken\":\"[redacted]\",\"nested\":{\"X-Auth\":\"[redacted]\","
              "\"keyframe\":5},\"list\":[{\"secret\":\"[redacted]\"}],"
              "\"source\":\"rtsp://***@cam/x?token=***&ch=1\",\"author\":\"bob\",\"prev\":"),
          "line 1: %s", l.v[0]);
    CHECK(cc, l.n == 2 && strstr(l.v[1], "\"event\":\"command\",\"type\":\"show\","
                                 "\"uid\":1000,\"peer\":null,\"summary\":\"tile 2 shows "
                                 "http://***@cam/x\",\"prev\":"), "line 2: %s", l.v[1]);
    lines_free(&l);
}

/* Every builder's event and fields. */
static void test_builders(struct check_counts *cc)
{
    const char *path = tmp_path("builders.log", 0);
    unlink(path);
    struct audit *a = open_log(cc, path);
    int64_t t = 1714566896789000;
    CHECK_INT(cc, audit_layout(a, "a.json", "night", "switched"), 0);
    CHECK_INT(cc, audit_mask_lifted(a, "north", "op7", "incident 12", t), 0);
    CHECK_INT(cc, audit_mask_lifted(a, "north", "op7", "incident 12", 0), 0);
    CHECK_INT(cc, audit_mask_restored(a, "north"), 0);
    CHECK_INT(cc, audit_consent_refused(a, "lobby", "C-17", "expired"), 0);
    CHECK_INT(cc, audit_command(a, "view", -1, "127.0.0.1:4242", "view night"), 0);
    CHECK_INT(cc, audit_program_stop(a, "signal"), 0);
    audit_close(a);
    static const char *const want[] = {
        "\"event\":\"layout\",\"action\":\"switched\",\"path\":\"a.json\",\"view\":\"night\",",
        "\"event\":\"mask_lifted\",\"feed\":\"north\",\"by\":\"op7\",\"reason\":\"incident 12\","
        "\"until\":\"2024-05-01T12:34:56.789Z\",",
        "\"event\":\"mask_lifted\",\"feed\":\"north\",\"by\":\"op7\",\"reason\":\"incident 12\","
        "\"until\":null,",
        "\"event\":\"mask_restored\",\"feed\":\"north\",",
        "\"event\":\"consent_refused\",\"feed\":\"lobby\",\"ref\":\"C-17\",\"why\":\"expired\",",
        "\"event\":\"command\",\"type\":\"view\",\"uid\":null,\"peer\":\"127.0.0.1:4242\","
        "\"summary\":\"view night\",",
        "\"event\":\"program_stop\",\"reason\":\"signal\",",
    };
    struct lines l;
    CHECK_INT(cc, read_lines(path, &l), 7);
    for (int i = 0; i < l.n && i < 7; i++)
        CHECK(cc, strstr(l.v[i], want[i]) != NULL, "line %d: %s\n  want %s", i + 1,
              l.v[i], want[i]);
    lines_free(&l);
    char buf[32];
    audit__format_time(0, buf);
    CHECK_STR(cc, buf, "1970-01-01T00:00:00.000Z");
    audit__format_time(-1, buf);
    CHECK_STR(cc, buf, "1969-12-31T23:59:59.999Z");
    audit__format_time(t, buf);
    CHECK_STR(cc, buf, "2024-05-01T12:34:56.789Z");
}

#define THREADS 4

struct producer {
    struct audit *a;
    int id, n, accepted, lost;
};

static void *produce(void *arg)
{
    struct producer *p = arg;
    for (int i = 0; i < p->n; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "thread", p->id);
        cJSON_AddNumberToObject(f, "i", i);
        int r = audit_record(p->a, "test", f, i % 500 == 0);
        p->accepted += r == 0;
        p->lost += r == -ENOBUFS;
    }
    return NULL;
}

/* Checks a concurrent log: seq 1..n, each thread's records in order, each
 * accepted one once, losses accounted for; returns the records lost. */
static int check_concurrent(struct check_counts *cc, const char *path,
                             const struct producer *p)
{
    struct lines l;
    read_lines(path, &l);
    int next[THREADS] = {0}, seen = 0, lost = 0, want_seen = 0, want_lost = 0;
    bool order = true, seq_ok = true;
    for (int k = 0; k < l.n; k++) {
        cJSON *o = cJSON_Parse(l.v[k]);
        const cJSON *ev = cJSON_GetObjectItem(o, "event");
        seq_ok &= cJSON_GetObjectItem(o, "seq")->valuedouble == k + 1;
        if (cJSON_IsString(ev) && strcmp(ev->valuestring, "test") == 0) {
            int t = cJSON_GetObjectItem(o, "thread")->valueint;
            int i = cJSON_GetObjectItem(o, "i")->valueint;
            order &= t >= 0 && t < THREADS && i >= next[t];
            if (t >= 0 && t < THREADS)
                next[t] = i + 1;
            seen++;
        } else if (cJSON_IsString(ev) && strcmp(ev->valuestring, "audit_overflow") == 0) {
            lost += cJSON_GetObjectItem(o, "lost")->valueint;
        }
        cJSON_Delete(o);
    }
    for (int t = 0; t < THREADS; t++) {
        want_seen += p[t].accepted;
        want_lost += p[t].lost;
    }
    CHECK(cc, seq_ok, "seq is not 1, 2, 3, ... by line");
    CHECK(cc, order, "a thread's records are out of order");
    CHECK_INT(cc, seen, want_seen);
    CHECK_INT(cc, lost, want_lost);
    CHECK_INT(cc, seen + lost, THREADS * p[0].n);
    if (want_lost)
        printf("concurrent: %d of %d records lost to a full queue (counted)\n",
               want_lost, THREADS * p[0].n);
    lines_free(&l);
    return want_lost;
}

/* 4 threads recording at once: first fewer records than the queue holds
 * (none may be lost), then a flood (losses allowed, but each counted). */
static void test_concurrent(struct check_counts *cc)
{
    for (int flood = 0; flood < 2; flood++) {
        const char *path = tmp_path("threads.log", 0);
        unlink(path);
        struct audit *a = open_log(cc, path);
        struct producer p[THREADS];
        pthread_t th[THREADS];
        for (int t = 0; t < THREADS; t++) {
            p[t] = (struct producer){.a = a, .id = t,
                                     .n = flood ? 5000 : AUDIT_QUEUE_MAX / THREADS};
            pthread_create(&th[t], NULL, produce, &p[t]);
        }
        for (int t = 0; t < THREADS; t++)
            pthread_join(th[t], NULL);
        audit_close(a);
        int lost = check_concurrent(cc, path, p);
        if (!flood)
            CHECK_INT(cc, lost, 0);
        char first[512];
        CHECK_INT(cc, verify(path, first, sizeof(first), NULL), 0);
        CHECK(cc, strstr(first, "chain intact"), "%s", first);
    }
}

/* Queues one numbered test record; returns audit_record's result. */
static int record_n(struct audit *a, int i)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "i", i);
    return audit_record(a, "test", f, false);
}

/* A full queue: records are lost, counted, and noted where they were lost. */
static void test_overflow(struct check_counts *cc)
{
    for (int at_close = 0; at_close < 2; at_close++) {
        const char *path = tmp_path("overflow.log", 0);
        unlink(path);
        struct audit *a = open_log(cc, path);
        audit__test_hold_writer(a, true);
        int ok = 0, lost = 0;
        for (int i = 0; i < AUDIT_QUEUE_MAX + 5; i++) {
            int r = record_n(a, i);
            ok += r == 0;
            lost += r == -ENOBUFS;
        }
        CHECK_INT(cc, ok, AUDIT_QUEUE_MAX);
        CHECK_INT(cc, lost, 5);
        audit__test_hold_writer(a, false);
        int r;
        while (!at_close && (r = record_n(a, -1)) == -ENOBUFS) {
            lost++;
            usleep(1000);
        }
        audit_close(a);
        struct lines l;
        int n = read_lines(path, &l);
        char want[64];
        snprintf(want, sizeof(want), "\"event\":\"audit_overflow\",\"lost\":%d,", lost);
        int at = AUDIT_QUEUE_MAX; /* index of the overflow record */
        CHECK_INT(cc, n, AUDIT_QUEUE_MAX + 2 - at_close);
        CHECK(cc, n > at && strstr(l.v[at], want), "line %d: %s, want %s", at + 1,
              n > at ? l.v[at] : "(none)", want);
        CHECK(cc, at_close || (n > at + 1 && strstr(l.v[at + 1], "\"i\":-1,")),
              "the record after the loss comes after the note");
        lines_free(&l);
        char first[512];
        CHECK_INT(cc, verify(path, first, sizeof(first), NULL), 0);
    }
}

int main(void)
{
    struct check_counts cc = {0};
    snprintf(tmpdir, sizeof(tmpdir), "%s/test_audit.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (strlen(tmpdir) >= sizeof(tmpdir) - 1 || !mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    umask(022);
    test_format_and_reopen(&cc);
    test_tampering(&cc);
    test_crash_recovery(&cc);
    test_long_records_and_zeros(&cc);
    test_reopen_broken(&cc);
    test_refusals(&cc);
    test_secrets(&cc);
    test_builders(&cc);
    test_concurrent(&cc);
    test_overflow(&cc);
    static const char *const files[] = {
        "format.log", "long.log", "orig.log", "bad.log", "crash.log", "broken.log", "other.txt",
        "busy.log", "secrets.log", "builders.log", "threads.log", "overflow.log"};
    for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++)
        unlink(tmp_path(files[i], 0));
    rmdir(tmpdir);
    return check_report(&cc);
}
