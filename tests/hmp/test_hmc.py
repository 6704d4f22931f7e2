"""human-monitor-command prints what the console prints; info registers and x/xp parsed as tools do."""
import os
import tempfile
import time

import tvmm
from tvmm import check


class Setup:
    def __init__(self, *extra, wait=b"heartbeat 1", smp="2"):
        self.dir = tempfile.mkdtemp(prefix="tvmm-hmp-")
        self.hsock = os.path.join(self.dir, "hmp.sock")
        self.qsock = os.path.join(self.dir, "qmp.sock")
        self.vm = tvmm.VM("-smp", smp, "-monitor", f"unix:{self.hsock},server=on,wait=off",
                          "-qmp", f"unix:{self.qsock},server=on,wait=off", *extra)
        self.vm.wait_output(wait)
        self.hmp = tvmm.HMP(self.hsock)
        self.qmp = tvmm.qmp_client(self.qsock)

    def hmc(self, line, cpu=None):
        args = {"command-line": line}
        if cpu is not None:
            args["cpu-index"] = cpu
        r = self.qmp.command("human-monitor-command", args)
        check("return" in r, f"human-monitor-command {line!r}", "return", r)
        return r["return"]

    def pmemsave(self, addr, size):
        path = os.path.join(self.dir, "pmem.bin")
        r = self.qmp.command("pmemsave", {"val": addr, "size": size, "filename": path})
        check(r == {"return": {}}, "pmemsave", {"return": {}}, r)
        with open(path, "rb") as f:
            return f.read()

    def close(self):
        self.hmp.close()
        self.qmp.close()
        self.vm.close()


LINES = ["info status", "info name", "info kvm", "info cpus", "info version", "info registers",
         "info registers -a", "info mtree", "info commands", "help", "help info", "help xp",
         "info", "xp /8wx 0x500", "x /4gx 0x1000", "xp /12bx 0x1000", "xp /3c 0x1000",
         "bogus", "info bogus", "memsave 0 16", "cpu 9", "xp /4z 0", "", "  ",
         "pmemsave 0 16 /nonexistent/dir/f", "x /1wx 0x7fffffffff000"]


def same_text():
    s = Setup("-name", "hmc")
    try:
        s.hmp.cmd("stop")  # registers and memory hold still
        for line in LINES:
            a = s.hmp.cmd(line)
            b = s.hmc(line)
            check(a == b, f"{line!r}: console and human-monitor-command agree", a, b)
        # cpu-index selects the vCPU as "cpu N" does on a console
        s.hmp.cmd("cpu 1")
        for line in ("info registers", "info cpus", "x /2wx 0x1000"):
            a = s.hmp.cmd(line)
            b = s.hmc(line, cpu=1)
            check(a == b, f"cpu 1 + {line!r} = cpu-index 1", a, b)
            check(a != s.hmc(line) or line.startswith("x"), f"{line!r} depends on the vCPU")
        # cpu N inside human-monitor-command lasts for that command only
        check(s.hmc("cpu 1") == "", "cpu 1 via QMP", "", s.hmc("cpu 1"))
        check(s.hmc("info cpus").startswith("* CPU #0"), "default vCPU again")
        # stop / cont through HMP produce QMP events, as QEMU
        s.hmc("cont")
        s.qmp.wait_event("RESUME")
        s.hmc("stop")
        s.qmp.wait_event("STOP")
    finally:
        s.close()


SEGS = ["ES", "CS", "SS", "DS", "FS", "GS", "LDT", "TR"]
GPRS = ["RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP", "R8", "R9", "R10", "R11",
        "R12", "R13", "R14", "R15", "RIP"]


