"""The object tree over QMP and HMP: a recursive qom-list walk like QEMU's qom-tree script, qom-get of
every property, qom-set refusals, qom-list-types, query-cpus-fast's qom-path, and hostile paths."""
import json
import os

from tvmm import QVM, check, expect_error, run

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
FIXTURE = os.path.join(FIXTURES, "qom-list.qemu-7.2.json")
# QEMU 7.2's HMP text for -device isa-serial,chardev=c1 (/machine/peripheral-anon/device[0])
HMP_FIXTURE = os.path.join(FIXTURES, "qom-hmp.qemu-7.2.json")
QEMU_SERIAL = "/machine/peripheral-anon/device[0]"


def ret(q, cmd, args):
    r = q.command(cmd, args)
    check("return" in r, f"{cmd} {args} succeeds", None, r)
    return r["return"]


def walk(q, path, lines, indent=0):
    """QEMU's scripts/qmp/qom-tree: every property of every object, children recursively."""
    props = ret(q, "qom-list", {"path": path})
    lines.append(" " * indent + path)
    for p in props:
        r = q.command("qom-get", {"path": path, "property": p["name"]})
        check("return" in r, f"qom-get {path} {p['name']}", None, r)
        lines.append(" " * indent + f"  {p['name']}: {r['return']!r} ({p['type']})")
    for p in props:
        if p["type"].startswith("child<"):
            walk(q, path.rstrip("/") + "/" + p["name"], lines, indent + 2)
    return props


def find(q, typ):
    """The path of the one object of type typ under /machine/unattached."""
    for p in ret(q, "qom-list", {"path": "/machine/unattached"}):
        if p["type"] == f"child<{typ}>":
            return "/machine/unattached/" + p["name"]
    raise AssertionError(typ)


def tree(q):
    lines = []
    walk(q, "/", lines)
    text = "\n".join(lines)
    for want in ["/machine/unattached/device[0]", "  type: 'host-x86_64-cpu' (string)",
                 "  iobase: 1016 (uint32)", "  irq: 4 (uint32)", "  chardev: 'serial0' (str)",
                 "  iobase: 233 (uint32)", "  iobase: 1281 (uint32)", "/objects",
                 "/machine/peripheral-anon"]:
        check(want in text, f"the walk shows {want!r}", None, text)
    cpus = ret(q, "query-cpus-fast", {})
    for c in cpus:
        t = ret(q, "qom-get", {"path": c["qom-path"], "property": "type"})
        check(t == "host-x86_64-cpu", "query-cpus-fast's qom-path is the CPU object", None, c)
    return text


def against_qemu(q):
    """Property names and types QEMU 7.2 gives for the same devices, where tinyvmm has them."""
    with open(FIXTURE) as f:
        qemu = json.load(f)
    paths = {"container": "/", "isa-serial": find(q, "isa-serial"), "isa-debugcon": find(q, "isa-debugcon")}
    for key, path in paths.items():
        ours = {p["name"]: p["type"] for p in ret(q, "qom-list", {"path": path})}
        theirs = {p["name"]: p["type"] for p in qemu[key]}
        check(ret(q, "qom-get", {"path": path, "property": "type"}) == key, f"{path} is a {key}")
        for name, typ in ours.items():
            if name in theirs and not theirs[name].startswith("child<pc-"):
                check(typ == theirs[name], f"{key}.{name}'s type as QEMU's", theirs[name], typ)
        missing = ({"type", "realized", "hotpluggable", "iobase", "chardev", "machine", "objects"}
                   & set(theirs)) - set(ours)
        check(not missing, f"{key} has QEMU's main properties", None, missing)


def setting(q):
    serial = find(q, "isa-serial")
    expect_error(q, json.dumps({"execute": "qom-set", "arguments": {
        "path": serial, "property": "iobase", "value": 5}}),
        "Attempt to set property 'iobase' on anonymous device (type 'isa-serial') after it was "
        "realized")
    expect_error(q, json.dumps({"execute": "qom-set", "arguments": {
        "path": serial, "property": "type", "value": "x"}}),
        "Property 'isa-serial.type' is not writable")
    expect_error(q, json.dumps({"execute": "qom-set", "arguments": {
        "path": serial, "property": "nope", "value": 1}}),
        "Property 'isa-serial.nope' not found")
    # every property with every JSON type: an error, never a crash
    # (realized: true is a no-op, false unrealizes: test_qdev.py)
    for p in ret(q, "qom-list", {"path": serial}):
        for v in [None, True, 1, -1, 1.5, "s", [], {}, 2**64 - 1]:
            r = q.command("qom-set", {"path": serial, "property": p["name"], "value": v})
            if p["name"] == "realized" and v is True:
                check(r == {"return": {}}, "qom-set realized=true on a realized device", None, r)
            else:
                check("error" in r, f"qom-set {p['name']}={v!r} refused", None, r)
    check(ret(q, "qom-get", {"path": serial, "property": "iobase"}) == 0x3f8, "iobase unchanged")


