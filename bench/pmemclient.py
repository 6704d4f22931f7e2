"""A client of LibVMI's pmemaccess protocol (Python 3 standard library): bench/run's pmemaccess
and filled memory rows."""
import socket
import struct

from lib import set_timeout


class PmemAccess:
    """A client of LibVMI's pmemaccess protocol: requests are three native-endian uint64
    {type, address, length}; a read (type 1) is answered with length bytes + 1 status byte,
    a write (type 2, followed by length bytes) with the status byte."""

    MAX_LEN = 64 << 20  # the server's bound on one request

    def __init__(self, path, timeout=30.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        set_timeout(self.sock, timeout)
        self.sock.connect(path)
        self.rbuf = bytearray(1 << 20)

    def close(self):
        try:
            self.sock.sendall(struct.pack("=QQQ", 0, 0, 0))
        except OSError:
            pass
        self.sock.close()

    def _recv_exact(self, n):
        view = memoryview(self.rbuf)
        got = self.sock.recv_into(view[:n], n, socket.MSG_WAITALL)
        while got < n:
            k = self.sock.recv_into(view[got:n])
            if not k:
                raise ConnectionError("the pmemaccess server closed the connection")
            got += k
        return view[:n]

    @staticmethod
    def request(addr, length, kind=1):
        return struct.pack("=QQQ", kind, addr, length)

    def read_raw(self, req, length):
        """One read, its 24-byte request already packed (the timed loop): (data, status)."""
        self.sock.sendall(req)
        r = self._recv_exact(length + 1)
        return r[:length], r[length]

    def read_many(self, batch, count, length):
        """Sends `count` packed read requests (`batch`) in one write, then reads every
        answer; returns how many came back with status 1."""
        self.sock.sendall(batch)
        return sum(self._recv_exact(length + 1)[length] == 1 for _ in range(count))

    def write_file(self, addr, path):
        """Writes the file's bytes into guest RAM from addr on (requests of at most MAX_LEN);
        returns how many requests came back with status 0."""
        bad = 0
        with open(path, "rb") as f:
            while chunk := f.read(self.MAX_LEN):
                self.sock.sendall(self.request(addr, len(chunk), 2))
                self.sock.sendall(chunk)
                bad += self._recv_exact(1)[0] != 1
                addr += len(chunk)
        return bad
