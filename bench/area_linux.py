"""bench/run's linux area: Linux boots with tinyvmm and QEMU microvm in tests/nested's outer guest.

It builds an outer-guest (L1) initramfs from the nested test bed's parts plus QEMU and the
firmware `-M microvm` loads, boots it under QEMU/TCG with SVM (tests/nested/nested.py's run_l1),
parses what bench/linux-boot-l1.sh prints (one record per inner boot) and makes the rows."""
import os
import re
import subprocess
import sys

from lib import NAMES, C, fmt, fmt_ratio, log, med

HERE = os.path.dirname(os.path.abspath(__file__))
NESTED = os.path.join(os.path.dirname(HERE), "tests", "nested")
# What `qemu-system-x86_64 -M microvm -kernel` opens from its data directory (strace -e openat):
# the default -bios (bios-microvm.bin, a link to qboot.rom) and the option ROM that loads the
# kernel through fw_cfg DMA.
QEMU_DATA = ("bios-microvm.bin", "linuxboot_dma.bin")
L1_QEMU = "/usr/bin/qemu-system-x86_64"   # finds its data in ../share/qemu, as on the host
MEM, SMP = "256M", 1   # -smp 2 as well would double the area's time
# With microvm's default (rtc=auto) the guest finds no RTC under KVM (QEMU's docs: it is to
# "rely on kvmclock"), yet its FADT does not say "no CMOS RTC": Linux 6.1 probes the ports in
# rtc_cmos ("broken or not accessible") and stalls, 20-50 s of a 30-60 s boot in this bed
# (measured: 9.2 s with rtc=on, 29.9 s with rtc=off, 60 s with the default and a soft lockup).
# rtc=on gives QEMU its best time; tinyvmm's FADT sets the "no CMOS RTC" flag instead.
QEMU_MACHINE = "microvm,rtc=on"
# busybox 1.35's `time -f %M` prints ru_maxrss (already KiB on Linux) as if it counted pages:
# times 4 on x86-64 (checked against a process of known size: 100 MiB touched -> 464 240).
BUSYBOX_MAXRSS_SCALE = 4


def qemu_data_dir(qemu):
    for d in (os.path.join(os.path.dirname(os.path.realpath(qemu)), "..", "share", "qemu"),
              "/usr/share/qemu"):
        if all(os.path.exists(os.path.join(d, f)) for f in QEMU_DATA):
            return os.path.normpath(d)
    raise RuntimeError(f"{', '.join(QEMU_DATA)} not found beside {qemu} nor in /usr/share/qemu")


