"""bench/run's report: BENCHMARKS.md from report-template.md, and the Machine section's facts."""
import fcntl
import os
import platform
import subprocess

from lib import AREAS, C, CMDLINES, REPO, fmt, fmt_ratio, fs_desc, log, read_proc

SHORT = {"qmp": "QMP", "events": "events", "startup": "start-up", "rss": "memory",
         "pmemsave": "pmemsave", "dump": "dump-guest-memory", "pmemaccess": "pmemaccess",
         "linux": "Linux boot"}


class Fields(dict):
    """The template's fields; one a failed area never set reads "n/a"."""

    def __missing__(self, key):
        return "n/a"


def table(bench, area):
    """An area's table, with the floor's columns when a row has a floor figure."""
    rows = bench.results[area]
    floor = any(r["floor"] is not None for r in rows)
    cols = ["measure", "tinyvmm", "QEMU 7.2"] + ["floor"] * floor + ["tinyvmm/QEMU"] + \
        ["tinyvmm/floor"] * floor + ["target", "met?", "runs"]
    L = ["| " + " | ".join(cols) + " |", "|" + "---|" + "---:|" * (len(cols) - 4) + "---|" * 3]
    for r in rows:
        goals = [(r["target"], r["met"]), (r["ftarget"], r["fmet"])]
        cells = [r["name"], fmt(r["t"], r["unit"]),
                 fmt(r["q"], r["unit"]) if bench.a.qemu else "n/a (no QEMU)"]
        cells += [fmt(r["floor"], r["unit"])] * floor + [fmt_ratio(r["ratio"])]
        cells += [fmt_ratio(r["fratio"])] * floor + [
            "; ".join(g for g, _ in goals if g),
            "; ".join("**met**" if m else "**not met**" for g, m in goals if g and m is not None),
            r["runs"]]
        L.append("| " + " | ".join(cells) + " |")
    return "\n".join(L)


def targets(bench):
    """The Targets table's rows."""
    T = []
    for area in AREAS:
        for r in bench.results.get(area, []):
            q = f", {fmt_ratio(r['ratio'])} QEMU" if r["ratio"] is not None else ""
            f = f", {fmt_ratio(r['fratio'])} the floor program's {fmt(r['floor'], r['unit'])}"
            for target, met, beside in ((r["target"], r["met"], q), (r["ftarget"], r["fmet"], f)):
                if target:
                    res = "n/a" if met is None else "met" if met else "not met"
                    T.append(f"\n| {SHORT[area]}: {r['name']}: {target} | {res} "
                             f"({fmt(r['t'], r['unit'])}{beside}) |")
    return "".join(T)


def write_md(bench, path, head):
    """The template with the sections of the areas that ran, their tables and notes filled in;
    head: the run's start, length, load and machine."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "report-template.md")) as f:
        top, *sections = f.read().split("\n## ")
    kept = [top]
    for s in sections:
        area = next((a for a in AREAS if "\n{" + a + "}" in s), None)
        if area is None or area in bench.results:
            kept.append(s)
    fields = Fields(C, **bench.facts)
    for area in bench.results:
        fields[area] = table(bench, area)
        fields[area + "_notes"] = "".join(f"\n- {n}" for n in bench.notes.get(area, []))
    fields.update(head, command=f"bench/run{' --quick' if bench.a.quick else ''}"
                  f"{' --only ' + bench.a.only if bench.a.only else ''}",
                  machine="\n".join(f"- **{k}**: {v}" for k, v in head["machine"]),
                  dir=bench.a.dir, cmdlines="\n".join(CMDLINES), targets=targets(bench))
    with open(path, "w") as f:
        f.write("\n## ".join(kept).format_map(fields))
    log(f"\nwrote {path}")


# ---------------------------------------------------------------- the machine

def machine_info(args):
    def line(path, key):   # the value of the first "key..." line of a /proc file
        return next((x.split(":", 1)[1].strip() for x in read_proc(path).splitlines()
                     if x.startswith(key)), "?")
    mods = [m for m in ("kvm_intel", "kvm_amd", "kvm_pvm") if os.path.isdir(f"/sys/module/{m}")]
    kvm = ", ".join(mods) if mods else "kvm (built in)"
    if "kvm_pvm" in mods:
        kvm += (" (PVM: KVM without hardware virtualization extensions, for guests that are "
                "themselves VMs)")
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        kvm += f"; KVM API {fcntl.ioctl(fd, 0xAE00)}"
        os.close(fd)
    except OSError as e:
        kvm += f"; /dev/kvm: {e.strerror}"
    nested = [f"{m} nested={v}" for m in ("kvm_intel", "kvm_amd")
              if (v := read_proc(f"/sys/module/{m}/parameters/nested").strip())]
    if nested:
        kvm += "; " + ", ".join(nested)
    if " hypervisor" in line("/proc/cpuinfo", "flags"):
        kvm += "; this host is itself a virtual machine (cpuinfo flag `hypervisor`)"
    mem = line("/proc/meminfo", "MemTotal:").split()[0]
    return [("CPU", f"{line('/proc/cpuinfo', 'model name')}, {os.cpu_count()} logical cores"),
            ("RAM", f"{int(mem) / 1024 / 1024:.1f} GiB"),
            ("kernel", f"{platform.system()} {platform.release()} {platform.machine()}"),
            ("KVM", kvm),
            ("tinyvmm", f"`{args.tinyvmm}` ({output(args.tinyvmm, '--version')}), "
             f"tree {git_rev()}"),
            ("QEMU", f"`{args.qemu}` ({output(args.qemu, '--version')})" if args.qemu
             else "not found: the ratios are n/a"),
            ("Python", platform.python_version()),
            ("files", fs_desc(args.dir))]


def output(*argv):
    """The first line argv prints, "?" when it cannot run."""
    try:
        return subprocess.run(argv, capture_output=True, text=True,
                              timeout=10).stdout.splitlines()[0].strip()
    except Exception:
        return "?"


def git_rev():
    rev = output("git", "-C", REPO, "rev-parse", "--short", "HEAD")
    dirty = output("git", "-C", REPO, "status", "--porcelain", "--untracked-files=no") != "?"
    return f"{rev}{' + uncommitted changes' if dirty else ''}"
