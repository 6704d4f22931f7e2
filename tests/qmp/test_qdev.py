"""Devices as QEMU 7.2 shows them (tests/qmp/fixtures/qdev.qemu-7.2.json, recorded by
record_qemu_qdev.py): -device help and TYPE,help, -device/-global errors (exit 1), a second UART
added with -device that a guest writes to, qom-set realized=false/true changing a debugcon's
readback, device-list-properties, qom-list-properties, device_add/device_del (QMP and HMP) and
info qtree."""
import json
import os
import re
import subprocess
import tempfile
import time

from tvmm import QVM, VM, binary, check, connect_unix, guest, main, scaled

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                       "qdev.qemu-7.2.json")
with open(FIXTURE) as f:
    QEMU = json.load(f)
TRY = "Try 'tinyvmm -h' for more information.\n"
OURS = ["isa-serial", "isa-debugcon", "isa-debug-exit", "i8042", "edu", "pci-testdev"]  # both have
# a VM as the fixture's: a named debugcon, an anonymous device at peripheral-anon/device[0]
DEVICES = ["-chardev", "null,id=d", "-device", "isa-debugcon,chardev=d,id=dc,iobase=0x80",
           "-device", "isa-debug-exit,iobase=0x510"]


def tinyvmm(*args):
    return subprocess.run([binary(), "-display", "none", "-serial", "none", "-S"] + list(args),
                          capture_output=True, text=True, timeout=scaled(20),
                          stdin=subprocess.DEVNULL)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def ret(q, cmd, args=None):
    r = q.command(cmd, args or {})
    check("return" in r, f"{cmd} {args} succeeds", None, r)
    return r["return"]


def device_help():
    """-device help is QEMU's text for the types tinyvmm has (QEMU's categories and order)."""
    blocks, want = QEMU["-device help"].split("\n\n"), []
    for b in blocks:
        lines = b.strip("\n").split("\n")
        keep = [x for x in lines[1:] if re.match(r'name "([^"]+)"', x).group(1) in OURS]
        if keep:
            want.append("\n".join([lines[0]] + keep))
    r = tinyvmm("-device", "help")
    check(r.returncode == 0 and r.stdout == "\n\n".join(want) + "\n", "-device help as QEMU's",
          "\n\n".join(want) + "\n", r.stdout)
    for t in ["isa-serial", "isa-debugcon", "isa-debug-exit", "i8042", "kvm-pit",
              "isabus-bridge"]:
        r = tinyvmm("-device", f"{t},help")
        theirs = QEMU[f"-device {t},help"].split("\n")
        ours = r.stdout.split("\n")
        check(r.returncode == 0 and ours[0] == theirs[0], f"-device {t},help heading", theirs, ours)
        check(ours == [x for x in theirs if x in ours], f"-device {t},help: QEMU's lines, in order",
              theirs, ours)
        check(len(ours) >= len(theirs) - 12, f"-device {t},help: most of QEMU's", theirs, ours)
    for t in ["isa-debugcon", "isa-debug-exit"]:  # every property QEMU has
        check(tinyvmm("-device", f"{t},help").stdout == QEMU[f"-device {t},help"],
              f"-device {t},help exactly")
    for t in ["nope", "isa-device"]:
        r = tinyvmm("-device", f"{t},help")
        want = QEMU[f"-device {t},help"].replace("qemu-system-x86_64: ", "tinyvmm: ") + TRY
        check(r.returncode == 1 and r.stderr == want, f"-device {t},help refused", want, r.stderr)


