"""QMP run states and events: stop/cont/reset/powerdown, prelaunch, HMP stop/cont, guest and signal shutdowns."""
import json
import signal

from tvmm import (Failure, QVM, check, command_id, guest, no_more_data, raw_line, run, send_raw,
                  wait_status)


def status(q):
    return q.command("query-status")["return"]


def event_then_return(q, cmd, event, id):
    """The event line arrives before the command's own return (QEMU's order)."""
    send_raw(q, json.dumps({"execute": cmd, "id": id}))
    first = json.loads(raw_line(q))
    check(first.get("event") == event, f"{cmd}: {event} first", event, first)
    check(set(first["timestamp"]) == {"seconds", "microseconds"}, "event timestamp", None, first)
    second = json.loads(raw_line(q))
    check(second == {"return": {}, "id": id}, f"{cmd}: then its return", None, second)
    return first


def stop_cont(vm):
    q = vm.qmp()
    vm.wait_output("heartbeat 1\r\n")
    check(status(q) == {"status": "running", "singlestep": False, "running": True},
          "query-status running", None, status(q))
    ev = event_then_return(q, "stop", "STOP", 1)
    check("data" not in ev, "STOP has no data", None, ev)
    check(status(q) == {"status": "paused", "singlestep": False, "running": False},
          "query-status paused", None, status(q))
    # paused: no heartbeat moves
    n = len(vm.out)
    vm._pump(0.6)
    check(b"heartbeat" not in vm.out[n:], "no heartbeat while paused", None, vm.out[n:])
    r = command_id(q, "stop", id=2)
    check(r == {"return": {}, "id": 2}, "stop when paused", None, r)
    check(no_more_data(q), "no event for a second stop")
    event_then_return(q, "cont", "RESUME", 3)
    vm.wait_output("heartbeat", start=len(vm.out))
    r = q.command("cont")
    check(r == {"return": {}}, "cont when running", None, r)
    check(no_more_data(q), "no event for a second cont")
    # HMP stop/cont produce the same events
    r = q.command("human-monitor-command", {"command-line": "stop"})
    check(r == {"return": ""}, "HMP stop", None, r)
    q.wait_event("STOP")
    check(status(q)["status"] == "paused", "paused by HMP")
    r = q.command("human-monitor-command", {"command-line": "cont"})
    q.wait_event("RESUME")
    check(status(q)["status"] == "running", "running again")
    # reset and powerdown
    ev = event_then_return(q, "system_reset", "RESET", 4)
    check(ev["data"] == {"guest": False, "reason": "host-qmp-system-reset"}, "RESET data", None,
          ev)
    start = vm.wait_output("tinyvmm demo guest\r\n", start=0)
    vm.wait_output("heartbeat 1\r\n", start=start)
    check(status(q)["status"] == "running", "running after reset")
    send_raw(q, '{"execute":"system_powerdown","id":5}')
    got = [json.loads(raw_line(q)), json.loads(raw_line(q))]
    evs = [g for g in got if "event" in g]
    check(len(evs) == 1 and evs[0]["event"] == "POWERDOWN" and "data" not in evs[0],
          "POWERDOWN event", None, got)
    check({"return": {}, "id": 5} in got, "system_powerdown returns")
    # reset while paused stays paused
    event_then_return(q, "stop", "STOP", 6)
    event_then_return(q, "system_reset", "RESET", 7)
    check(status(q)["status"] == "paused", "reset keeps a paused VM paused", None, status(q))
    q.command("cont")
    q.wait_event("RESUME")
    # a signal: SHUTDOWN {guest: false, reason: host-signal}, then EOF
    vm.proc.send_signal(signal.SIGTERM)
    ev = q.wait_event("SHUTDOWN")
    check(ev["data"] == {"guest": False, "reason": "host-signal"}, "SHUTDOWN on SIGTERM", None, ev)
    check(vm.wait_exit() == 0, "exit 0 after SIGTERM")


def prelaunch():
    with QVM("-S") as vm:
        q = vm.qmp()
        check(status(q) == {"status": "prelaunch", "singlestep": False, "running": False},
              "-S: prelaunch", None, status(q))
        r = q.command("stop")
        check(r == {"return": {}}, "stop in prelaunch", None, r)
        check(no_more_data(q), "no STOP from prelaunch")
        check(status(q)["status"] == "prelaunch", "still prelaunch")
        check(b"demo guest" not in vm.out, "guest not started", None, vm.out)
        event_then_return(q, "cont", "RESUME", "go")
        vm.wait_output("heartbeat 1\r\n")
        wait_status(q, "running")


def guest_shutdown():
    with QVM("-flat", guest("exit42"), "-S") as vm:
        q = vm.qmp()
        q.command("cont")
        ev = q.wait_event("SHUTDOWN")
        check(ev["data"] == {"guest": True, "reason": "guest-shutdown"}, "guest SHUTDOWN", None, ev)
        rc = vm.wait_exit()
        check(rc == 85, "exit status from the guest", 85, rc)


def quit_then_reset():
    """Requests after quit in the same write are not run: no RESET revives the VM."""
    with QVM() as vm:
        q = vm.qmp()
        vm.wait_output("heartbeat 1\r\n")
        send_raw(q, '{"execute":"quit","id":1}{"execute":"system_reset","id":2}'
                   '{"execute":"query-status","id":3}\n')
        lines = []
        try:
            while True:
                lines.append(json.loads(raw_line(q)))
        except (Failure, ConnectionResetError):
            pass  # the server closed the connection
        got = [x.get("event") or x.get("id") for x in lines]
        check(got == ["SHUTDOWN", 1], "quit's SHUTDOWN and return, then nothing", None, lines)
        rc = vm.wait_exit()
        check(rc == 0, "quit exits 0", 0, rc)


def test():
    with QVM() as vm:
        stop_cont(vm)
    prelaunch()
    guest_shutdown()
    quit_then_reset()


run(test)
