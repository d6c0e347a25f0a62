/*
 * cli.c - command-line parsing with getopt_long, help and version text.
 */
#include "app/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cot/inputs.h"
#include "hwdec/hwdec.h"
#include "layout/layout.h"
#include "sync/sync.h"

enum {
    OPT_VALIDATE = 256, OPT_HEADLESS, OPT_SNAPSHOT, OPT_SNAPSHOT_AFTER,
    OPT_DURATION, OPT_LOG_LEVEL, OPT_SHADERS, OPT_MAX_FPS, OPT_NO_VSYNC,
    OPT_STATS, OPT_CONTROL, OPT_NO_CONTROL, OPT_CONTROL_TOKEN_FILE,
    OPT_HWDEC, OPT_LIST_HWDEC, OPT_LIST_DISPLAYS,
    OPT_AUDIT, OPT_VERIFY_AUDIT, OPT_SUPERVISOR_SECRET_FILE, OPT_YUV_UPLOAD,
    OPT_CONTROL_TOKENS, OPT_CONTROL_IDLE, OPT_SNAPSHOT_DIR, OPT_LATENCY,
    OPT_COT, OPT_COT_ALLOW, OPT_EIDO_DIR, OPT_NODE,
};

static const struct option long_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"validate", no_argument, NULL, OPT_VALIDATE},
    {"headless", no_argument, NULL, OPT_HEADLESS},
    {"snapshot", required_argument, NULL, OPT_SNAPSHOT},
    {"snapshot-after", required_argument, NULL, OPT_SNAPSHOT_AFTER},
    {"snapshot-dir", required_argument, NULL, OPT_SNAPSHOT_DIR},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"shaders", required_argument, NULL, OPT_SHADERS},
    {"max-fps", required_argument, NULL, OPT_MAX_FPS},
    {"latency", required_argument, NULL, OPT_LATENCY},
    {"no-vsync", no_argument, NULL, OPT_NO_VSYNC},
    {"stats", required_argument, NULL, OPT_STATS},
    {"control", required_argument, NULL, OPT_CONTROL},
    {"no-control", no_argument, NULL, OPT_NO_CONTROL},
    {"control-token-file", required_argument, NULL, OPT_CONTROL_TOKEN_FILE},
    {"control-tokens", required_argument, NULL, OPT_CONTROL_TOKENS},
    {"control-idle", required_argument, NULL, OPT_CONTROL_IDLE},
    {"hwdec", required_argument, NULL, OPT_HWDEC},
    {"list-hwdec", no_argument, NULL, OPT_LIST_HWDEC},
    {"list-displays", no_argument, NULL, OPT_LIST_DISPLAYS},
    {"audit", required_argument, NULL, OPT_AUDIT},
    {"verify-audit", required_argument, NULL, OPT_VERIFY_AUDIT},
    {"supervisor-secret-file", required_argument, NULL, OPT_SUPERVISOR_SECRET_FILE},
    {"yuv-upload", required_argument, NULL, OPT_YUV_UPLOAD},
    {"cot", required_argument, NULL, OPT_COT},
    {"cot-allow", required_argument, NULL, OPT_COT_ALLOW},
    {"eido-dir", required_argument, NULL, OPT_EIDO_DIR},
    {"node", required_argument, NULL, OPT_NODE},
    {NULL, 0, NULL, 0},
};

