"""bench/run's pmemsave and dump areas: 1 GiB of guest RAM to a file, as it is and filled."""
import os
import time

from lib import C, NAMES, QMPError, cpu_ns, df, fmt, fs_desc, log, minflt, per, vmrss_kib
from pmemclient import PmemAccess

GIB = 1 << 30
FILL_AT, FILL_LEN = 1 << 20, GIB - (2 << 20)  # the "filled" rows: RAM [1 MiB, 1 GiB - 1 MiB)


def fill_blob(bench):
    """FILL_LEN random bytes (made once per run) that both VMMs get in RAM at FILL_AT for
    the "filled" rows: QEMU loads them at start-up (-device loader), tinyvmm through
    pmemaccess writes."""
    # on tmpfs when there is one (unless --fill-dir), and synced: no writeback competing
    # with the timed writes
    path = os.path.join(bench.fill_dir, "fill.bin")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            for _ in range(FILL_LEN >> 20):
                f.write(os.urandom(1 << 20))
            f.flush()
            os.fsync(f.fileno())
    return path


def fill(bench, vm, q):
    """Fills tinyvmm's RAM as -device loader fills QEMU's; an error string if it cannot."""
    path = os.path.join(vm.dir, "fill.sock")
    try:
        q.execute("pmemaccess", {"path": path})
    except QMPError as e:
        return f"n/a: cannot fill RAM ({e})"
    pa = PmemAccess(path)
    bad = pa.write_file(FILL_AT, fill_blob(bench))
    pa.close()
    return f"n/a: {bad} pmemaccess writes failed" if bad else None


def saver(bench, command, args, d, where, filled, skipped):
    """A trial: command (with args(path)) writes the guest's RAM to a file in d; a kind that
    cannot (no such command, no fill) goes into skipped with the reason."""
    def trial(kind, vm, rnd):
        path = os.path.join(d, f"{command}-{kind}.bin")
        try:
            # QEMU loads the fill at start-up, before it answers (seconds)
            q, _ = vm.connect(timeout=300 if filled else 15.0)
            q.execute("qmp_capabilities")
            why = fill(bench, vm, q) if filled and kind == "tinyvmm" else None
            if not why:
                time.sleep(0.2)
                rss0 = vmrss_kib(vm.pid)
                c0, f0 = cpu_ns(vm.pid), minflt(vm.pid)
                t0 = time.perf_counter_ns()
                q.timeout = 600
                try:
                    q.execute(command, args(path))
                except QMPError as e:
                    if e.error.get("class") != "CommandNotFound":
                        raise
                    why = "n/a: command not found"
            if why:
                skipped[kind] = why
                log(f"  {kind}: {why}")
                return None
            t1 = time.perf_counter_ns()
            c1, f1 = cpu_ns(vm.pid), minflt(vm.pid)
            st = os.stat(path)
            secs = (t1 - t0) / 1e9
            rss1 = vmrss_kib(vm.pid)
            r = dict(secs=secs, gbs=GIB / secs / 1e9, size=st.st_size, alloc=st.st_blocks * 512,
                     rss0=rss0 / 1024, rss1=rss1 / 1024, cpu=per(c0, c1, 1e9), flt=per(f0, f1, 1))
            log(f"  round {rnd + 1} {kind:<8} {where}: {secs:.3f} s, {r['gbs']:.2f} GB/s, "
                f"VMM CPU {fmt(r['cpu'])} s, {fmt(r['flt'])} page faults, file {st.st_size:,} "
                f"bytes ({r['alloc']:,} allocated); VmRSS {r['rss0']:.0f} → {r['rss1']:.0f} MiB")
            q.close()
            return r
        finally:
            if os.path.exists(path):
                os.unlink(path)
    return trial


def rows(bench, area, command, args, target=None):
    """The area's rows: to each memory directory, RAM as it is and then filled."""
    rounds, skipped = C[area + "_rounds"], {}
    for filled in (False, True):
        sfx = ", filled" if filled else ""
        loader = {"extra": ("-device", f"loader,file={fill_blob(bench)},addr={FILL_AT},"
                            "force-raw=on")} if filled else {}
        for d in bench.mem_dirs:
            top = os.path.dirname(d.rstrip("/"))
            where = f"{top} ({df(top)[0]}){sfx}"
            trial = saver(bench, command, args, d, where, filled, skipped)
            res = bench.trials(rounds, trial, [k for k in bench.kinds if k not in skipped],
                               lambda kind: dict(mem="1G", **(loader if kind == "qemu" else {})))
            res.update(skipped)
            specs = [(f"to {where}: seconds", "secs", "s"),
                     (f"to {where}: throughput", "gbs", "GB/s",
                      dict(target=f"≥ {target}× QEMU", met=lambda t, r: r >= target)
                      if target else {}),
                     (f"to {where}: VMM CPU time", "cpu", "s"),
                     (f"to {where}: VMM minor page faults", "flt", "")]
            if d == bench.mem_dirs[0]:
                specs += [("file size" + sfx, "size", "bytes"),
                          ("file blocks allocated" + sfx, "alloc", "bytes"),
                          (f"VmRSS before (-m 1G{sfx})", "rss0", "MiB"),
                          (f"VmRSS after {command}{sfx}", "rss1", "MiB")]
            bench.rows(area, res, f"{rounds} runs", specs)
    bench.facts["mem_dirs"] = "; ".join(fs_desc(os.path.dirname(d)) for d in bench.mem_dirs)
    bench.facts.update(fill_mib=FILL_LEN >> 20, fill_at_mib=FILL_AT >> 20)
    for kind, why in skipped.items():
        bench.note(area, f"{NAMES[kind]}: {why}")


def pmemsave(bench):
    bench.header("pmemsave of 1 GiB (-m 1G)")
    rows(bench, "pmemsave", "pmemsave", lambda p: {"val": 0, "size": GIB, "filename": p})


def dump(bench):
    bench.header("dump-guest-memory of 1 GiB (-m 1G, paging false)")
    rows(bench, "dump", "dump-guest-memory", lambda p: {"paging": False, "protocol": "file:" + p},
         target=2)
