"""runs - the measured runs.  Each starts its processes on the shared RTSP
server's streams, lets them run for the same wall time (start-up included,
nothing discarded), stops them, and returns one result dict: CPU from the
kernel's rusage at reaping, peak RSS, and for Tessera what its last --stats
document says.  A run that fails returns its dict with "failed" set."""
import json
import os
import re
import shutil
import socket
import time

from . import media, procs

# What a run is called, in the order they run.
ALL_RUNS = ["baseline", "tessera-headless", "tessera-headless-small",
            "tessera-window", "ffplay", "mpv"]
SMALL_OUTPUT = (640, 360)
TESSERA_EXIT_SLACK = 30.0  # seconds past --duration before we call it hung
IDLE_ENOUGH = 0.85  # --wait-idle waits for this much of the machine idle


class RunFailed(Exception):
    pass


class Ctx:
    """What every run shares.  Fields:
    root, rundir      source tree and this invocation's scratch directory
    tessera           path of the tessera binary
    children          procs.Children owning every process
    server            media.RtspServer
    clip_size, fps, seconds, codec, output (W, H)
    threads           decoder threads given to ffmpeg/ffplay/mpv (Tessera's rule)
    say(text)         progress line on stderr
    gl                OpenGL renderer line from Tessera's log, once seen"""

    def __init__(self, **kw):
        self.gl = None
        self.wait_idle = 0.0
        self.__dict__.update(kw)

    def settle(self):
        """Before each run: one second to let the last one's teardown settle,
        measuring how idle the machine is; with wait_idle > 0, keeps waiting
        (up to wait_idle seconds) until it is at least IDLE_ENOUGH idle.
        Returns the last idle fraction."""
        deadline = time.monotonic() + self.wait_idle
        idle = procs.idle_fraction(1.0)
        while idle < IDLE_ENOUGH and time.monotonic() < deadline:
            idle = procs.idle_fraction(2.0)
        return idle


def decoder_threads(size):
    """Tessera's decoder rule (wall/decode/decode.c): slice threads only, 1
    below 1920x1080, 2 at or above.  The players get the same."""
    return 2 if size[0] * size[1] >= 1920 * 1080 else 1


def _thread_args(ctx):
    a = ["-threads", str(ctx.threads)]
    return a + (["-thread_type", "slice"] if ctx.threads > 1 else [])


# ---- measuring ----

def _measure(ctx, name, n, body):
    """Runs body(res, own, rundir) inside a machine-CPU window; body appends the
    processes it measured to own and may set res["x_child"] to the X server
    it started.  Returns res with the CPU, memory and noise figures."""
    idle = ctx.settle()
    res = {"name": name, "feeds": n, "seconds": ctx.seconds,
           "idle_before_pct": round(100 * idle),
           "load_before": [round(x, 2) for x in os.getloadavg()]}
    own = []
    rundir = os.path.join(ctx.rundir, "%s-%d" % (name.replace("/", "-"), n))
    os.makedirs(rundir, exist_ok=True)
    res["dir"] = os.path.relpath(rundir, ctx.root)
    ctx.server.check_alive()
    ctx.say("run %-23s %d feeds, %g s (machine %d%% idle just before) ..."
            % (name, n, ctx.seconds, 100 * idle))
    m0, s0, t0 = procs.machine_cpu(), ctx.server.cpu_s(), time.monotonic()
    try:
        body(res, own, rundir)
    except (RunFailed, media.BenchError) as e:
        res["failed"] = str(e)
    except OSError as e:  # a program that cannot start
        res["failed"] = "cannot start: %s" % e
    finally:
        ctx.children.stop([c for c in own if c.alive])
        x = res.pop("x_child", None)
        if x is not None:
            x.stop()
    t1, m1, s1 = time.monotonic(), procs.machine_cpu(), ctx.server.cpu_s()
    res["procs"] = len(own)
    res["wall_s"] = round(max((c.wall_s for c in own), default=0.0), 2)
    res["user_s"] = round(sum(c.user_s for c in own), 3)
    res["sys_s"] = round(sum(c.sys_s for c in own), 3)
    res["cpu_s"] = round(res["user_s"] + res["sys_s"], 3)
    res["cpu_per_feed_s"] = round(res["cpu_s"] / n, 4) if n else None
    res["cpu_cores"] = round(res["cpu_s"] / (t1 - t0), 3)
    res["peak_rss_mib"] = round(sum(c.maxrss_kib for c in own) / 1024.0, 1)
    res["rss_is_sum"] = len(own) > 1
    x_cpu = x.child.cpu_s if x is not None else 0.0
    res["x_cpu_s"] = round(x_cpu, 3) if x is not None else None
    res["server_cpu_s"] = round(s1 - s0, 2)
    busy = m1[0] - m0[0]
    res["others_cores"] = round(max(0.0, busy - res["cpu_s"] - x_cpu - (s1 - s0))
                                / (t1 - t0), 2)
    res["steal_cores"] = round((m1[1] - m0[1]) / (t1 - t0), 2)
    res["exits"] = {c.name: c.describe_exit() for c in own}
    res["load_after"] = [round(v, 2) for v in os.getloadavg()]
    ctx.say("    %s: %.2f CPU s%s; other processes used %.2f cores"
            % (name, res["cpu_s"], " (FAILED)" if "failed" in res else "",
               res["others_cores"]))
    return res


