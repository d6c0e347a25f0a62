"""media - the bench's inputs: test clips made by tests/tools/gen-clip (cached
under build/bench-media/, keyed by the generator's content and every
parameter), the RTSP test server that serves them, an Xvfb screen for the
windowed runs, and the layout files Tessera reads."""
import colorsys
import hashlib
import json
import math
import os
import shutil
import time

from . import procs

CLIP_SECONDS = 10  # each clip loops forever on the server


class BenchError(Exception):
    """A failure the bench reports in one clear message and exits 1."""


def grid(n):
    """Near-square grid for n tiles: (columns, rows), columns >= rows."""
    cols = max(1, math.ceil(math.sqrt(n)))
    rows = max(1, math.ceil(n / cols))
    return cols, rows


def cells(n):
    """[(col, row)] for tiles 0..n-1, row by row."""
    cols, _ = grid(n)
    return [(k % cols, k // cols) for k in range(n)]


def colour(k):
    """A distinct 0xRRGGBB for stream k, the same whatever the number of
    streams (golden-ratio hue steps), so every N shares the cached clips."""
    r, g, b = colorsys.hsv_to_rgb((k * 0.6180339887) % 1.0, 0.6, 0.8)
    return (int(r * 255) << 16) | (int(g * 255) << 8) | int(b * 255)


def _sha8(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()[:8]


def ensure_clips(root, n, size, fps, codec, say, jobs=2):
    """Returns n clip paths, making the missing ones with gen-clip (jobs at a
    time).  Raises BenchError when gen-clip fails."""
    gen = os.path.join(root, "tests", "tools", "gen-clip")
    if not os.access(gen, os.X_OK):
        raise BenchError("%s is missing or not executable" % gen)
    base = os.path.join(root, "build", "bench-media")
    cache = os.path.join(base, "gen-" + _sha8(gen))
    os.makedirs(cache, exist_ok=True)
    for d in os.listdir(base):  # clips of an older gen-clip are never used again
        if d.startswith("gen-") and os.path.join(base, d) != cache:
            shutil.rmtree(os.path.join(base, d), ignore_errors=True)
    ext = "h265" if codec == "hevc" else "h264"
    w, h = size
    paths, todo = [], []
    for k in range(n):
        c = colour(k)
        p = os.path.join(cache, "%s-%dx%d-%dfps-%ds-pattern-%06x.%s"
                         % (codec, w, h, fps, CLIP_SECONDS, c, ext))
        paths.append(p)
        if not os.path.exists(p):
            todo.append((p, c))
    if todo:
        say("making %d test clip%s (%s %dx%d@%d, %d s) in %s"
            % (len(todo), "s" * (len(todo) > 1), codec, w, h, fps, CLIP_SECONDS,
               os.path.relpath(cache, root)))
    children = procs.Children()
    try:
        running = []
        while todo or running:
            while todo and len(running) < jobs:
                p, c = todo.pop(0)
                argv = [gen, p, "--pattern", "--color", "0x%06x" % c,
                        "--size", "%dx%d" % size, "--fps", str(fps),
                        "--seconds", str(CLIP_SECONDS), "--codec", codec]
                running.append(children.spawn("gen-clip", argv, p + ".log"))
            time.sleep(0.05)
            for ch in list(running):
                if children.poll(ch):
                    running.remove(ch)
                    if ch.exit_code != 0:
                        raise BenchError("gen-clip failed (%s) for %s:\n%s"
                                         % (ch.describe_exit(), ch.log_path,
                                            ch.log_tail()))
                    os.remove(ch.log_path)
    finally:
        children.kill_all()
    return paths


class RtspServer:
    """One tessera-test-rtsp for the whole bench: mount /camK serves clip K,
    looped forever, paced in real time; with burst_ms > 0 every frame is held
    back to the next multiple of burst_ms and sent with the others held
    (tessera-test-rtsp --burst-ms)."""

    def __init__(self, children, binary, clips, rundir, burst_ms=0.0):
        self.children = children
        self.mounts = ["cam%d" % k for k in range(len(clips))]
        ready = os.path.join(rundir, "rtsp.ready")
        argv = [binary, "--port", "0", "--ready-file", ready]
        if burst_ms > 0:
            argv += ["--burst-ms", "%.3f" % burst_ms]
        for m, p in zip(self.mounts, clips):
            argv += ["--mount", "/%s=%s" % (m, p)]
        self.child = children.spawn("rtsp-server", argv,
                                    os.path.join(rundir, "rtsp-server.log"))
        deadline = time.monotonic() + 15
        self.port = None
        while time.monotonic() < deadline:
            if children.poll(self.child):
                raise BenchError("the RTSP test server stopped (%s):\n%s"
                                 % (self.child.describe_exit(), self.child.log_tail()))
            try:
                with open(ready) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        if self.port is None:
            raise BenchError("the RTSP test server was not ready within 15 s:\n"
                             + self.child.log_tail())

    def url(self, k):
        return "rtsp://127.0.0.1:%d/%s" % (self.port, self.mounts[k])

    def cpu_s(self):
        """CPU seconds so far (clock-tick resolution)."""
        v = procs.proc_cpu_s(self.child.pid)
        return v if v is not None else self.child.cpu_s

    def check_alive(self):
        if self.children.poll(self.child):
            raise BenchError("the RTSP test server stopped (%s):\n%s"
                             % (self.child.describe_exit(), self.child.log_tail()))


class Xvfb:
    """A fresh virtual X screen for one windowed run, on a free display
    number chosen by the server itself (-displayfd), so runs never collide
    with another X server on this machine."""

    def __init__(self, children, size, log_path):
        self.children = children
        r, w = os.pipe()
        try:
            self.child = children.spawn(
                "Xvfb", ["Xvfb", "-displayfd", str(w), "-screen", "0",
                         "%dx%dx24" % size, "-nolisten", "tcp", "-noreset"],
                log_path, pass_fds=(w,))
            os.close(w)
            w = -1
            text = procs.read_line_from_fd(r, 15.0)
        finally:
            if w >= 0:
                os.close(w)
            os.close(r)
        if not text.isdigit():
            children.stop([self.child])
            raise BenchError("Xvfb did not start (%s):\n%s"
                             % (self.child.describe_exit(), self.child.log_tail()))
        self.display = ":" + text

    def stop(self):
        """Stops the server; its CPU is then in self.child.cpu_s."""
        self.children.stop([self.child])


def write_layout(path, server, n, out_size):
    """Writes a Tessera layout showing feeds cam0..cam(n-1) in a near-square
    grid on one output of out_size."""
    cols, rows = grid(n)
    doc = {
        "version": 1,
        "feeds": {server.mounts[k]: {"url": server.url(k), "label": "Camera %d" % k}
                  for k in range(n)},
        "outputs": [{
            "name": "main",
            "size": list(out_size),
            "grid": [cols, rows],
            "tiles": [{"feed": server.mounts[k], "cell": list(c)}
                      for k, c in enumerate(cells(n))],
        }],
    }
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
