#!/usr/bin/env python3
"""Builds the inner (L2) guest's initramfs: busybox, l2-init.sh as /init, the ACPI button and
evdev modules. usage: mkinitrd.py OUT CACHE_DIR   (CACHE_DIR as fetch-images.sh leaves it)"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cpio  # noqa: E402


def build(out, cache):
    mods = os.path.join(cache, "modules")
    with open(os.path.join(HERE, "l2-init.sh"), "rb") as f:
        init = f.read()
    cpio.write(out, {
        "init": init,
        "etc/busybox-init.sh": os.path.join(HERE, "busybox-init.sh"),
        "bin/busybox": os.path.join(cache, "busybox"),
        "lib/button.ko": os.path.join(mods, "button.ko"),
        "lib/evdev.ko": os.path.join(mods, "evdev.ko"),
    }, dirs=["proc", "sys", "dev", "tmp"])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    build(sys.argv[1], sys.argv[2])
