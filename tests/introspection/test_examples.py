"""Runs the scripts in examples/ as the README shows them, against a demo VM."""
import atexit
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

from tvmm import VM, check, main, qmp_client

EXAMPLES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                         "examples"))
RAM = 128 << 20
tmp = tempfile.mkdtemp(prefix="tvmm-ex-")
atexit.register(shutil.rmtree, tmp, True)


def start(name):
    sock = os.path.join(tmp, name + "-q.sock")
    vm = VM("-qmp", "unix:%s,server=on,wait=off" % sock)
    vm.wait_output("heartbeat 1")
    return vm, sock


def run(*argv, timeout=120):
    r = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def status(sock):
    q = qmp_client(sock)
    r = q.command("query-status")["return"]["status"]
    q.close()
    return r


def pause_dump_resume():
    vm, sock = start("pdr")
    with vm:
        out = os.path.join(tmp, "pdr")
        rc, stdout, stderr = run("sh", os.path.join(EXAMPLES, "pause-dump-resume.sh"), sock, out)
        check(rc == 0, "pause-dump-resume.sh exits 0", 0, (rc, stdout, stderr))
        check("resumed" in stdout, "it says it resumed", "resumed", stdout)
        ram = open(os.path.join(out, "ram.bin"), "rb").read()
        check(len(ram) == RAM, "ram.bin holds all of RAM", RAM, len(ram))
        core = os.path.join(out, "core.elf")
        rc, text, _ = run("readelf", "-l", "-W", core)
        check(rc == 0 and re.search(r"LOAD\s+0x0*1000 0x0+ 0x0+ 0x0*8000000", text),
              "core.elf has one PT_LOAD of RAM at 0", "LOAD ... 0x8000000", text)
        with open(core, "rb") as f:
            f.seek(0x1000 + 0x500)
            got = f.read(16)
        check(got == ram[0x500:0x510], "the core and ram.bin agree at 0x500 (both paused)",
              ram[0x500:0x510], got)
        check(status(sock) == "running", "running afterwards", "running", status(sock))
        # a paused VM stays paused
        q = qmp_client(sock)
        q.command("stop")
        rc, stdout, stderr = run("sh", os.path.join(EXAMPLES, "pause-dump-resume.sh"), sock, out)
        check(rc == 0 and "resumed" not in stdout, "a paused VM: dumped, not resumed", 0,
              (rc, stdout, stderr))
        check(status(sock) == "paused", "still paused", "paused", status(sock))
        # a failing command is reported
        rc, stdout, stderr = run("sh", os.path.join(EXAMPLES, "pause-dump-resume.sh"), sock,
                                 "/proc/self/no-such-dir")
        check(rc != 0, "failure is reported", "non-zero", (rc, stdout, stderr))


def snapshots():
    vm, sock = start("snap")
    with vm:
        d = os.path.join(tmp, "snaps")
        rc, stdout, stderr = run("sh", os.path.join(EXAMPLES, "snapshots.sh"), "-s", sock, "-d", d,
                                 "-i", "0.2", "-k", "2", "-n", "4")
        check(rc == 0, "snapshots.sh exits 0", 0, (rc, stdout, stderr))
        made = stdout.split()
        check(len(made) == 4, "four snapshots taken", 4, made)
        kept = sorted(os.listdir(d))
        check([os.path.join(d, k) for k in kept] == made[-2:], "the newest two kept", made[-2:],
              kept)
        counters = []
        for k in kept:
            data = open(os.path.join(d, k), "rb").read()
            check(len(data) == RAM, f"{k} holds all of RAM", RAM, len(data))
            counters.append(struct.unpack_from("<I", data, 0x500)[0])
        check(1 <= counters[0] <= counters[1], "heartbeat counters in order", "ascending", counters)
        check(status(sock) == "running", "running afterwards", "running", status(sock))