def cli_errors():
    """Bad -device and -global: QEMU's message, the usage hint, exit 1."""
    # QEMU 7.2 refuses -debugcon none; tinyvmm takes it as its default, no debugcon (no_debugcon)
    same = [k[4:].split(" ") for k in QEMU if k.startswith("cli ") and k != "cli -debugcon none"]
    # QEMU finds a duplicate id before it creates the first device; tinyvmm creates it first
    moved = {"-device isa-debugcon,id=a -device isa-debugcon,id=a": (
        ["-chardev", "null,id=a1", "-chardev", "null,id=a2", "-device",
         "isa-debugcon,id=a,chardev=a1,iobase=0x80", "-device", "isa-debugcon,id=a,chardev=a2"],
        "-device isa-debugcon,id=a,chardev=a2: Duplicate ID 'a' for device")}
    for args in same:
        key = " ".join(args)
        args, want = moved.get(key, (args, QEMU["cli " + key]))
        if want.endswith("Parameter 'id' expects an identifier"):  # QEMU's second line
            want += ("\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a "
                     "letter.")
        if key in moved:  # the same message as QEMU's for the other arguments
            check(want.split(": ", 1)[1] == QEMU["cli " + key].split(": ", 1)[1],
                  f"{key}: the message is QEMU's")
        r = tinyvmm(*args)
        check(r.returncode == 1 and r.stderr == f"tinyvmm: {want}\n{TRY}", f"{key} refused",
              f"tinyvmm: {want}\n{TRY}", (r.returncode, r.stderr))
    # the clashes with the board's UART need one: tinyvmm() passes -serial none, which makes none
    for args, want in [(["-serial", "null", "-device", "isa-serial,iobase=0x3f8"],
                        "-device isa-serial,iobase=0x3f8: Range 0x3f8-0x3ff of address space "
                        "'io' overlaps 'serial' at 0x3f8-0x3ff"),
                       (["-device", "isa-debugcon"],
                        "-device isa-debugcon: Can't create debugcon device, empty char device"),
                       (["-device", "kvm-pit"],
                        "-device kvm-pit: Parameter 'driver' expects a pluggable device type"),
                       (["-device", "isa-serial,bus=main-system-bus"],
                        "-device isa-serial,bus=main-system-bus: Device 'isa-serial' can't go on "
                        "System bus"),
                       (["-serial", "null", "-global", "isa-serial.iobase=0x2f8", "-device",
                         "isa-serial"],
                        "-device isa-serial: Range 0x2f8-0x2ff of address space 'io' overlaps "
                        "'serial' at 0x2f8-0x2ff"),
                       (["-global", "isa-serial"], "-global isa-serial: Invalid parameter "
                        "'isa-serial'")]:
        r = tinyvmm(*args)
        check(r.returncode == 1 and r.stderr == f"tinyvmm: {want}\n{TRY}", f"{args} refused",
              f"tinyvmm: {want}\n{TRY}", (r.returncode, r.stderr))
    r = tinyvmm("-global", "isa-serial.baudbase=9600", "-device", "help")
    check(r.returncode == 0 and not r.stderr, "-global with -device help", None, r.stderr)
    r = tinyvmm("-global", "nope.x=1", "-device", "help")  # QEMU's warning, at start
    check(r.returncode == 0 and
          r.stderr == "tinyvmm: warning: global nope.x has invalid class name\n",
          "a global of no type: QEMU's warning", None, r.stderr)


