"""Robustness, signals: SIGTERM during a 2 GiB pmemsave or a detached dump leaves no partial file; SIGTERM/SIGINT under load exit cleanly."""
import json
import os
import signal
import threading
import time

from rlib import QVM, Timer, alive, check, reply, scaled, send_raw

GIB2 = 2 << 30


def leftovers(d, name):
    return sorted(f for f in os.listdir(d) if f.startswith(name + "."))


def sigterm_pmemsave():
    # pmemsave runs on the monitor thread: SIGTERM is served once it returns. The file is
    # then either absent or whole (renamed from its temp file), never partial.
    with QVM("-m", "2G") as vm:
        q = vm.qmp()
        alive(vm, q=q)
        f = vm.file("ram.bin")
        send_raw(q, json.dumps({"execute": "pmemsave", "id": "p",
                               "arguments": {"val": 0, "size": GIB2, "filename": f}}))
        time.sleep(0.05)
        vm.proc.send_signal(signal.SIGTERM)
        with Timer("exit after SIGTERM during a 2 GiB pmemsave", 30):
            rc = vm.wait_exit(timeout=30)
        check(rc == 0, "exit status on SIGTERM", 0, rc)
        check(leftovers(vm.sockdir, "ram.bin") == [], "no temp file left", [],
              leftovers(vm.sockdir, "ram.bin"))
        size = os.path.getsize(f) if os.path.exists(f) else None
        check(size in (None, GIB2), "the target is absent or complete", f"None or {GIB2}", size)
        if size:
            os.unlink(f)


def sigterm_dump():
    # a detached dump-guest-memory is cancelled by SIGTERM: neither the core nor its temp file
    with QVM("-m", "2G") as vm:
        q = vm.qmp()
        f = vm.file("core.elf")
        r = q.command("dump-guest-memory", {"paging": False, "protocol": "file:" + f,
                                        "detach": True})
        check(r == {"return": {}}, "detached dump started", {"return": {}}, r)
        vm.proc.send_signal(signal.SIGTERM)
        with Timer("exit after SIGTERM during a detached 2 GiB dump", 30):
            rc = vm.wait_exit(timeout=30)
        check(rc == 0, "exit status on SIGTERM", 0, rc)
        done = [e for e in q.pending if e["event"] == "DUMP_COMPLETED"]
        left = sorted(os.listdir(vm.sockdir))
        if done:  # the dump won the race: then it must be whole
            check(os.path.getsize(f) > GIB2, "a completed dump is whole", f"> {GIB2}",
                  os.path.getsize(f))
            os.unlink(f)
        else:
            check(not any(x.startswith("core.elf") for x in left), "no core, no temp file",
                  "no core.elf*", left)


def quit_dump_fifo_trickle():
    # a detached dump into a FIFO whose reader takes a little now and then (never stalling it
    # for ATOMIC_FILE_STALL_MS): quit cancels the dump at once; it used to wait for its 32 MiB
    # chunk to trickle out before the teardown could join the dump thread
    with QVM() as vm:
        q = vm.qmp()
        fifo = vm.file("core.fifo")
        os.mkfifo(fifo)
        rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        stop = threading.Event()

        def trickle():
            while not stop.is_set():
                try:
                    os.read(rfd, 512)
                except BlockingIOError:
                    pass
                time.sleep(0.05)

        reader = threading.Thread(target=trickle)
        reader.start()
        try:
            r = q.command("dump-guest-memory", {"paging": False, "protocol": "file:" + fifo,
                                                "detach": True})
            check(r == {"return": {}}, "detached dump into a FIFO", {"return": {}}, r)
            time.sleep(scaled(1))  # the dump thread fills the FIFO, then waits on its reader
            send_raw(q, json.dumps({"execute": "quit"}))
            rc = vm.wait_exit(timeout=20)
            check(rc == 0, "quit ends the VM during the dump", 0, (rc, vm.err[-2000:]))
        finally:
            stop.set()
            reader.join()
            os.close(rfd)


def signal_under_load(sig):
    with QVM() as vm:
        clients = [vm.qmp() for _ in range(16)]
        stop = threading.Event()

        def pump(q):
            try:
                while not stop.is_set():
                    send_raw(q, b'{"execute":"query-status"}' * 50)
                    for _ in range(50):
                        reply(q)
            except Exception:
                pass  # the server went away: expected

        threads = [threading.Thread(target=pump, args=(q,)) for q in clients]
        for t in threads:
            t.start()
        time.sleep(0.5)
        alive(vm)
        vm.proc.send_signal(sig)
        with Timer(f"exit on {sig.name} with 16 busy clients", 10):
            rc = vm.wait_exit(timeout=10)
        stop.set()
        for q in clients:
            q.close()
        for t in threads:
            t.join(5)
        check(rc == 0, f"exit status on {sig.name}", 0, rc)
        check(not os.path.exists(vm.socks[0]), "the socket file is removed", False, True)
        check(b"AddressSanitizer" not in vm.err and b"runtime error" not in vm.err,
              "no sanitizer report", b"", vm.err[-2000:])


CASES = {
    "sigterm-pmemsave-2g": sigterm_pmemsave,
    "sigterm-detached-dump": sigterm_dump,
    "quit-dump-fifo-trickle": quit_dump_fifo_trickle,
    "sigterm-under-load": lambda: signal_under_load(signal.SIGTERM),
    "sigint-under-load": lambda: signal_under_load(signal.SIGINT),
}

if __name__ == "__main__":
    import tvmm
    tvmm.main(CASES)
