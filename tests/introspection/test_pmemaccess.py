"""pmemaccess: LibVMI's memory-access protocol on a unix socket, against the demo guest."""
import atexit
import os
import shutil
import socket
import struct
import tempfile
import threading
import time

from tvmm import Failure, VM, check, main, qmp_client

RAM = 128 << 20
MAX_LEN = 64 << 20
tmp = tempfile.mkdtemp(prefix="tvmm-pma-")
atexit.register(shutil.rmtree, tmp, True)


class Client:
    """A LibVMI-style client: {type, address, length} as three native uint64."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(20)
        self.s.connect(path)

    def recv(self, n):
        b = bytearray()
        while len(b) < n:
            d = self.s.recv(min(n - len(b), 1 << 20))
            if not d:
                raise Failure(f"pmemaccess connection closed after {len(b)} of {n} bytes")
            b += d
        return bytes(b)

    def send(self, typ, addr, length, payload=b""):
        self.s.sendall(struct.pack("=QQQ", typ, addr, length) + payload)

    def read(self, addr, length):
        """(data, status)"""
        self.send(1, addr, length)
        r = self.recv(length + 1)
        return r[:length], r[length]

    def write(self, addr, data):
        self.send(2, addr, len(data), data)
        return self.recv(1)[0]

    def close(self):
        self.s.close()


def start(name):
    sock = os.path.join(tmp, name + "-q.sock")
    pma = os.path.join(tmp, name + "-pma.sock")
    vm = VM("-qmp", "unix:%s,server=on,wait=off" % sock)
    vm.wait_output("heartbeat 1")
    q = qmp_client(sock)
    r = q.command("pmemaccess", {"path": pma})
    check(r == {"return": {}}, "pmemaccess", {"return": {}}, r)
    return vm, q, pma


def pmemsave(q, addr, size):
    f = os.path.join(tmp, "pmemsave.bin")
    r = q.command("pmemsave", {"val": addr, "size": size, "filename": f})
    check(r == {"return": {}}, "pmemsave", {"return": {}}, r)
    with open(f, "rb") as fh:
        return fh.read()


def roundtrip():
    vm, q, pma = start("rt")
    with vm:
        c = Client(pma)
        # the heartbeat counter, while running: non-zero and growing
        data, st = c.read(0x500, 4)
        check(st == 1 and struct.unpack("<I", data)[0] >= 1, "read the heartbeat counter",
              "status 1, counter >= 1", (st, data))
        # write then read back, in RAM no guest code touches, several sizes and alignments
        for addr, size in [(0x200000, 1), (0x200001, 7), (0x300000, 4096), (0x400ffd, 8195),
                           (RAM - 16, 16), (0x1000000, 1 << 20)]:
            pattern = bytes((i * 7 + addr) & 0xff for i in range(size))
            check(c.write(addr, pattern) == 1, f"write {size} bytes at 0x{addr:x}", 1)
            data, st = c.read(addr, size)
            check(st == 1 and data == pattern, f"read back {size} bytes at 0x{addr:x}")
        # zero-length requests succeed and carry no data
        check(c.read(0x1000, 0) == (b"", 1), "zero-length read")
        check(c.write(0x1000, b"") == 1, "zero-length write")
        # agrees with pmemsave, paused (a stable snapshot)
        check(q.command("stop") == {"return": {}}, "stop")
        data, st = c.read(0, 0x10000)
        check(st == 1 and data == pmemsave(q, 0, 0x10000), "read 0..64K equals pmemsave's bytes")
        # pipelined: many requests in one send, replies in order
        reqs = b"".join(struct.pack("=QQQ", 1, 0x300000 + i * 16, 16) for i in range(100))
        c.s.sendall(reqs)
        expect = pmemsave(q, 0x300000, 1600)
        got = b"".join(c.recv(17)[:16] for _ in range(100))
        check(got == expect, "100 pipelined reads")
        check(q.command("cont") == {"return": {}}, "cont")
        c.send(0, 0, 0)  # quit: the server closes the connection
        check(c.s.recv(1) == b"", "quit closes the connection")
        c.close()


def mailbox():
    """A write the guest observes: it prints the u32 written at 0x504 and clears it."""
    vm, q, pma = start("mb")
    with vm:
        c = Client(pma)
        check(c.write(0x504, struct.pack("<I", 0x1234abcd)) == 1, "write the mailbox", 1)
        vm.wait_output("mailbox 0x1234abcd")
        data, st = c.read(0x504, 4)
        for _ in range(50):
            if data == b"\0\0\0\0":
                break
            data, st = c.read(0x504, 4)
        check(st == 1 and data == b"\0\0\0\0", "the guest cleared the mailbox", b"\0" * 4, data)
        c.close()


def bad_requests():
    vm, q, pma = start("bad")
    with vm:
        c = Client(pma)
        # unknown type: one status byte 0
        c.send(7, 0x500, 4)
        check(c.recv(1) == b"\0", "unknown type answered with status 0")
        c.send(1 << 40, 0x500, 4)
        check(c.recv(1) == b"\0", "huge type answered with status 0")
        # longer than the bound: one status byte 0, no data
        c.send(1, 0, MAX_LEN + 1)
        check(c.recv(1) == b"\0", "read over 64 MiB answered with status 0")
        c.send(1, 0, 1 << 62)
        check(c.recv(1) == b"\0", "read of 2^62 bytes answered with status 0")
        # past RAM, straddling its end, wrapping: length zero bytes and status 0
        for addr, size in [(RAM, 16), (RAM - 8, 16), (0xffffffffffffff00, 0x200),
                           (0xfee00000, 16), (1 << 50, 4096)]:
            data, st = c.read(addr, size)
            check(st == 0 and data == bytes(size), f"read at 0x{addr:x}+{size}", "zeros, status 0",
                  (data[:16], st))
        # writes past RAM: the payload is consumed, status 0, and RAM is untouched
        check(c.write(RAM - 4, b"ABCDEFGH") == 0, "write straddling the end of RAM")
        check(c.read(RAM - 4, 4) == (b"\0\0\0\0", 1), "RAM end untouched")
        check(c.write(RAM + 0x1000, b"x" * 5000) == 0, "write past RAM")
        # an over-long write: its payload is consumed too
        check(c.write(0x200000, bytes(MAX_LEN + 1)) == 0, "write over 64 MiB")
        # the connection still works
        check(c.write(0x200000, b"still fine") == 1, "write after the bad requests")
        check(c.read(0x200000, 10) == (b"still fine", 1), "read after the bad requests")
        # and so does the VMM
        r = q.command("query-status")
        check(r["return"]["status"] == "running", "VM running", "running", r)
        vm.wait_output("heartbeat %d" % (int(vm.out.split(b"heartbeat ")[-1].split()[0]) + 1))
        # a second pmemaccess on the same live socket is refused
        r = q.command("pmemaccess", {"path": pma})
        check("error" in r, "pmemaccess on a socket in use", "an error", r)
        r = q.command("pmemaccess", {"path": "/nonexistent/dir/pma.sock"})
        check("error" in r, "pmemaccess in a missing directory", "an error", r)
        # a client that vanishes mid-request does no harm
        d = Client(pma)
        d.send(1, 0, MAX_LEN)
        d.close()
        e = Client(pma)
        e.s.sendall(struct.pack("=QQ", 2, 0x200000))  # half a header
        e.close()
        check(c.read(0x200000, 10) == (b"still fine", 1), "first client after others vanished")
        c.close()


def clients():
    """Several clients at once, running and paused."""
    vm, q, pma = start("cl")
    with vm:
        cs = [Client(pma) for _ in range(8)]
        for i, c in enumerate(cs):
            check(c.write(0x500000 + i * 8, struct.pack("<Q", i * 0x1111)) == 1,
                  f"client {i} write")
        for state in ("running", "paused"):
            for i, c in enumerate(reversed(cs)):
                j = len(cs) - 1 - i
                data, st = c.read(0x500000 + j * 8, 8)
                check(st == 1 and struct.unpack("<Q", data)[0] == j * 0x1111,
                      f"client {j} reads its value ({state})")
            check(q.command("stop") == {"return": {}}, "stop")
        # a big read on one client does not stop another
        cs[0].send(1, 0, 32 << 20)
        check(cs[1].read(0x500008, 8) == (struct.pack("<Q", 0x1111), 1), "read beside a big one")
        data = cs[0].recv((32 << 20) + 1)
        check(data[-1] == 1 and data[:-1] == pmemsave(q, 0, 32 << 20), "32 MiB read")
        for c in cs:
            c.close()


def threads():
    """Each client has a thread of its own: clients at once while the guest runs, many in a
    row (more than the 64 at a time), and quit with clients idle, mid-header and blocked in a
    reply they do not read."""
    vm, q, pma = start("th")
    with vm:
        errors = []

        def worker(i):
            try:
                c = Client(pma)
                page = 0x600000 + i * 4096
                pattern = bytes((i * 13 + k) & 0xff for k in range(4096))
                for k in range(100):
                    if c.write(page, pattern) != 1 or c.read(page, 4096) != (pattern, 1):
                        errors.append(f"client {i}: its page read back wrong at round {k}")
                        break
                    data, st = c.read(0x500, 4)
                    if st != 1 or struct.unpack("<I", data)[0] < 1:
                        errors.append(f"client {i}: heartbeat counter {data!r}, status {st}")
                        break
                c.close()
            except Exception as e:  # noqa: BLE001 (reported below)
                errors.append(f"client {i}: {e!r}")

        ts = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        check(not errors and not any(t.is_alive() for t in ts), "8 clients at once", [], errors)
        for i in range(100):
            c = Client(pma)
            data, st = c.read(0x600000 + (i % 8) * 4096, 1)
            check(st == 1 and data == bytes([(i % 8) * 13 & 0xff]), f"client {i} of 100 in a row",
                  1, (data, st))
            if i % 2:
                c.send(0, 0, 0)
            c.close()
        idle = Client(pma)
        half = Client(pma)
        half.s.sendall(struct.pack("=QQ", 1, 0))
        big = Client(pma)
        big.send(1, 0, 64 << 20)  # never read: its thread blocks in the reply
        check(idle.read(0x500, 4)[1] == 1, "a read before quit")
        time.sleep(0.2)
        q.command("quit")
        code = vm.wait_exit()
        check(code == 0, "tinyvmm exits cleanly with clients blocked", 0,
              (code, vm.err[-3000:].decode(errors="replace")))
        check(not os.path.exists(pma), "socket removed after quit", False, True)
        for c in (idle, half, big):
            c.close()


def cleanup():
    """The socket is removed when tinyvmm exits (quit, and SIGTERM)."""
    for how in ("quit", "sigterm"):
        vm, q, pma = start("cu-" + how)
        with vm:
            c = Client(pma)
            check(c.read(0x500, 4)[1] == 1, "read before exit")
            if how == "quit":
                q.command("quit")
            else:
                vm.proc.terminate()
            vm.wait_exit()
            check(not os.path.exists(pma), f"socket removed after {how}", False, True)
            c.close()


if __name__ == "__main__":
    main({"pmemaccess-roundtrip": roundtrip, "pmemaccess-mailbox": mailbox,
          "pmemaccess-bad-requests": bad_requests, "pmemaccess-clients": clients,
          "pmemaccess-cleanup": cleanup, "pmemaccess-threads": threads})
