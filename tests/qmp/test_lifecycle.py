"""QMP sockets' life: mode 0600, stale socket replaced, other files refused, wait=on, quit, removal."""
import json
import os
import socket
import stat
import subprocess
import tempfile
import time

from tvmm import (QVM, binary, check, expect_eof, qmp_client, raw_line, run, send_raw,
                  wait_for_path)


def quit_command():
    with QVM(nsock=2) as vm:
        vm.wait_output("heartbeat 1\r\n")
        path = vm.socks[0]
        mode = stat.S_IMODE(os.stat(path).st_mode)
        check(mode == 0o600, "socket mode 0600", oct(0o600), oct(mode))
        a, b = vm.qmp(0), vm.qmp(1)
        waiting = vm.qmp(0, negotiate=False)
        send_raw(a, '{"execute":"quit","id":"q"}\n')
        ev = json.loads(raw_line(a))
        check(ev.get("event") == "SHUTDOWN" and
              ev["data"] == {"guest": False, "reason": "host-qmp-quit"}, "SHUTDOWN first", None, ev)
        r = json.loads(raw_line(a))
        check(r == {"return": {}, "id": "q"}, "then the return", None, r)
        expect_eof(a)
        check(b.wait_event("SHUTDOWN")["data"]["reason"] == "host-qmp-quit", "others see it")
        expect_eof(b)
        expect_eof(waiting)
        rc = vm.wait_exit()
        check(rc == 0, "quit exits 0", 0, rc)
        for s in vm.socks:
            check(not os.path.exists(s), "socket removed at exit", None, s)


def socket_files():
    d = tempfile.mkdtemp(prefix="tvmm-qmp-")
    stale = os.path.join(d, "stale.sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(stale)
    s.close()  # a socket file nobody listens on
    p = subprocess.Popen([binary(), "-serial", "none", "-qmp", f"unix:{stale},server=on,wait=off"],
                         stderr=subprocess.PIPE)
    try:
        q = qmp_client(stale)
        check(q.command("query-kvm")["return"]["enabled"], "a stale socket is replaced")
        q.command("quit")
        check(p.wait(timeout=20) == 0, "exit 0")
    finally:
        if p.poll() is None:
            p.kill()
    regular = os.path.join(d, "file")
    with open(regular, "w") as f:
        f.write("keep me")
    p = subprocess.run([binary(), "-serial", "none", "-qmp", f"unix:{regular},server=on,wait=off"],
                       capture_output=True, timeout=20)
    check(p.returncode == 1, "a regular file is refused", 1, (p.returncode, p.stderr))
    check(b"not a socket" in p.stderr, "with a clear message", None, p.stderr)
    check(open(regular).read() == "keep me", "and left alone")


def wait_on():
    d = tempfile.mkdtemp(prefix="tvmm-qmp-")
    path = os.path.join(d, "w.sock")
    p = subprocess.Popen([binary(), "-serial", "stdio", "-qmp", f"unix:{path},server=on,wait=on"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_path(path)
        time.sleep(1.0)
        check(p.poll() is None, "waiting for a client")
        os.set_blocking(p.stdout.fileno(), False)
        out = p.stdout.read() or b""
        check(b"demo guest" not in out, "the guest does not start before a client", None, out)
        q = qmp_client(path)
        r = q.command("query-status")
        check(r["return"]["status"] == "running", "running once connected", None, r)
        os.set_blocking(p.stdout.fileno(), True)
        line = p.stdout.readline()
        check(b"demo guest" in line or b"online" in line or b"heartbeat" in line,
              "guest output after the client came", None, line)
        q.command("quit")
        check(p.wait(timeout=20) == 0, "exit 0")
    finally:
        if p.poll() is None:
            p.kill()


def test():
    quit_command()
    socket_files()
    wait_on()


run(test)
