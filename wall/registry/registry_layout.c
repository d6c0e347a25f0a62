/*
 * registry_layout.c - a layout and its camera registry read together: the
 * registry file named by the layout's "registry" (relative to the layout
 * file), and the layout's feeds that name a registry "camera" filled in from
 * it (url, substream, label, place, range, owner, consent, masks), so that
 * everything downstream sees ordinary feeds; and registry cameras with no
 * feed of their own added to a layout as feeds when a call-up wants them.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tz.h"
#include "layout/layout_priv.h"
#include "map/mbtiles.h"
#include "registry/registry_priv.h"

char *reg_layout_path(const char *layout_path, const char *registry)
{
    if (!registry)
        return NULL;
    if (registry[0] == '/' || !layout_path)
        return strdup(registry);
    char *copy = strdup(layout_path);
    if (!copy)
        return NULL;
    const char *dir = dirname(copy);
    size_t n = strlen(dir) + strlen(registry) + 2;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/%s", dir, registry);
    free(copy);
    return path;
}

/* Fills feed f from registry camera cam; 0 or -ENOMEM. */
static int fill_feed(struct layout_feed *f, const struct reg_camera *cam)
{
    struct layout_feed view;
    reg_camera_feed_view(cam, &view);
    if (!(f->url = strdup(cam->url)))
        return -ENOMEM;
    if (cam->substream && !(f->substream = strdup(cam->substream)))
        return -ENOMEM;
    if (f->label && strcmp(f->label, f->id) == 0) { /* no "label" of its own */
        char *label = strdup(cam->label);
        if (!label)
            return -ENOMEM;
        free(f->label);
        f->label = label;
    }
    f->has_location = true;
    f->lat = cam->lat;
    f->lon = cam->lon;
    f->range_m = cam->range_m;
    f->privacy_given = true;
    return layout__privacy_copy(f, &view, false);
}

int reg_layout_resolve(struct layout *lay, const struct registry *reg,
                       struct layout_diags *diags)
{
    int errors = 0;
    for (int i = 0; i < lay->n_feeds; i++) {
        struct layout_feed *f = &lay->feeds[i];
        if (!f->camera || f->url)
            continue;
        int k = reg_find(reg, f->camera);
        if (k < 0) {
            layout__diag_add(diags, f->camera_line, f->camera_col, LAYOUT_ERROR,
                             "feed \"%s\": camera \"%s\" is not in the registry", f->id,
                             f->camera);
            errors++;
        } else if (fill_feed(f, reg_camera_at(reg, k)) < 0) {
            return -ENOMEM;
        }
    }
    return errors ? -EINVAL : 0;
}

/* The feed naming camera id as its "camera", or -1. */
static int feed_of_camera(const struct layout *lay, const char *id)
{
    for (int i = 0; i < lay->n_feeds; i++)
        if (lay->feeds[i].camera && strcmp(lay->feeds[i].camera, id) == 0)
            return i;
    return -1;
}

/* A new feed id for cam: its id, or "registry/ID" when that is taken. */
static char *on_demand_id(const struct layout *lay, const struct reg_camera *cam)
{
    if (layout_find_feed(lay, cam->id) < 0)
        return strdup(cam->id);
    size_t n = strlen(cam->id) + sizeof("registry/");
    char *id = malloc(n);
    if (id)
        snprintf(id, n, "registry/%s", cam->id);
    return id;
}

int reg_layout_add_camera(struct layout *lay, const struct reg_camera *cam)
{
    int i = feed_of_camera(lay, cam->id);
    if (i >= 0)
        return i;
    struct layout_feed *all =
        realloc(lay->feeds, (size_t)(lay->n_feeds + 2) * sizeof(*all));
    if (!all)
        return -ENOMEM;
    lay->feeds = all;
    struct layout_feed *f = &all[lay->n_feeds];
    memset(f, 0, 2 * sizeof(*f)); /* and the terminating zero entry */
    f->on_demand = true;
    f->id = on_demand_id(lay, cam);
    f->camera = strdup(cam->id);
    f->label = f->id ? strdup(f->id) : NULL;
    lay->n_feeds++;
    if (!f->id || !f->camera || !f->label || fill_feed(f, cam) < 0) {
        layout__feed_free(f);
        memset(f, 0, sizeof(*f));
        lay->n_feeds--;
        return -ENOMEM;
    }
    return lay->n_feeds - 1;
}

/* Reads the registry lay names, in lay's time zone. */
static int load_registry(const struct layout *lay, const char *path, struct registry **reg,
                         struct layout_diags *diags)
{
    struct tz_zone *tz = calloc(1, sizeof *tz);
    if (!tz)
        return -ENOMEM;
    if (tz_load(tz, lay->timezone) < 0)
        tz_load(tz, "UTC");
    int rc = reg_load_file(path, tz, reg, diags);
    free(tz);
    return rc;
}

/* An MBTiles "basemap" (relative to the layout's directory) must open as
 * one: an error at its value otherwise.  0, -EINVAL or -ENOMEM. */
static int check_mbtiles(const char *layout_path, const struct layout *lay,
                         struct layout_diags *diags)
{
    char err[256];
    if (!mbt_is_path(lay->basemap))
        return 0;
    char *path = reg_layout_path(layout_path, lay->basemap);
    if (!path)
        return -ENOMEM;
    struct mbtiles *mbt = mbt_open(path, err, sizeof(err));
    if (!mbt)
        layout__diag_add(diags, lay->basemap_line, lay->basemap_col, LAYOUT_ERROR,
                         "\"basemap\" %s: %s", path, err);
    mbt_close(mbt);
    free(path);
    return mbt ? 0 : -EINVAL;
}

int reg_load_layout(const char *layout_path, struct layout **lay, struct registry **reg,
                    char **reg_path, struct layout_diags *lay_diags,
                    struct layout_diags *reg_diags)
{
    int rc = layout_load_file(layout_path, lay, lay_diags);
    *reg = NULL;
    *reg_path = NULL;
    if (rc == 0 && (rc = check_mbtiles(layout_path, *lay, lay_diags)) < 0) {
        layout_destroy(*lay);
        *lay = NULL;
    }
    if (rc < 0 || !(*lay)->registry)
        return rc;
    if (!(*reg_path = reg_layout_path(layout_path, (*lay)->registry)))
        rc = -ENOMEM;
    if (rc == 0)
        rc = load_registry(*lay, *reg_path, reg, reg_diags);
    if (rc == 0)
        rc = reg_layout_resolve(*lay, *reg, lay_diags);
    if (rc < 0) {
        layout_destroy(*lay);
        reg_destroy(*reg);
        *lay = NULL;
        *reg = NULL;
    }
    return rc;
}
