#!/usr/bin/env python3
"""The KVM bed, for hosts without a usable /dev/kvm: runs commands inside an outer QEMU/TCG guest
(-cpu qemu64,+svm,+npt) that loads kvm_amd and sees the host's root over 9p, chrooted in it.

usage: kvm-bed.py [--timeout S] --run 'SHELL'        runs SHELL in the repository, inside
       kvm-bed.py [--forward SOCKET] --console 'SHELL'
           the same on this terminal (interactive; SHELL's end ends it); the unix socket SHELL
           serves at SOCKET inside is reachable at SOCKET here too
       kvm-bed.py [--timeout S] --rerun-skipped BUILD[:SUITE,...]... [--fuzz SECS]
           reruns (CI=true) the tests each BUILD's last meson run skipped (of those suites only,
           if given), with the results in BUILD/meson-logs/kvm-bed.json, and the KVM-needing
           fuzz target for SECS seconds
Exit status: the command's (1 when the outer guest did not finish it).
"""
import fcntl
import json
import os
import re
import select
import shlex
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import cpio  # noqa: E402
import fates  # noqa: E402

QEMU = "qemu-system-x86_64"
# the outer guest's PATH: the system's own python3 (a pyenv shim costs seconds under TCG)
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
WORK = os.path.join(REPO, "build", "tests", "nested", "work")  # images and initramfs
CACHE = os.path.join(WORK, "cache")
TIME_SCALE = 5  # the tests' timeouts, multiplied (tests/lib/tvmm.py): here a test runs 5-10x slower
QUIET_LIMIT = 300  # seconds with beats but no other line from user space: a test is stuck
BEAT_LIMIT = 90  # seconds without a line from user space, not even a beat (every 20 s): the outer
# guest is frozen (its kernel may still print, e.g. soft lockups: those lines do not count)
# a rerun's outer guests: under TCG one may freeze (without idle=poll, below) or panic ("corrupted
# stack end detected inside scheduler", with it), up to once per 1-8 minutes of bed time; each
# new guest runs only what had not finished, and none starts after BED_BUDGET seconds
ATTEMPTS = 12
BED_BUDGET = 660
KERNEL_LINE = re.compile(r"^\[\s*\d+\.\d+\] ")
QMP = os.path.join(WORK, "kvm-bed-qmp.sock")  # the outer QEMU's: a stuck guest's registers
BED_PORT = 4444  # the outer guest's end of a forwarded socket
PYLIB = "/usr/lib/python3.11"  # Debian 12's python3, which tests/meson.build runs the tests with


