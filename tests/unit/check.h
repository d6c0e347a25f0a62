/*
 * check.h - the few assertions the unit tests share.  Each test program runs
 * its cases, prints one line per failed check with its position, and ends with
 * "N passed, N failed"; the exit status is non-zero when anything failed.
 */
#ifndef TESSERA_CHECK_H
#define TESSERA_CHECK_H

#include <stdio.h>
#include <string.h>

struct check_counts {
    int passed, failed;
};

#define CHECK_AT(cc, cond, file, line, ...)                                    \
    do {                                                                       \
        if (cond) {                                                            \
            (cc)->passed++;                                                    \
        } else {                                                               \
            (cc)->failed++;                                                    \
            fprintf(stderr, "%s:%d: check failed: ", file, line);              \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

/* CHECK(cc, cond, printf-args...) counts one check. */
#define CHECK(cc, cond, ...) CHECK_AT(cc, cond, __FILE__, __LINE__, __VA_ARGS__)

#define CHECK_INT(cc, got, want)                                               \
    do {                                                                       \
        long long g_ = (long long)(got), w_ = (long long)(want);               \
        CHECK(cc, g_ == w_, "%s == %lld, want %lld", #got, g_, w_);            \
    } while (0)

#define CHECK_STR(cc, got, want)                                               \
    do {                                                                       \
        const char *g_ = (got), *w_ = (want);                                  \
        CHECK(cc, g_ && w_ && strcmp(g_, w_) == 0, "%s == \"%s\", want \"%s\"", \
              #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");                   \
    } while (0)

/* Prints the closing line and returns the process exit status. */
static inline int check_report(const struct check_counts *cc)
{
    printf("%d passed, %d failed\n", cc->passed, cc->failed);
    return cc->failed ? 1 : 0;
}

#endif
