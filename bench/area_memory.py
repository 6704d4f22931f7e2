"""bench/run's pmemsave and dump areas: 1 GiB of guest RAM to a file, as it is and filled."""
import os
import time

from lib import (C, FILL_AT, FILL_LEN, FILL_NOTE, GIB, QMPError, cpu_ns, fmt, fs_desc, fs_short,
                 log, med, minflt, name, negotiate, vmrss_kib)
from pmemclient import PmemAccess


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

def _fill(bench, kind, vm, q):
    """Fills tinyvmm's RAM as -device loader fills QEMU's; an error string if it cannot."""
    if kind != "tinyvmm":
        return None
    path = os.path.join(vm.dir, "fill.sock")
    try:
        q.execute("pmemaccess", {"path": path})
    except QMPError as e:
        return f"n/a: cannot fill RAM ({e})"
    pa = PmemAccess(path)
    bad = pa.write_file(FILL_AT, fill_blob(bench))
    pa.close()
    return f"n/a: {bad} pmemaccess writes failed" if bad else None

def _memory_area(bench, area, command, make_args, rounds, target=None, fill=False):
    skipped = {}
    for d in bench.mem_dirs:
        where = fs_short(d) + (", filled" if fill else "")
        res = {k: [] for k in bench.kinds}
        for rnd in range(rounds):
            for kind in bench.order(rnd):
                if kind in skipped:
                    continue
                extra = ()
                if fill and kind == "qemu":
                    extra = ("-device", f"loader,file={fill_blob(bench)},addr={FILL_AT},"
                             "force-raw=on")
                vm = bench.vmm(kind, mem="1G", extra=extra)
                path = os.path.join(d, f"{area}-{kind}.bin")
                try:
                    # QEMU loads the fill at start-up, before it answers (seconds)
                    q, _ = vm.connect(timeout=300 if fill else 15.0)
                    negotiate(q)
                    why = _fill(bench, kind, vm, q) if fill else None
                    if why:
                        skipped[kind] = why
                        log(f"  {kind}: {why}")
                        continue
                    time.sleep(0.2)
                    rss0 = vmrss_kib(vm.pid)
                    c0, f0 = cpu_ns(vm.pid), minflt(vm.pid)
                    t0 = time.perf_counter_ns()
                    try:
                        q.timeout = 600
                        q.execute(command, make_args(path))
                    except QMPError as e:
                        if e.error.get("class") == "CommandNotFound":
                            skipped[kind] = "n/a: command not found"
                            log(f"  {kind}: n/a: command not found")
                            continue
                        raise
                    t1 = time.perf_counter_ns()
                    c1, f1 = cpu_ns(vm.pid), minflt(vm.pid)
                    st = os.stat(path)
                    size = st.st_size
                    secs = (t1 - t0) / 1e9
                    rss1 = vmrss_kib(vm.pid)
                    r = dict(secs=secs, gbs=GIB / secs / 1e9, size=size,
                             alloc=st.st_blocks * 512, rss0=rss0 / 1024,
                             rss1=rss1 / 1024,
                             cpu=(c1 - c0) / 1e9 if c0 is not None and c1 is not None else None,
                             flt=f1 - f0 if f0 is not None and f1 is not None else None)
                    res[kind].append(r)
                    log(f"  round {rnd + 1} {kind:<8} {where}: {secs:.3f} s, "
                        f"{r['gbs']:.2f} GB/s, VMM CPU {fmt(r['cpu'])} s, {fmt(r['flt'])} page "
                        f"faults, file {size:,} bytes ({st.st_blocks * 512:,} allocated); "
                        f"VmRSS {rss0 / 1024:.0f} → {rss1 / 1024:.0f} MiB")
                    q.close()
                finally:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass
                    vm.stop()
        runs = f"{rounds} runs"

        def m(kind, key):
            if kind in skipped:
                return skipped[kind]
            return med([r[key] for r in res.get(kind, [])])
        bench.row(area, f"to {where}: seconds", m("tinyvmm", "secs"), m("qemu", "secs"), "s",
                 runs=runs)
        tg, qg = m("tinyvmm", "gbs"), m("qemu", "gbs")
        ratio = tg / qg if isinstance(tg, float) and isinstance(qg, float) and qg else None
        met = None
        if target and ratio is not None:
            met = ratio >= target
        bench.row(area, f"to {where}: throughput", tg, qg, "GB/s", ratio=ratio,
                 target=f"≥ {target}× QEMU" if target else "", met=met, runs=runs)
        bench.row(area, f"to {where}: VMM CPU time", m("tinyvmm", "cpu"), m("qemu", "cpu"), "s",
                 runs=runs)
        bench.row(area, f"to {where}: VMM minor page faults", m("tinyvmm", "flt"),
                 m("qemu", "flt"), "", runs=runs)
        if d == bench.mem_dirs[0]:
            sfx = ", filled" if fill else ""
            bench.row(area, "file size" + sfx, m("tinyvmm", "size"), m("qemu", "size"),
                     "bytes", runs=runs)
            bench.row(area, "file blocks allocated" + sfx, m("tinyvmm", "alloc"),
                     m("qemu", "alloc"), "bytes", runs=runs)
            bench.row(area, f"VmRSS before (-m 1G{sfx})", m("tinyvmm", "rss0"),
                     m("qemu", "rss0"), "MiB", runs=runs)
            bench.row(area, f"VmRSS after {command}{sfx}", m("tinyvmm", "rss1"),
                     m("qemu", "rss1"), "MiB", runs=runs)
    return skipped

def _mem_where(bench):
    return "; ".join(fs_desc(os.path.dirname(d)) for d in bench.mem_dirs)

def pmemsave(bench):
    bench.header("pmemsave of 1 GiB (-m 1G)")
    skipped = {}
    for fill in (False, True):
        skipped.update(_memory_area(bench, "pmemsave", "pmemsave",
                                         lambda p: {"val": 0, "size": GIB, "filename": p},
                                         C["pmemsave_rounds"], fill=fill))
    bench.note("pmemsave", f"files in {_mem_where(bench)}; time from sending the command to "
              "its reply; GB = 10^9 bytes; VMM CPU and minor page faults = all the VMM's "
              "threads during the command; the file is deleted after each run.")
    bench.note("pmemsave", FILL_NOTE)
    for kind, why in skipped.items():
        bench.note("pmemsave", f"{name(kind)}: {why}")

def dump(bench):
    bench.header("dump-guest-memory of 1 GiB (-m 1G, paging false)")
    skipped = {}
    for fill in (False, True):
        skipped.update(_memory_area(bench, "dump", "dump-guest-memory",
                                         lambda p: {"paging": False, "protocol": "file:" + p},
                                         C["dump_rounds"], target=2, fill=fill))
    bench.note("dump", f"ELF core in {_mem_where(bench)}, not detached (the VMM pauses "
              "the guest, writes, resumes); time from sending the command to its reply; "
              "throughput = 1 GiB of guest RAM / time; the file is deleted after each run.")
    bench.note("dump", FILL_NOTE)
    for kind, why in skipped.items():
        bench.note("dump", f"{name(kind)}: {why}")