def _run_group(ctx, own, children, what, before_stop=None):
    """Lets a group of players run ctx.seconds from their start, then stops
    them with SIGTERM (calling before_stop() just before).  A player that
    ends on its own first fails the run."""
    deadline = own[0].started + ctx.seconds
    early = []
    ctx.children.wait(children, deadline,
                      stop_early=lambda c: early.append(c) or True)
    if early:
        c = early[0]
        raise RunFailed("%s %s ended after %.1f s (%s):\n%s"
                        % (what, c.name, c.wall_s, c.describe_exit(), c.log_tail()))
    if before_stop:
        before_stop()
    ctx.children.stop(children)


def _shown_est(played_s, dropped, fps):
    """Percent of the frames due in played_s seconds (at fps) that a player
    did not drop, or None when it played nothing."""
    due = played_s * fps
    return round(max(0.0, 100.0 * (1 - dropped / due)), 1) if due > 0 else None


def _mpv_first_picture_ms(log_path):
    """When mpv showed its first picture, from its --msg-time log, or None."""
    try:
        with open(log_path, errors="replace") as f:
            m = re.search(r"^\[\s*([\d.]+)\]\s*\[cplayer\] first video frame", f.read(), re.M)
    except OSError:
        return None
    return round(float(m.group(1)) * 1000) if m else None


def _mpv_counters(sock_path):
    """mpv's own counters, asked over its JSON IPC socket (no cost while it
    plays): seconds of video played and frames dropped.  {} if it does not
    answer within a second."""
    out = {}
    props = {"time-pos": "played_s", "frame-drop-count": "dropped_decoder",
             "vo-drop-frame-count": "dropped_output"}
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            s.connect(sock_path)
            for i, p in enumerate(props):
                s.sendall(json.dumps({"command": ["get_property", p],
                                      "request_id": i + 1}).encode() + b"\n")
            buf, deadline = b"", time.monotonic() + 1.0
            while buf.count(b"request_id") < len(props) and time.monotonic() < deadline:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
    except OSError:
        return out
    names = list(props.values())
    for line in buf.decode("utf-8", "replace").splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        i = msg.get("request_id")
        if isinstance(i, int) and 1 <= i <= len(names) and msg.get("error") == "success":
            out[names[i - 1]] = msg.get("data")
    return out


# ---- the runs ----

