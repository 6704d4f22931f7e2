"""bench/run's pmemaccess area (tinyvmm only): 4 KiB reads, the Python client and the C one."""
import os
import subprocess
import time

from lib import C, QMPError, cpu_ns, fig, fmt, log, negotiate, per
from pmemclient import PmemAccess

DEPTH = 16                     # requests per write in the pipelined rows
SPAN = 128 << 20               # the reads walk the guest's RAM page by page


def python_client(pa, vm, n):
    """n reads one at a time, then as many DEPTH per write: their figures."""
    assert pa.read_raw(PmemAccess.request(0x500, 4), 4)[1] == 1
    pages = SPAN // 4096
    reqs = [PmemAccess.request(i * 4096, 4096) for i in range(pages)]
    for i in range(C["pa_warm"]):
        pa.read_raw(reqs[i % pages], 4096)
    bad = 0
    c0, s0 = time.process_time_ns(), cpu_ns(vm.pid)
    t0 = time.perf_counter_ns()
    for i in range(n):
        bad += pa.read_raw(reqs[i % pages], 4096)[1] != 1
    t1 = time.perf_counter_ns()
    c1, s1 = time.process_time_ns(), cpu_ns(vm.pid)
    batches = max(1, n // DEPTH)
    blobs = [b"".join(reqs[(j * DEPTH + k) % pages] for k in range(DEPTH))
             for j in range(min(batches, pages // DEPTH))]
    tp0 = time.perf_counter_ns()
    for j in range(batches):
        bad += DEPTH - pa.read_many(blobs[j % len(blobs)], DEPTH, 4096)
    tp1 = time.perf_counter_ns()
    return dict(rate=n / ((t1 - t0) / 1e9), ccpu=(c1 - c0) / n / 1e3, vcpu=per(s0, s1, n * 1e3),
                prate=batches * DEPTH / ((tp1 - tp0) / 1e9), bad=bad)


def c_client(cbench, vm, path, n, depth):
    """One timed run of the C client: n 4 KiB reads over the guest's RAM, depth requests per
    write. It holds its connection until its stdin ends, so the VMM's CPU time (all threads,
    the serving one included) is read before that thread ends."""
    warm = subprocess.run([cbench, "pmemaccess", path, str(C["pa_warm"]), "4096", str(SPAN), "1"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True)
    s0 = cpu_ns(vm.pid)
    p = subprocess.Popen([cbench, "pmemaccess", path, str(n), "4096", str(SPAN), str(depth)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    out = p.stdout.readline().split()
    s1 = cpu_ns(vm.pid)
    p.stdin.close()
    p.wait()
    if len(out) != 8 or p.returncode:
        raise RuntimeError(f"bench-client pmemaccess failed: {' '.join(out)} {warm.stderr}")
    return dict(rate=n / float(out[3]), ccpu=float(out[5]) / n * 1e6, bad=int(out[7]),
                vcpu=per(s0, s1, n * 1e3))


def trial(cbench):
    def run_one(kind, vm, rnd):
        path = os.path.join(vm.dir, "pmem.sock")
        q, _ = vm.connect()
        negotiate(q)
        try:
            q.execute("pmemaccess", {"path": path})
        except QMPError as e:
            if e.error.get("class") == "CommandNotFound":
                return "n/a: command not found"
            raise
        pa = PmemAccess(path)
        r = python_client(pa, vm, C["pa_n"])
        pa.close()
        log(f"  round {rnd + 1} tinyvmm  {r['rate']:,.0f} reads/s one at a time (client CPU "
            f"{r['ccpu']:.1f} µs/read, VMM CPU {fmt(r['vcpu'])} µs/read, {r['bad']} failed); "
            f"{r['prate']:,.0f} reads/s pipelined ×{DEPTH}")
        if cbench:
            for depth, key in ((1, "c"), (DEPTH, "cp")):
                c = c_client(cbench, vm, path, C["pa_n"], depth)
                r.update({key + k: v for k, v in c.items()})
                r["bad"] += c["bad"]
            log(f"  round {rnd + 1} tinyvmm  C client: {r['crate']:,.0f} reads/s one at a time "
                f"(client CPU {r['cccpu']:.1f} µs/read, VMM CPU {fmt(r['cvcpu'])} µs/read); "
                f"{r['cprate']:,.0f} reads/s pipelined ×{DEPTH}")
        q.close()
        return r
    return run_one


def run(bench):
    bench.header("pmemaccess 4 KiB reads (tinyvmm only)")
    cbench = bench.c_program("bench-client")
    if not cbench:
        bench.note("pmemaccess", "C client rows: n/a, build/bench/bench-client is missing "
                   "(it is built with tinyvmm: ninja -C build)")
    res = bench.trials(C["pa_rounds"], trial(cbench), ["tinyvmm"])
    rs = res["tinyvmm"]
    if rs and isinstance(rs[-1], str):  # no pmemaccess: the first round says so
        res["tinyvmm"] = rs[-1]
        bench.note("pmemaccess", f"tinyvmm: {rs[-1]}")
    res["qemu"] = "n/a (no pmemaccess)"
    per_s = dict(target="≥ 200 000/s", met=lambda t, r: t >= 200000)
    specs = [("4 KiB reads/s, one at a time", "rate", "/s", per_s)]
    if not isinstance(res["tinyvmm"], str):
        specs += [("4 KiB reads/s, 16 requests per write", "prate", "/s"),
                  ("VMM CPU per read (one at a time)", "vcpu", "µs"),
                  ("client CPU per read (one at a time)", "ccpu", "µs")]
        vc = fig(res, "tinyvmm", "vcpu")
        for r in rs:
            r["ceiling"] = 1e6 / vc if vc else None
        if vc:
            specs.append(("the VMM's ceiling: 1 / VMM CPU per read", "ceiling", "/s"))
        if cbench:
            specs += [("4 KiB reads/s, one at a time, C client", "crate", "/s", per_s),
                      ("4 KiB reads/s, 16 requests per write, C client", "cprate", "/s"),
                      ("VMM CPU per read (one at a time, C client)", "cvcpu", "µs"),
                      ("client CPU per read (one at a time, C client)", "cccpu", "µs")]
        bench.facts.update(pa_ccpu=f"{fig(res, 'tinyvmm', 'ccpu'):.1f}", pa_vcpu=fmt(vc))
        bad = sum(r["bad"] for r in rs)
        if bad:
            bench.note("pmemaccess", f"{bad} reads answered with status 0")
    bench.rows("pmemaccess", res, f"{C['pa_rounds']} runs × {C['pa_n']} reads", specs)
