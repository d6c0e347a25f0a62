/*
 * tz.c - a small TZif (RFC 8536) reader and POSIX TZ rule evaluator, so that
 * consent dates can be read in any IANA zone without setenv("TZ") (which no
 * multithreaded program may call).
 */
#include "base/tz.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZ_FILE_MAX (256 * 1024)
#define ZONEINFO "/usr/share/zoneinfo/"

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

long long tz_days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The year of day number days. */
static long long year_of(long long days)
{
    long long y = 1970 + days / 366;
    while (tz_days_from_civil(y + 1, 1, 1) <= days)
        y++;
    while (tz_days_from_civil(y, 1, 1) > days)
        y--;
    return y;
}

/* ---- POSIX rules ---- */

/* Skips a zone abbreviation ("CST" or "<-03>"); NULL if there is none. */
static const char *skip_abbr(const char *s)
{
    if (*s == '<') {
        const char *e = strchr(s, '>');
        return e ? e + 1 : NULL;
    }
    const char *b = s;
    while (isalpha((unsigned char)*s))
        s++;
    return s - b >= 3 ? s : NULL;
}

/* Reads [+-]hh[:mm[:ss]] into *secs; NULL on error. */
static const char *parse_hms(const char *s, long *secs)
{
    int sign = 1;
    long v[3] = {0, 0, 0};
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    for (int i = 0; i < 3; i++) {
        if (!isdigit((unsigned char)*s))
            return i ? NULL : NULL;
        while (isdigit((unsigned char)*s))
            v[i] = v[i] * 10 + (*s++ - '0');
        if (*s != ':' || i == 2)
            break;
        s++;
    }
    *secs = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    return s;
}

/* Reads ",Mm.w.d[/time]"; NULL on error (Jn and n forms are not supported). */
static const char *parse_date(const char *s, int *m, int *w, int *d, long *secs)
{
    if (s[0] != ',' || s[1] != 'M')
        return NULL;
    char *e;
    *m = (int)strtol(s + 2, &e, 10);
    if (*e != '.')
        return NULL;
    *w = (int)strtol(e + 1, &e, 10);
    if (*e != '.')
        return NULL;
    *d = (int)strtol(e + 1, &e, 10);
    if (*m < 1 || *m > 12 || *w < 1 || *w > 5 || *d < 0 || *d > 6)
        return NULL;
    *secs = 7200;
    return *e == '/' ? parse_hms(e + 1, secs) : e;
}

int tz_parse_rule(const char *s, struct tz_rule *r)
{
    memset(r, 0, sizeof(*r));
    long off;
    if (!(s = skip_abbr(s)) || !(s = parse_hms(s, &off)))
        return -EINVAL;
    r->std_off = -off; /* POSIX offsets are west of UTC */
    r->dst_off = r->std_off + 3600;
    if (*s && *s != ',') {
        if (!(s = skip_abbr(s)))
            return -EINVAL;
        r->has_dst = true;
        if (*s && *s != ',') {
            if (!(s = parse_hms(s, &off)))
                return -EINVAL;
            r->dst_off = -off;
        }
        if (*s != ',')
            return -EINVAL; /* no rule: never guess a transition */
        if (!(s = parse_date(s, &r->start_m, &r->start_w, &r->start_d, &r->start_secs)) ||
            !(s = parse_date(s, &r->end_m, &r->end_w, &r->end_d, &r->end_secs)))
            return -EINVAL;
    }
    if (*s)
        return -EINVAL;
    r->valid = true;
    return 0;
}

/* Day number of the w-th weekday d of month m in year y (w 5: the last). */
static long long rule_day(long long y, int m, int w, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long long first = tz_days_from_civil(y, m, 1);
    int dow = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01: Thursday */
    long long day = first + (d - dow + 7) % 7 + (long long)(w - 1) * 7;
    int len = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    while (day >= first + len)
        day -= 7;
    return day;
}

/* The offset a valid rule gives at utc. */
static long rule_offset(const struct tz_rule *r, long long utc)
{
    if (!r->has_dst)
        return r->std_off;
    long long y = year_of((utc + r->std_off) / 86400 - ((utc + r->std_off) % 86400 < 0));
    long long start = rule_day(y, r->start_m, r->start_w, r->start_d) * 86400 +
                      r->start_secs - r->std_off;
    long long end = rule_day(y, r->end_m, r->end_w, r->end_d) * 86400 + r->end_secs -
                    r->dst_off;
    bool dst = start < end ? utc >= start && utc < end : !(utc >= end && utc < start);
    return dst ? r->dst_off : r->std_off;
}

/* ---- TZif ---- */

