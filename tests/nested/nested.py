#!/usr/bin/env python3
"""The nested test bed: boots Debian's cloud kernel (L1) under QEMU's emulator with SVM, loads
kvm_amd in it, and runs tinyvmm booting the same kernel (L2) for each case. Prints TAP.

usage: nested.py [--list] [--keep] [CASE...]    (env: TINYVMM, NESTED_DIR; NESTED_TIMEOUT: seconds per outer guest)
       nested.py --script 'SHELL'   runs one ad-hoc case (lib.sh helpers; see cases.py)
"""
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases  # noqa: E402
import cpio  # noqa: E402
import fates  # noqa: E402
import mkinitrd  # noqa: E402

QEMU = "qemu-system-x86_64"


def skip_or_fail(msg):
    if os.environ.get("CI") == "true":
        print(f"Bail out! {msg}")
        sys.exit(1)
    print(f"1..0 # SKIP {msg}")
    sys.exit(0)


def build_images(work, cache, tinyvmm, selected):
    mods = os.path.join(cache, "modules")
    l2 = os.path.join(work, "l2.cpio")
    build = os.path.dirname(os.path.abspath(tinyvmm))
    mkinitrd.build(l2, cache, os.path.join(build, "tests", "nested", "pci-user"))
    files = {
        "init": open(os.path.join(HERE, "l1-init.sh"), "rb").read(),
        "etc/busybox-init.sh": os.path.join(HERE, "busybox-init.sh"),
        "bin/busybox": os.path.join(cache, "busybox"),
        "lib/irqbypass.ko": os.path.join(mods, "irqbypass.ko"),
        "lib/kvm.ko": os.path.join(mods, "kvm.ko"),
        "lib/kvm-amd.ko": os.path.join(mods, "kvm-amd.ko"),
        "tinyvmm": tinyvmm,
        "vmlinuz": os.path.join(cache, "vmlinuz"),
        "l2.cpio": l2,
        "tests/lib.sh": f"SCALE={SCALE}\n".encode() + open(os.path.join(HERE, "lib.sh"),
                                                             "rb").read(),
    }
    # the integration suite's guests, the C tests that need KVM, and their tools
    guests = os.environ.get("TINYVMM_GUESTS") or os.path.join(build, "tests", "guests")
    for name in ("exit42", "triple", "hlt-cli", "allports", "pagetables", "cpumode-pae"):
        if os.path.exists(os.path.join(guests, name + ".bin")):
            files[f"guests/{name}.bin"] = os.path.join(guests, name + ".bin")
    binaries = [tinyvmm]
    extras = {
        "test-pause": os.path.join(build, "tests", "integration", "test-pause"),
        "test-translate": os.path.join(build, "tests", "introspection", "test-translate"),
        "test-translate-linux": os.path.join(build, "tests", "introspection",
                                             "test-translate-linux"),
        "bin/nc.openbsd": shutil.which("nc.openbsd"),  # nc -U: the readme-demo's QMP client
    }
    for name, path in extras.items():
        if path and os.path.exists(path):
            files[name] = path
            binaries.append(path)
    for binary in binaries:
        for lib in mkinitrd.shared_libs(binary):
            files[lib.lstrip("/")] = os.path.realpath(lib)
    for i, c in enumerate(selected):
        files[f"tests/{i:02d}-{c.name}.sh"] = f"# budget {budget(c) + 15}\n{c.script}".encode()
    l1 = os.path.join(work, "l1.cpio")
    cpio.write(l1, files, dirs=["proc", "sys", "dev", "tmp"])
    return l1


BEAT_LIMIT = 50  # seconds without a beat (every 15 s) or a case's start or end: the outer guest
# is frozen (its kernel may still print, e.g. soft lockups or RCU stalls: those lines do not count)
BOOT_LIMIT = 150  # seconds the outer guest's kernel may take to boot (quiet: it prints nothing
# before its init's @@L1-UP), on a loaded host under TCG
CASE_SLACK = 45  # seconds past a case's budget (+15) before the host calls it stuck: the outer
# guest's own kill of the case failed, or its clock stopped
# The limits inside the outer guest (lib.sh's, each case's budget) are multiplied by SCALE: they
# end what hangs, and a CI host ran the suite at half this one's speed (cases' times in its TAP)
SCALE = 2
DEADLINE = 560  # seconds for all the outer guests together; meson's timeout (660) stays above


def budget(case):
    """Seconds the case may run in the outer guest before its kill."""
    return case.budget * SCALE
