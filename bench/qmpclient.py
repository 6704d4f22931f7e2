"""The one QMP client bench/run uses for both tinyvmm and QEMU (Python 3 standard library).

Deliberately small: the timed loops (`roundtrip`, `wait_event`) work on raw bytes and only
look for the reply's key, so that the client costs the same whichever VMM answers. Every
reply outside the timed loops is parsed and checked.
"""
import json
import socket
import struct
import time


def set_timeout(sock, secs):
    """Blocking socket whose reads and writes fail after secs (SO_RCVTIMEO/SO_SNDTIMEO):
    unlike settimeout(), no poll() before every recv in the timed loops."""
    sock.settimeout(None)
    tv = struct.pack("ll", int(secs), int((secs - int(secs)) * 1e6))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)


class QMPError(Exception):
    """A command failed; .error is the server's {"class", "desc"} object."""

    def __init__(self, error):
        super().__init__(f"{error.get('class')}: {error.get('desc')}")
        self.error = error


class QMP:
    """One connection: greeting on connect, then negotiate(), cmd(), roundtrip()."""

    def __init__(self, path, timeout=30.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.timeout = timeout
        set_timeout(self.sock, timeout)
        self.sock.connect(path)
        self.buf = b""
        self.events = []
        self.greeting = json.loads(self.readline())
        if "QMP" not in self.greeting:
            raise QMPError({"class": "ProtocolError", "desc": f"no greeting: {self.greeting}"})

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def readline(self):
        """The next line from the server, without its line end."""
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 1:]
                return line.rstrip(b"\r")
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("the VMM closed the QMP connection")
            self.buf += data

    def send(self, data):
        self.sock.sendall(data)

    def cmd(self, name, args=None, timeout=None):
        """Runs a command; returns its "return" value or raises QMPError. Events are kept."""
        req = {"execute": name}
        if args is not None:
            req["arguments"] = args
        if timeout is not None:
            set_timeout(self.sock, timeout)
        try:
            self.send(json.dumps(req).encode() + b"\n")
            while True:
                msg = json.loads(self.readline())
                if "event" in msg:
                    self.events.append(msg)
                elif "error" in msg:
                    raise QMPError(msg["error"])
                elif "return" in msg:
                    return msg["return"]
        finally:
            if timeout is not None:
                set_timeout(self.sock, self.timeout)

    def negotiate(self):
        self.cmd("qmp_capabilities")
        return self

    def roundtrip(self, req):
        """Sends one raw request line and waits for its reply line (events skipped).
        The timed loop of the throughput benchmarks: no JSON parsing."""
        self.sock.sendall(req)
        if not self.buf:
            # the usual case: the whole reply line arrives in one recv
            data = self.sock.recv(65536)
            if data.endswith(b"\n") and data.count(b"\n") == 1 and b'"event"' not in data:
                return data
            if not data:
                raise ConnectionError("the VMM closed the QMP connection")
            self.buf = data
        while True:
            line = self.readline()
            if b'"event"' not in line:
                return line

    def wait_event(self, name):
        """Reads lines until the event `name` arrives; returns (perf_counter_ns at its
        arrival, whether the command's reply line was already seen before it)."""
        needle = b'"event": "' + name.encode() + b'"'
        got_reply = False
        while True:
            line = self.readline()
            if needle in line:
                return time.perf_counter_ns(), got_reply
            if b'"event"' not in line:
                got_reply = True

    def wait_reply(self):
        """Reads lines until a reply (a line without "event") arrives."""
        while True:
            line = self.readline()
            if b'"event"' not in line:
                return line


class PmemAccess:
    """A client of LibVMI's pmemaccess protocol: requests are three native-endian uint64
    {type, address, length}; a read (type 1) is answered with length bytes + 1 status byte."""

    READ = 1
    WRITE = 2
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
        if got == n:
            return view[:n]
        while got < n:
            k = self.sock.recv_into(view[got:n])
            if not k:
                raise ConnectionError("the pmemaccess server closed the connection")
            got += k
        return view[:n]

    def read(self, addr, length):
        """Returns (data memoryview, status byte)."""
        return self.read_raw(struct.pack("=QQQ", self.READ, addr, length), length)

    def read_raw(self, req, length):
        """read() with the 24-byte request already packed (the timed loop)."""
        self.sock.sendall(req)
        r = self._recv_exact(length + 1)
        return r[:length], r[length]

    @classmethod
    def request(cls, addr, length):
        return struct.pack("=QQQ", cls.READ, addr, length)

    def read_many(self, batch, count, length):
        """Sends `count` packed read requests (`batch`) in one write, then reads every
        answer; returns how many came back with status 1."""
        self.sock.sendall(batch)
        ok = 0
        for _ in range(count):
            r = self._recv_exact(length + 1)
            ok += r[length] == 1
        return ok

    def write_file(self, addr, path):
        """Writes the file's bytes into guest RAM from addr on (requests of at most MAX_LEN);
        returns how many requests came back with status 0."""
        bad = 0
        with open(path, "rb") as f:
            while True:
                chunk = f.read(self.MAX_LEN)
                if not chunk:
                    return bad
                self.sock.sendall(struct.pack("=QQQ", self.WRITE, addr, len(chunk)))
                self.sock.sendall(chunk)
                bad += self._recv_exact(1)[0] != 1
                addr += len(chunk)
