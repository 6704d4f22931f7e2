"""The nested suite's cases: the script the outer guest runs for each, and what its output
must show. Scripts use the helpers in lib.sh; the inner guest's /init is l2-init.sh."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import qemu_text  # noqa: E402

QUIET = "console=ttyS0 quiet"


class Case:
    def __init__(self, name, script, expect=(), forbid=(), rc=0, budget=30):
        self.name = name
        self.script = script
        self.expect = expect    # regexes the output must match, in this order
        self.forbid = forbid    # regexes it must not match
        self.rc = rc            # tinyvmm's exit code (@@RC)
        self.budget = budget    # seconds this case may take in the outer guest

    def check(self, text):
        problems = []
        pos = 0
        for rx in self.expect:
            m = re.compile(rx, re.M).search(text, pos)
            if not m:
                problems.append(f"expected /{rx}/ (after offset {pos})")
                break
            pos = m.end()
        for rx in self.forbid:
            if re.search(rx, text, re.M):
                problems.append(f"unexpected /{rx}/")
        rcs = re.findall(r"^@@RC (\d+)", text, re.M)
        if self.rc is not None and (not rcs or int(rcs[-1]) != self.rc):
            problems.append(f"tinyvmm exit code {rcs[-1] if rcs else 'missing'}, "
                            f"expected {self.rc}")
        return problems

    def summary(self, text):
        parts = []
        m = re.search(r"^@@MARK (\S+) (\S+)", text, re.M)
        if m:
            parts.append(f"init marker after {float(m.group(2)) - float(m.group(1)):.2f} s")
        m = re.search(r"^@@TIME (\S+) (\S+)", text, re.M)
        if m:
            parts.append(f"{float(m.group(2)) - float(m.group(1)):.2f} s in tinyvmm")
        return ", ".join(parts)


def boot(name, args, cpus, action="poweroff", extra=(), budget=25):
    script = f'run_vm {budget} {args} $BOOT -append "{QUIET} tvmm.action={action}"\n'
    return Case(name, script,
                expect=[rf"TVMM-L2-UP cpus={cpus} memkb=\d+ action={action}"] + list(extra),
                forbid=[r"Kernel panic", r"tinyvmm: .*(error|fail)"], budget=budget)



def boot_twice(name, action, driver, extra, budget=40):
    """A VM in the background with QMP; driver is the shell that runs while it lives."""
    script = (f'start_vm -m 256M -smp 2 $BOOT -append "{QUIET} tvmm.action={action}"\n'
              f'{driver}\nend_vm 20\n')
    return Case(name, script, expect=extra, forbid=[r"Kernel panic", r"@@TIMEOUT", r"@@KILLED"],
                budget=budget)


def long_mode(text):
    """Every 'info registers' dump shows CR0.PG, CR0.PE and EFER.LMA set."""
    cr0 = re.findall(r"CR0=([0-9a-f]+)", text)
    efer = re.findall(r"EFER=([0-9a-f]+)", text)
    if not cr0 or not efer:
        return ["no CR0=/EFER= in the info registers output"]
    bad = [c for c in cr0 if not (int(c, 16) & 0x80000001) == 0x80000001]
    bad += [e for e in efer if not int(e, 16) & 0x400]
    return [f"not in long mode: {bad}"] if bad else []


class Registers(Case):
    def check(self, text):
        return super().check(text) + long_mode(text)


STOP = '{"execute":"stop"}'
CONT = '{"execute":"cont"}'
STATUS = '{"execute":"query-status"}'
REGS = '{"execute":"human-monitor-command","arguments":{"command-line":"info registers"}}'
QUIT = '{"execute":"quit"}'


class HmpText(Case):
    """HMP text read over QMP's human-monitor-command, compared line by line (values masked)
    with QEMU 7.2's recorded for the same flat guest, one fixture per reply."""

    def __init__(self, name, script, fixtures, **kw):
        super().__init__(name, script, **kw)
        self.fixtures = fixtures

    def check(self, text):
        problems = super().check(text)
        got = []
        for line in re.findall(r"^qmp: (\{.*\})\s*$", text, re.M):
            reply = json.loads(line)
            if isinstance(reply.get("return"), str):
                got.append(reply["return"])
        if len(got) != len(self.fixtures):
            return problems + [f"{len(got)} HMP replies, expected {len(self.fixtures)}"]
        for name, g in zip(self.fixtures, got):
            problems += [f"{what}: QEMU {want!r}, tinyvmm {have!r}" for what, want, have in
                         qemu_text.differences(name, qemu_text.fixture(name), g)]
        return problems


def hmp_over_qmp(line):
    return json.dumps({"execute": "human-monitor-command", "arguments": {"command-line": line}})


