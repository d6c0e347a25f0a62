/*
 * mbtiles.h - read-only access to an MBTiles file (the SQLite tile archive
 * control rooms keep offline maps in): the tile of an XYZ address, as the
 * stored bytes (PNG, JPEG or WebP), for basemap decoding on worker threads.
 */
#ifndef TESSERA_MBTILES_H
#define TESSERA_MBTILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An open MBTiles file; its reads may come from any thread (one at a time
 * inside, behind a mutex). */
struct mbtiles;

/* Whether path names an MBTiles file (ends ".mbtiles", any case) rather
 * than a {z}/{x}/{y}.png directory. */
bool mbt_is_path(const char *path);

/* The TMS row (MBTiles counts rows from the south) of XYZ row y at zoom z:
 * 2^z - 1 - y. */
int mbt_tms_row(int z, int y);

/* Opens path read-only and checks it is an SQLite database with a "tiles"
 * table (zoom_level, tile_column, tile_row, tile_data).  Returns it, or NULL
 * with a sentence in err. */
struct mbtiles *mbt_open(const char *path, char *err, size_t errlen);

/* Closes mbt; accepts NULL. */
void mbt_close(struct mbtiles *mbt);

/* Reads tile z/x/y (XYZ, y from the north) into a new buffer *data (caller
 * frees) of *len bytes.  Returns 0, -ENOENT when there is no such tile, or
 * -EIO / -ENOMEM. */
int mbt_read(struct mbtiles *mbt, int z, int x, int y, uint8_t **data, size_t *len);

#endif
