"""What bench/run's areas share: counts, figures, the VMM processes, rounds, rows, raw QMP loops.

The QMP client is examples/qmp.py's QMPClient, the one users copy; the timed loops here work
on its socket's raw bytes (see set_timeout), looking only for the reply's key, so that the
client costs the same whichever VMM answers."""
import math
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "examples"))
from qmp import QMPClient, QMPError  # noqa: E402,F401  (the areas take QMPError from here)

AREAS = ["qmp", "events", "startup", "rss", "pmemsave", "dump", "pmemaccess", "linux"]
NAMES = {"tinyvmm": "tinyvmm", "qemu": "QEMU"}
MAIN_PID = os.getpid()

# Counts: (full, quick).
COUNTS = {
    "qmp1_rounds": (5, 2), "qmp1_warm": (500, 200), "qmp1_n": (5000, 1000),
    "qmp8_rounds": (5, 2), "qmp8_warm": (200, 50), "qmp8_n": (2000, 300),
    "ev_rounds": (5, 1), "ev_warm": (20, 5), "ev_n": (200, 50),
    "start_n": (15, 4), "serial_n": (15, 4),
    "rss_rounds": (5, 1), "rss_settle": (1.5, 0.5),
    "pmemsave_rounds": (5, 1), "dump_rounds": (5, 1),
    "pa_rounds": (5, 1), "pa_warm": (2000, 500), "pa_n": (50000, 10000),
    "linux_rounds": (5, 1), "linux_memrounds": (2, 1),
}
C = {}

LIVE = []          # every VMM process this run started (killed at exit, by pid)
CMDLINES = []      # distinct command lines, in order of first use


# ---------------------------------------------------------------- small helpers

def log(*a):
    print(*a, flush=True)


def pct(values, p):
    """The p-th percentile (nearest rank) of values."""
    s = sorted(values)
    if not s:
        return float("nan")
    return s[max(0, min(len(s) - 1, math.ceil(p / 100.0 * len(s)) - 1))]


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fig(res, kind, key):
    """The median of key over kind's results in res ({kind: [dicts]}); a string in place of
    the list (why there are none) is the figure itself."""
    rs = res.get(kind, [])
    return rs if isinstance(rs, str) else med([r[key] for r in rs])


def per(a, b, n):
    """(b - a) / n, None when a reading is missing (the process was gone)."""
    return None if a is None or b is None else (b - a) / n


def fmt(v, unit="", digits=None):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if digits is None:
        a = abs(v)
        digits = 0 if a >= 100 else 1 if a >= 10 else 2 if a >= 1 else 3
    return f"{v:,.{digits}f} {unit}".rstrip()


def fmt_ratio(r):
    return "n/a" if r is None else fmt(r, "×", 3 if r < 1 else 2 if r < 10 else 1)


