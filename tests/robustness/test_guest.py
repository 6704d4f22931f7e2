"""Robustness, guest: every port, random MMIO, triple fault, HLT with interrupts off, stop while vCPUs spin, stop/cont and reset storms."""
import os
import struct
import time

import tvmm
from rlib import QVM, Timer, alive, check, expect_eof, reply, scaled, send_raw

STATUS_RUNNING = {"status": "running", "singlestep": False, "running": True}


def robust_guest(name):
    return os.path.join(os.environ["TINYVMM_ROBUST_GUESTS"], name + ".bin")


def u32(q, gpa):
    r = q.command("x-read-memory", {"addr": gpa, "size": 4, "physical": True})
    check("return" in r, f"x-read-memory {gpa:#x}", None, r)
    return struct.unpack("<I", bytes.fromhex(r["return"]))[0]


def all_ports():
    with QVM("-S", "-flat", tvmm.guest("allports"), "-m", "64M") as vm:
        q = vm.qmp()
        alive(vm, "prelaunch", q=q)
        check(q.command("cont") == {"return": {}}, "cont")
        alive(vm, q=q)  # answered while the guest hammers every port
        vm.wait_output("ports done", timeout=120)
        vm.wait_output("mmio done", timeout=60)
        e = q.wait_event("SHUTDOWN", timeout=scaled(30))
        check(e["data"] == {"guest": True, "reason": "guest-shutdown"},
              "SHUTDOWN from the exit port", {"guest": True, "reason": "guest-shutdown"},
              e["data"])
        rc = vm.wait_exit(timeout=30)
        check(rc == 1, "exit status of the exit port (0 << 1) | 1", 1, rc)
        check(b"tinyvmm:" not in vm.err, "no VMM complaint about any port", b"", vm.err)


def random_mmio():
    with QVM("-flat", robust_guest("mmio-random"), "-m", "64M") as vm:
        vm.wait_output("random mmio done", timeout=120)
        q = vm.qmp()
        n = u32(q, 0x500)
        check(n == 20000, "the guest made all its MMIO accesses", 20000, n)
        alive(vm, q=q)
        check(b"tinyvmm:" not in vm.err, "no VMM complaint", b"", vm.err)


def triple_fault():
    # with a monitor attached, the triple fault ends the VM as with -no-reboot in QEMU:
    # SHUTDOWN {"guest": true, "reason": "guest-reset"}, EOF, exit status 2
    with QVM("-S", "-flat", tvmm.guest("triple")) as vm:
        q = vm.qmp()
        alive(vm, "prelaunch", q=q)
        q.command("cont")
        e = q.wait_event("SHUTDOWN", timeout=scaled(30))
        check(e["data"] == {"guest": True, "reason": "guest-reset"}, "SHUTDOWN on triple fault",
              {"guest": True, "reason": "guest-reset"}, e["data"])
        expect_eof(q)
        rc = vm.wait_exit(timeout=10)
        check(rc == 2, "exit status after a triple fault", 2, rc)
        check(b"triple fault" in vm.err, "the VMM says why", b"...triple fault...", vm.err)


def hlt_cli():
    with QVM("-flat", tvmm.guest("hlt-cli"), "-smp", "2") as vm:
        vm.wait_output("hlt guest")
        q = vm.qmp()
        with Timer("10 stop/cont with every vCPU halted, interrupts off", 5):
            for _ in range(10):
                check(q.command("stop") == {"return": {}}, "stop")
                q.wait_event("STOP")
                alive(vm, "paused", q=q)
                check(q.command("cont") == {"return": {}}, "cont")
                q.wait_event("RESUME")
        check(q.command("system_reset") == {"return": {}}, "system_reset")
        vm.wait_output("hlt guest", start=vm.out.find(b"hlt guest") + 1)
        alive(vm, q=q)


def spin_stop():
    with QVM("-flat", tvmm.guest("spin"), "-smp", "2") as vm:
        vm.wait_output("spin guest")
        q = vm.qmp()
        time.sleep(0.2)
        a = u32(q, 0x500)
        time.sleep(0.2)
        check(u32(q, 0x500) != a, "the counter moves while running")
        with Timer("stop with two vCPUs spinning", 1):
            check(q.command("stop") == {"return": {}}, "stop")
        q.wait_event("STOP", timeout=scaled(1))
        c0, c1 = u32(q, 0x500), u32(q, 0x604)
        time.sleep(0.3)
        c0b, c1b = u32(q, 0x500), u32(q, 0x604)
        check((c0b, c1b) == (c0, c1), "both counters stand still while paused", (c0, c1),
              (c0b, c1b))
        alive(vm, "paused", q=q)
        q.command("cont")
        q.wait_event("RESUME")
        time.sleep(0.2)
        check(u32(q, 0x500) != c0 and u32(q, 0x604) != c1, "counters move again after cont")
        alive(vm, q=q)


def stop_cont_storm():
    with QVM("-flat", tvmm.guest("spin"), "-smp", "4") as vm:
        vm.wait_output("spin guest")
        q = vm.qmp()
        with Timer("200 stop/cont cycles with 4 spinning vCPUs", 30):
            send_raw(q, b'{"execute":"stop"}{"execute":"cont"}' * 200)
            replies = [reply(q) for _ in range(400)]
        check(replies == [{"return": {}}] * 400, "400 returns", None,
              [r for r in replies if r != {"return": {}}][:3])
        kinds = [e["event"] for e in q.pending]
        check(kinds == ["STOP", "RESUME"] * 200, "STOP/RESUME alternate, 200 each",
              "['STOP', 'RESUME'] * 200", kinds[:6] + ["..."] + kinds[-2:])
        alive(vm, q=q)


def reset_storm():
    with QVM() as vm:
        vm.wait_output("heartbeat 1")
        q = vm.qmp()
        with Timer("50 pipelined system_reset", 20):
            send_raw(q, b'{"execute":"system_reset"}' * 50)
            replies = [reply(q) for _ in range(50)]
        check(replies == [{"return": {}}] * 50, "50 returns", None, replies[:3])
        resets = [e for e in q.pending if e["event"] == "RESET"]
        check(len(resets) == 50 and all(e["data"] == {"guest": False,
                                                       "reason": "host-qmp-system-reset"}
                                        for e in resets), "50 RESET events", 50, len(resets))
        start = len(vm.out)
        vm.wait_output("heartbeat 1", start=start, timeout=10)  # the guest boots again
        alive(vm, q=q)


CASES = {
    "guest-all-ports": all_ports,
    "guest-random-mmio": random_mmio,
    "guest-triple-fault": triple_fault,
    "guest-hlt-cli": hlt_cli,
    "guest-spin-stop": spin_stop,
    "guest-stop-cont-storm": stop_cont_storm,
    "guest-reset-storm": reset_storm,
}

if __name__ == "__main__":
    tvmm.main(CASES)
