#!/bin/sh
# Builds tinyvmm (plain and ASan+UBSan) and runs every test suite on both builds, then 60 s of each fuzz target.
set -eu
cd "$(dirname "$0")/.."
sh .ci/install-deps
status=0 # a failing suite does not stop the others: every result is shown, then the verdict
# Without a usable /dev/kvm (this host kind can be a KVM guest itself), the tests that need KVM
# skip on the host (CI unset for that pass) and run again, with CI=true, in the KVM bed: a QEMU/TCG
# guest with kvm_amd that sees this tree over 9p (tests/nested/kvm-bed.py).
bed=""
if ! python3 -c 'import os; os.close(os.open("/dev/kvm", os.O_RDWR))' 2>/dev/null; then
	bed=1
	echo "tests/run.sh: /dev/kvm is not usable here: the tests that need KVM run in the KVM bed"
fi
# what becomes of each outer QEMU/TCG guest (the nested suite's, the KVM bed's): counted at the end
ledger=build/tests/nested/work/outer-guests.jsonl
rm -f "$ledger"
for dir in build build-asan; do
	opts=""
	[ "$dir" = build-asan ] && opts="-Dsanitizers=true"
	[ -f "$dir/build.ninja" ] || meson setup "$dir" $opts >/dev/null
	ninja -C "$dir"
	rm -f "$dir/meson-logs/kvm-bed.json" # the KVM bed's results of an earlier run
	# valgrind runs once, from the plain build (the suite 'valgrind' is not defined under ASan)
	if [ -n "$bed" ]; then
		env -u CI meson test -C "$dir" --print-errorlogs --num-processes 2 || status=1
	else
		meson test -C "$dir" --print-errorlogs --num-processes 2 || status=1
	fi
done
fuzz=0 # 1: a fuzz target failed on the host
bed_rc=0 # the KVM bed's exit status: a failed test, a failed fuzz target, or an outer guest that never finished
secs="${TINYVMM_FUZZ_SECONDS:-60}"
if [ -n "$bed" ]; then
	TINYVMM_FUZZ_TARGETS="hmp-parse schema qom gdb-packet" sh .ci/fuzz "$secs" || fuzz=1
	# Under emulation the bed runs the plain build's KVM tests and, of the ASan build's, the
	# guest-facing C paths (integration, introspection): the rest of the ASan build's KVM tests
	# stay on the host's skip list. A run simulated here took 17 min with ASan's qmp, hmp and gdb
	# suites as well, over CI's 20 minutes once an outer guest froze; the QMP fuzz target runs
	# with ASan for half the host's time
	python3 tests/nested/kvm-bed.py --rerun-skipped build build-asan:integration,introspection \
		--fuzz "$((secs / 2))" || bed_rc=$?
else
	sh .ci/fuzz "$secs" || fuzz=1
fi
[ "$fuzz" = 0 ] && [ "$bed_rc" = 0 ] || status=1
# one closing line over both builds (meson's own summaries are above; a test the KVM bed reran
# counts with its result there) and the fuzz run, after the name of everything that failed
python3 - "$fuzz" "$bed_rc" "$ledger" <<'PY'
import collections, json, os, re, sys
passed = failed = skipped = 0
for d in ("build", "build-asan"):
    results = {}
    for log in ("testlog.json", "kvm-bed.json"):
        path = f"{d}/meson-logs/{log}"
        if os.path.exists(path):
            for line in open(path):
                t = json.loads(line)
                results[t["name"]] = t
    for name, t in results.items():
        r = t["result"]
        passed += r == "OK"
        skipped += r == "SKIP"
        if r not in ("OK", "SKIP", "EXPECTEDFAIL"):
            failed += 1
            print(f"FAILED: {d}: {name} ({r})")
            # why, in a few lines (the whole log is above): a CI report may show only the end
            out = (t.get("stdout") or "") + (t.get("stderr") or "")
            lines = [ln for ln in out.splitlines() if re.match(
                r"not ok|Bail out|#   [^|]|Traceback|\w*Error|FAIL|.*(fail|error)", ln, re.I)]
            for ln in (lines or out.splitlines())[-8:]:
                print(f"  {name}: {ln[:200]}")
fuzz_failed, bed_rc = sys.argv[1] == "1", int(sys.argv[2])
if fuzz_failed:  # the bed's output came after it: repeat what the failing target's log says
    print("FAILED: fuzzing on the host (its fuzz-*: lines above say which target)")
    for t in ("qmp", "hmp-parse", "schema"):
        path = f"build-fuzz/fuzz-{t}.log"
        if os.path.exists(path):
            for line in open(path, errors="replace"):
                if re.search(r"ERROR|SUMMARY|Test unit written|^\s+#\d+ ", line):
                    print(f"fuzz-{t}: {line.rstrip()}")
if bed_rc:  # a test that failed there is named above
    print(f"FAILED: the KVM bed (exit status {bed_rc}; its fuzz-qmp: line and kvm-bed: lines above)")
fuzz_failed |= bed_rc != 0  # the fuzz run (and the KVM bed) count as one test
passed += not fuzz_failed
failed += fuzz_failed
guests = [json.loads(line) for line in open(sys.argv[3])] if os.path.exists(sys.argv[3]) else []
if guests:  # the outer guests' fates (tests/nested/fates.py): freezes and panics are the bed's risk
    fates = collections.Counter(g["fate"] for g in guests)
    who = collections.Counter(g["who"] for g in guests)
    counts = [f"{fates[f]} {f}" for f in ("finished", "froze", "panicked", "died", "over time")]
    print(f"outer QEMU/TCG guests: {len(guests)} in {sum(g['seconds'] for g in guests)} s ("
          + ", ".join(f"{n} {w}" for w, n in sorted(who.items())) + "): " + ", ".join(counts))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
