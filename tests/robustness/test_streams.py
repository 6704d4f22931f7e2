"""Robustness, streams: a reader that stops reading, serial input flow, large reply batches, quit
under load, clients' memory, signals while waiting for a connection (issue 12's defects 1-3, 5, 6, 8)."""
import fcntl
import json
import os
import select
import signal
import socket
import struct
import subprocess
import tempfile
import termios
import threading
import time

from rlib import QVM, check, sanitized, scaled
from tvmm import (Failure, binary, command_id, connect_unix, free_port, guest, main, qmp_client,
                  reply, send_raw, wait_for_path)

STATUS = {"running": True, "singlestep": False, "status": "running"}


def wait_until(cond, what, timeout=20):
    end = time.monotonic() + scaled(timeout)
    while not cond():
        if time.monotonic() > end:
            raise Failure(f"timed out: {what}")
        time.sleep(0.02)


def stdout_full_no_freeze(mode):
    # -serial stdio whose reader stopped: the guest floods, the pipe fills; QMP still greets and
    # answers, and SIGTERM still ends the VM with status 0. A guest that polls THRE waits; one
    # that ignores it loses bytes, which are counted
    d = tempfile.mkdtemp(prefix="tvmm-full-")
    sock = os.path.join(d, "qmp.sock")
    r, w = os.pipe()
    p = subprocess.Popen([binary(), "-flat", guest("serial-io"), "-serial", "stdio",
                          "-qmp", f"unix:{sock},server=on,wait=off"],
                         stdin=subprocess.PIPE, stdout=w, stderr=subprocess.PIPE)
    os.close(w)
    try:
        p.stdin.write(mode)
        p.stdin.flush()
        avail = lambda: struct.unpack("i", fcntl.ioctl(r, termios.FIONREAD, b"\0\0\0\0"))[0]
        wait_until(lambda: avail() >= 65536, "the guest's output fills the pipe")
        q = qmp_client(sock)
        for i in range(20):
            got = command_id(q, "query-status", id=i)
            check(got == {"return": STATUS, "id": i}, "QMP answers with stdout full", STATUS, got)
        q.close()
        if mode == b"P":
            time.sleep(scaled(10))  # 64 KiB of pipe and 64 KiB of queue, then drops: >128k exits
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=scaled(10))
        except subprocess.TimeoutExpired:
            raise Failure("SIGTERM did not end a VM whose stdout is full")
        check(rc == 0, "exit status 0 on SIGTERM", 0, rc)
        err = p.stderr.read()
        dropped = b"bytes of guest output dropped" in err
        check(dropped == (mode == b"P"), "dropped output counted (only) when THRE is ignored",
              mode == b"P", err)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(r)