def fetch(cache):
    for mode in ([], ["bed"]):  # busybox (with the cloud kernel), then the bed's kernel
        r = subprocess.run([os.path.join(HERE, "fetch-images.sh"), cache] + mode,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.exit(f"kvm-bed: fetch-images.sh failed: {r.stdout.strip()}")


def prepare(script, interactive, forward=None):
    """Fetches the images (cached) and writes the outer guest's initramfs; returns its path."""
    if not shutil.which(QEMU):
        sys.exit(f"kvm-bed: {QEMU} is not installed (.ci/install-deps installs it)")
    os.makedirs(WORK, exist_ok=True)
    fetch(CACHE)
    return build_initrd(script, interactive, forward)


def qemu_command(initrd):
    # x86-64-v2 and SVM: clang's fuzzer runtime needs SSE4 (with TCG's 'max' CPU the outer
    # kernel once panicked under the ASan tests)
    cpu = "qemu64,+svm,+npt,+ssse3,+sse4.1,+sse4.2,+popcnt"
    return [QEMU, "-accel", "tcg,thread=multi", "-cpu", cpu, "-m", "4096",
            "-smp", "2", "-no-reboot", "-display", "none", "-monitor", "none", "-nodefaults",
            "-qmp", f"unix:{QMP},server=on,wait=off",
            "-kernel", os.path.join(CACHE, "bed", "vmlinuz"), "-initrd", initrd,
            # idle=poll: its vCPUs never halt. Under multi-threaded TCG a halted one sometimes
            # missed its wake-up (frozen soft-lockup guests, or a serial line that stopped);
            # with idle=poll no freeze was seen, but panics came instead (see ATTEMPTS), which
            # cost seconds where a freeze costs BEAT_LIMIT. no_timer_check: on a loaded host the
            # kernel's IO-APIC timer check misses TCG's ticks and panics ("IO-APIC + timer doesn't
            # work!") or hangs at boot
            "-append", "console=ttyS0 quiet panic=-1 idle=poll no_timer_check",
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=passthrough,"
            "multidevs=remap"]


def build_initrd(script, interactive, forward):
    bed = os.path.join(CACHE, "bed")
    mods = open(os.path.join(bed, "modules.list")).read().split()
    files = {
        "init": open(os.path.join(HERE, "kvm-bed-init.sh"), "rb").read(),
        "etc/busybox-init.sh": os.path.join(HERE, "busybox-init.sh"),
        "bin/busybox": os.path.join(CACHE, "busybox"),
        "modules.list": "\n".join(mods).encode(),
        "repo": REPO.encode(),
        "bed-cmd.sh": script.encode(),
    }
    if interactive:  # the command gets the serial console as its controlling terminal
        files["interactive"] = b""
    if forward:  # relayed from BED_PORT on the outer guest's network
        files["forward"] = f"{BED_PORT} {forward}".encode()
    # the system python's standard library on the outer guest's tmpfs: over 9p every import's
    # lookups cost round trips, and python starts for nearly every test
    skip = {"test", "idlelib", "tkinter", "ensurepip", "lib2to3", "dist-packages"}
    for d, dirs, names in os.walk(PYLIB):
        dirs[:] = [x for x in dirs if not (d == PYLIB and (x in skip or x.startswith("config-")))]
        for n in names:
            path = os.path.join(d, n)
            if os.path.isfile(path) and not os.path.islink(path):
                files["pylib" + path[len(PYLIB):]] = path
    for m in mods:
        files[f"lib/{m}.ko"] = os.path.join(bed, "modules", m + ".ko")
    path = os.path.join(WORK, "kvm-bed.cpio")
    cpio.write(path, files, dirs=["proc", "sys", "dev", "tmp"])
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def console(script, forward):
    """Boots the outer guest running script on its serial console, which is this terminal.
    forward: a unix socket path served inside, also reachable at the same path here (through
    a loopback port of QEMU's user network, which reaches nothing else: restrict=on)."""
    initrd = prepare(script, interactive=True, forward=forward)
    cmd = qemu_command(initrd) + ["-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con"]
    relay = None
    if forward:
        port = free_port()
        cmd += ["-netdev", f"user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:{port}-:{BED_PORT}",
                "-device", "virtio-net-pci,netdev=n0"]
        relay = subprocess.Popen(["socat", f"UNIX-LISTEN:{forward},fork,unlink-early",
                                  f"TCP:127.0.0.1:{port}"])
    r = subprocess.run(cmd)
    if relay:
        relay.kill()
        relay.wait()
        try:
            os.unlink(forward)
        except OSError:
            pass
    os.unlink(initrd)
    return r.returncode


def run(script, timeout, seen=None):
    """Boots the outer guest running script; streams its console (each line also appended to
    seen, if given); returns the exit status (None when the outer guest did not finish)."""
    initrd = prepare(script, interactive=False)
    cmd = qemu_command(initrd) + ["-serial", "stdio"]
    t0 = time.monotonic()
    rc = None
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    fl = fcntl.fcntl(p.stdout, fcntl.F_GETFL)
    fcntl.fcntl(p.stdout, fcntl.F_SETFL, fl | os.O_NONBLOCK)
    last = alive = t0  # last: the last line from user space but beats; alive: the same, or a beat
    buf = b""
    why, panicked = None, ""
    try:
        while p.poll() is None or buf:
            select.select([p.stdout], [], [], 1)
            data = p.stdout.read() or b""
            now = time.monotonic()
            # a beat, written by another process, may land in the middle of a line
            got = buf + data
            buf = got.replace(b"@@BED-BEAT\r\n", b"").replace(b"@@BED-BEAT\n", b"")
            if len(buf) < len(got):
                alive = now
            *lines, buf = buf.split(b"\n")
            if not data and p.poll() is not None and buf:
                lines, buf = lines + [buf], b""
            for raw in lines:
                line = raw.decode(errors="replace").rstrip("\r")
                if not KERNEL_LINE.match(line):
                    last = alive = now
                print(line, flush=True)
                if seen is not None:
                    seen.append(line)
                if line.startswith("@@BED-RC "):
                    rc = int(line.split()[1])
                if fates.PANIC.search(line):
                    panicked = line
            why = (f"over {timeout} s" if now - t0 > timeout else
                   f"no beat for {BEAT_LIMIT} s" if now - alive > BEAT_LIMIT else
                   f"silent {QUIET_LIMIT} s" if now - last > QUIET_LIMIT else None)
            if why:
                print(f"kvm-bed: {why}: the outer guest is killed; its vCPUs:\n"
                      f"{fates.registers(QMP)}", flush=True)
                break
    finally:
        p.kill()
        p.wait()
    os.unlink(initrd)
    fates.record(WORK, "bed", time.monotonic() - t0,
                 fates.fate(panicked, why, rc is not None))
    print(f"kvm-bed: outer guest {time.monotonic() - t0:.0f} s, status {rc}", flush=True)
    return rc


def skipped_tests(build, only):
    """The tests build's last run skipped (but the nested suite), those of the suites in only
    if it is not empty."""
    log = os.path.join(build, "meson-logs", "testlog.json")
    names = []
    with open(log) as f:
        for line in f:
            t = json.loads(line)  # name: "project:suite[+suite] / test"
            head, _, name = t["name"].partition(" / ")
            suites = set(head.partition(":")[2].split("+"))
            if t["result"] == "SKIP" and "nested" not in suites and \
                    (not only or suites & only):
                names.append(name)
    return names


RESULT = re.compile(r"^\s*\d+/\d+ (\S+ / \S+)\s+(OK|FAIL|SKIP|TIMEOUT|ERROR|EXPECTEDFAIL|"
                    r"UNEXPECTEDPASS|INTERRUPT)\s")


def results(lines):
    """{build: {test name: result}} from the console, and whether the fuzz target finished."""
    got, build, fuzzed = {}, None, False
    for line in lines:
        if line.startswith("@@ "):
            build = line.split()[1].rstrip(":")
        m = RESULT.match(line)
        if m and build:
            got.setdefault(build, {})[m.group(1)] = m.group(2)
        fuzzed |= line.startswith("fuzz-qmp: ")
    return got, fuzzed


def rerun(builds, fuzz, timeout):
    """Reruns the skipped tests in the bed; an outer guest that dies mid-way (under TCG) is
    replaced (see ATTEMPTS) and the new one runs only what had not finished. Each build's
    results go to BUILD/meson-logs/kvm-bed.json (as meson's own log does, a JSON object a line)."""
    done, fuzzed, rc = {}, False, None
    t0 = time.monotonic()
    for attempt in range(ATTEMPTS):
        if attempt and time.monotonic() - t0 > BED_BUDGET:
            print(f"kvm-bed: {BED_BUDGET} s spent: no new outer guest", flush=True)
            break
        if attempt:
            print("kvm-bed: the outer guest did not finish: the rest in a new one", flush=True)
        lines = []
        rc = run(rerun_script(builds, 0 if fuzzed else fuzz, done), timeout, lines)
        got, f = results(lines)
        fuzzed |= f
        for b, r in got.items():
            done.setdefault(b, {}).update(r)
        if rc is not None:
            break
    failed = False
    for b, r in done.items():
        with open(os.path.join(b, "meson-logs", "kvm-bed.json"), "w") as f:
            for name, result in r.items():
                f.write(json.dumps({"name": name, "result": result}) + "\n")
                failed |= result not in ("OK", "SKIP", "EXPECTEDFAIL")
    return 1 if rc is None or failed else rc


# Tests the bed does not rerun, and why: they stay skipped, as the host's run left them.
# Each is bound by its number of port-I/O exits, which cost milliseconds under emulated SVM:
# 64-128 Ki of them to fill a pipe and a queue (the first 64 Ki took over 100 s), or the mux's
# hold (130 Ki: 46 s in two runs, over 100 s in a third), or every port of 64 Ki (ASan's build
# went silent for 300 s under QEMU 10.0).
BED_EXCLUDE = {
    "robust-stdout-full-no-thre": "port-exit bound, too slow under emulation",
    "robust-stdout-full": "port-exit bound, too slow under emulation",
    "all-ports": "port-exit bound, too slow under emulation",
    "robust-mux-held-dropped": "port-exit bound, too slow under emulation",
}


def rerun_script(builds, fuzz, done):
    lines = [f"cd {shlex.quote(REPO)}",
             f"export PATH={PATH} TMPDIR=/dev/shm CI=true TVMM_TIME_SCALE={TIME_SCALE}",
             "status=0"]
    for b in builds:
        b, _, only = b.partition(":")
        names = [n for n in skipped_tests(b, set(only.split(",")) - {""})
                 if not any(k.endswith(" / " + n) for k in done.get(b, {}))]
        for n in sorted(set(names) & BED_EXCLUDE.keys()):
            print(f"kvm-bed: {n} stays skipped: {BED_EXCLUDE[n]}", flush=True)
        names = [n for n in names if n not in BED_EXCLUDE]
        if not names:
            continue
        lines.append(f"echo '@@ {b}: {len(names)} test(s) skipped on the host, here with KVM'")
        # through a pipe: on the outer guest's serial console meson would draw progress lines
        lines.append(f"{{ meson test -C {shlex.quote(b)} --no-rebuild --print-errorlogs "
                     f"--timeout-multiplier {TIME_SCALE} "
                     f"--num-processes 2 --logbase kvm-bed-meson {shlex.join(names)} || "
                     f"echo fail >/dev/shm/bed-failed; }} 2>&1 | cat")
    lines.append("[ -e /dev/shm/bed-failed ] && status=1")
    if fuzz:
        lines.append(f"TINYVMM_FUZZ_TARGETS=qmp sh .ci/fuzz {int(fuzz)} || status=1")
    lines.append("exit $status")
    return "\n".join(lines) + "\n"


def main():
    args = sys.argv[1:]
    timeout = 3600
    if args[:1] == ["--timeout"]:
        timeout = int(args[1])
        args = args[2:]
    forward = None
    if args[:1] == ["--forward"]:
        forward = os.path.abspath(args[1])
        args = args[2:]
    if args[:1] in (["--run"], ["--console"]) and len(args) == 2:
        script = f"cd {shlex.quote(REPO)}\nexport PATH={PATH} TMPDIR=/dev/shm\n{args[1]}\n"
        if args[0] == "--console":
            sys.exit(console(script, forward))
    elif args[:1] == ["--rerun-skipped"] and len(args) >= 2:
        fuzz = 0
        if "--fuzz" in args:
            i = args.index("--fuzz")
            fuzz = args[i + 1]
            del args[i:i + 2]
        builds = [os.path.abspath(b) for b in args[1:]]
        for b in builds:
            try:
                os.unlink(os.path.join(b.partition(":")[0], "meson-logs", "kvm-bed.json"))
            except OSError:
                pass
        sys.exit(rerun(builds, fuzz, timeout))
    else:
        sys.exit(__doc__)
    rc = run(script, timeout)
    sys.exit(1 if rc is None else rc)


if __name__ == "__main__":
    main()
