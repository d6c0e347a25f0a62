/*
 * test_layout.c - table tests for layout_parse(): good documents and the
 * model they give, bad documents and the exact diagnostics they give
 * ("line:col: severity: message"), the position scanner in json_pos.c, the
 * limits, layout_load_file() and every layout shipped in layouts/.  The keys
 * of feeds (video, place, privacy), tiles (panels, tours), outputs (display)
 * and the wall (named layouts, tour, basemap) each have cases; consent dates
 * are checked at the fixed time CASE_NOW and against timegm().
 *
 * In the tables a ' stands for a " so the JSON stays readable; cases marked
 * RAW are used as written.
 */
#include "layout/json_pos.h"
#include "layout/layout.h"
#include "layout/layout_priv.h"

#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#ifndef TESSERA_SOURCE_DIR
#error "TESSERA_SOURCE_DIR must name the source tree"
#endif

#define MAX_WANT 12

/* The time the cases are parsed at: 2026-12-24 12:00 UTC. */
#define CASE_NOW 1798113600LL

struct parse_case {
    const char *name;
    const char *json;
    int raw;                     /* use json as is (no ' -> ") */
    const char *want[MAX_WANT];  /* every diagnostic, in order */
};

#define DATE_FORMS "a date (YYYY-MM-DD, e.g. \"2026-03-01\") or a time with an " \
    "offset (RFC 3339, e.g. \"2027-01-05T00:00:00-06:00\")"

/* A valid document the bad cases below vary. */
#define FEEDS "'feeds': {'a': {'url': 'rtsp://h/a'}}"
#define OUT1 "'outputs': [{'size': [640, 480], 'grid': [2, 2], " \
             "'tiles': [{'feed': 'a', 'cell': [0, 0]}]}]"

/* Feed "a" of a valid document, its last keys added on line 3 from column 2
 * (then a key's value is at column 6 + the key's length). */
#define FA "{" OUT1 ",\n 'feeds': {'a': {'url': 'x',\n "
#define FZ "}}}"
/* A private feed "a" with a place, for consent on line 3. */
#define CA "{" OUT1 ",\n 'feeds': {'a': {'url': 'x', 'owner': 'private', " \
           "'location': [51.5, -0.1], 'range_m': 50,\n "
/* Consent with "granted" on the next line and "expires" on the one after
 * (their values at column 13); close it with "}". */
#define CONSENT(g, e) "'consent': {'ref': 'W-2026-0012',\n 'granted': '" g \
                      "',\n 'expires': '" e "'"
#define MASK "{'polygon': [[0, 0], [1, 0], [0, 1]]}, "
/* Tiles of a 2x2 output from line 3, column 2, before a tour of feeds "a"
 * and "b" in cell [1, 1] on the last line. */
#define TA "{'feeds': {'a': {'url': 'x'}, 'b': {'url': 'y'}},\n" \
           " 'outputs': [{'size': [64, 64], 'grid': [2, 2], 'tiles': [\n "
#define TZ ",\n {'tour': {'feeds': ['a', 'b']}, 'cell': [1, 1]}]}]}"
/* A wall whose "sync" value starts at 2:10; SW has "wall" on line 2, SB
 * "broker", SBW both, and the keys under test follow on line 3 from column 2
 * (a key's value at column 6 + the key's length); close with SZ. */
#define SYNC0 "{'feeds': {}, 'outputs': [{'size': [64, 64], 'grid': [1, 1]}],\n" \
              " 'sync': "
#define SW SYNC0 "{'wall': 'w',\n "
#define SB SYNC0 "{'broker': 'mqtt://h',\n "
#define SBW SYNC0 "{'broker': 'mqtt://h', 'wall': 'w',\n "
#define SZ "}}"
/* Outputs "l" (its "node" value at 2:58, given as NL) and "r" (line 3; NR
 * adds its keys) of the one view. */
#define NODES(NL, NR) "{'feeds': {}, 'outputs': [\n {'name': 'l', 'size': [64, 64], " \
                      "'grid': [1, 1], 'node': " NL "},\n {'name': 'r', 'size': " \
                      "[64, 64], 'grid': [1, 1]" NR "}]}"
/* Views "day" (its output "l" at 2:22, a "node" value after "grid" at 2:78)
 * and "night" (output "l" at 3:24, a "node" value at 3:80). */
#define VIEW_L(k) "{'outputs': [{'name': 'l', 'size': [64, 64], 'grid': [1, 1]" k "}]}"
#define DAY_NIGHT(kd, kn) "{'feeds': {}, 'layouts': {\n 'day': " VIEW_L(kd) ",\n" \
                          " 'night': " VIEW_L(kn) "}}"
#define X40 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static const struct parse_case good_cases[] = {
    {"minimal", "{'feeds': {}, 'outputs': [{'size': [640, 480], "
                "'grid': [1, 1]}]}", 0, {NULL}},
    {"one tile", "{" FEEDS ", " OUT1 "}", 0, {NULL}},
    {"empty tiles", "{'feeds': {}, 'outputs': [{'size': [640, 480], "
                    "'grid': [1, 1], 'tiles': []}]}", 0, {NULL}},
    {"schema and version", "{'$schema': './schema.json', 'version': 1, " FEEDS
                           ", " OUT1 "}", 0, {NULL}},
    {"integral floats", "{" FEEDS ", 'outputs': [{'size': [640.0, 4.8e2], "
                        "'grid': [2, 2], 'gap': 2.0, 'tiles': [{'feed': 'a', "
                        "'cell': [0, 0]}]}]}", 0, {NULL}},
    {"byte order mark", "\xEF\xBB\xBF{" FEEDS ", " OUT1 "}", 0, {NULL}},
    {"unused feed warns", "{'feeds': {'a': {'url': 'x'}, 'b': {'url': 'y'}}, "
                          "'outputs': [{'size': [640, 480], 'grid': [2, 2], "
                          "'tiles': [{'feed': 'a', 'cell': [0, 0]}]}]}", 0,
     {"1:31: warning: feed \"b\" is not shown by any tile"}},
    {"two outputs", "{" FEEDS ", 'outputs': [{'name': 'left', 'size': [64, 64],"
                    " 'grid': [1, 1], 'tiles': [{'feed': 'a', 'cell': [0, 0]}"
                    "]}, {'name': 'right', 'size': [64, 64], 'grid': [1, 1]}]}",
     0, {NULL}},

    /* ---- new keys: what they accept ---- */
    {"feed with every key", FA "'substream': 'rtsp://h/a-low', "
                            "'stall_after': 2.5, 'hwdec': 'vaapi', 'transport': 'udp', "
                            "'location': [-33.9, 151.2], 'range_m': 80, "
                            "'owner': 'agency', 'masks': [{'polygon': [[0, 0],"
                            " [1, 0], [0.5, 1]], 'style': 'pixelate'}]" FZ,
     0, {NULL}},
    {"private feed without consent warns", FA "'owner': 'private'" FZ, 0,
     {"3:11: warning: private feed \"a\" has no consent: it will not be "
      "shown"}},
    {"leap day consent", CA CONSENT("2024-02-29", "2028-02-29") "}" FZ, 0,
     {NULL}},
    {"one-day consent", CA CONSENT("2027-01-05", "2027-01-05") "}" FZ, 0,
     {"4:13: warning: consent W-2026-0012 for feed \"a\" is not valid before "
      "2027-01-05",
      "5:13: warning: consent W-2026-0012 for feed \"a\" expires in 12 days "
      "(2027-01-05)"}},
    {"consent expires in 30 days", CA CONSENT("2026-01-01", "2027-01-23")
     "}" FZ, 0,
     {"5:13: warning: consent W-2026-0012 for feed \"a\" expires in 30 days "
      "(2027-01-23)"}},
    {"consent expires in 31 days", CA CONSENT("2026-01-01", "2027-01-24")
     "}" FZ, 0, {NULL}},
    {"consent expires tomorrow", CA CONSENT("2026-01-01", "2026-12-25") "}"
     FZ, 0,
     {"5:13: warning: consent W-2026-0012 for feed \"a\" expires in 1 day "
      "(2026-12-25)"}},
    {"consent expires today", CA CONSENT("2026-01-01", "2026-12-24") "}" FZ,
     0,
     {"5:13: warning: consent W-2026-0012 for feed \"a\" expires today "
      "(2026-12-24)"}},
    {"consent expired", CA CONSENT("2025-01-01", "2026-12-23") "}" FZ, 0,
     {"5:13: warning: consent W-2026-0012 for feed \"a\" expired on "
      "2026-12-23"}},
    {"consent ref quoted when not plain", CA "'consent': {'ref': 'W 12',\n "
     "'granted': '2025-01-01',\n 'expires': '2026-01-01'}" FZ, 0,
     {"5:13: warning: consent \"W 12\" for feed \"a\" expired on "
      "2026-01-01"}},
    {"incident-only consent", CA CONSENT("2026-01-01", "2030-12-31")
     ",\n 'scope': 'incident-only'}" FZ, 0, {NULL}},
    {"panels and tours", TA "{'panel': 'map', 'cell': [0, 0], 'center': "
                         "[51.5, -0.12], 'zoom': 0, 'label': 'Area'},\n "
                         "{'panel': 'incidents', 'cell': [1, 0]},\n "
                         "{'tour': {'feeds': ['b', 'a', 'b'], 'dwell': 0.5}, "
                         "'cell': [0, 1], 'fit': 'cover'}" TZ, 0, {NULL}},
    {"feed only in a tour is used", "{'feeds': {'a': {'url': 'x'}, 'b': "
                                    "{'url': 'y'}}, 'outputs': [{'size': [64,"
                                    " 64], 'grid': [1, 1], 'tiles': [{'tour':"
                                    " {'feeds': ['a', 'b']}, 'cell': [0, 0]}"
                                    "]}]}", 0, {NULL}},
    {"displays", "{'feeds': {}, 'outputs': [{'name': 'l', 'size': [64, 64], "
                 "'grid': [1, 1], 'display': 0}, {'name': 'r', 'size': [64, "
                 "64], 'grid': [1, 1], 'display': 'DP-2'}]}", 0, {NULL}},
    {"display without size", "{'feeds': {}, 'outputs': [{'name': 'l', 'grid': [1, 1], "
                             "'display': 0}, {'name': 'r', 'grid': [2, 1], "
                             "'display': 'DP-2'}]}", 0, {NULL}},
    {"named layouts", "{'feeds': {'a': {'url': 'x'}, 'b': {'url': 'y'}},\n"
                      " 'layouts': {\n"
                      "  'day': {'outputs': [{'size': [64, 64], 'grid': [1, "
                      "1], 'tiles': [{'feed': 'a', 'cell': [0, 0]}]}]},\n"
                      "  'night_2': {'outputs': [{'size': [64, 64], 'grid': "
                      "[1, 1], 'tiles': [{'feed': 'b', 'cell': [0, 0]}]}]}},"
                      "\n 'tour': {'layouts': ['day', 'night_2', 'day']},\n"
                      " 'basemap': 'tiles/osm'}", 0, {NULL}},
    {"feed no view shows warns", "{'feeds': {'a': {'url': 'x'}, 'b': {'url': "
                                 "'y'}},\n 'layouts': {'day': {'outputs': "
                                 "[{'size': [64, 64], 'grid': [1, 1], "
                                 "'tiles': [{'feed': 'a', 'cell': [0, 0]}]}]}"
                                 ", 'night': {'outputs': [{'size': [64, 64], "
                                 "'grid': [1, 1]}]}}}", 0,
     {"1:31: warning: feed \"b\" is not shown by any tile"}},

    /* ---- call-up: registry cameras, slots and the policy ---- */
    {"call-up slots and a registry",
     "{'registry': 'cams.geojson', 'feeds': {'a': {'camera': 'north-gate'}},\n"
     " 'outputs': [{'size': [64, 64], 'grid': [2, 1], 'tiles': [{'feed': 'a', "
     "'cell': [0, 0]},\n {'callup': 1, 'cell': [1, 0], 'fit': 'cover'}]}],\n"
     " 'callup': {'up_to_priority': 2, 'max_cameras': 2, 'radius_m': 0, "
     "'hold_s': 60, 'kinds': {'fire': {'max_cameras': 1}}}}", 0, {NULL}},

    /* ---- a wall of several PCs: "sync" and "node" ---- */
    {"sync, every key", SBW "'username_file': 'u', 'password_file': 'p', "
     "'tls': {'ca_file': 'ca.pem', 'cert_file': 'c.pem', 'key_file': 'k.pem'}, "
     "'keepalive_s': 60" SZ, 0, {NULL}},
    {"sync, least keys", SBW "'keepalive_s': 1" SZ, 0, {NULL}},
    {"sync, longest wall", SB "'wall': '" X40 "123456789012345678901234'" SZ, 0,
     {NULL}},
    {"sync, brokers", SW "'broker': 'MQTTS://10.0.0.5:65535', 'tls': {}" SZ,
     0, {NULL}},
    {"nodes", NODES("'pc-1.a_B'", ", 'node': 'pc-1.a_B'"), 0, {NULL}},
    {"nodes in views", DAY_NIGHT(", 'node': 'pc1'", ", 'node': 'pc1'"), 0, {NULL}},
    {"node of 63 characters", NODES("'" X40 "12345678901234567890123'",
                                    ", 'node': 'b'"), 0, {NULL}},
};

