"""Descriptor passing as QEMU 7.2 does it: getfd/closefd with SCM_RIGHTS on the QMP socket and an
HMP socket console, add-fd/remove-fd/query-fdsets and -add-fd, /dev/fdset/N for pmemsave,
memsave and dump-guest-memory, and dump-guest-memory "fd:NAME". Error texts are QEMU 7.2's
(recorded from qemu-system-x86_64 7.2 with the same requests)."""
import json
import os
import socket
import subprocess
import tempfile

from tvmm import QVM, VM, binary, check, main, qmp_client, reply, wait_for_path

NO_FD = "No file descriptor supplied via SCM_RIGHTS"
REF = 8192  # bytes of guest RAM compared


def cmd_fds(q, name, args, fds):
    """One request sent with fds attached (SCM_RIGHTS), as QEMU's Python library sends them."""
    req = {"execute": name}
    if args is not None:
        req["arguments"] = args
    socket.send_fds(q.sock, [json.dumps(req).encode()], fds)
    return reply(q)


def ok(r, what):
    check("return" in r, what, "a return", r)
    return r["return"]


def err(r, desc, what):
    want = {"error": {"class": "GenericError", "desc": desc}}
    check(r == want, what, want, r)


def reference(vm, q):
    path = vm.file("ref")
    ok(q.command("pmemsave", {"val": 0, "size": REF, "filename": path}), "reference pmemsave")
    data = open(path, "rb").read()
    os.unlink(path)
    return data


def held(vm, path):
    """How many of tinyvmm's descriptors are open on path."""
    d = f"/proc/{vm.proc.pid}/fd"
    n = 0
    for fd in os.listdir(d):
        try:
            n += os.readlink(os.path.join(d, fd)) == path
        except FileNotFoundError:
            pass
    return n


def open_w(path, mode=os.O_WRONLY):
    return os.open(path, mode | os.O_CREAT | os.O_TRUNC, 0o600)


def getfd_closefd():
    """getfd's errors, names replaced and closed, and fds that no command took."""
    with QVM("-m", "64", "-S") as vm:
        q = vm.qmp()
        a = vm.file("a")
        fd = open_w(a)
        err(q.command("getfd", {"fdname": "x"}), NO_FD, "getfd without a descriptor")
        err(cmd_fds(q, "getfd", {"fdname": "1x"}, [fd]),
            "Parameter 'fdname' expects a name not starting with a digit", "getfd 1x")
        check(held(vm, a) == 0, "a refused descriptor is closed", 0, held(vm, a))
        err(q.command("closefd", {"fdname": "nope"}), "File descriptor named 'nope' not found",
            "closefd of an unknown name")
        ok(cmd_fds(q, "getfd", {"fdname": "x"}, [fd]), "getfd x")
        ok(cmd_fds(q, "getfd", {"fdname": "x"}, [fd]), "getfd x again (replaces)")
        check(held(vm, a) == 1, "the replaced descriptor is closed", 1, held(vm, a))
        ok(q.command("closefd", {"fdname": "x"}), "closefd x")
        check(held(vm, a) == 0, "closefd closes it", 0, held(vm, a))
        err(q.command("closefd", {"fdname": "x"}), "File descriptor named 'x' not found",
            "closefd x twice")
        # a descriptor sent with another command waits for the next getfd (QEMU keeps it too);
        # several with one message: getfd takes the first and closes the others
        ok(cmd_fds(q, "query-status", None, [fd, fd, fd]), "query-status with descriptors")
        check(held(vm, a) == 3, "held until a command takes them", 3, held(vm, a))
        ok(q.command("getfd", {"fdname": "late"}), "getfd takes the waiting descriptor")
        check(held(vm, a) == 1, "getfd keeps one, closes the rest", 1, held(vm, a))
        # names belong to the connection: another one neither sees nor closes them
        q2 = vm.qmp()
        err(q2.command("closefd", {"fdname": "late"}), "File descriptor named 'late' not found",
            "another connection's name")
        ok(cmd_fds(q2, "query-status", None, [fd]), "a descriptor nobody takes")
        check(held(vm, a) == 2, "both held", 2, held(vm, a))
        q2.close()
        q.close()
        q = vm.qmp()  # both gone: everything they held is closed
        q.command("query-status")
        check(held(vm, a) == 0, "a connection's descriptors close with it", 0, held(vm, a))
        os.close(fd)


