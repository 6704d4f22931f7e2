"""gva2gpa and memsave against the pagetables guest's known map (4 KiB, 2 MiB, 1 GiB pages)."""
import atexit
import os
import shutil
import tempfile

from tvmm import VM, check, guest, main, qmp_client

# virtual -> physical in tests/guests/pagetables.S
KNOWN_MAP = [
    (0x0, 0x0),                  # 4 KiB identity
    (0x1234, 0x1234),
    (0x7000, 0x5000),            # 4 KiB, non-identity
    (0x7abc, 0x5abc),
    (0x8000, 0x3000),
    (0x8fff, 0x3fff),
    (0x9000, 0x9000),
    (0x1ff123, 0x1ff123),        # last page of PT0
    (0x40000000, 0x200000),      # 2 MiB page
    (0x401ffff8, 0x3ffff8),
    (0x80000000, 0x0),           # 1 GiB page
    (0x80000500, 0x500),
    (0xbfffffff, 0x3fffffff),
]
UNMAPPED = [0x200000, 0x40200000, 0xc0000000, 0x8000000000, 0xffff800000000000,
            0x0000800000000000]  # PD0[1], PD1[1], PDPT[3], PML4[1], high half, non-canonical


_tmp = tempfile.mkdtemp(prefix="tvmm-gva-")
atexit.register(shutil.rmtree, _tmp, True)


def tmp():
    return _tmp


def pagetables_vm():
    sock = os.path.join(tmp(), "q-pt.sock")
    vm = VM("-flat", guest("pagetables"), "-qmp", "unix:%s,server=on,wait=off" % sock)
    vm.wait_output("paging ready")
    return vm, qmp_client(sock)


def gva2gpa_pagetables():
    vm, q = pagetables_vm()
    with vm:
        for gva, gpa in KNOWN_MAP:
            r = q.command("x-gva2gpa", {"addr": gva})
            check(r == {"return": {"mapped": True, "gpa": gpa}}, f"x-gva2gpa 0x{gva:x}", gpa, r)
            r = q.command("x-gva2gpa", {"addr": gva, "cpu-index": 0})
            check(r == {"return": {"mapped": True, "gpa": gpa}}, f"x-gva2gpa 0x{gva:x} cpu 0", gpa, r)
            out = q.command("human-monitor-command", {"command-line": f"gva2gpa 0x{gva:x}"})
            want = "gpa: %s\r\n" % (f"0x{gpa:x}" if gpa else "0")  # QEMU prints with %#
            check(out == {"return": want}, f"HMP gva2gpa 0x{gva:x}", want, out)
        for gva in UNMAPPED:
            r = q.command("x-gva2gpa", {"addr": gva})
            want = {"return": {"mapped": False}}
            check(r == want, f"x-gva2gpa 0x{gva:x} (unmapped)", want, r)
            out = q.command("human-monitor-command", {"command-line": f"gva2gpa 0x{gva:x}"})
            want = {"return": "Unmapped\r\n"}  # QEMU's exact line
            check(out == want, f"HMP gva2gpa 0x{gva:x}", want, out)
        r = q.command("x-gva2gpa", {"addr": 0, "cpu-index": 1})
        want = {"error": {"class": "GenericError",
                          "desc": "Parameter 'cpu-index' expects a CPU number"}}
        check(r == want, "x-gva2gpa on a missing vCPU", want, r)
        # the same while paused, and the guest is still fine after
        check(q.command("stop") == {"return": {}}, "stop")
        r = q.command("x-gva2gpa", {"addr": 0x40000010})
        check(r == {"return": {"mapped": True, "gpa": 0x200010}}, "x-gva2gpa while paused", 0x200010, r)
        check(q.command("cont") == {"return": {}}, "cont")
        r = q.command("query-status")
        check(r["return"]["status"] == "running", "running after gva2gpa", "running", r)


def gva2gpa_paging_off():
    """The demo guest runs in real mode: virtual == physical (no 32-bit wrap, as QEMU)."""
    sock = os.path.join(tmp(), "q-demo.sock")
    with VM("-qmp", "unix:%s,server=on,wait=off" % sock) as vm:
        vm.wait_output("heartbeat 1")
        q = qmp_client(sock)
        for gva, gpa in [(0, 0), (0x500, 0x500), (0xfffff000, 0xfffff000),
                         (0x100000500, 0x100000500)]:
            r = q.command("x-gva2gpa", {"addr": gva})
            check(r == {"return": {"mapped": True, "gpa": gpa}}, f"x-gva2gpa 0x{gva:x} (paging off)", gpa, r)


def memsave_noncontiguous():
    """memsave of virtual 0x7000-0x8fff reads physical 0x5000 then 0x3000."""
    vm, q = pagetables_vm()
    with vm:
        f_virt = os.path.join(tmp(), "virt.bin")
        f5 = os.path.join(tmp(), "p5.bin")
        f3 = os.path.join(tmp(), "p3.bin")
        for cmd, args in [("memsave", {"val": 0x7000, "size": 0x2000, "filename": f_virt}),
                          ("pmemsave", {"val": 0x5000, "size": 0x1000, "filename": f5}),
                          ("pmemsave", {"val": 0x3000, "size": 0x1000, "filename": f3})]:
            r = q.command(cmd, args)
            check(r == {"return": {}}, cmd, {"return": {}}, r)
        virt = open(f_virt, "rb").read()
        check(len(virt) == 0x2000, "memsave size", 0x2000, len(virt))
        check(virt[:16] == b"PHYS-0x5000-DATA", "pattern at virtual 0x7000", b"PHYS-0x5000-DATA",
              virt[:16])
        check(virt[0x1000:0x1010] == b"PHYS-0x3000-DATA", "pattern at virtual 0x8000",
              b"PHYS-0x3000-DATA", virt[0x1000:0x1010])
        phys = open(f5, "rb").read() + open(f3, "rb").read()
        check(virt == phys, "memsave 0x7000+0x2000 equals pmemsave 0x5000 + 0x3000 pages")
        # straddling into an unmapped page fails as QEMU's does
        r = q.command("memsave", {"val": 0x1ff000, "size": 0x2000, "filename": f_virt + "2"})
        check("error" in r and not os.path.exists(f_virt + "2"), "memsave into an unmapped page",
              "an error and no file", r)


if __name__ == "__main__":
    main({"gva2gpa-pagetables": gva2gpa_pagetables, "gva2gpa-paging-off": gva2gpa_paging_off,
          "memsave-noncontiguous": memsave_noncontiguous})
