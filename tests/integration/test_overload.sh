#!/usr/bin/env bash
# test_overload.sh - integration.overload: more pictures than the wall can
# show.  Twenty 640x360 clips at 60 frames a second, played from files (a
# source nobody between them and the wall can thin out: every frame is read
# and decoded), on a wall drawing at most 10 frames a second: most decoded
# frames can never be shown (also under sanitizers on a loaded machine, where
# decoding is slow), so the wall must shed load - the feeds with the smallest
# tiles fall back to key frames - and the stats (and the log) must say so,
# while every tile keeps moving and every feed stays live.  Without shedding
# (app_feeds_shed) this test fails.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

n=20
gen_clip "$TEST_TMPDIR/a.mp4" --color 0xD02020 --size 640x360 --fps 60 --seconds 4
gen_clip "$TEST_TMPDIR/b.mp4" --color 0x2040D0 --size 640x360 --fps 60 --seconds 4

layout="$TEST_TMPDIR/overload.json"
python3 - "$layout" "$TEST_TMPDIR" "$n" <<'PY'
import json, sys
path, tmp, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
feeds = {"c%d" % i: {"url": "%s/%s.mp4" % (tmp, "ab"[i % 2]), "loop": True}
         for i in range(n)}
# one big tile and many small ones: small tiles give way first
tiles = [{"feed": "c0", "cell": [0, 0], "span": [2, 2]}]
cells = [(c, r) for r in range(5) for c in range(6) if not (c < 2 and r < 2)]
tiles += [{"feed": "c%d" % i, "cell": list(cells[i - 1])} for i in range(1, n)]
json.dump({"feeds": feeds, "outputs": [{"name": "main", "size": [1280, 720],
           "grid": [6, 5], "tiles": tiles}]}, open(path, "w"))
PY

stats="$TEST_TMPDIR/stats.json"
start_tessera wall 180 --headless --no-control --max-fps 10 --stats "$stats" --duration 120 \
    "$layout"
wall_pid=$TESSERA_PID
q() { stats_q "$stats" "$1"; }

# Shedding starts after the first 5 s and two overloaded seconds; watch the
# stats for up to 30 s and keep the most feeds seen degraded at once.
most=0
deadline=$((SECONDS + 30))
while ((SECONDS < deadline)); do
    kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died"; }
    k=$(q 'sum(1 for f in d["feeds"] if f["degraded"])')
    ((${k:-0} > most)) && most=$k
    ((most > 0)) && break
    sleep 0.5
done
((most > 0)) || { show_tessera_output wall; fail "no feed shed load (degraded) although most decoded frames cannot be shown"; }
note "degraded feeds: $(q '[f["id"] for f in d["feeds"] if f["degraded"]]')"
grep -q "the wall is overloaded: decoding key frames only" "$TEST_TMPDIR/wall.err" ||
    fail "shedding not logged"

# Every tile keeps moving (shed feeds still show their key frames).
shown_before=$(q 'json.dumps({f["id"]: f["frames_displayed"] for f in d["feeds"]})')
sleep 8
shown_after=$(q 'json.dumps({f["id"]: f["frames_displayed"] for f in d["feeds"]})')
python3 - "$shown_before" "$shown_after" <<'PY' || fail "a tile stopped updating under overload"
import json, sys
b, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
stuck = [k for k in a if a[k] <= b.get(k, 0)]
print("# frames shown in 8 s: min %d, max %d%s" % (min(a[k] - b[k] for k in a),
      max(a[k] - b[k] for k in a), "; stuck: %s" % stuck if stuck else ""))
sys.exit(1 if stuck else 0)
PY
[[ $(q 'all(f["state"] == "live" for f in d["feeds"])') == True ]] ||
    fail "not every feed is live: $(q '[(f["id"], f["state"]) for f in d["feeds"]]')"
note "ok: shedding seen ($most feeds degraded when first looked at)"
