"""Helpers for the QMP tests: start a VM with QMP sockets, read raw lines, run socat."""
import json
import os
import socket
import subprocess
import tempfile
import time

from tvmm import QMP, VM, Failure, check, scaled


class QVM(VM):
    """A VM with one or more QMP unix sockets (qmp0.sock, qmp1.sock ...) plus extra args."""

    def __init__(self, *args, nsock=1, extra_qmp=(), serial=True):
        self.sockdir = tempfile.mkdtemp(prefix="tvmm-qmp-")
        self.socks = [os.path.join(self.sockdir, f"qmp{i}.sock") for i in range(nsock)]
        qmp = []
        for s in self.socks:
            qmp += ["-qmp", f"unix:{s},server=on,wait=off"]
        for spec in extra_qmp:
            qmp += ["-qmp", spec]
        super().__init__(*(qmp + list(args)), serial=serial)

    def qmp(self, i=0, negotiate=True):
        return QMP(self.socks[i], negotiate=negotiate)

    def file(self, name):
        return os.path.join(self.sockdir, name)


def raw_line(q, timeout=10):
    """Next raw line (bytes, with its CRLF) from a tvmm.QMP connection."""
    q.sock.settimeout(scaled(timeout))
    while b"\n" not in q.buf:
        data = q.sock.recv(65536)
        if not data:
            raise Failure(f"connection closed; pending {q.buf!r}")
        q.buf += data
    line, q.buf = q.buf.split(b"\n", 1)
    return line + b"\n"


def request(q, text):
    """Sends raw text, returns the next reply (events kept aside)."""
    q.send_raw(text)
    return q.reply()


def expect_error(q, text, desc, cls="GenericError", id=None, what=None):
    r = request(q, text)
    want = {"error": {"class": cls, "desc": desc}}
    if id is not None:
        want["id"] = id
    check(r == want, what or f"error for {text!r}", want, r)


def expect_eof(q, timeout=10):
    """The server closes the connection (after any pending lines)."""
    q.sock.settimeout(scaled(timeout))
    end = time.monotonic() + scaled(timeout)
    while time.monotonic() < end:
        try:
            data = q.sock.recv(65536)
        except ConnectionResetError:
            return
        if not data:
            return
        q.buf += data
    raise Failure("connection not closed by the server")


def no_more_data(q, wait=0.3):
    """Nothing arrives within wait seconds."""
    q.sock.settimeout(wait)
    try:
        data = q.sock.recv(65536)
    except socket.timeout:
        return True
    q.buf += data
    return False


def socat(path, text, timeout=10):
    """Runs `socat - UNIX-CONNECT:path` fed with text, as a user would with printf."""
    p = subprocess.run(["socat", "-t", "2", "-", f"UNIX-CONNECT:{path}"], input=text.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    check(p.returncode == 0, "socat exit status", 0, (p.returncode, p.stderr))
    return [json.loads(l) for l in p.stdout.split(b"\r\n") if l.strip()], p.stdout


def running(q):
    return q.cmd("query-status")["return"]["status"] == "running"


def wait_status(q, status, timeout=10):
    end = time.monotonic() + timeout
    while True:
        r = q.cmd("query-status")["return"]["status"]
        if r == status:
            return
        if time.monotonic() > end:
            raise Failure(f"status stayed {r!r}, expected {status!r}")
        time.sleep(0.05)


__all__ = ["QVM", "raw_line", "request", "expect_error", "expect_eof", "no_more_data", "socat",
           "running", "wait_status", "QMP", "Failure", "check"]
