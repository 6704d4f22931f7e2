"""HMP text as QEMU 7.2 prints it, compared with recorded QEMU output (fixtures/): info registers
with the values masked in every CPU mode, x/xp byte for byte; and info registers read with
LibVMI's KVM driver rules."""
import os
import re
import time

import tvmm
from qemu_text import differences, fixture
from tvmm import check

MODES = ("real", "pm32", "long", "avx")  # pae: in the nested suite (qemu_text.py says why)


class Guest:
    """tinyvmm running cpumode-MODE.bin on 2 vCPUs, vCPU 0 halted with its values loaded."""

    def __init__(self, mode, *extra):
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="tvmm-qtext-")
        hsock = os.path.join(self.dir, "hmp.sock")
        qsock = os.path.join(self.dir, "qmp.sock")
        self.vm = tvmm.VM("-smp", "2", "-flat", tvmm.guest(f"cpumode-{mode}"),
                          "-monitor", f"unix:{hsock},server=on,wait=off",
                          "-qmp", f"unix:{qsock},server=on,wait=off", *extra)
        self.vm.wait_output(f"{mode} ready".encode())
        self.hmp = tvmm.HMP(hsock)
        self.qmp = tvmm.qmp_client(qsock)
        end = time.monotonic() + tvmm.scaled(20)
        while not self.regs()[0]["halted"] and time.monotonic() < end:
            time.sleep(0.05)
        check(self.regs()[0]["halted"], f"{mode}: vCPU 0 halted")
        self.qmp.command("stop")

    def regs(self):
        return self.qmp.command("query-registers")["return"]

    def close(self):
        self.hmp.close()
        self.qmp.close()
        self.vm.close()


def compare(what, want, got):
    for d in differences(what, want, got):
        check(False, *d)


