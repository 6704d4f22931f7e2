"""HMP over a unix-socket console (socat): every command, each error path, several clients, quit."""
import os
import re
import socket

import tvmm
from tvmm import check, free_port

BANNER_RE = r"^tinyvmm \S+ monitor - type 'help' for more information\r\n$"


class Setup:
    def __init__(self, *extra):
        import tempfile
        d = tempfile.mkdtemp(prefix="tvmm-hmp-")
        self.hsock = os.path.join(d, "hmp.sock")
        self.qsock = os.path.join(d, "qmp.sock")
        self.dir = d
        self.vm = tvmm.VM("-smp", "2", "-name", "hmptest",
                          "-monitor", f"unix:{self.hsock},server=on,wait=off",
                          "-qmp", f"unix:{self.qsock},server=on,wait=off", *extra)
        self.vm.wait_output("heartbeat 1")
        self.hmp = tvmm.HMP(self.hsock)

    def close(self):
        self.hmp.close()
        self.vm.close()


def expect(hmp, line, want, what=None):
    got = hmp.cmd(line)
    check(got == want, what or repr(line), want, got)
    return got


def expect_re(hmp, line, pattern, what=None):
    got = hmp.cmd(line)
    check(re.fullmatch(pattern, got, re.S) is not None, what or repr(line), pattern, got)
    return got


