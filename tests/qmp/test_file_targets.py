"""pmemsave, memsave and dump-guest-memory write through what the name is (monitor/atomic-file.h):
device nodes, FIFOs, symlinks and hard links stay what they were; a plain file keeps its mode."""
import os
import select
import stat
import threading

from tvmm import QVM, check, run

NXIO = "Could not open '%s': No such device or address"
SIZE = 256 << 10  # more than a pipe holds: the writer has to wait for the reader


def ok(q, cmd, args, what):
    r = q.command(cmd, args)
    check(r == {"return": {}}, what, {"return": {}}, r)


def refused(q, cmd, args, desc, what):
    r = q.command(cmd, args)
    want = {"error": {"class": "GenericError", "desc": desc}}
    check(r == want, what, want, r)
    s = q.command("query-status")
    check("return" in s, f"{what}: the VM still answers", None, s)


def read_all(fd, sink):
    while True:
        select.select([fd], [], [], 30)
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            continue
        if not data:
            return
        sink.append(data)


def device_nodes(vm, q):
    """A character device is written through, not replaced by a regular file."""
    node = vm.file("null")
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        node = None
    if node:
        ok(q, "pmemsave", {"val": 0, "size": SIZE, "filename": node}, "pmemsave to a null node")
        check(stat.S_ISCHR(os.lstat(node).st_mode), "the device node is still a device",
              "character device", oct(os.lstat(node).st_mode))
        if not stat.S_ISCHR(os.lstat(node).st_mode):
            return  # never try the host's /dev/null with a build that would replace it
    ok(q, "pmemsave", {"val": 0, "size": SIZE, "filename": "/dev/null"}, "pmemsave to /dev/null")
    check(stat.S_ISCHR(os.lstat("/dev/null").st_mode), "/dev/null is still a device")


def fifos(vm, q, want):
    fifo = vm.file("fifo")
    os.mkfifo(fifo)
    # with a reader: every byte arrives, zeros included, in order
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    got = []
    t = threading.Thread(target=read_all, args=(fd, got))
    t.start()
    ok(q, "pmemsave", {"val": 0, "size": SIZE, "filename": fifo}, "pmemsave to a FIFO")
    t.join(30)
    os.close(fd)
    data = b"".join(got)
    check(data == want, "the FIFO's reader got the memory", len(want), len(data))
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO")
    # a reader that takes nothing: the write gives up after ATOMIC_FILE_STALL_MS, not never
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    refused(q, "pmemsave", {"val": 0, "size": SIZE, "filename": fifo},
            "Could not write '%s': Connection timed out" % fifo, "pmemsave to a stalled FIFO")
    os.close(fd)
    # without a reader: QEMU's open error at once, for every command
    refused(q, "pmemsave", {"val": 0, "size": 16, "filename": fifo}, NXIO % fifo,
            "pmemsave to a FIFO nobody reads")
    refused(q, "memsave", {"val": 0, "size": 16, "filename": fifo}, NXIO % fifo,
            "memsave to a FIFO nobody reads")
    refused(q, "dump-guest-memory", {"paging": False, "protocol": "file:" + fifo}, NXIO % fifo,
            "dump-guest-memory to a FIFO nobody reads")
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO after the errors")


def links(vm, q, want):
    tgt, link = vm.file("target"), vm.file("link")
    with open(tgt, "wb") as f:
        f.write(b"old" * 1000)
    os.symlink("target", link)
    for cmd in ("pmemsave", "memsave"):
        ok(q, cmd, {"val": 0, "size": 4096, "filename": link}, f"{cmd} to a symlink")
        check(os.path.islink(link) and os.readlink(link) == "target",
              f"{cmd}: the symlink is still a symlink", "target",
              os.readlink(link) if os.path.islink(link) else "a regular file")
        check(open(tgt, "rb").read() == want[:4096], f"{cmd}: its target has the data")
    dangling = vm.file("dangling")
    os.symlink("nowhere", dangling)
    refused(q, "pmemsave", {"val": 0, "size": 16, "filename": dangling},
            "Could not open '%s': No such file or directory" % dangling,
            "pmemsave to a symlink to nothing")
    check(not os.path.exists(vm.file("nowhere")), "nothing created behind a dangling link")
    # hard links: every name sees the new data
    h1, h2 = vm.file("h1"), vm.file("h2")
    with open(h1, "wb") as f:
        f.write(b"old" * 100000)
    os.link(h1, h2)
    ok(q, "pmemsave", {"val": 0, "size": 4096, "filename": h2}, "pmemsave to a hard link")
    check(os.path.samefile(h1, h2), "still one file with two names")
    check(open(h1, "rb").read() == want[:4096], "the other name sees the data")
    ok(q, "dump-guest-memory", {"paging": False, "protocol": "file:" + h1},
       "dump-guest-memory to a hard link")
    check(os.path.samefile(h1, h2) and open(h2, "rb").read(4) == b"\x7fELF",
          "dump: the other name sees the core")
    ok(q, "dump-guest-memory", {"paging": False, "protocol": "file:" + link},
       "dump-guest-memory to a symlink")
    check(os.path.islink(link) and open(tgt, "rb").read(4) == b"\x7fELF",
          "dump: the link stays, its target gets the core")


def mode_and_owner(vm, q, want):
    f = vm.file("mode")
    with open(f, "wb") as fh:
        fh.write(b"old")
    os.chmod(f, 0o640)
    owner = (4321, 8765) if os.geteuid() == 0 else None
    if owner:
        os.chown(f, *owner)
    for cmd in ("pmemsave", "memsave"):
        ok(q, cmd, {"val": 0, "size": 4096, "filename": f}, f"{cmd} over a 0640 file")
        st = os.stat(f)
        check(stat.S_IMODE(st.st_mode) == 0o640, f"{cmd}: the mode is kept", "0o640",
              oct(stat.S_IMODE(st.st_mode)))
        if owner:
            check((st.st_uid, st.st_gid) == owner, f"{cmd}: the owner is kept", owner,
                  (st.st_uid, st.st_gid))
        check(open(f, "rb").read() == want[:4096], f"{cmd}: the new data")
    ok(q, "dump-guest-memory", {"paging": False, "protocol": "file:" + f},
       "dump-guest-memory over a 0640 file")
    check(stat.S_IMODE(os.stat(f).st_mode) == 0o640, "dump: the mode is kept")
    leftovers = [n for n in os.listdir(vm.sockdir) if "." in n and not n.endswith(".sock")]
    check(leftovers == [], "no temporary file left", [], leftovers)


def test():
    with QVM("-m", "64", "-S") as vm:  # -S: RAM stays as loaded
        q = vm.qmp()
        ok(q, "pmemsave", {"val": 0, "size": SIZE, "filename": vm.file("ref")}, "reference")
        want = open(vm.file("ref"), "rb").read()
        os.unlink(vm.file("ref"))
        device_nodes(vm, q)
        fifos(vm, q, want)
        links(vm, q, want)
        mode_and_owner(vm, q, want)


run(test)