static void print_help(FILE *f, const char *prog)
{
    fprintf(f,
"Usage: %s [OPTIONS] LAYOUT.json\n"
"Show live camera feeds on a video wall, as the layout file describes.\n"
"\n"
"  --validate             check the layout (and --node), report every\n"
"                         problem as FILE:LINE:COLUMN: message, and exit\n"
"  --headless             render offscreen (no window), e.g. with --snapshot\n"
"  --snapshot PATH.png    write what the wall shows after --snapshot-after\n"
"                         seconds and exit; with several outputs each file is\n"
"                         PATH with -NAME before .png\n"
"  --snapshot-after S     seconds before the snapshot (default 3)\n"
"  --snapshot-dir DIR     where the control socket's \"snapshot\" writes (bare\n"
"                         names only; default $XDG_RUNTIME_DIR/tessera, else\n"
"                         ./snapshots; created with mode 0700)\n"
"  --duration S           run S seconds, then exit 0\n"
"  --max-fps N            render at most N frames a second (default: twice the\n"
"                         fastest feed's rate, 30 to 60; 60 until a feed has\n"
"                         a rate)\n"
"  --latency MODE         smooth (default): a small jitter buffer per feed\n"
"                         shows frames at their own cadence (up to two frame\n"
"                         intervals later on a bursty source); low: the newest\n"
"                         frame wins, at once\n"
"  --no-vsync             do not wait for the display's refresh\n"
"  --stats PATH.json      rewrite a JSON document of every feed's state,\n"
"                         counters, rates and latency each second\n"
"  --control SPEC         the control socket for incidents, unit positions and\n"
"                         commands: unix:PATH or tcp:HOST:PORT (default\n"
"                         unix:$XDG_RUNTIME_DIR/tessera.sock; see docs/protocol.md)\n"
"  --control-tokens FILE  tokens and the roles they give, one a line:\n"
"                         ROLE[,ROLE...] TOKEN (roles: viewer, cad, operator,\n"
"                         supervisor); group and others may not read or\n"
"                         write the file.  A client\n"
"                         sends {\"type\":\"auth\",\"token\":...} first; until\n"
"                         then it is a viewer, closed after 5 s\n"
"  --control-token-file F one token that gives every role and that every\n"
"                         client must send first (kept for compatibility)\n"
"  --control-idle S       close control clients without a request for S\n"
"                         seconds (default 300; ping keeps a client alive)\n"
"  --no-control           no control socket\n"
"  --hwdec MODE           video decoding: auto (default: the first hardware\n"
"                         backend that works, else software), nvdec, vaapi\n"
"                         or sw; a feed's \"hwdec\" in the layout wins; a\n"
"                         backend that fails falls back to software\n"
"  --list-hwdec           try each decoding backend on this machine, print\n"
"                         whether it works (and why not), and exit\n"
"  --list-displays        print the displays (monitors) this session has, one\n"
"                         a line: index, name, bounds, usable bounds, refresh;\n"
"                         an output's \"display\" names one; then exit\n"
"  --audit PATH           append a tamper-evident record of what the wall\n"
"                         shows to PATH (JSON lines, hash-chained; see\n"
"                         docs/audit.md)\n"
"  --supervisor-secret-file F  the secret a supervisor's \"unmask\" command must\n"
"                         carry to lift a feed's privacy masks for a while\n"
"                         (without it masks cannot be lifted)\n"
"  --verify-audit PATH    check the chain of the audit log PATH, name the\n"
"                         first record altered, removed or inserted, and exit\n"
"                         (0 intact, 1 broken, 2 unreadable); needs no layout\n"
"  --yuv-upload MODE      planar (Y, U, V textures), packed (one texture,\n"
"                         interleaved by the feed threads, for feeds whose\n"
"                         tile is at least half their picture: cheaper with\n"
"                         software OpenGL) or auto (default; software\n"
"                         OpenGL: the feed threads scale pictures to their\n"
"                         tiles, as RGB; pictures smaller than their tile\n"
"                         are packed)\n"
"  --cot SPEC             take Cursor on Target positions (TAK) as units, with\n"
"                         the cad role; repeatable: udp:GROUP:PORT (joins a\n"
"                         multicast group, e.g. udp:239.2.3.1:6969; a unicast\n"
"                         address listens there), tcp:HOST:PORT (connects to a\n"
"                         TAK Server's plain stream, reconnecting) or\n"
"                         tcp-listen:HOST:PORT\n"
"  --cot-allow CIDR       senders allowed beyond loopback (repeatable); needed\n"
"                         for tcp-listen on a non-loopback address, and limits\n"
"                         udp senders when given\n"
"  --eido-dir DIR         apply NENA EIDO incident documents (*.json) dropped\n"
"                         into DIR by a CAD export\n"
"  --node NAME            this PC is node NAME of a wall driven by several\n"
"                         PCs: it runs the outputs whose \"node\" is NAME\n"
"                         (letters, digits, '.', '-', '_'; at most 63)\n"
"  --shaders DIR          load the GLSL shaders from DIR\n"
"  --log-level LEVEL      error, warn, info (default), debug or trace\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and the build's features (windowed\n"
"                         or headless-only, decoding backends) and exit\n"
"\n"
"\n"
"  %s ctl [--socket SPEC] [--token-file F] REQUEST...  sends one request to\n"
"                         a running wall and prints the reply (see\n"
"                         '%s ctl --help')\n"
"\n"
"Exit status: 0 success; 1 invalid layout or the wall could not run;\n"
"2 bad command line.\n", prog, prog, prog);
}