def run_baseline(ctx, n):
    """N ffmpeg processes decoding to nothing: the cost of decoding alone."""
    def body(res, own, rundir):
        res["command"] = ("ffmpeg -nostdin -hide_banner -loglevel error -rtsp_transport tcp "
                          + " ".join(_thread_args(ctx)) + " -progress FILE -i URL -f null -")
        progress = []
        for k in range(n):
            pf = os.path.join(rundir, "cam%d.progress" % k)
            progress.append(pf)
            argv = (["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
                     "-rtsp_transport", "tcp"] + _thread_args(ctx)
                    + ["-progress", pf, "-i", ctx.server.url(k), "-f", "null", "-"])
            own.append(ctx.children.spawn("ffmpeg-cam%d" % k, argv,
                                          os.path.join(rundir, "cam%d.log" % k)))
        _run_group(ctx, own, own, "ffmpeg")
        frames = [_progress_frames(p) for p in progress]
        if all(f is not None for f in frames):
            res["frames_decoded"] = _mean_min(frames)
    return _measure(ctx, "baseline", n, body)


def _progress_frames(path):
    """Last frame=N of an ffmpeg -progress file, or None."""
    try:
        with open(path) as f:
            found = re.findall(r"^frame=(\d+)", f.read(), re.M)
    except OSError:
        return None
    return int(found[-1]) if found else None


def run_tessera(ctx, name, n, out_size, display=False, latency="smooth"):
    """Tessera on a layout of all n feeds: offscreen, or windowed under a
    fresh Xvfb when display is True, with --latency latency (a run in "low"
    mode is named NAME/low)."""
    if latency != "smooth":
        name = "%s/%s" % (name, latency)

    def body(res, own, rundir):
        layout = os.path.join(rundir, "layout.json")
        stats = os.path.join(rundir, "stats.json")
        media.write_layout(layout, ctx.server, n, out_size)
        res["output"] = "%dx%d" % out_size
        env = dict(os.environ)
        env.pop("WAYLAND_DISPLAY", None)
        res["latency"] = latency
        argv = [ctx.tessera, "--duration", "%g" % ctx.seconds, "--latency", latency,
                *getattr(ctx, "tessera_args", []), "--stats", stats, layout]
        if display:
            res["x_child"] = media.Xvfb(ctx.children, out_size,
                                        os.path.join(rundir, "Xvfb.log"))
            env["DISPLAY"] = res["x_child"].display
            env["SDL_VIDEODRIVER"] = "x11"
        else:
            env.pop("DISPLAY", None)
            argv.insert(1, "--headless")
        res["command"] = " ".join(argv[:-3]) + " STATS LAYOUT"
        t = ctx.children.spawn("tessera", argv, os.path.join(rundir, "tessera.log"), env=env)
        own.append(t)
        ctx.children.wait([t], t.started + ctx.seconds + TESSERA_EXIT_SLACK)
        if t.alive:
            ctx.children.stop([t])
            raise RunFailed("tessera did not exit within %g s of --duration %g:\n%s"
                            % (TESSERA_EXIT_SLACK, ctx.seconds, t.log_tail()))
        gl = _gl_line(t.log_path)
        if gl:
            res["gl"] = gl
            ctx.gl = ctx.gl or gl
        if t.exit_code != 0:
            raise RunFailed("tessera failed (%s); log %s:\n%s"
                            % (t.describe_exit(), t.log_path, t.log_tail()))
        try:
            with open(stats) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            raise RunFailed("tessera wrote no usable --stats file %s (%s):\n%s"
                            % (stats, e, t.log_tail()))
        res.update(summarise_stats(doc))
    return _measure(ctx, name, n, body)


def _gl_line(log_path):
    """The renderer line Tessera logs at start-up (the one naming OpenGL)."""
    try:
        with open(log_path, errors="replace") as f:
            for line in f:
                if "OpenGL" in line:
                    m = re.match(r"^\S+\s+\w+\s+(.*)$", line.strip())
                    return m.group(1) if m else line.strip()
    except OSError:
        pass
    return None


