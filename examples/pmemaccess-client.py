#!/usr/bin/env python3
"""Reads guest-physical memory the way LibVMI's KVM driver does, through a pmemaccess socket,
and prints the demo guest's heartbeat counter (the u32 at guest-physical 0x500).

    pmemaccess-client.py /tmp/pmem.sock                       # the socket already served
    pmemaccess-client.py /tmp/pmem.sock --qmp /tmp/qmp.sock   # asks QMP to start it first
    pmemaccess-client.py /tmp/pmem.sock --count 5 --interval 0.5
    pmemaccess-client.py /tmp/pmem.sock --addr 0x1000 --dump 64   # hex dump of 64 bytes

The protocol: each request is three native-endian uint64 {type, address, length}; type 1
(read) is answered with length bytes and one status byte (1 ok, 0 failed: then the bytes
are zero), type 2 (write) is followed by length bytes and answered with one status byte,
type 0 ends the session.
"""
import argparse
import os
import socket
import struct
import sys
import time

QUIT, READ, WRITE = 0, 1, 2


class PmemAccess:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(path)

    def _recv(self, n):
        buf = bytearray()
        while len(buf) < n:
            data = self.sock.recv(n - len(buf))
            if not data:
                raise ConnectionError("pmemaccess server closed the connection")
            buf += data
        return bytes(buf)

    def read(self, addr, length):
        """Guest-physical bytes at addr, or None if the server could not read them."""
        self.sock.sendall(struct.pack("=QQQ", READ, addr, length))
        reply = self._recv(length + 1)
        return reply[:length] if reply[length] == 1 else None

    def write(self, addr, data):
        """Writes data at guest-physical addr; True on success."""
        self.sock.sendall(struct.pack("=QQQ", WRITE, addr, len(data)) + data)
        return self._recv(1)[0] == 1

    def close(self):
        try:
            self.sock.sendall(struct.pack("=QQQ", QUIT, 0, 0))
        except OSError:
            pass
        self.sock.close()


def start_server(qmp_path, path):
    """Asks the VMM to serve pmemaccess at path (qmp.py sits beside this script)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from qmp import QMPClient
    with QMPClient(qmp_path) as vm:
        vm.execute("pmemaccess", {"path": path})


def main():
    p = argparse.ArgumentParser(description="Read guest memory through pmemaccess.")
    p.add_argument("socket", help="the pmemaccess unix socket")
    p.add_argument("--qmp", metavar="SOCKET", help="start the server first through this QMP socket")
    p.add_argument("--addr", type=lambda s: int(s, 0), default=0x500,
                   help="guest-physical address of the u32 counter (default 0x500)")
    p.add_argument("--count", type=int, default=1, help="how many readings (default 1)")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between readings")
    p.add_argument("--dump", type=int, metavar="N", help="hex dump N bytes at --addr instead")
    a = p.parse_args()

    try:
        if a.qmp:
            start_server(a.qmp, os.path.abspath(a.socket))
        mem = PmemAccess(a.socket)
    except Exception as e:  # noqa: BLE001 - report any start-up failure in one line
        print(f"pmemaccess-client: {e}", file=sys.stderr)
        return 1
    try:
        if a.dump is not None:
            data = mem.read(a.addr, a.dump)
            if data is None:
                print(f"pmemaccess-client: cannot read {a.dump} bytes at {a.addr:#x}",
                      file=sys.stderr)
                return 1
            for off in range(0, len(data), 16):
                chunk = data[off:off + 16]
                print(f"{a.addr + off:016x}: {chunk.hex(' ')}")
            return 0
        for i in range(a.count):
            if i:
                time.sleep(a.interval)
            data = mem.read(a.addr, 4)
            if data is None:
                print(f"pmemaccess-client: cannot read {a.addr:#x}", file=sys.stderr)
                return 1
            print(f"heartbeat counter at {a.addr:#x}: {struct.unpack('<I', data)[0]}", flush=True)
    finally:
        mem.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
