"""QMP memsave/pmemsave: the demo guest's counter, bounds, errors without side effects, atomic files."""
import os
import re
import struct

from tvmm import QVM, check, guest, run

RAM = 64 << 20


def err(q, cmd, args, desc):
    r = q.command(cmd, args)
    want = {"error": {"class": "GenericError", "desc": desc}}
    check(r == want, f"{cmd} {args}", want, r)


def counter_while_paused(vm, q):
    vm.wait_output("heartbeat 2\r\n")
    q.command("stop")
    q.wait_event("STOP")
    vm._pump(0.5)
    seen = [int(n) for n in re.findall(rb"heartbeat (\d+)\r\n", vm.out)]
    path = vm.file("counter.bin")
    r = q.command("pmemsave", {"val": 0x500, "size": 4, "filename": path})
    check(r == {"return": {}}, "pmemsave", None, r)
    data = open(path, "rb").read()
    check(len(data) == 4, "pmemsave size", 4, len(data))
    value = struct.unpack("<I", data)[0]
    # the guest increments, then prints: paused in between, the next line shows the value
    check(value in (seen[-1], seen[-1] + 1), "counter at 0x500 = last heartbeat", seen[-1], value)
    r = q.command("memsave", {"val": 0x500, "size": 4, "filename": path + "v"})
    check(r == {"return": {}} and open(path + "v", "rb").read() == data,
          "memsave (paging off) = pmemsave", data, r)
    q.command("cont")
    q.wait_event("RESUME")
    if value == seen[-1] + 1:
        vm.wait_output(f"heartbeat {value}\r\n")
    # larger and odd sizes are exact
    for size in (1, 4096, 12345, (1 << 20) + 7):
        r = q.command("pmemsave", {"val": 0x1000, "size": size, "filename": path})
        check(r == {"return": {}} and os.path.getsize(path) == size, f"pmemsave size {size}",
              size, (r, os.path.getsize(path)))
    r = q.command("pmemsave", {"val": 0, "size": 0, "filename": vm.file("empty")})
    check(r == {"return": {}} and os.path.getsize(vm.file("empty")) == 0, "size 0: empty file")
    # the whole of RAM
    r = q.command("pmemsave", {"val": 0, "size": RAM, "filename": vm.file("all")})
    check(r == {"return": {}} and os.path.getsize(vm.file("all")) == RAM, "all of RAM")
    os.unlink(vm.file("all"))


def errors(vm, q):
    before = sorted(os.listdir(vm.sockdir))
    f = vm.file("bad.bin")
    inval = "Invalid addr 0x%016x/size %d specified"
    for cmd in ("pmemsave", "memsave"):
        err(q, cmd, {"val": 0, "size": -1, "filename": f}, inval % (0, -1))
        err(q, cmd, {"val": -1, "size": 4, "filename": f}, inval % (2**64 - 1, 4))
        err(q, cmd, {"val": 2**63 - 1, "size": 2, "filename": f}, inval % (2**63 - 1, 2))
        err(q, cmd, {"val": RAM - 2, "size": 4, "filename": f}, inval % (RAM - 2, 4))
        err(q, cmd, {"val": 0x3e800000000, "size": 16, "filename": f}, inval % (0x3e800000000, 16))
        err(q, cmd, {"val": 0, "size": 4, "filename": "/nonexistent/dir/f"},
            "Could not open '/nonexistent/dir/f': No such file or directory")
        r = q.command(cmd, {"val": 0, "size": 4, "filename": f + "\u0000x"})
        check("error" in r, f"{cmd}: a file name with NUL is refused", None, r)
        err(q, cmd, {"val": 0, "size": 4}, "Parameter 'filename' is missing")
        err(q, cmd, {"val": 0, "size": "4", "filename": f},
            "Invalid parameter type for 'size', expected: integer")
    err(q, "memsave", {"val": 0, "size": 4, "filename": f, "cpu-index": 1},
        "Parameter 'cpu-index' expects a CPU number")
    err(q, "memsave", {"val": 0, "size": 4, "filename": f, "cpu-index": -1},
        "Parameter 'cpu-index' expects a CPU number")
    check(sorted(os.listdir(vm.sockdir)) == before, "no file left by a failed save", before,
          sorted(os.listdir(vm.sockdir)))
    # an existing file is replaced whole, atomically
    with open(f, "wb") as fh:
        fh.write(b"z" * 100000)
    r = q.command("pmemsave", {"val": 0x500, "size": 4, "filename": f})
    check(r == {"return": {}} and os.path.getsize(f) == 4, "replaced by rename")
    check(sorted(os.listdir(vm.sockdir)) == sorted(before + ["bad.bin"]), "no temp file left")


def paging_source_present():
    lib = os.environ.get("PYTHONPATH", "").split(os.pathsep)[0]
    return os.path.exists(os.path.join(lib, "..", "..", "vmm", "paging.c"))


def memsave_virtual():
    """The pagetables guest maps virt 0x7000 -> phys 0x5000 and virt 0x8000 -> phys 0x3000."""
    with QVM("-flat", guest("pagetables")) as vm:
        q = vm.qmp()
        vm.wait_output("paging ready")
        f = vm.file("v.bin")
        r = q.command("memsave", {"val": 0x7000, "size": 16, "filename": f, "cpu-index": 0})
        check(r == {"return": {}}, "memsave", None, r)
        data = open(f, "rb").read()
        if not paging_source_present():
            print("note: vmm/paging.c not in this tree: memsave reads virt == phys")
            return
        check(data == b"PHYS-0x5000-DATA", "memsave translates through the page tables",
              b"PHYS-0x5000-DATA", data)
        # a range crossing from 0x7ff8 (-> 0x5ff8) into 0x8000 (-> 0x3000)
        r = q.command("memsave", {"val": 0x7ff8, "size": 24, "filename": f})
        data = open(f, "rb").read()
        check(data[8:] == b"PHYS-0x3000-DATA", "page by page", None, data)
        r = q.command("memsave", {"val": 0x40000000, "size": 4096, "filename": f})
        check(r == {"return": {}}, "memsave in a 2 MiB page", None, r)
        err(q, "memsave", {"val": 0x3e800000000, "size": 16, "filename": f},
            "Invalid addr 0x000003e800000000/size 16 specified")


def test():
    with QVM("-m", "64") as vm:
        q = vm.qmp()
        counter_while_paused(vm, q)
        errors(vm, q)
    memsave_virtual()


run(test)
