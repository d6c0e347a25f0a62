/*
 * test_layout.c - table tests for layout_parse(): good documents and the
 * model they give, bad documents and the exact diagnostics they give
 * ("line:col: severity: message"), the position scanner in json_pos.c, the
 * limits, layout_load_file() and every layout shipped in layouts/.
 *
 * In the tables a ' stands for a " so the JSON stays readable; cases marked
 * RAW are used as written.
 */
#include "layout/json_pos.h"
#include "layout/layout.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#ifndef TESSERA_SOURCE_DIR
#error "TESSERA_SOURCE_DIR must name the source tree"
#endif

#define MAX_WANT 12

struct parse_case {
    const char *name;
    const char *json;
    int raw;                     /* use json as is (no ' -> ") */
    const char *want[MAX_WANT];  /* every diagnostic, in order */
};

/* A valid document the bad cases below vary. */
#define FEEDS "'feeds': {'a': {'url': 'rtsp://h/a'}}"
#define OUT1 "'outputs': [{'size': [640, 480], 'grid': [2, 2], " \
             "'tiles': [{'feed': 'a', 'cell': [0, 0]}]}]"

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
      "1:1: error: missing key \"outputs\" in the layout"}},
    {"top-level typo", "{" FEEDS ", 'output': []}", 0,
     {"1:1: error: missing key \"outputs\" in the layout",
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
     {"1:27: error: missing key \"size\" in output \"main\"",
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
     {"1:72: error: missing key \"feed\" in tile 0",
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
    rc = layout_parse(text, strlen(text), &lay, &diags);
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
}

/* Every example layout shipped in layouts/ is valid and warning-free. */
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
        CHECK(cc, layout_load_file(path, &lay, &diags) == 0 && diags.n == 0,
              "%s does not load cleanly", path);
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
    test_tables(&cc);
    test_model(&cc);
    test_strings(&cc);
    test_positions(&cc);
    test_limits(&cc);
    test_diags(&cc);
    test_load_file(&cc);
    test_shipped(&cc);
    return check_report(&cc);
}
