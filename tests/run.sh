#!/bin/sh
# Builds tinyvmm (plain and ASan+UBSan) and runs every test suite on both builds.
set -eu
cd "$(dirname "$0")/.."
sh .ci/install-deps
for dir in build build-asan; do
	opts=""
	[ "$dir" = build-asan ] && opts="-Dsanitizers=true"
	[ -f "$dir/build.ninja" ] || meson setup "$dir" $opts >/dev/null
	ninja -C "$dir"
	meson test -C "$dir" --print-errorlogs --num-processes 2
done
