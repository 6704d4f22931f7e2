"""bench/run's report: BENCHMARKS.md from report-template.md, and the Machine section's facts."""
import fcntl
import os
import platform
import subprocess

from lib import AREAS, CMDLINES, REPO, fmt, fmt_ratio, fs_desc, log, read_proc

TITLES = {"qmp": "QMP `query-status` round trips", "events": "`stop`→STOP and `cont`→RESUME",
          "startup": "Start-up", "rss": "Idle memory", "pmemsave": "`pmemsave` of 1 GiB",
          "dump": "`dump-guest-memory` of 1 GiB", "pmemaccess": "pmemaccess (LibVMI)",
          "linux": "Linux boot (nested test bed, QEMU microvm)"}
SHORT = {"qmp": "QMP", "events": "events", "startup": "start-up", "rss": "memory",
         "pmemsave": "pmemsave", "dump": "dump-guest-memory", "pmemaccess": "pmemaccess",
         "linux": "Linux boot"}


def write_md(bench, path, machine, started, elapsed, load0, load1, steal):
    L = []  # the areas' sections
    for area in AREAS:
        if area not in bench.results:
            continue
        L.append("")
        L.append(f"## {TITLES[area]}")
        L.append("")
        floor = any(r.get("floor") is not None for r in bench.results[area])
        if floor:
            L.append("| measure | tinyvmm | QEMU 7.2 | floor | tinyvmm/QEMU | tinyvmm/floor | "
                     "target | met? | runs |")
            L.append("|---|---:|---:|---:|---:|---:|---|---|---|")
        else:
            L.append("| measure | tinyvmm | QEMU 7.2 | tinyvmm/QEMU | target | met? | runs |")
            L.append("|---|---:|---:|---:|---|---|---|")
        for r in bench.results[area]:
            ratio = fmt_ratio(r["ratio"])
            qv = fmt(r["q"], r["unit"]) if bench.a.qemu else "n/a (no QEMU)"
            goals = [(r["target"], r["met"]), (r.get("ftarget"), r.get("fmet"))]
            target = "; ".join(g for g, _ in goals if g)
            met = "; ".join("**met**" if m else "**not met**" for g, m in goals
                            if g and m is not None)
            cells = [r["name"], fmt(r["t"], r["unit"]), qv]
            if floor:
                cells += [fmt(r.get("floor"), r["unit"]), ratio, fmt_ratio(r.get("fratio"))]
            else:
                cells += [ratio]
            L.append("| " + " | ".join(cells + [target, met, r["runs"]]) + " |")
        for n in bench.notes.get(area, []):
            L.append("")
            L.append(f"- {n}" if not n.startswith("- ") else n)
    T = []  # the Targets table's rows
    for area in AREAS:
        for r in bench.results.get(area, []):
            if r["target"]:
                res = "n/a" if r["met"] is None else ("met" if r["met"] else "not met")
                T.append(f"| {SHORT[area]}: {r['name']}: {r['target']} | {res} "
                         f"({fmt(r['t'], r['unit'])}"
                         + (f", {fmt_ratio(r['ratio'])} QEMU"
                            if r["ratio"] is not None else "") + ") |")
            if r.get("ftarget"):
                res = "n/a" if r["fmet"] is None else ("met" if r["fmet"] else "not met")
                T.append(f"| {SHORT[area]}: {r['name']}: {r['ftarget']} | {res} "
                         f"({fmt(r['t'], r['unit'])}, {fmt_ratio(r['fratio'])} the floor "
                         f"program's {fmt(r['floor'], r['unit'])}) |")
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "report-template.md")) as f:
        template = f.read()
    text = template.format(
        command=f"bench/run{' --quick' if bench.a.quick else ''}"
                f"{' --only ' + bench.a.only if bench.a.only else ''}",
        started=started, elapsed=elapsed, load0=load0, load1=load1, steal=steal,
        machine="\n".join(f"- **{k}**: {v}" for k, v in machine), dir=bench.a.dir,
        cmdlines="\n".join(CMDLINES), areas="".join("\n" + x for x in L), targets="".join("\n" + t for t in T))
    with open(path, "w") as f:
        f.write(text)
    log(f"\nwrote {path}")


# ---------------------------------------------------------------- the machine

def machine_info(args):
    info = []
    cpu = "?"
    for line in read_proc("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    flags = ""
    for line in read_proc("/proc/cpuinfo").splitlines():
        if line.startswith("flags"):
            flags = line
            break
    mem = "?"
    for line in read_proc("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    info.append(("CPU", f"{cpu}, {os.cpu_count()} logical cores"))
    info.append(("RAM", mem))
    info.append(("kernel", f"{platform.system()} {platform.release()} {platform.machine()}"))
    mods = [m for m in ("kvm_intel", "kvm_amd", "kvm_pvm") if os.path.isdir(f"/sys/module/{m}")]
    kvm = ", ".join(mods) if mods else "kvm (built in)"
    if "kvm_pvm" in mods:
        kvm += " (PVM: KVM without hardware virtualization extensions, for guests that are themselves VMs)"
    nested = []
    for m in ("kvm_intel", "kvm_amd"):
        v = read_proc(f"/sys/module/{m}/parameters/nested").strip()
        if v:
            nested.append(f"{m} nested={v}")
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        api = fcntl.ioctl(fd, 0xAE00)
        os.close(fd)
        kvm += f"; KVM API {api}"
    except OSError as e:
        kvm += f"; /dev/kvm: {e.strerror}"
    if nested:
        kvm += "; " + ", ".join(nested)
    if " hypervisor" in flags:
        kvm += "; this host is itself a virtual machine (cpuinfo flag `hypervisor`)"
    info.append(("KVM", kvm))
    info.append(("tinyvmm", f"`{args.tinyvmm}` ({version([args.tinyvmm, '--version'])}), "
                 f"tree {git_rev()}"))
    if args.qemu:
        info.append(("QEMU", f"`{args.qemu}` ({version([args.qemu, '--version'])})"))
    else:
        info.append(("QEMU", "not found: the ratios are n/a"))
    info.append(("Python", platform.python_version()))
    info.append(("files", fs_desc(args.dir)))
    return info


def version(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.splitlines()[0].strip()
    except Exception:
        return "?"


def git_rev():
    try:
        rev = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return f"{rev}{' + uncommitted changes' if dirty else ''}" if rev else "?"
    except Exception:
        return "?"