def console():
    s = Setup()
    h = s.hmp
    try:
        check(re.match(BANNER_RE, h.banner) is not None, "banner", BANNER_RE, h.banner)
        expect(h, "", "")
        expect(h, "info status", "VM status: running\r\n")
        expect(h, "stop", "")
        expect(h, "info status", "VM status: paused\r\n")
        expect(h, "cont", "")
        expect(h, "info status", "VM status: running\r\n")
        expect(h, "s", "")
        expect(h, "info status", "VM status: paused\r\n")
        expect(h, "c", "")
        expect(h, "info name", "hmptest\r\n")
        expect(h, "info kvm", "kvm support: enabled\r\n")
        expect_re(h, "info cpus", r"\* CPU #0: thread_id=\d+\r\n  CPU #1: thread_id=\d+\r\n")
        expect(h, "cpu 1", "")
        expect_re(h, "info cpus", r"  CPU #0: thread_id=\d+\r\n\* CPU #1: thread_id=\d+\r\n")
        expect(h, "cpu 7", "invalid CPU index\r\n")
        expect(h, "cpu 0", "")
        expect_re(h, "info version", r"7\.2\.0tinyvmm \d+\.\d+\.\d+\r\n")  # as QEMU: no space
        regs = h.cmd("info registers")
        # the demo guest runs in real mode: QEMU's 32-bit layout, FPU and XMM0-7
        for name in ("EAX=", "EIP=", "EFL=", "CS =", "TR =", "GDT=", "IDT=", "CR0=", "DR7=",
                     "EFER=", "FCW=", "FPR7=", "XMM07="):
            check(name in regs, f"info registers shows {name}", name, regs)
        # QEMU 7.2 prints the CPU#N header without -a too
        check(regs.startswith("\r\nCPU#0\r\nEAX="), "info registers: CPU#0 header",
              "\\r\\nCPU#0\\r\\nEAX=", regs[:40])
        regs = h.cmd("info registers -a")
        check(regs.startswith("\r\nCPU#0\r\nEAX=") and "\r\nCPU#1\r\nEAX=" in regs,
              "info registers -a: CPU#N headers", "\\r\\nCPU#0\\r\\nEAX=", regs[:40])
        mtree = h.cmd("info mtree")
        check(mtree.startswith("address-space: I/O\r\n"), "mtree I/O first, as QEMU", "", mtree)
        check(re.search(r"\r\n  0000000000000000-0000000007ffffff \(prio 0, ram\): pc.ram\r\n",
                        mtree), "mtree pc.ram", "pc.ram 128 MiB", mtree)
        check("address-space: memory\r\n" in mtree, "mtree memory", "", mtree)
        check(re.search(r"00000000000003f8-00000000000003ff \(prio 0, i/o\): serial", mtree),
              "mtree serial", "serial", mtree)
        cmds = h.cmd("info commands").split("\r\n")
        for name in ("query-status", "human-monitor-command"):
            check(name in cmds, f"info commands lists {name}", name, cmds)
        check("x-read-memory" not in cmds, "info commands hides x-read-memory", "", cmds)
        hl = h.cmd("help")
        for name in ("help|? [cmd] -- show the help\r\n", "info [subcommand] -- ",
                     "memsave ", "xp /fmt addr -- ", "stop|s ", "cont|c "):
            check(name in hl, f"help lists {name!r}", name, hl)
        check("info status" not in hl, "help has no info topics", "", hl)
        hi = h.cmd("help info")
        for name in ("info status", "info registers [-a|vcpu] -- ", "info mtree", "info cpus"):
            check(name in hi, f"help info lists {name!r}", name, hi)
        expect_re(h, "help stop", r"stop\|s +-- [^\r\n]+\r\n")
        expect_re(h, "? info kvm", r"info kvm +-- [^\r\n]+\r\n")
        expect_re(h, "info", r"(info \S+.* -- .*\r\n)+")

        # memory: the demo guest runs in real mode, so virtual = physical
        h.cmd("stop")
        xp = expect_re(h, "xp /4wx 0x1000", r"0000000000001000: (0x[0-9a-f]{8} ?){4}\r\n")
        x = h.cmd("x /4wx 0x1000")
        check(x == xp, "x = xp in real mode", xp, x)
        expect_re(h, "xp 0x500", r"0000000000000500: 0x[0-9a-f]{8}\r\n")
        expect_re(h, "xp /10bx 0x1000", r"0000000000001000:( 0x[0-9a-f]{2}){8}\r\n"
                  r"0000000000001008:( 0x[0-9a-f]{2}){2}\r\n")
        expect_re(h, "xp /3hx 0x1000", r"0000000000001000:( 0x[0-9a-f]{4}){3}\r\n")
        expect_re(h, "xp /3gx 0x1000", r"0000000000001000:( 0x[0-9a-f]{16}){2}\r\n"
                  r"0000000000001010: 0x[0-9a-f]{16}\r\n")
        expect_re(h, "xp /2wd 0x1000", r"0000000000001000:( +-?\d+){2}\r\n")
        expect_re(h, "xp /2wu 0x1000", r"0000000000001000:( +\d+){2}\r\n")
        expect_re(h, "xp /2wo 0x1000", r"0000000000001000:( +0\d+){2}\r\n")
        expect_re(h, "xp /4cb 0x1000", r"0000000000001000:( '[^']*'){4}\r\n")
        # as QEMU: the unit not given is the last one given (b)
        expect_re(h, "xp/2x 0x1000", r"0000000000001000:( 0x[0-9a-f]{2}){2}\r\n")
        expect(h, "xp /1wx 0x7fffffffff000", "0007fffffffff000: Cannot access memory\r\n")
        f1 = os.path.join(s.dir, "mem.bin")
        f2 = os.path.join(s.dir, "pmem.bin")
        expect(h, f"memsave 0x1000 256 {f1}", "")
        expect(h, f"pmemsave 0x1000 0x100 {f2}", "")
        b1 = open(f1, "rb").read()
        b2 = open(f2, "rb").read()
        check(len(b1) == 256 and b1 == b2, "memsave = pmemsave in real mode", b2[:16], b1[:16])
        words = re.findall(r"0x([0-9a-f]{8})", xp)
        check(b"".join(int(w, 16).to_bytes(4, "little") for w in words) == b2[:16],
              "xp words = pmemsave bytes", b2[:16].hex(), words)
        h.cmd("cont")

        off = len(s.vm.out)
        expect(h, "system_reset", "")
        s.vm.wait_output("tinyvmm demo guest", start=off)
        expect(h, "system_powerdown", "")
        expect(h, "info status", "VM status: running\r\n")
    finally:
        s.close()


def console_errors():
    s = Setup()
    h = s.hmp
    try:
        expect(h, "bogus", "unknown command: 'bogus'\r\n")
        expect(h, "bogus with args", "unknown command: 'bogus'\r\n")
        expect(h, "info bogus", "unknown command: 'info bogus'\r\n")
        expect(h, "help bogus", "unknown command: 'bogus'\r\n")
        # QEMU 7.2's parse errors: its words, then 'Try "help CMD" for more information'
        try_help = 'Try "help {}" for more information\r\n'.format
        expect(h, "memsave 0 16", "memsave: string expected\r\n" + try_help("memsave"))
        expect(h, "memsave zz 16 /tmp/f",
               "invalid char 'z' in expression\r\n" + try_help("memsave"))
        expect(h, "stop now", "stop|s: extraneous characters at the end of line\r\n" +
               try_help("stop"))
        expect(h, "cpu", "unexpected end of expression\r\n" + try_help("cpu"))
        expect(h, "cpu x", "invalid char 'x' in expression\r\n" + try_help("cpu"))
        expect(h, "xp /4z 0", "invalid char in format: 'z'\r\n" + try_help("xp"))
        expect(h, "xp /4w", "unexpected end of expression\r\n" + try_help("xp"))
        expect(h, "info registers -z", "registers: unsupported option -z\r\n" +
               try_help("info registers"))
        expect(h, "pmemsave 0 16 \"unterminated", "pmemsave: string expected\r\n" +
               try_help("pmemsave"))
        expect(h, "pmemsave 0 16 /nonexistent/dir/f",
               "Error: Could not open '/nonexistent/dir/f': No such file or directory\r\n")
        expect_re(h, "xp /1000000gx 0", r"Error: [^\r\n]+\r\n")
        # an over-long line is refused with one line, and the console goes on
        long = "info status " + "x" * 5000
        expect(h, long, "line too long: at most 4095 bytes\r\n")
        expect(h, "info status", "VM status: running\r\n")
        expect(h, "info status\r", "VM status: running\r\n")
        # control characters and bytes that are not UTF-8 are just unknown commands
        got = h.cmd("\x01\x02\xff")
        check(got.startswith("unknown command: '"), "binary junk", "unknown command", got)
        check(s.vm.proc.poll() is None, "tinyvmm still running")
    finally:
        s.close()