def build_l1(work, cache, tinyvmm, qemu, conf):
    """The outer guest's initramfs: bench/linux-boot-l1.sh as /init and linux-mem.awk, busybox,
    the kvm modules, the kernel and the inner guest's initramfs (tests/nested's), tinyvmm and
    QEMU with their libraries and QEMU's microvm firmware."""
    import cpio   # tests/nested's, as is mkinitrd
    import mkinitrd
    l2 = os.path.join(work, "l2.cpio")
    mkinitrd.build(l2, cache)
    with open(os.path.join(HERE, "linux-boot-l1.sh"), "rb") as f:
        files = {"init": f.read()}   # bytes: 0755 in the archive
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
    """The outer guest's console (the lines linux-boot-l1.sh's header lists) as (boots, mems,
    argv): a boot {kind (true: the spawn path's own cost), round, mark and exit (ms from the
    spawn), maxrss_kb, status}, a mem {kind, round, hwm_kb, rss_kb, ram_kb, ram_size_kb (None
    when the boot failed)}, argv {kind: its timed command line}."""
    boots, mems, argv = [], [], {}
    cur = None
    for line in out.splitlines():
        m = re.match(r"^(\d+\.\d+) (.*)$", line)
        if not m:
            continue
        stamp, text = float(m.group(1)), m.group(2)
        if t := re.match(r"@@T0 (\S+) (\d+)", text):
            cur = dict(kind=t.group(1), round=int(t.group(2)), t0=stamp, mark=None, exit=None,
                       maxrss_kb=None, status=None)
            boots.append(cur)
        elif r := re.match(r"@@MEM (\S+) (\d+)(?: (\d+) (\d+) (\d+) (\d+))?", text):
            keys = ("hwm_kb", "rss_kb", "ram_kb", "ram_size_kb")
            mems.append(dict(kind=r.group(1), round=int(r.group(2)),
                             **{k: None if v is None else int(v)
                                for k, v in zip(keys, r.groups()[2:])}))
            cur = None
        elif a := re.match(r"@@ARGV (\S+) (.*)", text):
            argv[a.group(1)] = a.group(2)
        elif cur and "TVMM-L2-UP" in text and cur["mark"] is None:
            cur["mark"] = (stamp - cur["t0"]) * 1e3
        elif cur and (r := re.match(r"@@RSS (\d+) (\d+)", text)):
            cur.update(exit=(stamp - cur["t0"]) * 1e3, status=int(r.group(2)),
                       maxrss_kb=int(r.group(1)) // BUSYBOX_MAXRSS_SCALE)
            cur = None
    return boots, mems, argv


def boot_all(tinyvmm, qemu):
    """Boots the outer guest once: C["linux_rounds"] rounds of timed boots (one of each VMM per
    round), then C["linux_memrounds"] of memory boots. Returns (boots, mems, info): parse()'s,
    and info: the console log's path, the outer guest's wall time, whether it finished, its
    error lines, the command lines (argv), the kernel package."""
    sys.path.insert(0, NESTED)
    import nested
    build = os.path.dirname(os.path.abspath(tinyvmm))
    cache = os.path.join(build, "tests", "nested", "work", "cache")   # shared with the suite
    work = os.path.join(build, "bench", "linux")
    os.makedirs(work, exist_ok=True)
    r = subprocess.run([os.path.join(NESTED, "fetch-images.sh"), cache],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError("cannot fetch the guest images: "
                           + r.stdout.strip().replace("\n", " | "))
    rounds, memrounds = C["linux_rounds"], C["linux_memrounds"]
    l1 = build_l1(work, cache, tinyvmm, qemu, dict(ROUNDS=rounds, MEMROUNDS=memrounds, SMP=SMP,
                                                   MEM=MEM, QEMU_MACHINE=QEMU_MACHINE))
    log(f"  outer guest: initramfs {os.path.getsize(l1) / 2**20:.0f} MiB, "
        f"{2 * (rounds + memrounds)} inner boots; console log in {work}/l1-console.log")
    out, wall = nested.run_l1(work, cache, l1, 90 + 80 * (rounds + memrounds), "l1-console.log")
    os.unlink(l1)
    boots, mems, argv = parse(out)
    with open(os.path.join(cache, "kernel-package")) as f:
        kernel = f.read().strip()
    return boots, mems, dict(
        wall=wall, log=os.path.join(work, "l1-console.log"), done="@@DONE" in out, argv=argv,
        kernel=kernel, errors=[x for x in out.splitlines() if x.startswith(("@@ERROR", "@@HOST"))])


def run(bench):
    bench.header(f"Linux boot, nested test bed (-m {MEM}, -smp {SMP}): QEMU is "
                 f"`-M {QEMU_MACHINE}`")
    if not bench.a.qemu:
        raise RuntimeError("the nested test bed needs qemu-system-x86_64 (the outer guest)")
    boots, mems, info = boot_all(bench.a.tinyvmm, bench.a.qemu)
    log(f"  outer guest: {info['wall']:.0f} s wall{'' if info['done'] else ', did NOT finish'}")
    for e in info["errors"]:
        log(f"  {e}")
    for b in boots:
        if b["kind"] != "true":
            log(f"  round {b['round'] + 1} {b['kind']:<8}: marker {fmt(b['mark'], 'ms')}, exit "
                f"{fmt(b['exit'], 'ms')}, status {b['status']}, peak RSS "
                f"{fmt(b['maxrss_kb'], 'KiB')}")
    for mm in mems:
        log(f"  memory boot {mm['round'] + 1} {mm['kind']:<8}: at the marker VmHWM "
            f"{fmt(mm['hwm_kb'], 'KiB')}, VmRSS {fmt(mm['rss_kb'], 'KiB')}, guest RAM Rss "
            f"{fmt(mm['ram_kb'], 'KiB')} of {fmt(mm['ram_size_kb'], 'KiB')}")
    ok = [b for b in boots if b["kind"] in bench.kinds and b["status"] == 0 and b["mark"]]
    bad = [b for b in boots if b["kind"] in ("tinyvmm", "qemu") and b not in ok]
    mems_ok = [mm for mm in mems if mm["ram_kb"] is not None]
    for b in ok:
        b.update(mark_s=b["mark"] / 1e3, exit_s=b["exit"] / 1e3, down=b["exit"] - b["mark"],
                 peak=b["maxrss_kb"] / 1024)
    for mm in mems_ok:
        mm.update(hwm=mm["hwm_kb"] / 1024, ram=mm["ram_kb"] / 1024,
                  over=(mm["hwm_kb"] - mm["ram_kb"]) / 1024)
    d = {k: [b for b in ok if b["kind"] == k] for k in bench.kinds}
    dm = {k: [mm for mm in mems_ok if mm["kind"] == k] for k in bench.kinds}
    s = f"-smp {SMP}: "
    boot = dict(target="≤ QEMU microvm's", met=lambda t, r: r <= 1)
    bench.rows("linux", d, f"{len(d['tinyvmm'])}+{len(d['qemu'])} boots", [
        (s + "exec → init marker", "mark_s", "s", boot),
        (s + "exec → exit after poweroff", "exit_s", "s", boot),
        (s + "marker → exit (poweroff)", "down", "ms"),
        (s + "peak RSS, whole run (ru_maxrss)", "peak", "MiB")])
    bench.rows("linux", dm, f"{len(dm['tinyvmm'])}+{len(dm['qemu'])} boots (action=wait)", [
        (s + "peak RSS at the marker (VmHWM)", "hwm", "MiB"),
        (s + "guest RAM touched (its Rss)", "ram", "MiB"),
        (s + "VMM overhead (VmHWM − guest RAM Rss)", "over", "MiB",
         dict(target="< 1/4 of QEMU's", met=lambda t, r: r < 0.25))])
    for kind in bench.kinds:
        marks = [b["mark_s"] for b in d[kind]]
        if marks:
            bench.note("linux", f"-smp {SMP}, {NAMES[kind]}: exec → marker from "
                       f"{min(marks):.2f} to {max(marks):.2f} s over {len(marks)} boots.")
    # the two boots of a round run back to back: their ratio cancels slow drifts of load
    pairs = {}
    for b in d["tinyvmm"] + d["qemu"]:
        pairs.setdefault(b["round"], {})[b["kind"]] = b["mark"]
    paired = sorted(p["tinyvmm"] / p["qemu"] for p in pairs.values() if len(p) == 2)
    if paired:
        bench.note("linux", f"-smp {SMP}, exec → marker paired by round (the two boots of a "
                   f"round run back to back), tinyvmm ÷ QEMU: median {fmt_ratio(med(paired))}, "
                   f"from {fmt_ratio(paired[0])} to {fmt_ratio(paired[-1])} over "
                   f"{len(paired)} rounds.")
    spawn = [b["exit"] for b in boots if b["kind"] == "true" and b["exit"] is not None]
    bench.facts.update(
        kernel=info["kernel"], microvm=QEMU_MACHINE, spawn_ms=fmt(med(spawn), "ms"),
        nspawn=len(spawn), maxrss_scale=BUSYBOX_MAXRSS_SCALE,
        argv="; ".join(f"`{info['argv'][k]}`" for k in ("tinyvmm", "qemu") if k in info["argv"]))
    if bad:
        bench.note("linux", f"{len(bad)} boot(s) left out (no marker or non-zero status): "
                   + ", ".join(f"{b['kind']} round {b['round'] + 1} status {b['status']}"
                               for b in bad) + f"; the console log is {info['log']}.")
    odd = [mm for mm in mems_ok if mm["ram_size_kb"] != int(MEM.rstrip("M")) * 1024]
    if odd:
        bench.note("linux", "the guest RAM found in smaps is not -m's size in "
                   + ", ".join(f"{mm['kind']} ({mm['ram_size_kb']} KiB)" for mm in odd))
    if len(mems_ok) < len(mems):
        bench.note("linux", f"{len(mems) - len(mems_ok)} memory boot(s) reached no marker; "
                   f"the console log is {info['log']}.")
    if not info["done"]:
        bench.note("linux", "the outer guest did not finish: " + "; ".join(info["errors"]))
