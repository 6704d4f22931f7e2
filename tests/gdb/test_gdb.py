"""gdb suite: Debian's gdb in batch mode against flat guests and the demo guest on KVM."""
import re
import signal
import subprocess
import sys
import time

import gdblib
from gdblib import Machine
import tvmm
from tvmm import check

SPIN_INC = 0x1057  # spin.S: "2: incl (%bx)" of vCPU 0's loop
SPIN_JMP = 0x105A  # "jmp 2b"
HEARTBEAT = 0x500  # docs/guest-abi.md
RING3_INC = 0x1181  # ring3.S: "incl (%rbx)" of its ring-3 loop
RING3_JMP = 0x1183  # "jmp ring3_inc"


def registers():
    """gdb's registers and memory are query-registers' and x-read-memory's (-S: nothing ran)."""
    with Machine("-S") as m:
        # first: gdb's session ends with a detach, which lets the guest run
        q = m.qmp.command("query-registers", {"cpu-index": 0})["return"][0]
        mem = m.qmp.execute("x-read-memory", {"addr": 0x1000, "size": 4, "physical": True})
        out = gdblib.batch(m.gdb, "info registers rip rsp eflags cs ss cr0 efer fs_base",
                           "x/4xb 0x1000")
        for name, want in [("rip", q["rip"]), ("rsp", q["rsp"]), ("eflags", q["rflags"]),
                           ("cs", q["cs"]["selector"]), ("ss", q["ss"]["selector"]),
                           ("cr0", q["cr0"]), ("efer", q["efer"]), ("fs_base", q["fs"]["base"])]:
            check(gdblib.reg(out, name) == want, f"gdb's {name}", hex(want), out)
        got = "".join(re.findall(r"0x([0-9a-f]{2})", out.split("0x1000:")[1].split("\n")[0]))
        check(got == mem, "x/4xb 0x1000 through gdb", mem, got)


def hit_and_step(guest, inc, jmp, bp):
    """gdb's bp ('break' or 'hbreak') at guest's counting loop (incl at inc, jmp back at jmp) is
    hit; 10 stepi follow the loop's two instructions; the counter at 0x500 moved by 5."""
    with Machine("-S", guest=guest) as m:
        steps = []
        for _ in range(10):
            steps += ["stepi", "p/x $pc"]
        out = gdblib.batch(m.gdb, f"{bp} *{inc:#x}", "continue", "p/x $pc", "delete",
                           "x/1xw 0x500", *steps, "x/1xw 0x500")
        check(re.search(r"Breakpoint 1, 0x0*%x" % inc, out), f"{bp} hit", "Breakpoint 1", out)
        pcs = [int(x, 16) for x in re.findall(r"\$\d+ = (0x[0-9a-f]+)", out)]
        want = [inc] + [jmp, inc] * 5
        check(pcs == want, f"pc after {bp} and each stepi", want, pcs)
        counts = [int(x, 16) for x in re.findall(r"0x500:\s+(0x[0-9a-f]+)", out)]
        check(len(counts) == 2 and counts[1] - counts[0] == 5, "5 incl in 10 steps", 5, counts)


def watch_counter(m, *first):
    """After gdb's commands first, a write watchpoint on the u32 at 0x500 reports old and new."""
    out = gdblib.batch(m.gdb, *first, f"watch *(unsigned int *){HEARTBEAT:#x}", "continue")
    g = re.search(r"Old value = (\d+)\s+New value = (\d+)", out)
    check(g and int(g.group(2)) == int(g.group(1)) + 1, "watchpoint old/new", "n, n+1", out)


def break_step():
    """A hardware and a software breakpoint (those this KVM stops on) are hit; 10 stepi follow the
    loop's two instructions; the counter moved by one per incl."""
    if not gdblib.break_kinds():
        print("SKIP: KVM under QEMU's TCG stops on no breakpoint (docs/gdb.md)", file=sys.stderr)
        sys.exit(tvmm.SKIP)
    for bp in gdblib.break_kinds():
        hit_and_step("spin", SPIN_INC, SPIN_JMP, bp)


def watch_heartbeat():
    """A write watchpoint on the demo guest's heartbeat counter reports old and new values."""
    if gdblib.pvm() or gdblib.tcg():
        print("SKIP: this KVM (kvm_pvm, or KVM under QEMU's TCG) never stops on a data write",
              file=sys.stderr)
        sys.exit(tvmm.SKIP)
    with Machine(guest=None) as m:
        m.wait_output("heartbeat 1\r\n")
        watch_counter(m)


