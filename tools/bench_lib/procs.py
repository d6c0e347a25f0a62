"""procs - child processes for the bench and what they cost.

Every child runs in its own session (so its own process group), asks the
kernel to SIGKILL it should the bench die (PR_SET_PDEATHSIG), and is killed
with its group by Children.kill_all() on every way out.

CPU and memory come from the kernel at reaping: os.wait4() returns the
child's rusage: user and system time of all its threads (plus any children
it reaped itself), and its peak resident set (ru_maxrss).  This is exact to
the microsecond and does not miss the last moments before exit, unlike
sampling /proc.  Processes we do not reap ourselves (the RTSP server, which
lives for the whole bench) are read from /proc/PID/stat at clock-tick
resolution (1/CLK_TCK s).
"""
import ctypes
import os
import select
import signal
import subprocess
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
_PR_SET_PDEATHSIG = 1

try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - static or odd libc
    _libc = None


def _child_setup():
    """Runs in the child between fork and exec: die with the bench."""
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Child:
    """One spawned process.  Fields are filled in when it is reaped."""

    def __init__(self, name, popen, log_path):
        self.name = name
        self.popen = popen
        self.pid = popen.pid
        self.log_path = log_path
        self.started = time.monotonic()
        self.ended = None
        self.status = None  # raw wait status
        self.rusage = None
        self.signalled_by_us = False

    @property
    def alive(self):
        return self.status is None

    @property
    def wall_s(self):
        return (self.ended or time.monotonic()) - self.started

    @property
    def user_s(self):
        return self.rusage.ru_utime if self.rusage else 0.0

    @property
    def sys_s(self):
        return self.rusage.ru_stime if self.rusage else 0.0

    @property
    def cpu_s(self):
        return self.user_s + self.sys_s

    @property
    def maxrss_kib(self):
        return self.rusage.ru_maxrss if self.rusage else 0

    @property
    def exit_code(self):
        """Exit code, or -SIGNAL when killed by a signal; None while alive."""
        if self.status is None:
            return None
        if os.WIFSIGNALED(self.status):
            return -os.WTERMSIG(self.status)
        return os.WEXITSTATUS(self.status)

    def describe_exit(self):
        c = self.exit_code
        if c is None:
            return "running"
        if c < 0:
            try:
                return "killed by %s" % signal.Signals(-c).name
            except ValueError:
                return "killed by signal %d" % -c
        return "exit %d" % c

    def log_tail(self, lines=15):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 8192))
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip("\n").split("\n")[-lines:])

    def _take(self, status, rusage):
        self.status, self.rusage, self.ended = status, rusage, time.monotonic()
        # Popen must never try to reap it again (we took the status).
        self.popen.returncode = self.exit_code


class Children:
    """Owns every process the bench starts."""

    def __init__(self):
        self.all = []

    def spawn(self, name, argv, log_path, env=None, pass_fds=(), cwd=None):
        """Starts argv with stdout+stderr to log_path; returns a Child.
        Raises OSError when it cannot start (e.g. program missing)."""
        log = open(log_path, "wb")
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                 pass_fds=pass_fds, start_new_session=True,
                                 preexec_fn=_child_setup)
        finally:
            log.close()
        c = Child(name, p, log_path)
        self.all.append(c)
        return c

    def poll(self, child):
        """Reaps child if it has exited; returns True when it is gone."""
        if not child.alive:
            return True
        try:
            pid, status, ru = os.wait4(child.pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere: no numbers
            child._take(0, None)
            return True
        if pid == 0:
            return False
        child._take(status, ru)
        # Anything it left in its group goes too (its group id is its pid).
        _killpg(child.pid, signal.SIGKILL)
        return True

    def wait(self, children, deadline, stop_early=None):
        """Polls until every child has exited or time.monotonic() passes
        deadline.  stop_early(child) is called for each exit seen and may
        return True to stop waiting.  Returns the children still alive."""
        children = list(children)
        while True:
            alive = []
            for c in children:
                if c.alive and self.poll(c):
                    if stop_early and stop_early(c):
                        return [x for x in children if x.alive]
                if c.alive:
                    alive.append(c)
            if not alive or time.monotonic() >= deadline:
                return alive
            time.sleep(min(0.02, max(0.0, deadline - time.monotonic())))

    def stop(self, children, grace=3.0):
        """SIGTERM each live child's group, wait up to grace seconds, then
        SIGKILL what is left; reaps them all."""
        children = [c for c in children if c.alive]
        for c in children:
            c.signalled_by_us = True
            _killpg(c.pid, signal.SIGTERM)
        left = self.wait(children, time.monotonic() + grace)
        for c in left:
            _killpg(c.pid, signal.SIGKILL)
        self.wait(left, time.monotonic() + 5.0)

    def kill_all(self):
        """Every way out of the bench ends here."""
        self.stop([c for c in self.all if c.alive], grace=2.0)


def _killpg(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def proc_cpu_s(pid):
    """user+sys seconds of a live process from /proc/PID/stat (clock ticks),
    or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # After the ')': state is field 3, utime 14, stime 15 (1-based in proc(5)).
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_run_s(pid):
    """Seconds on a CPU of a live process's present threads, from
    /proc/PID/task/*/schedstat (the scheduler's nanoseconds: exact, where
    /proc/PID/stat counts 10 ms ticks), or None when it is gone.  Time of
    threads that ended is not in it: compare windows of a process whose
    threads live through them."""
    try:
        total = 0
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                    total += int(f.read().split()[0])
            except (OSError, IndexError, ValueError):
                pass  # a thread that just ended
        return total / 1e9
    except OSError:
        return None


def machine_cpu():
    """(busy, steal, total) seconds of the whole machine since boot, from the
    first line of /proc/stat; busy = user+nice+system+irq+softirq."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    v += [0] * (8 - len(v))
    user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
    busy = user + nice + system + irq + softirq
    return (busy / CLK_TCK, steal / CLK_TCK, sum(v[:8]) / CLK_TCK)


def idle_fraction(seconds):
    """Fraction of the machine's CPU time that was idle over the next
    `seconds` (sleeps that long)."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        return v[3] + v[4], sum(v)
    a = sample()
    time.sleep(seconds)
    b = sample()
    return (b[0] - a[0]) / max(1, b[1] - a[1])


def read_line_from_fd(fd, timeout):
    """Reads bytes from fd until a newline or EOF, waiting at most timeout
    seconds in all; returns the text (maybe empty)."""
    deadline = time.monotonic() + timeout
    buf = b""
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            break
        chunk = os.read(fd, 64)
        if not chunk:
            break
        buf += chunk
    return buf.decode("ascii", "replace").strip()
