"""bench/run's qmp area: query-status round trips on one connection (Python and C clients, with
the echo floor) and from 8 client processes."""
import json
import multiprocessing
import os
import subprocess
import threading
import time

from lib import NAMES, C, QMPClient, cpu_ns, fig, fmt, log, negotiate, pct, per, raw, roundtrip

REQ = b'{"execute": "query-status"}\n'


def timed(q, n):
    """n round trips, each timed: (latencies in ns, start, end)."""
    lat = [0] * n
    t0 = time.perf_counter_ns()
    for i in range(n):
        a = time.perf_counter_ns()
        roundtrip(q, REQ)
        lat[i] = time.perf_counter_ns() - a
    return lat, t0, time.perf_counter_ns()


def said(label, rnd, kind, r):
    """r (one round's figures), logged; returns r."""
    share = f" ({r['cshare']:.0%} of the machine)" if "cshare" in r else ""
    log(f"  round {rnd + 1} {kind:<8} {label}: {r['rate']:,.0f} cmd/s, p50 {r['p50']:.1f} µs, "
        f"p99 {r['p99']:.1f} µs, client CPU {r['ccpu']:.1f} µs/cmd{share}, "
        f"VMM CPU {fmt(r['vcpu'])} µs/cmd")
    return r


def python_client(kind, vm, rnd):
    """One connection, the Python client: warm-up, then the timed round trips."""
    q, _ = vm.connect()
    negotiate(q)
    first = json.loads(roundtrip(q, REQ))
    assert "status" in first.get("return", {}), first
    for _ in range(C["qmp1_warm"]):
        roundtrip(q, REQ)
    n = C["qmp1_n"]
    c0, s0 = time.process_time_ns(), cpu_ns(vm.pid)
    lat, t0, t1 = timed(q, n)
    c1, s1 = time.process_time_ns(), cpu_ns(vm.pid)
    q.close()
    return said("1 conn", rnd, kind, dict(
        rate=n / ((t1 - t0) / 1e9), p50=pct(lat, 50) / 1e3, p99=pct(lat, 99) / 1e3,
        ccpu=(c1 - c0) / n / 1e3, vcpu=per(s0, s1, n * 1e3)))


def c_client(client):
    """A trial of the C client (bench/bench-client.c): warm-up, then the timed round trips; the
    server's CPU time is read when the client says it is ready and when it has printed its
    figures."""
    def trial(kind, vm, rnd):
        q, _ = vm.connect()
        q.close()  # QEMU serves one client per socket: this one leaves first
        n = C["qmp1_n"]
        p = subprocess.Popen([client, "qmp", vm.socks[0], str(C["qmp1_warm"]), str(n)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            if p.stdout.readline().strip() != "ready":
                raise RuntimeError("bench-client qmp failed during its warm-up")
            s0 = cpu_ns(vm.pid)
            p.stdin.write("\n")
            p.stdin.flush()
            out = p.stdout.readline().split()
            s1 = cpu_ns(vm.pid)
        finally:
            p.stdin.close()
            p.wait()
        if len(out) != 10 or p.returncode:
            raise RuntimeError(f"bench-client qmp failed: {' '.join(out)}")
        return said("1 conn, C client", rnd, kind, dict(
            rate=n / float(out[3]), p50=float(out[7]), p99=float(out[9]),
            ccpu=float(out[5]) / n * 1e6, vcpu=per(s0, s1, n * 1e3)))
    return trial


def eight_clients(kind, vm, rnd):
    """8 client processes, each on a connection of its own."""
    q, _ = vm.connect()
    q.close()   # QEMU: frees socket 0 for its worker
    return said("8 clients", rnd, kind, run_parallel(vm.socks, 8, C["qmp8_warm"],
                                                     C["qmp8_n"], vm.pid))


def run(bench):
    bench.header("QMP query-status round trips")
    bench.facts["cpus"] = os.cpu_count()
    one = bench.trials(C["qmp1_rounds"], python_client)
    client = bench.c_program("bench-client")
    if client:
        # the echo floor: floor-startup --no-kvm greets, then writes back each request line
        cone = bench.trials(C["qmp1_rounds"], c_client(client),
                            bench.with_floor("qmp", "C client rows' floor"),
                            lambda kind: {"extra": ["--no-kvm"]} if kind == "floor" else {})
    else:
        bench.note("qmp", "C client rows: n/a, build/bench/bench-client is missing "
                   "(ninja -C build)")
    # QEMU serves one client per -qmp socket: 8 sockets; tinyvmm: one for all.
    eight = bench.trials(C["qmp8_rounds"], eight_clients,
                         start=lambda kind: {"nsock": 8 if kind == "qemu" else 1})
    bench.header("QMP query-status results")
    table(bench, "1 connection", one, C["qmp1_rounds"], C["qmp1_n"])
    if client:
        table(bench, "1 connection, C client", cone, C["qmp1_rounds"], C["qmp1_n"])
    table(bench, "8 clients", eight, C["qmp8_rounds"], 8 * C["qmp8_n"])
    for label, d in (("1 connection", one), ("8 clients", eight)):
        for kind in bench.kinds:
            if not d[kind]:
                continue
            share = fig(d, kind, "cshare") if "cshare" in d[kind][0] else None
            share = "" if share is None else f", the clients used {share:.0%} of the machine's CPU"
            bench.note("qmp", f"client overhead, {label}, against {NAMES[kind]}: the Python "
                       f"client spent {fig(d, kind, 'ccpu'):.1f} µs CPU per command{share}; "
                       f"the VMM spent {fmt(fig(d, kind, 'vcpu'))} µs CPU per command (all "
                       "its threads, /proc/PID/task/*/schedstat).")


def table(bench, label, d, rounds, n):
    bench.rows("qmp", d, f"{rounds} runs × {n} cmds", [
        (f"{label}: commands/s", "rate", "/s",
         dict(target="≥ 10× QEMU", met=lambda t, r: r >= 10)),
        (f"{label}: median round trip", "p50", "µs"),
        (f"{label}: p99 round trip", "p99", "µs",
         dict(target="< 100 µs", met=lambda t, r: t < 100)),
        (f"{label}: VMM CPU per command", "vcpu", "µs"),
        (f"{label}: client CPU per command", "ccpu", "µs")])


def _worker(path, warm, n, barrier, out):
    try:
        q = raw(QMPClient(path, timeout=60))
        for _ in range(warm):
            roundtrip(q, REQ)
        barrier.wait(60)
        c0 = time.process_time_ns()
        lat, t0, t1 = timed(q, n)
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
    try:
        barrier.wait(120)
    except threading.BrokenBarrierError:
        pass   # a client failed: its error comes through out
    s0 = cpu_ns(pid)
    results = [out.get(timeout=600) for _ in procs]
    s1 = cpu_ns(pid)
    for p in procs:
        p.join()
    errs = sorted((r[4] for r in results if r[4]), key=lambda e: "BrokenBarrierError" in e)
    if errs:   # the cause first, the clients it left at the barrier after
        raise RuntimeError(f"client failed: {errs[0]}")
    start, end = min(r[0] for r in results), max(r[1] for r in results)
    lat = [x for r in results for x in r[3]]
    wall = (end - start) / 1e9
    ccpu = sum(r[2] for r in results)
    return dict(rate=len(lat) / wall, p50=pct(lat, 50) / 1e3, p99=pct(lat, 99) / 1e3,
                ccpu=ccpu / len(lat) / 1e3, cshare=ccpu / 1e9 / (wall * (os.cpu_count() or 1)),
                vcpu=per(s0, s1, len(lat) * 1e3))