/* Prints "tessera VERSION (FRONTEND; hwdec: BACKENDS; sync: format N)": the
 * backends the registry holds, each with the zero-copy interop this build
 * compiled in (e.g. nvdec+cuda-gl), and the message format of the nodes of
 * a wall (sync.h).  The first two words stay "tessera VERSION". */
static void print_version(FILE *f)
{
#if TESSERA_HEADLESS_ONLY
    const char *front = "headless-only";
#else
    const char *front = "windowed";
#endif
    fprintf(f, "tessera %s (%s; hwdec:", TESSERA_VERSION, front);
    for (int i = 0; i < hwdec_driver_count(); i++) {
        const char *name = hwdec_driver_at(i)->name;
        const char *interop = "";
#if TESSERA_HAVE_CUDA_GL
        if (!strcmp(name, "nvdec"))
            interop = "+cuda-gl";
#endif
#if TESSERA_HAVE_EGL_DMABUF
        if (!strcmp(name, "vaapi"))
            interop = "+egl-dmabuf";
#endif
        fprintf(f, " %s%s", name, interop);
    }
    fprintf(f, "; sync: format %d)\n", SYNC_PROTOCOL);
}

/* Parses a non-negative number of seconds (or fps); -1 if not one. */
static double parse_seconds(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return end != s && *end == '\0' && v >= 0 && v < 1e7 ? v : -1;
}

static enum cli_result usage(FILE *err, const char *prog, const char *msg,
                             const char *arg)
{
    fprintf(err, "%s: %s%s%s\nTry '%s --help' for more information.\n", prog,
            msg, arg ? " " : "", arg ? arg : "", prog);
    return CLI_ERROR;
}

/* Checks and records --cot SPEC or --cot-allow CIDR; -1 after a usage
 * error. */
static int apply_cot(int c, const char *arg, struct app_options *opt, FILE *err,
                     const char *prog)
{
    char why[300];
    struct cot_spec sp;
    struct cot_cidr cidr;
    int *n = c == OPT_COT ? &opt->n_cot : &opt->n_cot_allow;
    if (*n >= COT_INPUTS_MAX) {
        usage(err, prog, c == OPT_COT ? "too many --cot (16 at most):"
                                      : "too many --cot-allow (16 at most):", arg);
        return -1;
    }
    if (c == OPT_COT && cot_spec_parse(arg, &sp, why, sizeof why) < 0) {
        usage(err, prog, "--cot:", why);
        return -1;
    }
    if (c == OPT_COT_ALLOW && cot_cidr_parse(arg, &cidr) < 0) {
        usage(err, prog, "--cot-allow takes an address or CIDR (10.0.0.0/8):", arg);
        return -1;
    }
    (c == OPT_COT ? opt->cot : opt->cot_allow)[(*n)++] = arg;
    return 0;
}