class Translate(Case):
    def summary(self, text):
        m = re.search(r"^compared with KVM_TRANSLATE (.*)", text, re.M)
        return ", ".join(filter(None, [m and m.group(1), super().summary(text)]))


# README.md's Linux demo, word for word but the bed's kernel and initrd paths; stdin (the serial
# console and HMP behind QEMU's Ctrl-a mux) is a fifo, stdout the log waitfor reads. While it
# runs: a command typed into the guest's shell, HMP after Ctrl-a c, and a QMP client on the
# unix socket (Debian's nc -U, as the README's) at the same time; Ctrl-a x ends it.
README_DEMO = r"""rm -f /tmp/in /tmp/qin && mkfifo /tmp/in /tmp/qin
: >/tmp/serial.log && : >/tmp/qmp.log
T0=$(now)
$VMM -m 512M -smp 2 -nographic -kernel /vmlinuz \
    -initrd /l2.cpio -append "console=ttyS0 quiet tvmm.action=shell" \
    -qmp unix:/tmp/qmp.sock,server=on,wait=off </tmp/in >/tmp/serial.log 2>/tmp/vmm.log &
VM_PID=$!
exec 3>/tmp/in
hmp() { printf '%s\r' "$1" >&3; }
qmpc() { echo "$1" >&4; }
waitfor TVMM-L2-SHELL 1 60 && sleep 1 && echo 'echo TYPED-$((6*7))' >&3 && waitfor TYPED-42 1 20 &&
{ nc.openbsd -U /tmp/qmp.sock </tmp/qin >/tmp/qmp.log & } && exec 4>/tmp/qin &&
qmpc '{"execute":"qmp_capabilities"}' && qmpc '{"execute":"query-status"}' &&
waitfor_in /tmp/qmp.log '"status": "running"' &&
printf '\001c' >&3 && hmp 'info status' && waitfor 'VM status: running' &&
qmpc '{"execute":"stop"}' && waitfor_in /tmp/qmp.log '"event": "STOP"' &&
hmp 'info status' && waitfor 'VM status: paused' &&
hmp 'info registers' && waitfor 'CR0=' && hmp 'info cpus' && waitfor 'CPU #1:' &&
hmp cont && waitfor_in /tmp/qmp.log '"event": "RESUME"' &&
qmpc '{"execute":"query-status"}' && waitfor_in /tmp/qmp.log '"status": "running"' 2 &&
printf '\001c' >&3 && echo 'echo BACK-$((6*7))' >&3 && waitfor BACK-42 &&
printf '\001h' >&3 && waitfor 'C-a x    exit emulator' && printf '\001x' >&3
end_vm 10
exec 3>&- 4>&-
echo
sed 's/^/qmp: /' /tmp/qmp.log
"""

class PciSession(Case):
    """The addresses the guest's /sys gives match query-pci's and info pci's."""

    def check(self, text):
        problems = super().check(text)
        edu = re.search(r"^serial: PCI-USER edu \S+ bar0=0x([0-9a-f]+)", text, re.M)
        dev = re.search(r"^serial: PCI-USER pci-testdev \S+ bar1=0x([0-9a-f]+)", text, re.M)
        if not edu or not dev:
            return problems + ["no PCI-USER lines with the BARs"]
        mem, port = int(edu.group(1), 16), int(dev.group(1), 16)
        for want in [f'"address": {mem}, "size": 1048576', f'"address": {port}, "size": 256',
                     f"BAR0: 32 bit memory at 0x{mem:08x} [0x{mem + 0xfffff:08x}].",
                     f"BAR1: I/O at 0x{port:04x} [0x{port + 0xff:04x}]."]:
            if want not in text:
                problems.append(f"the monitor does not show {want!r}")
        return problems


PCI_DEVICES = "-device edu,addr=4.0 -device pci-testdev,addr=5.0"
INFO_PCI = '{"execute":"human-monitor-command","arguments":{"command-line":"info pci"}}'

