"""Robustness, arguments: negative, huge and overflowing sizes, wrong types, extra and missing arguments, bad file names."""
import os
import subprocess
import tempfile

from rlib import QVM, alive, check, command_id, err, scaled

RAM = 128 << 20
INVAL = "Invalid addr 0x%016x/size %d specified"


def expect_cmd(q, name, args, want, what):
    got = command_id(q, name, args, id="a")
    want = dict(want, id="a")
    check(got == want, what, want, got)


def no_new_files(d, before, what):
    after = sorted(os.listdir(d))
    check(after == before, f"{what}: no file (or temp file) left", before, after)


def negative_sizes():
    with QVM() as vm:
        q = vm.qmp()
        f = vm.file("neg.bin")
        before = sorted(os.listdir(vm.sockdir))
        for cmd in ("pmemsave", "memsave"):
            for val, size in ((0, -1), (0, -(2**63)), (-1, 4), (-(2**63), 1)):
                expect_cmd(q, cmd, {"val": val, "size": size, "filename": f},
                           err(INVAL % (val & (2**64 - 1), size)), f"{cmd} val={val} size={size}")
        expect_cmd(q, "x-read-memory", {"addr": 0, "size": -1},
                   err("Parameter 'size' must be between 0 and 1048576"), "x-read-memory size=-1")
        no_new_files(vm.sockdir, before, "negative sizes")
        alive(vm, q=q)


def huge_sizes():
    with QVM() as vm:
        q = vm.qmp()
        f = vm.file("huge.bin")
        before = sorted(os.listdir(vm.sockdir))
        for cmd in ("pmemsave", "memsave"):
            for val, size in ((0, 2**62), (0, 2**63 - 1), (0, RAM + 1), (RAM, 1)):
                expect_cmd(q, cmd, {"val": val, "size": size, "filename": f},
                           err(INVAL % (val, size)), f"{cmd} val={val:#x} size={size:#x}")
        expect_cmd(q, "x-read-memory", {"addr": 0, "size": 2**62},
                   err("Parameter 'size' must be between 0 and 1048576"), "x-read-memory huge")
        no_new_files(vm.sockdir, before, "huge sizes")
        alive(vm, q=q)


def overflow_2_64():
    # address + size wraps around 2^64
    with QVM() as vm:
        q = vm.qmp()
        f = vm.file("wrap.bin")
        before = sorted(os.listdir(vm.sockdir))
        for cmd in ("pmemsave", "memsave"):
            for val, size in ((2**63 - 8, 2**63 - 8), (2**63 - 1, 2), (-16, 32), (-4096, 8192)):
                expect_cmd(q, cmd, {"val": val, "size": size, "filename": f},
                           err(INVAL % (val & (2**64 - 1), size)), f"{cmd} {val:#x}+{size:#x}")
        expect_cmd(q, "x-read-memory", {"addr": 2**64 - 8, "size": 16},
                   err("Parameter 'size' must be between 0 and 1048576"),
                   "x-read-memory wrapping (an x- command: no QEMU text)")
        expect_cmd(q, "dump-guest-memory",
                   {"paging": False, "protocol": "file:" + f, "begin": -16, "length": 32},
                   err("Invalid parameter 'begin'"), "dump-guest-memory begin<0")
        no_new_files(vm.sockdir, before, "overflowing ranges")
        alive(vm, q=q)


