"""bench/run's linux area: Linux boots with QEMU microvm in the nested test bed."""
from lib import C, fmt, fmt_ratio, log, med, name


def run(bench):
    import linux_boot   # bench/linux_boot.py: the outer guest, its /init and the parsing
    smps = [1]
    bench.header(f"Linux boot, nested test bed (-m {linux_boot.MEM}, "
                f"-smp {','.join(map(str, smps))}): QEMU is `-M {linux_boot.QEMU_MACHINE}`")
    if not bench.a.qemu:
        raise RuntimeError("the nested test bed needs qemu-system-x86_64 (the outer guest)")
    boots, mems, info = linux_boot.run(bench.a.tinyvmm, bench.a.qemu, rounds=C["linux_rounds"],
                                       smps=smps, memrounds=C["linux_memrounds"], log=log)
    log(f"  outer guest: {info['wall']:.0f} s wall{'' if info['done'] else ', did NOT finish'}")
    for e in info["errors"]:
        log(f"  {e}")
    for b in boots:
        if b["kind"] != "true":
            log(f"  round {b['round'] + 1} {b['kind']:<8} -smp {b['smp']}: marker "
                f"{fmt(b['mark'], 'ms')}, exit {fmt(b['exit'], 'ms')}, status {b['status']}, "
                f"peak RSS {fmt(b['maxrss_kb'], 'KiB')}")
    for mm in mems:
        log(f"  memory boot {mm['round'] + 1} {mm['kind']:<8} -smp {mm['smp']}: at the marker "
            f"VmHWM {fmt(mm['hwm_kb'], 'KiB')}, VmRSS {fmt(mm['rss_kb'], 'KiB')}, guest RAM "
            f"Rss {fmt(mm['ram_kb'], 'KiB')} of {fmt(mm['ram_size_kb'], 'KiB')}")
    ok = [b for b in boots if b["kind"] in bench.kinds and b["status"] == 0 and b["mark"]]
    bad = [b for b in boots if b["kind"] in ("tinyvmm", "qemu") and b not in ok]
    mems_ok = [mm for mm in mems if mm["ram_kb"] is not None]
    for smp in smps:
        d = {k: [b for b in ok if b["kind"] == k and b["smp"] == smp] for k in bench.kinds}
        dm = {k: [mm for mm in mems_ok if mm["kind"] == k and mm["smp"] == smp]
              for k in bench.kinds}

        def m(kind, f, src=d):   # the median of f over kind's boots
            return med([f(b) for b in src.get(kind, [])])
        runs = f"{len(d['tinyvmm'])}+{len(d.get('qemu', []))} boots"
        mruns = f"{len(dm['tinyvmm'])}+{len(dm.get('qemu', []))} boots (action=wait)"
        for label, key in (("exec → init marker", "mark"), ("exec → exit after poweroff", "exit")):
            t, q = m("tinyvmm", lambda b: b[key] / 1e3), m("qemu", lambda b: b[key] / 1e3)
            bench.row("linux", f"-smp {smp}: {label}", t, q, "s", target="≤ QEMU microvm's",
                     met=None if t is None or q is None else t <= q, runs=runs)
        bench.row("linux", f"-smp {smp}: marker → exit (poweroff)",
                 m("tinyvmm", lambda b: b["exit"] - b["mark"]),
                 m("qemu", lambda b: b["exit"] - b["mark"]), "ms", runs=runs)
        bench.row("linux", f"-smp {smp}: peak RSS, whole run (ru_maxrss)",
                 m("tinyvmm", lambda b: b["maxrss_kb"] / 1024),
                 m("qemu", lambda b: b["maxrss_kb"] / 1024), "MiB", runs=runs)
        bench.row("linux", f"-smp {smp}: peak RSS at the marker (VmHWM)",
                 m("tinyvmm", lambda x: x["hwm_kb"] / 1024, dm),
                 m("qemu", lambda x: x["hwm_kb"] / 1024, dm), "MiB", runs=mruns)
        bench.row("linux", f"-smp {smp}: guest RAM touched (its Rss)",
                 m("tinyvmm", lambda x: x["ram_kb"] / 1024, dm),
                 m("qemu", lambda x: x["ram_kb"] / 1024, dm), "MiB", runs=mruns)
        t = m("tinyvmm", lambda x: (x["hwm_kb"] - x["ram_kb"]) / 1024, dm)
        q = m("qemu", lambda x: (x["hwm_kb"] - x["ram_kb"]) / 1024, dm)
        ratio = t / q if t and q else None
        bench.row("linux", f"-smp {smp}: VMM overhead (VmHWM − guest RAM Rss)", t, q, "MiB",
                 ratio=ratio, target="< 1/4 of QEMU's",
                 met=None if ratio is None else ratio < 0.25, runs=mruns)
        for kind in bench.kinds:
            marks = [b["mark"] / 1e3 for b in d.get(kind, [])]
            if marks:
                bench.note("linux", f"-smp {smp}, {name(kind)}: exec → marker from "
                          f"{min(marks):.2f} to {max(marks):.2f} s over {len(marks)} boots.")
        # the two boots of a round run back to back: their ratio cancels slow drifts of load
        pairs = {}
        for b in d["tinyvmm"] + d.get("qemu", []):
            pairs.setdefault(b["round"], {})[b["kind"]] = b["mark"]
        paired = sorted(p["tinyvmm"] / p["qemu"] for p in pairs.values() if len(p) == 2)
        if paired:
            bench.note("linux", f"-smp {smp}, exec → marker paired by round (the two boots "
                      f"of a round run back to back), tinyvmm ÷ QEMU: median "
                      f"{fmt_ratio(med(paired))}, from {fmt_ratio(paired[0])} to "
                      f"{fmt_ratio(paired[-1])} over {len(paired)} rounds.")
    spawn = [b["exit"] for b in boots if b["kind"] == "true" and b["exit"] is not None]
    argv = info["argv"]
    bench.note("linux", "Where: the nested test bed (tests/nested): `qemu-system-x86_64 -accel "
              "tcg -cpu qemu64,+svm,+npt -m 2048 -smp 2` boots Debian's cloud kernel "
              f"({info['kernel']}) with kvm_amd; inside it (L1) both VMMs boot the same kernel "
              "with tests/nested's inner initramfs, whose /init prints `TVMM-L2-UP` and then "
              "runs `poweroff -f` (timed boots) or idles (memory boots). Everything the inner "
              "guest does is emulated by TCG: its seconds are ~1000× a hardware host's, so "
              "compare the ratios, not the seconds.")
    bench.note("linux", "Timed command lines (`bench/linux-boot-l1.sh`, each run as "
              "`time -f %M timeout -s KILL 60 ARGV`; the memory boots differ only in "
              "`tvmm.action=wait`): "
              + "; ".join(f"`{argv[k]}`" for k in ("tinyvmm", "qemu") if k in argv) + ".")
    bench.note("linux", f"Option differences: QEMU gets `-M {linux_boot.QEMU_MACHINE} "
              "-no-user-config` (tinyvmm has neither option). `rtc=on` because microvm's "
              "default leaves the RTC out under KVM without telling the guest (no FADT "
              "\"no CMOS RTC\" flag), and Linux then stalls 20-50 s in rtc_cmos's probe in "
              "this bed; with the RTC present QEMU boots fastest. QEMU boots through its "
              "firmware (qboot, `bios-microvm.bin`, and `linuxboot_dma.bin`, copied into L1 "
              "beside the binary) and the kernel's 16-bit entry; tinyvmm enters the kernel's "
              "64-bit entry directly. microvm also puts the IO-APIC in QEMU "
              "(kernel-irqchip=split) and offers virtio-mmio slots; `-cpu host` gives QEMU's "
              "guest L1's CPU model, tinyvmm accepts it and passes KVM's supported CPUID.")
    bench.note("linux", "Clock: L1's CLOCK_REALTIME in µs through busybox `ts '%.s'`, which "
              "stamps each line as it reads it: `@@T0` just before the shell spawns the VMM, "
              "the marker line from the VMM's serial stdout, and busybox `time`'s line once "
              "it has reaped the VMM (the exit). Spawning /bin/true the same way (shell → "
              f"time → timeout → program → reaped) takes {fmt(med(spawn), 'ms')} (median of "
              f"{len(spawn)}), included in both VMMs' figures. Nothing else runs in L1 "
              "during a timed boot but a heartbeat line every 15 s.")
    bench.note("linux", "Memory: the whole run's peak RSS is the VMM's ru_maxrss from the "
              f"timed boots (busybox `time -f %M` prints it ×{linux_boot.BUSYBOX_MAXRSS_SCALE}"
              "; divided back). Overhead comes from separate memory boots "
              "(`tvmm.action=wait`), sampled once the marker is out: VmHWM from "
              "/proc/PID/status minus the guest RAM's Rss in /proc/PID/smaps (the largest "
              "mapping with the anonymous pieces of the same mmap beside it, up to -m: "
              "`bench/linux-mem.awk`), then stopped with SIGTERM. Both VMMs ask for "
              "transparent huge pages on guest RAM, so its Rss counts whole 2 MiB pages "
              "where L1's kernel gave them.")
    bench.note("linux", "Noise: the outer guest runs on QEMU's emulator on a shared 2-core "
              "machine, and a boot takes seconds of emulated time: expect tens of percent "
              "between boots (the ranges above) and between runs.")
    if bad:
        bench.note("linux", f"{len(bad)} boot(s) left out (no marker or non-zero status): "
                  + ", ".join(f"{b['kind']} round {b['round'] + 1} status {b['status']}"
                              for b in bad) + f"; the console log is {info['log']}.")
    odd = [mm for mm in mems_ok if mm["ram_size_kb"] != linux_boot.mem_kib()]
    if odd:
        bench.note("linux", "the guest RAM found in smaps is not -m's size in "
                  + ", ".join(f"{mm['kind']} ({mm['ram_size_kb']} KiB)" for mm in odd))
    if len(mems_ok) < len(mems):
        bench.note("linux", f"{len(mems) - len(mems_ok)} memory boot(s) reached no marker; "
                  f"the console log is {info['log']}.")
    if not info["done"]:
        bench.note("linux", "the outer guest did not finish: " + "; ".join(info["errors"]))