def dump_fd():
    """dump-guest-memory "fd:NAME" writes through the getfd descriptor and consumes the name."""
    with QVM("-m", "64", "-S") as vm:
        q = vm.qmp()
        a = vm.file("core")
        fd = open_w(a)
        ok(cmd_fds(q, "getfd", {"fdname": "d"}, [fd]), "getfd d")
        os.close(fd)
        ok(q.command("dump-guest-memory", {"paging": False, "protocol": "fd:d"}), "dump fd:d")
        data = open(a, "rb").read()
        check(data[:4] == b"\x7fELF" and len(data) > 64 << 20, "an ELF core in the passed file",
              "ELF, > 64 MiB", (data[:4], len(data)))
        check(held(vm, a) == 0, "the dump closed the descriptor", 0, held(vm, a))
        err(q.command("dump-guest-memory", {"paging": False, "protocol": "fd:d"}),
            "File descriptor named 'd' has not been found", "fd:d again")
        err(q.command("closefd", {"fdname": "d"}), "File descriptor named 'd' not found",
            "the dump took the name")
        # detached, into a pipe read by the test
        r, w = os.pipe()
        ok(cmd_fds(q, "getfd", {"fdname": "p"}, [w]), "getfd p (a pipe)")
        os.close(w)
        ok(q.command("dump-guest-memory", {"paging": False, "protocol": "fd:p", "detach": True}),
           "detached dump into a pipe")
        n, head = 0, b""
        while True:
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            head = head or chunk[:4]
            n += len(chunk)
        os.close(r)
        check(head == b"\x7fELF" and n == len(data), "the pipe got the whole core",
              len(data), n)
        q.wait_event("DUMP_COMPLETED")


def fdsets():
    """add-fd, query-fdsets, remove-fd and /dev/fdset/N, with QEMU's shapes and errors."""
    with QVM("-m", "64", "-S") as vm:
        q = vm.qmp()
        want = reference(vm, q)
        a, b = vm.file("a"), vm.file("b")
        fa, fb = open_w(a), open_w(b, os.O_RDWR)
        err(q.command("add-fd"), NO_FD, "add-fd without a descriptor")
        err(cmd_fds(q, "add-fd", {"fdset-id": -1}, [fa]),
            "Parameter 'fdset-id' expects a non-negative value", "add-fd fdset-id -1")
        i0 = ok(cmd_fds(q, "add-fd", {"opaque": "o"}, [fa]), "add-fd (first free set)")
        check(sorted(i0) == ["fd", "fdset-id"] and i0["fdset-id"] == 0, "AddfdInfo",
              {"fdset-id": 0, "fd": "N"}, i0)
        i3b = ok(cmd_fds(q, "add-fd", {"fdset-id": 3}, [fb]), "add-fd set 3, O_RDWR")
        i3a = ok(cmd_fds(q, "add-fd", {"fdset-id": 3}, [fa]), "add-fd set 3, O_WRONLY")
        i1 = ok(cmd_fds(q, "add-fd", None, [fb]), "add-fd: the lowest free id")
        check(i1["fdset-id"] == 1, "the first gap is set 1", 1, i1["fdset-id"])
        os.close(fa)
        os.close(fb)
        sets = ok(q.command("query-fdsets"), "query-fdsets")
        shape = [{"fdset-id": 3, "fds": [{"fd": i3b["fd"]}, {"fd": i3a["fd"]}]},
                 {"fdset-id": 1, "fds": [{"fd": i1["fd"]}]},
                 {"fdset-id": 0, "fds": [{"fd": i0["fd"], "opaque": "o"}]}]
        check(sets == shape, "query-fdsets: highest set first, oldest descriptor first",
              shape, sets)
        # the write-only descriptor of set 3 is the one used (QEMU matches the access mode)
        ok(q.command("pmemsave", {"val": 0, "size": REF, "filename": "/dev/fdset/3"}),
           "pmemsave /dev/fdset/3")
        check(open(a, "rb").read() == want, "pmemsave wrote the O_WRONLY descriptor's file")
        check(os.path.getsize(b) == 0, "the O_RDWR one is untouched", 0, os.path.getsize(b))
        ok(q.command("memsave", {"val": 0, "size": REF, "filename": "/dev/fdset/3"}),
           "memsave /dev/fdset/3 (continues at the descriptor's offset)")
        check(open(a, "rb").read() == want + want, "memsave appended after pmemsave")
        ok(q.command("dump-guest-memory", {"paging": False, "protocol": "file:/dev/fdset/3"}),
           "dump-guest-memory file:/dev/fdset/3")
        data = open(a, "rb").read()
        check(data[2 * REF:2 * REF + 4] == b"\x7fELF", "the core follows", b"\x7fELF",
              data[2 * REF:2 * REF + 4])
        check(held(vm, a) == 2, "the set keeps its descriptors; duplicates are closed", 2,
              held(vm, a))
        for path, why in (("/dev/fdset/9", "No such file or directory"),
                          ("/dev/fdset/x", "Invalid argument"),
                          ("/dev/fdset/1", "Permission denied")):  # set 1: O_RDWR only
            desc = f"Could not open '{path}': {why}"
            err(q.command("dump-guest-memory", {"paging": False, "protocol": "file:" + path}), desc,
                f"dump-guest-memory file:{path}")
            err(q.command("pmemsave", {"val": 0, "size": 16, "filename": path}), desc,
                f"pmemsave {path}")
        err(q.command("remove-fd", {"fdset-id": 9}), "File descriptor named 'fdset-id:9' not found",
            "remove-fd of an unknown set")
        err(q.command("remove-fd", {"fdset-id": 3, "fd": 999}),
            "File descriptor named 'fdset-id:3, fd:999' not found", "remove-fd of an unknown fd")
        ok(q.command("remove-fd", {"fdset-id": 3, "fd": i3a["fd"]}), "remove-fd one descriptor")
        check(held(vm, a) == 1, "remove-fd closes it", 1, held(vm, a))
        ok(q.command("remove-fd", {"fdset-id": 0}), "remove-fd a whole set")
        check(held(vm, a) == 0, "and the set's descriptors", 0, held(vm, a))
        sets = ok(q.command("query-fdsets"), "query-fdsets after remove-fd")
        shape = [{"fdset-id": 3, "fds": [{"fd": i3b["fd"]}]},
                 {"fdset-id": 1, "fds": [{"fd": i1["fd"]}]}]
        check(sets == shape, "query-fdsets after remove-fd", shape, sets)
        ok(q.command("remove-fd", {"fdset-id": 3, "fd": i3b["fd"]}), "the last of set 3")
        check([s["fdset-id"] for s in ok(q.command("query-fdsets"), "query-fdsets")] == [1],
              "an empty set is gone")
        q.close()
        q = vm.qmp()  # sets are not the connection's: they outlive it
        check(len(ok(q.command("query-fdsets"), "query-fdsets")) == 1, "set 1 is still there")
        # quit while a set, a name and an untaken batch are held: a clean exit (no leak under ASan)
        fa = open_w(a)
        ok(cmd_fds(q, "getfd", {"fdname": "kept"}, [fa]), "getfd kept")
        ok(cmd_fds(q, "query-status", None, [fa, fa]), "a batch nobody takes")
        os.close(fa)
        ok(q.command("quit"), "quit")
        check(vm.wait_exit() == 0, "tinyvmm exits 0", 0, (vm.proc.returncode, vm.err[-2000:]))


