#!/bin/sh
# Builds tinyvmm and runs the demo VM: serial console and HMP monitor on this terminal
# (Ctrl-a c switches, Ctrl-a x quits), QMP on /tmp/qmp.sock.
set -eu
cd "$(dirname "$0")/.."
sh .ci/install-deps
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
exec build/tinyvmm -nographic -qmp unix:/tmp/qmp.sock,server=on,wait=off "$@"
