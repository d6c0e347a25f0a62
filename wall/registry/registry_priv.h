/*
 * registry_priv.h - what the files of the registry module share: the
 * registry's layout in memory and the index builder the loader calls.
 */
#ifndef TESSERA_REGISTRY_PRIV_H
#define TESSERA_REGISTRY_PRIV_H

#include <stdint.h>

#include "registry/registry.h"

/* A camera filed under one cell of the latitude/longitude grid. */
struct reg_cell {
    int64_t key; /* ilat * REG__NLON + ilon */
    int cam;
};

/* A camera filed under one of its "linked" names. */
struct reg_link {
    const char *name; /* borrowed from the camera */
    int cam;
};

/* Immutable after reg__index_build(); any thread may read it. */
struct registry {
    struct reg_camera *cams; /* file order */
    int n;
    int *by_id;              /* camera indexes sorted by id */
    struct reg_cell *pos;    /* one per camera: the cell it stands in */
    int n_pos;
    struct reg_cell *cover;  /* one per cell its range_m circle touches */
    int n_cover;
    int *wide;               /* cameras seeing too far to file by cell */
    int n_wide;
    struct reg_link *links;  /* sorted by name, then camera */
    int n_links;
};

/* Builds the indexes of reg->cams[0..n); 0 or -ENOMEM. */
int reg__index_build(struct registry *reg);

#endif
