"""bench/run's events area: stop→STOP and cont→RESUME, from the command to the event line."""
import time

from lib import C, log, negotiate, pct, wait_event


def trial(kind, vm, rnd):
    """stop and cont cycles, each timed to its event and to both the event and the reply."""
    q, _ = vm.connect()
    negotiate(q)
    lat = {"s": [], "c": [], "sr": [], "cr": []}
    before = 0
    for i in range(C["ev_warm"] + C["ev_n"]):
        for key, req, event in (("s", b'{"execute": "stop"}\n', "STOP"),
                                ("c", b'{"execute": "cont"}\n', "RESUME")):
            a = time.perf_counter_ns()
            q.sock.sendall(req)
            te, tr, reply_first = wait_event(q, event)
            before += key == "s" and reply_first
            if i >= C["ev_warm"]:
                lat[key].append((te - a) / 1e3)
                lat[key + "r"].append((tr - a) / 1e3)
    status = q.execute("query-status")
    assert status.get("running") is True, status
    q.close()
    r = dict(s50=pct(lat["s"], 50), s99=pct(lat["s"], 99), c50=pct(lat["c"], 50),
             c99=pct(lat["c"], 99), sr50=pct(lat["sr"], 50), cr50=pct(lat["cr"], 50))
    log(f"  round {rnd + 1} {kind:<8} stop→STOP p50 {r['s50']:.0f} µs p99 {r['s99']:.0f} µs; "
        f"cont→RESUME p50 {r['c50']:.0f} µs p99 {r['c99']:.0f} µs"
        + (f" (reply before the event in {before} cycles)" if before else ""))
    return r


def run(bench):
    bench.header("stop→STOP and cont→RESUME")
    res = bench.trials(C["ev_rounds"], trial)
    bench.header("stop/cont results")
    bench.rows("events", res, f"{C['ev_rounds']} runs × {C['ev_n']} cycles", [
        ("stop→STOP median", "s50", "µs", dict(target="< 100 µs", met=lambda t, r: t < 100)),
        ("stop→STOP p99", "s99", "µs"),
        ("cont→RESUME median", "c50", "µs"),
        ("cont→RESUME p99", "c99", "µs"),
        ("stop→its return, median", "sr50", "µs"),
        ("cont→its return, median", "cr50", "µs")])