CASES = [
    boot("boot-smp1", "-m 256M -smp 1", 1),
    boot("boot-smp4", "-m 256M -smp 4", 4),
    boot("boot-1g", "-m 1G -smp 2", 2, extra=[r"^@@RC 0"]),
    boot_twice("reboot", "reboot", "wait_qmp && qmp_until_exit 60",
               [r'qmp: .*"event": *"RESET".*"guest": *true', r'qmp: .*"event": *"SHUTDOWN"',
                r"^@@RC 0", r"serial: TVMM-L2-REBOOTING", r"serial: TVMM-L2-UP",
                r"serial: TVMM-L2-REBOOTED"], budget=70),
    boot_twice("system-reset", "wait",
               f"waitfor TVMM-L2-UP && qmp '{{\"execute\":\"system_reset\"}}' && "
               f"waitfor TVMM-L2-UP 2 && qmp '{QUIT}'",
               [r'qmp: .*"event": *"RESET".*"guest": *false', r"^@@RC 0",
                r"serial: TVMM-L2-UP", r"serial: TVMM-L2-UP"]),
    # the kernel is read again from its file at reset: one that changed size is refused
    Case("reset-changed-kernel",
         "cp /vmlinuz /tmp/k\n"
         'start_vm -m 256M -kernel /tmp/k -initrd /l2.cpio -append "console=ttyS0 quiet '
         'tvmm.action=wait"\n'
         "waitfor TVMM-L2-UP 1 30 && truncate -s 100000 /tmp/k && "
         f"qmp '{{\"execute\":\"system_reset\"}}' '{STATUS}' '{QUIT}'\nend_vm 20\n",
         expect=[r'"status": *"internal-error"', r"^@@RC 0",
                 r"vmm: tinyvmm: cannot load the kernel or initrd: the file changed size"],
         forbid=[r"Kernel panic", r"@@TIMEOUT", r"@@KILLED"], budget=40),
    boot_twice("system-powerdown", "powerdown",
               "waitfor TVMM-L2-WAITING-POWER-BUTTON && "
               "qmp_until_exit 20 '{\"execute\":\"system_powerdown\"}'",
               [r'qmp: .*"event": *"POWERDOWN"', r'qmp: .*"event": *"SHUTDOWN".*"guest": *true',
                r"^@@RC 0", r"serial: TVMM-L2-POWER-BUTTON"]),
    Registers("stop-cont-registers",
              'start_vm -m 256M -smp 2 $BOOT -append "console=ttyS0 quiet tvmm.action=wait"\n'
              f"wait_qmp && sleep 1 && qmp '{STOP}' '{STATUS}' '{REGS}' '{CONT}'\n"
              f"waitfor TVMM-L2-UP && qmp '{STOP}' '{STATUS}' '{REGS}' '{CONT}' '{QUIT}'\n"
              "end_vm 20\n",
              expect=[r'"status": *"paused"', r"CR0=", r'"status": *"paused"', r"CR0=",
                      r"^@@RC 0"],
              forbid=[r"Kernel panic", r"@@TIMEOUT", r"@@KILLED"], budget=40),
    Case("serial-input",
         "rm -f /tmp/in && mkfifo /tmp/in && : >/tmp/serial.log\nT0=$(now)\n"
         '$VMM -m 256M $BOOT -append "console=ttyS0 quiet tvmm.action=shell" -serial stdio '
         "</tmp/in >/tmp/serial.log 2>/tmp/vmm.log &\nVM_PID=$!\nexec 3>/tmp/in\n"
         "waitfor TVMM-L2-SHELL && sleep 1 && echo 'echo TYPED-$((6*7))' >&3 && "
         "waitfor TYPED-42 && echo 'poweroff -f' >&3\nend_vm 20\nexec 3>&-\n",
         expect=[r"^@@SEEN TYPED-42", r"^@@RC 0"],
         forbid=[r"Kernel panic", r"@@TIMEOUT", r"@@KILLED"], budget=40),
    # the integration suite's KVM tests (tests/integration), here on SVM
    Case("svm-pause-resume", "/test-pause\necho \"@@RC $?\"\n",
         expect=[r"all checks passed"], budget=60),
    Case("svm-translate", "/test-translate /guests/pagetables.bin\necho \"@@RC $?\"\n",
         expect=[r"compared \d+ addresses", r"translate: all checks passed"], budget=30),
    Case("svm-demo-smp4", "run_vm 60 -smp 4 & sleep 5; killall -TERM tinyvmm; wait\n",
         expect=[r"cpu 3 online", r"heartbeat 2\r?$", r"^@@RC 0"], budget=30),
    Case("svm-exit-port", "run_vm 30 -flat /guests/exit42.bin\n", expect=[r"exit guest"],
         rc=85, budget=30),
    Case("svm-triple-fault", "run_vm 30 -flat /guests/triple.bin\n",
         expect=[r"triple guest", r"triple fault", r"^@@RC 2"], rc=2, budget=30),
    Case("svm-hlt-cli", "run_vm 30 -flat /guests/hlt-cli.bin & sleep 3; "
         "killall -TERM tinyvmm; wait\n", expect=[r"hlt guest", r"^@@RC 0"], budget=30),
    Case("svm-all-ports", "run_vm 100 -m 64M -flat /guests/allports.bin\n",
         expect=[r"ports done", r"mmio done"], forbid=[r"tinyvmm:"], rc=1, budget=100),
    boot_twice("pmemsave", "pattern",
               "waitfor TVMM-L2-PATTERN-WRITTEN && qmp "
               "'{\"execute\":\"pmemsave\",\"arguments\":{\"val\":851968,\"size\":32,"
               "\"filename\":\"/tmp/pattern.bin\"}}' "
               f"'{QUIT}'\nhexdump -C /tmp/pattern.bin",
               [r"^00000000  de c0 17 5a de c0 17 5a  de c0 17 5a de c0 17 5a", r"^@@RC 0"]),
    # PAE paging outside long mode: this project's host KVM triple-faults on it, SVM does not
    HmpText("pae-info-registers",
            "start_vm -smp 2 -flat /guests/cpumode-pae.bin\n"
            f"waitfor 'pae ready' 1 30 && sleep 1 && qmp '{STOP}' "
            f"'{hmp_over_qmp('info registers')}' '{hmp_over_qmp('info registers -a')}' "
            f"'{QUIT}'\nend_vm 20\n",
            ["pae.info-registers.txt", "pae.info-registers-a.txt"],
            expect=[r"^@@SEEN pae ready", r"^@@RC 0"], forbid=[r"@@TIMEOUT", r"@@KILLED"],
            budget=40),
    # tinyvmm's page walker against KVM_TRANSLATE on a booted, spinning Linux (tests/introspection)
    Translate("translate-linux",
              "/test-translate-linux /vmlinuz /l2.cpio /tmp/serial.log\necho \"@@RC $?\"\n"
              "sed 's/^/serial: /' /tmp/serial.log\n",
              expect=[r"^TVMM-L2-SPINNING after", r"^vcpu\d user text ", r"^compared with",
                      r"translate-linux: all checks passed", r"^@@RC 0",
                      r"serial: TVMM-L2-SPINNING"],
              forbid=[r"^FAIL", r"MISMATCH", r"Kernel panic"], budget=120),
    # docs/pci.md's session: lspci -nn -v, then edu through resource0 and pci-testdev's ports
    PciSession("pci-session",
               f'start_vm -m 256M $BOOT {PCI_DEVICES} -append "{QUIET} tvmm.action=pci"\n'
               "waitfor TVMM-L2-PCI-DONE 1 90 && "
               f"qmp '{{\"execute\":\"query-pci\"}}' '{INFO_PCI}' '{QUIT}'\nend_vm 20\n",
               expect=[r"^@@SEEN TVMM-L2-PCI-DONE",
                       r"^serial: 00:00\.0 Host bridge \[0600\]: Intel Corporation 440FX.*"
                       r"\[8086:1237\]",
                       r"^serial: 00:04\.0 Unclassified device \[00ff\]: .*\[1234:11e8\] \(rev 10\)",
                       r"^serial: \s+Flags: .*IRQ 16",
                       r"^serial: \s+Memory at [0-9a-f]+ \(32-bit, non-prefetchable\) \[size=1M\]",
                       r"^serial: \s+Capabilities: \[40\] MSI: Enable- Count=1/1 Maskable- 64bit+",
                       r"^serial: 00:05\.0 Unclassified device \[00ff\]: .*\[1b36:0005\]",
                       r"^serial: \s+Memory at [0-9a-f]+ \(32-bit, non-prefetchable\) \[size=4K\]",
                       r"^serial: \s+I/O ports at [0-9a-f]+ \[size=256\]",
                       r"^serial: PCI-USER edu 0000:00:04\.0 bar0=0x[0-9a-f]+ id=0x010000ed "
                       r"live=0xedcba987 fact10=3628800",
                       r"^serial: PCI-USER pci-testdev 0000:00:05\.0 bar1=0x[0-9a-f]+ "
                       r"name=portio-no-eventfd count=1"],
               forbid=[r"Kernel panic", r"@@TIMEOUT", r"@@KILLED"], budget=120),
    Case("readme-demo", README_DEMO,
         expect=[r"^@@SEEN TYPED-42", r'^@@SEEN "status": "running"', r"^@@SEEN VM status: running",
                 r'^@@SEEN "event": "STOP"', r"^@@SEEN VM status: paused", r"^@@SEEN CR0=",
                 r"^@@SEEN CPU #1:", r'^@@SEEN "event": "RESUME"', r'^@@SEEN "status": "running"',
                 r"^@@SEEN BACK-42", r"^@@SEEN C-a x", r"^@@RC 0", r"serial: TYPED-42",
                 r'qmp: .*"event": "SHUTDOWN"'],
         forbid=[r"Kernel panic", r"@@TIMEOUT", r"@@KILLED"], budget=100),
]