def add_fd_option():
    """-add-fd fd=N,set=S,opaque=STR with an inherited descriptor, and QEMU's refusals."""
    d = tempfile.mkdtemp(prefix="tvmm-fds-")
    path = os.path.join(d, "inherited")
    fd = open_w(path)
    sock = os.path.join(d, "qmp.sock")
    vm = VM("-m", "64", "-S", "-qmp", f"unix:{sock},server=on,wait=off",
            "-add-fd", f"fd={fd},set=7,opaque=a,,b", "-add-fd", f"set=8,fd={fd}", pass_fds=[fd])
    os.close(fd)
    with vm:
        wait_for_path(sock)
        q = qmp_client(sock)
        sets = ok(q.command("query-fdsets"), "query-fdsets")
        shape = [(8, None), (7, "a,b")]
        got = [(s["fdset-id"], s["fds"][0].get("opaque")) for s in sets]
        check(got == shape and all(len(s["fds"]) == 1 for s in sets),
              "sets 8 and 7 from the command line", shape, sets)
        check(held(vm, path) == 2, "only the duplicates stay open", 2, held(vm, path))
        ok(q.command("pmemsave", {"val": 0, "size": REF, "filename": "/dev/fdset/7"}),
           "pmemsave /dev/fdset/7")
        ok(q.command("pmemsave", {"val": 0, "size": REF, "filename": vm.path("ref")}), "reference")
        check(open(path, "rb").read() == open(vm.path("ref"), "rb").read(),
              "the inherited file has the memory")
    fd = open_w(path)  # inherited by each run below
    for arg, msg in (("fd=1,set=2", "fd cannot be a standard I/O stream"),
                     ("fd=900,set=2", "fd is not valid or already in use"),
                     ("set=2", "fd option is required and must be non-negative"),
                     (f"fd={fd}", "set option is required and must be non-negative"),
                     (f"fd={fd},set=-1", "set option is required and must be non-negative"),
                     ("fd=x,set=1", "Parameter 'fd' expects a number"),
                     (f"fd={fd},set=1,bogus=1", "Invalid parameter 'bogus'")):
        p = subprocess.run([binary(), "-add-fd", arg], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30, pass_fds=[fd])
        line = f"tinyvmm: -add-fd {arg}: {msg}"
        check(p.returncode == 1 and p.stderr.decode().splitlines()[0] == line,
              f"-add-fd {arg}", (1, line), (p.returncode, p.stderr.decode()))
    os.close(fd)