def uart():
    """A second UART from -device, written by the guest; qom-set realized=false, a new readback,
    realized=true: the guest reads the new value."""
    out = os.path.join(tempfile.mkdtemp(prefix="tvmm-qdev-"), "com2.txt")
    with QVM("-flat", guest("com2"), "-chardev", f"file,id=c1,path={out}",
             "-device", "isa-serial,iobase=0x2f8,irq=3,chardev=c1,id=com2", *DEVICES) as vm:
        q = vm.qmp()
        vm.wait_output("ready\r\n")
        end = time.monotonic() + scaled(10)
        while time.monotonic() < end and b"com2 hello" not in read(out):
            time.sleep(0.05)
        check(read(out) == b"com2 hello\r\n", "the guest wrote to the second UART", None,
              read(out))
        com2 = "/machine/peripheral/com2"
        for prop, v in [("iobase", 0x2f8), ("irq", 3), ("index", 1), ("chardev", "c1"),
                        ("realized", True)]:
            check(ret(q, "qom-get", {"path": com2, "property": prop}) == v, f"com2 {prop}")
        dc = "/machine/peripheral/dc"
        # as QEMU's while realized
        for key, want in QEMU.items():
            m = re.match(r"qom-set realized (\S+) (.*)", key)
            if m:
                r = q.command("qom-set", {"path": dc, "property": m[1], "value": json.loads(m[2])})
                check(r == want, key, want, r)
        r = q.command("qom-set", {"path": com2, "property": "chardev", "value": "d"})
        check(r == {"error": {"class": "GenericError", "desc": "Attempt to set property "
                              "'chardev' on device 'com2' (type 'isa-serial') after it was "
                              "realized"}}, "the UART's chardev refused while realized", None, r)
        check(ret(q, "qom-set", {"path": dc, "property": "realized", "value": False}) == {},
              "qom-set realized=false")
        check(ret(q, "qom-get", {"path": dc, "property": "realized"}) is False, "unrealized")
        for key, want in QEMU.items():  # 'readback 66' sets 0x42
            m = re.match(r"qom-set unrealized (\S+) (.*)", key)
            if m:
                r = q.command("qom-set", {"path": dc, "property": m[1], "value": json.loads(m[2])})
                check(r == want, key, want, r)
        check(ret(q, "qom-get", {"path": dc, "property": "readback"}) == 0x42, "readback set")
        check(b"readback 42" not in vm.out, "the guest has not seen it yet (no device there)")
        check(ret(q, "qom-set", {"path": dc, "property": "realized", "value": True}) == {},
              "qom-set realized=true")
        vm.wait_output("readback 42\r\n")
        # realized again: the properties are fixed, the chardev taken again
        r = q.command("qom-set", {"path": dc, "property": "readback", "value": 1})
        check(r == QEMU["qom-set realized readback 1"], "fixed again", None, r)
        check(ret(q, "query-status")["status"] == "running", "still running")


def wait_on():
    """A -device's chardev that is a wait=on server holds the start until a client comes, as
    -serial's does: the guest's first bytes reach it."""
    sock = os.path.join(tempfile.mkdtemp(prefix="tvmm-qdev-"), "com2.sock")
    with VM("-flat", guest("com2"), "-chardev", f"socket,id=c1,path={sock},server=on,wait=on",
            "-device", "isa-serial,iobase=0x2f8,irq=3,chardev=c1") as vm:
        s = connect_unix(sock)
        s.settimeout(scaled(20))
        got = b""
        while b"\r\n" not in got:
            data = s.recv(4096)
            check(data, "com2's client reads until the line's end", b"com2 hello\r\n", got)
            got += data
        check(got == b"com2 hello\r\n", "the guest's first bytes on com2", None, got)
        vm.wait_output("ready\r\n")
        s.close()


