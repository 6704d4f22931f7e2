"""bench/run's events area: stop→STOP and cont→RESUME, from the command to the event line."""
import time

from lib import C, log, med, negotiate, pct, wait_event, wait_reply


def run(bench):
    bench.header("stop→STOP and cont→RESUME")
    res = {k: [] for k in bench.kinds}
    stop_req, cont_req = b'{"execute": "stop"}\n', b'{"execute": "cont"}\n'
    for rnd in range(C["ev_rounds"]):
        for kind in bench.order(rnd):
            vm = bench.vmm(kind)
            try:
                q, _ = vm.connect()
                negotiate(q)
                st, ct, sr, cr = [], [], [], []
                before = 0
                for i in range(C["ev_warm"] + C["ev_n"]):
                    a = time.perf_counter_ns()
                    q.sock.sendall(stop_req)
                    te, replied = wait_event(q, "STOP")
                    if not replied:
                        wait_reply(q)
                    else:
                        before += 1
                    tr = time.perf_counter_ns()
                    b = time.perf_counter_ns()
                    q.sock.sendall(cont_req)
                    te2, replied2 = wait_event(q, "RESUME")
                    if not replied2:
                        wait_reply(q)
                    tr2 = time.perf_counter_ns()
                    if i >= C["ev_warm"]:
                        st.append((te - a) / 1e3)
                        sr.append((tr - a) / 1e3)
                        ct.append((te2 - b) / 1e3)
                        cr.append((tr2 - b) / 1e3)
                status = q.execute("query-status")
                assert status.get("running") is True, status
                q.close()
                r = dict(s50=pct(st, 50), s99=pct(st, 99), c50=pct(ct, 50), c99=pct(ct, 99),
                         sr50=pct(sr, 50), cr50=pct(cr, 50))
                res[kind].append(r)
                log(f"  round {rnd + 1} {kind:<8} stop→STOP p50 {r['s50']:.0f} µs p99 "
                    f"{r['s99']:.0f} µs; cont→RESUME p50 {r['c50']:.0f} µs p99 {r['c99']:.0f} µs"
                    + (f" (reply before the event in {before} cycles)" if before else ""))
            finally:
                vm.stop()
    runs = f"{C['ev_rounds']} runs × {C['ev_n']} cycles"

    def m(kind, key):
        return med([r[key] for r in res.get(kind, [])])
    bench.header("stop/cont results")
    s50 = m("tinyvmm", "s50")
    bench.row("events", "stop→STOP median", s50, m("qemu", "s50"), "µs", target="< 100 µs",
             met=None if s50 is None else s50 < 100, runs=runs)
    bench.row("events", "stop→STOP p99", m("tinyvmm", "s99"), m("qemu", "s99"), "µs", runs=runs)
    bench.row("events", "cont→RESUME median", m("tinyvmm", "c50"), m("qemu", "c50"), "µs", runs=runs)
    bench.row("events", "cont→RESUME p99", m("tinyvmm", "c99"), m("qemu", "c99"), "µs", runs=runs)
    bench.row("events", "stop→its return, median", m("tinyvmm", "sr50"), m("qemu", "sr50"),
             "µs", runs=runs)
    bench.row("events", "cont→its return, median", m("tinyvmm", "cr50"), m("qemu", "cr50"),
             "µs", runs=runs)
    bench.note("events", f"each cycle sends `stop`, reads until the STOP event line (the "
              "time recorded) and the reply, then the same for `cont`/RESUME; "
              f"{C['ev_warm']} warm-up cycles per run. The target is judged on the median.")
