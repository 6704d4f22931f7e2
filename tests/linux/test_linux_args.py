"""Host side of Linux boot: a bad -kernel, -initrd or -append is refused with a clear message and
exit code 1, before any guest code runs (the boot itself is tested in the nested suite)."""
import os
import struct
import subprocess
import tempfile

import tvmm
from tvmm import check

SETUP = 1024  # one setup sector + the boot sector


def fake_bzimage(size=8192, version=0x020F, loadflags=1, xloadflags=3, syssize=None,
                 init_size=32 << 20, cmdline_size=2047):
    """Header only: never booted, enough for the loader's checks."""
    img = bytearray(size)
    img[0x1F1] = 1
    struct.pack_into("<I", img, 0x1F4, (size - SETUP) // 16 if syssize is None else syssize)
    struct.pack_into("<H", img, 0x1FE, 0xAA55)
    img[0x201] = 0x6A
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x206, version)
    img[0x211] = loadflags
    struct.pack_into("<I", img, 0x22C, 0x7FFFFFFF)
    struct.pack_into("<H", img, 0x236, xloadflags)
    struct.pack_into("<I", img, 0x238, cmdline_size)
    struct.pack_into("<Q", img, 0x258, 0x1000000)
    struct.pack_into("<I", img, 0x260, init_size)
    return bytes(img)


def write(data):
    fd, path = tempfile.mkstemp(prefix="tvmm-linux-")
    os.write(fd, data)
    os.close(fd)
    return path


def refused(args, message):
    """tinyvmm exits 1 quickly with message (a substring) on stderr, and no guest output."""
    tvmm.require_kvm()
    p = subprocess.run([tvmm.binary(), "-display", "none", "-serial", "stdio"] + args,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    err = p.stderr.decode(errors="replace")
    check(p.returncode == 1, f"exit code for {args}", 1, p.returncode)
    check(message in err, "error message", message, err)
    check("Sanitizer" not in err and "runtime error" not in err, "no sanitizer report", "", err)
    check(p.stdout == b"", "no guest output", b"", p.stdout[:200])


def with_kernel(data, extra, message):
    path = write(data)
    try:
        refused(["-kernel", path] + extra, message)
    finally:
        os.unlink(path)


def kernel_missing():
    refused(["-kernel", "/nonexistent/bzImage"], "-kernel: cannot open '/nonexistent/bzImage'")


def kernel_directory():
    refused(["-kernel", "/"], "is not a regular file")


def kernel_empty():
    with_kernel(b"", [], "is empty")


def kernel_not_bzimage():
    with_kernel(b"\x7fELF" + os.urandom(8188), [], "not a Linux bzImage")


def kernel_truncated():
    whole = fake_bzimage()
    with_kernel(whole[:6000], [], "truncated")
    with_kernel(whole[:1024], [], "truncated")
    with_kernel(whole[:700], [], "not a Linux bzImage")


def kernel_old_protocol():
    with_kernel(fake_bzimage(version=0x0204), [], "boot protocol 2.04 is too old")


def kernel_zimage():
    with_kernel(fake_bzimage(loadflags=0), [], "zImage")


def kernel_no_64bit_entry():
    with_kernel(fake_bzimage(xloadflags=0), [], "no 64-bit entry point")


def kernel_needs_more_ram():
    with_kernel(fake_bzimage(init_size=100 << 20), ["-m", "64M"], "needs 117 MiB of RAM")


def kernel_larger_than_ram():
    with_kernel(fake_bzimage(size=3 << 20), ["-m", "2M"], "larger than guest RAM")


def initrd_missing():
    with_kernel(fake_bzimage(), ["-initrd", "/nonexistent/initrd"],
                "-initrd: cannot open '/nonexistent/initrd'")


def initrd_empty():
    path = write(b"")
    try:
        with_kernel(fake_bzimage(), ["-initrd", path], "is empty")
    finally:
        os.unlink(path)


def initrd_too_big():
    path = write(b"\0" * (40 << 20))
    try:
        with_kernel(fake_bzimage(), ["-m", "64M", "-initrd", path], "does not fit")
    finally:
        os.unlink(path)


def append_too_long():
    with_kernel(fake_bzimage(cmdline_size=255), ["-append", "x" * 256],
                "-append: 256 bytes, the kernel accepts at most 255")


tvmm.main({
    "kernel-missing": kernel_missing,
    "kernel-directory": kernel_directory,
    "kernel-empty": kernel_empty,
    "kernel-not-bzimage": kernel_not_bzimage,
    "kernel-truncated": kernel_truncated,
    "kernel-old-protocol": kernel_old_protocol,
    "kernel-zimage": kernel_zimage,
    "kernel-no-64bit-entry": kernel_no_64bit_entry,
    "kernel-needs-more-ram": kernel_needs_more_ram,
    "kernel-larger-than-ram": kernel_larger_than_ram,
    "initrd-missing": initrd_missing,
    "initrd-empty": initrd_empty,
    "initrd-too-big": initrd_too_big,
    "append-too-long": append_too_long,
})
