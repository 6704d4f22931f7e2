"""bench/run's rss area: idle VmRSS with -m 128."""
import time

from lib import C, log, negotiate, vmrss_kib


def trial(kind, vm, rnd):
    q, _ = vm.connect()
    negotiate(q)
    time.sleep(C["rss_settle"])
    for _ in range(3):
        rss = vmrss_kib(vm.pid)
        time.sleep(0.1)
    q.close()
    log(f"  round {rnd + 1} {kind:<8} VmRSS {rss / 1024:.1f} MiB")
    return dict(rss=rss / 1024)


def run(bench):
    bench.header("idle RSS (-m 128)")
    res = bench.trials(C["rss_rounds"], trial)
    bench.rows("rss", res, f"{C['rss_rounds']} starts each", [
        ("idle VmRSS, -m 128", "rss", "MiB",
         dict(target="< 1/10 of QEMU's", met=lambda t, r: r < 0.1))])
