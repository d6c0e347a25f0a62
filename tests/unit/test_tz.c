/*
 * test_tz.c - IANA zones read from their TZif files: local midnight in
 * Chicago (winter and summer, and beyond the file's last transition, where
 * the footer's POSIX rule applies), Sydney (southern summer), Kolkata (a
 * half-hour offset, no summer time), a local time skipped by the change to
 * summer time, POSIX rules, and names that are not zones.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/tz.h"
#include "check.h"

/* Seconds since the epoch of a UTC civil time (for readable expectations). */
static long long utc(int y, int m, int d, int h, int mi)
{
    y -= m <= 2;
    long long era = y / 400, yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    return days * 86400 + h * 3600 + mi * 60;
}

static const struct {
    const char *zone;
    int y, m, d, h, mi;     /* local wall-clock time */
    int uy, um, ud, uh, umi; /* the UTC time it is */
} cases[] = {
    {"America/Chicago", 2027, 1, 5, 0, 0, 2027, 1, 5, 6, 0},
    {"America/Chicago", 2027, 7, 1, 0, 0, 2027, 7, 1, 5, 0},
    {"America/Chicago", 2090, 1, 5, 0, 0, 2090, 1, 5, 6, 0},  /* footer rule */
    {"America/Chicago", 2090, 7, 1, 0, 0, 2090, 7, 1, 5, 0},
    {"America/Chicago", 2027, 3, 14, 2, 30, 2027, 3, 14, 8, 30}, /* skipped */
    {"America/Chicago", 2027, 11, 7, 1, 30, 2027, 11, 7, 6, 30}, /* repeated: first */
    {"Australia/Sydney", 2027, 1, 5, 0, 0, 2027, 1, 4, 13, 0},
    {"Australia/Sydney", 2095, 1, 5, 0, 0, 2095, 1, 4, 13, 0},
    {"Australia/Sydney", 2095, 7, 5, 0, 0, 2095, 7, 4, 14, 0},
    {"Asia/Kolkata", 2027, 1, 5, 0, 0, 2027, 1, 4, 18, 30},
    {"UTC", 2027, 1, 5, 0, 0, 2027, 1, 5, 0, 0},
};

int main(void)
{
    struct check_counts cc = {0};
    if (access("/usr/share/zoneinfo/America/Chicago", R_OK) != 0) {
        printf("no tzdata: skipped\n");
        return 77;
    }
    struct tz_zone *z = malloc(sizeof(*z));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_INT(&cc, tz_load(z, cases[i].zone), 0);
        long long got = tz_local_to_utc(z, utc(cases[i].y, cases[i].m, cases[i].d,
                                               cases[i].h, cases[i].mi), false);
        long long want = utc(cases[i].uy, cases[i].um, cases[i].ud, cases[i].uh, cases[i].umi);
        CHECK(&cc, got == want, "%s %04d-%02d-%02d %02d:%02d: %+lld s off", cases[i].zone,
              cases[i].y, cases[i].m, cases[i].d, cases[i].h, cases[i].mi, got - want);
    }
    CHECK_INT(&cc, tz_load(z, "America/Chicago"), 0);
    CHECK_STR(&cc, z->name, "America/Chicago");
    /* 01:30 on 2027-11-07 happens twice: later is an hour after earlier */
    CHECK_INT(&cc, tz_local_to_utc(z, utc(2027, 11, 7, 1, 30), true), utc(2027, 11, 7, 7, 30));
    CHECK_INT(&cc, tz_offset_at(z, utc(2027, 7, 1, 12, 0)), -5 * 3600);
    CHECK_INT(&cc, tz_load(z, "Nowhere/Atlantis"), -ENOENT);
    CHECK_INT(&cc, tz_load(z, "../etc/passwd"), -EINVAL);
    CHECK_INT(&cc, tz_load(z, "/etc/localtime"), -EINVAL);
    CHECK_INT(&cc, tz_load(z, "America/Chicago "), -EINVAL);
    setenv("TZ", "Asia/Kolkata", 1);
    CHECK_INT(&cc, tz_load(z, NULL), 0);
    CHECK_STR(&cc, z->name, "Asia/Kolkata");
    CHECK_INT(&cc, tz_offset_at(z, 0), 19800);

    struct tz_rule r;
    CHECK_INT(&cc, tz_parse_rule("CST6CDT,M3.2.0,M11.1.0", &r), 0);
    CHECK_INT(&cc, r.std_off, -6 * 3600);
    CHECK_INT(&cc, r.dst_off, -5 * 3600);
    CHECK_INT(&cc, tz_parse_rule("<-03>3", &r), 0);
    CHECK_INT(&cc, r.std_off, -3 * 3600);
    CHECK_INT(&cc, tz_parse_rule("IST-5:30", &r), 0);
    CHECK_INT(&cc, r.std_off, 19800);
    CHECK_INT(&cc, tz_parse_rule("AEST-10AEDT,M10.1.0,M4.1.0/3", &r), 0);
    CHECK_INT(&cc, r.end_secs, 3 * 3600);
    CHECK_INT(&cc, tz_parse_rule("CST6CDT", &r), -EINVAL);
    CHECK_INT(&cc, tz_parse_rule("CST6CDT,J60,J300", &r), -EINVAL);
    CHECK_INT(&cc, tz_parse_rule("", &r), -EINVAL);
    free(z);
    return check_report(&cc);
}
