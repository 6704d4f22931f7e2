"""QMP queries and HMP passthrough: version, commands, schema, name, kvm, cpus, memory, registers."""
import os

from tvmm import QVM, check, run

OURS = ["qmp_capabilities", "query-version", "query-commands", "query-qmp-schema", "query-status",
        "query-name", "query-kvm", "query-cpus-fast", "query-memory-size-summary", "stop", "cont",
        "system_reset", "system_powerdown", "quit", "memsave", "pmemsave",
        "human-monitor-command", "query-registers"]
GPRS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12",
        "r13", "r14", "r15", "rip", "rflags"]
SEGS = ["es", "cs", "ss", "ds", "fs", "gs", "ldt", "tr"]


def err(q, cmd, args, desc):
    r = q.command(cmd, args)
    want = {"error": {"class": "GenericError", "desc": desc}}
    check(r == want, f"{cmd} {args}", want, r)


# x- commands that exist for HMP and that QEMU 7.2 does not have: callable, never listed.
HIDDEN = {"x-read-memory": {"addr": 0x500, "size": 4, "physical": True},
          "x-query-mtree": None, "x-gva2gpa": {"addr": 0x1000},
          "x-hmp-dump-guest-memory": {"filename": "/nonexistent/dir/f", "paging": True}}


def hidden_x(q, names, schema):
    shown = [n for n in HIDDEN if n in names]
    check(not shown, "query-commands lists no HMP-only x- command", [], shown)
    commands = sorted(e["name"] for e in schema if e["meta-type"] == "command")
    check(commands == sorted(names), "query-qmp-schema's commands = query-commands", names,
          commands)
    defined = {e["name"] for e in schema}
    for gone in ("MtreeRange", "MtreeAddressSpace", "GvaToGpaInfo", "q_obj_x-gva2gpa-arg"):
        check(gone not in defined, f"query-qmp-schema hides {gone}", None, gone)
    used = set()
    for e in schema:
        used |= {e.get(k) for k in ("arg-type", "ret-type", "element-type")} - {None}
        used |= {m["type"] for m in e.get("members", [])}
    check(used <= defined, "every type the schema names is defined", [], sorted(used - defined))
    for name, args in HIDDEN.items():
        r = q.command(name, args)
        if name == "x-hmp-dump-guest-memory":
            desc = "dump-guest-memory with paging is not supported: use paging false"
            want = {"error": {"class": "GenericError", "desc": desc}}
            check(r == want, f"{name} is still callable", want, r)
        else:
            check("return" in r, f"{name} is still callable", "return", r)


def queries(vm, q):
    r = q.command("query-version")["return"]
    check(r == q.greeting["QMP"]["version"], "query-version = the greeting's version", None, r)
    names = [c["name"] for c in q.command("query-commands")["return"]]
    missing = [n for n in OURS if n not in names]
    check(not missing, "query-commands lists every command", [], missing)
    schema = q.command("query-qmp-schema")["return"]
    check(isinstance(schema, list) and any(e.get("name") == "query-status" for e in schema),
          "query-qmp-schema describes query-status", None, str(schema)[:300])
    hidden_x(q, names, schema)
    check(q.command("query-name") == {"return": {"name": "anchor"}}, "query-name")
    check(q.command("query-kvm") == {"return": {"enabled": True, "present": True}}, "query-kvm")
    r = q.command("query-memory-size-summary")["return"]
    check(r["base-memory"] == 96 << 20, "base-memory = RAM", 96 << 20, r)
    cpus = q.command("query-cpus-fast")["return"]
    tids = {int(t) for t in os.listdir(f"/proc/{vm.proc.pid}/task")}
    check(len(cpus) == 2, "two vCPUs", 2, cpus)
    for i, c in enumerate(cpus):
        want = {"cpu-index": i, "qom-path": f"/machine/unattached/device[{i}]",
                "props": {"core-id": 0, "thread-id": 0, "socket-id": i}, "target": "x86_64",
                "thread-id": c["thread-id"]}
        check(c == want, f"query-cpus-fast entry {i}", want, c)
        check(c["thread-id"] in tids and c["thread-id"] != vm.proc.pid,
              "thread-id is a vCPU thread", tids, c["thread-id"])
    check(cpus[0]["thread-id"] != cpus[1]["thread-id"], "one thread per vCPU")


