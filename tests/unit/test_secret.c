/*
 * test_secret.c - secret_equal() (equal, unequal at every position, prefixes,
 * empty), secret files (first line only, empty, missing, too long), and the
 * failed-attempt guard (5 a minute, then locked out for 5 minutes, per
 * client; a success forgets the failures; a slow guesser is not locked).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/secret.h"
#include "check.h"

#define MIN_US (60 * 1000000LL)

static void test_equal(struct check_counts *cc)
{
    static const struct {
        const char *a, *b;
        bool want;
    } cases[] = {
        {"s3cret", "s3cret", true}, {"s3cret", "s3creT", false}, {"s3cret", "X3cret", false},
        {"s3cret", "s3cre", false}, {"s3cre", "s3cret", false}, {"s3cret", "s3crets3cret", false},
        {"", "", false},            {"a", "", false},           {"", "a", false},
        {"ab", "abab", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CHECK(cc, secret_equal(cases[i].a, cases[i].b) == cases[i].want,
              "secret_equal(\"%s\", \"%s\")", cases[i].a, cases[i].b);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_file(struct check_counts *cc)
{
    char path[] = "/tmp/test_secret_XXXXXX", buf[16];
    int fd = mkstemp(path);
    close(fd);
    write_file(path, "first-line\r\nsecond\n");
    CHECK_INT(cc, secret_read_file(path, buf, sizeof(buf)), 0);
    CHECK_STR(cc, buf, "first-line");
    write_file(path, "no-newline");
    CHECK_INT(cc, secret_read_file(path, buf, sizeof(buf)), 0);
    CHECK_STR(cc, buf, "no-newline");
    write_file(path, "\nsecond\n");
    CHECK_INT(cc, secret_read_file(path, buf, sizeof(buf)), -EINVAL);
    write_file(path, "");
    CHECK_INT(cc, secret_read_file(path, buf, sizeof(buf)), -EINVAL);
    write_file(path, "0123456789abcdefXYZ\n");
    CHECK_INT(cc, secret_read_file(path, buf, sizeof(buf)), -E2BIG);
    CHECK_STR(cc, buf, "");
    unlink(path);
    CHECK_INT(cc, secret_read_file(path, buf, sizeof(buf)), -ENOENT);
}

static void test_guard(struct check_counts *cc)
{
    struct secret_guard *g = malloc(sizeof(*g));
    secret_guard_init(g, 5, MIN_US, 5 * MIN_US);
    int64_t t = 1000 * MIN_US;
    int retry = 0;
    for (int i = 0; i < 4; i++) {
        CHECK_INT(cc, secret_guard_check(g, "uid:1000", t + i, NULL), 0);
        CHECK(cc, !secret_guard_fail(g, "uid:1000", t + i), "failure %d locked", i + 1);
    }
    CHECK(cc, secret_guard_fail(g, "uid:1000", t + 10 * 1000000), "5th failure does not lock");
    CHECK_INT(cc, secret_guard_check(g, "uid:1000", t + 11 * 1000000, &retry), -EBUSY);
    CHECK_INT(cc, retry, 299);
    CHECK_INT(cc, secret_guard_check(g, "127.0.0.2", t + 11 * 1000000, NULL), 0);
    CHECK_INT(cc, secret_guard_check(g, "uid:1000", t + 10 * 1000000 + 5 * MIN_US - 1, NULL),
              -EBUSY);
    CHECK_INT(cc, secret_guard_check(g, "uid:1000", t + 10 * 1000000 + 5 * MIN_US, NULL), 0);
    /* after the lockout, one failure does not lock again at once */
    CHECK(cc, !secret_guard_fail(g, "uid:1000", t + 6 * MIN_US), "relocked at once");

    /* four failures a minute, for ten minutes: never locked */
    secret_guard_init(g, 5, MIN_US, 5 * MIN_US);
    bool locked = false;
    for (int m = 0; m < 10; m++)
        for (int i = 0; i < 4; i++)
            locked |= secret_guard_fail(g, "slow", t + m * (MIN_US + 1) + i);
    CHECK(cc, !locked, "a slow guesser was locked out");

    /* a success forgets the failures */
    secret_guard_init(g, 5, MIN_US, 5 * MIN_US);
    for (int i = 0; i < 4; i++)
        secret_guard_fail(g, "c", t + i);
    secret_guard_success(g, "c");
    CHECK(cc, !secret_guard_fail(g, "c", t + 5), "success did not reset");

    /* more clients than slots: none crashes, the newest is tracked */
    char key[32];
    for (int i = 0; i < 3 * SECRET_GUARD_CLIENTS; i++) {
        snprintf(key, sizeof(key), "client-%d", i);
        secret_guard_fail(g, key, t + i);
    }
    for (int i = 0; i < 5; i++)
        secret_guard_fail(g, "client-0", t + 1000 + i);
    CHECK_INT(cc, secret_guard_check(g, "client-0", t + 2000, NULL), -EBUSY);
    free(g);
}

int main(void)
{
    struct check_counts cc = {0};
    test_equal(&cc);
    test_file(&cc);
    test_guard(&cc);
    return check_report(&cc);
}