static const struct parse_case bad_cases[] = {
    /* ---- JSON syntax: one error, where the text goes wrong ---- */
    {"empty", "", 0, {"1:1: error: empty document; expected a JSON object"}},
    {"blank", "  \n  ", 0,
     {"2:3: error: empty document; expected a JSON object"}},
    {"trailing comma", "{'feeds': {},\n 'outputs': [],\n}", 0,
     {"2:15: error: trailing comma before '}'"}},
    {"trailing comma in array", "[1, 2, ]", 0,
     {"1:6: error: trailing comma before ']'"}},
    {"missing comma", "{'feeds': {}\n 'outputs': []}", 0,
     {"2:2: error: expected ',' between object members"}},
    {"missing comma in array", "{'a': [1 2]}", 0,
     {"1:10: error: expected ',' between array elements"}},
    {"missing colon", "{'feeds' {}}", 0,
     {"1:10: error: unexpected '{'; expected ':' after the object key"}},
    {"unclosed", "{'feeds': {'a': [1,\n 2", 0,
     {"2:3: error: unexpected end of input; the '[' at line 1, column 17 is "
      "not closed"}},
    {"unterminated string", "{'feeds': {'a\n}}", 0,
     {"1:12: error: unterminated string; missing closing '\"' before the end "
      "of the line"}},
    {"unterminated at end", "{'a': 'abc", 0,
     {"1:7: error: unterminated string; missing closing '\"'"}},
    {"comment", "{\n  // cameras\n  'feeds': {}}", 0,
     {"2:3: error: comments are not allowed in JSON"}},
    {"single quotes", "{\"feeds\": 'x'}", 1,
     {"1:11: error: strings and keys need double quotes, not '"}},
    {"typographic quote", "{\"feeds\": \xE2\x80\x9Cx\xE2\x80\x9D}", 1,
     {"1:11: error: typographic quote U+201C; use a straight double quote "
      "(\")"}},
    {"unquoted key", "{feeds: {}}", 0,
     {"1:2: error: object keys need double quotes"}},
    {"unquoted value", "{'feeds': north}", 0,
     {"1:11: error: unexpected word \"north\"; strings need double quotes"}},
    {"capital literal", "{'a': True}", 0,
     {"1:7: error: invalid literal \"True\"; did you mean \"true\"?"}},
    {"leading zero", "{'version': 01}", 0,
     {"1:13: error: invalid number; leading zeros are not allowed"}},
    {"bad fraction", "[1.]", 0,
     {"1:2: error: invalid number; expected a digit after '.'"}},
    {"bad exponent", "[1e+]", 0,
     {"1:2: error: invalid number; expected a digit in the exponent"}},
    {"lone minus", "[-]", 0,
     {"1:2: error: invalid number; expected a digit after '-'"}},
    {"number glued to word", "[12px]", 0, {"1:2: error: invalid number"}},
    {"number too long", "[1.00000000000000000000000000000000000000000000000"
                        "0000000000000000]", 0,
     {"1:2: error: number is too long (more than 63 characters)"}},
    {"text after document", "{}\n{}", 0,
     {"2:1: error: unexpected '{'; expected the end of the document"}},
    {"bad escape", "{'a': 'x\\qy'}", 0,
     {"1:9: error: invalid escape '\\q' in string"}},
    {"short unicode escape", "{'a': '\\u12'}", 0,
     {"1:8: error: invalid \\u escape; expected four hex digits"}},
    {"lone high surrogate", "{'a': 'x\\ud83dy'}", 0,
     {"1:9: error: unpaired surrogate \\uD83D in string"}},
    {"lone low surrogate", "{'a': '\\uDE00'}", 0,
     {"1:8: error: unpaired surrogate \\uDE00 in string"}},
    {"nul escape", "{'a': '\\u0000'}", 0,
     {"1:8: error: \\u0000 is not allowed in strings"}},
    {"raw tab in string", "{'a': 'x\ty'}", 0,
     {"1:9: error: control character U+0009 in string must be escaped"}},
    {"invalid utf-8 in string", "{'a': 'caf\xE9'}", 0,
     {"1:11: error: invalid UTF-8 in string"}},
    {"overlong utf-8", "{'a': '\xC0\xAF'}", 0,
     {"1:8: error: invalid UTF-8 in string"}},
    {"utf-8 surrogate", "{'a': '\xED\xA0\x80'}", 0,
     {"1:8: error: invalid UTF-8 in string"}},
    {"control character", "{\x01}", 0,
     {"1:2: error: unexpected control character U+0001; expected a key in "
      "double quotes"}},
    {"stray byte", "{'a': \xFF}", 0,
     {"1:7: error: unexpected byte 0xFF (not UTF-8); expected a value"}},
    {"no-break space", "{'a':\xC2\xA0" "1}", 0,
     {"1:6: error: unexpected character U+00A0; expected a value"}},
    {"stray character", "{'feeds': @}", 0,
     {"1:11: error: unexpected '@'; expected a value"}},
    {"too deep", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                 "[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
                 "]]]]]]]]]]]]]]]]]]]]]", 0,
     {"1:65: error: nesting is too deep (more than 64 levels)"}},
    {"columns count code points", "{'a': '\xC3\xA9\xE6\x97\xA5\xF0\x9F\x8E\xA5',"
                                  " 'b': x}", 0,
     {"1:19: error: unexpected word \"x\"; strings need double quotes"}},
    {"crlf and bom", "\xEF\xBB\xBF{\r\n  'a': 1,\r\n  'b': ?\r\n}", 0,
     {"3:8: error: unexpected '?'; expected a value"}},
    {"old mac line ends", "{\r'a': 1,\r  'b': ?}", 0,
     {"3:8: error: unexpected '?'; expected a value"}},

    /* ---- the document ---- */
    {"not an object", "[1, 2]", 0,
     {"1:1: error: the layout must be a JSON object"}},
    {"empty object", "{}", 0,
     {"1:1: error: missing key \"feeds\" in the layout",
      "1:1: error: missing key \"outputs\" or \"layouts\" in the layout"}},
    {"top-level typo", "{" FEEDS ", 'output': []}", 0,
     {"1:1: error: missing key \"outputs\" or \"layouts\" in the layout",
      "1:41: error: unknown key \"output\" in the layout; did you mean "
      "\"outputs\"?"}},
    {"top-level unknown", "{'spam': 1, " FEEDS ", " OUT1 "}", 0,
     {"1:2: error: unknown key \"spam\" in the layout"}},
    {"duplicate top-level key", "{" FEEDS ", " OUT1 ", 'feeds': {}}", 0,
     {"1:134: error: duplicate key \"feeds\" in the layout"}},
    {"schema not a string", "{'$schema': 1, " FEEDS ", " OUT1 "}", 0,
     {"1:13: error: \"$schema\" must be a string"}},
    {"version 2", "{'version': 2, " FEEDS ", " OUT1 "}", 0,
     {"1:13: error: unsupported \"version\" 2 (only version 1 is known)"}},
    {"version not an integer", "{'version': 1.5, " FEEDS ", " OUT1 "}", 0,
     {"1:13: error: \"version\" must be the integer 1"}},
    {"version string", "{'version': '1', " FEEDS ", " OUT1 "}", 0,
     {"1:13: error: \"version\" must be the integer 1"}},

    /* ---- feeds ---- */
    {"feeds not an object", "{'feeds': [], " OUT1 "}", 0,
     {"1:11: error: \"feeds\" must be an object mapping feed ids to feeds"}},
    {"feed not an object", "{'feeds': {'a': 'rtsp://h/a'}, " OUT1 "}", 0,
     {"1:17: error: feed \"a\" must be an object"}},
    {"feed id characters", "{'feeds': {'a b': {'url': 'x'}, 'a': {'url': 'y'}"
                           "}, " OUT1 "}", 0,
     {"1:12: error: feed id \"a b\" may only contain letters, digits, '-' and "
      "'_'", "1:12: warning: feed \"a b\" is not shown by any tile"}},
    {"empty feed id", "{'feeds': {'': {'url': 'x'}, 'a': {'url': 'y'}}, "
                      OUT1 "}", 0,
     {"1:12: error: feed id must not be empty",
      "1:12: warning: feed \"\" is not shown by any tile"}},
    {"long feed id", "{'feeds': {'a': {'url': 'y'}, 'x234567890123456789012345"
                     "6789012345678901234567890123456789012345678901234567890"
                     "': {'url': 'x'}}, "
                     OUT1 "}", 0,
     {"1:31: error: feed id \"x234567890123456789012345678901234567890...\" "
      "is too long (at most 64 characters)",
      "1:31: warning: feed \"x234567890123456789012345678901234567890...\" is "
      "not shown by any tile"}},
    {"duplicate feed id", "{'feeds': {'a': {'url': 'x'},\n"
                          "  'a': {'url': 'y'}}, " OUT1 "}", 0,
     {"2:3: error: duplicate feed id \"a\" (first defined at line 1, column "
      "12)"}},
    {"feed url missing", "{'feeds': {'a': {'label': 'A'}}, " OUT1 "}", 0,
     {"1:17: error: missing key \"url\" in feed \"a\""}},
    {"feed url empty", "{'feeds': {'a': {'url': ''}}, " OUT1 "}", 0,
     {"1:25: error: \"url\" must be a non-empty string"}},
    {"feed fields mistyped", "{'feeds': {'a': {'url': 5, 'label': null, "
                             "'loop': 'yes'}}, " OUT1 "}", 0,
     {"1:25: error: \"url\" must be a non-empty string",
      "1:37: error: \"label\" must be a string",
      "1:51: error: \"loop\" must be true or false"}},
    {"feed key case", "{'feeds': {'a': {'URL': 'x'}}, " OUT1 "}", 0,
     {"1:17: error: missing key \"url\" in feed \"a\"",
      "1:18: error: unknown key \"URL\" in feed; did you mean \"url\"?"}},
    {"feed key unknown", "{'feeds': {'a': {'url': 'x', 'spam': 1}}, " OUT1 "}",
     0, {"1:30: error: unknown key \"spam\" in feed"}},
    {"feed duplicate key", "{'feeds': {'a': {'url': 'x', 'url': 'y'}}, " OUT1
                           "}", 0,
     {"1:30: error: duplicate key \"url\" in feed"}},

    /* ---- outputs ---- */
    {"outputs not an array", "{" FEEDS ", 'outputs': {}}", 0,
     {"1:52: error: \"outputs\" must be an array of outputs"}},
    {"outputs empty", "{'feeds': {}, 'outputs': []}", 0,
     {"1:26: error: \"outputs\" must list at least one output"}},
    {"output not an object", "{'feeds': {}, 'outputs': [[]]}", 0,
     {"1:27: error: output 0 must be an object"}},
    {"output missing keys", "{'feeds': {}, 'outputs': [{}]}", 0,
     {"1:27: error: missing key \"size\" in output \"main\" (it may be left out "
      "only when \"display\" names a monitor)",
      "1:27: error: missing key \"grid\" in output \"main\""}},
    {"size shapes", "{'feeds': {}, 'outputs': [\n"
                    " {'name': 'a', 'size': [640], 'grid': [1, 1]},\n"
                    " {'name': 'b', 'size': '640x480', 'grid': [1, 1]},\n"
                    " {'name': 'c', 'size': [640, 480.5], 'grid': [1, 1]},\n"
                    " {'name': 'd', 'size': [0, 480], 'grid': [1, 1]},\n"
                    " {'name': 'e', 'size': [1e300, 480], 'grid': [1, 1]},\n"
                    " {'name': 'f', 'size': [640, 480, 1], 'grid': [1, 1]},\n"
                    " {'name': 'g', 'size': [20000, 480], 'grid': [1, 1]}]}", 0,
     {"2:24: error: \"size\" must be an array of two positive integers",
      "3:24: error: \"size\" must be an array of two positive integers",
      "4:24: error: \"size\" must be an array of two positive integers",
      "5:24: error: \"size\" must be an array of two positive integers",
      "6:24: error: \"size\" must be an array of two positive integers",
      "7:24: error: \"size\" must be an array of two positive integers",
      "8:24: error: \"size\" [20000, 480] is too large (at most 16384 pixels "
      "a side)"}},
    {"grid shapes", "{'feeds': {}, 'outputs': [\n"
                    " {'name': 'a', 'size': [640, 480], 'grid': [0, 1]},\n"
                    " {'name': 'b', 'size': [640, 480], 'grid': [65, 1]},\n"
                    " {'name': 'c', 'size': [32, 32], 'grid': [64, 1]}]}", 0,
     {"2:44: error: \"grid\" must be an array of two positive integers",
      "3:44: error: \"grid\" [65, 1] is too large (at most 64 cells a side)",
      "4:42: error: \"grid\" [64, 1] does not fit in \"size\" [32, 32] (each "
      "cell needs at least one pixel)"}},
    {"gap", "{'feeds': {}, 'outputs': [\n"
            " {'name': 'a', 'size': [640, 480], 'grid': [2, 2], 'gap': -1},\n"
            " {'name': 'b', 'size': [640, 480], 'grid': [2, 2], 'gap': 2.5},\n"
            " {'name': 'c', 'size': [640, 480], 'grid': [4, 4], 'gap': 120}]}",
     0,
     {"2:59: error: \"gap\" must be a non-negative integer",
      "3:59: error: \"gap\" must be a non-negative integer",
      "4:59: error: \"gap\" 120 leaves no room for tiles (the smallest cell "
      "is 160x120 pixels)"}},
    {"names", "{'feeds': {}, 'outputs': [\n"
              " {'name': 'main', 'size': [64, 64], 'grid': [1, 1]},\n"
              " {'size': [64, 64], 'grid': [1, 1]},\n"
              " {'name': 'main', 'size': [64, 64], 'grid': [1, 1]},\n"
              " {'name': '', 'size': [64, 64], 'grid': [1, 1]},\n"
              " {'name': 7, 'size': [64, 64], 'grid': [1, 1]}]}", 0,
     {"3:2: error: missing key \"name\" in output 1; names are required when "
      "there are several outputs",
      "4:11: error: duplicate output name \"main\" (first used by output 0)",
      "5:11: error: \"name\" must be a non-empty string",
      "6:11: error: \"name\" must be a non-empty string"}},
    {"output keys", "{'feeds': {}, 'outputs': [{'size': [64, 64], 'grid': [1, "
                    "1], 'grdi': [1, 1], 'size': [1, 1], 'titles': []}]}", 0,
     {"1:62: error: unknown key \"grdi\" in output; did you mean \"grid\"?",
      "1:78: error: duplicate key \"size\" in output",
      "1:94: error: unknown key \"titles\" in output; did you mean \"tiles\"?"}},

    /* ---- tiles ---- */
    {"tiles not an array", "{" FEEDS ", 'outputs': [{'size': [64, 64], "
                           "'grid': [1, 1], 'tiles': {}}]}", 0,
     {"1:97: error: \"tiles\" must be an array of tiles"}},
    {"tile not an object", "{'feeds': {}, 'outputs': [{'size': [64, 64], "
                           "'grid': [1, 1], 'tiles': ['a']}]}", 0,
     {"1:72: error: tile 0 must be an object"}},
    {"tile missing keys", "{'feeds': {}, 'outputs': [{'size': [64, 64], "
                          "'grid': [1, 1], 'tiles': [{}]}]}", 0,
     {"1:72: error: tile 0 needs one of \"feed\", \"panel\", \"tour\" or \"callup\"",
      "1:72: error: missing key \"cell\" in tile 0"}},
    {"unknown feed", "{'feeds': {'north': {'url': 'x'}}, 'outputs': [{'size': "
                     "[64, 64], 'grid': [3, 1], 'tiles': [\n"
                     " {'feed': 'nort', 'cell': [0, 0]},\n"
                     " {'feed': 'south', 'cell': [1, 0]},\n"
                     " {'feed': 3, 'cell': [2, 0]}]}]}", 0,
     {"1:12: warning: feed \"north\" is not shown by any tile",
      "2:11: error: unknown feed \"nort\"; did you mean \"north\"?",
      "3:11: error: unknown feed \"south\"",
      "4:11: error: \"feed\" must be a string naming a feed"}},
    {"cell and span shapes", "{" FEEDS ", 'outputs': [{'size': [64, 64], "
                             "'grid': [2, 2], 'tiles': [\n"
                             " {'feed': 'a', 'cell': [-1, 0]},\n"
                             " {'feed': 'a', 'cell': 'A1'},\n"
                             " {'feed': 'a', 'cell': [0, 1], 'span': [0, 1]},"
                             "\n {'feed': 'a', 'cell': [1, 1], 'span': [1]}]}]}",
     0,
     {"2:24: error: \"cell\" must be an array of two non-negative integers "
      "[column, row]",
      "3:24: error: \"cell\" must be an array of two non-negative integers "
      "[column, row]",
      "4:40: error: \"span\" must be an array of two positive integers "
      "[columns, rows]",
      "5:40: error: \"span\" must be an array of two positive integers "
      "[columns, rows]"}},
    {"fit", "{" FEEDS ", 'outputs': [{'size': [64, 64], 'grid': [2, 1], "
            "'tiles': [\n"
            " {'feed': 'a', 'cell': [0, 0], 'fit': 'cove'},\n"
            " {'feed': 'a', 'cell': [1, 0], 'fit': 'fill'},\n"
            " {'feed': 'a', 'cell': [1, 0], 'fit': 1}]}]}", 0,
     {"2:39: error: \"fit\" must be \"contain\", \"cover\" or \"stretch\"; did "
      "you mean \"cover\"?",
      "3:39: error: \"fit\" must be \"contain\", \"cover\" or \"stretch\"",
      "4:24: error: tile 2 overlaps tile 1 at cell [1, 0]",
      "4:39: error: \"fit\" must be \"contain\", \"cover\" or \"stretch\""}},
    {"tile keys", "{" FEEDS ", 'outputs': [{'size': [64, 64], 'grid': [1, 1], "
                  "'tiles': [\n"
                  " {'feed': 'a', 'cell': [0, 0], 'fitt': 'cover', 'spam': 1, "
                  "'label': 2, 'feed': 'a'}]}]}", 0,
     {"2:32: error: unknown key \"fitt\" in tile; did you mean \"fit\"?",
      "2:49: error: unknown key \"spam\" in tile; did you mean \"span\"?",
      "2:69: error: \"label\" must be a string",
      "2:72: error: duplicate key \"feed\" in tile"}},
    {"outside the grid", "{" FEEDS ", 'outputs': [{'size': [64, 64], 'grid': "
                         "[2, 2], 'tiles': [\n"
                         " {'feed': 'a', 'cell': [2, 0]},\n"
                         " {'feed': 'a', 'cell': [0, 5]},\n"
                         " {'feed': 'a', 'cell': [1, 0], 'span': [3, 1]},\n"
                         " {'feed': 'a', 'cell': [0, 1], 'span': [1, 2]},\n"
                         " {'feed': 'a', 'cell': [1, 1], 'span': [2, 3]}]}]}",
     0,
     {"2:24: error: tile 0 cell [2, 0] is outside the 2x2 grid (columns 0 to "
      "1, rows 0 to 1)",
      "3:24: error: tile 1 cell [0, 5] is outside the 2x2 grid (columns 0 to "
      "1, rows 0 to 1)",
      "4:40: error: tile 2 span [3, 1] at cell [1, 0] reaches outside the 2x2 "
      "grid (columns 2 to 3)",
      "5:40: error: tile 3 span [1, 2] at cell [0, 1] reaches outside the 2x2 "
      "grid (row 2)",
      "6:40: error: tile 4 span [2, 3] at cell [1, 1] reaches outside the 2x2 "
      "grid (column 2 and rows 2 to 3)"}},
    {"overlaps", "{" FEEDS ", 'outputs': [{'size': [64, 64], 'grid': [3, 2], "
                 "'tiles': [\n"
                 " {'feed': 'a', 'cell': [0, 0], 'span': [2, 1]},\n"
                 " {'feed': 'a', 'cell': [2, 0], 'span': [1, 2]},\n"
                 " {'feed': 'a', 'cell': [1, 0], 'span': [2, 2]},\n"
                 " {'feed': 'a', 'cell': [0, 0]}]}]}", 0,
     {"4:24: error: tile 2 overlaps tile 0 at cell [1, 0]",
      "4:24: error: tile 2 overlaps tile 1 at cell [2, 0]",
      "5:24: error: tile 3 overlaps tile 0 at cell [0, 0]"}},
    {"big numbers in cells", "{" FEEDS ", 'outputs': [{'size': [64, 64], "
                             "'grid': [2, 2], 'tiles': [\n"
                             " {'feed': 'a', 'cell': [2147483647, 0], "
                             "'span': [2147483647, 1]},\n"
                             " {'feed': 'a', 'cell': [1e300, 0]}]}]}", 0,
     {"2:24: error: tile 0 cell [2147483647, 0] is outside the 2x2 grid "
      "(columns 0 to 1, rows 0 to 1)",
      "3:24: error: \"cell\" must be an array of two non-negative integers "
      "[column, row]"}},

    /* ---- many problems at once, reported in document order ---- */
    {"multiple errors",
     "{\n"
     "  'version': 1,\n"
     "  'feeds': {\n"
     "    'north': {'url': 'rtsp://h/north', 'label': 'Nörth Gäte', 'lop': 1},"
     "\n"
     "    'south': {'url': 'rtsp://h/south'},\n"
     "    'east': {'url': ''}\n"
     "  },\n"
     "  'outputs': [\n"
     "    {'name': 'main', 'size': [1920, 1080], 'grid': [2, 2], 'gap': 4,\n"
     "     'tiles': [{'feed': 'north', 'cell': [0, 0], 'span': [2, 1]},\n"
     "               {'feed': 'sotuh', 'cell': [1, 0], 'fit': 'zoom'},\n"
     "               {'feed': 'north', 'cell': [1, 2]}]}\n"
     "  ]\n"
     "}\n", 0,
     {"4:63: error: unknown key \"lop\" in feed; did you mean \"loop\"?",
      "5:5: warning: feed \"south\" is not shown by any tile",
      "6:5: warning: feed \"east\" is not shown by any tile",
      "6:21: error: \"url\" must be a non-empty string",
      "11:25: error: unknown feed \"sotuh\"; did you mean \"south\"?",
      "11:42: error: tile 1 overlaps tile 0 at cell [1, 0]",
      "11:57: error: \"fit\" must be \"contain\", \"cover\" or \"stretch\"",
      "12:42: error: tile 2 cell [1, 2] is outside the 2x2 grid (columns 0 "
      "to 1, rows 0 to 1)"}},
    {"quoting in messages", "{'feeds': {'a\\\"b\\n': {'url': 'x'}}, " OUT1 "}",
     0,
     {"1:12: error: feed id \"a\\\"b\\u000a\" may only contain letters, "
      "digits, '-' and '_'",
      "1:12: warning: feed \"a\\\"b\\u000a\" is not shown by any tile",
      "1:105: error: unknown feed \"a\""}},

    /* ---- feeds: video, place ---- */
    {"substream", FA "'substream': ''" FZ, 0,
     {"3:15: error: \"substream\" must be a non-empty string"}},
    {"substream not a string", FA "'substream': ['rtsp://h/low']" FZ, 0,
     {"3:15: error: \"substream\" must be a non-empty string"}},
    {"stall_after zero", FA "'stall_after': 0" FZ, 0,
     {"3:17: error: \"stall_after\" 0 is out of range (more than 0 and at "
      "most 3600 seconds)"}},
    {"stall_after too long", FA "'stall_after': 3600.5" FZ, 0,
     {"3:17: error: \"stall_after\" 3600.5 is out of range (more than 0 and "
      "at most 3600 seconds)"}},
    {"stall_after string", FA "'stall_after': '5s'" FZ, 0,
     {"3:17: error: \"stall_after\" must be a number of seconds"}},
    {"hwdec near miss", FA "'hwdec': 'nvdc'" FZ, 0,
     {"3:11: error: \"hwdec\" must be \"auto\", \"nvdec\", \"vaapi\" or "
      "\"sw\"; did you mean \"nvdec\"?"}},
    {"transport near miss", FA "'transport': 'tpc'" FZ, 0,
     {"3:15: error: \"transport\" must be \"auto\", \"tcp\" or \"udp\"; did you "
      "mean \"tcp\"?"}},
    {"hwdec unknown", FA "'hwdec': 'cuda'" FZ, 0,
     {"3:11: error: \"hwdec\" must be \"auto\", \"nvdec\", \"vaapi\" or "
      "\"sw\""}},
    {"location shape", FA "'location': [51.5]" FZ, 0,
     {"3:14: error: \"location\" must be an array of two numbers [latitude, "
      "longitude]"}},
    {"location range", FA "'location': [90.5, -180.25]" FZ, 0,
     {"3:15: error: \"location\" latitude 90.5 is out of range (-90 to 90)",
      "3:21: error: \"location\" longitude -180.25 is out of range (-180 to "
      "180)"}},
    {"range_m needs location", FA "'range_m': 50" FZ, 0,
     {"3:13: error: \"range_m\" needs \"location\""}},
    {"range_m range", FA "'location': [0, 0],\n 'range_m': 100001" FZ, 0,
     {"4:13: error: \"range_m\" 100001 is out of range (more than 0 and at "
      "most 100000 metres)"}},
    {"range_m not a number", FA "'location': [0, 0],\n 'range_m': '50m'" FZ,
     0, {"4:13: error: \"range_m\" must be a number of metres"}},
    {"feed key near miss", FA "'stall-after': 5, 'sub_stream': 'x'" FZ, 0,
     {"3:2: error: unknown key \"stall-after\" in feed; did you mean "
      "\"stall_after\"?",
      "3:20: error: unknown key \"sub_stream\" in feed; did you mean "
      "\"substream\"?"}},

    /* ---- feeds: owner and consent ---- */
    {"owner near miss", FA "'owner': 'privat'" FZ, 0,
     {"3:11: error: \"owner\" must be \"agency\" or \"private\"; did you mean "
      "\"private\"?"}},
    {"consent on an agency feed", FA CONSENT("2026-01-01", "2030-12-31") "}"
     FZ, 0,
     {"3:13: error: \"consent\" is for private feeds; add \"owner\": "
      "\"private\""}},
    {"consent not an object", CA "'consent': 'W-1'" FZ, 0,
     {"3:13: error: \"consent\" must be an object with \"ref\", \"granted\" "
      "and \"expires\""}},
    {"consent missing keys", CA "'consent': {'scopes': 'live'}" FZ, 0,
     {"3:13: error: missing key \"ref\" in consent",
      "3:13: error: missing key \"granted\" in consent",
      "3:13: error: missing key \"expires\" in consent",
      "3:14: error: unknown key \"scopes\" in consent; did you mean "
      "\"scope\"?"}},
    {"consent ref", CA "'consent': {'ref': '',\n 'granted': '2026-01-01',\n "
     "'expires': '2030-01-01'}" FZ, 0,
     {"3:21: error: \"ref\" must be a non-empty string (the waiver's "
      "reference)"}},
    {"consent ref too long", CA "'consent': {'ref': '\xC3\xA9\xC3\xA9\xC3\xA9"
     "\xC3\xA9\xC3\xA9" "123456789012345678901234567890123456789012345678901234"
     "567890',\n 'granted': '2026-01-01',\n "
     "'expires': '2030-01-01'}" FZ, 0,
     {"3:21: error: \"ref\" is too long (at most 64 characters)"}},
    {"date shapes", CA "'consent': {'ref': 'W-1',\n 'granted': '2026-1-01',"
     "\n 'expires': 20301231}" FZ, 0,
     {"4:13: error: \"granted\" must be " DATE_FORMS,
      "5:13: error: \"expires\" must be " DATE_FORMS}},
    {"february 30", CA CONSENT("2026-02-30", "2030-12-31") "}" FZ, 0,
     {"4:13: error: \"granted\" 2026-02-30 is not a date (February 2026 has "
      "28 days)"}},
    {"not a leap year", CA CONSENT("2023-02-29", "2100-02-29") "}" FZ, 0,
     {"4:13: error: \"granted\" 2023-02-29 is not a date (February 2023 has "
      "28 days)",
      "5:13: error: \"expires\" 2100-02-29 is not a date (February 2100 has "
      "28 days)"}},
    {"month and day", CA CONSENT("2026-13-01", "2026-04-00") "}" FZ, 0,
     {"4:13: error: \"granted\" 2026-13-01 is not a date (there is no month "
      "13)",
      "5:13: error: \"expires\" 2026-04-00 is not a date (there is no day "
      "00)"}},
    {"april 31", CA CONSENT("2026-04-31", "2026-12-31x") "}" FZ, 0,
     {"4:13: error: \"granted\" 2026-04-31 is not a date (April 2026 has 30 "
      "days)",
      "5:13: error: \"expires\" \"2026-12-31x\" is not a time with an offset (add "
      "\"Z\" or e.g. \"-06:00\"; a date alone is read in the layout's \"timezone\")"}},
    {"time without an offset", CA CONSENT("2026-04-01T00:00:00", "2026-12-31") "}" FZ, 0,
     {"4:13: error: \"granted\" \"2026-04-01T00:00:00\" is not a time with an offset "
      "(add \"Z\" or e.g. \"-06:00\"; a date alone is read in the layout's "
      "\"timezone\")"}},
    {"bad times", CA CONSENT("2026-04-01T24:00:00Z", "2026-12-31T10:00:00+25:00") "}" FZ, 0,
     {"4:13: error: \"granted\" \"2026-04-01T24:00:00Z\" is not " DATE_FORMS,
      "5:13: error: \"expires\" \"2026-12-31T10:00:00+25:00\" is not " DATE_FORMS}},
    {"control character in a time", CA CONSENT("2026-04-01\\n", "2026-12-31") "}" FZ, 0,
     {"4:13: error: \"granted\" \"2026-04-01\\u000a\" is not a time with an offset "
      "(add \"Z\" or e.g. \"-06:00\"; a date alone is read in the layout's "
      "\"timezone\")"}},
    {"times out of order", CA CONSENT("2026-04-01T10:00:00Z", "2026-04-01T05:00:00-05:00")
     "}" FZ, 0,
     {"5:13: error: \"expires\" 2026-04-01T05:00:00-05:00 is before \"granted\" "
      "2026-04-01T10:00:00Z"}},
    {"timezone not a zone", "{'timezone': 'Mars/Olympus_Mons', " FEEDS ", " OUT1 "}", 0,
     {"1:14: error: \"timezone\" \"Mars/Olympus_Mons\" is not a time zone known here "
      "(No such file or directory)"}},
    {"timezone not a name", "{'timezone': '../../etc/passwd', " FEEDS ", " OUT1 "}", 0,
     {"1:14: error: \"timezone\" \"../../etc/passwd\" is not a time zone known here "
      "(not a zone name)"}},
    {"timezone not a string", "{'timezone': -6, " FEEDS ", " OUT1 "}", 0,
     {"1:14: error: \"timezone\" must be an IANA time zone name, e.g. "
      "\"America/Chicago\""}},
    {"incident_ttl", "{'incident_ttl': 0, " FEEDS ", " OUT1 "}", 0,
     {"1:18: error: \"incident_ttl\" 0 is out of range (more than 0 and at most "
      "604800 seconds)"}},
    {"expires before granted", CA CONSENT("2026-06-02", "2026-06-01") "}" FZ,
     0,
     {"5:13: error: \"expires\" 2026-06-01 is before \"granted\" "
      "2026-06-02"}},
    {"scope near miss", CA CONSENT("2026-01-01", "2030-12-31")
     ",\n 'scope': 'incident_only'}" FZ, 0,
     {"6:11: error: \"scope\" must be \"live\" or \"incident-only\"; did you "
      "mean \"incident-only\"?"}},
    {"incident-only needs a place", FA "'owner': 'private',\n "
     CONSENT("2026-01-01", "2030-12-31") ",\n 'scope': 'incident-only'}" FZ,
     0,
     {"7:11: error: consent scope \"incident-only\" needs \"location\" and "
      "\"range_m\" on the feed (it is shown only while an incident is in "
      "range)"}},
    {"incident-only needs range_m", FA "'owner': 'private', 'location': [0, "
     "0],\n " CONSENT("2026-01-01", "2030-12-31")
     ",\n 'scope': 'incident-only'}" FZ, 0,
     {"7:11: error: consent scope \"incident-only\" needs \"range_m\" on the "
      "feed (it is shown only while an incident is in range)"}},

    /* ---- feeds: masks ---- */
    {"masks not an array", FA "'masks': {'polygon': []}" FZ, 0,
     {"3:11: error: \"masks\" must be an array of masks, or {\"main\": [masks], "
      "\"substream\": [masks]}"}},
    {"one camera, two privacy settings", "{" OUT1 ",\n 'feeds': {'a': {'url': 'rtsp://h/x', "
     "'owner': 'private'},\n 'b': {'url': 'rtsp://u:p@H:554/x?y=1', 'masks': []}}}", 0,
     {"2:48: warning: private feed \"a\" has no consent: it will not be shown",
      "3:2: error: feed \"b\" reads the same camera as feed \"a\" (line 2, column 12) but its "
      "\"owner\", \"consent\" or \"masks\" differ: privacy belongs to the camera; state "
      "it once, or the same on both",
      "3:2: warning: feed \"b\" is not shown by any tile"}},
    {"a substream entry with other masks", "{" OUT1 ",\n 'feeds': {'a': {'url': 'rtsp://h/x', "
     "'substream': 'rtsp://h/y', 'masks': [" MASK "{'polygon': [[0, 0], [1, 0], [1, 1]]}]},\n"
     " 'b': {'url': 'rtsp://h/y', 'masks': []}}}", 0,
     {"3:2: error: feed \"b\" reads the same camera as feed \"a\"'s substream (line 2, column 12) "
      "but its \"owner\", \"consent\" or \"masks\" differ: privacy belongs to the camera; "
      "state it once, or the same on both",
      "3:2: warning: feed \"b\" is not shown by any tile"}},
    {"masks per stream without a substream", FA "'masks': {'main': [],\n 'substream': []}" FZ, 0,
     {"4:2: error: masks for the \"substream\" need the feed's \"substream\" URL"}},
    {"masks per stream without main", FA "'substream': 'y', 'masks': {'substream': []}" FZ, 0,
     {"3:29: error: missing key \"main\" in \"masks\""}},
    {"masks main not an array", FA "'masks': {'main': 3}" FZ, 0,
     {"3:20: error: \"main\" must be an array of masks"}},
    {"mask shapes", FA "'masks': [1,\n {'style': 'solid', 'points': []},\n "
     "{'polygon': [[0, 0], [1, 1]]},\n {'polygon': [[0, 0], [1], [1, 2], "
     "[0.5, '1']], 'style': 'blurred'}]" FZ, 0,
     {"3:12: error: mask 0 must be an object",
      "4:2: error: missing key \"polygon\" in mask 1",
      "4:21: error: unknown key \"points\" in mask",
      "5:14: error: \"polygon\" must be an array of 3 to 32 points [x, y]",
      "6:23: error: polygon point 1 must be an array of two numbers [x, y]",
      "6:28: error: polygon point 2 [1, 2] is outside the picture (x and y "
      "go from 0 to 1)",
      "6:36: error: polygon point 3 must be an array of two numbers [x, y]",
      "6:58: error: \"style\" must be \"solid\" or \"pixelate\""}},
    {"mask without area", FA "'masks': [{'polygon': [[0, 0], [0.5, 0.5], "
     "[1, 1], [0.25, 0.25]]}]" FZ, 0,
     {"3:24: error: \"polygon\" encloses no area (its points are on one "
      "line)"}},
    {"too many masks", FA "'masks': [" MASK MASK MASK MASK MASK MASK MASK MASK
     MASK MASK MASK MASK MASK MASK MASK MASK "\n {'polygon': []}]" FZ, 0,
     {"4:2: error: too many masks (at most 16 per stream)"}},

    /* ---- call-up ---- */
    {"camera without a registry", "{'feeds': {'a': {'camera': 'gate'}}, " OUT1 "}", 0,
     {"1:28: error: \"camera\" names a registry camera, but the layout has no \"registry\""}},
    {"camera and url", "{'registry': 'r.json', 'feeds': {'a': {'camera': 'gate', "
     "'url': 'x', 'range_m': 5}}, " OUT1 "}", 0, {"1:58: error: feed \"a\" takes \"url\" from registry camera \"gate\"; leave it out here",
      "1:70: error: feed \"a\" takes \"range_m\" from registry camera \"gate\"; leave it out here",
      "1:81: error: \"range_m\" needs \"location\""}},
    {"camera not a string", "{'registry': 'r.json', 'feeds': {'a': {'camera': 7}}, "
     OUT1 "}", 0, {"1:50: error: \"camera\" must be a registry camera id (a string of at most 63 bytes)"}},
    {"slot numbers", "{" FEEDS ", 'outputs': [{'size': [64, 64], 'grid': [3, 1], "
     "'tiles': [\n {'callup': 0, 'cell': [0, 0]}, {'callup': 2, 'cell': [1, 0]},\n"
     " {'callup': 2, 'cell': [2, 0], 'feed': 'a'}]}]}", 0, {"1:12: warning: feed \"a\" is not shown by any tile",
      "2:13: error: \"callup\" must be a slot number from 1 to 64",
      "3:13: error: call-up slot 2 is already tile 1 of this output",
      "3:32: error: tile 2 has both \"callup\" and \"feed\"; a tile shows one feed, one panel, one tour or one call-up slot"}},
    {"call-up policy values", "{" FEEDS ", " OUT1 ",\n 'callup': {'up_to_priority': 10, "
     "'max_cameras': 0, 'radius_m': -1, 'hold_s': 0,\n 'kinds': {'fire': {'kinds': {}, "
     "'max_camera': 2}, 'x': 3}}}", 0, {"2:31: error: \"up_to_priority\" must be an integer from 0 (no automatic call-up) to 9",
      "2:50: error: \"max_cameras\" must be an integer from 1 to 64",
      "2:65: error: \"radius_m\" must be a number of metres from 0 to 100000",
      "2:79: error: \"hold_s\" 0 is out of range (more than 0 and at most 604800 seconds)",
      "3:21: error: unknown key \"kinds\" in call-up kind",
      "3:34: error: unknown key \"max_camera\" in call-up kind; did you mean \"max_cameras\"?",
      "3:57: error: kind \"x\" must be an object with call-up keys"}},
    {"registry and callup types", "{" FEEDS ", " OUT1 ", 'registry': '', 'callup': []}", 0,
     {"1:146: error: \"registry\" must be a non-empty string (a GeoJSON file of cameras)",
      "1:160: error: \"callup\" must be an object (keys \"up_to_priority\", \"max_cameras\", \"radius_m\", \"hold_s\", \"kinds\")"}},

    /* ---- tiles: feed, panel or tour ---- */
    {"tile with a feed and a panel", TA "{'feed': 'a', 'cell': [0, 0], "
     "'panel': 'map'}" TZ, 0,
     {"3:32: error: tile 0 has both \"feed\" and \"panel\"; a tile shows one "
      "feed, one panel, one tour or one call-up slot"}},
    {"tile with all three", TA "{'tour': {'feeds': ['a', 'b']}, 'cell': [0, "
     "0], 'panel': 'incidents', 'feed': 'a'}" TZ, 0,
     {"3:50: error: tile 0 has both \"tour\" and \"panel\"; a tile shows one "
      "feed, one panel, one tour or one call-up slot",
      "3:72: error: tile 0 has both \"tour\" and \"feed\"; a tile shows one "
      "feed, one panel, one tour or one call-up slot"}},
    {"panel near miss", TA "{'panel': 'maps', 'cell': [0, 0]}" TZ, 0,
     {"3:12: error: \"panel\" must be \"map\" or \"incidents\"; did you mean "
      "\"map\"?"}},
    {"map needs a center", TA "{'panel': 'map', 'cell': [0, 0], 'zoom': 20}"
     TZ, 0,
     {"3:2: error: missing key \"center\" in tile 0; a map panel needs it",
      "3:43: error: \"zoom\" must be an integer from 0 to 19"}},
    {"map center and zoom", TA "{'panel': 'map', 'cell': [0, 0], 'center': "
     "[-91, 181], 'zoom': 1.5}" TZ, 0,
     {"3:46: error: \"center\" latitude -91 is out of range (-90 to 90)",
      "3:51: error: \"center\" longitude 181 is out of range (-180 to 180)",
      "3:65: error: \"zoom\" must be an integer from 0 to 19"}},
    {"center on a camera tile", TA "{'feed': 'a', 'cell': [0, 0], 'center': "
     "[0, 0], 'zoom': 3}" TZ, 0,
     {"3:32: error: \"center\" applies to map panels only",
      "3:50: error: \"zoom\" applies to map panels only"}},
    {"zoom on an incidents panel", TA "{'panel': 'incidents', 'cell': [0, 0],"
     " 'zoom': 3, 'fit': 'cover', 'label': 'Open incidents'}" TZ, 0,
     {"3:41: error: \"zoom\" applies to map panels only",
      "3:52: error: \"fit\" applies to camera tiles only"}},
    {"tour not an object", TA "{'tour': ['a', 'b'], 'cell': [0, 0]}" TZ, 0,
     {"3:11: error: \"tour\" must be an object with \"feeds\" and "
      "\"dwell\""}},
    {"tour of one feed", TA "{'tour': {'feeds': ['a']}, 'cell': [0, 0]}" TZ,
     0, {"3:21: error: a tour needs at least two feeds"}},
    {"tour feeds", TA "{'tour': {'feeds': ['a', 'bb', 7, 'c'], 'dwell': 0},"
     " 'cell': [0, 0]}" TZ, 0,
     {"3:27: error: unknown feed \"bb\"; did you mean \"b\"?",
      "3:33: error: \"feeds\" must list feed ids (strings)",
      "3:36: error: unknown feed \"c\"; did you mean \"a\"?",
      "3:51: error: \"dwell\" 0 is out of range (more than 0 and at most "
      "86400 seconds)"}},
    {"tour keys", TA "{'tour': {'feed': ['a', 'b'], 'dwel': 5}, 'cell': [0, "
     "0]}" TZ, 0,
     {"3:11: error: missing key \"feeds\" in tour",
      "3:12: error: unknown key \"feed\" in tour; did you mean \"feeds\"?",
      "3:32: error: unknown key \"dwel\" in tour; did you mean \"dwell\"?"}},
    {"tour feeds not an array", TA "{'tour': {'feeds': 'a,b'}, 'cell': [0, "
     "0]}" TZ, 0,
     {"3:21: error: \"feeds\" must be an array of feed ids"}},

    /* ---- outputs: display ---- */
    {"display", "{'feeds': {}, 'outputs': [\n"
                " {'name': 'a', 'size': [64, 64], 'grid': [1, 1], 'display': -1},\n"
                " {'name': 'b', 'size': [64, 64], 'grid': [1, 1], 'display': ''},\n"
                " {'name': 'c', 'size': [64, 64], 'grid': [1, 1], 'display': 1.5}]}",
     0,
     {"2:61: error: \"display\" must be a display number (0, 1, ...) or a "
      "display name such as \"DP-2\"",
      "3:61: error: \"display\" must be a display number (0, 1, ...) or a "
      "display name such as \"DP-2\"",
      "4:61: error: \"display\" must be a display number (0, 1, ...) or a "
      "display name such as \"DP-2\""}},

    /* ---- named layouts and the wall's tour ---- */
    {"outputs and layouts", "{'feeds': {},\n 'outputs': [{'size': [64, 64], "
                            "'grid': [1, 1]}],\n 'layouts': {}}", 0,
     {"3:2: error: top-level \"outputs\" and \"layouts\" cannot both be given "
      "(put the outputs in a named layout)"}},
    {"layouts not an object", "{'feeds': {}, 'layouts': []}", 0,
     {"1:26: error: \"layouts\" must be an object mapping layout names to "
      "layouts"}},
    {"layouts empty", "{'feeds': {}, 'layouts': {}}", 0,
     {"1:26: error: \"layouts\" must name at least one layout"}},
    {"layout names and bodies", "{'feeds': {'a': {'url': 'x'}},\n"
     " 'layouts': {\n"
     "  'day': {'outputs': [{'size': [64, 64], 'grid': [1, 1], 'tiles': "
     "[{'feed': 'a', 'cell': [0, 0]}]}]},\n"
     "  'day': {'outputs': []},\n"
     "  'night shift': {'outputs': []},\n"
     "  'x': 1,\n"
     "  'y': {'ouputs': []}}}", 0,
     {"4:3: error: duplicate layout name \"day\" (first defined at line 3, "
      "column 3)",
      "5:3: error: layout name \"night shift\" may only contain letters, "
      "digits, '-' and '_'",
      "5:30: error: \"outputs\" must list at least one output",
      "6:8: error: layout \"x\" must be an object",
      "7:8: error: missing key \"outputs\" in layout \"y\"",
      "7:9: error: unknown key \"ouputs\" in layout \"y\"; did you mean "
      "\"outputs\"?"}},
    {"each layout's tiles are checked", "{'feeds': {'a': {'url': 'x'}},\n"
     " 'layouts': {\n"
     "  'day': {'outputs': [{'size': [64, 64], 'grid': [1, 1], 'tiles': "
     "[{'feed': 'a', 'cell': [0, 0]}]}]},\n"
     "  'night': {'outputs': [{'size': [64, 64], 'grid': [1, 1]},\n"
     "                        {'size': [64, 64], 'grid': [1, 1], 'tiles': "
     "[{'feed': 'aa', 'cell': [1, 0]}]}]}}}", 0,
     {"4:25: error: missing key \"name\" in output 0; names are required "
      "when there are several outputs",
      "5:25: error: missing key \"name\" in output 1; names are required "
      "when there are several outputs",
      "5:79: error: unknown feed \"aa\"; did you mean \"a\"?",
      "5:93: error: tile 0 cell [1, 0] is outside the 1x1 grid (columns 0 "
      "to 0, rows 0 to 0)"}},
    {"tour needs layouts", "{" FEEDS ", " OUT1 ",\n 'tour': {'layouts': "
                           "['a', 'b']}}", 0,
     {"2:2: error: \"tour\" needs \"layouts\": it cycles the wall through "
      "named layouts"}},
    {"wall tour", "{'feeds': {'a': {'url': 'x'}},\n 'layouts': {'day': "
                  "{'outputs': [{'size': [64, 64], 'grid': [1, 1], 'tiles': "
                  "[{'feed': 'a', 'cell': [0, 0]}]}]},\n 'night': {'outputs':"
                  " [{'size': [64, 64], 'grid': [1, 1]}]}},\n 'tour': "
                  "{'layouts': ['day', 'nihgt', 'evening', ['day']], "
                  "'dwell': 'long'}}", 0,
     {"4:30: error: unknown layout \"nihgt\"; did you mean \"night\"?",
      "4:39: error: unknown layout \"evening\"",
      "4:50: error: \"layouts\" must list layout names (strings)",
      "4:69: error: \"dwell\" must be a number of seconds"}},
    {"wall tour of one layout", "{'feeds': {},\n 'layouts': {'day': "
                                "{'outputs': [{'size': [64, 64], 'grid': [1,"
                                " 1]}]}},\n 'tour': {'layouts': ['day']}}", 0,
     {"3:22: error: a tour needs at least two layouts"}},
    {"wall tour not an object", "{'feeds': {},\n 'layouts': {'day': "
                                "{'outputs': [{'size': [64, 64], 'grid': [1,"
                                " 1]}]}},\n 'tour': ['day', 'day']}", 0,
     {"3:10: error: \"tour\" must be an object with \"layouts\" and "
      "\"dwell\""}},
    {"basemap", "{'feeds': {}, 'outputs': [{'size': [64, 64], 'grid': [1, "
                "1]}],\n 'basemap': ''}", 0,
     {"2:13: error: \"basemap\" must be a non-empty string (a directory of "
      "map tiles or an .mbtiles file)"}},

    /* ---- "sync" ---- */
    {"sync not an object", SYNC0 "'mqtt://h'}", 0,
     {"2:10: error: \"sync\" must be an object with \"broker\" and \"wall\""}},
    {"sync empty", SYNC0 "{}}", 0,
     {"2:10: error: missing key \"broker\" in \"sync\"",
      "2:10: error: missing key \"wall\" in \"sync\""}},
    {"sync unknown key", SBW "'keepalive': 5" SZ, 0,
     {"3:2: error: unknown key \"keepalive\" in \"sync\"; did you mean "
      "\"keepalive_s\"?"}},
    {"sync duplicate key", SBW "'wall': 'x'" SZ, 0,
     {"3:2: error: duplicate key \"wall\" in \"sync\""}},
    {"broker not a string", SW "'broker': 1883" SZ, 0,
     {"3:12: error: \"broker\" must be a string such as "
      "\"mqtt://broker.example:1883\" or \"mqtts://broker.example\""}},
    {"broker scheme", SW "'broker': 'tcp://h:1883'" SZ, 0,
     {"3:12: error: \"broker\" \"tcp://h:1883\" must start with mqtt:// or "
      "mqtts:// (e.g. \"mqtt://broker:1883\")"}},
    {"broker without scheme", SW "'broker': 'h:1883'" SZ, 0,
     {"3:12: error: \"broker\" \"h:1883\" must start with mqtt:// or "
      "mqtts:// (e.g. \"mqtt://broker:1883\")"}},
    {"broker credentials, never shown", SW "'broker': 'mqtt://wall:s3/cret@h'" SZ, 0,
     {"3:12: error: \"broker\" must not hold credentials (user:password@): put "
      "them in files named by \"username_file\" and \"password_file\""}},
    {"broker path", SW "'broker': 'mqtt://h:1883/wall'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtt://h:1883/wall\" must not have a path, "
      "query or fragment; write mqtt://HOST[:PORT] or mqtts://HOST[:PORT]"}},
    {"broker secret query redacted", SW "'broker': 'mqtt://h?password=s3cret'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtt://h?password=***\" must not have a "
      "path, query or fragment; write mqtt://HOST[:PORT] or mqtts://HOST[:PORT]"}},
    {"broker trailing slash", SW "'broker': 'mqtts://h/'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtts://h/\" must not have a path, "
      "query or fragment; write mqtt://HOST[:PORT] or mqtts://HOST[:PORT]"}},
    {"broker port 0", SW "'broker': 'mqtt://h:0'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtt://h:0\" has a port that is not a number "
      "from 1 to 65535"}},
    {"broker port 65536", SW "'broker': 'mqtt://[::1]:65536'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtt://[::1]:65536\" has a port that is not "
      "a number from 1 to 65535"}},
    {"broker empty port", SW "'broker': 'mqtts://h:'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtts://h:\" has a port that is not a number "
      "from 1 to 65535"}},
    {"broker port not a number", SW "'broker': 'mqtt://h:+1883'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtt://h:+1883\" has a port that is not a "
      "number from 1 to 65535"}},
    {"broker no host", SW "'broker': 'mqtt://:1883'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtt://:1883\" names no host; write "
      "mqtt://HOST[:PORT]"}},
    {"broker IPv6 unclosed", SW "'broker': 'mqtt://[::1:1883'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtt://[::1:1883\" has a host in brackets "
      "that is not an IPv6 address"}},
    {"broker IPv6 bad", SW "'broker': 'mqtt://[fe80::zz]'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtt://[fe80::zz]\" has a host in brackets "
      "that is not an IPv6 address"}},
    {"broker IPv6 without brackets", SW "'broker': 'mqtt://::1'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtt://::1\" has an IPv6 address without "
      "brackets; write mqtt://[ADDRESS]:PORT"}},
    {"broker IPv4 bad", SW "'broker': 'mqtt://10.0.0.256'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtt://10.0.0.256\" has a host that is not "
      "an IPv4 address"}},
    {"broker host bad", SW "'broker': 'mqtt://wall pc'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtt://wall pc\" has a host that is not a "
      "host name, an IPv4 address or an IPv6 address in brackets ([::1])"}},
    {"broker host empty label", SW "'broker': 'mqtt://broker..example'" SZ, 0,
     {"3:12: error: \"broker\" \"mqtt://broker..example\" has a host that is "
      "not a valid host name"}},
    {"wall with a slash", SB "'wall': 'rtcc/main'" SZ, 0,
     {"3:10: error: \"wall\" \"rtcc/main\" may only contain letters, digits, "
      "'-' and '_' (it is a level of MQTT topic names)"}},
    {"wall with a wildcard", SB "'wall': 'rtcc+'" SZ, 0,
     {"3:10: error: \"wall\" \"rtcc+\" may only contain letters, digits, "
      "'-' and '_' (it is a level of MQTT topic names)"}},
    {"wall with a dot", SB "'wall': 'rtcc.main'" SZ, 0,
     {"3:10: error: \"wall\" \"rtcc.main\" may only contain letters, digits, "
      "'-' and '_' (it is a level of MQTT topic names)"}},
    {"wall empty", SB "'wall': ''" SZ, 0,
     {"3:10: error: \"wall\" must be a non-empty string: the wall's name in "
      "MQTT topic names"}},
    {"wall not a string", SB "'wall': null" SZ, 0,
     {"3:10: error: \"wall\" must be a non-empty string: the wall's name in "
      "MQTT topic names"}},
    {"wall too long", SB "'wall': '" X40 "1234567890123456789012345'" SZ, 0,
     {"3:10: error: \"wall\" \"" X40 "...\" is too long (at most 64 "
      "characters)"}},
    {"password without user", SBW "'password_file': 'p'" SZ, 0,
     {"3:2: error: \"password_file\" needs \"username_file\""}},
    {"username file empty", SBW "'username_file': ''" SZ, 0,
     {"3:19: error: \"username_file\" must be a non-empty string (a file name)"}},
    {"password file not a string", SBW "'password_file': 1,\n 'username_file': 'u'"
     SZ, 0,
     {"3:19: error: \"password_file\" must be a non-empty string (a file name)"}},
    {"tls not an object", SBW "'tls': true" SZ, 0,
     {"3:9: error: \"tls\" must be an object (keys \"ca_file\", \"cert_file\", "
      "\"key_file\"; {} for the system's CA certificates)"}},
    {"tls cert without key", SBW "'tls': {'cert_file': 'c.pem'}" SZ, 0,
     {"3:10: error: \"cert_file\" needs \"key_file\""}},
    {"tls key without cert, unknown key", SBW "'tls': {'key_file': 'k.pem', "
     "'ca_fil': 'ca.pem'}" SZ, 0,
     {"3:10: error: \"key_file\" needs \"cert_file\"",
      "3:31: error: unknown key \"ca_fil\" in \"tls\"; did you mean "
      "\"ca_file\"?"}},
    {"tls file empty", SBW "'tls': {'ca_file': ''}" SZ, 0,
     {"3:21: error: \"ca_file\" must be a non-empty string (a file name)"}},
    {"keepalive 0", SBW "'keepalive_s': 0" SZ, 0,
     {"3:17: error: \"keepalive_s\" must be a number of seconds from 1 to 60"}},
    {"keepalive 60.5", SBW "'keepalive_s': 60.5" SZ, 0,
     {"3:17: error: \"keepalive_s\" must be a number of seconds from 1 to 60"}},
    {"keepalive a string", SBW "'keepalive_s': '2'" SZ, 0,
     {"3:17: error: \"keepalive_s\" must be a number of seconds from 1 to 60"}},

    /* ---- "node" ---- */
    {"node with a blank", NODES("'pc 2'", ", 'node': 'pc2'"), 0,
     {"2:58: error: \"node\" \"pc 2\" may only contain letters, digits, '.', "
      "'-' and '_'"}},
    {"node with a slash", NODES("'pc/2'", ", 'node': 'pc2'"), 0,
     {"2:58: error: \"node\" \"pc/2\" may only contain letters, digits, '.', "
      "'-' and '_'"}},
    {"node empty", NODES("''", ", 'node': 'pc2'"), 0,
     {"2:58: error: \"node\" must be a non-empty string: the name of the PC "
      "that drives the output (tessera --node NAME)"}},
    {"node not a string", NODES("2", ", 'node': 'pc2'"), 0,
     {"2:58: error: \"node\" must be a non-empty string: the name of the PC "
      "that drives the output (tessera --node NAME)"}},
    {"node too long", NODES("'" X40 "123456789012345678901234'", ", 'node': 'b'"), 0,
     {"2:58: error: \"node\" \"" X40 "...\" is too long (at most 63 "
      "characters)"}},
    {"node on some outputs", NODES("'pc1'", ""), 0,
     {"3:2: error: missing key \"node\" in output \"r\" (output \"l\" names "
      "its node: either every output names one or none does)"}},
    {"node on later outputs only", "{'feeds': {}, 'outputs': [\n {'name': 'l', "
     "'size': [64, 64], 'grid': [1, 1]},\n {'name': 'r', 'size': [64, 64], "
     "'grid': [1, 1], 'node': 'pc1'},\n {'name': 'x', 'size': [64, 64], "
     "'grid': [1, 1]}]}", 0,
     {"2:2: error: missing key \"node\" in output \"l\" (output \"r\" names "
      "its node: either every output names one or none does)"}},
    {"node missing in a view", DAY_NIGHT(", 'node': 'pc1'", ""), 0,
     {"3:24: error: missing key \"node\" in output \"l\" of layout \"night\" "
      "(output \"l\" of layout \"day\" names its node: either every output "
      "names one or none does)"}},
    {"node differs between views", DAY_NIGHT(", 'node': 'pc1'", ", 'node': 'pc2'"), 0,
     {"3:80: error: output \"l\" is driven by node \"pc2\" here but by node "
      "\"pc1\" in layout \"day\" (line 2, column 78); an output has one PC in "
      "every layout"}},
};

