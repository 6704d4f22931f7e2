"""Helpers for the robustness cases: a VM with QMP sockets, raw exchanges, liveness and resource probes."""
import json
import os
import time

import tvmm
from tvmm import (Failure, binary, check, command_id, connect_unix, expect_eof,  # noqa: F401
                  no_more_data, qmp_client, raw_line, reply, scaled, send_raw)


def sanitized():
    """Is tinyvmm built with ASan (whose quarantine makes RSS figures meaningless)?"""
    with open(binary(), "rb") as f:
        return b"__asan_init" in f.read()


class QVM(tvmm.QVM):
    """A VM for one case. Leaving the case ends it with SIGTERM, not SIGKILL: it must
    exit 0 at once, with no sanitizer report (under ASan, LeakSanitizer runs then)."""

    def __exit__(self, exc, *rest):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                rc = self.wait_exit(timeout=20)
            except Failure:
                rc = None
            if exc is None:
                check(rc == 0, "exit status on SIGTERM after the case", 0,
                      (rc, self.err[-3000:]))
        self.close()
        if exc is None:
            for bad in (b"Sanitizer", b"runtime error:"):
                check(bad not in self.err, "no sanitizer report", b"", self.err[-4000:])

GE = "GenericError"
CNF = "CommandNotFound"


def err(desc, cls=GE, **extra):
    """The reply QEMU gives for an error: {"error": {class, desc}} plus e.g. id."""
    r = {"error": {"class": cls, "desc": desc}}
    r.update(extra)
    return r


def expect(q, text, want, what):
    """Sends raw bytes, checks the next reply is exactly want."""
    send_raw(q, text)
    got = reply(q)
    check(got == want, what, want, got)


def expect_replies(q, text, wants, what):
    send_raw(q, text)
    got = [reply(q) for _ in wants]
    check(got == wants, what, wants, got)


def alive(vm, status="running", q=None):
    """The VMM still answers query-status, on a fresh connection unless q is given."""
    check(vm.proc.poll() is None, "the VMM process is still running", None,
          (vm.proc.returncode, vm.err[-2000:]))
    own = q is None
    if own:
        q = vm.qmp()
    r = command_id(q, "query-status", id="alive")
    want = {"return": {"status": status, "singlestep": False, "running": status == "running"},
            "id": "alive"}
    check(r == want, "query-status after the case", want, r)
    if own:
        q.close()


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Failure("no VmRSS")


def raw_connect(path, timeout=10):
    """A plain unix socket connection, retrying while the listen backlog is full."""
    s = connect_unix(path, timeout)
    s.settimeout(scaled(timeout))
    return s


def read_lines(q, n, timeout=30):
    """n raw reply lines parsed as JSON (events included)."""
    out = []
    end = time.monotonic() + timeout
    while len(out) < n:
        while b"\n" not in q.buf:
            q.sock.settimeout(max(0.01, end - time.monotonic()))
            data = q.sock.recv(1 << 20)
            if not data:
                raise Failure(f"connection closed after {len(out)} of {n} lines")
            q.buf += data
        lines = q.buf.split(b"\n")
        q.buf = lines.pop()
        out += [json.loads(l) for l in lines]
    return out


class Timer:
    """Checks a case stays within its time bound."""

    def __init__(self, what, limit):
        self.what, self.limit = what, limit

    def __enter__(self):
        self.t0 = time.monotonic()
        return self

    def __exit__(self, exc, *rest):
        self.elapsed = time.monotonic() - self.t0
        if exc is None:
            check(self.elapsed <= self.limit, f"{self.what} within {self.limit}s",
                  f"<= {self.limit}s", f"{self.elapsed:.2f}s")
