"""Integration: hostile and odd test guests never crash the VMM; exit codes are as documented."""
import tvmm
from tvmm import check


def exit_port():
    with tvmm.VM("-flat", tvmm.guest("exit42")) as vm:
        rc = vm.wait_exit(timeout=30)
        check(b"exit guest" in vm.out, "exit guest banner", b"exit guest", vm.out)
        check(rc == (0x2a << 1) | 1, "exit port status", 85, rc)


def all_ports():
    with tvmm.VM("-flat", tvmm.guest("allports"), "-m", "64M") as vm:
        vm.wait_output("ports done", timeout=120)
        vm.wait_output("mmio done", timeout=60)
        rc = vm.wait_exit(timeout=30)
        check(rc == 1, "allports ends through the exit port with value 0", 1, rc)
        check(b"tinyvmm:" not in vm.err, "no VMM complaints", b"", vm.err)


def triple_fault():
    with tvmm.VM("-flat", tvmm.guest("triple")) as vm:
        rc = vm.wait_exit(timeout=30)
        check(b"triple guest" in vm.out, "triple guest banner", b"triple guest", vm.out)
        check(rc == 2, "triple fault exit code", 2, rc)
        check(b"triple fault" in vm.err, "triple fault message", b"triple fault", vm.err)


def hlt_cli():
    with tvmm.VM("-flat", tvmm.guest("hlt-cli")) as vm:
        vm.wait_output("hlt guest")
        check(vm.proc.poll() is None, "VMM alive with a vCPU halted, interrupts off")
        vm.proc.terminate()
        check(vm.wait_exit(timeout=5) == 0, "SIGTERM while halted exits 0")


tvmm.main({"exit-port": exit_port, "triple-fault": triple_fault, "hlt-cli": hlt_cli, "all-ports": all_ports})
