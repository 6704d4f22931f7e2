"""bench/run's qmp area: query-status round trips on one connection (Python and C clients, with
the echo floor) and from 8 client processes."""
import json
import multiprocessing
import os
import subprocess
import time

from lib import C, QMPClient, cpu_ns, fmt, log, med, name, negotiate, pct, raw, roundtrip


def timed(q, req, n):
    """n round trips, each timed: (latencies in ns, start, end)."""
    lat = [0] * n
    t0 = time.perf_counter_ns()
    for i in range(n):
        a = time.perf_counter_ns()
        roundtrip(q, req)
        lat[i] = time.perf_counter_ns() - a
    return lat, t0, time.perf_counter_ns()


def run(bench):
    bench.header("QMP query-status round trips")
    req = b'{"execute": "query-status"}\n'
    one = {k: [] for k in bench.kinds}
    for rnd in range(C["qmp1_rounds"]):
        for kind in bench.order(rnd):
            vm = bench.vmm(kind)
            try:
                q, _ = vm.connect()
                negotiate(q)
                first = json.loads(roundtrip(q, req))
                assert "status" in first.get("return", {}), first
                for _ in range(C["qmp1_warm"]):
                    roundtrip(q, req)
                n = C["qmp1_n"]
                c0, s0 = time.process_time_ns(), cpu_ns(vm.pid)
                lat, t0, t1 = timed(q, req, n)
                c1, s1 = time.process_time_ns(), cpu_ns(vm.pid)
                q.close()
                r = dict(rate=n / ((t1 - t0) / 1e9), p50=pct(lat, 50) / 1e3,
                         p99=pct(lat, 99) / 1e3, ccpu=(c1 - c0) / n / 1e3,
                         vcpu=(s1 - s0) / n / 1e3 if s0 is not None and s1 is not None else None)
                one[kind].append(r)
                log(f"  round {rnd + 1} {kind:<8} 1 conn: {r['rate']:,.0f} cmd/s, "
                    f"p50 {r['p50']:.1f} µs, p99 {r['p99']:.1f} µs, client CPU "
                    f"{r['ccpu']:.1f} µs/cmd, VMM CPU {fmt(r['vcpu'])} µs/cmd")
            finally:
                vm.stop()
    cone = c_client_rounds(bench)
    eight = {k: [] for k in bench.kinds}
    for rnd in range(C["qmp8_rounds"]):
        for kind in bench.order(rnd):
            # QEMU serves one client per -qmp socket: 8 sockets; tinyvmm: one for all.
            vm = bench.vmm(kind, nsock=8 if kind == "qemu" else 1)
            try:
                q, _ = vm.connect()
                q.close()   # QEMU: frees socket 0 for its worker
                r = run_parallel(vm.socks, 8, C["qmp8_warm"], C["qmp8_n"], vm.pid)
                eight[kind].append(r)
                log(f"  round {rnd + 1} {kind:<8} 8 clients: {r['rate']:,.0f} cmd/s, "
                    f"p50 {r['p50']:.1f} µs, p99 {r['p99']:.1f} µs, client CPU "
                    f"{r['ccpu']:.1f} µs/cmd ({r['cshare']:.0%} of the machine), "
                    f"VMM CPU {fmt(r['vcpu'])} µs/cmd")
            finally:
                vm.stop()
    bench.header("QMP query-status results")
    _qmp_rows(bench, "1 connection", one, C["qmp1_rounds"], C["qmp1_n"])
    if cone:
        _qmp_rows(bench, "1 connection, C client", cone, C["qmp1_rounds"], C["qmp1_n"])
    _qmp_rows(bench, "8 clients", eight, C["qmp8_rounds"], 8 * C["qmp8_n"])
    bench.note("qmp", f"1 connection: {C['qmp1_warm']} warm-up commands, then "
              f"{C['qmp1_n']} timed, per round; 8 clients: 8 processes (fork) each "
              f"{C['qmp8_warm']} warm-up then {C['qmp8_n']} timed after a barrier; "
              "commands/s = timed commands / wall time from the first start to the last end.")
    bench.note("qmp", "QEMU gets 8 `-qmp` sockets for 8 clients (it serves one client per "
              "socket); tinyvmm serves the 8 clients on its one socket.")
    bench.note("qmp", f"8 client processes, the VMM and everything else share {os.cpu_count()} "
              "CPUs: with 8 round trips in flight a client often waits for a CPU, so the "
              "8-client latencies (p99 above all) measure the scheduler as much as the VMM.")
    for label, d in (("1 connection", one), ("8 clients", eight)):
        for kind in bench.kinds:
            rs = d[kind]
            if not rs:
                continue
            extra = ""
            if "cshare" in rs[0]:
                extra = f", the clients used {med([r['cshare'] for r in rs]):.0%} of the machine's CPU"
            bench.note("qmp", f"client overhead, {label}, against {name(kind)}: the Python "
                      f"client spent {med([r['ccpu'] for r in rs]):.1f} µs CPU per command"
                      f"{extra}; the VMM spent {fmt(med([r['vcpu'] for r in rs]))} µs CPU per "
                      "command (all its threads, /proc/PID/task/*/schedstat).")