ATTEMPTS = 4  # outer guests: each new one runs only the cases that had not finished or failed once


def watchdog(text, budgets, now, t_beat, t_case):
    """Why the outer guest must be killed now (None: it may go on). text: its console so far;
    t_beat: when a beat or a case's start/end was last seen; t_case: when the running case began."""
    limit = BEAT_LIMIT if "@@L1-UP" in text else BOOT_LIMIT
    if now - t_beat > limit:
        return f"no beat for {limit} s" + ("" if limit == BEAT_LIMIT else " (booting)")
    begun = re.findall(r"^@@BEGIN \d+-(\S+)", text, re.M)
    ended = re.findall(r"^@@END \d+-(\S+)", text, re.M)
    # a kernel message can land inside the @@BEGIN line and garble the name: the longest budget
    budget = budgets and begun and budgets.get(begun[-1], max(budgets.values()))
    if budgets and len(begun) > len(ended) and now - t_case > budget + 15 + CASE_SLACK:
        return f"case {begun[-1]} over its budget"
    return None


def run_l1(work, cache, l1, timeout, log_name, budgets=None):
    """Boots the outer guest; returns its console output and the wall time. A guest that stops
    beating, whose case outlives its budget (budgets: {case: seconds}), or that outlives timeout
    is killed. Without budgets (bench/area_linux.py's guest, which does not beat) any output
    counts as a beat."""
    log = os.path.join(work, log_name)
    qmp = os.path.join(work, "l1-qmp.sock")
    cmd = [QEMU, "-accel", "tcg", "-cpu", "qemu64,+svm,+npt", "-m", "2048", "-smp", "2",
           "-no-reboot", "-display", "none", "-serial", "stdio", "-monitor", "none",
           "-nodefaults", "-qmp", f"unix:{qmp},server=on,wait=off",
           "-kernel", os.path.join(cache, "vmlinuz"), "-initrd", l1,
           # idle=poll: as in the KVM bed (kvm-bed.py)
           "-append", "console=ttyS0 quiet panic=-1 idle=poll"]
    t0 = time.monotonic()
    with open(log, "wb") as f:  # written as it comes: tail -f it to watch a run
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
        beats = steps = 0  # beats and case starts/ends seen so far
        t_beat = t_case = t0
        why = None
        while p.poll() is None:
            time.sleep(1)
            now = time.monotonic()
            with open(log, "rb") as r:
                data = r.read()
            n = data.count(b"@@BEGIN ") + data.count(b"@@END ")
            if n != steps:
                steps, t_case = n, now
            n += data.count(b"@@HB ")  # a beat may land mid-line: another process writes it
            if budgets is None:
                n = len(data)
            if n != beats:
                beats, t_beat = n, now
            why = "over time" if now - t0 > timeout else \
                watchdog(data.decode(errors="replace"), budgets, now, t_beat, t_case)
            if why:
                f.write(f"\n@@HOST outer guest killed at {now - t0:.0f} s: {why}\n"
                        f"{fates.registers(qmp)}\n".encode())
                f.flush()
                p.kill()
                p.wait()
    with open(log, "rb") as f:
        out = f.read().decode(errors="replace").replace("\r", "")
    if budgets is not None:  # a test run (bench/area_linux.py's guest passes none)
        fates.record(work, "nested", time.monotonic() - t0,
                     fates.fate(out, why, "@@DONE" in out))
    # the beats out: another process writes them, in the middle of a case's line as often as not
    return re.sub(r"@@HB [0-9.]+\n", "", out), time.monotonic() - t0


def sections(out):
    """{case name: its output} from the @@BEGIN/@@END markers."""
    found = {}
    for m in re.finditer(r"^@@BEGIN \d+-(\S+) .*?\n(.*?)^@@END \S+ rc=(\d+)", out, re.S | re.M):
        found[m.group(1)] = m.group(2)
    return found


def problems_of(case, text):
    """What is wrong with case's output (a checker that trips on output it did not foresee fails
    its case, not the TAP stream), and its summary."""
    try:
        return case.check(text), case.summary(text)
    except Exception as e:  # noqa: BLE001
        return [f"the case's checker failed: {type(e).__name__}: {e}"], ""


