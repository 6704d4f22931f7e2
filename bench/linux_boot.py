"""Linux boots with tinyvmm and QEMU microvm inside tests/nested's outer guest (the linux area).

Builds an outer-guest (L1) initramfs from the nested test bed's parts plus QEMU and the
firmware `-M microvm` loads, boots it under QEMU/TCG with SVM (tests/nested/nested.py's
run_l1), and parses what bench/linux-boot-l1.sh prints into one record per inner boot.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NESTED = os.path.join(os.path.dirname(HERE), "tests", "nested")
sys.path.insert(0, NESTED)
import cpio  # noqa: E402
import mkinitrd  # noqa: E402
import nested  # noqa: E402

# What `qemu-system-x86_64 -M microvm -kernel` opens from its data directory (strace -e openat):
# the default -bios (bios-microvm.bin, a link to qboot.rom) and the option ROM that loads the
# kernel through fw_cfg DMA.
QEMU_DATA = ("bios-microvm.bin", "linuxboot_dma.bin")
L1_QEMU = "/usr/bin/qemu-system-x86_64"   # finds its data in ../share/qemu, as on the host
MEM = "256M"
# With microvm's default (rtc=auto) the guest finds no RTC under KVM (QEMU's docs: it is to
# "rely on kvmclock"), yet its FADT does not say "no CMOS RTC": Linux 6.1 probes the ports in
# rtc_cmos ("broken or not accessible") and stalls, 20-50 s of a 30-60 s boot in this bed
# (measured: 9.2 s with rtc=on, 29.9 s with rtc=off, 60 s with the default and a soft lockup).
# rtc=on gives QEMU its best time; tinyvmm's FADT sets the "no CMOS RTC" flag instead.
QEMU_MACHINE = "microvm,rtc=on"
# busybox 1.35's `time -f %M` prints ru_maxrss (already KiB on Linux) as if it counted pages:
# times 4 on x86-64 (checked against a process of known size: 100 MiB touched -> 464 240).
BUSYBOX_MAXRSS_SCALE = 4


def mem_kib():
    """-m in KiB."""
    return int(MEM.rstrip("M")) * 1024


def qemu_data_dir(qemu):
    for d in (os.path.join(os.path.dirname(os.path.realpath(qemu)), "..", "share", "qemu"),
              "/usr/share/qemu"):
        if all(os.path.exists(os.path.join(d, f)) for f in QEMU_DATA):
            return os.path.normpath(d)
    raise RuntimeError(f"{', '.join(QEMU_DATA)} not found beside {qemu} nor in /usr/share/qemu")


def build_l1(work, cache, tinyvmm, qemu, conf, init=os.path.join(HERE, "linux-boot-l1.sh")):
    """The outer guest's initramfs: bench/linux-boot-l1.sh as /init and linux-mem.awk, busybox,
    the kvm modules, the kernel and the inner guest's initramfs (tests/nested's), tinyvmm and
    QEMU with their libraries and QEMU's microvm firmware."""
    l2 = os.path.join(work, "l2.cpio")
    mkinitrd.build(l2, cache)
    with open(init, "rb") as f:
        files = {"init": f.read()}
    files.update({
        "etc/bench.conf": "".join(f"{k}='{v}'\n" for k, v in conf.items()).encode(),
        "etc/busybox-init.sh": os.path.join(NESTED, "busybox-init.sh"),
        "etc/mem.awk": os.path.join(HERE, "linux-mem.awk"),
        "bin/busybox": os.path.join(cache, "busybox"),
        "vmlinuz": os.path.join(cache, "vmlinuz"),
        "l2.cpio": l2,
        "tinyvmm": tinyvmm,
        L1_QEMU.lstrip("/"): os.path.realpath(qemu),
    })
    for m in ("irqbypass", "kvm", "kvm-amd"):
        files[f"lib/{m}.ko"] = os.path.join(cache, "modules", m + ".ko")
    data = qemu_data_dir(qemu)
    for name in QEMU_DATA:
        files[f"usr/share/qemu/{name}"] = os.path.realpath(os.path.join(data, name))
    for binary in (tinyvmm, qemu):
        for lib in mkinitrd.shared_libs(binary):
            files[lib.lstrip("/")] = os.path.realpath(lib)
    l1 = os.path.join(work, "l1.cpio")
    cpio.write(l1, files, dirs=["proc", "sys", "dev", "tmp"])
    return l1


