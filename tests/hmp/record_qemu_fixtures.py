#!/usr/bin/env python3
"""Records QEMU 7.2's HMP text into tests/hmp/fixtures/: info registers [-a] and x /i for the
cpumode-* test guests (not cpumode-avx512: QEMU 7.2's TCG has no AVX-512, and its KVM here is too limited),
x/xp/gva2gpa (memory.txt, paging.txt) and the other info commands and error lines (info.txt).

Not a test: run by hand with QEMU installed (qemu-system-x86_64), after building the guests:
    tests/hmp/record_qemu_fixtures.py build/tests/guests
QEMU runs the same flat image tinyvmm runs: loaded at 0x1000 with -device loader, entered in real
mode at 0000:1000 from a 64 KiB -bios image whose reset vector is "ljmp $0,$0x1000".
"""
import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# guest -> QEMU's extra options (AVX needs a CPU model with it; TCG in 7.2 has AVX, not AVX-512)
# (pae: this project's host KVM triple-faults on PAE paging outside long mode, so tinyvmm's text
# for it is compared in the nested suite, tests/nested/cases.py)
MODES = {"real": [], "pm32": [], "pae": [], "long": [], "avx": ["-cpu", "max"]}
COMMANDS = {"info-registers": "info registers", "info-registers-a": "info registers -a"}
# x and xp in every format and unit, with and without them (QEMU keeps the last ones given);
# recorded once, from the real-mode guest: the bytes at 0x1000 are the image's
MEMORY = ["xp /4wx 0x1000", "xp /2gx 0x1000", "xp /3c 0x1000", "x /2hd 0x1000", "xp /5bo 0x1000",
          "xp /2xu 0x1000", "xp /20bx 0x1000", "xp /3hx 0x1000", "xp /2wd 0x1000",
          "xp /2wu 0x1000", "xp /2wo 0x1000", "xp /3gd 0x1000", "xp /3go 0x1000",
          "xp /3gu 0x1000", "xp /9hd 0x1000", "xp /4cb 0x1000", "xp/2x 0x1000", "xp 0x1000",
          "x /2 0x1000", "xp /5hc 0x1000", "x /17bu 0x1003", "xp /3wx 0x100c", "x /2gx 0x1001",
          "gva2gpa 0x1000"]
# x and gva2gpa through the long-mode guest's page tables (identity 2 MiB), xp past RAM's end
PAGING = ["gva2gpa 0x1000", "gva2gpa 0x400000", "x /2wx 0x400000", "x /4wx 0x1ffff8",
          "xp /2wx 0x7fffff8", "xp /2wx 0x8000000", "xp /2wx 0xfffffffffffffff8",
          "x /2wx 0xffff800000000000", "gva2gpa 0xffff800000000000", "x /1gx 0x12345",
          "gva2gpa 0x12345"]
# x /i and xp /i (capstone, as QEMU's monitor) in each CPU mode: 16-, 32- and 64-bit code, an
# instruction longer than a line of bytes, an invalid byte, unreadable memory, the sticky format
DISAS = {"real": ["x /6i 0x1000", "xp /2i 0x1000", "x /2ib 0x1004", "x 0x1000", "x /0i 0x1002"],
         "pm32": ["x /6i 0x1000", "xp /2i 0x1000", "x /3i 0x10c2", "x /2wx 0x1000"],
         "long": ["x /3i 0x1120", "x /2i 0x111c", "x /i 0xffff800000000000", "x /3i 0x7fffffe",
                  "xp /2i 0x7fffffe", "x /2xi 0x1000", "x /2 0x1000"]}
# the other info commands and error lines, with -name fixture
INFO = ["info status", "stop", "info status", "cont", "info status", "info kvm", "info name",
        "info cpus", "cpu 1", "info cpus", "cpu 0", "info version", "bogus", "info bogus",
        "cpu 9", "info registers 5", "help info registers", "help cpu", "help nonexist",
        "xp /4z 0", "memsave 0 16", "memsave", "pmemsave 0 16 f extra", "info registers -b",
        "cpu", "cpu abc", "xp", "x /4w", "gva2gpa", "gva2gpa zz", "stop now", "s now",
        "memsave 0 abc f", "info registers extra", "xp 0x10 0x20", "info status x",
        "memsave 0 16 \"unterminated", "cpu 1 2", "xp /4wx abc"]


def bios(path):
    image = bytearray(b"\xf4" * 0x10000)
    image[0xfff0:0xfff5] = b"\xea\x00\x10\x00\x00"  # ljmp $0x0000, $0x1000
    with open(path, "wb") as f:
        f.write(image)


class Monitor:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        for _ in range(100):
            try:
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        self.buf = b""
        self.read_prompt()

    def read_prompt(self):
        while b"(qemu) " not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QEMU closed the monitor")
            self.buf += data
        text, self.buf = self.buf.split(b"(qemu) ", 1)
        return text.decode()

    def cmd(self, line):
        self.sock.sendall(line.encode() + b"\n")
        text = self.read_prompt()
        # the monitor's readline echoes the line with terminal escapes, up to its "\r\n"
        return text.split("\r\n", 1)[1]


@contextlib.contextmanager
def qemu(guests, mode, accel, options):
    """QEMU running cpumode-MODE.bin until vCPU 0 halts; yields its monitor."""
    tmp = tempfile.mkdtemp(prefix="qemu-fixture-")
    bios(os.path.join(tmp, "bios.bin"))
    mon = os.path.join(tmp, "mon.sock")
    serial = os.path.join(tmp, "serial.txt")
    proc = subprocess.Popen(
        ["qemu-system-x86_64", "-accel", accel, "-display", "none", "-nodefaults", "-smp", "2",
         "-m", "128", "-bios", os.path.join(tmp, "bios.bin"),
         "-device", f"loader,file={guests}/cpumode-{mode}.bin,addr=0x1000,force-raw=on",
         "-serial", f"file:{serial}", "-monitor", f"unix:{mon},server=on,wait=off"] + options)
    try:
        m = Monitor(mon)
        for _ in range(200):
            if re.search(r"HLT=1", m.cmd("info registers")):
                break
            time.sleep(0.05)
        with open(serial) as f:
            assert f"{mode} ready" in f.read(), f"{mode}: the guest did not start"
        yield m
        m.sock.sendall(b"quit\n")
        proc.wait(10)
    finally:
        proc.kill()
        proc.wait()


def transcript(m, path, lines):
    with open(path, "w", newline="") as f:
        f.write("".join(f"(qemu) {line}\r\n" + m.cmd(line) for line in lines))


def main():
    guests = sys.argv[1] if len(sys.argv) > 1 else "build/tests/guests"
    out_dir = os.path.join(HERE, "fixtures")
    os.makedirs(out_dir, exist_ok=True)
    for mode, options in MODES.items():
        with qemu(guests, mode, "tcg", options) as m:
            for name, line in COMMANDS.items():
                with open(os.path.join(out_dir, f"{mode}.{name}.txt"), "w", newline="") as f:
                    f.write(m.cmd(line))
            if mode in DISAS:
                transcript(m, os.path.join(out_dir, f"{mode}.disas.txt"), DISAS[mode])
            if mode == "real":
                transcript(m, os.path.join(out_dir, "memory.txt"), MEMORY)
            if mode == "long":
                transcript(m, os.path.join(out_dir, "paging.txt"), PAGING)
    # under KVM, as tinyvmm (TCG's info kvm says disabled); the real-mode guest runs there
    with qemu(guests, "real", "kvm", ["-name", "fixture"]) as m:
        transcript(m, os.path.join(out_dir, "info.txt"), INFO)


main()