/* The case's text with ' turned into " unless it is raw; caller frees. */
static char *case_text(const struct parse_case *pc)
{
    char *s = strdup(pc->json), *p;
    for (p = s; !pc->raw && p && *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    return s;
}

static void format_diag(const struct layout_diag *d, char *buf, size_t size)
{
    snprintf(buf, size, "%d:%d: %s: %s", d->line, d->col,
             d->severity == LAYOUT_WARNING ? "warning" : "error", d->message);
}

/* Parses a case and checks its diagnostics; returns the layout or NULL. */
static struct layout *run_case(struct check_counts *cc,
                               const struct parse_case *pc, int want_rc)
{
    struct layout_diags diags = {0};
    struct layout *lay = NULL;
    char *text = case_text(pc);
    int rc, i, n_want = 0;

    while (n_want < MAX_WANT && pc->want[n_want])
        n_want++;
    rc = layout_parse_at(text, strlen(text), CASE_NOW, &lay, &diags);
    CHECK(cc, rc == want_rc, "%s: rc %d, want %d", pc->name, rc, want_rc);
    CHECK(cc, (rc == 0) == (lay != NULL), "%s: layout %p with rc %d",
          pc->name, (void *)lay, rc);
    CHECK(cc, diags.n == n_want, "%s: %d diagnostics, want %d", pc->name,
          diags.n, n_want);
    for (i = 0; i < diags.n || i < n_want; i++) {
        char got[1200] = "(none)";
        if (i < diags.n)
            format_diag(&diags.items[i], got, sizeof got);
        CHECK(cc, i < n_want && strcmp(got, pc->want[i]) == 0,
              "%s: diagnostic %d\n   got: %s\n  want: %s", pc->name, i, got,
              i < n_want ? pc->want[i] : "(none)");
    }
    layout_diags_clear(&diags);
    free(text);
    return lay;
}

static void test_tables(struct check_counts *cc)
{
    size_t i;
    for (i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++)
        layout_destroy(run_case(cc, &good_cases[i], 0));
    for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
        layout_destroy(run_case(cc, &bad_cases[i], -EINVAL));
}

/* The example from docs/layout.md, checked field by field. */
static void test_model(struct check_counts *cc)
{
    static const struct parse_case example = {"model",
        "{'feeds': {\n"
        "  'north': {'url': 'rtsp://127.0.0.1:8554/north', 'label': 'North "
        "Gate'},\n"
        "  'south': {'url': 'rtsp://127.0.0.1:8554/south', 'label': 'South "
        "Lot', 'loop': true},\n"
        "  'west': {'url': 'file:demo.mp4', 'loop': false}},\n"
        " 'outputs': [{'name': 'main', 'size': [1920, 1080], 'grid': [2, 2], "
        "'gap': 4, 'tiles': [\n"
        "  {'feed': 'north', 'cell': [0, 0]},\n"
        "  {'feed': 'south', 'cell': [1, 0], 'span': [1, 2], 'fit': 'cover', "
        "'label': 'Lot (wide)'},\n"
        "  {'feed': 'west', 'cell': [0, 1], 'fit': 'stretch', 'label': ''}]}]}",
        0, {NULL}};
    struct layout *lay = run_case(cc, &example, 0);
    const struct layout_output *o;

    if (!lay)
        return;
    CHECK_INT(cc, lay->n_feeds, 3);
    CHECK_STR(cc, lay->feeds[0].id, "north");
    CHECK_STR(cc, lay->feeds[0].url, "rtsp://127.0.0.1:8554/north");
    CHECK_STR(cc, lay->feeds[0].label, "North Gate");
    CHECK_INT(cc, lay->feeds[0].loop, 0);
    CHECK_INT(cc, lay->feeds[1].loop, 1);
    CHECK_STR(cc, lay->feeds[2].label, "west");
    CHECK_INT(cc, layout_find_feed(lay, "south"), 1);
    CHECK_INT(cc, layout_find_feed(lay, "South"), -1);
    CHECK_INT(cc, layout_find_feed(lay, NULL), -1);
    CHECK_INT(cc, lay->n_outputs, 1);
    o = &lay->outputs[0];
    CHECK_STR(cc, o->name, "main");
    CHECK_INT(cc, o->width, 1920);
    CHECK_INT(cc, o->height, 1080);
    CHECK_INT(cc, o->grid_cols, 2);
    CHECK_INT(cc, o->grid_rows, 2);
    CHECK_INT(cc, o->gap, 4);
    CHECK_INT(cc, o->n_tiles, 3);
    CHECK_INT(cc, o->tiles[0].feed, 0);
    CHECK_INT(cc, o->tiles[0].cols, 1);
    CHECK_INT(cc, o->tiles[0].rows, 1);
    CHECK_INT(cc, o->tiles[0].fit, LAYOUT_FIT_CONTAIN);
    CHECK(cc, o->tiles[0].label == NULL, "tile 0 has no label of its own");
    CHECK_INT(cc, o->tiles[1].feed, 1);
    CHECK_INT(cc, o->tiles[1].col, 1);
    CHECK_INT(cc, o->tiles[1].row, 0);
    CHECK_INT(cc, o->tiles[1].cols, 1);
    CHECK_INT(cc, o->tiles[1].rows, 2);
    CHECK_INT(cc, o->tiles[1].fit, LAYOUT_FIT_COVER);
    CHECK_STR(cc, o->tiles[1].label, "Lot (wide)");
    CHECK_INT(cc, o->tiles[2].fit, LAYOUT_FIT_STRETCH);
    CHECK_STR(cc, o->tiles[2].label, "");
    layout_destroy(lay);
}

/* Escapes are decoded, and the default output name applies to one output. */
static void test_strings(struct check_counts *cc)
{
    static const struct parse_case c = {"escapes",
        "{'feeds': {'cam-1_A': {'url': 'rtsp://u:p@h/\\u00e9', 'label': "
        "'Caf\\u00e9 \\ud83c\\udfa5 \\\"A\\\"\\t\\/'}}, 'outputs': [{'size': "
        "[64, 64], 'grid': [1, 1], 'tiles': [{'feed': 'cam-1_A', 'cell': "
        "[0, 0]}]}]}", 0, {NULL}};
    struct layout *lay = run_case(cc, &c, 0);
    if (!lay)
        return;
    CHECK_STR(cc, lay->feeds[0].url, "rtsp://u:p@h/\xC3\xA9");
    CHECK_STR(cc, lay->feeds[0].label,
              "Caf\xC3\xA9 \xF0\x9F\x8E\xA5 \"A\"\t/");
    CHECK_STR(cc, lay->outputs[0].name, "main");
    layout_destroy(lay);
}

/* Parses a private feed whose consent is granted and expires on y-m-d, at
 * now = want; true when the epochs are want and the next midnight, and the
 * only diagnostic says the consent expires today. */
static bool check_epoch(int y, int m, int d, long long want, long long want_end)
{
    struct layout_diags diags = {0};
    struct layout *lay = NULL;
    char text[512];
    bool ok;

    snprintf(text, sizeof text, "{\"feeds\": {\"a\": {\"url\": \"x\", "
             "\"owner\": \"private\", \"consent\": {\"ref\": \"r\", "
             "\"granted\": \"%04d-%02d-%02d\", \"expires\": "
             "\"%04d-%02d-%02d\"}}}, \"outputs\": [{\"size\": [64, 64], "
             "\"grid\": [1, 1], \"tiles\": [{\"feed\": \"a\", \"cell\": "
             "[0, 0]}]}]}", y, m, d, y, m, d);
    ok = layout_parse_at(text, strlen(text), want, &lay, &diags) == 0 &&
         lay->feeds[0].consent.granted_epoch == want &&
         lay->feeds[0].consent.expires_epoch == want_end &&
         diags.n == 1 && strstr(diags.items[0].message, "expires today");
    if (!ok && lay)
        fprintf(stderr, "%04d-%02d-%02d: %lld..%lld, want %lld..%lld\n", y, m, d,
                lay->feeds[0].consent.granted_epoch, lay->feeds[0].consent.expires_epoch,
                want, want_end);
    layout_destroy(lay);
    layout_diags_clear(&diags);
    return ok;
}

/* "timezone" decides how consent dates are read; RFC 3339 times carry their
 * own offset; "incident_ttl" lands in the model (default an hour). */
static void test_consent_zone(struct check_counts *cc)
{
    static const struct parse_case pc = {"consent zone",
        "{'timezone': 'America/Chicago', 'incident_ttl': 120, 'feeds': {'a': {'url': 'x', "
        "'owner': 'private', 'consent': {'ref': 'W-1', 'granted': '2026-01-05', "
        "'expires': '2027-07-01T12:00:00.5-06:00'}},\n"
        "'b': {'url': 'y', 'owner': 'private', 'consent': {'ref': 'W-2', "
        "'granted': '2026-01-05T00:00:00Z', 'expires': '2027-07-01'}}}, " OUT1 "}", 0,
        {"2:1: warning: feed \"b\" is not shown by any tile"}};
    struct layout *lay = run_case(cc, &pc, 0);
    if (!lay)
        return;
    CHECK_STR(cc, lay->timezone, "America/Chicago");
    CHECK(cc, lay->timezone_given, "timezone given");
    CHECK(cc, lay->incident_ttl == 120, "incident_ttl %g", lay->incident_ttl);
    /* 2026-01-05 00:00 CST is 06:00 UTC */
    CHECK_INT(cc, lay->feeds[0].consent.granted_epoch, 1767592800LL);
    CHECK_INT(cc, lay->feeds[0].consent.expires_epoch, 1814464800LL); /* 18:00Z */
    CHECK_STR(cc, lay->feeds[0].consent.expires, "2027-07-01T12:00:00.5-06:00");
    CHECK_INT(cc, lay->feeds[1].consent.granted_epoch, 1767571200LL);
    /* the whole of July 1st in Chicago (CDT, -05:00): until 05:00 UTC on the 2nd */
    CHECK_INT(cc, lay->feeds[1].consent.expires_epoch, 1814504400LL);
    layout_destroy(lay);

    static const struct parse_case plain = {"machine zone", "{" FEEDS ", " OUT1 "}", 0, {NULL}};
    lay = run_case(cc, &plain, 0);
    if (!lay)
        return;
    CHECK_STR(cc, lay->timezone, "UTC"); /* main() sets TZ=UTC */
    CHECK(cc, !lay->timezone_given, "timezone not given");
    CHECK(cc, lay->incident_ttl == 3600, "default incident_ttl %g", lay->incident_ttl);
    layout_destroy(lay);
}

/* Masks per stream: "main" and "substream" sets; the array form serves
 * both streams; a self-crossing outline (signed area 0) is a valid mask. */
static void test_stream_masks(struct check_counts *cc)
{
    static const struct parse_case pc = {"stream masks",
        "{'feeds': {'a': {'url': 'x', 'substream': 'y', 'masks': {'main': [" MASK
        "{'polygon': [[0.1, 0.1], [0.9, 0.9], [0.9, 0.1], [0.1, 0.9]]}],\n"
        "'substream': [" MASK "{'polygon': [[0, 0], [1, 0], [1, 1]]}, "
        "{'polygon': [[0, 0], [1, 0], [1, 1]], 'style': 'pixelate'}]}},\n"
        "'b': {'url': 'z', 'substream': 'w', 'masks': [" MASK "{'polygon': [[0, 0], [1, 0], [1, 1]]}]}}, "
        "'outputs': [{'size': [64, 64], 'grid': [2, 1], 'tiles': [{'feed': 'a', 'cell': [0, 0]}, "
        "{'feed': 'b', 'cell': [1, 0]}]}]}", 0, {NULL}};
    struct layout *lay = run_case(cc, &pc, 0);
    int n = 0;
    if (!lay)
        return;
    CHECK_INT(cc, lay->feeds[0].n_masks, 2);
    CHECK_INT(cc, lay->feeds[0].n_sub_masks, 3);
    CHECK(cc, layout_feed_masks(&lay->feeds[0], true, &n) == lay->feeds[0].sub_masks && n == 3,
          "substream masks");
    CHECK(cc, layout_feed_masks(&lay->feeds[0], false, &n) == lay->feeds[0].masks && n == 2,
          "main masks");
    CHECK(cc, lay->feeds[0].sub_masks[2].style == LAYOUT_MASK_PIXELATE, "style");
    CHECK(cc, layout_feed_masks(&lay->feeds[1], true, &n) == lay->feeds[1].masks && n == 2,
          "array form: the substream uses the same masks");
    CHECK(cc, lay->feeds[0].privacy_given && lay->feeds[1].privacy_given, "privacy given");
    layout_destroy(lay);
}

/* Privacy belongs to the camera: an entry with the same source (other
 * credentials, query, case of the host, default port written out) inherits
 * owner, consent and masks; another port or path is another camera. */
static void test_source_privacy(struct check_counts *cc)
{
    static const struct parse_case pc = {"source privacy",
        "{'feeds': {'shop': {'url': 'rtsp://u:p@Cam.example/live?x=1', 'owner': 'private', "
        "'consent': {'ref': 'W-9', 'granted': '2026-01-01', 'expires': '2030-01-01'}, "
        "'masks': [" MASK "{'polygon': [[0, 0], [1, 0], [1, 1]]}]},\n"
        "'again': {'url': 'rtsp://other:pw@cam.example:554/live?token=t'},\n"
        "'port': {'url': 'rtsp://cam.example:8554/live'},\n"
        "'path': {'url': 'rtsp://cam.example/live2'}}, "
        "'outputs': [{'size': [64, 64], 'grid': [2, 2], 'tiles': [{'feed': 'shop', 'cell': [0, 0]}, "
        "{'feed': 'again', 'cell': [1, 0]}, {'feed': 'port', 'cell': [0, 1]}, "
        "{'feed': 'path', 'cell': [1, 1]}]}]}", 0, {NULL}};
    struct layout *lay = run_case(cc, &pc, 0);
    if (!lay)
        return;
    const struct layout_feed *a = &lay->feeds[1];
    CHECK(cc, a->owner == LAYOUT_OWNER_PRIVATE, "the second entry is not private");
    CHECK(cc, a->consent.present && a->consent.ref && strcmp(a->consent.ref, "W-9") == 0 &&
              a->consent.expires_epoch == lay->feeds[0].consent.expires_epoch,
          "the second entry has no consent");
    CHECK_INT(cc, a->n_masks, 2);
    CHECK(cc, a->masks && a->masks != lay->feeds[0].masks && a->masks[1].n_points == 3 &&
              a->masks[1].points[1][0] == 1.0f, "masks copied");
    CHECK(cc, !a->privacy_given, "stated by the file");
    CHECK(cc, lay->feeds[2].owner == LAYOUT_OWNER_AGENCY && lay->feeds[2].n_masks == 0,
          "another port is another camera");
    CHECK(cc, lay->feeds[3].owner == LAYOUT_OWNER_AGENCY, "another path is another camera");
    layout_destroy(lay);

    /* an entry reading another entry's substream: that camera's privacy, and
     * the substream's masks */
    static const struct parse_case sub = {"substream entry",
        "{'feeds': {'cam': {'url': 'rtsp://h/main', 'substream': 'rtsp://h/sub', "
        "'owner': 'private', 'consent': {'ref': 'W-3', 'granted': '2026-01-01', "
        "'expires': '2030-01-01'}, 'masks': {'main': [" MASK "{'polygon': [[0, 0], [1, 0], [1, 1]]}], "
        "'substream': [{'polygon': [[0.5, 0], [1, 0], [1, 1]]}]}},\n"
        "'low': {'url': 'rtsp://u:p@H/sub'}}, "
        "'outputs': [{'size': [64, 64], 'grid': [2, 1], 'tiles': [{'feed': 'cam', 'cell': [0, 0]}, "
        "{'feed': 'low', 'cell': [1, 0]}]}]}", 0, {NULL}};
    lay = run_case(cc, &sub, 0);
    if (!lay)
        return;
    a = &lay->feeds[1];
    CHECK(cc, a->owner == LAYOUT_OWNER_PRIVATE && a->consent.present, "substream entry not private");
    CHECK(cc, a->n_masks == 1 && a->masks && a->masks[0].points[0][0] == 0.5f,
          "substream entry does not have the substream's masks");
    layout_destroy(lay);
}

/* Every new feed key lands in the model. */
static void test_feed_model(struct check_counts *cc)
{
    static const struct parse_case pc = {"feed model",
        "{'feeds': {\n"
        "  'a': {'url': 'rtsp://h/a', 'substream': 'rtsp://h/a-low', "
        "'stall_after': 2.5, 'hwdec': 'nvdec', 'location': [-33.9, 151.25], "
        "'range_m': 80, 'owner': 'private', 'consent': {'ref': 'W-7', "
        "'granted': '2024-02-29', 'expires': '2026-12-31', 'scope': "
        "'incident-only'}, 'masks': [{'polygon': [[0, 0], [1, 0], [0.5, "
        "0.75]]}, {'polygon': [[0, 0], [0.25, 0], [0.25, 0.25], [0, 0.25]], "
        "'style': 'pixelate'}]},\n"
        "  'b': {'url': 'rtsp://h/b', 'hwdec': 'sw', 'owner': 'agency'},\n"
        "  'c': {'url': 'rtsp://h/c'}},\n"
        " 'outputs': [{'size': [64, 64], 'grid': [3, 1], 'tiles': [{'feed': "
        "'a', 'cell': [0, 0]}, {'feed': 'b', 'cell': [1, 0]}, {'feed': 'c', "
        "'cell': [2, 0]}]}]}", 0,
        {"2:225: warning: consent W-7 for feed \"a\" expires in 7 days "
         "(2026-12-31)"}};
    struct layout *lay = run_case(cc, &pc, 0);
    const struct layout_feed *a, *b, *c;

    if (!lay)
        return;
    a = &lay->feeds[0];
    b = &lay->feeds[1];
    c = &lay->feeds[2];
    CHECK_STR(cc, a->substream, "rtsp://h/a-low");
    CHECK(cc, a->stall_after == 2.5, "stall_after %g", a->stall_after);
    CHECK_INT(cc, a->hwdec, LAYOUT_HWDEC_NVDEC);
    CHECK_INT(cc, b->hwdec, LAYOUT_HWDEC_SW);
    CHECK_INT(cc, c->hwdec, LAYOUT_HWDEC_DEFAULT);
    CHECK(cc, a->has_location && a->lat == -33.9 && a->lon == 151.25,
          "location %d %g %g", a->has_location, a->lat, a->lon);
    CHECK(cc, a->range_m == 80, "range_m %g", a->range_m);
    CHECK_INT(cc, a->owner, LAYOUT_OWNER_PRIVATE);
    CHECK_INT(cc, b->owner, LAYOUT_OWNER_AGENCY);
    CHECK_INT(cc, a->consent.present, 1);
    CHECK_STR(cc, a->consent.ref, "W-7");
    CHECK_STR(cc, a->consent.granted, "2024-02-29");
    CHECK_STR(cc, a->consent.expires, "2026-12-31");
    CHECK_INT(cc, a->consent.granted_epoch, 1709164800LL);
    CHECK_INT(cc, a->consent.expires_epoch, 1798761600LL); /* 2027-01-01 */
    CHECK_INT(cc, a->consent.scope, LAYOUT_CONSENT_INCIDENT_ONLY);
    CHECK_INT(cc, a->n_masks, 2);
    CHECK_INT(cc, a->masks[0].n_points, 3);
    CHECK_INT(cc, a->masks[0].style, LAYOUT_MASK_SOLID);
    CHECK(cc, a->masks[0].points[2][0] == 0.5f &&
              a->masks[0].points[2][1] == 0.75f, "mask point 2");
    CHECK_INT(cc, a->masks[1].n_points, 4);
    CHECK_INT(cc, a->masks[1].style, LAYOUT_MASK_PIXELATE);
    CHECK(cc, !c->substream && c->stall_after == 0 && !c->has_location &&
              c->range_m == 0 && !c->consent.present && !c->masks &&
              c->n_masks == 0, "defaults of a plain feed");
    layout_destroy(lay);
}

/* Panels, tours and displays land in the model. */
/* The call-up keys in the model: slots, registry cameras, the policy and its
 * per-kind rules (keys not given keep the policy's values). */
static void test_callup_model(struct check_counts *cc)
{
    static const struct parse_case pc = {"call-up model",
        "{'registry': 'cams.geojson', 'feeds': {'a': {'camera': 'north-gate', "
        "'label': 'Gate'}},\n"
        " 'outputs': [{'size': [64, 64], 'grid': [2, 1], 'tiles': [{'feed': 'a', "
        "'cell': [0, 0]},\n {'callup': 3, 'cell': [1, 0]}]}],\n"
        " 'callup': {'max_cameras': 2, 'hold_s': 60, 'kinds': {'fire': "
        "{'radius_m': 400}}}}",
        0, {NULL}};
    static const struct parse_case bare = {"no policy", "{" FEEDS ", " OUT1 "}", 0, {NULL}};
    struct layout *lay = run_case(cc, &pc, 0), *plain = run_case(cc, &bare, 0);

    if (lay) {
        const struct layout_tile *t = lay->outputs[0].tiles;
        const struct layout_callup_rule *fire = layout_callup_rule(lay, "fire");
        const struct layout_callup_rule *other = layout_callup_rule(lay, "theft");
        CHECK_STR(cc, lay->registry, "cams.geojson");
        CHECK_STR(cc, lay->feeds[0].camera, "north-gate");
        CHECK(cc, lay->feeds[0].url == NULL, "url comes from the registry");
        CHECK(cc, lay->feeds[0].camera_line == 1 && lay->feeds[0].camera_col == 56,
              "camera at %d:%d", lay->feeds[0].camera_line, lay->feeds[0].camera_col);
        CHECK_INT(cc, t[1].panel, LAYOUT_PANEL_CALLUP);
        CHECK_INT(cc, t[1].callup, 3);
        CHECK_INT(cc, t[1].feed, -1);
        CHECK_INT(cc, t[0].callup, 0);
        CHECK(cc, lay->callup.given, "policy given");
        CHECK(cc, other->up_to_priority == 3 && other->max_cameras == 2 &&
                      other->radius_m == 250 && other->hold_s == 60, "policy rule");
        CHECK(cc, fire->up_to_priority == 3 && fire->max_cameras == 2 &&
                      fire->radius_m == 400 && fire->hold_s == 60, "fire rule");
        CHECK(cc, layout_callup_rule(lay, NULL) == other, "no kind: the policy");
    }
    if (plain) {
        const struct layout_callup_rule *r = layout_callup_rule(plain, "fire");
        CHECK(cc, !plain->callup.given && !plain->registry, "no call-up keys");
        CHECK(cc, r->up_to_priority == 3 && r->max_cameras == 4 && r->radius_m == 250 &&
                      r->hold_s == 900, "default rule");
    }
    layout_destroy(lay);
    layout_destroy(plain);
}

/* The "sync" block in the model: host, port and TLS from the broker URL
 * (IPv6 in brackets, the default port of each scheme), the wall, the file
 * names as written, keepalive_s and where "sync" is. */
static void test_sync_model(struct check_counts *cc)
{
    static const struct parse_case full = {"sync model", SYNC0
        "{'broker': 'mqtts://[::1]', 'wall': 'rtcc-main', 'username_file': "
        "'mqtt.user',\n 'password_file': '/etc/tessera/mqtt.pass', 'tls': "
        "{'ca_file': 'ca.pem', 'cert_file': 'node.pem', 'key_file': 'node.key'}, "
        "'keepalive_s': 4.5}}", 0, {NULL}};
    static const struct parse_case plain = {"sync defaults",
        SBW "'tls': {}" SZ, 0, {NULL}};
    static const struct parse_case ported = {"sync port",
        SW "'broker': 'mqtt://10.0.0.5:11883'" SZ, 0, {NULL}};
    static const struct parse_case none = {"no sync", "{" FEEDS ", " OUT1 "}", 0,
                                           {NULL}};
    struct layout *l = run_case(cc, &full, 0);
    if (l) {
        const struct layout_sync *s = &l->sync;
        CHECK(cc, s->given && s->tls && s->tls_files.given, "given, tls");
        CHECK_STR(cc, s->broker, "mqtts://[::1]");
        CHECK_STR(cc, s->host, "::1");
        CHECK_INT(cc, s->port, 8883);
        CHECK_STR(cc, s->wall, "rtcc-main");
        CHECK_STR(cc, s->username_file, "mqtt.user");
        CHECK_STR(cc, s->password_file, "/etc/tessera/mqtt.pass");
        CHECK_STR(cc, s->tls_files.ca_file, "ca.pem");
        CHECK_STR(cc, s->tls_files.cert_file, "node.pem");
        CHECK_STR(cc, s->tls_files.key_file, "node.key");
        CHECK(cc, s->keepalive_s == 4.5, "keepalive_s %g", s->keepalive_s);
        CHECK(cc, s->line == 2 && s->col == 10, "sync at %d:%d", s->line, s->col);
    }
    layout_destroy(l);
    if ((l = run_case(cc, &plain, 0))) { /* mqtt:// with "tls": {} */
        const struct layout_sync *s = &l->sync;
        CHECK_STR(cc, s->host, "h");
        CHECK_INT(cc, s->port, 1883);
        CHECK(cc, s->tls && s->tls_files.given && !s->tls_files.ca_file &&
                      !s->tls_files.cert_file && !s->username_file &&
                      !s->password_file, "tls {} without files");
        CHECK(cc, s->keepalive_s == LAYOUT_KEEPALIVE_DEFAULT, "default keepalive");
    }
    layout_destroy(l);
    if ((l = run_case(cc, &ported, 0))) {
        CHECK_STR(cc, l->sync.host, "10.0.0.5");
        CHECK_INT(cc, l->sync.port, 11883);
        CHECK(cc, !l->sync.tls && !l->sync.tls_files.given, "no tls");
    }
    layout_destroy(l);
    if ((l = run_case(cc, &none, 0)))
        CHECK(cc, !l->sync.given && !l->sync.broker && !l->sync.host &&
                      !l->sync.wall && l->sync.keepalive_s == 2, "no sync");
    layout_destroy(l);
}

/* "node" in the model, layout_output_on_node(), layout_has_node() and
 * layout_uses_nodes(): with nodes in two views, and without nodes. */
static void test_node_model(struct check_counts *cc)
{
    static const struct parse_case two = {"node model",
        "{'feeds': {}, 'layouts': {'day': {'outputs': [{'name': 'l', 'size': "
        "[64, 64], 'grid': [1, 1], 'node': 'pc1'}]},\n 'night': {'outputs': "
        "[{'name': 'r', 'size': [64, 64], 'grid': [1, 1], 'node': 'pc2'}, "
        "{'name': 'l', 'size': [64, 64], 'grid': [1, 1], 'node': 'pc1'}]}}}",
        0, {NULL}};
    static const struct parse_case none = {"no nodes", "{" FEEDS ", " OUT1 "}", 0,
                                           {NULL}};
    struct layout *l = run_case(cc, &two, 0);
    if (l) {
        const struct layout_output *day = l->views[0].outputs;
        const struct layout_output *night = l->views[1].outputs;
        CHECK_STR(cc, day[0].node, "pc1");
        CHECK_STR(cc, night[0].node, "pc2");
        CHECK(cc, night[0].node_line == 2 && night[0].node_col == 80,
              "node at %d:%d", night[0].node_line, night[0].node_col);
        CHECK(cc, layout_output_on_node(&day[0], "pc1"), "l on pc1");
        CHECK(cc, !layout_output_on_node(&day[0], "pc2"), "l not on pc2");
        CHECK(cc, !layout_output_on_node(&day[0], "pc"), "l not on pc");
        CHECK(cc, layout_output_on_node(&night[0], NULL), "no --node: every output");
        CHECK(cc, layout_has_node(l, "pc1") && layout_has_node(l, "pc2"), "has");
        CHECK(cc, !layout_has_node(l, "pc3") && !layout_has_node(l, NULL), "has not");
        CHECK(cc, layout_uses_nodes(l), "uses nodes");
    }
    layout_destroy(l);
    if ((l = run_case(cc, &none, 0))) {
        CHECK(cc, !l->outputs[0].node && l->outputs[0].node_line == 0, "no node");
        CHECK(cc, layout_output_on_node(&l->outputs[0], NULL), "every output");
        CHECK(cc, !layout_output_on_node(&l->outputs[0], "pc1"), "not on pc1");
        CHECK(cc, !layout_has_node(l, "pc1") && !layout_uses_nodes(l), "none");
    }
    layout_destroy(l);
    CHECK(cc, !layout_uses_nodes(NULL) && !layout_has_node(NULL, "a"), "NULL layout");
    CHECK(cc, layout_node_name_valid("pc-2.wall_A") &&
                  layout_node_name_valid(X40 "12345678901234567890123") &&
                  !layout_node_name_valid(X40 "123456789012345678901234") &&
                  !layout_node_name_valid("") && !layout_node_name_valid(NULL) &&
                  !layout_node_name_valid("pc 1") && !layout_node_name_valid("pc/1") &&
                  !layout_node_name_valid("p\xC3\xA9"), "node names");
}

/* layout_load_file() finds the relative file names of "sync" next to the
 * layout file; layout__sync_resolve() for a file at the root and in the
 * working directory. */
static void test_sync_paths(struct check_counts *cc)
{
    static const char doc[] = "{\"feeds\": {}, \"outputs\": [{\"size\": [8, 8], "
        "\"grid\": [1, 1]}], \"sync\": {\"broker\": \"mqtt://h\", \"wall\": "
        "\"w\", \"username_file\": \"u\", \"password_file\": \"/abs/p\", "
        "\"tls\": {\"ca_file\": \"d/ca.pem\", \"cert_file\": \"c\", "
        "\"key_file\": \"k\"}}}";
    char dir[] = "/tmp/tessera-test-layout-XXXXXX", path[64], want[96];
    struct layout_diags diags = {0};
    struct layout *l = NULL;
    FILE *f;

    CHECK(cc, mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(path, sizeof path, "%s/wall.json", dir);
    f = fopen(path, "w");
    CHECK(cc, f && fputs(doc, f) >= 0 && fclose(f) == 0, "write %s", path);
    CHECK_INT(cc, layout_load_file(path, &l, &diags), 0);
    if (l) {
        snprintf(want, sizeof want, "%s/u", dir);
        CHECK_STR(cc, l->sync.username_file, want);
        CHECK_STR(cc, l->sync.password_file, "/abs/p");
        snprintf(want, sizeof want, "%s/d/ca.pem", dir);
        CHECK_STR(cc, l->sync.tls_files.ca_file, want);
        snprintf(want, sizeof want, "%s/k", dir);
        CHECK_STR(cc, l->sync.tls_files.key_file, want);
        CHECK_INT(cc, layout__sync_resolve(l, "/wall.json"), 0);
        snprintf(want, sizeof want, "%s/c", dir); /* absolute now: kept */
        CHECK_STR(cc, l->sync.tls_files.cert_file, want);
    }
    layout_destroy(l);
    l = NULL;
    if (layout_parse(doc, strlen(doc), &l, &diags) == 0) {
        CHECK_STR(cc, l->sync.username_file, "u"); /* as written */
        CHECK_INT(cc, layout__sync_resolve(l, "wall.json"), 0);
        CHECK_STR(cc, l->sync.username_file, "u");
        CHECK_INT(cc, layout__sync_resolve(l, "/wall.json"), 0);
        CHECK_STR(cc, l->sync.username_file, "/u");
        CHECK_STR(cc, l->sync.tls_files.ca_file, "/d/ca.pem");
    }
    CHECK_INT(cc, diags.n, 0);
    layout_destroy(l);
    layout_diags_clear(&diags);
    unlink(path);
    rmdir(dir);
}

static void test_tile_model(struct check_counts *cc)
{
    static const struct parse_case pc = {"tile model",
        "{'feeds': {'a': {'url': 'x'}, 'b': {'url': 'y'}},\n"
        " 'outputs': [{'size': [64, 64], 'grid': [2, 2], 'display': 'DP-2', "
        "'tiles': [\n"
        "  {'panel': 'map', 'cell': [0, 0], 'center': [51.5, -0.125], "
        "'label': 'Area'},\n"
        "  {'panel': 'incidents', 'cell': [1, 0]},\n"
        "  {'tour': {'feeds': ['b', 'a'], 'dwell': 4}, 'cell': [0, 1]},\n"
        "  {'panel': 'map', 'cell': [1, 1], 'center': [0, 0], 'zoom': 19}]}]}",
        0, {NULL}};
    struct layout *lay = run_case(cc, &pc, 0);
    const struct layout_tile *t;

    if (!lay)
        return;
    t = lay->outputs[0].tiles;
    CHECK_INT(cc, lay->outputs[0].display_index, -1);
    CHECK_STR(cc, lay->outputs[0].display_name, "DP-2");
    CHECK_INT(cc, t[0].panel, LAYOUT_PANEL_MAP);
    CHECK_INT(cc, t[0].feed, -1);
    CHECK(cc, t[0].center[0] == 51.5 && t[0].center[1] == -0.125, "center");
    CHECK_INT(cc, t[0].zoom, 14);
    CHECK_STR(cc, t[0].label, "Area");
    CHECK_INT(cc, t[1].panel, LAYOUT_PANEL_INCIDENTS);
    CHECK_INT(cc, t[1].feed, -1);
    CHECK_INT(cc, t[2].panel, LAYOUT_PANEL_NONE);
    CHECK_INT(cc, t[2].n_tour, 2);
    CHECK(cc, t[2].tour && t[2].tour[0] == 1 && t[2].tour[1] == 0, "tour");
    CHECK_INT(cc, t[2].feed, 1);
    CHECK(cc, t[2].dwell == 4, "dwell %g", t[2].dwell);
    CHECK(cc, t[0].dwell == 10 && !t[0].tour && t[0].n_tour == 0,
          "tile without a tour");
    CHECK_INT(cc, t[3].zoom, 19);
    CHECK(cc, layout_feed_shown(lay, 0, 0) && layout_feed_shown(lay, 0, 1),
          "tour feeds are shown");
    layout_destroy(lay);
}

/* Named layouts: views in file order, the alias, the wall's tour. */
static void test_view_model(struct check_counts *cc)
{
    static const struct parse_case pc = {"view model",
        "{'feeds': {'a': {'url': 'x'}, 'b': {'url': 'y'}, 'c': {'url': 'z'}},"
        "\n 'layouts': {\n"
        "  'night': {'outputs': [{'name': 'left', 'size': [64, 64], 'grid': "
        "[1, 1], 'display': 1, 'tiles': [{'feed': 'b', 'cell': [0, 0]}]}, "
        "{'name': 'right', 'size': [64, 64], 'grid': [1, 1]}]},\n"
        "  'day': {'outputs': [{'size': [64, 64], 'grid': [2, 1], 'tiles': "
        "[{'feed': 'a', 'cell': [0, 0]}, {'tour': {'feeds': ['a', 'c']}, "
        "'cell': [1, 0]}]}]}},\n"
        " 'tour': {'layouts': ['day', 'night'], 'dwell': 600},\n"
        " 'basemap': '../maps/osm'}", 0, {NULL}};
    struct layout *lay = run_case(cc, &pc, 0);

    if (!lay)
        return;
    CHECK_INT(cc, lay->n_views, 2);
    CHECK_STR(cc, lay->views[0].name, "night");
    CHECK_STR(cc, lay->views[1].name, "day");
    CHECK(cc, lay->outputs == lay->views[0].outputs, "outputs alias view 0");
    CHECK_INT(cc, lay->n_outputs, 2);
    CHECK_INT(cc, lay->outputs[0].display_index, 1);
    CHECK(cc, lay->outputs[0].display_name == NULL, "no display name");
    CHECK_INT(cc, lay->outputs[1].display_index, -1);
    CHECK_STR(cc, lay->views[1].outputs[0].name, "main");
    CHECK_INT(cc, layout_find_view(lay, "day"), 1);
    CHECK_INT(cc, layout_find_view(lay, "Day"), -1);
    CHECK_INT(cc, layout_find_view(lay, NULL), -1);
    CHECK_INT(cc, layout_find_view(NULL, "day"), -1);
    CHECK_INT(cc, lay->n_tour_views, 2);
    CHECK(cc, lay->tour_views[0] == 1 && lay->tour_views[1] == 0, "tour");
    CHECK(cc, lay->tour_dwell == 600, "tour dwell %g", lay->tour_dwell);
    CHECK_STR(cc, lay->basemap, "../maps/osm");
    CHECK(cc, !layout_feed_shown(lay, 0, 0) && layout_feed_shown(lay, 0, 1) &&
              !layout_feed_shown(lay, 0, 2), "night shows b only");
    CHECK(cc, layout_feed_shown(lay, 1, 0) && !layout_feed_shown(lay, 1, 1) &&
              layout_feed_shown(lay, 1, 2), "day shows a and c (tour)");
    CHECK(cc, !layout_feed_shown(lay, 2, 0) && !layout_feed_shown(lay, -1, 0)
              && !layout_feed_shown(lay, 0, 3) &&
              !layout_feed_shown(lay, 0, -1) && !layout_feed_shown(NULL, 0, 0),
          "out of range");
    layout_destroy(lay);
}

/* The classic form is one view named "default", with defaults. */
static void test_classic_view(struct check_counts *cc)
{
    static const struct parse_case pc = {"classic view",
        "{" FEEDS ", " OUT1 "}", 0, {NULL}};
    struct layout *lay = run_case(cc, &pc, 0);

    if (!lay)
        return;
    CHECK_INT(cc, lay->n_views, 1);
    CHECK_STR(cc, lay->views[0].name, "default");
    CHECK(cc, lay->outputs == lay->views[0].outputs, "outputs alias view 0");
    CHECK_INT(cc, layout_find_view(lay, "default"), 0);
    CHECK(cc, !lay->tour_views && lay->n_tour_views == 0, "no tour");
    CHECK(cc, lay->tour_dwell == 30, "tour dwell %g", lay->tour_dwell);
    CHECK(cc, lay->basemap == NULL, "no basemap");
    CHECK_INT(cc, lay->outputs[0].display_index, -1);
    CHECK(cc, lay->outputs[0].display_name == NULL, "no display name");
    layout_destroy(lay);
}

/* Local midnight starting day y-m-d in the process's TZ, by mktime(): the
 * later occurrence when there are two (later), else the earlier. */
static long long local_midnight(int y, int m, int d, bool later)
{
    long long best = -1;
    for (int dst = 0; dst < 2; dst++) {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d,
                        .tm_isdst = dst}, back;
        time_t t = mktime(&tm);
        localtime_r(&t, &back);
        if (back.tm_hour || back.tm_min || back.tm_mday != d || back.tm_isdst != dst)
            continue; /* no such local time with this isdst */
        if (best < 0 || (later ? (long long)t > best : (long long)t < best))
            best = (long long)t;
    }
    if (best < 0) {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
        best = (long long)mktime(&tm);
    }
    return best;
}

/* Consent dates without "timezone" are read in the machine's zone: the
 * epochs agree with mktime() under TZ=America/St_Johns (-03:30, with summer
 * time) on the first, 28th and last day of every month from 1970 to 2104 and
 * on every day of the years around the epoch and the century leap rules.
 * (Before issue 12 they were read as UTC.) */
static void test_consent_epochs(struct check_counts *cc)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
                                  30, 31};
    const char *tz = getenv("TZ");
    char *saved = tz ? strdup(tz) : NULL;
    int y, m, d, bad = 0, days = 0;

    if (access("/usr/share/zoneinfo/America/St_Johns", R_OK) != 0) {
        CHECK(cc, 0, "tzdata is missing (tools/deps installs it)");
        free(saved);
        return;
    }
    setenv("TZ", "America/St_Johns", 1);
    tzset();
    for (y = 1970; y <= 2104; y++) {
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        bool every = y <= 1971 || (y >= 1999 && y <= 2001) || y >= 2099;
        for (m = 1; m <= 12; m++) {
            int last = mdays[m - 1] + (m == 2 && leap);
            for (d = 1; d <= last; d++) {
                if (!every && d != 1 && d != 28 && d != last)
                    continue;
                long long end = d < last ? local_midnight(y, m, d + 1, false)
                              : m < 12 ? local_midnight(y, m + 1, 1, false)
                                       : local_midnight(y + 1, 1, 1, false);
                bad += !check_epoch(y, m, d, local_midnight(y, m, d, true), end);
                days++;
            }
        }
    }
    CHECK(cc, bad == 0 && days > 6000, "%d of %d days disagree with mktime",
          bad, days);
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}

