"""bench/run's linux area: Linux boots with QEMU microvm in the nested test bed."""
from lib import NAMES, C, fmt, fmt_ratio, log, med


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
    for b in ok:
        b.update(mark_s=b["mark"] / 1e3, exit_s=b["exit"] / 1e3, down=b["exit"] - b["mark"],
                 peak=b["maxrss_kb"] / 1024)
    for mm in mems_ok:
        mm.update(hwm=mm["hwm_kb"] / 1024, ram=mm["ram_kb"] / 1024,
                  over=(mm["hwm_kb"] - mm["ram_kb"]) / 1024)
    for smp in smps:
        d = {k: [b for b in ok if b["kind"] == k and b["smp"] == smp] for k in bench.kinds}
        dm = {k: [mm for mm in mems_ok if mm["kind"] == k and mm["smp"] == smp]
              for k in bench.kinds}
        s = f"-smp {smp}: "
        boot = dict(target="≤ QEMU microvm's", met=lambda t, r: r <= 1)
        bench.rows("linux", d, f"{len(d['tinyvmm'])}+{len(d.get('qemu', []))} boots", [
            (s + "exec → init marker", "mark_s", "s", boot),
            (s + "exec → exit after poweroff", "exit_s", "s", boot),
            (s + "marker → exit (poweroff)", "down", "ms"),
            (s + "peak RSS, whole run (ru_maxrss)", "peak", "MiB")])
        bench.rows("linux", dm, f"{len(dm['tinyvmm'])}+{len(dm.get('qemu', []))} boots "
                   "(action=wait)", [
            (s + "peak RSS at the marker (VmHWM)", "hwm", "MiB"),
            (s + "guest RAM touched (its Rss)", "ram", "MiB"),
            (s + "VMM overhead (VmHWM − guest RAM Rss)", "over", "MiB",
             dict(target="< 1/4 of QEMU's", met=lambda t, r: r < 0.25))])
        for kind in bench.kinds:
            marks = [b["mark_s"] for b in d[kind]]
            if marks:
                bench.note("linux", f"-smp {smp}, {NAMES[kind]}: exec → marker from "
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
    bench.facts.update(
        kernel=info["kernel"], machine=linux_boot.QEMU_MACHINE, spawn_ms=fmt(med(spawn), "ms"),
        nspawn=len(spawn), maxrss_scale=linux_boot.BUSYBOX_MAXRSS_SCALE,
        argv="; ".join(f"`{info['argv'][k]}`" for k in ("tinyvmm", "qemu") if k in info["argv"]))
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