def compare_registers(text, regs):
    cpus = tvmm.parse_info_registers(text)
    check(sorted(cpus) == sorted(r["cpu-index"] for r in regs), "CPU#N headers",
          [r["cpu-index"] for r in regs], sorted(cpus))
    for r in regs:
        p = cpus[r["cpu-index"]]
        if "RAX" in p:
            want = {n: r[n.lower()] for n in GPRS}
            want["RFL"] = r["rflags"]
        else:  # QEMU's 32-bit layout outside 64-bit mode
            want = {"E" + n[1:]: r[n.lower()] & 0xffffffff for n in GPRS[:8] + ["RIP"]}
            want["EFL"] = r["rflags"]
        want.update({"CPL": r["cpl"], "HLT": int(r["halted"]),
                     "CR0": r["cr0"], "CR2": r["cr2"], "CR3": r["cr3"], "CR4": r["cr4"],
                     "EFER": r["efer"]})
        for n in SEGS:
            sg = r[n.lower()]
            base = sg["base"] if "RAX" in p else sg["base"] & 0xffffffff
            want[n] = (sg["selector"], base, sg["limit"], sg["attrs"])
        for n in ("GDT", "IDT"):
            want[n] = (r[n.lower()]["base"], r[n.lower()]["limit"])
        for n, v in want.items():
            check(p.get(n) == v, f"CPU#{r['cpu-index']} {n}", v, p.get(n))


def registers_tool():
    for guest, wait in ((None, b"heartbeat 1"), ("pagetables", b"paging ready")):
        extra = ["-flat", tvmm.guest(guest)] if guest else []
        s = Setup(*extra, wait=wait)
        try:
            s.qmp.command("stop")
            regs = s.qmp.command("query-registers")["return"]
            check(len(regs) == 2, "query-registers lists 2 vCPUs", 2, len(regs))
            compare_registers(s.hmc("info registers -a"), regs)
            compare_registers(s.hmp.cmd("info registers -a"), regs)
            one = tvmm.parse_info_registers(s.hmc("info registers", cpu=1))[1]
            check(one["EIP"] == regs[1]["rip"], "info registers with cpu-index 1",
                  regs[1]["rip"], one["EIP"])
        finally:
            s.close()


def xp_tool():
    s = Setup()
    try:
        s.qmp.command("stop")
        for addr in (0x500, 0x1000, 0x1ff8):
            for n, unit, size in ((1, "w", 4), (4, "w", 4), (7, "w", 4), (16, "w", 4),
                                  (9, "b", 1), (5, "h", 2), (3, "g", 8)):
                text = s.hmc(f"xp /{n}{unit}x {addr:#x}")
                start, data = tvmm.parse_memory_dump(text)
                want = s.pmemsave(addr, n * size)
                check(start == addr, f"xp /{n}{unit}x {addr:#x} start", addr, start)
                check(data == want, f"xp /{n}{unit}x {addr:#x} bytes", want.hex(), data.hex())
        # the heartbeat counter moves while running, and xp (while running too) follows it
        before = tvmm.parse_memory_dump(s.hmc("xp /1wx 0x500"))[1]
        s.qmp.command("cont")
        end = time.monotonic() + tvmm.scaled(10)
        after = before
        while after == before and time.monotonic() < end:
            time.sleep(0.05)
            after = tvmm.parse_memory_dump(s.hmc("xp /1wx 0x500"))[1]
        s.qmp.command("stop")
        check(int.from_bytes(after, "little") > int.from_bytes(before, "little"),
              "the counter at 0x500 advanced", before.hex(), after.hex())
    finally:
        s.close()