def props():
    """device-list-properties and qom-list-properties as QEMU's, device_add/device_del."""
    with QVM(*DEVICES, "-debugcon", "null", "-global", "isa-debugcon.readback=0x42") as vm:
        q = vm.qmp()
        debugcons = [p["name"] for p in ret(q, "qom-list", {"path": "/machine/unattached"})
                     if p["type"] == "child<isa-debugcon>"]
        for path in ["/machine/peripheral/dc", "/machine/unattached/" + debugcons[0]]:
            check(ret(q, "qom-get", {"path": path, "property": "readback"}) == 0x42,
                  f"-global isa-debugcon.readback applies to {path}")
        for bad in ["", "x" * 65536, "../isa-serial", "isa-serial/", "device", "bus", "ISA"]:
            r = q.command("device-list-properties", {"typename": bad})
            check("error" in r, f"device-list-properties {bad[:20]!r} refused", None, r)
            r = q.command("device_add", {"driver": bad})
            check("error" in r, f"device_add {bad[:20]!r} refused", None, r)
            r = q.command("device_del", {"id": bad})
            check("error" in r, f"device_del {bad[:20]!r} refused", None, r)
        for args in [{"typename": 1}, {"typename": None}, {}, {"typename": "isa-serial", "x": 1}]:
            r = q.command("device-list-properties", args)
            check("error" in r, f"device-list-properties {args} refused", None, r)
        for key, theirs in QEMU.items():
            m = re.match(r"(device-list-properties|qom-list-properties) (\S+)$", key)
            if not m:
                continue
            ours = q.command(m[1], {"typename": m[2]})
            if "error" in theirs or m[2] in ("isabus-bridge", "container", "isa-device"):
                check(ours == theirs, key, theirs, ours)
                continue
            if m[2] in ("kvm-pit", "acpi-ged", "i8042", "isa-serial"):  # tinyvmm has fewer
                check(all(p in theirs["return"] for p in ours["return"]), f"{key}: QEMU's entries",
                      theirs, ours)
                check(len(ours["return"]) >= 1, f"{key}: some", theirs, ours)
            else:
                check(sorted(ours["return"], key=lambda p: p["name"]) ==
                      sorted(theirs["return"], key=lambda p: p["name"]), key, theirs, ours)
        for key, want in QEMU.items():
            if key.startswith("device_add "):
                r = q.command("device_add", json.loads(key[len("device_add "):]))
                check(r == want, key, want, r)
            elif key.startswith("device_del "):
                r = q.command("device_del", {"id": key[len("device_del "):]})
                check(r == want, key, want, r)
            elif key.startswith(("hmp device_", "hmp qom-set ")):
                r = ret(q, "human-monitor-command", {"command-line": key[4:]})
                check(r == want, key, want, r)
        r = q.command("device_del", {"id": "/machine/unattached/device[0]"})
        check(r["error"]["desc"] == "Device 'host-x86_64-cpu' does not support hotplugging",
              "a CPU is not hotpluggable", None, r)
        check(ret(q, "query-status")["status"] == "running", "still running")
        # HMP qom-set reads its text as the property's kind (0x43: a number, on: a bool)
        hmp = lambda line: ret(q, "human-monitor-command", {"command-line": line})
        dc = "/machine/peripheral/dc"
        for line in (f"qom-set -j {dc} realized false", f"qom-set {dc} readback 0x43",
                     f"qom-set {dc} realized on"):
            got = hmp(line)
            check(got == "", line, "", got)
        for prop, want in (("readback", "67\r\n"), ("realized", "true\r\n")):
            got = hmp(f"qom-get {dc} {prop}")
            check(got == want, f"{prop} after HMP's qom-set", want, got)


def blocks(text):
    """info qtree's device blocks: (header, [lines below it, relative to its indent])."""
    lines = text.replace("\r\n", "\n").rstrip("\n").split("\n")
    out = []
    for i, line in enumerate(lines):
        if line.lstrip().startswith("dev: "):
            ind = len(line) - len(line.lstrip())
            body = []
            for x in lines[i + 1:]:
                if len(x) - len(x.lstrip()) <= ind:
                    break
                body.append(x[ind:])
            out.append((line.strip(), body))
    return out


def qom_tree():
    """info qom-tree: the containers, -device's objects and the buses where QEMU has them."""
    with QVM("-S", *DEVICES) as vm:
        ours = ret(vm.qmp(), "human-monitor-command", {"command-line": "info qom-tree"})
    theirs = QEMU["hmp info qom-tree"].split("\r\n")
    lines = ours.split("\r\n")
    for want in ["  /peripheral (container)", "    /dc (isa-debugcon)",
                 "  /peripheral-anon (container)", "    /device[0] (isa-debug-exit)",
                 "  /unattached (container)", "    /device[0] (host-x86_64-cpu)",
                 "      /isa.0 (ISA)", "    /sysbus (System)"]:
        check(want in lines and (want in theirs or "cpu" in want), f"info qom-tree has {want!r}",
              theirs, lines)
    common = [x for x in lines if x in theirs]
    check(common == [x for x in theirs if x in common] and len(common) >= 7,
          "info qom-tree: QEMU's lines in QEMU's order", theirs, lines)


def lines_of(body, *starts):
    """The device's own lines (not its buses') that start so."""
    return [x for x in body if x[2:].startswith(starts)]


