"""report - what the bench prints: the machine, one aligned table with a row
per run, the CPU ratios, notes on how each number was measured, the sweep
table with its ASCII curve, and the same data as JSON."""
import json
import os
import platform
import re


def machine(gl):
    """CPU model, cores, kernel, GL renderer (from Tessera's log)."""
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            model = m.group(1).strip() if m else None
    except OSError:
        pass
    return {"cpu": model or platform.processor() or "unknown",
            "cores": os.cpu_count(), "kernel": platform.release(), "gl": gl}


def _f(v, fmt):
    return "-" if v is None else fmt % v


def _pair(d, a, b, fmt):
    if not d or (d.get(a) is None and d.get(b) is None):
        return "-"
    return "%s/%s" % (_f(d.get(a), fmt), _f(d.get(b), fmt))


def table(headers, rows, left=1):
    """Plain text table: the first `left` columns left-aligned, the rest
    right-aligned; a row that is a str is printed as is (a note line)."""
    widths = [len(h) for h in headers]
    for r in rows:
        if not isinstance(r, str):
            widths = [max(w, len(c)) for w, c in zip(widths, r)]

    def line(cells):
        return "  ".join(c.ljust(w) if i < left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [r if isinstance(r, str) else line(r) for r in rows]
    return "\n".join(out)


RUN_HEADERS = ["run", "wall s", "CPU s", "CPU/feed", "X CPU s", "RSS MiB",
               "decoded/feed", "shown/feed", "shown %", "fps last/avg",
               "frame ms p50/p99", "max gap ms", "latency ms p50/p99", "1st pic ms",
               "others"]


def run_row(r):
    if r.get("skipped"):
        return "%-22s skipped: %s" % (r["name"], r["skipped"])
    fd, fs = r.get("frames_decoded"), r.get("frames_displayed")
    first = _f(r.get("first_picture_ms"), "%.0f")
    if r.get("feeds_without_picture"):
        first = "%s (%d none)" % (first if first != "-" else "", r["feeds_without_picture"])
    return [r["name"] + (" FAILED" if r.get("failed") else ""),
            _f(r.get("wall_s"), "%.1f"), _f(r.get("cpu_s"), "%.2f"),
            _f(r.get("cpu_per_feed_s"), "%.3f"), _f(r.get("x_cpu_s"), "%.2f"),
            _f(r.get("peak_rss_mib"), "%.0f") + ("*" if r.get("rss_is_sum") else ""),
            _pair(fd, "mean", "min", "%g"), _pair(fs, "mean", "min", "%g"),
            _f(r.get("displayed_pct"), "%.1f") if r.get("displayed_pct") is not None
            else _f(r.get("displayed_pct_est"), "~%.0f"),
            "-" if r.get("render_fps") is None else
            "%s/%s" % (_f(r.get("render_fps"), "%.1f"), _f(r.get("render_fps_avg"), "%.1f")),
            _pair(r.get("frame_ms"), "p50", "p99", "%.1f"),
            _f(r.get("max_gap_ms"), "%.0f"),
            _pair(r.get("latency_ms"), "p50", "p99", "%.0f"),
            first, _f(r.get("others_cores"), "%.2f")]


def ratios(runs):
    """CPU ratios: each Tessera run over the baseline, the window over
    ffplay and mpv (own CPU, and counting the X server too)."""
    by = {r["name"]: r for r in runs if not r.get("failed") and not r.get("skipped")}
    out = {}

    def ratio(a, b, with_x=False):
        if a in by and b in by and by[b]["cpu_s"] > 0:
            num = by[a]["cpu_s"] + (by[a].get("x_cpu_s") or 0 if with_x else 0)
            den = by[b]["cpu_s"] + (by[b].get("x_cpu_s") or 0 if with_x else 0)
            out["%s/%s%s" % (a, b, " (with X)" if with_x else "")] = round(num / den, 2)
    for t in ("tessera-headless", "tessera-headless-small", "tessera-window"):
        ratio(t, "baseline")
    for p in ("ffplay", "mpv"):
        ratio("tessera-window", p)
        ratio("tessera-window", p, with_x=True)
    return out


def _player_lines(runs):
    """What ffplay and mpv say about themselves (they have no stats file)."""
    out = []
    for r in runs:
        if r.get("failed") or r.get("skipped"):
            continue
        if r["name"] == "ffplay":
            fc = r.get("ffplay_counters")
            out.append("ffplay's own counters: %s" % (
                "clock reached %.1f s (min %.1f) of the %g s run; %d frames dropped in all"
                % (fc["played_s"]["mean"], fc["played_s"]["min"], r["seconds"], fc["dropped"])
                if fc else "no status line in its logs"))
        if r["name"] == "mpv":
            mc = r.get("mpv_counters")
            out.append("mpv's own counters: %s" % (
                "played %s s of video in the %g s run, dropped %s frames (decoder) + %s (output)"
                % (_f(mc.get("played_s"), "%.1f"), r["seconds"], mc.get("dropped_decoder", "-"),
                   mc.get("dropped_output", "-")) if mc else "no answer on its IPC socket"))
    return out


def _jitter_lines(runs):
    """Per Tessera run: its --latency mode and what its jitter buffers saw."""
    out = []
    for r in runs:
        if r.get("failed") or r.get("skipped") or "latency" not in r:
            continue
        out.append("%s: --latency %s, jitter_ms %s (worst feed), buffer_ms %s (largest), "
                   "frames_late %s (all feeds)"
                   % (r["name"], r["latency"], _f(r.get("jitter_ms"), "%.1f"),
                      _f(r.get("buffer_ms"), "%.1f"), _f(r.get("frames_late"), "%d")))
    return out


def _players_behind(runs):
    """{name: why} for players whose own clock covered less than half the
    run: they were stalled, and their CPU says nothing about keeping up."""
    out = {}
    for r in runs:
        if r.get("failed") or r.get("skipped"):
            continue
        played = None
        if r["name"] == "mpv":
            played = (r.get("mpv_counters") or {}).get("played_s")
        elif r["name"] == "ffplay":
            played = ((r.get("ffplay_counters") or {}).get("played_s") or {}).get("min")
        if isinstance(played, (int, float)) and played < r["seconds"] / 2:
            out[r["name"]] = "played only %.1f s of video in %g s" % (played, r["seconds"])
    return out


def header(p, mach):
    if p.get("sweep"):
        what, out = "N = %s feeds" % ",".join(map(str, p["sweep"])), ""
    else:
        what, out = "%d feeds" % p["feeds"], ", Tessera output %s" % p["output"]
    if p.get("tessera_args"):
        out += "; every Tessera run with %s" % " ".join(p["tessera_args"])
    if p.get("burst_ms"):
        out += ("; BURST: the server holds each frame to the next multiple of %.1f ms "
                "and sends it with the others held" % p["burst_ms"])
    lines = ["Tessera bench: %s of %s %s@%d fps, %g s per run (start-up included, "
             "nothing discarded)%s"
             % (what, p["codec"], p["size"], p["fps"], p["seconds"], out),
             "machine: %s, %d cores, Linux %s" % (mach["cpu"], mach["cores"], mach["kernel"]),
             "GL: %s" % (mach["gl"] or "unknown (no Tessera run logged it)"),
             "load average (uptime) at start %s, at end %s"
             % (" ".join("%.2f" % v for v in p["load_start"]),
                " ".join("%.2f" % v for v in p.get("load_end", []))),
             "decoder threads: %d for every program (Tessera uses slice threads: 1 below "
             "1920x1080, 2 at or above; ffmpeg, ffplay and mpv get the same, so like is "
             "compared with like)" % p["threads"]]
    return "\n".join(lines)


NOTES = """\
How measured:
  CPU s     user+sys of every process of the run, all threads, from the kernel when
            each is reaped (os.wait4 rusage): exact, nothing sampled.  X CPU s is the
            Xvfb server's share for windowed runs (not included in CPU s).
  RSS MiB   peak resident set (ru_maxrss); * = sum of each process's peak.
  Tessera   columns from its last --stats document (rewritten each second, so up to
            1 s before exit): frames per feed mean/min, fps in the last second/average,
            frame time and packet-to-screen latency p50/p99 (worst feed), 1st pic = time
            until every tile showed a picture, max gap = render.max_gap_ms_total (the
            longest wait of a due frame since start, start-up included).
  baseline  decoded/feed from ffmpeg -progress at the moment it was stopped.
  players   ffplay and mpv count no displayed frames; ~shown % = 1 - dropped / (clock
            seconds x fps) from their own counters (printed below the ratios).
            mpv's 1st pic: its --msg-time log ("first video frame"); all tiles at once.
  others    CPU other processes on this machine used during the run, in cores
            (/proc/stat minus the above and the RTSP server): above ~0.1 the run is noisy."""


def print_report(p, mach, runs, rundir, file):
    print(header(p, mach), file=file)
    print(_idle_line([r for r in runs if "idle_before_pct" in r]), file=file)
    print(file=file)
    rows = [run_row(r) for r in runs]
    print(table(RUN_HEADERS, rows), file=file)
    rat = ratios(runs)
    behind = _players_behind(runs)
    if rat:
        print(file=file)
        print("CPU ratios: " + "; ".join(
            "%s %.2fx%s" % (k, v, " (!)" if any(b in k for b in behind) else "")
            for k, v in rat.items()), file=file)
    for name, why in behind.items():
        print("  (!) %s: %s: it did less work than the others, so its CPU is not "
              "comparable (a longer --seconds helps)" % (name, why), file=file)
    missing = [r["name"] for r in runs if r.get("skipped")]
    if missing:
        print("not compared: " + ", ".join(missing), file=file)
    for line in _player_lines(runs):
        print(line, file=file)
    for line in _jitter_lines(runs):
        print(line, file=file)
    srv = [r.get("server_cpu_s") for r in runs if r.get("server_cpu_s") is not None]
    print(file=file)
    print(NOTES, file=file)
    if srv:
        print("  RTSP server CPU per run (shared, not in any row): %s s"
              % "/".join("%.2f" % s for s in srv), file=file)
    print("  logs, layouts, stats: %s" % rundir, file=file)
    for r in runs:
        if r.get("failed"):
            print("\n%s FAILED: %s" % (r["name"], r["failed"]), file=file)
    return rat


SWEEP_HEADERS = ["N", "baseline CPU s", "per feed", "tessera CPU s", "per feed",
                 "ratio", "decoded/feed B/T", "shown %", "fps avg", "latency ms p50/p99",
                 "1st pic ms", "others B/T"]


def sweep_rows(pairs):
    rows = []
    for n, b, t in pairs:
        ok = not b.get("failed") and not t.get("failed")
        rows.append([str(n), _f(b.get("cpu_s"), "%.2f"), _f(b.get("cpu_per_feed_s"), "%.3f"),
                     _f(t.get("cpu_s"), "%.2f") + (" FAILED" if t.get("failed") else ""),
                     _f(t.get("cpu_per_feed_s"), "%.3f"),
                     "%.2fx" % (t["cpu_s"] / b["cpu_s"]) if ok and b.get("cpu_s") else "-",
                     "%s/%s" % (_f((b.get("frames_decoded") or {}).get("mean"), "%.0f"),
                                _f((t.get("frames_decoded") or {}).get("mean"), "%.0f")),
                     _f(t.get("displayed_pct"), "%.1f"), _f(t.get("render_fps_avg"), "%.1f"),
                     _pair(t.get("latency_ms"), "p50", "p99", "%.0f"),
                     _f(t.get("first_picture_ms"), "%.0f"),
                     "%s/%s" % (_f(b.get("others_cores"), "%.2f"),
                                _f(t.get("others_cores"), "%.2f"))])
    return rows


def curve(pairs, width=48):
    """ASCII bars of CPU seconds against N: B baseline, T Tessera."""
    top = max([r.get("cpu_s") or 0 for _, b, t in pairs for r in (b, t)] + [1e-9])
    lines = ["CPU seconds against N (B = baseline ffmpeg, T = tessera-headless-small;"
             " one # = %.2f s)" % (top / width)]
    for n, b, t in pairs:
        for tag, r in (("B", b), ("T", t)):
            v = r.get("cpu_s") or 0
            lines.append("%-6s %s |%-*s %.2f" % ("N=%d" % n if tag == "B" else "", tag,
                                                 width, "#" * int(round(v / top * width)), v))
    return "\n".join(lines)


def _idle_line(runs):
    return ("machine idle just before each run (%%): %s; 'others' = CPU other processes "
            "took during it" % ", ".join("%d" % r["idle_before_pct"] for r in runs))


def print_sweep(p, mach, pairs, rundir, file):
    print(header(p, mach), file=file)
    print(_idle_line([r for _, b, t in pairs for r in (b, t)]), file=file)
    print("sweep: tessera-headless-small (output 640x360) and baseline (B) for each N; "
          "decoded/feed: mean frames per feed, baseline/Tessera (T; its stats are up to 1 s "
          "older); when the machine cannot keep up, both decode fewer", file=file)
    print(file=file)
    print(table(SWEEP_HEADERS, sweep_rows(pairs)), file=file)
    print(file=file)
    print(curve(pairs), file=file)
    print(file=file)
    print(NOTES, file=file)
    print("  logs, layouts, stats: %s" % rundir, file=file)
    for n, b, t in pairs:
        for r in (b, t):
            if r.get("failed"):
                print("\nN=%d %s FAILED: %s" % (n, r["name"], r["failed"]), file=file)


def write_json(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)