def _num(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _mean_min(values):
    return {"mean": round(sum(values) / len(values), 1), "min": min(values)} if values else None


def summarise_stats(doc):
    """What the table shows from one Tessera stats document (the contract in
    docs/bench.md).  Latency and first picture: the worst feed."""
    feeds = doc.get("feeds") or []
    render = doc.get("render") or {}
    out = {"stats_uptime_s": _num(doc.get("uptime_s"))}
    dec = [_num(f.get("frames_decoded")) or 0 for f in feeds]
    shown = [_num(f.get("frames_displayed")) or 0 for f in feeds]
    out["frames_decoded"] = _mean_min(dec)
    out["frames_displayed"] = _mean_min(shown)
    out["displayed_pct"] = round(100.0 * sum(shown) / sum(dec), 1) if sum(dec) else None
    out["render_frames"] = _num(render.get("frames"))
    out["render_fps"] = _num(render.get("fps"))
    up = out["stats_uptime_s"]
    out["render_fps_avg"] = (round(out["render_frames"] / up, 1)
                             if out["render_frames"] is not None and up else None)
    fm = render.get("frame_ms") or {}
    out["frame_ms"] = {"p50": _num(fm.get("p50")), "p99": _num(fm.get("p99"))}
    # since start (start-up included); null for a Tessera without the field
    out["max_gap_ms"] = _num(render.get("max_gap_ms_total"))

    def worst(key, sub=None):
        vals = []
        for f in feeds:
            v = f.get(key)
            v = _num(v.get(sub)) if sub and isinstance(v, dict) else _num(v)
            if v is not None:
                vals.append(v)
        return max(vals) if vals else None
    out["latency_ms"] = {"p50": worst("latency_ms", "p50"), "p99": worst("latency_ms", "p99")}
    out["first_picture_ms"] = worst("first_frame_ms")
    out["feeds_without_picture"] = sum(1 for f in feeds if _num(f.get("first_frame_ms")) is None)
    # the jitter buffer (issue 17): worst feed's jitter and delay, late frames in all
    out["jitter_ms"] = worst("jitter_ms")
    out["buffer_ms"] = worst("buffer_ms")
    late = [_num(f.get("frames_late")) for f in feeds]
    out["frames_late"] = sum(v for v in late if v is not None) if any(
        v is not None for v in late) else None
    out["feeds_reported"] = len(feeds)
    out["per_feed"] = [{k: f.get(k) for k in
                        ("id", "state", "frames_decoded", "frames_displayed",
                         "frames_dropped", "frames_late", "jitter_ms", "buffer_ms",
                         "decode_errors", "reconnects", "latency_ms",
                         "first_frame_ms")} for f in feeds]
    return out


def run_ffplay(ctx, n, out_size):
    """N ffplay windows tiled like Tessera's grid on one Xvfb screen."""
    def body(res, own, rundir):
        cols, rows = media.grid(n)
        tw, th = out_size[0] // cols, out_size[1] // rows
        x = media.Xvfb(ctx.children, out_size, os.path.join(rundir, "Xvfb.log"))
        res["x_child"] = x
        env = dict(os.environ, DISPLAY=x.display, SDL_VIDEODRIVER="x11",
                   SDL_AUDIODRIVER="dummy")
        env.pop("WAYLAND_DISPLAY", None)
        # -stats: ffplay's own status line (clock, frames dropped), printed at
        # most every 30 ms; read from the logs when it is stopped.
        res["command"] = ("ffplay -hide_banner -loglevel error -stats -rtsp_transport tcp "
                          + " ".join(_thread_args(ctx))
                          + " -an -noborder -x %d -y %d -left X -top Y URL" % (tw, th))
        for k, (c, r) in enumerate(media.cells(n)):
            argv = (["ffplay", "-hide_banner", "-loglevel", "error", "-stats",
                     "-rtsp_transport", "tcp"] + _thread_args(ctx)
                    + ["-an", "-noborder", "-x", str(tw), "-y", str(th),
                       "-left", str(c * tw), "-top", str(r * th),
                       "-window_title", "cam%d" % k, ctx.server.url(k)])
            own.append(ctx.children.spawn("ffplay-cam%d" % k, argv,
                                          os.path.join(rundir, "cam%d.log" % k), env=env))
        _run_group(ctx, own, own, "ffplay")
        fc = res["ffplay_counters"] = _ffplay_counters([c.log_path for c in own])
        if fc:
            res["displayed_pct_est"] = _shown_est(fc["played_s"]["mean"] * n, fc["dropped"],
                                                  ctx.fps)
    return _measure(ctx, "ffplay", n, body)


_FFPLAY_STATUS = re.compile(r"^\s*(nan|-?\d+\.\d+)\s+M-V:\s*\S+\s+fd=\s*(\d+)")


def _ffplay_counters(logs):
    """From each ffplay's last status line: its clock (seconds of video
    played) and frames dropped (fd=).  {} when no line was found."""
    played, dropped = [], 0
    for path in logs:
        try:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return {}
        last = None
        for line in re.split(r"[\r\n]", text):
            m = _FFPLAY_STATUS.match(line)
            if m:
                last = m
        if not last:
            return {}
        played.append(0.0 if last.group(1) == "nan" else float(last.group(1)))
        dropped += int(last.group(2))
    return {"played_s": _mean_min([round(p, 2) for p in played]), "dropped": dropped}


def mpv_graph(n, out_size):
    """--lavfi-complex graph: each stream scaled to its cell, xstacked."""
    cols, rows = media.grid(n)
    tw, th = out_size[0] // cols // 2 * 2, out_size[1] // rows // 2 * 2
    parts = ["[vid%d]scale=%d:%d,setsar=1[v%d]" % (k + 1, tw, th, k) for k in range(n)]
    if n == 1:
        return parts[0].replace("[v0]", "[vo]")
    lay = "|".join("%d_%d" % (c * tw, r * th) for c, r in media.cells(n))
    parts.append("".join("[v%d]" % k for k in range(n))
                 + "xstack=inputs=%d:layout=%s:fill=black[vo]" % (n, lay))
    return ";".join(parts)


def run_mpv(ctx, n, out_size):
    """One mpv window showing all N streams through an xstack filter graph."""
    def body(res, own, rundir):
        x = media.Xvfb(ctx.children, out_size, os.path.join(rundir, "Xvfb.log"))
        res["x_child"] = x
        env = dict(os.environ, DISPLAY=x.display)
        env.pop("WAYLAND_DISPLAY", None)
        # vo=gpu as on any machine with a GPU; --gpu-sw lets it accept Mesa's
        # software renderer, as Tessera does, instead of falling back to vo=sdl.
        # cplayer=v with --msg-time: ~80 lines, one of them the time of the
        # first picture (all tiles at once: xstack waits for every input).
        opts = ["--no-config", "--msg-level=all=error,cplayer=v", "--msg-time",
                "--vo=gpu", "--gpu-sw=yes",
                "--no-audio", "--hwdec=no",
                "--vd-lavc-threads=%d" % ctx.threads,
                "--demuxer-lavf-o=rtsp_transport=tcp",
                "--geometry=%dx%d+0+0" % out_size, "--no-border", "--force-window=yes",
                "--lavfi-complex=" + mpv_graph(n, out_size)]
        res["command"] = "mpv " + " ".join(opts[:-1]) + " --lavfi-complex=GRAPH URL0 --external-file=URL1 ..."
        ipc = os.path.join(rundir, "mpv.sock")
        argv = ["mpv"] + opts + ["--input-ipc-server=" + ipc, ctx.server.url(0)]
        argv += ["--external-file=" + ctx.server.url(k) for k in range(1, n)]
        own.append(ctx.children.spawn("mpv", argv, os.path.join(rundir, "mpv.log"), env=env))
        _run_group(ctx, own, own, "mpv", before_stop=lambda: res.update(
            mpv_counters=_mpv_counters(ipc)))
        res["first_picture_ms"] = _mpv_first_picture_ms(own[0].log_path)
        mc = res.get("mpv_counters") or {}
        if isinstance(mc.get("played_s"), (int, float)):
            dropped = max(mc.get("dropped_decoder") or 0, mc.get("dropped_output") or 0)
            res["displayed_pct_est"] = _shown_est(mc["played_s"], dropped, ctx.fps)
    return _measure(ctx, "mpv", n, body)


def available(name):
    """None when the run can happen here, else why not."""
    need = {"baseline": ["ffmpeg"], "tessera-window": ["Xvfb"],
            "ffplay": ["ffplay", "Xvfb"], "mpv": ["mpv", "Xvfb"]}.get(name, [])
    missing = [p for p in need if not shutil.which(p)]
    return "%s not installed" % ", ".join(missing) if missing else None
