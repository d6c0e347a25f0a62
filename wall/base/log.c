/*
 * log.c - leveled, prefixed log lines on stderr.  Each line is formatted into
 * one buffer and written with a single fputs so lines from different threads
 * never interleave mid-line.  Every line goes through url_redact_text(), so
 * no URL credential reaches the log, whoever formatted it (FFmpeg and SDL
 * messages come through here too).
 */
#include "base/log.h"
#include "base/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tlog {
    enum tlog_level level;
    char prefix[96];
};

static const char *const level_names[] = {"error", "warn", "info", "debug",
                                          "trace"};

struct tlog *tlog_create_root(enum tlog_level level)
{
    struct tlog *log = calloc(1, sizeof(*log));
    if (log)
        log->level = level;
    return log;
}

struct tlog *tlog_create(const struct tlog *parent, const char *name)
{
    struct tlog *log = calloc(1, sizeof(*log));
    if (!log)
        return NULL;
    log->level = parent ? parent->level : TLOG_INFO;
    int n;
    if (parent && parent->prefix[0])
        n = snprintf(log->prefix, sizeof(log->prefix), "%s/%s", parent->prefix,
                     name);
    else
        n = snprintf(log->prefix, sizeof(log->prefix), "%s", name);
    (void)n; /* a long prefix is cut, which is fine for a log line */
    return log;
}

void tlog_destroy(struct tlog *log)
{
    free(log);
}

int tlog_enabled(const struct tlog *log, enum tlog_level level)
{
    return level <= (log ? log->level : TLOG_INFO);
}

void tlog_vprintf(const struct tlog *log, enum tlog_level level,
                  const char *fmt, va_list ap)
{
    if (!tlog_enabled(log, level))
        return;
    char msg[4096], line[4096 + 160]; /* URLs are redacted whole, before any cut */
    vsnprintf(msg, sizeof(msg), fmt, ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %-5s %s%s",
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L,
                     level_names[level], log && log->prefix[0] ? log->prefix : "",
                     log && log->prefix[0] ? ": " : "");
    if (n < 0 || (size_t)n >= sizeof(line))
        n = 0;
    url_redact_text(msg, line + n, sizeof(line) - (size_t)n - 1);
    size_t len = strlen(line);
    while (len && line[len - 1] == '\n')
        line[--len] = '\0';
    line[len++] = '\n';
    line[len] = '\0';
    fputs(line, stderr);
}

void tlog_printf(const struct tlog *log, enum tlog_level level, const char *fmt,
                 ...)
{
    va_list ap;
    va_start(ap, fmt);
    tlog_vprintf(log, level, fmt, ap);
    va_end(ap);
}

int tlog_level_parse(const char *name)
{
    for (int i = 0; i <= TLOG_TRACE; i++)
        if (strcmp(name, level_names[i]) == 0)
            return i;
    if (strcmp(name, "warning") == 0)
        return TLOG_WARN;
    return -1;
}
