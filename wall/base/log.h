/*
 * log.h - the one logger: leveled lines on stderr, each carrying the prefix of
 * the object that logs ("feed/north: reconnecting in 4 s").  A struct tlog is
 * immutable after creation, so any thread may log through it.
 */
#ifndef TESSERA_LOG_H
#define TESSERA_LOG_H

#include <stdarg.h>

enum tlog_level {
    TLOG_ERROR = 0,
    TLOG_WARN,
    TLOG_INFO,
    TLOG_DEBUG,
    TLOG_TRACE,
};

struct tlog;

/* Creates a root logger printing lines up to and including level. */
struct tlog *tlog_create_root(enum tlog_level level);

/* Creates a child logger with parent's level and "parent-prefix/name" as its
 * prefix (the root has no prefix of its own).  NULL on allocation failure. */
struct tlog *tlog_create(const struct tlog *parent, const char *name);

/* Frees a logger; accepts NULL.  Children are independent copies. */
void tlog_destroy(struct tlog *log);

/* True when a line at level would be printed (to skip expensive formatting). */
int tlog_enabled(const struct tlog *log, enum tlog_level level);

/* Prints one line at level (printf format; a trailing newline is added). A
 * NULL log prints with no prefix at info level.  Thread-safe. */
void tlog_printf(const struct tlog *log, enum tlog_level level, const char *fmt,
                 ...) __attribute__((format(printf, 3, 4)));

/* va_list form of tlog_printf(). */
void tlog_vprintf(const struct tlog *log, enum tlog_level level,
                  const char *fmt, va_list ap);

/* Parses "error", "warn", "info", "debug" or "trace"; -1 if unknown. */
int tlog_level_parse(const char *name);

#define tlog_err(l, ...)   tlog_printf((l), TLOG_ERROR, __VA_ARGS__)
#define tlog_warn(l, ...)  tlog_printf((l), TLOG_WARN, __VA_ARGS__)
#define tlog_info(l, ...)  tlog_printf((l), TLOG_INFO, __VA_ARGS__)
#define tlog_debug(l, ...) tlog_printf((l), TLOG_DEBUG, __VA_ARGS__)
#define tlog_trace(l, ...) tlog_printf((l), TLOG_TRACE, __VA_ARGS__)

#endif
