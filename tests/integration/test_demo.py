"""Integration: the demo guest's banner and heartbeats, -smp 4, SIGTERM, and start-up errors."""
import signal
import subprocess
import time

import tvmm
from tvmm import check


def demo_heartbeats():
    with tvmm.VM() as vm:
        vm.wait_output("tinyvmm demo guest\r\n")
        vm.wait_output("cpu 0 online")
        end = vm.wait_output("heartbeat 3\r\n")
        check(b"heartbeat 1\r\nheartbeat 2\r\n" in vm.out[:end], "heartbeats in order",
              "heartbeat 1..3", vm.out[:end])


def smp4():
    with tvmm.VM("-smp", "4") as vm:
        for i in range(4):
            vm.wait_output(f"cpu {i} online\r\n")
        vm.wait_output("heartbeat 1\r\n")
        check(vm.out.count(b"online") == 4, "four vCPUs announce", 4, vm.out.count(b"online"))


def sigterm():
    with tvmm.VM() as vm:
        vm.wait_output("heartbeat 1")
        t = time.monotonic()
        vm.proc.send_signal(signal.SIGTERM)
        rc = vm.wait_exit(timeout=5)
        took = time.monotonic() - t
        check(rc == 0, "SIGTERM exits 0", 0, rc)
        check(took < 1.0, "SIGTERM exit within 1 s", "< 1.0 s", took)
    with tvmm.VM() as vm:
        vm.wait_output("heartbeat 1")
        vm.proc.send_signal(signal.SIGINT)
        check(vm.wait_exit(timeout=5) == 0, "SIGINT exits 0")


def startup_errors():
    for args, want in [(["-m", "0"], b"-m: '0' is too small"),
                       (["-flat", "/nonexistent.bin"], b"cannot open '/nonexistent.bin'"),
                       (["-flat", "/"], b"is not a regular file"),
                       (["-m", "900G"], b"cannot allocate"),
                       (["-serial", "file:/nonexistent/dir/out"], b"-serial: cannot open")]:
        p = subprocess.run([tvmm.binary(), "-serial", "none"] + args, capture_output=True,
                           timeout=30)
        check(p.returncode == 1, f"{args} exits 1", 1, p.returncode)
        check(want in p.stderr, f"{args} message", want, p.stderr)
        check(p.stderr.count(b"\n") <= 2, f"{args} message is short", "<= 2 lines", p.stderr)


tvmm.main({"demo-heartbeats": demo_heartbeats, "smp4": smp4, "sigterm": sigterm, "startup-errors": startup_errors})
