"""bench/run's rss area: idle VmRSS with -m 128."""
import time

from lib import C, log, med, negotiate, vmrss_kib


def run(bench):
    bench.header("idle RSS (-m 128)")
    res = {k: [] for k in bench.kinds}
    for rnd in range(C["rss_rounds"]):
        for kind in bench.order(rnd):
            vm = bench.vmm(kind)
            try:
                q, _ = vm.connect()
                negotiate(q)
                time.sleep(C["rss_settle"])
                samples = []
                for _ in range(3):
                    samples.append(vmrss_kib(vm.pid))
                    time.sleep(0.1)
                res[kind].append(samples[-1] / 1024)
                log(f"  round {rnd + 1} {kind:<8} VmRSS {samples[-1] / 1024:.1f} MiB")
                q.close()
            finally:
                vm.stop()
    t, qm = med(res["tinyvmm"]), med(res.get("qemu", []))
    ratio = t / qm if t and qm else None
    bench.row("rss", "idle VmRSS, -m 128", t, qm, "MiB", ratio=ratio, target="< 1/10 of QEMU's",
             met=None if ratio is None else ratio < 0.1,
             runs=f"{C['rss_rounds']} starts each")
    bench.note("rss", f"VmRSS from /proc/PID/status {C['rss_settle']} s after the greeting "
              "and negotiation, one QMP client connected.")
