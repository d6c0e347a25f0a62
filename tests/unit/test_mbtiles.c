/*
 * test_mbtiles.c - MBTiles reading: the TMS row flip (MBTiles counts rows
 * from the south, XYZ from the north), the file-name test, and a real SQLite
 * file made here: each XYZ address reads the bytes stored under its TMS
 * row; a missing tile, a file without a tiles table and no file at all are
 * told apart.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "map/mbtiles.h"

static void test_flip(struct check_counts *cc)
{
    CHECK_INT(cc, mbt_tms_row(0, 0), 0);
    CHECK_INT(cc, mbt_tms_row(1, 0), 1);
    CHECK_INT(cc, mbt_tms_row(1, 1), 0);
    CHECK_INT(cc, mbt_tms_row(3, 2), 5);
    CHECK_INT(cc, mbt_tms_row(17, 52000), 131071 - 52000);
    CHECK(cc, mbt_is_path("maps/city.mbtiles"), "a .mbtiles file");
    CHECK(cc, mbt_is_path("CITY.MBTILES"), "any case");
    CHECK(cc, !mbt_is_path("tiles"), "a directory");
    CHECK(cc, !mbt_is_path(".mbtiles"), "no name before the extension");
    CHECK(cc, !mbt_is_path(NULL), "NULL");
}

/* Makes an MBTiles file at path holding tile "T<z>/<x>/<row>" at each given
 * TMS address; with_table false: a SQLite file without a tiles table. */
static int make_file(const char *path, bool with_table)
{
    sqlite3 *db;
    unlink(path);
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    const char *sql = with_table
        ? "CREATE TABLE metadata (name text, value text);"
          "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer,"
          " tile_data blob);"
          "INSERT INTO tiles VALUES (2, 1, 3, CAST('T2/1/3' AS BLOB));"
          "INSERT INTO tiles VALUES (2, 1, 0, CAST('T2/1/0' AS BLOB));"
          "INSERT INTO tiles VALUES (0, 0, 0, CAST('T0/0/0' AS BLOB));"
        : "CREATE TABLE other (a integer);";
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

/* Reads z/x/y (XYZ) and compares with want (NULL: no tile). */
static void expect_tile(struct check_counts *cc, struct mbtiles *mbt, int z, int x, int y,
                        const char *want)
{
    uint8_t *data;
    size_t len;
    int rc = mbt_read(mbt, z, x, y, &data, &len);
    if (!want) {
        CHECK_INT(cc, rc, -ENOENT);
        return;
    }
    CHECK(cc, rc == 0 && len == strlen(want) && memcmp(data, want, len) == 0,
          "%d/%d/%d: rc %d, %.*s, want %s", z, x, y, rc, rc == 0 ? (int)len : 0,
          rc == 0 ? (const char *)data : "", want);
    free(data);
}

static void test_file(struct check_counts *cc)
{
    char path[] = "/tmp/test_mbtiles.XXXXXX", err[256];
    int fd = mkstemp(path);
    CHECK(cc, fd >= 0, "a scratch file");
    if (fd < 0)
        return;
    close(fd);
    CHECK_INT(cc, make_file(path, true), 0);
    struct mbtiles *mbt = mbt_open(path, err, sizeof(err));
    CHECK(cc, mbt != NULL, "opens: %s", mbt ? "" : err);
    if (mbt) {
        expect_tile(cc, mbt, 2, 1, 0, "T2/1/3"); /* XYZ row 0 is TMS row 3 */
        expect_tile(cc, mbt, 2, 1, 3, "T2/1/0");
        expect_tile(cc, mbt, 0, 0, 0, "T0/0/0");
        expect_tile(cc, mbt, 2, 1, 1, NULL);
        expect_tile(cc, mbt, 2, 4, 0, NULL); /* outside the world */
        expect_tile(cc, mbt, -1, 0, 0, NULL);
        mbt_close(mbt);
    }
    mbt_close(NULL);
    CHECK_INT(cc, make_file(path, false), 0);
    mbt = mbt_open(path, err, sizeof(err));
    CHECK(cc, !mbt && strstr(err, "no such table"), "no tiles table: %s", err);
    mbt_close(mbt);
    unlink(path);
    mbt = mbt_open(path, err, sizeof(err));
    CHECK(cc, !mbt && strstr(err, "MBTiles"), "no file: %s", err);
    mbt_close(mbt);
}

int main(void)
{
    struct check_counts cc = {0};
    test_flip(&cc);
    test_file(&cc);
    return check_report(&cc);
}
