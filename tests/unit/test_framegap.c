/*
 * test_framegap.c - render.max_gap_ms bookkeeping (app/framegap.h): idle
 * time does not count, a gap runs from the later of the last frame and the
 * moment a frame became due, the earliest due moment wins, a gap still
 * running is reported, and the last-second figure forgets old buckets.
 */
#include "app/framegap.h"
#include "check.h"

#define MS 1000

static void test_gaps(struct check_counts *cc)
{
    struct app_gap g = {0};
    /* first frame: due at 10 ms, drawn at 25 ms */
    app_gap_due(&g, 10 * MS);
    app_gap_due(&g, 12 * MS); /* later notes do not move it */
    app_gap_collect(&g);
    app_gap_presented(&g, 25 * MS);
    CHECK(cc, app_gap_total_ms(&g, 25 * MS) == 15.0, "first gap %g", app_gap_total_ms(&g, 25 * MS));

    /* idle for a second, then due at 1025, drawn at 1030: 5 ms, not 1005 */
    app_gap_collect(&g);
    app_gap_idle(&g);
    app_gap_due(&g, 1025 * MS);
    app_gap_collect(&g);
    app_gap_presented(&g, 1030 * MS);
    CHECK(cc, app_gap_last_ms(&g, 1030 * MS) == 15.0, "last %g", app_gap_last_ms(&g, 1030 * MS));
    app_gap_roll(&g);
    app_gap_roll(&g); /* two seconds later the 15 ms gap is forgotten ... */
    CHECK(cc, app_gap_last_ms(&g, 3000 * MS) == 0.0, "last after rolls %g",
          app_gap_last_ms(&g, 3000 * MS));
    CHECK(cc, app_gap_total_ms(&g, 3000 * MS) == 15.0, "total %g", /* ... not in total */
          app_gap_total_ms(&g, 3000 * MS));

    /* a frame due during the previous frame counts from that frame: due at
     * 3000, frame presented at 3010, next at 3400 (a stall): 390 ms */
    app_gap_due(&g, 3000 * MS);
    app_gap_collect(&g);
    app_gap_presented(&g, 3010 * MS);
    app_gap_due(&g, 3005 * MS); /* arrived while that frame was drawn */
    CHECK(cc, app_gap_last_ms(&g, 3200 * MS) == 190.0, "running gap %g",
          app_gap_last_ms(&g, 3200 * MS));
    app_gap_collect(&g);
    app_gap_presented(&g, 3400 * MS);
    CHECK(cc, app_gap_last_ms(&g, 3400 * MS) == 390.0, "stall %g", app_gap_last_ms(&g, 3400 * MS));
    CHECK(cc, app_gap_total_ms(&g, 3400 * MS) == 390.0, "total %g", app_gap_total_ms(&g, 3400 * MS));

    /* something other than a feed asks for a frame (dirty) */
    app_gap_collect(&g);
    app_gap_dirty(&g, 4000 * MS);
    app_gap_presented(&g, 4002 * MS);
    app_gap_roll(&g);
    app_gap_roll(&g);
    CHECK(cc, app_gap_last_ms(&g, 4002 * MS) == 0.0, "rolled %g", app_gap_last_ms(&g, 4002 * MS));
}

int main(void)
{
    struct check_counts cc = {0};
    test_gaps(&cc);
    return check_report(&cc);
}