/* Applies one option; returns CLI_RUN to go on. */
static enum cli_result apply(int c, const char *arg, struct app_options *opt,
                             FILE *out, FILE *err, const char *prog)
{
    double v;
    switch (c) {
    case 'h': print_help(out, prog); return CLI_DONE;
    case 'V': print_version(out); return CLI_DONE;
    case OPT_VALIDATE: opt->validate = true; break;
    case OPT_HEADLESS: opt->headless = true; break;
    case OPT_SNAPSHOT: opt->snapshot = arg; break;
    case OPT_SNAPSHOT_DIR: opt->snapshot_dir = arg; break;
    case OPT_SHADERS: opt->shader_dir = arg; break;
    case OPT_NO_VSYNC: opt->vsync = false; break;
    case OPT_STATS: opt->stats_path = arg; break;
    case OPT_CONTROL: opt->control = arg; break;
    case OPT_NO_CONTROL: opt->no_control = true; break;
    case OPT_CONTROL_TOKEN_FILE: opt->control_token_file = arg; break;
    case OPT_CONTROL_TOKENS: opt->control_tokens = arg; break;
    case OPT_CONTROL_IDLE:
        if ((v = parse_seconds(arg)) < 1 || v > 86400)
            return usage(err, prog, "--control-idle takes 1 to 86400 seconds:", arg);
        opt->control_idle = v;
        break;
    case OPT_LIST_HWDEC: opt->list_hwdec = true; break;
    case OPT_LIST_DISPLAYS: opt->list_displays = true; break;
    case OPT_AUDIT: opt->audit_path = arg; break;
    case OPT_VERIFY_AUDIT: opt->verify_audit = arg; break;
    case OPT_SUPERVISOR_SECRET_FILE: opt->supervisor_secret_file = arg; break;
    case OPT_YUV_UPLOAD:
        if (strcmp(arg, "auto") && strcmp(arg, "planar") && strcmp(arg, "packed"))
            return usage(err, prog, "--yuv-upload takes auto, planar or packed:", arg);
        opt->yuv_upload = !strcmp(arg, "planar") ? 1 : !strcmp(arg, "packed") ? 2 : 0;
        break;
    case OPT_COT:
    case OPT_COT_ALLOW:
        if (apply_cot(c, arg, opt, err, prog) < 0)
            return CLI_ERROR;
        break;
    case OPT_EIDO_DIR: opt->eido_dir = arg; break;
    case OPT_NODE:
        if (!layout_node_name_valid(arg))
            return usage(err, prog, "--node takes a name of 1 to 63 letters, digits, "
                         "'.', '-' and '_':", arg);
        opt->node = arg;
        break;
    case OPT_LATENCY:
        if (strcmp(arg, "smooth") && strcmp(arg, "low"))
            return usage(err, prog, "--latency takes smooth or low:", arg);
        opt->latency_low = !strcmp(arg, "low");
        break;
    case OPT_HWDEC:
        if ((opt->hwdec = hwdec_mode_parse(arg)) < 0)
            return usage(err, prog, "unknown --hwdec mode (auto, nvdec, vaapi, sw):", arg);
        break;
    case OPT_SNAPSHOT_AFTER:
    case OPT_DURATION:
    case OPT_MAX_FPS:
        if ((v = parse_seconds(arg)) < 0 || (c == OPT_MAX_FPS && v < 1))
            return usage(err, prog,
                         c == OPT_MAX_FPS ? "--max-fps takes a rate of at least 1 frame a second:"
                         : c == OPT_DURATION ? "--duration takes seconds (0 or more):"
                                             : "--snapshot-after takes seconds (0 or more):",
                         arg);
        *(c == OPT_SNAPSHOT_AFTER ? &opt->snapshot_after
          : c == OPT_DURATION ? &opt->duration : &opt->max_fps) = v;
        break;
    case OPT_LOG_LEVEL:
        if ((opt->log_level = tlog_level_parse(arg)) < 0)
            return usage(err, prog, "unknown log level:", arg);
        break;
    default:
        return usage(err, prog, "invalid command line", NULL);
    }
    return CLI_RUN;
}

enum cli_result cli_parse(int argc, char **argv, struct app_options *opt,
                          FILE *out, FILE *err)
{
    const char *prog = argc > 0 ? argv[0] : "tessera";
    const char *slash = strrchr(prog, '/');
    prog = slash ? slash + 1 : prog;
    *opt = (struct app_options){.snapshot_after = 3.0, .log_level = TLOG_INFO,
                                .max_fps = 0.0, .vsync = true};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":hV", long_options, NULL)) != -1) {
        if (c == '?')
            return usage(err, prog, "unknown option", argv[optind - 1]);
        if (c == ':')
            return usage(err, prog, "missing argument for", argv[optind - 1]);
        enum cli_result r = apply(c, optarg, opt, out, err, prog);
        if (r != CLI_RUN)
            return r;
    }
    if (opt->list_hwdec && optind == argc)
        return CLI_RUN; /* needs no layout */
    if (opt->list_displays && optind == argc)
        return CLI_RUN; /* needs no layout */
    if (opt->verify_audit && optind == argc)
        return CLI_RUN; /* needs no layout */
    if (optind != argc - 1)
        return usage(err, prog, optind < argc ? "expected one layout file, got more"
                                              : "missing layout file", NULL);
    opt->layout_path = argv[optind];
    return CLI_RUN;
}
