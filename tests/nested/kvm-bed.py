#!/usr/bin/env python3
"""The KVM bed, for hosts without a usable /dev/kvm: runs commands inside an outer QEMU/TCG guest
(-cpu qemu64,+svm,+npt) that loads kvm_amd and sees the host's root over 9p, chrooted in it.

usage: kvm-bed.py [--timeout S] --run 'SHELL'        runs SHELL in the repository, inside
       kvm-bed.py [--timeout S] --rerun-skipped BUILD... [--fuzz SECS]
           reruns (CI=true) the tests each BUILD's last meson run skipped, with the results in
           BUILD/meson-logs/kvm-bed.json, and the KVM-needing fuzz target for SECS seconds
Exit status: the command's (1 when the outer guest did not finish it).
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import cpio  # noqa: E402

QEMU = "qemu-system-x86_64"
# the outer guest's PATH: the system's own python3 (a pyenv shim costs seconds under TCG)
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def fetch(cache):
    for script in ("fetch-images.sh", "fetch-bed-kernel.sh"):
        r = subprocess.run([os.path.join(HERE, script), cache], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.exit(f"kvm-bed: {script} failed: {r.stdout.strip()}")


def build_initrd(cache, work, script):
    bed = os.path.join(cache, "bed")
    mods = open(os.path.join(bed, "modules.list")).read().split()
    files = {
        "init": open(os.path.join(HERE, "kvm-bed-init.sh"), "rb").read(),
        "etc/busybox-init.sh": os.path.join(HERE, "busybox-init.sh"),
        "bin/busybox": os.path.join(cache, "busybox"),
        "modules.list": "\n".join(mods).encode(),
        "repo": REPO.encode(),
        "bed-cmd.sh": script.encode(),
    }
    for m in mods:
        files[f"lib/{m}.ko"] = os.path.join(bed, "modules", m + ".ko")
    path = os.path.join(work, "kvm-bed.cpio")
    cpio.write(path, files, dirs=["proc", "sys", "dev", "tmp"])
    return path


def run(script, timeout):
    """Boots the outer guest running script; streams its console; returns the exit status."""
    if not shutil.which(QEMU):
        sys.exit(f"kvm-bed: {QEMU} is not installed (.ci/install-deps installs it)")
    work = os.path.join(REPO, "build", "tests", "nested", "work")
    cache = os.path.join(work, "cache")
    os.makedirs(work, exist_ok=True)
    fetch(cache)
    initrd = build_initrd(cache, work, script)
    cmd = [QEMU, "-accel", "tcg,thread=multi", "-cpu", "qemu64,+svm,+npt", "-m", "4096",
           "-smp", "2", "-no-reboot", "-display", "none", "-serial", "stdio", "-monitor",
           "none", "-nodefaults", "-kernel", os.path.join(cache, "bed", "vmlinuz"),
           "-initrd", initrd, "-append", "console=ttyS0 quiet panic=-1",
           "-virtfs", "local,path=/,mount_tag=hostroot,security_model=passthrough,"
           "multidevs=remap"]
    t0 = time.monotonic()
    rc = None
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    try:
        for raw in p.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            print(line, flush=True)
            if line.startswith("@@BED-RC "):
                rc = int(line.split()[1])
            if time.monotonic() - t0 > timeout:
                print(f"kvm-bed: over {timeout} s: the outer guest is killed", flush=True)
                break
    finally:
        p.kill()
        p.wait()
    os.unlink(initrd)
    print(f"kvm-bed: outer guest {time.monotonic() - t0:.0f} s, status {rc}", flush=True)
    return 1 if rc is None else rc


def skipped_tests(build):
    log = os.path.join(build, "meson-logs", "testlog.json")
    names = []
    with open(log) as f:
        for line in f:
            t = json.loads(line)
            if t["result"] == "SKIP" and not any("nested" in s for s in t["suite"]):
                names.append(t["name"])
    return names


def rerun_script(builds, fuzz):
    lines = [f"cd {shlex.quote(REPO)}", f"export PATH={PATH} TMPDIR=/dev/shm CI=true",
             "status=0"]
    for b in builds:
        names = skipped_tests(b)
        if not names:
            continue
        lines.append(f"echo '@@ {b}: {len(names)} test(s) skipped on the host, here with KVM'")
        lines.append(f"meson test -C {shlex.quote(b)} --no-rebuild --print-errorlogs "
                     f"--num-processes 2 --logbase kvm-bed {shlex.join(names)} || status=1")
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
    if args[:1] == ["--run"] and len(args) == 2:
        script = f"cd {shlex.quote(REPO)}\nexport PATH={PATH} TMPDIR=/dev/shm\n{args[1]}\n"
    elif args[:1] == ["--rerun-skipped"] and len(args) >= 2:
        fuzz = 0
        if "--fuzz" in args:
            i = args.index("--fuzz")
            fuzz = args[i + 1]
            del args[i:i + 2]
        builds = [os.path.abspath(b) for b in args[1:]]
        for b in builds:
            try:
                os.unlink(os.path.join(b, "meson-logs", "kvm-bed.json"))
            except OSError:
                pass
        script = rerun_script(builds, fuzz)
    else:
        sys.exit(__doc__)
    sys.exit(run(script, timeout))


if __name__ == "__main__":
    main()
