/*
 * fuzz_wire.c - libFuzzer entry for ws_cmd_from_json() and
 * ws_snapshot_parse() (wall/wallstate/wire.c, snapshot.c): any JSON must
 * give a command or a snapshot, or -EINVAL with a one-line error, never a
 * crash, a leak or undefined behaviour.  Each input is read against a fixed
 * small layout (two views, tours, call-up slots) and a state with a pin, an
 * enlarged tile and call-ups; the resolver adds the registry camera reg7 on
 * demand.  Besides the sanitizers it checks what the nodes of a wall rely
 * on: a command read is written again and reads back the same, applying it
 * never crashes; a snapshot read is adopted, and the state it gives, sent
 * on as a snapshot and adopted by a fresh state, is the same state.
 */
#include "registry/registry.h"
#include "wallstate/wallstate.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EXPECT(cond)                                                           \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_wire: %s:%d: %s\n", __FILE__, __LINE__,      \
                    #cond);                                                    \
            abort();                                                           \
        }                                                                      \
    } while (0)

#define AT(f, c) "{\"feed\": \"" f "\", \"cell\": [" c ", 0]}"
#define SLOT(k, c) "{\"callup\": " k ", \"cell\": [" c ", 0]}"
#define TOUR(c) "{\"tour\": {\"feeds\": [\"d\", \"e\"], \"dwell\": 3}, \"cell\": [" c ", 0]}"
#define OUT(name, cols, tiles) "{\"name\": \"" name "\", \"size\": [640, 360], " \
                               "\"grid\": [" cols ", 1], \"tiles\": [" tiles "]}"

static const char layout_text[] =
    "{\"feeds\": {\"a\": {\"url\": \"x\"}, \"b\": {\"url\": \"x\"}, \"c\": {\"url\": \"x\"}, "
    "\"d\": {\"url\": \"x\"}, \"e\": {\"url\": \"x\"}}, \"layouts\": {"
    "\"day\": {\"outputs\": [" OUT("left", "2", AT("a", "0") ", " TOUR("1")) ", "
    OUT("right", "3", SLOT("1", "0") ", " SLOT("2", "1") ", " TOUR("2")) "]}, "
    "\"night\": {\"outputs\": [" OUT("left", "2", AT("e", "0") ", " AT("a", "1")) ", "
    OUT("right", "3", AT("b", "0") ", " SLOT("1", "1") ", " TOUR("2")) "]}}, "
    "\"tour\": {\"layouts\": [\"day\", \"night\"], \"dwell\": 10}}";

static const char registry_text[] =
    "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"geometry\": "
    "{\"type\": \"Point\", \"coordinates\": [7, 45]}, \"properties\": {\"id\": \"reg7\", "
    "\"url\": \"rtsp://h/reg7\"}}]}";

/* What one input is read against. */
struct world {
    struct layout *layout;
    struct registry *reg;
    struct wall_state ws;
};

static int resolve(void *opaque, const char *id)
{
    struct world *w = opaque;
    int i = reg_find(w->reg, id);
    return i < 0 ? -1 : reg_layout_add_camera(w->layout, reg_camera_at(w->reg, i));
}

