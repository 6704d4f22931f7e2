#!/usr/bin/env python3
"""Records QEMU 7.2's query-pci and info pci for -device edu,addr=4.0 -device pci-testdev,addr=5.0
into tests/qmp/fixtures/ (query-pci.qemu-7.2.json, info-pci.qemu-7.2.txt), for test_pci.py.

Not a test: run by hand with qemu-system-x86_64 installed. QEMU's pc machine also has the PIIX3
functions at 00:01.x, which tinyvmm has not; the test leaves them out. Started with -S: no
firmware ran, so every BAR is unassigned (address -1), as in tinyvmm with -S and no -kernel.
"""
import json
import os
import socket
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "qmp.sock")
        qemu = subprocess.Popen(["qemu-system-x86_64", "-M", "pc", "-nodefaults", "-display", "none",
                                 "-S", "-device", "edu,addr=4.0", "-device", "pci-testdev,addr=5.0",
                                 "-qmp", f"unix:{path},server=on,wait=off"])
        for _ in range(100):
            if os.path.exists(path):
                break
            time.sleep(0.1)
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(path)
        f = sock.makefile("rw")

        def cmd(name, args=None):
            f.write(json.dumps({"execute": name, **({"arguments": args} if args else {})}) + "\n")
            f.flush()
            while True:
                r = json.loads(f.readline())
                if "return" in r or "error" in r:
                    return r["return"]

        f.readline()
        cmd("qmp_capabilities")
        with open(os.path.join(HERE, "fixtures", "query-pci.qemu-7.2.json"), "w") as out:
            json.dump(cmd("query-pci"), out, indent=1)
            out.write("\n")
        with open(os.path.join(HERE, "fixtures", "info-pci.qemu-7.2.txt"), "w") as out:
            out.write(cmd("human-monitor-command", {"command-line": "info pci"}).replace("\r\n", "\n"))
        cmd("quit")
        qemu.wait()


main()
