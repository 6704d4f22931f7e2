"""dump-guest-memory: ELF64 cores that readelf and gdb read, detached dumps, errors, HMP."""
import atexit
import os
import shutil
import re
import struct
import subprocess
import tempfile
import time

from tvmm import VM, check, main, qmp_client, scaled, send_raw

RAM = 128 << 20
tmp = tempfile.mkdtemp(prefix="tvmm-dump-")
atexit.register(shutil.rmtree, tmp, True)


def start(name, *args):
    sock = os.path.join(tmp, name + "-q.sock")
    vm = VM("-qmp", "unix:%s,server=on,wait=off" % sock, *args)
    vm.wait_output("heartbeat 1")
    return vm, qmp_client(sock)


def ok(q, cmd, args=None):
    r = q.command(cmd, args)
    check(r.get("return") is not None, cmd, "a return", r)
    return r["return"]


def segments(core):
    """[(offset, paddr, vaddr, filesz)] of the PT_LOADs, parsed by hand."""
    with open(core, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phnum, = struct.unpack_from("<H", eh, 56)
        f.seek(phoff)
        out = []
        for _ in range(phnum):
            typ, flags, off, vaddr, paddr, filesz, memsz, align = struct.unpack("<IIQQQQQQ",
                                                                                 f.read(56))
            if typ == 1:
                out.append((off, paddr, vaddr, filesz))
        return out


def core_bytes(core, addr, size):
    for off, paddr, _, filesz in segments(core):
        if paddr <= addr and addr + size <= paddr + filesz:
            with open(core, "rb") as f:
                f.seek(off + addr - paddr)
                return f.read(size)
    return None


def readelf(core):
    r = subprocess.run(["readelf", "-h", "-l", "-n", "-W", core], capture_output=True, text=True)
    check(r.returncode == 0 and not r.stderr, "readelf -a exits cleanly", "", r.stderr)
    return r.stdout


def dump_elf():
    vm, q = start("elf", "-smp", "2")
    with vm:
        core = os.path.join(tmp, "core.elf")
        ok(q, "stop")
        q.pending.clear()
        ok(q, "dump-guest-memory", {"paging": False, "protocol": "file:" + core})
        check(not [e for e in q.pending if e["event"] in ("STOP", "RESUME")],
              "no STOP/RESUME when already paused", [], q.pending)
        done = [e for e in q.pending if e["event"] == "DUMP_COMPLETED"]
        want = {"result": {"status": "completed", "completed": RAM, "total": RAM}}
        check(done and done[0]["data"] == want, "DUMP_COMPLETED", want, done)
        check(os.path.getsize(core) > RAM, "core size", "> RAM", os.path.getsize(core))
        left = [f for f in os.listdir(tmp) if f.startswith("core.elf.")]
        check(not left, "no temp file left", [], left)

        text = readelf(core)
        for want in ("Type:                              CORE (Core file)",
                     "Machine:                           Advanced Micro Devices X86-64"):
            check(want in text, "readelf header", want, text[:800])
        loads = re.findall(r"^\s+LOAD\s+(0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) "
                           r"(0x[0-9a-f]+) (0x[0-9a-f]+)", text, re.M)
        check(len(loads) == 1, "one PT_LOAD for 128 MiB of RAM", 1, loads)
        check([int(x, 16) for x in loads[0][1:]] == [0, 0, RAM, RAM],
              "PT_LOAD vaddr, paddr, filesz, memsz", [0, 0, RAM, RAM], loads[0])
        check(len(re.findall(r"^\s+NOTE\s", text, re.M)) == 1, "one PT_NOTE", 1, text)
        prs = re.findall(r"CORE\s+0x0*150\s+NT_PRSTATUS", text)
        check(len(prs) == 2, "one NT_PRSTATUS per vCPU", 2, text)
        check(len(re.findall(r"QEMU\s+0x0*1b8", text)) == 2, "one QEMU note per vCPU", 2, text)

        # the heartbeat counter in the core equals pmemsave's bytes (paused: stable)
        saved = os.path.join(tmp, "pmemsave.bin")
        ok(q, "pmemsave", {"val": 0x500, "size": 16, "filename": saved})
        want = open(saved, "rb").read()
        got = core_bytes(core, 0x500, 16)
        check(got == want, "core bytes at 0x500 equal pmemsave's", want, got)
        check(struct.unpack("<I", got[:4])[0] >= 1, "the heartbeat counter is in the core")
        # and a larger stretch: the guest image
        ok(q, "pmemsave", {"val": 0, "size": 0x10000, "filename": saved})
        check(core_bytes(core, 0, 0x10000) == open(saved, "rb").read(), "first 64 KiB")

        # gdb reads the same bytes by address, and the registers of both threads
        g = subprocess.run(["gdb", "-nx", "-batch", "-ex", "x/16xb 0x500", "-ex", "info threads",
                            "-ex", "info registers rip", "-c", core],
                           capture_output=True, text=True, timeout=60)
        gb = re.findall(r"0x([0-9a-f]{2})\b", "\n".join(
            line.split(":", 1)[1] for line in g.stdout.splitlines() if line.startswith("0x50")))
        check(bytes(int(b, 16) for b in gb) == want, "gdb -c reads the same bytes", want, g.stdout)
        check(set(re.findall(r"LWP [12]\b", g.stdout)) == {"LWP 1", "LWP 2"},
              "gdb sees two threads (pids 1, 2)",
              "LWP 1, LWP 2", g.stdout)
        regs = ok(q, "query-registers", {"cpu-index": 0})
        rip = regs[0]["rip"] if isinstance(regs, list) else regs["rip"]
        check(re.search(r"rip\s+0x%x\b" % rip, g.stdout), "gdb's rip is vCPU 0's", hex(rip),
              g.stdout)
        ok(q, "cont")


def holes_supported(d):
    """Whether the filesystem of directory d reports holes (SEEK_HOLE) in a sparse file."""
    probe = os.path.join(d, "hole-probe")
    with open(probe, "wb") as f:
        f.truncate(1 << 20)
    fd = os.open(probe, os.O_RDONLY)
    try:
        return os.lseek(fd, 0, os.SEEK_HOLE) == 0
    except OSError:
        return False
    finally:
        os.close(fd)
        os.unlink(probe)


def has_hole(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.lseek(fd, 0, os.SEEK_HOLE) < os.fstat(fd).st_size
    finally:
        os.close(fd)


def dump_sparse():
    """All-zero pages are left out as holes: cores and pmemsave files read back byte for byte
    the same as RAM (zero pages, the guest's own pages, a zero tail, unaligned ranges)."""
    vm, q = start("sparse")
    with vm:
        core = os.path.join(tmp, "sparse.elf")
        saved = os.path.join(tmp, "sparse.bin")
        ok(q, "stop")
        ok(q, "dump-guest-memory", {"paging": False, "protocol": "file:" + core})
        ok(q, "pmemsave", {"val": 0, "size": RAM, "filename": saved})
        ram = open(saved, "rb").read()
        check(len(ram) == RAM, "pmemsave of all RAM: its size", RAM, len(ram))
        check(any(ram[:0x10000]) and not any(ram[-0x100000:]),
              "the demo guest's pages are non-zero, RAM's end is zero")
        off = segments(core)[0][0]
        with open(core, "rb") as f:
            f.seek(off)
            check(f.read() == ram, "the core's PT_LOAD data equals pmemsave's bytes")
        check(os.path.getsize(core) == off + RAM, "core size: headers + RAM", off + RAM,
              os.path.getsize(core))
        if holes_supported(tmp):
            check(has_hole(core) and has_hole(saved), "the core and the pmemsave file are sparse")
            used = os.stat(core).st_blocks * 512
            check(used < RAM // 4, "a mostly-zero guest's core takes little disk", "< RAM / 4",
                  used)
        # unaligned ranges with a zero page inside and a zero tail
        for val, size in [(0x4ff, 0x3003), (0xfff, 0x2002), (0x1ffff0, 0x2010),
                          (RAM - 0x1001, 0x1001)]:
            ok(q, "pmemsave", {"val": val, "size": size, "filename": saved})
            got = open(saved, "rb").read()
            check(got == ram[val:val + size], f"pmemsave 0x{val:x}+0x{size:x} reads back", size,
                  len(got))
            ok(q, "dump-guest-memory", {"paging": False, "protocol": "file:" + core,
                                        "begin": val, "length": size})
            check(core_bytes(core, val, size) == ram[val:val + size],
                  f"filtered dump 0x{val:x}+0x{size:x} reads back")
        readelf(core)
        ok(q, "cont")


def dump_detached():
    vm, q = start("det")
    with vm:
        core = os.path.join(tmp, "det.elf")
        r = ok(q, "query-dump")
        check(r == {"status": "none", "completed": 0, "total": 0}, "query-dump before any dump",
              None, r)
        q.pending.clear()
        ok(q, "dump-guest-memory", {"paging": False, "protocol": "file:" + core, "detach": True})
        r = ok(q, "query-dump")
        check(r["status"] in ("active", "completed") and r["total"] == RAM, "query-dump during",
              "active or completed, total RAM", r)
        e = q.wait_event("DUMP_COMPLETED", timeout=scaled(60))
        want = {"result": {"status": "completed", "completed": RAM, "total": RAM}}
        check(e["data"] == want, "DUMP_COMPLETED", want, e)
        q.wait_event("RESUME")
        names = [x["event"] for x in q.pending]
        check(names[:1] == ["STOP"], "STOP before the dump", ["STOP"], names)
        r = ok(q, "query-dump")
        check(r == want["result"], "query-dump after", want["result"], r)
        r = ok(q, "query-status")
        check(r["status"] == "running", "running again", "running", r)
        check(segments(core) and segments(core)[0][1:] == (0, 0, RAM), "detached core's PT_LOAD")
        hb = int(vm.out.split(b"heartbeat ")[-1].split()[0])
        vm.wait_output("heartbeat %d" % (hb + 1))
        # a second detached dump while paused stays paused
        ok(q, "stop")
        q.pending.clear()
        ok(q, "dump-guest-memory", {"paging": False, "protocol": "file:" + core, "detach": True})
        q.wait_event("DUMP_COMPLETED", timeout=scaled(60))
        time.sleep(0.2)
        check(ok(q, "query-status")["status"] == "paused", "still paused after the dump")
        check(not [x for x in q.pending if x["event"] in ("STOP", "RESUME")], "no STOP/RESUME")
        ok(q, "cont")
        os.unlink(core)
    # quitting in the middle of a detached dump (of 1 GiB) leaves no file and no crash
    vm, q = start("det-quit", "-m", "1G")
    with vm:
        core2 = os.path.join(tmp, "det2.elf")
        ok(q, "dump-guest-memory", {"paging": False, "protocol": "file:" + core2, "detach": True})
        send_raw(q, '{"execute": "quit"}')
        code = vm.wait_exit()
        check(code == 0, "tinyvmm exits cleanly after quit during a dump", 0,
              (code, vm.err[-3000:].decode(errors="replace")))
        left = [f for f in os.listdir(tmp) if f.startswith("det2.elf.")]
        check(not left, "no temp file left after quit", [], left)


def dump_filter():
    vm, q = start("flt")
    with vm:
        core = os.path.join(tmp, "flt.elf")
        ok(q, "stop")
        ok(q, "dump-guest-memory", {"paging": False, "protocol": "file:" + core,
                                    "begin": 0x400, "length": 0x1000})
        segs = segments(core)
        check([s[1:] for s in segs] == [(0x400, 0x400, 0x1000)], "one PT_LOAD 0x400+0x1000",
              [(0x400, 0x400, 0x1000)], segs)
        saved = os.path.join(tmp, "flt.bin")
        ok(q, "pmemsave", {"val": 0x400, "size": 0x1000, "filename": saved})
        check(core_bytes(core, 0x400, 0x1000) == open(saved, "rb").read(), "filtered bytes")
        r = ok(q, "query-dump")
        check(r == {"status": "completed", "completed": 0x1000, "total": 0x1000},
              "query-dump after a filtered dump", None, r)
        # a range past the end of RAM is cut at the end
        ok(q, "dump-guest-memory", {"paging": False, "protocol": "file:" + core,
                                    "begin": RAM - 0x1000, "length": 0x100000})
        check([s[1:] for s in segments(core)] == [(RAM - 0x1000, RAM - 0x1000, 0x1000)],
              "range cut at the end of RAM")


def dump_errors():
    vm, q = start("err")
    with vm:
        base = {"paging": False, "protocol": "file:" + os.path.join(tmp, "e.elf")}
        cases = [
            ({"protocol": "fd:myfd"}, "File descriptor named 'myfd' has not been found"),
            ({"protocol": "tcp:localhost:4444"}, "Parameter 'protocol' expects file or fd"),
            ({"protocol": "file:/nonexistent/dir/core"},
             "Could not open '/nonexistent/dir/core': No such file or directory"),
            ({"begin": 0}, "Parameter 'length' is missing"),
            ({"length": 4096}, "Parameter 'begin' is missing"),
            ({"begin": 0, "length": 0}, "Invalid parameter 'length'"),
            ({"begin": RAM, "length": 4096}, "Invalid parameter 'begin'"),
            ({"format": "kdump-zlib"}, "Dump format 'kdump-zlib' is not supported"),
            ({"paging": True}, None),
        ]
        for extra, desc in cases:
            r = q.command("dump-guest-memory", dict(base, **extra))
            check("error" in r and (desc is None or r["error"]["desc"] == desc),
                  f"dump-guest-memory {extra}", desc, r)
        r = q.command("dump-guest-memory", {"protocol": "file:/tmp/x"})
        check(r.get("error", {}).get("desc") == "Parameter 'paging' is missing",
              "paging is mandatory", "Parameter 'paging' is missing", r)
        check(not os.path.exists(os.path.join(tmp, "e.elf")), "no file after errors")
        check(ok(q, "query-status")["status"] == "running", "still running after errors")
        r = ok(q, "query-dump-guest-memory-capability")
        check(r == {"formats": ["elf"]}, "capability", {"formats": ["elf"]}, r)
        # a dump already running: the second is refused
        ok(q, "dump-guest-memory", dict(base, detach=True))
        r = q.command("dump-guest-memory", base)
        if "error" in r:  # unless the first one already finished
            check(r["error"]["desc"] == "There is a dump in process, please wait.",
                  "second dump", None, r)
        q.wait_event("DUMP_COMPLETED", timeout=scaled(60))
        # a failing write (a full filesystem) leaves nothing behind
        if os.path.exists("/dev/full"):
            pass  # rename() needs a directory; /dev/full cannot be the target's directory


def dump_hmp():
    vm, q = start("hmp")
    with vm:
        core = os.path.join(tmp, "hmp.elf")
        r = ok(q, "human-monitor-command", {"command-line": "info dump"})
        check(r == "Status: none\r\n", "info dump before", "Status: none\r\n", r)
        r = ok(q, "human-monitor-command", {"command-line": "dump-guest-memory " + core})
        check(r == "", "HMP dump-guest-memory", "", r)
        check(segments(core)[0][1:] == (0, 0, RAM), "HMP core")
        r = ok(q, "human-monitor-command", {"command-line": "info dump"})
        check(r == "Status: completed\r\n", "info dump after", "Status: completed\r\n", r)
        r = ok(q, "human-monitor-command",
               {"command-line": "dump-guest-memory %s 0x1000 0x2000" % core})
        check([s[1:] for s in segments(core)] == [(0x1000, 0x1000, 0x2000)], "HMP begin length")
        q.pending.clear()
        r = ok(q, "human-monitor-command", {"command-line": "dump-guest-memory -d " + core})
        q.wait_event("DUMP_COMPLETED", timeout=scaled(60))
        q.wait_event("RESUME")
        r = ok(q, "human-monitor-command", {"command-line": "dump-guest-memory -p " + core})
        check(r.startswith("Error: "), "HMP -p", "Error: ...", r)
        r = ok(q, "query-status")
        check(r["status"] == "running", "running after HMP dumps", "running", (r, q.pending))


if __name__ == "__main__":
    main({"dump-elf": dump_elf, "dump-detached": dump_detached, "dump-filter": dump_filter,
          "dump-errors": dump_errors, "dump-hmp": dump_hmp, "dump-sparse": dump_sparse})