/* ---- json_pos ---- */

static void check_pos(struct check_counts *cc, const char *what,
                      struct jpos got, int line, int col)
{
    CHECK(cc, got.line == line && got.col == col, "%s at %d:%d, want %d:%d",
          what, got.line, got.col, line, col);
}

static void test_positions(struct check_counts *cc)
{
    /* tabs and code points are one column each; CRLF is one line break */
    static const char text[] = "\xEF\xBB\xBF{\"k\xC3\xA9y\":\t[1, {\"x\": "
                               "null}],\r\n  \"\xE6\x97\xA5\": \"\xF0\x9F\x8E"
                               "\xA5\",\n\"k\xC3\xA9y\": true}";
    struct jpos_doc *doc = NULL;
    struct jpos_error err;
    const cJSON *root, *arr, *obj, *second, *dup;
    int rc = jpos_parse(text, sizeof text - 1, &doc, &err);

    CHECK(cc, rc == 0, "jpos_parse: %d (%s)", rc, err.message);
    if (rc != 0)
        return;
    root = jpos_root(doc);
    arr = root->child;
    obj = arr->child->next;
    second = arr->next;
    dup = second->next;
    check_pos(cc, "root", jpos_value(doc, root), 1, 1);
    check_pos(cc, "root key", jpos_key(doc, root), 1, 1);
    check_pos(cc, "array key", jpos_key(doc, arr), 1, 2);
    check_pos(cc, "array", jpos_value(doc, arr), 1, 9);
    check_pos(cc, "element 0", jpos_value(doc, arr->child), 1, 10);
    check_pos(cc, "element 0 key", jpos_key(doc, arr->child), 1, 10);
    check_pos(cc, "element 1", jpos_value(doc, obj), 1, 13);
    check_pos(cc, "x key", jpos_key(doc, obj->child), 1, 14);
    check_pos(cc, "x value", jpos_value(doc, obj->child), 1, 19);
    check_pos(cc, "second key", jpos_key(doc, second), 2, 3);
    check_pos(cc, "second value", jpos_value(doc, second), 2, 8);
    check_pos(cc, "duplicate key", jpos_key(doc, dup), 3, 1);
    check_pos(cc, "duplicate value", jpos_value(doc, dup), 3, 8);
    check_pos(cc, "foreign node", jpos_value(doc, NULL), 0, 0);
    check_pos(cc, "offset 0", jpos_at_offset(text, sizeof text - 1, 0), 1, 1);
    check_pos(cc, "offset 5", jpos_at_offset(text, sizeof text - 1, 5), 1, 3);
    check_pos(cc, "offset 6", jpos_at_offset(text, sizeof text - 1, 6), 1, 4);
    check_pos(cc, "past the end",
              jpos_at_offset(text, sizeof text - 1, 1000), 3, 13);
    jpos_doc_destroy(doc);
    jpos_doc_destroy(NULL);
}