def x_virtual():
    s = Setup("-flat", tvmm.guest("pagetables"), wait=b"paging ready")
    try:
        for virt, phys in ((0x7000, 0x5000), (0x8000, 0x3000), (0x40000000, 0x200000),
                           (0x80001000, 0x1000)):
            start, data = tvmm.parse_memory_dump(s.hmc(f"x /4wx {virt:#x}"))
            check(start == virt, f"x {virt:#x} start", virt, start)
            want = s.pmemsave(phys, 16)
            check(data == want, f"x {virt:#x} = phys {phys:#x}", want.hex(), data.hex())
        check(tvmm.parse_memory_dump(s.hmc("x /2gx 0x7000"))[1] == b"PHYS-0x5000-DATA",
              "pattern through the page tables")
        # vCPU 1 is parked in real mode: through it, virtual is physical
        start, data = tvmm.parse_memory_dump(s.hmc("x /4wx 0x7000", cpu=1))
        check(data == s.pmemsave(0x7000, 16), "x through vCPU 1", s.pmemsave(0x7000, 16), data)
        # memsave uses the console's selected vCPU, as QEMU's
        path = os.path.join(s.dir, "mem.bin")
        for cpu, phys in ((1, 0x7000), (0, 0x5000)):
            s.hmp.cmd(f"cpu {cpu}")
            out = s.hmp.cmd(f"memsave 0x7000 16 {path}")
            check(out == "", f"memsave with cpu {cpu}", "", out)
            with open(path, "rb") as f:
                got = f.read()
            check(got == s.pmemsave(phys, 16), f"memsave through vCPU {cpu}",
                  s.pmemsave(phys, 16), got)
        s.hmp.cmd("cpu 1")
        out = s.hmp.cmd("stop")  # a command without cpu-index, with vCPU 1 selected
        check(out == "", "stop with cpu 1", "", out)
        check(s.hmp.cmd("info status") == "VM status: paused\r\n", "paused with cpu 1")
        got = s.hmc("x /4wx 0x100000000000")
        check(got == "0000100000000000: Cannot access memory\r\n", "unmapped", "", got)
    finally:
        s.close()


def cpu_select():
    """cpu N on a console: the commands that take a vCPU (the schema's hmp "cpu", and x and
    info registers) use it; the others do not change."""
    s = Setup("-flat", tvmm.guest("pagetables"), wait=b"paging ready")
    try:
        s.qmp.command("stop")
        regs = s.qmp.command("query-registers")["return"]
        check(regs[0]["cr3"] != regs[1]["cr3"] or regs[0]["cr0"] != regs[1]["cr0"],
              "vCPU 0 pages, vCPU 1 does not", None, regs)
        others = ["xp /4wx 0x5000", "info status", "info mtree", "info kvm", "help gva2gpa",
                  f"pmemsave 0x5000 16 {os.path.join(s.dir, 'p.bin')}"]
        before = {line: s.hmp.cmd(line) for line in others}
        # vCPU 0 (long mode): virt 0x7000 -> phys 0x5000; vCPU 1 (real mode): identity
        for cpu, phys in ((1, 0x7000), (0, 0x5000), (1, 0x7000)):
            check(s.hmp.cmd(f"cpu {cpu}") == "", f"cpu {cpu}")
            got = s.hmp.cmd("gva2gpa 0x7000")
            check(got == f"gpa: {phys:#x}\r\n", f"gva2gpa with cpu {cpu}", f"gpa: {phys:#x}", got)
            start, data = tvmm.parse_memory_dump(s.hmp.cmd("x /4wx 0x7000"))
            check(data == s.pmemsave(phys, 16), f"x with cpu {cpu}", s.pmemsave(phys, 16), data)
            one = tvmm.parse_info_registers(s.hmp.cmd("info registers"))[cpu]
            check((one.get("RIP", one.get("EIP")), one["CR0"], one["CR3"]) ==
                  (regs[cpu]["rip"], regs[cpu]["cr0"], regs[cpu]["cr3"]),
                  f"info registers with cpu {cpu}", regs[cpu]["rip"], one)
            cpus = s.hmp.cmd("info cpus")
            check(f"* CPU #{cpu}:" in cpus, f"info cpus marks CPU #{cpu}", cpu, cpus)
            for line in others:
                got = s.hmp.cmd(line)
                check(got == before[line], f"{line!r} with cpu {cpu}", before[line], got)
        # the same through human-monitor-command's cpu-index
        check(s.hmc("gva2gpa 0x7000", cpu=1) == "gpa: 0x7000\r\n", "gva2gpa cpu-index 1")
        check(s.hmc("gva2gpa 0x7000", cpu=0) == "gpa: 0x5000\r\n", "gva2gpa cpu-index 0")
        check(s.hmc("info status", cpu=1) == "VM status: paused\r\n", "info status cpu-index 1")
    finally:
        s.close()


tvmm.main({"hmp-hmc-same-text": same_text, "hmp-registers-tool": registers_tool,
           "hmp-xp-tool": xp_tool, "hmp-x-virtual": x_virtual, "hmp-cpu-select": cpu_select})
