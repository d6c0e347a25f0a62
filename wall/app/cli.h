/*
 * cli.h - the command line: GNU-style long options into struct app_options.
 */
#ifndef TESSERA_CLI_H
#define TESSERA_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes (documented in --help and the README). */
enum {
    EXIT_OK = 0,
    EXIT_FAILURE_RUN = 1, /* bad layout, or the wall could not run */
    EXIT_USAGE = 2,       /* bad command line */
};

struct app_options {
    const char *layout_path;
    bool validate;
    bool headless;
    const char *snapshot;     /* PNG path, or NULL */
    double snapshot_after;    /* seconds */
    const char *snapshot_dir; /* --snapshot-dir: where socket snapshots go; NULL: default */
    double duration;          /* seconds; 0: run until closed */
    int log_level;            /* enum tlog_level */
    const char *shader_dir;   /* NULL: search the usual places */
    double max_fps;           /* render rate cap; 0: the fastest feed's rate */
    bool vsync;
    const char *stats_path;   /* --stats: JSON rewritten every second */
    const char *control;      /* --control SPEC; NULL: the default */
    bool no_control;          /* --no-control */
    const char *control_token_file; /* --control-token-file (every role) */
    const char *control_tokens; /* --control-tokens: ROLE[,ROLE...] TOKEN lines */
    double control_idle;      /* --control-idle S; 0: the default (300 s) */
    int hwdec;                /* enum hwdec_mode from --hwdec; 0: not given (auto) */
    bool list_hwdec;          /* --list-hwdec: print the backends and exit */
    bool list_displays;       /* --list-displays: print what SDL sees and exit */
    const char *audit_path;   /* --audit: the audit log to append to, or NULL */
    const char *verify_audit; /* --verify-audit: check this log and exit */
    const char *supervisor_secret_file; /* --supervisor-secret-file */
    int yuv_upload;           /* --yuv-upload: 0 auto, 1 planar, 2 packed */
    const char *cot[16];      /* --cot SPEC, repeatable (COT_INPUTS_MAX) */
    int n_cot;
    const char *cot_allow[16]; /* --cot-allow CIDR, repeatable */
    int n_cot_allow;
    const char *eido_dir;     /* --eido-dir DIR, or NULL */
    bool latency_low;         /* --latency low: newest frame wins (no jitter
                                 buffer) */
    const char *node;         /* --node NAME: the outputs of the layout whose
                                 "node" is NAME (layout_output_on_node());
                                 NULL: every output */
};

/* Outcome of cli_parse(). */
enum cli_result {
    CLI_RUN = 0,   /* options valid: run */
    CLI_DONE,      /* --help or --version printed: exit 0 */
    CLI_ERROR,     /* usage error printed on err: exit 2 */
};

/* Parses argv into *opt (which it first fills with defaults).  Help and
 * version go to out, usage errors to err. */
enum cli_result cli_parse(int argc, char **argv, struct app_options *opt,
                          FILE *out, FILE *err);

#endif
