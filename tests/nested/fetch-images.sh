#!/bin/sh
# Fetches Debian's cloud kernel (+ kvm modules) and busybox-static into a cache directory.
# Usage: fetch-images.sh CACHE_DIR   (the build directory's tests/nested/cache; never committed)
# Leaves CACHE_DIR/vmlinuz, CACHE_DIR/busybox and CACHE_DIR/modules/: irqbypass, kvm, kvm-amd (for
# the outer guest) and button, evdev (the inner guest's ACPI power button).
set -eu
cache=${1:?usage: fetch-images.sh CACHE_DIR}
mkdir -p "$cache"
cd "$cache"
if [ -f vmlinuz ] && [ -f busybox ] && [ -f modules/evdev.ko ]; then
	exit 0
fi
# the cloud kernel meta-package names the versioned image package
kpkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n1)
if [ -z "$kpkg" ]; then
	echo "fetch-images: apt knows no linux-image-cloud-amd64; running apt-get update" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	kpkg=$(apt-cache depends linux-image-cloud-amd64 |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n1)
fi
[ -n "$kpkg" ] || { echo "fetch-images: cannot resolve the cloud kernel package" >&2; exit 1; }
rm -rf dl x
mkdir -p dl x modules
(cd dl && apt-get download -q "$kpkg" busybox-static >/dev/null)
for deb in dl/*.deb; do dpkg-deb -x "$deb" x; done
kver=${kpkg#linux-image-}
cp "x/boot/vmlinuz-$kver" vmlinuz.tmp
mdir="x/lib/modules/$kver/kernel"
for ko in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-amd.ko \
	drivers/acpi/button.ko drivers/input/evdev.ko; do
	if [ -f "$mdir/$ko" ]; then
		cp "$mdir/$ko" modules/
	elif [ -f "$mdir/$ko.xz" ]; then
		xz -dc "$mdir/$ko.xz" >"modules/$(basename "$ko")"
	else
		echo "fetch-images: $ko missing from $kpkg" >&2
		exit 1
	fi
done
cp x/bin/busybox busybox
echo "$kpkg" >kernel-package
rm -rf dl x
mv vmlinuz.tmp vmlinuz
