#!/bin/sh
# Builds tinyvmm (plain and ASan+UBSan) and runs every test suite on both builds, then 60 s of each fuzz target.
set -eu
cd "$(dirname "$0")/.."
sh .ci/install-deps
status=0 # a failing suite does not stop the others: every result is shown, then the verdict
for dir in build build-asan; do
	opts=""
	[ "$dir" = build-asan ] && opts="-Dsanitizers=true"
	[ -f "$dir/build.ninja" ] || meson setup "$dir" $opts >/dev/null
	ninja -C "$dir"
	# valgrind runs once, from the plain build (the suite 'valgrind' is not defined under ASan)
	meson test -C "$dir" --print-errorlogs --num-processes 2 || status=1
done
fuzz=0
sh .ci/fuzz "${TINYVMM_FUZZ_SECONDS:-60}" || fuzz=1
status=$((status | fuzz))
# one closing line over both builds (meson's own summaries are above) and the fuzz run
python3 - "$fuzz" <<'PY'
import json, sys
passed = failed = skipped = 0
for d in ("build", "build-asan"):
    for line in open(f"{d}/meson-logs/testlog.json"):
        r = json.loads(line)["result"]
        passed += r == "OK"
        skipped += r == "SKIP"
        failed += r not in ("OK", "SKIP", "EXPECTEDFAIL")
fuzz_failed = sys.argv[1] == "1"  # the fuzz run counts as one test
passed += not fuzz_failed
failed += fuzz_failed
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