def avx512_text():
    """QEMU 7.2's TCG has no AVX-512, so its text is the AVX fixture with x86_cpu_dump_state's
    AVX-512 lines in place of the YMM ones: "Opmask%02d=%016" four a line, then ZMM00-31 with
    eight quadwords each."""
    lines = fixture("avx.info-registers.txt").split("\r\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("YMM"))
    zero = "0" * 16
    avx512 = [" ".join(f"Opmask{i:02d}={zero}" for i in range(k, k + 4)) for k in (0, 4)]
    avx512 += [f"ZMM{i:02d}=" + " ".join([zero] * 8) for i in range(32)]
    return "\r\n".join(lines[:first] + avx512 + lines[first + 16:])


def loaded_values(mode, g):
    """The x87/SSE and debug values every cpumode guest loads (cpumode.h), in query-registers and
    unmasked in info registers."""
    r = g.regs()[0]
    got = (r["fcw"], r["fsw"], r["ftw"], r["mxcsr"], r["dr0"], r["dr3"], r["dr7"])
    want = (0x37f, 0x2800, 0xe0, 0x1f80, 0xd0000000, 0xd0000003, 0x400)
    check(got == want, f"{mode}: FCW FSW FTW MXCSR DR0 DR3 DR7", want, got)
    fpr = [(f["mantissa"], f["exponent"]) for f in r["fpr"][:3]]
    want = [(0xd49a784bcd1b8afe, 0x4000), (0xc90fdaa22168c235, 0x4000), (1 << 63, 0x3fff)]
    check(fpr == want, f"{mode}: ST0-ST2", want, fpr)
    for n in range(8):
        q = r["vector"][n]["q"][:2]
        want = [0x0101010101010101 * (n * 16), 0x0101010101010101 * (n * 16 + 1)]
        check(q == want, f"{mode}: XMM{n}", want, q)
    text = g.hmp.cmd("info registers")
    check("\r\nFCW=037f FSW=2800 [ST=5] FTW=e0 MXCSR=00001f80\r\n" in text,
          f"{mode}: the FCW line", "FCW=037f FSW=2800 [ST=5] FTW=e0 MXCSR=00001f80", text)


def registers_text():
    flags = set(re.search(r"^flags\s*:(.*)$", open("/proc/cpuinfo").read(), re.M).group(1).split())
    for mode in MODES + ("avx512",):
        need = {"avx": "avx", "avx512": "avx512f"}.get(mode)
        if need and need not in flags:  # e.g. the KVM bed's outer CPU model (qemu64 + SVM)
            print(f"note: {mode} guest not run: this CPU has no {need}")
            continue
        g = Guest(mode)
        try:
            loaded_values(mode, g)
            if mode == "avx512":
                compare("avx512 'info registers'", avx512_text(), g.hmp.cmd("info registers"))
                continue
            for name, line in (("info-registers", "info registers"),
                               ("info-registers-a", "info registers -a")):
                compare(f"{mode} {line!r}", fixture(f"{mode}.{name}.txt"), g.hmp.cmd(line))
        finally:
            g.close()


def memory_text():
    """x, xp and gva2gpa byte for byte as QEMU 7.2: fixtures/memory.txt on the real-mode guest
    (the bytes at 0x1000 are the guest image in both), fixtures/paging.txt through the long-mode
    guest's page tables, and x /i in each CPU mode (fixtures/MODE.disas.txt); each command after
    "(qemu) "."""
    for mode, names in (("real", ("memory.txt", "real.disas.txt")), ("pm32", ("pm32.disas.txt",)),
                        ("long", ("paging.txt", "long.disas.txt"))):
        g = Guest(mode)
        try:
            for name in names:
                for entry in fixture(name).split("(qemu) ")[1:]:
                    line, text = entry.split("\r\n", 1)
                    got = g.hmp.cmd(line)
                    check(got == text, f"{mode}: {line!r} as QEMU 7.2", text, got)
        finally:
            g.close()


def info_text():
    """info status/kvm/name/cpus/version, cpu N and error lines as QEMU 7.2 (fixtures/info.txt,
    QEMU under KVM with -name fixture); thread ids masked, info version as QEMU's shape."""
    g = Guest("real", "-name", "fixture")
    try:
        g.qmp.command("cont")
        v = g.qmp.command("query-version")["return"]
        for entry in fixture("info.txt").split("(qemu) ")[1:]:
            line, text = entry.split("\r\n", 1)
            got = g.hmp.cmd(line)
            if line == "info version":  # "7.2.22Debian 1:7.2+dfsg-7": micro, then the package
                check(re.fullmatch(r"7\.2\.\d+[^\d\s]\S* .*\r\n", text), "QEMU's shape", text)
                q = v["qemu"]
                text = f"{q['major']}.{q['minor']}.{q['micro']}{v['package']}\r\n"
            text, got = (re.sub(r"thread_id=\d+", "thread_id=N", t) for t in (text, got))
            check(got == text, f"{line!r} as QEMU 7.2", text, got)
    finally:
        g.close()


def parse_reg_value(name, text):
    """LibVMI's KVM driver (parse_reg_value): the first NAME anywhere, case-insensitive; skip
    NAME and one character ('='), then strtoull(, 16)."""
    at = text.lower().find(name.lower())
    if at < 0:
        return 0
    m = re.match(r"\s*([0-9a-fA-F]+)", text[at + len(name) + 1:])
    return int(m.group(1), 16) if m else 0


def parse_seg_reg_value(name, text, field):
    """LibVMI's parse_seg_reg_value: keyword "XX =" (or "XXX="), then a fixed offset: selector
    4, base 9, limit 26 and attributes 35 (its 8-digit-base offsets need the rest of the text
    to be 8 characters long, so they are never used)."""
    key = name[:3] + (" =" if len(name) == 2 else "=")
    at = text.lower().find(key.lower())
    if at < 0:
        return 0
    off = {"selector": 4, "base": 9, "limit": 26, "attrs": 35}[field]
    m = re.match(r"\s*([0-9a-fA-F]+)", text[at + off:])
    return int(m.group(1), 16) if m else 0


def libvmi_registers():
    """Every register LibVMI's KVM driver reads from info registers, from a real-mode, a 32-bit
    and a 64-bit guest, equals query-registers' value."""
    gprs = ["rax", "rbx", "rcx", "rdx", "rbp", "rsi", "rdi", "rsp"]
    for mode in ("real", "pm32", "long"):
        g = Guest(mode)
        try:
            text = g.hmp.cmd("info registers")
            r = g.regs()[0]
            ia32e = mode == "long"  # LibVMI's page mode VMI_PM_IA32E
            want = {n.upper(): r[n] for n in ("cr0", "cr2", "cr3", "cr4", "dr0", "dr1", "dr2",
                                               "dr3", "dr6", "dr7", "efer")}
            if ia32e:
                # R8 and R9: "R8 =" has a space; LibVMI reads 0 from QEMU's text as from ours
                want.update({n.upper(): r[n] for n in gprs + ["r10", "r11", "r12", "r13",
                                                              "r14", "r15", "rip"]})
                want["RFL"] = r["rflags"]
            else:
                want.update({"E" + n[1:].upper(): r[n] for n in gprs + ["rip"]})
                want["EFL"] = r["rflags"]
            for name, value in want.items():
                got = parse_reg_value(name, text)
                check(got == value, f"{mode}: LibVMI reads {name}", hex(value), hex(got))
            check(parse_reg_value("R8", text) == 0, f"{mode}: R8 as LibVMI reads QEMU's")
            fields = ["selector", "base"] + (["limit", "attrs"] if ia32e else [])
            for seg in ("cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt"):
                for field in fields:
                    got = parse_seg_reg_value(seg.upper(), text, field)
                    value = r[seg][field]
                    check(got == value, f"{mode}: LibVMI reads {seg} {field}", hex(value),
                          hex(got))
            for table in ("gdt", "idt"):
                for field in ["base"] + (["limit"] if ia32e else []):
                    got = parse_seg_reg_value(table.upper() + "R", text, field)
                    check(got == r[table][field], f"{mode}: LibVMI reads {table} {field}",
                          hex(r[table][field]), hex(got))
        finally:
            g.close()


def mtree_text():
    """info mtree with the devices QEMU's pc machine also has (-serial, -debugcon and
    isa-debug-exit, 128 MiB): every line of tinyvmm's is one of QEMU's, byte for byte, in QEMU's
    order (QEMU's PC has many more regions: ours are a subsequence of its lines). Not ECAM's:
    QEMU's pc (i440FX) has no MMCONFIG window; tinyvmm's is named as q35's, pcie-mmcfg-mmio."""
    import tempfile
    d = tempfile.mkdtemp(prefix="tvmm-mtree-")
    hsock = os.path.join(d, "hmp.sock")
    vm = tvmm.VM("-m", "128", "-debugcon", "null", "-monitor", f"unix:{hsock},server=on,wait=off")
    try:
        got = tvmm.HMP(hsock).cmd("info mtree").split("\r\n")
    finally:
        vm.close()
    want = [w for w in fixture("mtree.qemu-7.2.txt").split("\n") if not w.startswith("#")]
    it = iter(want)
    for line in (g for g in got if g and not g.endswith(": pcie-mmcfg-mmio")):
        check(any(line == w for w in it), "each line as one of QEMU 7.2's, in its order", line,
              "\n".join(got))
    check(got[:2] == want[3:5] and "memory-region: pc.ram" in got, "QEMU's blocks",
          want[3:5], got[:2])


tvmm.main({"hmp-qemu-registers-text": registers_text, "hmp-qemu-memory-text": memory_text,
           "hmp-qemu-info-text": info_text, "hmp-qemu-mtree-text": mtree_text,
           "hmp-libvmi-registers": libvmi_registers})
