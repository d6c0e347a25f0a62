/*
 * test_ctl.c - `tessera ctl`'s words-to-request table (wall/ctl/ctl.c):
 * each command line of the table becomes exactly the JSON request given, or
 * a usage error with the message given; plus ovl_tokens_parse_line() lines.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "ctl/ctl.h"
#include "overlay/tokens.h"

#define MAX_WORDS 16

static const struct {
    const char *words; /* separated by '|' */
    const char *want;  /* the request, or NULL for a usage error */
    const char *msg;   /* the usage error's start */
} cases[] = {
    {"ping", "{\"type\":\"ping\"}", NULL},
    {"stats", "{\"type\":\"stats\"}", NULL},
    {"layout|night", "{\"type\":\"layout\",\"name\":\"night\"}", NULL},
    {"maximize|--output|main|--tile|3",
     "{\"type\":\"maximize\",\"output\":\"main\",\"tile\":3}", NULL},
    {"incident|upsert|--id|24-1|--lat|32.3|--lon|-90.18|--priority|1",
     "{\"type\":\"incident\",\"op\":\"upsert\",\"id\":\"24-1\",\"lat\":32.3,"
     "\"lon\":-90.18,\"priority\":1}", NULL},
    {"incident|close|--id|24-1",
     "{\"type\":\"incident\",\"op\":\"close\",\"id\":\"24-1\"}", NULL},
    {"incident|upsert|--id|7|--units|A12,B3",
     "{\"type\":\"incident\",\"op\":\"upsert\",\"id\":\"7\",\"units\":[\"A12\",\"B3\"]}",
     NULL},
    {"unit|upsert|--id|E12|--lat|32.3|--lon|-90.1|--speed-mps|12.5",
     "{\"type\":\"unit\",\"op\":\"upsert\",\"id\":\"E12\",\"lat\":32.3,"
     "\"lon\":-90.1,\"speed_mps\":12.5}", NULL},
    {"snapshot", "{\"type\":\"snapshot\"}", NULL},
    {"snapshot|lobby.png", "{\"type\":\"snapshot\",\"name\":\"lobby.png\"}", NULL},
    {"restart|--feed|north", "{\"type\":\"restart\",\"feed\":\"north\"}", NULL},
    {"restart|north", "{\"type\":\"restart\",\"feed\":\"north\"}", NULL},
    {"pin|--output|main|--tile|2",
     "{\"type\":\"pin\",\"output\":\"main\",\"tile\":2}", NULL},
    {"hud|off", "{\"type\":\"hud\",\"on\":false}", NULL},
    {"callup|24-001234", "{\"type\":\"callup\",\"incident\":\"24-001234\"}", NULL},
    {"callup|--lat|32.3|--lon|-90.18|--priority|2",
     "{\"type\":\"callup\",\"lat\":32.3,\"lon\":-90.18,\"priority\":2}", NULL},
    {"release|24-001234", "{\"type\":\"release\",\"incident\":\"24-001234\"}", NULL},
    {"move|left", "{\"type\":\"move\",\"direction\":\"left\"}", NULL},
    {"raw|{\"type\":\"hud\",\"seq\":4}", "{\"type\":\"hud\",\"seq\":4}", NULL},
    {"", NULL, "no request given"},
    {"raw|[1]", NULL, "raw: want one JSON object"},
    {"raw", NULL, "raw: want one JSON object"},
    {"ping|extra", NULL, "ping: unexpected word \"extra\""},
    {"layout|a|b", NULL, "layout: unexpected word \"b\""},
    {"incident|upsert|--lat|north", NULL, "--lat: want a number, not \"north\""},
    {"incident|upsert|--id", NULL, "incident: --id wants a value"},
    {"incident|upsert|--id|a|--id|b", NULL, "incident: --id given twice"},
    {"hud|maybe", NULL, "on: want on or off, not \"maybe\""},
    {"unmask|--secret-file|/nonexistent/secret", NULL,
     "cannot read a secret from /nonexistent/secret"},
};

/* Splits s at '|' into argv (pointing into buf); returns argc. */
static int split(const char *s, char *buf, size_t cap, char **argv)
{
    char *cursor = buf, *w;
    int argc = 0;

    snprintf(buf, cap, "%s", s);
    if (!buf[0])
        return 0;
    while (argc < MAX_WORDS && (w = strsep(&cursor, "|")) != NULL)
        argv[argc++] = w;
    return argc;
}

static void test_requests(struct check_counts *cc)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512], msg[256] = "", *argv[MAX_WORDS], *text;
        int argc = split(cases[i].words, buf, sizeof buf, argv);
        cJSON *req = ctl_build_request(argc, argv, msg, sizeof msg);

        if (!cases[i].want) {
            CHECK(cc, req == NULL && strcmp(msg, cases[i].msg) == 0,
                  "%s: want the error \"%s\", got \"%s\"", cases[i].words,
                  cases[i].msg, msg);
            cJSON_Delete(req);
            continue;
        }
        text = req ? cJSON_PrintUnformatted(req) : NULL;
        CHECK(cc, text && strcmp(text, cases[i].want) == 0, "%s -> %s, want %s",
              cases[i].words, text ? text : msg, cases[i].want);
        free(text);
        cJSON_Delete(req);
    }
}

static void test_token_lines(struct check_counts *cc)
{
    static const struct {
        const char *line;
        int rc;
        unsigned roles;
        const char *token_or_err;
    } lines[] = {
        {"", 0, 0, ""},
        {"   # comment", 0, 0, ""},
        {"cad abc", 1, OVL_ROLE_CAD, "abc"},
        {"\tviewer,supervisor   xyz  \r", 1, OVL_ROLE_VIEWER | OVL_ROLE_SUPERVISOR, "xyz"},
        {"cad,operator,cad t", 1, OVL_ROLE_CAD | OVL_ROLE_OPERATOR, "t"},
        {"cad", -22, 0, "expected ROLE[,ROLE...] TOKEN"},
        {"cad a b", -22, 0, "expected ROLE[,ROLE...] TOKEN"},
        {"cad, tok", -22, 0, "unknown role \"\" (viewer, cad, operator, supervisor)"},
        {"Cad tok", -22, 0, "unknown role \"Cad\" (viewer, cad, operator, supervisor)"},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct ovl_token tok;
        char err[160] = "";
        int rc = ovl_tokens_parse_line(lines[i].line, &tok, err, sizeof err);

        CHECK_INT(cc, rc, lines[i].rc);
        if (rc == 1)
            CHECK(cc, tok.roles == lines[i].roles &&
                          strcmp(tok.token, lines[i].token_or_err) == 0,
                  "line \"%s\": %u %s", lines[i].line, tok.roles, tok.token);
        else if (rc < 0)
            CHECK_STR(cc, err, lines[i].token_or_err);
    }
}

int main(void)
{
    struct check_counts cc = {0};

    test_requests(&cc);
    test_token_lines(&cc);
    return check_report(&cc);
}