def tcp_cmd(so, line):
    """One line over a raw TCP console; the text before the next prompt."""
    if line is not None:
        so.sendall(line.encode() + b"\n")
    buf = b""
    while not buf.endswith(tvmm.HMP.PROMPT):
        data = so.recv(65536)
        check(data != b"", "tcp console open", "data", data)
        buf += data
    return buf[:-len(tvmm.HMP.PROMPT)].decode()


def console_clients():
    port = free_port()
    s = Setup("-monitor", f"tcp:127.0.0.1:{port},server=on,wait=off")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as so:
            banner = tcp_cmd(so, None)
            check(re.match(BANNER_RE, banner) is not None, "tcp banner", BANNER_RE, banner)
            got = tcp_cmd(so, "info status")
            check(got == "VM status: running\r\n", "tcp console", "running", got)
        others = [tvmm.HMP(s.hsock) for _ in range(3)]
        others[0].send("info st")  # half a line pending on one client
        for i, o in enumerate(others[1:]):
            expect(o, "info status", "VM status: running\r\n", f"client {i + 1}")
        expect(s.hmp, "stop", "")
        others[0].send("atus\n")
        got = others[0].read_prompt()
        check(got == "VM status: paused\r\n", "the split line completes", "paused", got)
        expect(others[1], "cpu 1", "")
        expect_re(others[1], "info cpus", r"  CPU #0.*\r\n\* CPU #1.*\r\n")
        expect_re(others[2], "info cpus", r"\* CPU #0.*\r\n  CPU #1.*\r\n",
                  "cpu N is per console")
        others[2].close()  # one client going away leaves the rest alone
        expect(others[1], "cont", "")
        expect(s.hmp, "info status", "VM status: running\r\n")
        for o in others[:2]:
            o.close()
    finally:
        s.close()


def quit_():
    s = Setup()
    try:
        other = tvmm.HMP(s.hsock)
        s.hmp.send("quit\n")
        s.hmp.read_eof()
        other.read_eof()
        rc = s.vm.wait_exit(timeout=20)
        check(rc == 0, "quit exits 0", 0, rc)
        check(not os.path.exists(s.hsock), "the socket is removed", False, True)
        other.close()
    finally:
        s.close()


def quit_then_lines():
    """Defect 7: lines after quit in the same read do not run; a reset does not revive the VM."""
    s = Setup()
    try:
        q = tvmm.qmp_client(s.qsock)
        so = tvmm.connect_unix(s.hsock)
        so.settimeout(tvmm.scaled(20))
        buf = b""
        while not buf.endswith(tvmm.HMP.PROMPT):
            data = so.recv(65536)
            check(data != b"", "console open", "banner", buf)
            buf += data
        so.sendall(b"quit\nsystem_reset\ninfo status\n")  # one write, one read
        out = b""
        while True:
            try:
                data = so.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            out += data
        so.close()
        check(b"VM status" not in out, "nothing runs after quit", "no 'VM status'", out)
        events = []
        while True:
            try:
                events.append(q.recv()["event"])
            except ConnectionError:
                break  # the server closed the connection
        check(events == ["SHUTDOWN"], "SHUTDOWN and no RESET after quit", ["SHUTDOWN"], events)
        rc = s.vm.wait_exit(timeout=20)
        check(rc == 0, "quit exits 0", 0, rc)
        q.close()
    finally:
        s.close()


tvmm.main({"hmp-console": console, "hmp-console-errors": console_errors,
           "hmp-console-clients": console_clients, "hmp-quit": quit_,
           "hmp-quit-then-lines": quit_then_lines})