def types(q):
    t = ret(q, "qom-list-types", {"implements": "isa-device"})
    names = {x["name"]: x for x in t}
    for n in ["isa-serial", "isa-debugcon", "isa-debug-exit", "i8042", "kvm-pit"]:
        check(n in names, f"qom-list-types implements isa-device has {n}", None, t)
    check(names["kvm-pit"] == {"name": "kvm-pit", "parent": "pit-common"}, "kvm-pit as QEMU's",
          None, names["kvm-pit"])
    check("pit-common" not in names, "no abstract type without abstract=true")
    t = ret(q, "qom-list-types", {"implements": "isa-device", "abstract": True})
    check({"name": "pit-common", "abstract": True, "parent": "isa-device"} in t,
          "abstract types with abstract=true", None, t)
    check(ret(q, "qom-list-types", {"implements": "no-such-type"}) == [], "unknown implements")


def hostile(q):
    for path in ["/machine/..", "/machine/../machine", "..", "/nope", "/machine/unattached/x",
                 "/" + "a/" * 32768, "/machine/" + "x" * 65536, "/machine\u00e9", "nope",
                 "x" * 65536]:
        expect_error(q, json.dumps({"execute": "qom-list", "arguments": {"path": path}}),
                     f"Device '{path}' not found", cls="DeviceNotFound", what=f"qom-list {path[:40]}")
        expect_error(q, json.dumps({"execute": "qom-get", "arguments": {
            "path": path, "property": "type"}}),
            f"Device '{path}' not found", cls="DeviceNotFound", what=f"qom-get {path[:40]}")
    expect_error(q, '{"execute":"qom-list","arguments":{"path":""}}', "Path '' is ambiguous")
    check(ret(q, "qom-get", {"path": "device[0]", "property": "type"}) == "host-x86_64-cpu",
          "a partial path naming one object")
    check(ret(q, "qom-get", {"path": "machine", "property": "type"}) == "tinyvmm-machine",
          "a partial path")
    check(ret(q, "qom-get", {"path": "unattached/device[0]", "property": "type"}) ==
          "host-x86_64-cpu", "a partial path of two components")
    # empty components are skipped, as QEMU's
    check(ret(q, "qom-get", {"path": "//machine///unattached/", "property": "type"}) ==
          "container", "empty components")
    expect_error(q, '{"execute":"qom-get","arguments":{"path":"/machine","property":"nope"}}',
                 "Property 'tinyvmm-machine.nope' not found")
    for bad in ['{"path":1}', '{"path":null}', '{"path":["/"]}', '{}']:
        r = q.command("qom-list", json.loads(bad))
        check("error" in r, f"qom-list {bad} refused", None, r)
    r = q.command("qom-get", {"path": "/machine", "property": 5})
    check("error" in r, "qom-get with a number property refused", None, r)
    check(ret(q, "query-status", {})["status"] == "running", "still running")


def hmp(q):
    def h(line):
        return ret(q, "human-monitor-command", {"command-line": line})
    text = h("info qom-tree")
    check(text.startswith("/machine (tinyvmm-machine)\r\n  /i440fx (i440FX-pcihost)\r\n"
                          "    /pci.0 (PCI)\r\n  /peripheral (container)\r\n"),
          "info qom-tree starts as QEMU's (children by name: the PCI host bridge, as on pc)",
          None, text)
    check("    /device[0] (host-x86_64-cpu)\r\n" in text, "the CPU in the tree", None, text)
    check("    /device[4] (isa-serial)\r\n" in text, "the UART in the tree", None, text)
    serial = find(q, "isa-serial")
    lst = h("qom-list " + serial)
    check(lst.startswith("type (string)\r\nparent_bus (link<bus>)\r\nrealized (bool)\r\n") and "iobase (uint32)\r\n" in lst,
          "HMP qom-list", None, lst)
    with open(HMP_FIXTURE) as f:
        qemu = json.load(f)
    theirs = qemu[f"qom-list {QEMU_SERIAL}"].splitlines()
    common = [line for line in lst.splitlines() if line in theirs]
    check(len(common) >= 7, "most qom-list lines are QEMU's", theirs, lst)
    check(common == [line for line in theirs if line in common], "in QEMU's order", theirs, lst)
    check(h("qom-list /").startswith("type (string)\r\n"), "qom-list / starts as QEMU's")
    for prop in ["iobase", "realized"]:
        check(h(f"qom-get {serial} {prop}") == qemu[f"qom-get {QEMU_SERIAL} {prop}"],
              f"HMP qom-get {prop} as QEMU's")
    for line in text.splitlines():
        check(line.lstrip(" ").startswith("/") and line.endswith(")") and " (" in line,
              "info qom-tree lines are QEMU's '/name (type)'", None, line)
    check(h(f"qom-get {serial} chardev") == '"serial0"\r\n', "HMP qom-get str")


def test():
    with QVM("-debugcon", "null") as vm:
        q = vm.qmp()
        vm.wait_output("heartbeat 1\r\n")
        tree(q)
        against_qemu(q)
        setting(q)
        types(q)
        hostile(q)
        hmp(q)


run(test)
