#!/usr/bin/env python3
"""Records QEMU 7.2's answers about devices into tests/qmp/fixtures/qdev.qemu-7.2.json: -device help,
-device TYPE,help, -device/-global errors, device-list-properties, qom-list-properties, device_add
and device_del (QMP and HMP), and info qtree for the same devices as tinyvmm's board (microvm's
isabus-bridge with isa.0; kvm-pit and kvm-ioapic from a pc machine under KVM).

Not a test: run by hand with QEMU installed (qemu-system-x86_64):
    tests/qmp/record_qemu_qdev.py
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples"))
from qmp import QMPClient  # noqa: E402
OUT = os.path.join(HERE, "fixtures", "qdev.qemu-7.2.json")
QEMU = "qemu-system-x86_64"
BASE = [QEMU, "-nodefaults", "-display", "none", "-S"]
MICROVM = ["-M", "microvm,accel=tcg,pic=on,pit=on,rtc=off"]
# the board's devices as tinyvmm makes them, and a -device with an id
DEVICES = ["-chardev", "null,id=serial0", "-serial", "chardev:serial0", "-chardev", "null,id=d",
           "-device", "isa-debugcon,chardev=d,id=dc,iobase=0x80",
           "-device", "isa-debug-exit", "-device", "i8042"]
TYPES = ["isa-serial", "isa-debugcon", "isa-debug-exit", "i8042", "acpi-ged", "kvm-pit",
         "isabus-bridge", "isa-device", "container", "nope"]
HELP = ["isa-serial", "isa-debugcon", "isa-debug-exit", "i8042", "kvm-pit", "isabus-bridge",
        "nope", "isa-device"]
# -device and -global errors: the first line QEMU prints (after "qemu-system-x86_64: ")
CLI = [["-device", "nope"], ["-device", "isa-serial,iobase=abc"],
       ["-device", "isa-serial,iobase=0x1ffffffff"], ["-device", "isa-serial,nope=1"],
       ["-device", "isa-serial,wakeup=maybe"], ["-device", "isa-serial,chardev=zz"],
       ["-device", "isa-debugcon,id=a", "-device", "isa-debugcon,id=a"],
       ["-device", "isa-device"], ["-device", "isa-serial,id=1a"],
       ["-global", "isa-debugcon.nope=1", "-device", "isa-debugcon"],
       ["-device", "isa-serial,bus=nope"], ["-device", "isa-serial,irq=-1"],
       ["-device", ",iobase=1"], ["-global", "isaserial"],
       ["-chardev", "null,id=c", "-device", "isa-serial,chardev=c", "-device",
        "isa-debugcon,chardev=c"], ["-debugcon", "none"]]
ADD = [{"driver": "isa-serial"}, {"driver": "isa-debugcon", "id": "x"}, {"driver": "nope"},
       {"driver": "isa-serial", "bus": "nope"}, {"driver": "isa-device"},
       {"driver": "isa-serial", "iobase": 768, "irq": 5}, {"driver": "nope", "chardev": "x"},
       {"bus": "isa.0"}]
DEL = ["dc", "nope", "/machine/peripheral-anon/device[0]"]
# qom-set on dc while realized, then (after realized=false; QEMU 7.2 aborts when it is realized
# again, so that is not recorded) with every JSON type
QOM_SET_REALIZED = [("readback", 1), ("chardev", "d"), ("hotpluggable", True),
                    ("parent_bus", "x"), ("type", "x")]
QOM_SET_UNREALIZED = [("readback", v) for v in [True, -1, 2**33, 1.5, "x", None, [], {}, 66]] + \
    [("chardev", v) for v in [1, "d"]] + [("realized", v) for v in ["x", 1, None]]
HMP = ["qom-set /machine/peripheral/dc readback 0x42", "qom-set -j /machine/peripheral/dc readback 66",
       "qom-set /machine/nope x 1", "qom-set /machine/peripheral/dc nope 1",
       "qom-set -j /machine/peripheral/dc readback \"x\"",
       "qom-set /machine/peripheral/dc readback abc", "qom-set /machine/peripheral/dc",
       "device_add isa-serial", "device_add isa-serial,id=x", "device_add nope", "device_del dc",
       "device_del nope", "info qtree", "info qom-tree"] + \
    ["qom-set -j /machine/peripheral/dc readback " + v
     for v in ["{bad", "bad", "{", "[1,", '{"a"', "{1:2}", "1 2", "1 {"]]
# the board without a debug console (QEMU has no -debugcon none: see "cli -debugcon none")
NO_DEBUGCON = ["-chardev", "null,id=serial0", "-serial", "chardev:serial0"]


def running(options):
    tmp = tempfile.mkdtemp(prefix="qemu-qdev-")
    sock = os.path.join(tmp, "qmp.sock")
    proc = subprocess.Popen(BASE + options + ["-qmp", f"unix:{sock},server=on,wait=off"])
    for _ in range(100):
        try:
            return proc, QMPClient(sock)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("QEMU's QMP socket did not come up")


def stop(proc, q):
    q.command("quit")
    proc.wait(10)


def main():
    fix = {}
    fix["-device help"] = subprocess.run(BASE + ["-device", "help"], capture_output=True,
                                         text=True).stdout
    for t in HELP:
        r = subprocess.run(BASE + ["-device", f"{t},help"], capture_output=True, text=True)
        fix[f"-device {t},help"] = r.stdout + r.stderr
    for args in CLI:
        r = subprocess.run(BASE + MICROVM + args + ["-monitor", "none"], capture_output=True,
                           text=True, timeout=10)
        errors = [line for line in r.stderr.split("\n")
                  if line.startswith(QEMU + ": ") and ": warning: " not in line]
        fix["cli " + " ".join(args)] = errors[0].replace(QEMU + ": ", "", 1)
    proc, q = running(MICROVM + DEVICES)
    for t in TYPES:
        fix[f"device-list-properties {t}"] = q.command("device-list-properties", {"typename": t})
        fix[f"qom-list-properties {t}"] = q.command("qom-list-properties", {"typename": t})
    for a in ADD:
        fix["device_add " + json.dumps(a, sort_keys=True)] = q.command("device_add", a)
    for i in DEL:
        fix[f"device_del {i}"] = q.command("device_del", {"id": i})
    for line in HMP:
        fix[f"hmp {line}"] = q.command("human-monitor-command", {"command-line": line})["return"]
    dc = "/machine/peripheral/dc"
    for prop, v in QOM_SET_REALIZED:
        fix[f"qom-set realized {prop} {json.dumps(v)}"] = q.command(
            "qom-set", {"path": dc, "property": prop, "value": v})
    fix["qom-set realized false"] = q.command("qom-set", {"path": dc, "property": "realized",
                                                     "value": False})
    for prop, v in QOM_SET_UNREALIZED:
        fix[f"qom-set unrealized {prop} {json.dumps(v)}"] = q.command(
            "qom-set", {"path": dc, "property": prop, "value": v})
    stop(proc, q)
    for name, options in [("no -debugcon", NO_DEBUGCON), ("-serial none", ["-serial", "none"])]:
        proc, q = running(MICROVM + options)
        for line in ["info qtree", "info qom-tree"]:
            fix[f"hmp {line} ({name})"] = q.command("human-monitor-command",
                                                    {"command-line": line})["return"]
        stop(proc, q)
    proc, q = running(["-M", "pc", "-accel", "kvm"])
    fix["hmp info qtree (pc, kvm)"] = q.command("human-monitor-command",
                                            {"command-line": "info qtree"})["return"]
    stop(proc, q)
    with open(OUT, "w") as f:
        json.dump(fix, f, indent=1, sort_keys=True)
        f.write("\n")


main()
