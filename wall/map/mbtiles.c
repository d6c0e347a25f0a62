/*
 * mbtiles.c - MBTiles reading with SQLite: one read-only connection and one
 * prepared statement per file, shared by the basemap's decode workers
 * behind a mutex (a query copies the tile's bytes out; decoding happens
 * outside the lock).
 */
#include "map/mbtiles.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#define MBT_BUSY_MS 2000 /* another process writing the file: wait this long */

/* Every field is set at open and used under lock by whichever thread reads. */
struct mbtiles {
    sqlite3 *db;
    sqlite3_stmt *tile;  /* SELECT tile_data … */
    pthread_mutex_t lock;
};

bool mbt_is_path(const char *path)
{
    static const char ext[] = ".mbtiles";
    size_t n = path ? strlen(path) : 0, e = sizeof(ext) - 1;
    return n > e && strcasecmp(path + n - e, ext) == 0;
}

int mbt_tms_row(int z, int y)
{
    return (1 << z) - 1 - y;
}

struct mbtiles *mbt_open(const char *path, char *err, size_t errlen)
{
    struct mbtiles *mbt = calloc(1, sizeof(*mbt));
    if (!mbt) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int rc = sqlite3_open_v2(path, &mbt->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(mbt->db,
                                "SELECT tile_data FROM tiles WHERE zoom_level=? AND "
                                "tile_column=? AND tile_row=?",
                                -1, &mbt->tile, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "not a readable MBTiles file: %s",
                 mbt->db ? sqlite3_errmsg(mbt->db) : sqlite3_errstr(rc));
        sqlite3_close(mbt->db);
        free(mbt);
        return NULL;
    }
    sqlite3_busy_timeout(mbt->db, MBT_BUSY_MS);
    pthread_mutex_init(&mbt->lock, NULL);
    return mbt;
}

void mbt_close(struct mbtiles *mbt)
{
    if (!mbt)
        return;
    sqlite3_finalize(mbt->tile);
    sqlite3_close(mbt->db);
    pthread_mutex_destroy(&mbt->lock);
    free(mbt);
}

int mbt_read(struct mbtiles *mbt, int z, int x, int y, uint8_t **data, size_t *len)
{
    int ret = -ENOENT;
    *data = NULL;
    *len = 0;
    if (z < 0 || z > 30 || x < 0 || y < 0 || x >= (1 << z) || y >= (1 << z))
        return -ENOENT;
    pthread_mutex_lock(&mbt->lock);
    sqlite3_bind_int(mbt->tile, 1, z);
    sqlite3_bind_int(mbt->tile, 2, x);
    sqlite3_bind_int(mbt->tile, 3, mbt_tms_row(z, y));
    int rc = sqlite3_step(mbt->tile);
    if (rc == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(mbt->tile, 0);
        int n = sqlite3_column_bytes(mbt->tile, 0);
        if (blob && n > 0 && (*data = malloc((size_t)n))) {
            memcpy(*data, blob, (size_t)n);
            *len = (size_t)n;
            ret = 0;
        } else {
            ret = blob && n > 0 ? -ENOMEM : -ENOENT;
        }
    } else if (rc != SQLITE_DONE) {
        ret = -EIO;
    }
    sqlite3_reset(mbt->tile);
    sqlite3_clear_bindings(mbt->tile);
    pthread_mutex_unlock(&mbt->lock);
    return ret;
}