def qmp_py():
    vm, sock = start("qmp")
    with vm:
        qmp_py = os.path.join(EXAMPLES, "qmp.py")
        rc, out, err = run(sys.executable, qmp_py, sock, "query-status")
        check(rc == 0 and out == '{"return": {"running": true, "singlestep": false, '
              '"status": "running"}}\n', "qmp.py query-status", None, (rc, out, err))
        # events: a watcher prints RESUME while another invocation runs cont
        rc, out, err = run(sys.executable, qmp_py, sock, "stop")
        lines = out.splitlines()
        check(rc == 0 and len(lines) == 2 and '"STOP"' in lines[0] and lines[1] ==
              '{"return": {}}', "qmp.py stop prints STOP then the return", None, out)
        watcher = subprocess.Popen([sys.executable, qmp_py, sock, "--events", "3"],
                                   stdout=subprocess.PIPE, text=True)
        time.sleep(0.5)
        rc, out, err = run(sys.executable, qmp_py, sock, "--hmp", "info status")
        check(out == "VM status: paused\n", "qmp.py --hmp", "VM status: paused\n", out)
        rc, out, err = run(sys.executable, qmp_py, sock, "cont")
        events, _ = watcher.communicate(timeout=30)
        check('"event": "RESUME"' in events, "qmp.py --events saw RESUME", "RESUME", events)
        f = os.path.join(tmp, "page.bin")
        rc, out, err = run(sys.executable, qmp_py, sock, "pmemsave", "val=0x1000", "size=4096",
                           "filename=" + f)
        check(rc == 0 and os.path.getsize(f) == 4096, "qmp.py KEY=VALUE arguments", None,
              (rc, out, err))
        rc, out, err = run(sys.executable, qmp_py, sock, "pmemsave",
                           '{"val": 4096, "size": 16, "filename": "%s"}' % f)
        check(rc == 0 and os.path.getsize(f) == 16, "qmp.py JSON arguments", None, (rc, out, err))
        rc, out, err = run(sys.executable, qmp_py, sock, "no-such-command")
        check(rc == 1 and '"CommandNotFound"' in out, "qmp.py error exit", 1, (rc, out))
        # as a module
        code = ("import sys; sys.path.insert(0, %r)\nfrom qmp import QMPClient, QMPError\n"
                "with QMPClient(%r) as vm:\n"
                "    print(vm.execute('query-status')['status'])\n"
                "    try:\n        vm.execute('cont', {'bogus': 1})\n"
                "    except QMPError as e:\n        print(e.error['desc'])\n" % (EXAMPLES, sock))
        rc, out, err = run(sys.executable, "-c", code)
        check(out == "running\nParameter 'bogus' is unexpected\n", "qmp.py as a module", None,
              (rc, out, err))


def pmemaccess_client():
    vm, sock = start("pma")
    with vm:
        pma = os.path.join(tmp, "pmem.sock")
        rc, out, err = run(sys.executable, os.path.join(EXAMPLES, "pmemaccess-client.py"), pma,
                           "--qmp", sock, "--count", "3", "--interval", "0.5")
        check(rc == 0, "pmemaccess-client.py exits 0", 0, (rc, out, err))
        values = [int(v) for v in re.findall(r"^heartbeat counter at 0x500: (\d+)$", out, re.M)]
        check(len(values) == 3 and values[0] >= 1 and values[2] > values[0],
              "three growing counter readings", "3 growing values", out)
        vm.wait_output("heartbeat %d\r\n" % values[-1])  # the guest printed what we read
        rc, out, err = run(sys.executable, os.path.join(EXAMPLES, "pmemaccess-client.py"), pma,
                           "--addr", "0x1000", "--dump", "32")
        check(rc == 0 and out.startswith("0000000000001000: fa "), "hex dump of the image",
              "0000000000001000: fa ...", out)


if __name__ == "__main__":
    main({"example-pause-dump-resume": pause_dump_resume, "example-snapshots": snapshots,
          "example-qmp": qmp_py, "example-pmemaccess": pmemaccess_client})
