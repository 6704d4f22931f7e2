"""bench/run's startup area: exec → QMP greeting, exec → the demo guest's first serial byte."""
import os
import select
import subprocess
import time

from lib import C, log, med


def greeting(kind, vm, i):
    q, tg = vm.connect()
    q.close()
    log(f"  start {i + 1} {kind:<8} greeting {(tg - vm.t_exec) / 1e6:.2f} ms")
    return dict(ms=(tg - vm.t_exec) / 1e6)


def first_byte(kind, vm, i):
    """exec → the demo guest's first serial byte, and the same from Popen's return."""
    fd = vm.p.stdout.fileno()
    r, _, _ = select.select([fd], [], [], 10)
    if not (r and os.read(fd, 1)):
        return None
    now = time.perf_counter_ns()
    log(f"  start {i + 1} tinyvmm  first serial byte {(now - vm.t_exec) / 1e6:.2f} ms")
    return dict(exec=(now - vm.t_exec) / 1e6, popen=(now - vm.t_popen) / 1e6)


def run(bench):
    bench.header("start-up: exec → readable greeting")
    # the floor program (bench/floor-startup.c) takes its turn with the VMMs
    greet = bench.trials(C["start_n"], greeting, bench.with_floor("startup", "floor"))
    serial = bench.trials(C["serial_n"], first_byte, ["tinyvmm"],
                          lambda kind: {"serial": "stdio"})
    spawn = []
    for _ in range(C["start_n"]):
        t0 = time.perf_counter_ns()
        p = subprocess.Popen(["/bin/true"])
        spawn.append((time.perf_counter_ns() - t0) / 1e6)
        p.wait()
    bench.facts["spawn"] = f"{med(spawn):.2f}"
    bench.rows("startup", greet, f"{C['start_n']} starts each", [
        ("exec → greeting read", "ms", "ms",
         dict(target="≤ 1/10 of QEMU's", met=lambda t, r: r <= 0.1,
              ftarget="≤ 2× the floor's", fmet=lambda t, r: r <= 2))])
    for kind, rs in greet.items():
        ms = [r["ms"] for r in rs]
        log(f"  {kind}: greeting min {min(ms):.2f} ms, max {max(ms):.2f} ms")
    serial["qemu"] = "n/a"
    bench.rows("startup", serial, f"{C['serial_n']} starts", [
        ("exec → first serial byte (demo guest)", "exec", "ms",
         dict(target="≤ 5 ms", met=lambda t, r: t <= 5)),
        ("Popen's return → first serial byte", "popen", "ms")])
