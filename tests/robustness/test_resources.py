"""Robustness, resources: 64 clients x 1000 commands, 10 000 connect/disconnect cycles, a flooding client that never reads, half-open clients."""
import json
import multiprocessing
import os
import socket
import threading
import time

from rlib import (Failure, QVM, Timer, alive, check, command_id, fds, qmp_client, raw_connect,
                  read_lines, rss_kib, sanitized, send_raw)

STATUS = {"status": "running", "singlestep": False, "running": True}


def req(id):
    return json.dumps({"execute": "query-status", "id": id}).encode()


def clients_64x1000():
    with QVM() as vm:
        results = {}

        def client(n):
            try:
                q = vm.qmp()
                got = []
                for batch in range(10):  # 10 writes of 100 pipelined commands
                    send_raw(q, b"".join(req([n, batch * 100 + i]) for i in range(100)))
                    got += read_lines(q, 100, timeout=60)
                bad = [(i, r) for i, r in enumerate(got) if r != {"return": STATUS, "id": [n, i]}]
                results[n] = bad[:2] if bad else "ok"
                q.close()
            except Exception as e:  # reported below with the client's number
                results[n] = repr(e)

        with Timer("64 clients x 1000 commands", 90):
            threads = [threading.Thread(target=client, args=(n,)) for n in range(64)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
        failed = {n: r for n, r in results.items() if r != "ok"}
        check(len(results) == 64 and not failed, "every client got its 1000 replies in order",
              "64 x ok", failed or f"{len(results)} clients finished")
        alive(vm)


def hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise Failure("no VmHWM")


def _hit_and_run(path, n):
    """n connections closed at once, without reading (run in a child process)."""
    for _ in range(n):
        raw_connect(path).close()


def connect_churn():
    # 10 000 cycles: 5 000 polite ones (read the greeting, leave), then 5 000 from two
    # processes that connect and close at once. Neither may leave descriptors behind or
    # grow memory: peak RSS (VmHWM) may rise by at most 16 MiB, final RSS by 4 MiB.
    with QVM() as vm:
        path = vm.socks[0]
        pid = vm.proc.pid
        for _ in range(200):
            raw_connect(path).close()
        alive(vm)
        time.sleep(0.3)
        fd0, rss0, hwm0 = fds(pid), rss_kib(pid), hwm_kib(pid)
        with Timer("10 000 connect/disconnect cycles", 60):
            for _ in range(5000):
                s = raw_connect(path)
                buf = b""
                while not buf.endswith(b"\n"):
                    buf += s.recv(4096)
                s.close()
            procs = [multiprocessing.Process(target=_hit_and_run, args=(path, 2500))
                     for _ in range(2)]
            for p in procs:
                p.start()
            for p in procs:
                p.join(60)
        alive(vm)
        time.sleep(0.3)
        fd1, rss1, hwm1 = fds(pid), rss_kib(pid), hwm_kib(pid)
        check(fd1 == fd0, "no file descriptor growth over 10 000 cycles", fd0, fd1)
        if sanitized():
            print("memory bounds not checked under ASan (quarantine); LeakSanitizer checks at exit")
            return
        check(hwm1 - hwm0 <= 16 << 10, "peak RSS (VmHWM) rises at most 16 MiB during the churn",
              f"<= {hwm0 + (16 << 10)} KiB", f"{hwm1} KiB (from {hwm0} KiB)")
        check(rss1 - rss0 <= 4 << 10, "VmRSS growth at most 4 MiB after the churn",
              f"<= {rss0 + (4 << 10)} KiB", f"{rss1} KiB (from {rss0} KiB)")


def flood_no_read():
    # one client writes 100 000 commands and reads nothing: the server stops reading it
    # (bounded output queue) and stays responsive to others; nothing is lost
    with QVM() as vm:
        pid = vm.proc.pid
        flood = vm.qmp()
        rss0 = rss_kib(pid)
        data = b"".join(req(i) for i in range(100000))
        sent = [0]

        def writer():
            try:
                flood.sock.settimeout(120)
                flood.sock.sendall(data)
                sent[0] = len(data)
            except OSError as e:
                sent[0] = repr(e)

        t = threading.Thread(target=writer)
        t.start()
        time.sleep(1.0)
        check(t.is_alive(), "the flooding client is throttled (its writes block)",
              "blocked writer", sent[0])
        other = vm.qmp()
        with Timer("200 commands of another client during the flood", 5):
            for i in range(200):
                r = command_id(other, "query-status", id=i)
                check(r == {"return": STATUS, "id": i}, "another client's reply", None, r)
        rss1 = rss_kib(pid)
        check(sanitized() or rss1 - rss0 < 64 << 10, "memory stays bounded during the flood",
              f"< {rss0 + (64 << 10)} KiB", f"{rss1} KiB")
        # now the flooder reads: every reply arrives, in order
        got = read_lines(flood, 100000, timeout=120)
        t.join(60)
        check(sent[0] == len(data), "all 100 000 commands were written", len(data), sent[0])
        bad = [(i, r) for i, r in enumerate(got) if r != {"return": STATUS, "id": i}]
        check(not bad, "100 000 replies in order", "ok(0..99999)", bad[:2])
        alive(vm, q=other)


def half_open_clients():
    # 200 clients that each send half a request and wait; another client is unaffected;
    # when they go, every descriptor is released
    with QVM() as vm:
        pid = vm.proc.pid
        alive(vm)
        time.sleep(0.2)
        fd0 = fds(pid)
        socks = []
        for i in range(200):
            s = raw_connect(vm.socks[0])
            s.sendall(b'{"execute": "qmp_capabilities"}{"execute": "query-status", "id": ')
            socks.append(s)
        q = vm.qmp()
        with Timer("a command while 200 clients hang mid-request", 2):
            r = command_id(q, "query-status", id="x")
        check(r == {"return": STATUS, "id": "x"}, "reply next to 200 half-open clients", None, r)
        q.close()
        for s in socks:
            s.close()
        end = time.monotonic() + 5
        while fds(pid) != fd0 and time.monotonic() < end:
            time.sleep(0.05)
        check(fds(pid) == fd0, "descriptors released", fd0, fds(pid))
        alive(vm)


def tcp_loopback_clients():
    # the same server on TCP loopback: 200 pipelined commands, then 300 connect/close cycles
    port_sock = socket.socket()
    port_sock.bind(("127.0.0.1", 0))
    port = port_sock.getsockname()[1]
    port_sock.close()
    with QVM(extra_qmp=[f"tcp:127.0.0.1:{port},server=on,wait=off"]) as vm:
        end = time.monotonic() + 10
        while True:
            try:
                q = qmp_client(tcp=("127.0.0.1", port))
                break
            except ConnectionRefusedError:
                check(time.monotonic() < end, "TCP listener up")
                time.sleep(0.05)
        send_raw(q, b"".join(req(i) for i in range(200)))
        got = read_lines(q, 200)
        check(got == [{"return": STATUS, "id": i} for i in range(200)], "TCP pipelined replies")
        q.close()
        time.sleep(0.3)
        fd0 = fds(vm.proc.pid)
        with Timer("300 TCP connect/close cycles", 15):
            for _ in range(300):
                socket.create_connection(("127.0.0.1", port)).close()
        alive(vm)
        time.sleep(0.3)
        check(fds(vm.proc.pid) == fd0, "no fd growth over 300 TCP cycles", fd0,
              fds(vm.proc.pid))


def listen_no_fds():
    # A TCP listener whose every socket() fails (here: no descriptor left, EMFILE) says why;
    # the message was left unset (stack garbage after the colon).
    import resource
    from tvmm import free_port
    with QVM() as vm:
        q = vm.qmp()
        pid = vm.proc.pid
        used = {int(n) for n in os.listdir(f"/proc/{pid}/fd")}
        lowest_free = min(set(range(len(used) + 1)) - used)
        soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
        port = free_port()
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (lowest_free, hard))
        try:
            r = q.command("human-monitor-command", {"command-line": f"gdbserver tcp::{port}"})
        finally:
            resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
        want = (f"Error: Could not open gdbserver on device 'tcp::{port}': cannot listen on "
                f"127.0.0.1:{port}: Too many open files\r\n")
        check(r.get("return") == want, "the error says why the listener failed", want, r)
        alive(vm, q=q)


CASES = {
    "clients-64x1000": clients_64x1000,
    "connect-churn-10000": connect_churn,
    "flood-no-read-100000": flood_no_read,
    "half-open-clients": half_open_clients,
    "tcp-loopback-clients": tcp_loopback_clients,
    "listen-no-fds": listen_no_fds,
}

if __name__ == "__main__":
    import tvmm
    tvmm.main(CASES)