def read_proc(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def vmrss_kib(pid):
    for line in read_proc(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def per_task(pid, path, field):
    """The sum over every thread of pid of one number in /proc/PID/task/TID/PATH (field: a
    function of the file's text); None when pid is gone."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    return sum(field(read_proc(f"/proc/{pid}/task/{tid}/{path}")) for tid in tids)


def cpu_ns(pid):
    """CPU time of every thread of pid so far, in ns (schedstat)."""
    return per_task(pid, "schedstat", lambda s: int(s.split()[0]) if s.split() else 0)


def minflt(pid):
    """Minor page faults of every thread of pid so far (stat)."""
    return per_task(pid, "stat",
                    lambda s: int(s.rsplit(")", 1)[1].split()[7]) if ")" in s else 0)


def df(d):
    """(file system type, device, mount point) of directory d."""
    try:
        f = subprocess.run(["df", "-PT", d], capture_output=True, text=True,
                           timeout=10).stdout.splitlines()[-1].split()
        return f[1], f[0], f[6]
    except Exception:
        return "?", "?", "?"


def fs_desc(d):
    t, dev, mnt = df(d)
    return f"{d} ({t} on {dev}, mounted at {mnt})"


# ---------------------------------------------------------------- raw QMP for the timed loops

def set_timeout(sock, secs):
    """Blocking socket whose reads and writes fail after secs (SO_RCVTIMEO/SO_SNDTIMEO):
    unlike settimeout(), no poll() before every recv in the timed loops."""
    sock.settimeout(None)
    tv = struct.pack("ll", int(secs), int((secs - int(secs)) * 1e6))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)


def raw(q):
    """q (a QMPClient) ready for the timed loops below: set_timeout(q.timeout). Returns q."""
    set_timeout(q.sock, q.timeout)
    return q


def negotiate(q):
    """qmp_capabilities (parsed and checked), then raw again for the timed loops."""
    q.execute("qmp_capabilities")
    return raw(q)


def readline(q):
    """The next line from the server, without its line end."""
    while True:
        i = q.buf.find(b"\n")
        if i >= 0:
            line, q.buf = q.buf[:i], q.buf[i + 1:]
            return line.rstrip(b"\r")
        data = q.sock.recv(65536)
        if not data:
            raise ConnectionError("the VMM closed the QMP connection")
        q.buf += data


def roundtrip(q, req):
    """Sends one raw request line and waits for its reply line (events skipped).
    The timed loop of the throughput benchmarks: no JSON parsing."""
    q.sock.sendall(req)
    if not q.buf:
        # the usual case: the whole reply line arrives in one recv
        data = q.sock.recv(65536)
        if data.endswith(b"\n") and data.count(b"\n") == 1 and b'"event"' not in data:
            return data
        if not data:
            raise ConnectionError("the VMM closed the QMP connection")
        q.buf = data
    while True:
        line = readline(q)
        if b'"event"' not in line:
            return line


def wait_event(q, name):
    """Reads lines until both the event `name` and a reply have arrived; returns
    (perf_counter_ns at the event, at both, whether the reply came first)."""
    needle = b'"event": "' + name.encode() + b'"'
    t_event = reply_first = None
    while t_event is None or reply_first is None:
        line = readline(q)
        if needle in line:
            t_event = time.perf_counter_ns()
        elif b'"event"' not in line:
            reply_first = t_event is None
    return t_event, time.perf_counter_ns(), reply_first


# ---------------------------------------------------------------- the VMMs

class VMM:
    """One VMM process with its QMP sockets (kind "floor": bench/floor-startup.c)."""

    def __init__(self, kind, binary, workdir, mem="128", nsock=1, serial=None, extra=()):
        self.kind = kind
        self.dir = tempfile.mkdtemp(prefix=f"{kind}-", dir=workdir)
        self.socks = [os.path.join(self.dir, f"qmp{i}.sock") for i in range(nsock)]
        if kind == "floor":
            argv = [binary, self.socks[0], mem]
        else:
            argv = [binary, "-enable-kvm", "-display", "none", "-nodefaults", "-m", mem]
            argv += ["-serial", serial] if serial else []
            for s in self.socks:
                argv += ["-qmp", f"unix:{s},server=on,wait=off"]
        argv += list(extra)
        shown = " ".join(argv).replace(self.dir, "$D").replace(workdir, "$T")
        shown = shown[len(REPO) + 1:] if shown.startswith(REPO + "/") else shown
        if shown not in CMDLINES:
            CMDLINES.append(shown)
        self.t_exec = time.perf_counter_ns()
        out = subprocess.PIPE if serial == "stdio" else subprocess.DEVNULL
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.PIPE)
        self.t_popen = time.perf_counter_ns()
        self.pid = self.p.pid
        LIVE.append(self.p)

    def connect(self, timeout=15.0, poll=0.0001):
        """Connects as soon as the socket takes connections and reads the greeting.
        Returns (QMPClient, not negotiated, perf_counter_ns when the greeting line had arrived)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                q = QMPClient(self.socks[0], timeout=timeout, negotiate=False)
                t = time.perf_counter_ns()
                return raw(q), t
            except (FileNotFoundError, ConnectionRefusedError):
                pass
            if self.p.poll() is not None:
                err = self.p.stderr.read().decode(errors="replace").strip()
                raise RuntimeError(f"{self.kind} exited with {self.p.returncode}: {err[-500:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.kind}: no QMP socket after {timeout} s")
            time.sleep(poll)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        for f in (self.p.stdout, self.p.stderr):
            if f:
                f.close()
        if self.p in LIVE:
            LIVE.remove(self.p)
        shutil.rmtree(self.dir, ignore_errors=True)


def kill_live():
    if os.getpid() != MAIN_PID:
        return
    for p in list(LIVE):
        if p.poll() is None:
            p.kill()
            p.wait()


class Bench:
    """One run: its options, the VMMs' order, and what it found (rows, notes, facts)."""

    def __init__(self, args):
        self.a = args
        self.kinds = ["tinyvmm"] + (["qemu"] if args.qemu else [])
        self.results = {}   # area -> list of rows
        self.notes = {}     # area -> list of note lines (beside the template's)
        self.facts = {}     # the figures the template's notes name
        self.workdir = tempfile.mkdtemp(prefix="tinyvmm-bench-", dir=args.dir)
        # Memory files go to --dir and, when that is a disk, to tmpfs too (/dev/shm): the
        # second shows the VMM's own speed, the first what a user writing to /tmp gets.
        self.mem_dirs = [self.workdir]
        if not args.no_tmpfs and df(args.dir)[0] != "tmpfs" and df("/dev/shm")[0] == "tmpfs":
            self.mem_dirs.append(tempfile.mkdtemp(prefix="tinyvmm-bench-", dir="/dev/shm"))
        self.fill_dir = (tempfile.mkdtemp(prefix="tinyvmm-bench-", dir=args.fill_dir)
                         if args.fill_dir else self.mem_dirs[-1])

    def c_program(self, name):
        """One of bench/'s C programs, built beside tinyvmm; None when missing."""
        path = os.path.join(os.path.dirname(os.path.abspath(self.a.tinyvmm)), "bench", name)
        return path if os.access(path, os.X_OK) else None

    def with_floor(self, area, what):
        """The VMMs, and the floor program when it is built (else a note says so)."""
        if self.c_program("floor-startup"):
            return self.kinds + ["floor"]
        self.note(area, f"{what}: n/a, build/bench/floor-startup is missing (ninja -C build)")
        return self.kinds

    def vmm(self, kind, **kw):
        binary = {"tinyvmm": self.a.tinyvmm, "qemu": self.a.qemu}.get(kind) or \
            self.c_program("floor-startup")
        return VMM(kind, binary, self.workdir, **kw)

    def order(self, rnd, kinds=None):
        """The order of kinds (default: the VMMs) in round rnd: each goes first in turn."""
        kinds = kinds or self.kinds
        k = rnd % len(kinds)
        return kinds[k:] + kinds[:k]

    def trials(self, rounds, trial, kinds=None, start=lambda kind: {}):
        """trial(kind, vm, rnd) for each kind in each round, each on a fresh VMM started with
        start(kind)'s keywords; returns {kind: [what trial returned, None left out]}."""
        res = {k: [] for k in kinds or self.kinds}
        for rnd in range(rounds):
            for kind in self.order(rnd, kinds):
                vm = self.vmm(kind, **start(kind))
                try:
                    r = trial(kind, vm, rnd)
                finally:
                    vm.stop()
                if r is not None:
                    res[kind].append(r)
        return res

    def note(self, area, text):
        self.notes.setdefault(area, []).append(text)
        log(f"  note: {text}")

    def rows(self, area, res, runs, specs):
        """A table row per (name, key, unit[, goals]) in specs: the medians of key in res
        ({kind: [dicts]}) for tinyvmm, QEMU and, when res has it, the floor program, with
        tinyvmm/QEMU and tinyvmm/floor. goals: target and met, ftarget and fmet (the floor's),
        met and fmet functions of (tinyvmm's figure, its ratio)."""
        for name, key, unit, *goals in specs:
            g = dict(target="", met=None, ftarget="", fmet=None) | (goals[0] if goals else {})
            t, q = fig(res, "tinyvmm", key), fig(res, "qemu", key)
            floor = fig(res, "floor", key) if "floor" in res else None
            ratio, fratio = quotient(t, q), quotient(t, floor)
            g.update(met=judge(g["met"], t, ratio), fmet=judge(g["fmet"], t, fratio))
            self.results.setdefault(area, []).append(dict(
                name=name, t=t, q=q, unit=unit, ratio=ratio, runs=runs, floor=floor,
                fratio=fratio, **g))
            also = "" if floor is None else (f"; floor {fmt(floor, unit)}, {fmt_ratio(fratio)} "
                                             f"{g['ftarget']} {verdict(g['fmet'])}")
            log(f"  {name:<40} {fmt(t, unit):>14} {fmt(q, unit):>14} {fmt_ratio(ratio):>9}  "
                f"{g['target']} {verdict(g['met'])} ({runs}{also})")

    def header(self, title):
        log(f"\n== {title}\n  {'measure':<40} {'tinyvmm':>14} {'QEMU':>14} {'tvmm/QEMU':>9}")


def quotient(a, b):
    num = isinstance(a, (int, float)) and isinstance(b, (int, float))
    return a / b if num and b else None


def judge(goal, t, ratio):
    try:
        return None if goal is None else bool(goal(t, ratio))
    except TypeError:   # a figure is missing (None) or a reason (str)
        return None


def verdict(met):
    return "" if met is None else "met" if met else "NOT met"