def parse(out):
    """What the outer guest's console says: (boots, mems, argv). A boot is a dict: kind
    (tinyvmm, qemu, or true: the spawn path's own cost), smp, round, mark and exit (ms from the
    spawn; None if missing), maxrss_kb, status, and its output lines. A mem is a dict: kind, smp,
    round, and at the marker of a tvmm.action=wait boot hwm_kb, rss_kb, ram_kb (Rss of the guest
    RAM), ram_size_kb (None when the boot failed). argv: {kind: its timed command line}."""
    boots, mems, argv = [], [], {}
    cur = None
    for line in out.splitlines():
        m = re.match(r"^(\d+\.\d+) (.*)$", line)
        stamp, text = (float(m.group(1)), m.group(2)) if m else (None, line)
        if stamp is None:
            continue
        t = re.match(r"@@T0 (\S+) (\d+) (\d+)", text)
        if t:
            cur = dict(kind=t.group(1), smp=int(t.group(2)), round=int(t.group(3)), t0=stamp,
                       mark=None, exit=None, maxrss_kb=None, status=None, lines=[])
            boots.append(cur)
            continue
        r = re.match(r"@@MEM (\S+) (\d+) (\d+)(?: (\d+) (\d+) (\d+) (\d+))?", text)
        if r:
            keys = ("hwm_kb", "rss_kb", "ram_kb", "ram_size_kb")
            mems.append(dict(kind=r.group(1), smp=int(r.group(2)), round=int(r.group(3)),
                             **{k: None if v is None else int(v)
                                for k, v in zip(keys, r.groups()[3:])}))
            cur = None
            continue
        a = re.match(r"@@ARGV (\S+) (.*)", text)
        if a:
            argv[a.group(1)] = a.group(2)
        if cur is None:
            continue
        cur["lines"].append(text)
        if "TVMM-L2-UP" in text and cur["mark"] is None:
            cur["mark"] = (stamp - cur["t0"]) * 1e3
        r = re.match(r"@@RSS (\d+) (\d+)", text)
        if r:
            cur["exit"] = (stamp - cur["t0"]) * 1e3
            cur["maxrss_kb"] = int(r.group(1)) // BUSYBOX_MAXRSS_SCALE
            cur["status"] = int(r.group(2))
            cur = None
    return boots, mems, argv


def run(tinyvmm, qemu, rounds, smps, memrounds, work=None, log=print):
    """Boots the outer guest once: `rounds` rounds of timed boots (per round and -smp, one of
    each VMM), then `memrounds` of memory boots. Returns (boots, mems, info): parse()'s, and
    info: the console log's path, the outer guest's wall time, whether it finished, its error
    lines, the command lines (argv), the kernel package."""
    build = os.path.dirname(os.path.abspath(tinyvmm))
    cache = os.path.join(build, "tests", "nested", "work", "cache")   # shared with the suite
    work = work or os.path.join(build, "bench", "linux")
    os.makedirs(work, exist_ok=True)
    r = subprocess.run([os.path.join(NESTED, "fetch-images.sh"), cache],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError("cannot fetch the guest images: " + r.stdout.strip().replace("\n", " | "))
    conf = dict(ROUNDS=rounds, MEMROUNDS=memrounds, SMPS=" ".join(str(s) for s in smps), MEM=MEM,
                QEMU_MACHINE=QEMU_MACHINE)
    l1 = build_l1(work, cache, tinyvmm, qemu, conf)
    nboots = 2 * (rounds + memrounds) * len(smps)
    log(f"  outer guest: initramfs {os.path.getsize(l1) / 2**20:.0f} MiB, {nboots} inner boots; "
        f"console log in {work}/l1-console.log")
    out, wall = nested.run_l1(work, cache, l1, 90 + 40 * nboots, "l1-console.log")
    os.unlink(l1)
    boots, mems, argv = parse(out)
    with open(os.path.join(cache, "kernel-package")) as f:
        kernel = f.read().strip()
    info = dict(wall=wall, log=os.path.join(work, "l1-console.log"), done="@@DONE" in out,
                argv=argv, kernel=kernel,
                errors=[x for x in out.splitlines() if x.startswith(("@@ERROR", "@@HOST"))])
    return boots, mems, info

