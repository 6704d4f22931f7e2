"""HMP text as QEMU 7.2 prints it, compared with recorded QEMU output (fixtures/) with the values
masked, and info registers read with LibVMI's KVM driver rules, in every CPU mode."""
import os
import re
import time

import tvmm
from tvmm import check

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
MODES = ("real", "pm32", "long")


def mask(text):
    """The shape of a line without its values: hex after '=', hex columns, flag letters."""
    text = re.sub(r"=[0-9a-f]+", lambda m: "=" + "x" * (len(m.group(0)) - 1), text)
    text = re.sub(r"(?<= )[0-9a-f]{4,16}(?=[ \r])", lambda m: "x" * len(m.group(0)), text)
    return re.sub(r"\[[-A-Z]{3,7}\]", lambda m: "[" + "x" * (len(m.group(0)) - 2) + "]", text)


class Guest:
    """tinyvmm running cpumode-MODE.bin on 2 vCPUs, vCPU 0 halted with its values loaded."""

    def __init__(self, mode):
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="tvmm-qtext-")
        hsock = os.path.join(self.dir, "hmp.sock")
        qsock = os.path.join(self.dir, "qmp.sock")
        self.vm = tvmm.VM("-smp", "2", "-flat", tvmm.guest(f"cpumode-{mode}"),
                          "-monitor", f"unix:{hsock},server=on,wait=off",
                          "-qmp", f"unix:{qsock},server=on,wait=off")
        self.vm.wait_output(f"{mode} ready".encode())
        self.hmp = tvmm.HMP(hsock)
        self.qmp = tvmm.QMP(qsock)
        end = time.monotonic() + tvmm.scaled(20)
        while not self.regs()[0]["halted"] and time.monotonic() < end:
            time.sleep(0.05)
        check(self.regs()[0]["halted"], f"{mode}: vCPU 0 halted")
        self.qmp.cmd("stop")

    def regs(self):
        return self.qmp.cmd("query-registers")["return"]

    def close(self):
        self.hmp.close()
        self.qmp.close()
        self.vm.close()


def fixture(name):
    with open(os.path.join(FIXTURES, name), newline="") as f:
        return f.read()


def registers_text():
    for mode in MODES:
        g = Guest(mode)
        try:
            for name, line in (("info-registers", "info registers"),
                               ("info-registers-a", "info registers -a")):
                want = fixture(f"{mode}.{name}.txt")
                got = g.hmp.cmd(line)
                wl, gl = mask(want).split("\r\n"), mask(got).split("\r\n")
                for i, (w, r) in enumerate(zip(wl, gl)):
                    check(w == r, f"{mode} {line!r} line {i + 1} as QEMU 7.2", w, r)
                check(len(wl) == len(gl), f"{mode} {line!r}: as many lines as QEMU 7.2",
                      len(wl), len(gl))
        finally:
            g.close()


tvmm.main({"hmp-qemu-registers-text": registers_text})
