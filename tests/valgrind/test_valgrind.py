"""Valgrind memcheck over a scripted QMP and HMP session (sockets): no memory errors, nothing definitely lost."""
import os
import re
import sys
import tempfile

import tvmm
from tvmm import HMP, VM, check, qmp_client, reply, send_raw

VALGRIND = ["valgrind", "--tool=memcheck", "--leak-check=full", "--errors-for-leak-kinds=definite",
            "--error-exitcode=99", "--track-fds=no", "--num-callers=30"]


def session():
    d = tempfile.mkdtemp(prefix="tvmm-vg-")
    qsock, hsock, f = os.path.join(d, "qmp.sock"), os.path.join(d, "hmp.sock"), os.path.join(d, "m")
    binary = tvmm.binary()
    os.environ["TINYVMM"] = VALGRIND[0]  # tvmm.VM runs $TINYVMM: valgrind, with tinyvmm after it
    args = VALGRIND[1:] + [binary, "-serial", "stdio", "-flat", tvmm.guest("hlt-cli"), "-m", "16M",
                           "-qmp", f"unix:{qsock},server=on,wait=off",
                           "-monitor", f"unix:{hsock},server=on,wait=off"]
    vm = VM(*args, serial=False)
    os.environ["TINYVMM"] = binary
    try:
        vm.wait_output("hlt guest", timeout=120)
        q = qmp_client(qsock, timeout=60)
        for name, a in (("query-status", None), ("query-version", None), ("query-cpus-fast", None),
                        ("stop", None), ("cont", None),
                        ("pmemsave", {"val": 0, "size": 8192, "filename": f}),
                        ("memsave", {"val": 0x1000, "size": 4096, "filename": f}),
                        ("human-monitor-command", {"command-line": "info status"}),
                        ("human-monitor-command", {"command-line": "info registers"}),
                        ("human-monitor-command", {"command-line": "xp /4xw 0x1000"}),
                        ("query-qmp-schema", None)):
            r = q.command(name, a)
            check("return" in r, f"QMP {name}", "a return", str(r)[:300])
        r = q.command("pmemsave", {"val": -1, "size": 4, "filename": f})
        check("error" in r, "an error path", "an error", r)
        send_raw(q, b'{"execute": "bogus"}{"execute":}[1, 2]\x00')
        for _ in range(4):
            reply(q)
        h = HMP(hsock, timeout=60)
        for line in ("info status", "stop", "info status", "cont", "info version", "help info",
                     "pmemsave 0 4096 " + f, "bogus"):
            h.cmd(line)
        h.close()
        send_raw(q, b'{"execute": "quit"}')
        rc = vm.wait_exit(timeout=120)
    finally:
        vm.close()
    err = vm.err.decode(errors="replace")
    if os.environ.get("VG_VERBOSE"):
        print(err[-3000:])
    lost = re.search(r"definitely lost: ([\d,]+) bytes", err)
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", err)
    check(summary is not None, "valgrind ran and summarised", "ERROR SUMMARY", err[-3000:])
    check(rc == 0 and summary.group(1) == "0",
          "no memory errors and nothing definitely lost under valgrind", "exit 0, 0 errors",
          f"exit {rc}, {summary.group(1)} errors\n{err[-6000:]}")
    check(lost is None or lost.group(1) == "0", "nothing definitely lost", "0 bytes",
          lost.group(0) if lost else None)


if __name__ == "__main__":
    tvmm.main({"valgrind-qmp-hmp-session": session})
