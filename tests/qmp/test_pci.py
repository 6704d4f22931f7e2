"""PCI: a flat guest enumerates bus 0 through 0xcf8/0xcfc, sizes and moves BARs, drives edu over
MMIO and pci-testdev through its port BAR; query-pci, info pci and info mtree see the moved BARs;
query-pci and info pci match QEMU 7.2's for the same devices (fixtures, addresses masked)."""
import copy
import json
import os
import subprocess

from tvmm import QVM, binary, check, guest, main

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
DEVICES = ["-device", "edu,addr=4.0", "-device", "pci-testdev,addr=5.0"]
# what tests/guests/pci.S prints, step by step
GUEST_LINES = ["dev 00 12378086", "dev 04 11e81234", "dev 05 00051b36", "hdr 80860000",
               "edusize fff00000", "id 010000ed", "live edcba987", "fact 00000078",
               "irq 00000001", "intx 00000008", "acked 00000000", "moved 010000ed",
               "old ffffffff", "msi 00000001", "intxirq 00000001", "iosize ffffff01",
               "name 74726f70", "count 00000001"]


QTREE_LINES = ['  dev: i440FX-pcihost, id ""', "    bus: pci.0", "      type PCI",
               '      dev: pci-testdev, id ""',
               "        class Class 00ff, addr 00:05.0, pci id 1b36:0005 (sub 1af4:1100)",
               "        bar 0: mem at 0xffffffffffffffff [0xffe]",
               "        bar 1: i/o at 0xffffffffffffffff [0xfe]", '      dev: edu, id ""',
               "        class Class 00ff, addr 00:04.0, pci id 1234:11e8 (sub 1af4:1100)",
               "        bar 0: mem at 0xffffffffffffffff [0xffffe]"]


def hmp(q, line):
    r = q.command("human-monitor-command", {"command-line": line})
    check("return" in r, f"{line} succeeds", None, r)
    return r["return"].replace("\r\n", "\n")


def devices(q):
    r = q.command("query-pci")
    check("return" in r and len(r["return"]) == 1, "query-pci lists bus 0", None, r)
    return {(d["slot"], d["function"]): d for d in r["return"][0]["devices"]}


def region(dev, bar):
    return next(r for r in dev["regions"] if r["bar"] == bar)


def flat_guest():
    with QVM("-flat", guest("pci"), "-m", "16M", "-device", "edu,addr=4.0,id=edu0", *DEVICES[2:]) as vm:
        vm.wait_output("pci done", timeout=120)
        lines = vm.out.decode().replace("\r", "").split("\n")
        for want in GUEST_LINES:
            check(want in lines, f"the guest reports {want!r}", GUEST_LINES, lines)
        q = vm.qmp()
        devs = devices(q)
        check(sorted(devs) == [(0, 0), (4, 0), (5, 0)], "host bridge, edu, pci-testdev", None,
              sorted(devs))
        edu = region(devs[(4, 0)], 0)
        check(edu == {"bar": 0, "type": "memory", "address": 0xd0000000, "size": 1 << 20,
                      "prefetch": False, "mem_type_64": False}, "edu's BAR0 where the guest moved it",
              None, edu)
        io = region(devs[(5, 0)], 1)
        check(io == {"bar": 1, "type": "io", "address": 0xc100, "size": 256},
              "pci-testdev's BAR1 where the guest put it", None, io)
        mem = region(devs[(5, 0)], 0)
        check(mem["address"] == -1, "pci-testdev's BAR0, never placed, decodes nothing", None, mem)
        check(devs[(4, 0)]["irq_pin"] == 1 and "irq" in devs[(4, 0)], "edu has INTA", None,
              devs[(4, 0)])
        text = hmp(q, "info pci")
        for want in ["BAR0: 32 bit memory at 0xd0000000 [0xd00fffff].",
                     "BAR1: I/O at 0xc100 [0xc1ff].", "Class 0255: PCI device 1234:11e8"]:
            check(want in text, f"info pci shows {want!r}", None, text)
        mtree = hmp(q, "info mtree")
        for want in ["00000000d0000000-00000000d00fffff (prio 0, i/o): edu-mmio",
                     "000000000000c100-000000000000c1ff (prio 0, i/o): pci-testdev-portio",
                     "0000000000000cf8-0000000000000cfb (prio 0, i/o): pci-conf-idx",
                     "00000000e0000000-00000000e00fffff (prio 0, i/o): pcie-mmcfg-mmio"]:
            check(want in mtree, f"info mtree shows {want!r}", None, mtree)
        check("c0000000-" not in mtree, "the BAR's old place is gone from info mtree", None, mtree)
        check(devs[(4, 0)]["qdev_id"] == "edu0", "edu's id", None, devs[(4, 0)])
        # unrealized: off the bus, its BAR released; realized again: back at power-on
        q.command("stop")
        r = q.command("qom-set", {"path": "/machine/peripheral/edu0", "property": "realized",
                              "value": False})
        check(r == {"return": {}}, "qom-set realized=false", None, r)
        check(sorted(devices(q)) == [(0, 0), (5, 0)], "edu is off the bus", None, devices(q))
        mtree = hmp(q, "info mtree")
        check("edu-mmio" not in mtree, "edu's BAR released", None, mtree)
        r = q.command("qom-set", {"path": "/machine/peripheral/edu0", "property": "realized",
                              "value": True})
        check(r == {"return": {}}, "qom-set realized=true", None, r)
        devs = devices(q)
        check((4, 0) in devs and region(devs[(4, 0)], 0)["address"] == -1,
              "edu back at 00:04.0 as at power-on", None, devs)
        # a reset puts the functions back to power-on: nothing decoded, nothing mapped
        q.command("system_reset")
        devs = devices(q)
        check(region(devs[(4, 0)], 0)["address"] == -1 and region(devs[(5, 0)], 1)["address"] == -1,
              "no BAR decodes after system_reset", None, devs)
        mtree = hmp(q, "info mtree")
        check("edu-mmio" not in mtree and "pci-testdev-portio" not in mtree,
              "no BAR mapped after system_reset", None, mtree)
        q.command("quit")
        rc = vm.wait_exit(timeout=10)
        check(rc == 0 and b"Sanitizer" not in vm.err, "a clean exit with PCI devices", 0,
              (rc, vm.err[-3000:]))


