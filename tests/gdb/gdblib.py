"""Helpers for the gdb suite: Debian's gdb in batch mode, and a raw remote-protocol client."""
import os
import subprocess
import sys
import tempfile

import tvmm
from tvmm import check

GDB = "/usr/bin/gdb"


def require_gdb():
    if not os.access(GDB, os.X_OK):
        msg = f"{GDB} is not installed: this test needs Debian's gdb"
        if os.environ.get("CI") == "true":
            print(f"FAIL: {msg}", file=sys.stderr)
            sys.exit(1)
        print(f"SKIP: {msg}", file=sys.stderr)
        sys.exit(tvmm.SKIP)


def pvm():
    """kvm_pvm stops only on hardware breakpoints and single-steps in the real-mode and ring-0
    code it emulates: no int3 or data write exits in any ring, and in the ring-3 code it runs
    natively no breakpoint hits and a step's #DB goes to the guest (docs/gdb.md, Limits)."""
    return os.path.exists("/sys/module/kvm_pvm")


def tcg():
    """KVM inside QEMU's TCG (the KVM bed): TCG's SVM does not arm the debug registers a nested
    guest runs with, and checks an int3 against the software-interrupt intercept, not the #BP
    one KVM sets: no breakpoint or watchpoint ever hits there."""
    with open("/proc/cpuinfo") as f:
        return "QEMU Virtual CPU" in f.read()


def break_kinds():
    """gdb's breakpoint commands that stop this host's KVM (docs/gdb.md, Limits)."""
    if tcg():
        return []
    return ["hbreak"] + ([] if pvm() else ["break"])


def bp_type():
    """The Z packet type of a breakpoint that works here (1: a debug register); None: none does."""
    return None if tcg() else 1


def batch(sock, *cmds, timeout=60):
    """Runs gdb -batch against the stub on unix socket sock; returns its output."""
    args = [GDB, "-batch", "-nx", "-ex", "set pagination off", "-ex", f"target remote {sock}"]
    for c in cmds:
        args += ["-ex", c]
    p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=tvmm.scaled(timeout))
    return p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")


def reg(out, name):
    """The value of 'info registers NAME' in gdb's output."""
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2 and f[0] == name:
            return int(f[1], 16)
    raise tvmm.Failure(f"no register {name} in gdb's output:\n{out}")


def checksum(payload):
    return sum(payload) & 0xff


class Raw:
    """A raw gdb remote-protocol client (acks on)."""

    def __init__(self, path):
        self.sock = tvmm.connect_unix(path)
        self.sock.settimeout(tvmm.scaled(20))
        self.buf = b""

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, payload):
        if isinstance(payload, str):
            payload = payload.encode()
        self.send_raw(b"$" + payload + b"#%02x" % checksum(payload))

    def byte(self):
        while not self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise tvmm.Failure("the stub closed the connection")
            self.buf += data
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def ack(self):
        b = self.byte()
        check(b in (b"+", b"-"), "an ack", "+ or -", b)
        return b

    def packet(self):
        while self.byte() != b"$":
            pass
        data = b""
        while True:
            b = self.byte()
            if b == b"#":
                break
            data += b
        cs = self.byte() + self.byte()
        check(int(cs, 16) == checksum(data), "the stub's checksum", checksum(data), cs)
        try:
            self.send_raw(b"+")
        except BrokenPipeError:
            pass  # the stub's last packet (W00) before it closed
        return data.decode(errors="replace")

    def cmd(self, payload):
        self.send(payload)
        check(self.ack() == b"+", f"ack of {payload!r}")
        return self.packet()

    def close(self):
        self.sock.close()


class Machine(tvmm.VM):
    """A VM with a gdb socket, a QMP socket and an HMP socket in its directory."""

    def __init__(self, *args, guest="spin"):
        d = tempfile.mkdtemp(prefix="tvmm-gdb-")
        self.gdb = d + "/gdb.sock"
        self.qmp_path = d + "/qmp.sock"
        self.hmp_path = d + "/hmp.sock"
        flat = ["-flat", tvmm.guest(guest)] if guest else []
        super().__init__(*flat, "-gdb", f"unix:{self.gdb},server=on,wait=off", "-qmp",
                         f"unix:{self.qmp_path},server=on,wait=off", "-monitor",
                         f"unix:{self.hmp_path},server=on,wait=off", *args)
        tvmm.wait_for_path(self.gdb)
        self.qmp = tvmm.qmp_client(self.qmp_path)

    def hmp(self, line):
        h = tvmm.HMP(self.hmp_path)
        try:
            return h.cmd(line)
        finally:
            h.close()