def flood():
    """Hostile senders: a batch per byte, more than 16 at once, a request cut between batches;
    at most one batch (16) is held per connection, nothing leaks, the VM keeps answering."""
    with QVM("-m", "64", "-S") as vm:
        q = vm.qmp()
        a = vm.file("a")
        fd = open_w(a)
        req = b'{"execute": "getfd", "arguments": {"fdname": "f"}}'
        for i in range(len(req) - 1):  # one byte at a time, each with 16 descriptors
            socket.send_fds(q.sock, [req[i:i + 1]], [fd] * 16)
        socket.send_fds(q.sock, [req[-1:]], [fd] * 100)  # the kernel passes 16 of them
        ok(reply(q), "getfd after the flood")
        check(held(vm, a) == 1, "the named one only", 1, held(vm, a))
        for _ in range(200):
            socket.send_fds(q.sock, [b" "], [fd] * 16)
        ok(q.command("query-status"), "the VM still answers")
        check(held(vm, a) <= 17, "at most one batch waits", "<= 17", held(vm, a))
        q.close()
        q = vm.qmp()
        ok(q.command("query-status"), "a new connection")
        check(held(vm, a) == 0, "everything closed with the connection", 0, held(vm, a))
        os.close(fd)


def hmp_console():
    """HMP getfd/closefd on a socket console; human-monitor-command has no descriptors."""
    d = tempfile.mkdtemp(prefix="tvmm-fds-")
    sock = os.path.join(d, "hmp.sock")
    qsock = os.path.join(d, "qmp.sock")
    with VM("-m", "64", "-S", "-monitor", f"unix:{sock},server=on,wait=off",
            "-qmp", f"unix:{qsock},server=on,wait=off") as vm:
        wait_for_path(sock)
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        s.settimeout(20)
        buf = b""

        def line(text, fds=()):
            nonlocal buf
            if fds:
                socket.send_fds(s, [text.encode() + b"\n"], list(fds))
            else:
                s.sendall(text.encode() + b"\n")
            while not buf.endswith(b"(tinyvmm) "):
                buf += s.recv(65536)
            out, buf = buf[:-len(b"(tinyvmm) ")], b""
            return out.decode()

        while not buf.endswith(b"(tinyvmm) "):
            buf += s.recv(65536)
        buf = b""
        a = os.path.join(d, "a")
        fd = open_w(a)
        got = line("getfd foo")
        check(got == "Error: " + NO_FD + "\r\n", "HMP getfd without a descriptor",
              "Error: " + NO_FD, got)
        for name, params, text in (
                ("getfd", "getfd name",
                 "receive a file descriptor via SCM rights and assign it a name"),
                ("closefd", "closefd name",
                 "close a file descriptor previously passed via SCM rights")):
            want = f"{name} {params} -- {text}\r\n"  # QEMU 7.2's help lines
            got = line("help " + name)
            check(got == want, f"help {name}", want, got)
        check(line("getfd foo", [fd]) == "", "HMP getfd with one")
        check(held(vm, a) == 1, "HMP getfd holds it", 1, held(vm, a))
        check(line("closefd foo") == "", "HMP closefd")
        got = line("closefd foo")
        check(got == "Error: File descriptor named 'foo' not found\r\n", "HMP closefd twice",
              "Error: File descriptor named 'foo' not found", got)
        check(held(vm, a) == 0, "closed", 0, held(vm, a))
        q = qmp_client(qsock)
        r = cmd_fds(q, "human-monitor-command", {"command-line": "getfd foo"}, [fd])
        check(r == {"return": "Error: " + NO_FD + "\r\n"},
              "human-monitor-command getfd: QEMU's HMP there has no descriptors", NO_FD, r)
        os.close(fd)
        s.close()
        q.close()


main({"getfd-closefd": getfd_closefd, "dump-fd": dump_fd, "fdsets": fdsets,
      "add-fd-option": add_fd_option, "flood": flood, "hmp-console": hmp_console})
