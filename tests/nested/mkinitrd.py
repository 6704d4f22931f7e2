#!/usr/bin/env python3
"""Builds the inner (L2) guest's initramfs: busybox, l2-init.sh as /init, the ACPI button and
evdev modules, lspci (with its libraries and pci.ids) and the PCI session program pci-user.
usage: mkinitrd.py OUT CACHE_DIR [PCI_USER]   (CACHE_DIR as fetch-images.sh leaves it)"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cpio  # noqa: E402


def shared_libs(binary, library_path=None):
    """The libraries and loader ldd lists for binary (nothing for a static one), with
    LD_LIBRARY_PATH=library_path when given."""
    env = dict(os.environ, LD_LIBRARY_PATH=library_path) if library_path else None
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, env=env).stdout
    libs = []
    for line in out.splitlines():
        m = re.search(r"(/\S+) \(0x", line)
        if m and os.path.exists(m.group(1)):
            libs.append(m.group(1))
    return libs


def build(out, cache, pci_user=None):
    mods = os.path.join(cache, "modules")
    pci = os.path.abspath(os.path.join(cache, "pci"))
    with open(os.path.join(HERE, "l2-init.sh"), "rb") as f:
        init = f.read()
    files = {
        "init": init,
        "etc/busybox-init.sh": os.path.join(HERE, "busybox-init.sh"),
        "bin/busybox": os.path.join(cache, "busybox"),
        "lib/button.ko": os.path.join(mods, "button.ko"),
        "lib/evdev.ko": os.path.join(mods, "evdev.ko"),
    }
    if os.path.exists(os.path.join(pci, "lspci")):
        files["usr/bin/lspci"] = os.path.join(pci, "lspci")
        files["usr/share/misc/pci.ids"] = os.path.join(pci, "pci.ids")
        for lib in shared_libs(os.path.join(pci, "lspci"), pci):
            name = ("lib/x86_64-linux-gnu/libpci.so.3" if lib.startswith(pci) else
                    lib.lstrip("/"))
            files[name] = os.path.realpath(lib)
    if pci_user and os.path.exists(pci_user):
        files["pci-user"] = pci_user
    cpio.write(out, files, dirs=["proc", "sys", "dev", "tmp"])


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    build(*sys.argv[1:])
