/*
 * tz.h - IANA time zones without touching the process's TZ: a zone is read
 * from its TZif file (/usr/share/zoneinfo/NAME, or /etc/localtime for the
 * machine's zone), including the POSIX rule in its footer for times after the
 * last listed transition.  Used to read consent dates in the layout's zone.
 * A struct tz_zone is immutable once loaded; any thread may read it.
 */
#ifndef TESSERA_TZ_H
#define TESSERA_TZ_H

#include <stdbool.h>
#include <stddef.h>

#define TZ_MAX_TRANSITIONS 2048
#define TZ_MAX_TYPES 64

/* A POSIX TZ rule ("CST6CDT,M3.2.0,M11.1.0"): offsets in seconds east of UTC;
 * transitions on day d (0 = Sunday) of week w (1..5, 5 = last) of month m,
 * at secs local time. */
struct tz_rule {
    bool valid;
    long std_off, dst_off;
    bool has_dst;
    int start_m, start_w, start_d, end_m, end_w, end_d;
    long start_secs, end_secs;
};

struct tz_zone {
    char name[64];                     /* "America/Chicago" */
    int n_trans;
    long long trans[TZ_MAX_TRANSITIONS]; /* UTC seconds, ascending */
    unsigned char trans_type[TZ_MAX_TRANSITIONS];
    int n_types;
    long type_off[TZ_MAX_TYPES];       /* seconds east of UTC */
    long first_off;                    /* before the first transition */
    struct tz_rule rule;               /* after the last one (footer) */
};

/* Days since 1970-01-01 of the civil date y-m-d, proleptic Gregorian
 * (Howard Hinnant's algorithm); pure, no zone involved. */
long long tz_days_from_civil(long long y, int m, int d);

/* Loads the zone named name ("America/Chicago"; NULL or "": the machine's
 * zone, from $TZ when it names a zone, else /etc/localtime, else UTC) into z.
 * Returns 0, -EINVAL for a name that is not a zone name, or a negative errno
 * when its file cannot be read or parsed. */
int tz_load(struct tz_zone *z, const char *name);

/* The zone's offset from UTC (seconds east) at utc seconds since the epoch. */
long tz_offset_at(const struct tz_zone *z, long long utc);

/* The UTC time of local wall-clock time local (seconds since the epoch as if
 * local were UTC) in zone z.  A local time that occurs twice (clocks set
 * back) is read as its later occurrence when later is true, else the earlier;
 * one skipped by clocks set forward is read with the offset before the
 * change. */
long long tz_local_to_utc(const struct tz_zone *z, long long local, bool later);

/* Parses a POSIX TZ rule string into r; 0 or -EINVAL. */
int tz_parse_rule(const char *s, struct tz_rule *r);

#endif
