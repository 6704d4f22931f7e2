"""A command in a new schema file takes one list edit: the root's include list, no build file.

Runs qapi-gen on a root schema, adds a module to its include list (the one edit), runs it
again: the command is declared, marshalled, listed and in the HMP table, and the depfile
(which ninja reads in place of a hand-kept list) names the new file. Then checks that
schema/meson.build names no module, so adding one never touches it.
"""
import json
import os
import subprocess
import sys
import tempfile

gen, meson_build, root_schema = sys.argv[1:4]
failures = []


def check(cond, what):
    print(("PASS " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def generate(d):
    p = subprocess.run([gen, "-o", d, "-d", os.path.join(d, "qapi.d"),
                        os.path.join(d, "root.json")], capture_output=True, text=True, timeout=30)
    check(p.returncode == 0, f"qapi-gen runs: {p.stderr.strip()}")
    out = {}
    for name in ("qapi-commands.h", "qapi-commands.c", "qapi-introspect.c", "qapi-hmp.c", "qapi.d"):
        with open(os.path.join(d, name)) as f:
            out[name] = f.read()
    return out


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f)


with tempfile.TemporaryDirectory() as d:
    write(os.path.join(d, "old.json"), {"definitions": [
        {"command": "old-cmd", "doc": "Was there before."}]})
    write(os.path.join(d, "root.json"), {"include": ["old.json"]})
    before = generate(d)
    check("qmp_added_cmd" not in before["qapi-commands.h"], "no added-cmd yet")
    write(os.path.join(d, "new.json"), {"definitions": [
        {"command": "added-cmd", "data": {"n": "int"}, "returns": "int", "doc": "New.",
         "hmp": {"name": "added", "params": "n", "help": "a new command"}}]})
    write(os.path.join(d, "root.json"), {"include": ["old.json", "new.json"]})  # the one edit
    after = generate(d)
    check("int64_t qmp_added_cmd(int64_t n, Error **errp);" in after["qapi-commands.h"],
          "the handler's prototype is declared")
    check('{ "added-cmd", qmp_marshal_added_cmd, 0 }' in after["qapi-commands.c"],
          "the command is in the QMP table")
    check('\\"added-cmd\\"' in after["qapi-introspect.c"], "query-commands lists it")
    check("hmp_call_added_cmd" in after["qapi-hmp.c"], "the HMP table has it")
    deps = after["qapi.d"].split(":", 1)[1].split()
    for name in ("root.json", "old.json", "new.json"):
        check(os.path.realpath(os.path.join(d, name)) in deps, f"the depfile names {name}")

with open(root_schema) as f:
    modules = json.load(f)["include"]
with open(meson_build) as f:
    build = f.read()
check("depfile:" in build, "schema/meson.build takes qapi-gen's depfile")
listed = [m for m in modules if m in build]
check(not listed, f"schema/meson.build names no module (found {listed})")
sys.exit(1 if failures else 0)
