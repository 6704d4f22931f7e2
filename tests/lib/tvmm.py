"""Test harness for tinyvmm: start a VM, read its serial output, talk QMP and HMP over sockets."""
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "examples"))
from qmp import QMPClient, QMPError  # noqa: E402  (examples/qmp.py: the one QMP client)

SKIP = 77
# On a slow machine every timeout here is multiplied by TVMM_TIME_SCALE (the KVM bed sets it: there
# the machine running KVM is emulated, and a test's processes run 5-10x slower)
TIME_SCALE = float(os.environ.get("TVMM_TIME_SCALE") or 1)


def scaled(seconds):
    return seconds * TIME_SCALE


def require_kvm():
    """Fail under CI when /dev/kvm is unusable; skip loudly elsewhere."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
        return
    except OSError as e:
        msg = f"/dev/kvm is not usable ({e.strerror}): this test needs KVM"
    if os.environ.get("CI") == "true":
        print(f"FAIL: {msg}", file=sys.stderr)
        sys.exit(1)
    print(f"SKIP: {msg}", file=sys.stderr)
    sys.exit(SKIP)


def binary():
    return os.environ.get("TINYVMM", "tinyvmm")


def guest(name):
    """Path of a test guest built by meson (env TINYVMM_GUESTS)."""
    return os.path.join(os.environ["TINYVMM_GUESTS"], name + ".bin")


class Failure(Exception):
    pass


def check(cond, what, expected=None, received=None):
    if not cond:
        msg = what
        if expected is not None or received is not None:
            msg += f"\n  expected: {expected!r}\n  received: {received!r}"
        raise Failure(msg)


class VM:
    """A tinyvmm process; its serial console goes to a pipe we read."""

    def __init__(self, *args, serial=True, env=None, pass_fds=()):
        self.dir = tempfile.mkdtemp(prefix="tvmm-")
        self.args = [binary()] + (["-serial", "stdio"] if serial else []) + list(args)
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, pass_fds=pass_fds)
        self.out = b""
        self.err = b""

    def path(self, name):
        return os.path.join(self.dir, name)

    def _pump(self, timeout):
        fds = [f for f in (self.proc.stdout, self.proc.stderr) if f and not f.closed]
        if not fds:
            time.sleep(timeout)
            return
        r, _, _ = select.select(fds, [], [], timeout)
        for f in r:
            data = os.read(f.fileno(), 65536)
            if not data:
                f.close()
            elif f is self.proc.stdout:
                self.out += data
            else:
                self.err += data

    def wait_output(self, text, timeout=20, start=0):
        """Waits until serial output (after offset start) contains text; returns its end offset."""
        if isinstance(text, str):
            text = text.encode()
        end = time.monotonic() + scaled(timeout)
        while True:
            i = self.out.find(text, start)
            if i >= 0:
                return i + len(text)
            left = end - time.monotonic()
            if left <= 0 or (self.proc.poll() is not None and self.proc.stdout.closed):
                raise Failure(f"timed out waiting for {text!r} in serial output\n"
                              f"  output: {self.out[-2000:]!r}\n  stderr: {self.err[-2000:]!r}")
            self._pump(min(left, 0.2))

    def wait_exit(self, timeout=20):
        end = time.monotonic() + scaled(timeout)
        while self.proc.poll() is None and time.monotonic() < end:
            self._pump(0.05)
        if self.proc.poll() is None:
            raise Failure(f"tinyvmm did not exit within {timeout}s\n  stderr: {self.err!r}")
        while not (self.proc.stdout.closed and self.proc.stderr.closed):
            self._pump(0.05)
        return self.proc.returncode

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            if f and not f.closed:
                f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect_unix(path, timeout=10):
    """A connected unix socket, retrying while the path is missing or not listening yet (bound,
    before listen; or a stale socket file the server is about to replace)."""
    end = time.monotonic() + scaled(timeout)
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except (ConnectionRefusedError, FileNotFoundError, BlockingIOError):
            s.close()  # BlockingIOError: the listen backlog is full
            if time.monotonic() > end:
                raise Failure(f"cannot connect to {path}")
            time.sleep(0.002)


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on (now)."""
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def wait_for_path(path, timeout=10):
    end = time.monotonic() + scaled(timeout)
    while not os.path.exists(path):
        if time.monotonic() > end:
            raise Failure(f"{path} did not appear")
        time.sleep(0.01)