def qtree():
    with QVM("-S", *DEVICES, "-device", "i8042") as vm:
        q = vm.qmp()
        ours = ret(q, "human-monitor-command", {"command-line": "info qtree"})
    theirs = QEMU["hmp info qtree"]
    check(ours.startswith("bus: main-system-bus\r\n  type System\r\n"), "the root bus", theirs,
          ours)
    check('  dev: isabus-bridge, id ""\r\n    bus: isa.0\r\n      type ISA\r\n' in ours and
          '  dev: isabus-bridge, id ""\r\n    bus: isa.0\r\n      type ISA\r\n' in theirs,
          "isa.0 under isabus-bridge, as microvm's", theirs, ours)
    qemu_blocks = blocks(theirs) + blocks(QEMU["hmp info qtree (pc, kvm)"])
    shape = re.compile(r'\d+ \(0x[0-9a-f]+\)|"[^"]*"')  # a number as QEMU's, a string
    for header, body in blocks(ours):
        if header.startswith("dev: isabus-bridge"):
            continue
        cands = [b for h, b in qemu_blocks if h == header] or \
            [b for h, b in qemu_blocks if h.split(",")[0] == header.split(",")[0]]
        check(cands, f"QEMU has a block {header!r}", None, ours)
        props = [x for x in body if " = " in x and not x.lstrip().startswith("bus")]
        best = max(cands, key=lambda b: sum(x in b for x in props))
        for x in props:
            name = x.split(" = ")[0]
            twin = [y for y in best if y.split(" = ")[0] == name]
            check(twin and shape.sub("N", twin[0]) == shape.sub("N", x),
                  f"{header}: {x.strip()!r} as QEMU's", twin, x)
        check([x for x in props if x in best] == [x for x in best if x in props],
              f"{header}: QEMU's order", best, props)
        # the interrupt lines and (sysbus) MMIO regions, as QEMU's
        for starts in [("gpio-in ", "gpio-out "), ("mmio ",)]:
            check(lines_of(body, *starts) == lines_of(best, *starts),
                  f"{header}: {starts[0].strip()} lines as QEMU's", lines_of(best, *starts),
                  lines_of(body, *starts))
    # the devices both have, in QEMU's order (the last plugged first)
    order = [h for h, _ in blocks(theirs) if any(t in h for t in OURS)]
    mine = list(dict.fromkeys(h for h, _ in blocks(ours) if h in order))
    check(mine == [h for h in order if h in mine], "QEMU's order of devices", order, mine)


def no_debugcon():
    """Without -debugcon (or with tinyvmm's -debugcon none) there is no isa-debugcon, as QEMU."""
    theirs = {cmd: QEMU[f"hmp {cmd} (no -debugcon)"] for cmd in ["info qtree", "info qom-tree"]}
    for args in [(), ("-debugcon", "none")]:
        with QVM("-S", *args) as vm:
            q = vm.qmp()
            for cmd, text in theirs.items():
                ours = ret(q, "human-monitor-command", {"command-line": cmd})
                check("isa-debugcon" not in ours and "isa-debugcon" not in text and
                      "isa-serial" in ours and "isa-serial" in text,
                      f"{cmd} {args}: a serial port, no debugcon", text, ours)
            types = [p["type"] for p in ret(q, "qom-list", {"path": "/machine/unattached"})]
            check("child<isa-debugcon>" not in types and "child<isa-serial>" in types,
                  f"qom-list /machine/unattached {args}: no debugcon", None, types)


def no_serial():
    """-serial none makes no isa-serial, as QEMU."""
    theirs = {cmd: QEMU[f"hmp {cmd} (-serial none)"] for cmd in ["info qtree", "info qom-tree"]}
    with QVM("-S", "-serial", "none", serial=False) as vm:
        q = vm.qmp()
        for cmd, text in theirs.items():
            ours = ret(q, "human-monitor-command", {"command-line": cmd})
            check("isa-serial" not in ours and "isa-serial" not in text,
                  f"{cmd} with -serial none: no serial port", text, ours)


main({"device_help": device_help, "cli_errors": cli_errors, "props": props, "qtree": qtree,
      "qom_tree": qom_tree, "uart": uart, "wait_on": wait_on, "no_debugcon": no_debugcon,
      "no_serial": no_serial})