def mask(devs):
    """QEMU's list without the PIIX3 functions at 00:01.x (tinyvmm has none), addresses masked."""
    out = []
    for d in copy.deepcopy(devs):
        if d["slot"] == 1:
            continue
        for r in d["regions"]:
            r["address"] = "ADDR"
        out.append(d)
    return out


def text_without_piix(text):
    blocks = text.split("  Bus ")
    return "  Bus ".join(b for b in blocks if not b.startswith(" 0, device   1,"))


def qemu_fixtures():
    with open(os.path.join(FIXTURES, "query-pci.qemu-7.2.json")) as f:
        qemu = json.load(f)
    with open(os.path.join(FIXTURES, "info-pci.qemu-7.2.txt")) as f:
        qemu_text = f.read()
    with QVM("-S", *DEVICES) as vm:
        q = vm.qmp()
        ours = q.command("query-pci")["return"]
        check(len(ours) == 1 and ours[0]["bus"] == qemu[0]["bus"], "one bus, 0", qemu, ours)
        check(mask(ours[0]["devices"]) == mask(qemu[0]["devices"]),
              "query-pci as QEMU 7.2's (addresses masked, PIIX3 left out)",
              mask(qemu[0]["devices"]), mask(ours[0]["devices"]))
        text = hmp(q, "info pci")
        check(text == text_without_piix(qemu_text), "info pci as QEMU 7.2's (unplaced BARs: -1)",
              text_without_piix(qemu_text), text)
        # info qtree: these lines of QEMU 7.2's, in this order (QEMU's has more properties, the
        # PIIX3 functions and the i440FX function itself on pci.0)
        tree, pos = hmp(q, "info qtree"), 0
        for want in QTREE_LINES:
            i = tree.find(want + "\n", pos)
            check(i >= 0, f"info qtree shows {want!r} after offset {pos}", None, tree)
            pos = i + len(want)
        # teardown: the functions go before their bus, whatever the order (ASan saw a use after
        # free when /machine/i440fx went first)
        q.command("quit")
        rc = vm.wait_exit(timeout=10)
        check(rc == 0 and b"Sanitizer" not in vm.err, "a clean exit with PCI devices", 0,
              (rc, vm.err[-3000:]))


def device_help():
    """-device help lists edu and pci-testdev as QEMU 7.2 does; the headings' blank lines do not
    depend on which device sorts first (edu did: a blank line first, none before Misc)."""
    out = subprocess.run([binary(), "-device", "help"], capture_output=True, text=True).stdout
    check(out.startswith("Input devices:\n"), "no blank line before the first heading", None, out)
    check('\n\nMisc devices:\nname "edu", bus PCI\n' in out, "edu under Misc, after a blank line",
          None, out)
    check('name "pci-testdev", bus PCI, desc "PCI Test Device"\n' in out, "pci-testdev", None, out)
    check("i440FX-pcihost" not in out, "the host bridge is the board's", None, out)
    out = subprocess.run([binary(), "-device", "edu,help"], capture_output=True, text=True).stdout
    check("addr=<str>             - Slot and optional function number, example: 06.0 or 06\n"
          in out, "edu's addr property", None, out)
    for args, msg in [("edu,addr=0", "PCI: slot 0 function 0 not available for edu, in use by "
                       "i440FX,id=(null)"),
                      ("edu,addr=4.9", "Property 'edu.addr' doesn't take value '4.9'"),
                      ("edu,addr=20", "Property 'edu.addr' doesn't take value '20'")]:
        r = subprocess.run([binary(), "-S", "-device", args], capture_output=True, text=True)
        check(r.returncode == 1 and f"tinyvmm: -device {args}: {msg}\n" in r.stderr,
              f"-device {args} refused as QEMU 7.2 does", msg, r.stderr)
    r = subprocess.run([binary(), "-S", "-device", "edu,id=e1,addr=5", "-device",
                        "pci-testdev,addr=5.0"], capture_output=True, text=True)
    check("PCI: slot 5 function 0 not available for pci-testdev, in use by edu,id=e1" in r.stderr,
          "a taken slot names its owner", None, r.stderr)


main({"pci-flat-guest": flat_guest, "pci-qemu-fixtures": qemu_fixtures,
      "pci-device-help": device_help})