def qmp_client(path=None, tcp=None, sock=None, negotiate=True, timeout=10):
    """examples/qmp.py's QMPClient (the one users copy) on a unix socket path (retried until
    tinyvmm listens), on tcp=(host, port), or on sock, a connection tinyvmm made to us
    (-qmp unix:P without server=on)."""
    if path:
        sock = connect_unix(path, timeout)
    elif tcp:
        sock = socket.create_connection(tcp, timeout=scaled(timeout))
    return QMPClient(sock, timeout=scaled(timeout), negotiate=negotiate)


class QVM(VM):
    """A VM with one or more QMP unix sockets (qmp0.sock, qmp1.sock ...) plus extra args."""

    def __init__(self, *args, nsock=1, extra_qmp=(), serial=True):
        self.sockdir = tempfile.mkdtemp(prefix="tvmm-qmp-")
        self.socks = [os.path.join(self.sockdir, f"qmp{i}.sock") for i in range(nsock)]
        opts = []
        for s in self.socks:
            opts += ["-qmp", f"unix:{s},server=on,wait=off"]
        for spec in extra_qmp:
            opts += ["-qmp", spec]
        super().__init__(*(opts + list(args)), serial=serial)

    def qmp(self, i=0, negotiate=True):
        return qmp_client(self.socks[i], negotiate=negotiate)

    def file(self, name):
        return os.path.join(self.sockdir, name)


# Raw exchanges on a QMPClient q, for the protocol tests: its socket and its read buffer q.buf.

def send_raw(q, data):
    q.sock.sendall(data.encode() if isinstance(data, str) else data)


def raw_line(q, timeout=10):
    """Next raw line (bytes, with its CRLF)."""
    q.sock.settimeout(scaled(timeout))
    while b"\n" not in q.buf:
        data = q.sock.recv(65536)
        if not data:
            raise Failure(f"connection closed; pending {q.buf!r}")
        q.buf += data
    line, q.buf = q.buf.split(b"\n", 1)
    return line + b"\n"


def reply(q):
    """The next reply, events kept aside in q.pending."""
    while True:
        obj = q.recv()
        if "event" not in obj:
            return obj
        q.pending.append(obj)


def request(q, text):
    """Sends raw text (a request with its own id, or none), returns the next reply."""
    send_raw(q, text)
    return reply(q)


def command_id(q, name, args=None, id=None):
    """Runs a command with the request id the test chooses; the whole reply, its id included."""
    req = {"execute": name, "id": id}
    if args is not None:
        req["arguments"] = args
    return request(q, json.dumps(req))


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
    return q.command("query-status")["return"]["status"] == "running"


def wait_status(q, status, timeout=10):
    end = time.monotonic() + timeout
    while True:
        r = q.command("query-status")["return"]["status"]
        if r == status:
            return
        if time.monotonic() > end:
            raise Failure(f"status stayed {r!r}, expected {status!r}")
        time.sleep(0.05)