/* The layout, the registry and a state with something in every part. */
static void world_init(struct world *w)
{
    struct layout_diags d = {0};
    EXPECT(layout_parse(layout_text, strlen(layout_text), &w->layout, &d) == 0);
    EXPECT(reg_parse(registry_text, strlen(registry_text), NULL, &w->reg, &d) == 0);
    layout_diags_clear(&d);
    ws_init(&w->ws);
    struct ws_cmd cmds[] = {
        {.type = WS_CMD_LAYOUT, .layout = w->layout},
        {.type = WS_CMD_PIN, .now_us = 1000, .output = 0, .tile = 0},
        {.type = WS_CMD_MAXIMIZE, .now_us = 2000, .output = 0, .tile = 1},
        {.type = WS_CMD_CALLUP, .now_us = 3000, .incident = "I1", .priority = 2,
         .cameras = {1, 2}, .n_cameras = 2, .hold_s = 60},
        {.type = WS_CMD_CALLUP, .now_us = 4000, .incident = "I2", .priority = 1,
         .cameras = {3}, .n_cameras = 1},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        EXPECT(ws_apply(&w->ws, &cmds[i], NULL) == 0);
}

static void world_uninit(struct world *w)
{
    ws_uninit(&w->ws);
    layout_destroy(w->layout);
    reg_destroy(w->reg);
}

static void check_error(int ret, const char *err)
{
    EXPECT(ret == -EINVAL || ret == -ENOMEM);
    EXPECT(err[0] && !strchr(err, '\n'));
}

/* Whether a and b are the same command (both read by ws_cmd_from_json()). */
static bool same_cmd(const struct ws_cmd *a, const struct ws_cmd *b)
{
    return a->type == b->type && a->origin == b->origin && !strcmp(a->client, b->client) &&
           a->now_us == b->now_us && a->output == b->output && a->tile == b->tile &&
           a->view == b->view && a->dx == b->dx && a->dy == b->dy && a->feed == b->feed &&
           !strcmp(a->incident, b->incident) && a->priority == b->priority &&
           a->n_cameras == b->n_cameras && a->hold_s == b->hold_s &&
           !memcmp(a->cameras, b->cameras, sizeof(a->cameras));
}

static void fuzz_command(struct world *w, const cJSON *j)
{
    struct ws_cmd cmd, again;
    char err[256];
    int ret = ws_cmd_from_json(&w->ws, j, resolve, w, &cmd, err, sizeof(err));
    if (ret < 0) {
        check_error(ret, err);
        return;
    }
    EXPECT(err[0] == '\0');
    cJSON *out = ws_cmd_to_json(&w->ws, &cmd);
    EXPECT(out != NULL);
    char *text = cJSON_PrintUnformatted(out);
    cJSON *back = cJSON_Parse(text);
    EXPECT(ws_cmd_from_json(&w->ws, back, resolve, w, &again, err, sizeof(err)) == 0);
    EXPECT(same_cmd(&cmd, &again));
    ret = ws_apply(&w->ws, &cmd, NULL);
    EXPECT(ret == 0 || ret == -EINVAL || ret == -ENOENT || ret == -ENOMEM);
    cJSON_Delete(back);
    free(text);
    cJSON_Delete(out);
}

/* ws's snapshot without its seq. */
static cJSON *snapshot_sans_seq(const struct wall_state *ws)
{
    cJSON *j = ws_snapshot_to_json(ws);
    EXPECT(j != NULL);
    cJSON_DeleteItemFromObjectCaseSensitive(j, "seq");
    return j;
}

static void fuzz_snapshot(struct world *w, const cJSON *j)
{
    struct ws_snapshot *s = NULL, *s2 = NULL;
    char err[256];
    int ret = ws_snapshot_parse(&w->ws, j, resolve, w, &s, err, sizeof(err));
    if (ret < 0) {
        EXPECT(s == NULL);
        check_error(ret, err);
        return;
    }
    struct ws_cmd adopt = {.type = WS_CMD_ADOPT, .snapshot = s};
    EXPECT(ws_apply(&w->ws, &adopt, NULL) == 0);
    cJSON *mine = ws_snapshot_to_json(&w->ws);
    EXPECT(ws_snapshot_parse(&w->ws, mine, NULL, NULL, &s2, err, sizeof(err)) == 0);
    struct wall_state fresh;
    ws_init(&fresh);
    struct ws_cmd cmd = {.type = WS_CMD_LAYOUT, .layout = w->layout};
    EXPECT(ws_apply(&fresh, &cmd, NULL) == 0);
    cmd = (struct ws_cmd){.type = WS_CMD_ADOPT, .snapshot = s2};
    EXPECT(ws_apply(&fresh, &cmd, NULL) == 0);
    cJSON *a = snapshot_sans_seq(&w->ws), *b = snapshot_sans_seq(&fresh);
    EXPECT(cJSON_Compare(a, b, true));
    cJSON_Delete(a);
    cJSON_Delete(b);
    ws_uninit(&fresh);
    cJSON_Delete(mine);
    ws_snapshot_free(s2);
    ws_snapshot_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *j = cJSON_ParseWithLength((const char *)data, size);
    if (!j)
        return 0;
    struct world w;
    world_init(&w);
    fuzz_command(&w, j);
    fuzz_snapshot(&w, j);
    world_uninit(&w);
    cJSON_Delete(j);
    return 0;
}
