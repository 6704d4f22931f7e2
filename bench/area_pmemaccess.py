"""bench/run's pmemaccess area (tinyvmm only): 4 KiB reads, the Python client and the C one."""
import os
import subprocess
import time

from lib import C, QMPError, cpu_ns, fmt, log, med, negotiate
from pmemclient import PmemAccess


def run(bench):
    bench.header("pmemaccess 4 KiB reads (tinyvmm only)")
    res = []
    skipped = None
    cbench = os.path.join(os.path.dirname(os.path.abspath(bench.a.tinyvmm)), "bench",
                          "pmemaccess-bench")
    if not os.access(cbench, os.X_OK):
        bench.note("pmemaccess", f"C client rows: n/a, {cbench} is missing (it is built with "
                  "tinyvmm: ninja -C build)")
        cbench = None
    for rnd in range(C["pa_rounds"]):
        vm = bench.vmm("tinyvmm")
        path = os.path.join(vm.dir, "pmem.sock")
        try:
            q, _ = vm.connect()
            negotiate(q)
            try:
                q.execute("pmemaccess", {"path": path})
            except QMPError as e:
                if e.error.get("class") == "CommandNotFound":
                    skipped = "n/a: command not found"
                    break
                raise
            pa = PmemAccess(path)
            data, status = pa.read(0x500, 4)
            assert status == 1, status
            pages = (128 << 20) // 4096
            reqs = [PmemAccess.request(i * 4096, 4096) for i in range(pages)]
            for i in range(C["pa_warm"]):
                pa.read_raw(reqs[i % pages], 4096)
            n = C["pa_n"]
            bad = 0
            c0, s0 = time.process_time_ns(), cpu_ns(vm.pid)
            t0 = time.perf_counter_ns()
            for i in range(n):
                _, st = pa.read_raw(reqs[i % pages], 4096)
                if st != 1:
                    bad += 1
            t1 = time.perf_counter_ns()
            c1, s1 = time.process_time_ns(), cpu_ns(vm.pid)
            depth = 16
            batches = max(1, n // depth)
            blobs = [b"".join(reqs[(j * depth + k) % pages] for k in range(depth))
                     for j in range(min(batches, pages // depth))]
            tp0 = time.perf_counter_ns()
            for j in range(batches):
                bad += depth - pa.read_many(blobs[j % len(blobs)], depth, 4096)
            tp1 = time.perf_counter_ns()
            pa.close()
            r = dict(rate=n / ((t1 - t0) / 1e9), ccpu=(c1 - c0) / n / 1e3,
                     vcpu=(s1 - s0) / n / 1e3 if s0 is not None and s1 is not None else None,
                     prate=batches * depth / ((tp1 - tp0) / 1e9), bad=bad)
            log(f"  round {rnd + 1} tinyvmm  {r['rate']:,.0f} reads/s one at a time "
                f"(client CPU {r['ccpu']:.1f} µs/read, VMM CPU {fmt(r['vcpu'])} µs/read, "
                f"{bad} failed); {r['prate']:,.0f} reads/s pipelined ×{depth}")
            if cbench:
                for dp, key in ((1, "c"), (depth, "cp")):
                    c = _pmemaccess_c(bench, cbench, vm, path, n, dp)
                    r.update({key + k: v for k, v in c.items()})
                    r["bad"] += c["bad"]
                log(f"  round {rnd + 1} tinyvmm  C client: {r['crate']:,.0f} reads/s one at "
                    f"a time (client CPU {r['cccpu']:.1f} µs/read, VMM CPU "
                    f"{fmt(r['cvcpu'])} µs/read); {r['cprate']:,.0f} reads/s pipelined "
                    f"×{depth}")
            res.append(r)
            q.close()
        finally:
            vm.stop()
    runs = f"{C['pa_rounds']} runs × {C['pa_n']} reads"
    if skipped:
        bench.row("pmemaccess", "4 KiB reads/s, one at a time", skipped, "n/a (no pmemaccess)",
                 "/s", target="≥ 200 000/s", runs=runs)
        bench.note("pmemaccess", f"tinyvmm: {skipped}")
        return
    rate = med([r["rate"] for r in res])
    bench.row("pmemaccess", "4 KiB reads/s, one at a time", rate, "n/a (no pmemaccess)", "/s",
             target="≥ 200 000/s", met=rate >= 200000, runs=runs)
    bench.row("pmemaccess", "4 KiB reads/s, 16 requests per write", med([r["prate"] for r in res]),
             "n/a (no pmemaccess)", "/s", runs=runs)
    vc = med([r["vcpu"] for r in res])
    bench.row("pmemaccess", "VMM CPU per read (one at a time)", vc, "n/a (no pmemaccess)",
             "µs", runs=runs)
    bench.row("pmemaccess", "client CPU per read (one at a time)", med([r["ccpu"] for r in res]),
             "n/a (no pmemaccess)", "µs", runs=runs)
    if vc:
        bench.row("pmemaccess", "the VMM's ceiling: 1 / VMM CPU per read", 1e6 / vc,
                 "n/a (no pmemaccess)", "/s", runs=runs)
    if cbench:
        crate = med([r["crate"] for r in res])
        bench.row("pmemaccess", "4 KiB reads/s, one at a time, C client", crate,
                 "n/a (no pmemaccess)", "/s", target="≥ 200 000/s", met=crate >= 200000,
                 runs=runs)
        bench.row("pmemaccess", "4 KiB reads/s, 16 requests per write, C client",
                 med([r["cprate"] for r in res]), "n/a (no pmemaccess)", "/s", runs=runs)
        for key, what in (("cvcpu", "VMM"), ("cccpu", "client")):
            bench.row("pmemaccess", f"{what} CPU per read (one at a time, C client)",
                     med([r[key] for r in res]), "n/a (no pmemaccess)", "µs", runs=runs)
    bench.note("pmemaccess", "LibVMI's pattern: one request {1, address, 4096}, wait for "
              "4096 bytes + status, next; addresses walk the 128 MiB of RAM page by page. "
              f"The Python client spent {med([r['ccpu'] for r in res]):.1f} µs CPU per read, "
              f"tinyvmm {fmt(med([r['vcpu'] for r in res]))} µs: on this 2-core machine the "
              "client is a large part of each round trip (a read waits for the client, then "
              "the server, in turn). The pipelined row (16 requests per write, not LibVMI's "
              "pattern) and the ceiling row show the server with less or no client wait. "
              "The C client rows (bench/pmemaccess-bench.c, built with tinyvmm) do the same "
              "reads as LibVMI's C driver does them (write 24 bytes, read 4097), on their "
              "own connection after the Python rows; each connection is served by a thread "
              "of its own, whose CPU time is read while the client is still connected.")
    bad = sum(r["bad"] for r in res)
    if bad:
        bench.note("pmemaccess", f"{bad} reads answered with status 0")

def _pmemaccess_c(bench, cbench, vm, path, n, depth):
    """One timed run of the C client: n 4 KiB reads over the 128 MiB of RAM, depth requests
    per write. It holds its connection until its stdin ends, so the VMM's CPU time (all
    threads, the serving one included) is read before that thread ends."""
    warm = subprocess.run([cbench, path, str(C["pa_warm"]), "4096", str(128 << 20), "1"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True)
    s0 = cpu_ns(vm.pid)
    p = subprocess.Popen([cbench, path, str(n), "4096", str(128 << 20), str(depth)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    out = p.stdout.readline().split()
    s1 = cpu_ns(vm.pid)
    p.stdin.close()
    p.wait()
    if len(out) != 8 or p.returncode:
        raise RuntimeError(f"pmemaccess-bench failed: {' '.join(out)} {warm.stderr}")
    secs, ccpu, bad = float(out[3]), float(out[5]), int(out[7])
    return dict(rate=n / secs, ccpu=ccpu / n * 1e6, bad=bad,
                vcpu=(s1 - s0) / n / 1e3 if s0 is not None and s1 is not None else None)