def run(test):
    """Runs a test function; prints a one-line verdict and exits with meson's codes."""
    require_kvm()
    try:
        test()
    except (Failure, QMPError, TimeoutError, ConnectionError) as e:
        print(f"FAIL {os.path.basename(sys.argv[0])}: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"PASS {os.path.basename(sys.argv[0])}")


def main(cases):
    """Runs the case named by argv[1] (or all of them) from a dict name -> function."""
    names = sys.argv[1:] or list(cases)
    for name in names:
        if name not in cases:
            print(f"FAIL: no test case {name!r}; cases: {', '.join(cases)}", file=sys.stderr)
            sys.exit(1)
    run(lambda: [cases[n]() for n in names])


class HMP:
    """An HMP socket console driven through socat, as a person would use one."""

    PROMPT = b"(tinyvmm) "

    def __init__(self, path, timeout=20):
        wait_for_path(path)
        self.timeout = scaled(timeout)
        self.proc = subprocess.Popen(["socat", "-", "UNIX-CONNECT:" + path],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.buf = b""
        self.banner = self.read_prompt()

    def _read(self, left):
        r, _, _ = select.select([self.proc.stdout], [], [], left)
        if not r:
            return None
        return os.read(self.proc.stdout.fileno(), 65536)

    def read_prompt(self):
        """The text up to the next prompt (the prompt itself dropped)."""
        end = time.monotonic() + self.timeout
        while not self.buf.endswith(self.PROMPT):
            left = end - time.monotonic()
            data = self._read(left) if left > 0 else None
            if data is None:
                raise Failure(f"no HMP prompt within {self.timeout}s; got {self.buf[-2000:]!r}")
            if not data:
                raise Failure(f"HMP console closed; got {self.buf[-2000:]!r}")
            self.buf += data
        text, self.buf = self.buf[:-len(self.PROMPT)], b""
        return text.decode("utf-8", "replace")

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def cmd(self, line):
        """Runs one line; returns its output exactly (CRLF line ends)."""
        self.send(line + "\n")
        return self.read_prompt()

    def read_eof(self):
        """Everything until the server closes the connection."""
        end = time.monotonic() + self.timeout
        while True:
            left = end - time.monotonic()
            data = self._read(left) if left > 0 else None
            if data is None:
                raise Failure(f"HMP console still open after {self.timeout}s")
            if not data:
                out, self.buf = self.buf, b""
                return out.decode("utf-8", "replace")
            self.buf += data

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


def parse_info_registers(text):
    """info registers [-a] text -> {cpu: {name: value or (sel, base, limit, attr) tuple}}.

    Parsed as LibVMI does: a register name followed by '=' and hex digits;
    segment lines "CS =ssss bbbbbbbbbbbbbbbb llllllll aaaaaaaa" in fixed columns (8-digit
    bases outside 64-bit mode, where the general registers are EAX.. EIP, EFL).
    """
    import re
    cpus = {}
    cur = None
    for line in text.split("\r\n"):
        m = re.match(r"^CPU#(\d+)$", line)
        if m:
            cur = cpus.setdefault(int(m.group(1)), {})
            continue
        if cur is None:
            cur = cpus.setdefault(0, {})
        seg = re.match(r"^(ES|CS|SS|DS|FS|GS|LDT|TR) *=([0-9a-f]{4}) ([0-9a-f]{16}|[0-9a-f]{8}) "
                       r"([0-9a-f]{8}) ([0-9a-f]{8})", line)
        if seg:
            cur[seg.group(1)] = tuple(int(seg.group(i), 16) for i in range(2, 6))
            continue
        tab = re.match(r"^(GDT|IDT)= +([0-9a-f]{16}|[0-9a-f]{8}) ([0-9a-f]{8})", line)
        if tab:
            cur[tab.group(1)] = (int(tab.group(2), 16), int(tab.group(3), 16))
            continue
        for name, val in re.findall(r"([A-Z][A-Z0-9]*) ?=([0-9a-f]+)\b", line):
            cur[name] = int(val, 16)
    return cpus


def parse_memory_dump(text):
    """x / xp output in hex -> (start address, bytes), little-endian words as LibVMI reads them."""
    import re
    start = None
    data = b""
    for line in text.split("\r\n"):
        if not line:
            continue
        m = re.match(r"^([0-9a-f]{16}): (.*)$", line)
        if not m:
            raise Failure(f"not a memory dump line: {line!r}")
        if start is None:
            start = int(m.group(1), 16)
        words = m.group(2).split()
        size = (len(words[0]) - 2) // 2
        for w in words:
            data += int(w, 16).to_bytes(size, "little")
    return start, data