def registers(vm, q):
    q.command("stop")
    q.wait_event("STOP")
    a = q.command("query-registers")["return"]
    b = q.command("query-registers")["return"]
    check(a == b, "registers are stable while paused", a, b)
    check([r["cpu-index"] for r in a] == [0, 1], "one entry per vCPU", None, a)
    for r in a:
        for k in GPRS + ["cr0", "cr2", "cr3", "cr4", "efer"]:
            check(isinstance(r.get(k), int) and r[k] >= 0, f"register {k}", None, r)
        for s in SEGS:
            check(set(r[s]) >= {"selector", "base", "limit", "attrs"}, f"segment {s}", None, r[s])
        for t in ("gdt", "idt"):
            check(set(r[t]) >= {"base", "limit"}, f"table {t}", None, r[t])
        # the demo guest runs in real mode: CS attrs present, data/code type, CPL 0
        check(r["cr0"] & 1 == 0 and r["cpl"] == 0, "real mode, CPL 0", None, r)
        check(r["cs"]["attrs"] & (1 << 15) and r["cs"]["attrs"] & (1 << 12), "CS present, S",
              None, hex(r["cs"]["attrs"]))
        check(r["cs"]["base"] == r["cs"]["selector"] << 4, "real-mode CS base", None, r["cs"])
    one = q.command("query-registers", {"cpu-index": 1})["return"]
    check(one == [a[1]], "cpu-index selects one vCPU", [a[1]], one)
    err(q, "query-registers", {"cpu-index": 2}, "Parameter 'cpu-index' expects a CPU number")
    err(q, "query-registers", {"cpu-index": -1}, "Parameter 'cpu-index' expects a CPU number")
    q.command("cont")
    q.wait_event("RESUME")
    # while running: read with the vCPUs parked for a moment, no events
    r = q.command("query-registers")["return"]
    check(len(r) == 2, "registers while running")
    check(q.command("query-status")["return"]["status"] == "running", "still running")
    check(not q.pending, "no event for a register read", [], q.pending)


def hmp(vm, q):
    r = q.command("human-monitor-command", {"command-line": "info status"})
    check(r == {"return": "VM status: running\r\n"}, "HMP info status", None, r)
    r = q.command("human-monitor-command", {"command-line": "bogus_cmd"})
    check(r == {"return": "unknown command: 'bogus_cmd'\r\n"}, "HMP unknown command", None, r)
    r = q.command("human-monitor-command", {"command-line": ""})
    check(r == {"return": ""}, "HMP empty line", None, r)
    r = q.command("human-monitor-command", {"command-line": "info name"})
    check(r == {"return": "anchor\r\n"}, "HMP info name", None, r)
    err(q, "human-monitor-command", {}, "Parameter 'command-line' is missing")
    err(q, "human-monitor-command", {"command-line": "info status", "cpu-index": 5},
        "Parameter 'cpu-index' expects a CPU number")
    r = q.command("human-monitor-command", {"command-line": "info status\u0000; quit"})
    check("error" in r, "an HMP line with NUL is refused", None, r)


def test():
    with QVM("-smp", "2", "-m", "96", "-name", "anchor") as vm:
        q = vm.qmp()
        vm.wait_output("heartbeat 1\r\n")
        queries(vm, q)
        registers(vm, q)
        hmp(vm, q)
    with QVM() as vm:
        q = vm.qmp()
        check(q.command("query-name") == {"return": {}}, "query-name without -name")


run(test)