def wrong_types():
    with QVM() as vm:
        q = vm.qmp()
        f = vm.file("t.bin")
        T = "Invalid parameter type for '%s', expected: %s"
        for args, bad, typ in (({"val": "0", "size": 4, "filename": f}, "val", "integer"),
                               ({"val": 0, "size": 1.5, "filename": f}, "size", "integer"),
                               ({"val": 0, "size": True, "filename": f}, "size", "integer"),
                               ({"val": 0, "size": None, "filename": f}, "size", "integer"),
                               ({"val": 0, "size": [4], "filename": f}, "size", "integer"),
                               ({"val": 0, "size": 4, "filename": 5}, "filename", "string"),
                               ({"val": 0, "size": 4, "filename": {"a": 1}}, "filename", "string")):
            expect_cmd(q, "pmemsave", args, err(T % (bad, typ)), f"pmemsave {bad}={args[bad]!r}")
        expect_cmd(q, "human-monitor-command", {"command-line": 7},
                   err(T % ("command-line", "string")), "HMP line as a number")
        expect_cmd(q, "qmp_capabilities", {"enable": "oob"},
                   err(T % ("enable", "array")), "qmp_capabilities enable as a string")
        expect_cmd(q, "qmp_capabilities", {"enable": []},
                   err("Capabilities negotiation is already complete, command ignored",
                       "CommandNotFound"), "qmp_capabilities after negotiation")
        check(not os.path.exists(f), "no file for a badly typed pmemsave")
        alive(vm, q=q)


def extra_arguments():
    with QVM() as vm:
        q = vm.qmp()
        for name, args in (("query-status", {"bogus": 1}), ("stop", {"x": None}),
                           ("pmemsave", {"val": 0, "size": 1, "filename": vm.file("e"), "y": 1}),
                           ("quit", {"now": True}), ("cont", {"": 1})):
            bogus = [k for k in args if k not in ("val", "size", "filename")][0]
            expect_cmd(q, name, args, err(f"Parameter '{bogus}' is unexpected"),
                       f"{name} with an extra argument")
        alive(vm, q=q)  # stop and quit did not run


def missing_arguments():
    with QVM() as vm:
        q = vm.qmp()
        for name, args, missing in (("pmemsave", {"val": 0, "size": 1}, "filename"),
                                    ("pmemsave", {}, "val"),
                                    ("memsave", {"val": 0, "filename": "x"}, "size"),
                                    ("human-monitor-command", {}, "command-line"),
                                    ("human-monitor-command", None, "command-line"),
                                    ("x-read-memory", {"addr": 0}, "size"),
                                    ("pmemaccess", {}, "path")):
            expect_cmd(q, name, args, err(f"Parameter '{missing}' is missing"),
                       f"{name} without {missing}")
        alive(vm, q=q)


def filename_directory():
    with QVM() as vm:
        q = vm.qmp()
        d = vm.file("adir")
        os.mkdir(d)
        before = sorted(os.listdir(vm.sockdir))
        for cmd in ("pmemsave", "memsave"):
            # QEMU: fopen(dir, "wb") fails with EISDIR before anything is written
            expect_cmd(q, cmd, {"val": 0, "size": 16, "filename": d},
                       err(f"Could not open '{d}': Is a directory"), f"{cmd} into a directory")
        no_new_files(vm.sockdir, before, "saving into a directory")
        check(os.listdir(d) == [], "the directory is untouched", [], os.listdir(d))
        alive(vm, q=q)


def filename_unwritable():
    with QVM() as vm:
        q = vm.qmp()
        for f, why in (("/sys/tinyvmm-robust.bin", "Permission denied"),
                       ("/proc/self/tinyvmm.bin", "No such file or directory"),
                       ("/nonexistent/dir/f", "No such file or directory"),
                       ("/etc/hostname/f", "Not a directory")):
            for cmd in ("pmemsave", "memsave"):
                expect_cmd(q, cmd, {"val": 0, "size": 16, "filename": f},
                           err(f"Could not open '{f}': {why}"), f"{cmd} to {f}")
        # QEMU: fopen("", "wb") fails with ENOENT
        expect_cmd(q, "pmemsave", {"val": 0, "size": 16, "filename": ""},
                   err("Could not open '': No such file or directory"), "pmemsave to ''")
        alive(vm, q=q)