/* ---- limits ---- */

/* A one-line layout with n_feeds feeds and n_outputs outputs, the first
 * with n_tiles tiles filling its 64x64 grid row by row; caller frees. */
static char *generated(int n_feeds, int n_outputs, int n_tiles)
{
    size_t cap = 256 + (size_t)(n_feeds + n_outputs + n_tiles) * 96, len;
    char *s = malloc(cap);
    int i;

    len = (size_t)snprintf(s, cap, "{\"feeds\": {");
    for (i = 0; i < n_feeds; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s\"f%d\": {\"url\": "
                                "\"x\"}", i ? ", " : "", i);
    len += (size_t)snprintf(s + len, cap - len, "}, \"outputs\": [");
    for (i = 0; i < n_outputs; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s{\"name\": \"o%d\", "
                                "\"size\": [64, 64], \"grid\": [64, 64], "
                                "\"tiles\": [", i ? "]}, " : "", i);
    for (i = 0; i < n_tiles; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s{\"feed\": \"f%d\", "
                                "\"cell\": [%d, %d]}", i ? ", " : "",
                                i % n_feeds, i % 64, (i / 64) % 64);
    snprintf(s + len, cap - len, "]}]}");
    return s;
}

/* A one-line layout with n named layouts "v0", "v1", ...; caller frees. */
static char *generated_views(int n)
{
    size_t cap = 64 + (size_t)n * 96, len;
    char *s = malloc(cap);
    int i;

    len = (size_t)snprintf(s, cap, "{\"feeds\": {}, \"layouts\": {");
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s\"v%d\": {\"outputs\":"
                                " [{\"size\": [64, 64], \"grid\": [1, 1]}]}",
                                i ? ", " : "", i);
    snprintf(s + len, cap - len, "}}");
    return s;
}

/* A one-line layout with a tile touring feeds "a" and "b" n times in all;
 * caller frees. */
static char *generated_tour(int n)
{
    size_t cap = 256 + (size_t)n * 8, len;
    char *s = malloc(cap);
    int i;

    len = (size_t)snprintf(s, cap, "{\"feeds\": {\"a\": {\"url\": \"x\"}, "
                           "\"b\": {\"url\": \"y\"}}, \"outputs\": [{\"size\""
                           ": [64, 64], \"grid\": [1, 1], \"tiles\": [{\"cell\""
                           ": [0, 0], \"tour\": {\"feeds\": [");
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s\"%c\"", i ? ", " : "",
                                i % 2 ? 'b' : 'a');
    snprintf(s + len, cap - len, "]}}]}]}");
    return s;
}