def again(selected, found, retried):
    """Takes out of found, for one more run in a new outer guest, a case that failed for the
    first time, and prints its first output. The emulated SVM under the suite fails now and
    then on its own: under QEMU 7.2 an inner Linux sometimes dies early in its boot (a stop's
    registers: the decompressor's page-fault path, CR2=0x8000000), in several runs of one day."""
    for c in selected:
        if c.name in found and c.name not in retried and problems_of(c, found[c.name])[0]:
            retried.add(c.name)
            print(f"# {c.name} failed; once more in a new outer guest. Its output:")
            for line in found.pop(c.name).splitlines()[-12:]:
                print(f"#   | {line}")


def main():
    args = sys.argv[1:]
    if "--list" in args:
        for c in cases.CASES:
            print(c.name)
        return
    keep = "--keep" in args
    if "--script" in args:
        i = args.index("--script")
        selected = [cases.Case("adhoc", args[i + 1] + "\n", rc=None, budget=120)]
        del args[i:i + 2]
    else:
        names = [a for a in args if not a.startswith("--")]
        unknown = set(names) - {c.name for c in cases.CASES}
        if unknown:
            sys.exit(f"nested.py: no case {', '.join(sorted(unknown))} (see --list)")
        selected = [c for c in cases.CASES if not names or c.name in names]
    tinyvmm = os.environ.get("TINYVMM")
    if not tinyvmm or not os.path.exists(tinyvmm):
        skip_or_fail("TINYVMM is not set to a built tinyvmm")
    # images and logs stay in the build directory (meson sets NESTED_DIR to the same place)
    work = os.environ.get("NESTED_DIR") or \
        os.path.join(os.path.dirname(os.path.abspath(tinyvmm)), "tests", "nested", "work")
    cache = os.path.join(work, "cache")
    if not shutil.which(QEMU):
        skip_or_fail(f"{QEMU} is not installed (.ci/install-deps)")
    os.makedirs(work, exist_ok=True)
    r = subprocess.run([os.path.join(HERE, "fetch-images.sh"), cache],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        skip_or_fail("cannot fetch the guest images: " + r.stdout.strip().replace("\n", " | "))
    print(f"1..{len(selected)}")
    found, partial, retried = {}, {}, set()
    t0 = time.monotonic()
    for attempt in range(1, ATTEMPTS + 1):
        todo = [c for c in selected if c.name not in found]
        left = int(os.environ.get("NESTED_TIMEOUT", "0")) or DEADLINE - (time.monotonic() - t0)
        if left < 60:
            print(f"# {len(todo)} case(s) not started: the suite's {DEADLINE} s are spent")
            break
        l1 = build_images(work, cache, tinyvmm, todo)
        log_name = "l1-console.log" if attempt == 1 else f"l1-console-{attempt}.log"
        out, wall = run_l1(work, cache, l1, left, log_name, {c.name: budget(c) for c in todo})
        print(f"# outer guest {attempt}: {wall:.1f} s wall; console log in {work}/{log_name}")
        for line in out.splitlines():
            if line.startswith(("@@ERROR", "@@L1-UP", "@@DONE", "@@HOST", "RIP", "CPU#")):
                print("# " + line)
        found.update(sections(out))
        # a case the outer guest began and never ended: its output so far, for the report
        m = re.search(r"^@@BEGIN \d+-(\S+) [^\n]*\n((?:(?!^@@END ).)*)\Z", out, re.S | re.M)
        if m:
            partial[m.group(1)] = m.group(2)
        again(selected, found, retried)
        if len(found) == len(selected):
            break
        # The outer guest itself stopped (QEMU/TCG with nested SVM freezes or panics now and
        # then): the cases it did not finish get a fresh outer guest, while time is left. A case
        # that hangs on its own is killed inside by its budget and does not come here.
        print(f"# {len(selected) - len(found)} case(s) go to a new outer guest"
              + ("" if "@@DONE" in out else " (this one stopped without @@DONE)"))
    failed = 0
    for i, c in enumerate(selected, 1):
        text = found.get(c.name)
        info = ""
        if text is None:
            problems = ["did not run or did not finish (the outer guest was killed?)"]
            text = partial.get(c.name)
        else:
            problems, info = problems_of(c, text)
        if problems:
            failed += 1
            print(f"not ok {i} - {c.name}")
            for p in problems:
                print(f"#   {p}")
            for line in (text or "").splitlines()[-40:]:
                print(f"#   | {line}")
        else:
            print(f"ok {i} - {c.name}{' # ' + info if info else ''}")
    if not keep:
        for f in ("l1.cpio",):
            try:
                os.unlink(os.path.join(work, f))
            except OSError:
                pass
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