def filename_10000():
    with QVM() as vm:
        q = vm.qmp()
        f = vm.sockdir + "/" + "n" * 10000
        before = sorted(os.listdir(vm.sockdir))
        for cmd in ("pmemsave", "memsave"):
            expect_cmd(q, cmd, {"val": 0, "size": 16, "filename": f},
                       err(f"Could not open '{f}': File name too long"), f"{cmd} 10000 chars")
        f2 = vm.sockdir + "/" + "/".join(["d"] * 5000)
        expect_cmd(q, "pmemsave", {"val": 0, "size": 16, "filename": f2},
                   err(f"Could not open '{f2}': File name too long"), "5000 components")
        expect_cmd(q, "pmemaccess", {"path": f}, err(f"Invalid socket path '{f}'"),
                   "pmemaccess 10000 chars")
        r = command_id(q, "human-monitor-command", {"command-line": "pmemsave 0 16 " + f}, id="h")
        check(r.get("id") == "h" and "File name too long" in r.get("return", ""),
              "HMP pmemsave 10000 chars", "...File name too long...", str(r)[:300])
        no_new_files(vm.sockdir, before, "long names")
        alive(vm, q=q)


def hmp_hostile_lines():
    with QVM() as vm:
        q = vm.qmp()
        for line, want in (("info status " + "x" * 5000,
                            "status: extraneous characters at the end of line\r\n"
                            'Try "help info status" for more information\r\n'),
                           ("", ""),
                           ("bogus_cmd", "unknown command: 'bogus_cmd'\r\n"),
                           ("xp /100000000xg 0", None),
                           ('memsave 0 16 "unterminated', None)):
            r = command_id(q, "human-monitor-command", {"command-line": line}, id="h")
            check("return" in r and r.get("id") == "h" and
                  (want is None or r["return"] == want), f"HMP line {line[:40]!r}",
                  want if want is not None else "a return", str(r)[:300])
        expect_cmd(q, "human-monitor-command", {"command-line": "info status", "cpu-index": 9},
                   err("Parameter 'cpu-index' expects a CPU number"), "bad cpu-index")
        expect_cmd(q, "memsave", {"val": 0, "size": 1, "filename": "x", "cpu-index": 2**63 - 1},
                   err("Parameter 'cpu-index' expects a CPU number"), "memsave huge cpu-index")
        alive(vm, q=q)


def boot_file_fifo():
    """-flat, -kernel and -initrd naming a FIFO (nobody writes it): refused at once, not stuck
    in open(). A timeout here is the failure: the old code waited for a writer forever."""
    import tvmm
    tvmm.require_kvm()
    with tempfile.TemporaryDirectory(prefix="tvmm-fifo-") as d:
        fifo, kernel = os.path.join(d, "fifo"), os.path.join(d, "kernel")
        os.mkfifo(fifo)
        with open(kernel, "wb") as f:
            f.write(b"\0" * 4096)  # opened before it is parsed: enough to reach -initrd
        for args, opt in ((["-flat", fifo], "-flat"), (["-kernel", fifo], "-kernel"),
                          (["-kernel", kernel, "-initrd", fifo], "-initrd")):
            try:
                p = subprocess.run([tvmm.binary(), "-display", "none", "-serial", "none"] + args,
                                   stdin=subprocess.DEVNULL, capture_output=True,
                                   timeout=scaled(20))
            except subprocess.TimeoutExpired:
                check(False, f"{opt} FIFO: exits at once", "exit 1", "still blocked after 20 s")
            e = p.stderr.decode(errors="replace")
            check(p.returncode == 1, f"{opt} FIFO: exit status", 1, (p.returncode, e))
            check(e.count("\n") == 1 and "is not a regular file" in e and fifo in e,
                  f"{opt} FIFO: one-line error", "tinyvmm: ... is not a regular file", e)


CASES = {
    "negative-sizes": negative_sizes,
    "huge-sizes": huge_sizes,
    "overflow-2-64": overflow_2_64,
    "wrong-types": wrong_types,
    "extra-arguments": extra_arguments,
    "missing-arguments": missing_arguments,
    "filename-directory": filename_directory,
    "filename-unwritable": filename_unwritable,
    "filename-10000": filename_10000,
    "hmp-hostile-lines": hmp_hostile_lines,
    "boot-file-fifo": boot_file_fifo,
}

if __name__ == "__main__":
    import tvmm
    tvmm.main(CASES)
