#!/usr/bin/env python3
"""Records QEMU 7.2's query-pci and info pci for -device edu,addr=4.0 -device pci-testdev,addr=5.0
into tests/qmp/fixtures/ (query-pci.qemu-7.2.json, info-pci.qemu-7.2.txt), for test_pci.py.

Not a test: run by hand with qemu-system-x86_64 installed. QEMU's pc machine also has the PIIX3
functions at 00:01.x, which tinyvmm has not; the test leaves them out. Started with -S: no
firmware ran, so every BAR is unassigned (address -1), as in tinyvmm with -S and no -kernel.
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
        q = QMPClient(path)
        with open(os.path.join(HERE, "fixtures", "query-pci.qemu-7.2.json"), "w") as out:
            json.dump(q.execute("query-pci"), out, indent=1)
            out.write("\n")
        with open(os.path.join(HERE, "fixtures", "info-pci.qemu-7.2.txt"), "w") as out:
            out.write(q.hmp("info pci").replace("\r\n", "\n"))
        q.execute("quit")
        qemu.wait()


main()