/* Parses the version 2+ body at p (n bytes after the v1 body). */
static int parse_v2(struct tz_zone *z, const unsigned char *p, size_t n)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0)
        return -EINVAL;
    uint32_t isut = be32(p + 20), isstd = be32(p + 24), leap = be32(p + 28);
    uint32_t timecnt = be32(p + 32), typecnt = be32(p + 36), charcnt = be32(p + 40);
    if (timecnt > TZ_MAX_TRANSITIONS || typecnt == 0 || typecnt > TZ_MAX_TYPES)
        return -EINVAL;
    size_t body = (size_t)timecnt * 9 + typecnt * 6 + charcnt + (size_t)leap * 12 + isstd + isut;
    if (44 + body > n)
        return -EINVAL;
    const unsigned char *t = p + 44, *idx = t + (size_t)timecnt * 8, *ti = idx + timecnt;
    z->n_trans = (int)timecnt;
    z->n_types = (int)typecnt;
    for (uint32_t i = 0; i < typecnt; i++)
        z->type_off[i] = (long)(int32_t)be32(ti + 6 * i);
    for (uint32_t i = 0; i < timecnt; i++) {
        z->trans[i] = be64(t + 8 * i);
        if (idx[i] >= typecnt)
            return -EINVAL;
        z->trans_type[i] = idx[i];
    }
    z->first_off = z->type_off[0];
    const char *foot = (const char *)p + 44 + body;
    size_t left = n - 44 - body;
    if (left >= 2 && foot[0] == '\n') {
        char rule[128];
        const char *nl = memchr(foot + 1, '\n', left - 1); /* not NUL-terminated */
        size_t len = nl ? (size_t)(nl - foot - 1) : sizeof(rule);
        if (len < sizeof(rule)) {
            memcpy(rule, foot + 1, len);
            rule[len] = '\0';
            tz_parse_rule(rule, &z->rule); /* an unknown rule: last offset stays */
        }
    }
    return 0;
}

/* Parses a whole TZif file (version 2 or later). */
static int parse_tzif(struct tz_zone *z, const unsigned char *p, size_t n)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0 || p[4] < '2')
        return -EINVAL;
    size_t v1 = (size_t)be32(p + 32) * 5 + (size_t)be32(p + 36) * 6 + be32(p + 40) +
                (size_t)be32(p + 28) * 8 + be32(p + 24) + be32(p + 20);
    if (44 + v1 > n)
        return -EINVAL;
    return parse_v2(z, p + 44 + v1, n - 44 - v1);
}

/* Whether name is a safe zone name: letters, digits, "_+-/", no "..". */
static bool zone_name_ok(const char *name)
{
    if (!name[0] || name[0] == '/' || strstr(name, "..") || strlen(name) >= 64)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_+-/", *p))
            return false;
    return true;
}

/* Reads the file at path into z. */
static int load_file(struct tz_zone *z, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -errno;
    struct stat st;
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > TZ_FILE_MAX) {
        fclose(f);
        return -EINVAL;
    }
    unsigned char *buf = malloc((size_t)st.st_size + 1);
    size_t n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    int ret = buf ? parse_tzif(z, buf, n) : -ENOMEM;
    free(buf);
    return ret;
}

/* The machine's zone: $TZ (":Name" or "Name"), else /etc/localtime. */
static int load_machine(struct tz_zone *z)
{
    const char *env = getenv("TZ");
    char path[256];
    if (env && *env == ':')
        env++;
    if (env && zone_name_ok(env)) {
        snprintf(path, sizeof(path), ZONEINFO "%s", env);
        snprintf(z->name, sizeof(z->name), "%s", env);
        if (load_file(z, path) == 0)
            return 0;
    }
    ssize_t len = readlink("/etc/localtime", path, sizeof(path) - 1);
    path[len > 0 ? len : 0] = '\0';
    const char *zi = strstr(path, "zoneinfo/");
    snprintf(z->name, sizeof(z->name), "%s", zi ? zi + 9 : "localtime");
    if (load_file(z, "/etc/localtime") == 0)
        return 0;
    memset(z, 0, sizeof(*z)); /* no zone at all: UTC */
    snprintf(z->name, sizeof(z->name), "UTC");
    return 0;
}

int tz_load(struct tz_zone *z, const char *name)
{
    memset(z, 0, sizeof(*z));
    if (!name || !name[0])
        return load_machine(z);
    if (!zone_name_ok(name))
        return -EINVAL;
    char path[256];
    snprintf(path, sizeof(path), ZONEINFO "%s", name);
    snprintf(z->name, sizeof(z->name), "%s", name);
    return load_file(z, path);
}

long tz_offset_at(const struct tz_zone *z, long long utc)
{
    if (z->n_trans == 0 || utc < z->trans[0])
        return z->n_trans == 0 && z->rule.valid ? rule_offset(&z->rule, utc)
                                                : z->first_off;
    if (utc >= z->trans[z->n_trans - 1] && z->rule.valid)
        return rule_offset(&z->rule, utc);
    int lo = 0, hi = z->n_trans - 1; /* last transition <= utc */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (z->trans[mid] <= utc)
            lo = mid;
        else
            hi = mid - 1;
    }
    return z->type_off[z->trans_type[lo]];
}

long long tz_local_to_utc(const struct tz_zone *z, long long local, bool later)
{
    /* the offsets a day before and after bound the answer; the larger one
     * gives the earlier instant */
    long a = tz_offset_at(z, local - 86400), b = tz_offset_at(z, local + 86400);
    long first = (a > b) != later ? a : b, second = first == a ? b : a;
    if (tz_offset_at(z, local - first) == first)
        return local - first;
    if (tz_offset_at(z, local - second) == second)
        return local - second;
    return local - a; /* skipped: read with the offset before the change */
}
