#!/usr/bin/env python3
"""A small QMP client (Python 3 standard library only): a module and a command line.

As a module:

    from qmp import QMPClient
    with QMPClient("/tmp/qmp.sock") as vm:
        print(vm.execute("query-status"))          # the "return" value
        vm.execute("pmemsave", {"val": 0, "size": 4096, "filename": "/tmp/page"})
        for event in vm.events(timeout=1.0):       # STOP, RESUME, DUMP_COMPLETED, ...
            print(event["event"])
        vm.execute("stop")
        vm.wait_event("STOP", timeout=5)            # or TimeoutError

From the shell (ADDRESS is a unix socket path or HOST:PORT):

    qmp.py /tmp/qmp.sock query-status
    qmp.py /tmp/qmp.sock pmemsave val=0 size=4096 filename=/tmp/page
    qmp.py /tmp/qmp.sock dump-guest-memory '{"paging": false, "protocol": "file:/tmp/core"}'
    qmp.py /tmp/qmp.sock --hmp 'info status'
    qmp.py /tmp/qmp.sock --events              # prints events until interrupted
    qmp.py /tmp/qmp.sock stop --events 2       # runs stop, then prints events for 2 s

Replies and events are printed one JSON object per line; the exit status is 1 when the
command fails.
"""
import argparse
import json
import socket
import sys
import time


class QMPError(Exception):
    """A command failed: the server's error class and description."""

    def __init__(self, error):
        super().__init__(f"{error.get('class')}: {error.get('desc')}")
        self.error = error


class QMPClient:
    """One QMP connection: greeting, capabilities negotiation, commands, events.
    address: a unix socket path, HOST:PORT, or a connected socket (e.g. one that tinyvmm's
    `-qmp unix:PATH` without server=on made to your listening socket). With negotiate=False
    the caller runs execute("qmp_capabilities") itself. Reads fail with socket.timeout after
    timeout seconds."""

    def __init__(self, address, timeout=60.0, negotiate=True):
        if isinstance(address, socket.socket):
            self.sock = address
        elif ":" in address and not address.startswith("/"):
            host, port = address.rsplit(":", 1)
            self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(address)
        self.timeout = timeout
        self.buf = b""
        self.pending = []  # events that arrived while waiting for a reply
        self.next_id = 0
        self.greeting = self.recv()
        if "QMP" not in self.greeting:
            raise QMPError({"class": "ProtocolError", "desc": f"no greeting: {self.greeting}"})
        if negotiate:
            self.execute("qmp_capabilities")

    def recv(self, timeout=None):
        """The next JSON object from the server (a reply or an event), or None when timeout
        seconds pass without one (with None: the connection's timeout, then socket.timeout)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.buf:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.sock.settimeout(left)
            else:
                self.sock.settimeout(self.timeout)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                if deadline is not None:
                    return None
                raise
            if not data:
                raise ConnectionError("the QMP server closed the connection")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, arguments=None):
        """Runs one command; returns the whole reply ({"return": ...} or {"error": ...})."""
        self.next_id += 1
        req = {"execute": name, "id": self.next_id}
        if arguments is not None:
            req["arguments"] = arguments
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        while True:
            obj = self.recv()
            if "event" in obj:
                self.pending.append(obj)
            elif obj.get("id") == self.next_id:
                obj.pop("id")
                return obj

    def execute(self, name, arguments=None):
        """Runs one command; returns its "return" value or raises QMPError."""
        reply = self.command(name, arguments)
        if "error" in reply:
            raise QMPError(reply["error"])
        return reply["return"]

    def hmp(self, line):
        """Runs an HMP command line; returns its text output."""
        return self.execute("human-monitor-command", {"command-line": line})

    def events(self, timeout=None):
        """Yields events: those already received, then new ones until timeout seconds pass
        without one (forever with None)."""
        while True:
            while self.pending:
                yield self.pending.pop(0)
            obj = self.recv(timeout)
            if obj is None:
                return
            if "event" in obj:
                yield obj

    def wait_event(self, name, timeout=None):
        """Returns the first event called name (already received or new; the others stay in
        pending); raises TimeoutError when none comes within timeout seconds (None: the
        connection's timeout)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            for i, e in enumerate(self.pending):
                if e["event"] == name:
                    return self.pending.pop(i)
            obj = self.recv(max(0.0, deadline - time.monotonic()))
            if obj is None:
                raise TimeoutError(f"no {name} event within {timeout or self.timeout} s")
            if "event" in obj:
                self.pending.append(obj)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def parse_arguments(words):
    """[] -> None; ['{"a": 1}'] -> that object; ['a=0x10', 'b=x'] -> {"a": 16, "b": "x"}."""
    if not words:
        return None
    if len(words) == 1 and words[0].lstrip().startswith("{"):
        return json.loads(words[0])
    args = {}
    for w in words:
        key, sep, value = w.partition("=")
        if not sep:
            raise ValueError(f"argument {w!r} is not KEY=VALUE or a JSON object")
        try:
            args[key] = int(value, 0)  # 4096, 0x1000
        except ValueError:
            try:
                args[key] = json.loads(value)  # true, "text", [1, 2], {...}
            except ValueError:
                args[key] = value  # a bare string
    return args


def main(argv=None):
    p = argparse.ArgumentParser(description="Send a QMP command; print replies and events.")
    p.add_argument("address", help="unix socket path, or HOST:PORT")
    p.add_argument("command", nargs="?", help="QMP command, e.g. query-status")
    p.add_argument("arguments", nargs="*", help="KEY=VALUE ... or one JSON object")
    p.add_argument("--hmp", metavar="LINE", help="run an HMP command line instead")
    p.add_argument("--events", nargs="?", type=float, const=-1, metavar="SECONDS",
                   help="then print events (for SECONDS, or until interrupted)")
    a = p.parse_args(argv)
    status = 0
    try:
        with QMPClient(a.address) as vm:
            reply = None
            if a.hmp is not None:
                reply = vm.command("human-monitor-command", {"command-line": a.hmp})
            elif a.command:
                reply = vm.command(a.command, parse_arguments(a.arguments))
            for e in vm.pending:  # events that came before the reply, in order
                print(json.dumps(e))
            vm.pending.clear()
            if reply is not None:
                if a.hmp is not None and "return" in reply:
                    sys.stdout.write(reply["return"].replace("\r\n", "\n"))
                else:
                    print(json.dumps(reply))
                status = 1 if "error" in reply else 0
            sys.stdout.flush()
            if a.events is not None:
                for e in vm.events(None if a.events < 0 else a.events):
                    print(json.dumps(e), flush=True)
    except (OSError, ValueError) as e:
        print(f"qmp.py: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return status


if __name__ == "__main__":
    sys.exit(main())
