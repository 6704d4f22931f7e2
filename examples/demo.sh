#!/bin/sh
# Builds tinyvmm and runs the demo VM: serial console and HMP monitor on this terminal
# (Ctrl-a c switches, Ctrl-a x quits), QMP on /tmp/qmp.sock.
set -eu
cd "$(dirname "$0")/.."
sh .ci/install-deps
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
vm="build/tinyvmm -nographic -qmp unix:/tmp/qmp.sock,server=on,wait=off"
if python3 -c 'import os; os.close(os.open("/dev/kvm", os.O_RDWR))' 2>/dev/null; then
	exec $vm "$@"
fi
# No usable /dev/kvm (this host may be a KVM guest itself): the same VM in the KVM bed, a
# QEMU/TCG guest with kvm_amd (tests/nested/kvm-bed.py); /tmp/qmp.sock is forwarded to it.
echo "demo.sh: /dev/kvm is not usable here: starting the demo inside the KVM bed (about 30 s;"
echo "QEMU emulates the machine that runs KVM, so it is slower than on hardware)"
args=""
for a in "$@"; do
	args="$args '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"
done
exec python3 tests/nested/kvm-bed.py --forward /tmp/qmp.sock --console "$vm$args"