/* Column of the n-th (from 0) occurrence of needle in a one-line text. */
static int column_of(const char *text, const char *needle, int n)
{
    const char *p = strstr(text, needle);
    while (p && n-- > 0)
        p = strstr(p + 1, needle);
    return p ? (int)(p - text) + 1 : -1;
}

/* Parses text and checks the result code and the first error (or that
 * there is none, when want is NULL). */
static void check_first(struct check_counts *cc, const char *what,
                        const char *text, size_t len, int want_rc,
                        const char *want)
{
    struct layout_diags diags = {0};
    struct layout *lay = NULL;
    char got[1200] = "(none)";
    int rc = layout_parse(text, len, &lay, &diags), i;

    CHECK(cc, rc == want_rc, "%s: rc %d, want %d", what, rc, want_rc);
    for (i = 0; i < diags.n; i++) {
        if (diags.items[i].severity == LAYOUT_ERROR) {
            format_diag(&diags.items[i], got, sizeof got);
            break;
        }
    }
    CHECK(cc, strcmp(got, want ? want : "(none)") == 0,
          "%s:\n   got: %s\n  want: %s", what, got, want ? want : "(none)");
    layout_destroy(lay);
    layout_diags_clear(&diags);
}

static void test_limits(struct check_counts *cc)
{
    char *s, *big, want[200];
    size_t len;

    s = generated(LAYOUT_MAX_FEEDS, 1, LAYOUT_MAX_FEEDS);
    check_first(cc, "most feeds", s, strlen(s), 0, NULL);
    free(s);
    s = generated(LAYOUT_MAX_FEEDS + 1, 1, 1);
    snprintf(want, sizeof want, "1:%d: error: too many feeds (at most 1024)",
             column_of(s, "\"f1024\"", 0));
    check_first(cc, "too many feeds", s, strlen(s), -EINVAL, want);
    free(s);
    s = generated(1, LAYOUT_MAX_OUTPUTS + 1, 0);
    snprintf(want, sizeof want, "1:%d: error: too many outputs (at most 64)",
             column_of(s, "{\"name\": \"o64\"", 0));
    check_first(cc, "too many outputs", s, strlen(s), -EINVAL, want);
    free(s);
    s = generated(1, 1, LAYOUT_MAX_TILES);
    check_first(cc, "full grid", s, strlen(s), 0, NULL);
    free(s);
    s = generated(1, 1, LAYOUT_MAX_TILES + 1);
    snprintf(want, sizeof want, "1:%d: error: too many tiles (at most 4096 "
             "per output)", column_of(s, "{\"feed\"", LAYOUT_MAX_TILES));
    check_first(cc, "too many tiles", s, strlen(s), -EINVAL, want);
    free(s);
    len = (size_t)LAYOUT_MAX_BYTES + 1;
    big = malloc(len);
    memset(big, ' ', len);
    big[0] = '{';
    big[len - 1] = '}';
    check_first(cc, "too large", big, len, -EINVAL,
                "1:1: error: the layout is larger than 1048576 bytes");
    check_first(cc, "NULL text", NULL, 0, -EINVAL,
                "1:1: error: empty document; expected a JSON object");
    free(big);
}

