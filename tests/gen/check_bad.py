"""Runs qapi-gen on a bad schema: it must fail, naming the file, with the expected message."""
import subprocess
import sys
import tempfile

gen, schema, expected = sys.argv[1:4]
with tempfile.TemporaryDirectory() as out:
    p = subprocess.run([gen, "-o", out, schema], capture_output=True, text=True, timeout=30)
if p.returncode != 1 or expected not in p.stderr or "bad/" not in p.stderr:
    print(f"FAIL {schema}\n  expected: exit 1 and a message naming the file with {expected!r}\n"
          f"  received: exit {p.returncode}, {p.stderr!r}", file=sys.stderr)
    sys.exit(1)
print(f"PASS {schema}: {p.stderr.strip()}")
