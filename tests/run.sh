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
sh .ci/fuzz "${TINYVMM_FUZZ_SECONDS:-60}" || status=1
exit $status