class SerialVM:
    """serial-io on a unix-socket serial port, started paused (-S); the guest echoes what it reads
    to the debug console (a file)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="tvmm-ser-")
        self.ser = os.path.join(self.dir, "ser.sock")
        self.qsock = os.path.join(self.dir, "qmp.sock")
        self.echo = os.path.join(self.dir, "echo.bin")
        self.p = subprocess.Popen([binary(), "-S", "-flat", guest("serial-io"),
                                   "-serial", f"unix:{self.ser},server=on,wait=off",
                                   "-debugcon", f"file:{self.echo}",
                                   "-qmp", f"unix:{self.qsock},server=on,wait=off"],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        self.q = qmp_client(self.qsock)
        wait_for_path(self.ser)
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(self.ser)

    def echoed(self):
        with open(self.echo, "rb") as f:
            return f.read()

    def wait_echo(self, n, what):
        try:
            wait_until(lambda: len(self.echoed()) >= n, what, timeout=30)
        except Failure:
            got = self.echoed()
            raise Failure(f"{what}: the guest read {len(got)} of {n} bytes")
        time.sleep(0.2)  # nothing more than that arrives
        return self.echoed()

    def close(self):
        self.s.close()
        self.p.send_signal(signal.SIGTERM)
        rc = self.p.wait(timeout=scaled(20))
        err = self.p.stderr.read()
        check(rc == 0, "exit 0", 0, (rc, err[-2000:]))
        for bad in (b"Sanitizer", b"runtime error:"):
            check(bad not in err, "no sanitizer report", b"", err[-3000:])


def serial_input_chunks():
    # 1000 A + 100 B + 10 C typed while the guest is paused: the guest reads all 1110, in order
    vm = SerialVM()
    try:
        data = b"A" * 1000 + b"B" * 100 + b"C" * 10
        for part in (data[:1000], data[1000:1100], data[1100:]):
            vm.s.sendall(part)
            time.sleep(0.1)
        check(vm.q.command("cont") == {"return": {}}, "cont")
        got = vm.wait_echo(len(data), "every byte typed reaches the guest")
        check(got == data, "all 1110 bytes, in order", len(data), len(got))
    finally:
        vm.close()


def serial_fifo_clear():
    # a FIFO clear (FCR bit 1) while input is held back for a full FIFO: input flows on
    vm = SerialVM()
    try:
        vm.s.sendall(b"F" + b"a" * 1499)
        time.sleep(0.3)  # the FIFO fills (1024 bytes), the rest waits in the socket
        check(vm.q.command("cont") == {"return": {}}, "cont")
        vm.s.sendall(b"END")
        # the guest took 'F', then cleared the 1023 bytes behind it: 476 + END follow
        got = vm.wait_echo(476 + 3, "input after the guest clears its FIFO")
        check(got == b"a" * 476 + b"END", "the bytes behind the FIFO, then END", 479, len(got))
    finally:
        vm.close()


def serial_hangup_tail():
    # a peer that sends 1500 bytes and hangs up while input is held back: all 1500 arrive
    vm = SerialVM()
    try:
        data = bytes((i % 26) + 97 for i in range(1500))
        vm.s.sendall(data)
        vm.s.close()
        time.sleep(0.3)
        check(vm.q.command("cont") == {"return": {}}, "cont")
        got = vm.wait_echo(1500, "the tail of a closed connection")
        check(got == data, "1500 bytes, in order", 1500, len(got))
        vm.s = socket.socket(socket.AF_UNIX)  # close() closes it
    finally:
        vm.close()


def big_batch(tcp):
    # one write: a 1 MiB read (2 MiB of hex) and query-status; both replies come, 40 times over
    port = free_port()
    with QVM("-m", "16M", extra_qmp=[f"tcp:127.0.0.1:{port},server=on,wait=off"]) as vm:
        if tcp:
            wait_until(lambda: socket_open(port), "the TCP listener")
            q = qmp_client(tcp=("127.0.0.1", port))
        else:
            q = vm.qmp()
        req = (json.dumps({"execute": "x-read-memory", "id": "big",
                           "arguments": {"addr": 0, "size": 1 << 20, "physical": True}})
               + json.dumps({"execute": "query-status", "id": "st"})).encode()
        for i in range(40):
            send_raw(q, req)
            r1 = reply(q)
            r2 = reply(q)
            check(r1.get("id") == "big" and len(r1.get("return", "")) == 2 << 20,
                  f"round {i}: the 1 MiB read", "2 MiB of hex", str(r1)[:200])
            check(r2 == {"return": STATUS, "id": "st"}, f"round {i}: query-status after it",
                  STATUS, r2)
        q.close()


def socket_open(port):
    try:
        socket.create_connection(("127.0.0.1", port)).close()
        return True
    except OSError:
        return False


def hmp_batch_unix():
    # human-monitor-command with a 1 MiB command line, then query-status, in one write
    with QVM() as vm:
        q = vm.qmp()
        line = "echo " + "x" * (1 << 20)
        req = (json.dumps({"execute": "human-monitor-command", "id": "h",
                           "arguments": {"command-line": line}})
               + json.dumps({"execute": "query-status", "id": "st"})).encode()
        for i in range(40):
            send_raw(q, req)
            r1 = reply(q)
            r2 = reply(q)
            check(r1.get("id") == "h", f"round {i}: the HMP reply", "h", str(r1)[:200])
            check(r2 == {"return": STATUS, "id": "st"}, f"round {i}: query-status", STATUS, r2)
        q.close()


def quit_while_flooding():
    # a client that keeps sending as fast as it can (yes | socat, reading every reply) does not
    # hold up quit
    with QVM() as vm:
        flood = subprocess.Popen(
            f"yes '{{\"execute\": \"query-status\"}}' | socat -t 60 - UNIX-CONNECT:{vm.socks[0]}",
            shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        try:
            time.sleep(1)
            q = vm.qmp()
            send_raw(q, json.dumps({"execute": "quit"}))
            rc = vm.wait_exit(timeout=15)
        finally:
            os.killpg(flood.pid, signal.SIGKILL)
            flood.wait()
        check(rc == 0, "quit ends the VM while a client floods it", 0, rc)


def quit_during_output():
    # quit while a vCPU floods the serial port (a socket that reads slowly), a pmemaccess client
    # reads RAM and an HMP console is connected: the teardown joins the vCPUs first, then closes
    # everything; exit 0 and (under ASan) no report
    d = tempfile.mkdtemp(prefix="tvmm-td-")
    ser, hmp, pma = (os.path.join(d, n) for n in ("ser.sock", "hmp.sock", "pma.sock"))
    with QVM("-flat", guest("serial-io"), "-monitor", f"unix:{hmp},server=on,wait=off",
             "-serial", f"unix:{ser},server=on,wait=off", serial=False) as vm:
        q = vm.qmp()
        so = socket.socket(socket.AF_UNIX)
        so.connect(ser)
        so.sendall(b"O")
        check(so.recv(100).startswith(b"x"), "the guest floods the serial port")
        check(q.command("pmemaccess", {"path": pma}) == {"return": {}}, "pmemaccess")
        h = socket.socket(socket.AF_UNIX)
        h.connect(hmp)
        p = socket.socket(socket.AF_UNIX)
        p.connect(pma)
        p.sendall(struct.pack("<QQQ", 1, 0, 4096))
        check(len(p.recv(8192)) > 0, "a pmemaccess read")
        send_raw(q, json.dumps({"execute": "human-monitor-command",
                               "arguments": {"command-line": "info status"}}))
        reply(q)
        send_raw(q, json.dumps({"execute": "quit"}))
        rc = vm.wait_exit(timeout=20)
        check(rc == 0, "exit 0", 0, (rc, vm.err[-2000:]))
        for bad in (b"Sanitizer", b"runtime error:"):
            check(bad not in vm.err, "no sanitizer report", b"", vm.err[-3000:])


def mux_held_dropped():
    # -serial mon:stdio: while the monitor has the terminal the guest's output is held, 64 KiB at
    # most; what comes past that is dropped and counted (logged at exit), as any chardev's
    p = subprocess.Popen([binary(), "-flat", guest("serial-io"), "-serial", "mon:stdio"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = []
    reader = threading.Thread(target=lambda: out.extend(iter(lambda: p.stdout.read(65536), b"")))
    reader.start()
    try:
        p.stdin.write(b"O")  # the guest floods, polling THRE
        p.stdin.flush()
        wait_until(lambda: b"x" in b"".join(out), "the guest's output")
        p.stdin.write(b"\x01c")  # the monitor takes the terminal: the guest's output is held
        p.stdin.flush()
        time.sleep(scaled(5))  # well past 64 KiB of output (about 130 000 port exits)
        p.stdin.write(b"quit\n")
        p.stdin.flush()
        rc = p.wait(timeout=scaled(20))
        check(rc == 0, "quit from the mux's monitor exits 0", 0, rc)
        err = p.stderr.read()
        check(b"bytes of guest output dropped" in err, "output past the mux's bound is counted",
              "N bytes of guest output dropped", err)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        reader.join()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def clients_memory_bound():
    # 8 clients each send 60 MiB of one unfinished string: what they can hold is bounded
    # (128 MiB in all; the client past it is dropped, logged) and another client still works
    with QVM() as vm:
        chunk = b"x" * (1 << 20)
        socks = []
        for i in range(8):
            q = vm.qmp()
            send_raw(q, b'{"execute": "qmp_capabilities", "arguments": {"x": "')
            for _ in range(60):
                try:
                    q.sock.sendall(chunk)
                except OSError:
                    break  # dropped: the budget is spent
            socks.append(q)
        q = vm.qmp()
        check(command_id(q, "query-status", id=1) == {"return": STATUS, "id": 1},
              "another client works")
        if not sanitized():
            rss = rss_kib(vm.proc.pid)
            check(rss < 400 * 1024, "RSS bounded with 8 clients x 60 MiB", "< 400 MiB",
                  f"{rss // 1024} MiB")
        for s in socks:
            s.close()
        q.close()
        vm._pump(0.2)
        check(b"unfinished requests exceed" in vm.err, "the dropped client is logged", None,
              vm.err[-500:])


def sigterm_while_waiting(opt):
    # wait=on blocks start-up until a client connects: a signal still ends it, with status 0
    d = tempfile.mkdtemp(prefix="tvmm-wait-")
    path = os.path.join(d, "s.sock")
    args = [binary(), "-serial", "none", opt, f"unix:{path},server=on,wait=on"]
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    try:
        wait_for_path(path)
        time.sleep(0.2)
        check(p.poll() is None, f"{opt} wait=on: waiting for a client")
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=scaled(10))
        except subprocess.TimeoutExpired:
            raise Failure(f"SIGTERM ignored while {opt} waits for a connection")
        check(rc == 0, "exit 0", 0, (rc, p.stderr.read()))
        check(not os.path.exists(path), "the socket is removed")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def serial_socket_one_client():
    # -serial unix:...,wait=on: start-up waits for the first client, which gets the guest's
    # output; a second client waits in the backlog (as QEMU's chardev) and gets the output once
    # the first has gone
    d = tempfile.mkdtemp(prefix="tvmm-ser1-")
    path = os.path.join(d, "ser.sock")
    p = subprocess.Popen([binary(), "-serial", f"unix:{path},server=on,wait=on"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    try:
        a = connect_unix(path)
        a.settimeout(scaled(20))
        got = b""
        while b"heartbeat 1" not in got:
            got += a.recv(4096)
        check(got.startswith(b"tinyvmm demo guest"), "the first client gets the banner", None,
              got[:100])
        b = connect_unix(path)
        b.setblocking(False)
        time.sleep(0.5)  # heartbeats go on meanwhile: all to the first client
        try:
            early = b.recv(4096)
        except BlockingIOError:
            early = None
        check(early is None, "the second client waits while the first is there", None, early)
        a.close()
        b.settimeout(scaled(20))
        got = b""
        while b"heartbeat" not in got:
            got += b.recv(4096)
        check(b"heartbeat" in got, "the second client is served once the first has gone")
        b.close()
    finally:
        p.terminate()
        check(p.wait(timeout=scaled(20)) == 0, "exit 0 on SIGTERM")


if __name__ == "__main__":
    main({
        "stdout-full": lambda: stdout_full_no_freeze(b"O"),
        "stdout-full-no-thre": lambda: stdout_full_no_freeze(b"P"),
        "serial-input-chunks": serial_input_chunks,
        "serial-fifo-clear": serial_fifo_clear,
        "serial-hangup-tail": serial_hangup_tail,
        "batch-1mib-tcp": lambda: big_batch(True),
        "batch-1mib-unix": lambda: big_batch(False),
        "batch-hmp-1mib-unix": hmp_batch_unix,
        "quit-while-flooding": quit_while_flooding,
        "quit-during-output": quit_during_output,
        "mux-held-dropped": mux_held_dropped,
        "clients-memory-bound": clients_memory_bound,
        "sigterm-wait-serial": lambda: sigterm_while_waiting("-serial"),
        "serial-socket-one-client": serial_socket_one_client,
        "sigterm-wait-monitor": lambda: sigterm_while_waiting("-monitor"),
        "sigterm-wait-qmp": lambda: sigterm_while_waiting("-qmp"),
    })