def _qmp_rows(bench, label, d, rounds, n):
    runs = f"{rounds} runs × {n} cmds"

    def fig(key, kind):
        return med([r[key] for r in d.get(kind, [])])

    def row(name, key, unit, **kw):
        t, q = fig(key, "tinyvmm"), fig(key, "qemu")
        floor = fig(key, "floor") if "floor" in d else None
        bench.row("qmp", f"{label}: {name}", t, q, unit, runs=runs, floor=floor, **kw)
        return t, q

    tr, qr = fig("rate", "tinyvmm"), fig("rate", "qemu")
    ratio = tr / qr if tr and qr else None
    row("commands/s", "rate", "/s", ratio=ratio, target="≥ 10× QEMU",
        met=None if ratio is None else ratio >= 10)
    row("median round trip", "p50", "µs")
    t99 = fig("p99", "tinyvmm")
    row("p99 round trip", "p99", "µs", target="< 100 µs", met=None if t99 is None else t99 < 100)
    row("VMM CPU per command", "vcpu", "µs")
    row("client CPU per command", "ccpu", "µs")


def c_client_rounds(bench):
    """The 1-connection rounds again with the C client (bench/qmp-client.c), whose own CPU
    cost per command is a fraction of the Python client's, against the VMMs and the echo floor
    (bench/floor-startup.c --no-kvm: greets, then writes back each request line as it
    arrives). Returns {kind: [round figures]}, or None without the C programs."""
    client = bench.c_program("qmp-client")
    kinds = bench.kinds + (["floor"] if bench.c_program("floor") else [])
    if not client:
        bench.note("qmp", "C client rows: n/a, build/bench/qmp-client is missing (ninja -C build)")
        return None
    res = {k: [] for k in kinds}
    for rnd in range(C["qmp1_rounds"]):
        for kind in bench.order(rnd, kinds):
            vm = bench.vmm(kind, extra=["--no-kvm"] if kind == "floor" else ())
            try:
                q, _ = vm.connect()
                q.close()  # QEMU serves one client per socket: this one leaves first
                r = _c_client(client, vm, C["qmp1_warm"], C["qmp1_n"])
                res[kind].append(r)
                log(f"  round {rnd + 1} {kind:<8} 1 conn, C client: {r['rate']:,.0f} cmd/s, "
                    f"p50 {r['p50']:.1f} µs, p99 {r['p99']:.1f} µs, client CPU "
                    f"{r['ccpu']:.1f} µs/cmd, VMM CPU {fmt(r['vcpu'])} µs/cmd")
            finally:
                vm.stop()
    if "floor" in kinds:
        bench.note("qmp", "The C client rows' floor is a trivial echo server on the same socket "
                  "type (`floor-startup SOCK 128 --no-kvm`): it greets, then writes back each "
                  "request line as it reads it, so its round trip is the sockets' and the "
                  "scheduler's alone. Its \"VMM CPU\" is the echo server's.")
    return res


def _c_client(client, vm, warm, n):
    """One run of the C client: warm-up, then n timed round trips; the server's CPU time is
    read when the client says it is ready and when it has printed its figures."""
    p = subprocess.Popen([client, vm.socks[0], str(warm), str(n)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    try:
        if p.stdout.readline().strip() != "ready":
            raise RuntimeError("qmp-client failed during its warm-up")
        s0 = cpu_ns(vm.pid)
        p.stdin.write("\n")
        p.stdin.flush()
        out = p.stdout.readline().split()
        s1 = cpu_ns(vm.pid)
    finally:
        p.stdin.close()
        p.wait()
    if len(out) != 10 or p.returncode:
        raise RuntimeError(f"qmp-client failed: {' '.join(out)}")
    secs, ccpu = float(out[3]), float(out[5])
    return dict(rate=n / secs, p50=float(out[7]), p99=float(out[9]), ccpu=ccpu / n * 1e6,
                vcpu=(s1 - s0) / n / 1e3 if s0 is not None and s1 is not None else None)


def _worker(path, warm, n, barrier, out):
    try:
        req = b'{"execute": "query-status"}\n'
        q = raw(QMPClient(path, timeout=60))
        for _ in range(warm):
            roundtrip(q, req)
        barrier.wait(60)
        c0 = time.process_time_ns()
        lat, t0, t1 = timed(q, req, n)
        c1 = time.process_time_ns()
        q.close()
        out.put((t0, t1, c1 - c0, lat, None))
    except Exception as e:  # reported by the parent
        try:
            barrier.abort()
        except Exception:
            pass
        out.put((0, 0, 0, [], repr(e)))


def run_parallel(socks, nclients, warm, n, pid):
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(nclients + 1)
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(socks[i % len(socks)], warm, n, barrier, out))
             for i in range(nclients)]
    for p in procs:
        p.start()
    barrier.wait(120)
    s0 = cpu_ns(pid)
    results = [out.get(timeout=600) for _ in procs]
    s1 = cpu_ns(pid)
    for p in procs:
        p.join()
    errs = [r[4] for r in results if r[4]]
    if errs:
        raise RuntimeError(f"client failed: {errs[0]}")
    start, end = min(r[0] for r in results), max(r[1] for r in results)
    lat = [x for r in results for x in r[3]]
    wall = (end - start) / 1e9
    ccpu = sum(r[2] for r in results)
    return dict(rate=len(lat) / wall, p50=pct(lat, 50) / 1e3, p99=pct(lat, 99) / 1e3,
                ccpu=ccpu / len(lat) / 1e3, cshare=ccpu / 1e9 / (wall * (os.cpu_count() or 1)),
                vcpu=(s1 - s0) / len(lat) / 1e3 if s0 is not None and s1 is not None else None)