/* The limits of named layouts and tours. */
static void test_limits_views(struct check_counts *cc)
{
    char *s, want[200];

    s = generated_views(LAYOUT_MAX_VIEWS);
    check_first(cc, "most layouts", s, strlen(s), 0, NULL);
    free(s);
    s = generated_views(LAYOUT_MAX_VIEWS + 1);
    snprintf(want, sizeof want, "1:%d: error: too many layouts (at most 64)",
             column_of(s, "\"v64\"", 0));
    check_first(cc, "too many layouts", s, strlen(s), -EINVAL, want);
    free(s);
    s = generated_tour(LAYOUT_MAX_TOUR);
    check_first(cc, "longest tour", s, strlen(s), 0, NULL);
    free(s);
    s = generated_tour(LAYOUT_MAX_TOUR + 1);
    snprintf(want, sizeof want, "1:%d: error: too many entries in a tour (at "
             "most 1024)", column_of(s, "\"a\"", LAYOUT_MAX_TOUR / 2 + 1));
    check_first(cc, "too long a tour", s, strlen(s), -EINVAL, want);
    free(s);
}

/* ---- the diagnostics list ---- */

static void test_diags(struct check_counts *cc)
{
    struct layout_diags diags = {0};
    struct layout *lay = NULL;
    const char *bad = "{\"feeds\": {}, \"outputs\": []}";
    char *out = NULL;
    size_t out_len = 0;
    FILE *f;

    /* a second parse appends and sorts only its own diagnostics */
    layout_parse(bad, strlen(bad), &lay, &diags);
    layout_parse("[]", 2, &lay, &diags);
    CHECK_INT(cc, diags.n, 2);
    CHECK_INT(cc, layout_diags_count(&diags, LAYOUT_ERROR), 2);
    CHECK_INT(cc, layout_diags_count(&diags, LAYOUT_WARNING), 0);
    CHECK(cc, lay == NULL, "no layout after errors");
    f = open_memstream(&out, &out_len);
    layout_diags_print(&diags, "walls/lobby.json", f);
    fclose(f);
    CHECK_STR(cc, out, "walls/lobby.json:1:26: error: \"outputs\" must list at "
                       "least one output\nwalls/lobby.json:1:1: error: the "
                       "layout must be a JSON object\n");
    free(out);
    layout_diags_clear(&diags);
    CHECK_INT(cc, diags.n, 0);
    CHECK(cc, diags.items == NULL, "cleared list is empty");
    layout_diags_clear(&diags);
    layout_diags_clear(NULL);
    layout_destroy(NULL);
}