def ring3():
    """Ring-3 code (the ring3 guest's loop): break, hbreak, stepi and a write watchpoint stop there
    on a KVM with guest debugging. Neither KVM of the hosts this was written on serves them
    (docs/gdb.md, Limits): this case runs on hardware KVM."""
    if gdblib.tcg() or gdblib.pvm():
        print("SKIP: this KVM (kvm_pvm, or KVM under QEMU's TCG) stops on no breakpoint or "
              "watchpoint in ring 3 (docs/gdb.md, Limits)", file=sys.stderr)
        sys.exit(tvmm.SKIP)
    for bp in ("break", "hbreak"):
        hit_and_step("ring3", RING3_INC, RING3_JMP, bp)
    with Machine("-S", guest="ring3") as m:
        watch_counter(m, f"hbreak *{RING3_INC:#x}", "continue", "delete")


def interrupt():
    """Ctrl-C (SIGINT to gdb: 0x03 on the wire) stops a running guest: STOP, paused."""
    with Machine() as m:
        p = subprocess.Popen([gdblib.GDB, "-batch", "-nx", "-ex", f"target remote {m.gdb}",
                              "-ex", "continue", "-ex", "info status"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        m.qmp.wait_event("STOP")  # gdb connecting stops the VM, as QEMU
        m.qmp.wait_event("RESUME")  # continue
        p.send_signal(signal.SIGINT)
        out = p.communicate(timeout=tvmm.scaled(30))[0].decode()
        check("received signal SIGINT" in out, "gdb sees SIGINT", "SIGINT", out)
        m.qmp.wait_event("STOP")


def threads():
    """info threads lists one thread per vCPU, named as QEMU's CPU#N."""
    with Machine("-smp", "4") as m:
        m.wait_output("spin guest")
        out = gdblib.batch(m.gdb, "info threads")
        for i in range(4):
            check(f"Thread {i + 1} (CPU#{i} [running])" in out, f"thread of vCPU {i}", i, out)


def detach():
    """detach leaves the guest running (the counter moves on)."""
    with Machine() as m:
        m.wait_output("spin guest")
        out = gdblib.batch(m.gdb, "detach")
        check("detached" in out, "gdb detached", "detached", out)
        st = m.qmp.command("query-status")["return"]
        check(st["status"] == "running", "running after detach", "running", st)
        a = m.qmp.command("x-read-memory", {"addr": HEARTBEAT, "size": 4, "physical": True})
        time.sleep(0.2)
        b = m.qmp.command("x-read-memory", {"addr": HEARTBEAT, "size": 4, "physical": True})
        check(a != b, "the guest runs after detach", "a changed counter", (a, b))


def monitor_while_attached():
    """A breakpoint hit (or a step) is STOP and run state debug (info status: paused (debug)); QMP cont
    resumes it (RESUME) and gdb gets its stop reply at the next stop; quit ends gdb's session."""
    with Machine("-S") as m:
        r = gdblib.Raw(m.gdb)
        z = gdblib.bp_type()  # None: a single-step is the debug stop
        if z is not None:
            check(r.cmd("Z%d,%x,1" % (z, SPIN_INC)) == "OK", "Z%d" % z)
        r.send("c" if z is not None else "s")
        r.ack()
        m.qmp.wait_event("RESUME")
        reply = r.packet()
        want = "T05thread:1;" + ("hwbreak:;" if z is not None else "")
        check(reply == want, "stop reply of the debug stop", want, reply)
        m.qmp.wait_event("STOP")
        st = m.qmp.command("query-status")["return"]
        check(st == {"running": False, "singlestep": False, "status": "debug"}, "query-status",
              "debug", st)
        check(m.hmp("info status") == "VM status: paused (debug)\r\n", "info status",
              "paused (debug)", m.hmp("info status"))
        if z is not None:
            check(r.cmd("z%d,%x,1" % (z, SPIN_INC)) == "OK", "z%d" % z)
        check(m.qmp.command("cont") == {"return": {}}, "QMP cont")
        m.qmp.wait_event("RESUME")
        check(m.qmp.command("stop") == {"return": {}}, "QMP stop")
        check(r.packet().startswith("T02thread:"), "gdb hears of the stop", "T02", "")
        m.qmp.command("quit")
        check(r.packet() == "W00", "gdb hears the VM end", "W00", "")
        check(m.wait_exit() == 0, "quit with gdb attached exits 0")
        r.close()


def invisible_breakpoints():
    """A software breakpoint's int3 is in guest RAM, but m, x-read-memory, xp, pmemsave and
    dump-guest-memory all show the original byte."""
    with Machine("-S") as m:
        orig = m.qmp.command("x-read-memory", {"addr": SPIN_INC, "size": 2, "physical": True})
        r = gdblib.Raw(m.gdb)
        check(r.cmd("Z0,%x,1" % SPIN_INC) == "OK", "Z0")
        check(r.cmd("m%x,2" % SPIN_INC) == orig["return"], "m reads the original byte",
              orig["return"], "")
        got = m.qmp.command("x-read-memory", {"addr": SPIN_INC, "size": 2, "physical": True})
        check(got == orig, "x-read-memory reads the original byte", orig, got)
        got = m.qmp.command("x-read-memory", {"addr": SPIN_INC, "size": 2})
        check(got == orig, "x-read-memory (virtual) reads the original byte", orig, got)
        want = "%016x: 0x%s\r\n" % (SPIN_INC, orig["return"][:2])
        check(m.hmp("xp/1xb %#x" % SPIN_INC) == want, "xp", want, m.hmp("xp/1xb %#x" % SPIN_INC))
        pm = m.path("pmem")
        check(m.qmp.command("pmemsave", {"val": 0x1000, "size": 0x100, "filename": pm})
              == {"return": {}}, "pmemsave")
        with open(pm, "rb") as f:
            data = f.read()
        check(data[SPIN_INC - 0x1000:][:2].hex() == orig["return"], "pmemsave's bytes",
              orig["return"], data[SPIN_INC - 0x1000:][:2].hex())
        core = m.path("core")
        check(m.qmp.command("dump-guest-memory", {"paging": False, "protocol": "file:" + core})
              == {"return": {}}, "dump-guest-memory")
        with open(core, "rb") as f:
            data = f.read()
        with open(tvmm.guest("spin"), "rb") as f:
            image = f.read()
        # the core holds the image at 0x1000 of RAM (one PT_LOAD from 0): find the loop's bytes
        at = data.find(image[:SPIN_INC - 0x1000 + 2])
        check(at >= 0, "the dump holds the loop's original bytes", orig["return"], "an int3")
        check(r.cmd("z0,%x,1" % SPIN_INC) == "OK", "z0")
        r.close()


def command_line():
    """-gdb chardev:ID serves gdb on a socket -chardev; DEVs that cannot serve gdb are refused."""
    import tempfile
    sock = tempfile.mkdtemp(prefix="tvmm-gdb-") + "/g.sock"
    with tvmm.VM("-flat", tvmm.guest("spin"), "-chardev",
                 f"socket,id=dbg,path={sock},server=on,wait=off", "-gdb", "chardev:dbg") as v:
        tvmm.wait_for_path(sock)
        r = gdblib.Raw(sock)
        check(r.cmd("qC") == "QC1", "gdb on -chardev socket,id=dbg")
        r.close()
    for args, want in [(["-gdb", "stdio"], b"-gdb: 'stdio' cannot serve gdb"),
                       (["-gdb", "chardev:nope"], b'-gdb chardev:nope: chardev "nope" not found'),
                       (["-chardev", "null,id=n", "-gdb", "chardev:n"],
                        b"-gdb chardev:n: chardev 'n' cannot serve gdb"),
                       (["-gdb", "tcp::99999"], b"-gdb:")]:
        p = subprocess.run([tvmm.binary(), "-serial", "none"] + args, capture_output=True,
                           timeout=tvmm.scaled(30))
        check(p.returncode == 1 and want in p.stderr, f"{args} refused", want, p.stderr)


tvmm.main({"command-line": command_line, "invisible-breakpoints": invisible_breakpoints,
           "registers": registers, "break-step": break_step, "watch-heartbeat": watch_heartbeat,
           "ring3": ring3, "interrupt": interrupt, "threads": threads, "detach": detach,
           "monitor-while-attached": monitor_while_attached})