static void test_load_file(struct check_counts *cc)
{
    struct layout_diags diags = {0};
    struct layout *lay = (struct layout *)&diags;
    char got[1200] = "(none)";
    int rc = layout_load_file("/nonexistent/tessera/layout.json", &lay,
                              &diags);

    CHECK_INT(cc, rc, -ENOENT);
    CHECK(cc, lay == NULL, "no layout for a missing file");
    if (diags.n == 1)
        format_diag(&diags.items[0], got, sizeof got);
    CHECK_STR(cc, got, "1:1: error: cannot read layout file: no such file or "
                       "directory");
    layout_diags_clear(&diags);
    rc = layout_load_file(TESSERA_SOURCE_DIR "/layouts/demo-2x2.json", &lay,
                          &diags);
    CHECK(cc, rc == 0 && lay && diags.n == 0, "demo-2x2.json: rc %d", rc);
    layout_destroy(lay);
    layout_diags_clear(&diags);
}

/* Every example layout shipped in layouts/ is valid and warning-free (as of
 * CASE_NOW, for consent dates). */
static void test_shipped(struct check_counts *cc)
{
    const char *dir_path = TESSERA_SOURCE_DIR "/layouts";
    DIR *dir = opendir(dir_path);
    struct dirent *e;
    int seen = 0;

    CHECK(cc, dir != NULL, "cannot open %s", dir_path);
    while (dir && (e = readdir(dir))) {
        struct layout_diags diags = {0};
        struct layout *lay = NULL;
        char path[4096];
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0 ||
            strcmp(e->d_name, "schema.json") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir_path, e->d_name);
        CHECK(cc, layout_load_file_at(path, CASE_NOW, &lay, &diags) == 0 &&
                  diags.n == 0, "%s does not load cleanly", path);
        layout_diags_print(&diags, path, stderr);
        layout_diags_clear(&diags);
        layout_destroy(lay);
        seen++;
    }
    if (dir)
        closedir(dir);
    CHECK(cc, seen >= 2, "only %d layouts in %s", seen, dir_path);
}

int main(void)
{
    struct check_counts cc = {0, 0};
    setenv("TZ", "UTC", 1); /* consent dates are read in the machine's zone */
    tzset();
    test_tables(&cc);
    test_model(&cc);
    test_strings(&cc);
    test_feed_model(&cc);
    test_tile_model(&cc);
    test_callup_model(&cc);
    test_sync_model(&cc);
    test_node_model(&cc);
    test_sync_paths(&cc);
    test_view_model(&cc);
    test_classic_view(&cc);
    test_consent_epochs(&cc);
    test_consent_zone(&cc);
    test_stream_masks(&cc);
    test_source_privacy(&cc);
    test_positions(&cc);
    test_limits(&cc);
    test_limits_views(&cc);
    test_diags(&cc);
    test_load_file(&cc);
    test_shipped(&cc);
    return check_report(&cc);
}
