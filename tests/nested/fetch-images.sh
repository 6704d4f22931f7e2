#!/bin/sh
# Fetches Debian's kernels, their modules and busybox-static into a cache directory (never committed).
# Usage: fetch-images.sh CACHE_DIR        the cloud kernel (+ kvm modules) and busybox:
#            CACHE_DIR/vmlinuz, CACHE_DIR/busybox and CACHE_DIR/modules/: irqbypass, kvm, kvm-amd
#            (for the outer guest) and button, evdev (the inner guest's ACPI power button);
#            CACHE_DIR/pci/: lspci, libpci.so.3, pci.ids (the inner guest's lspci)
#        fetch-images.sh CACHE_DIR bed    the generic kernel for the KVM bed's outer guest (the
#            cloud one has no 9p): CACHE_DIR/bed/vmlinuz, CACHE_DIR/bed/modules/NAME.ko and
#            CACHE_DIR/bed/modules.list in load order (9p root, kvm_amd, virtio-net)
set -eu
cache=${1:?usage: fetch-images.sh CACHE_DIR [bed]}
mode=${2:-}
mkdir -p "$cache"
cd "$cache"

# apt's package lists, once: a machine whose packages were all installed already (install-deps
# then skips apt-get update) may have none, and apt then knows no package to download
updated=""
update() {
	[ -z "$updated" ] || return 0
	echo "fetch-images: apt lacks a package list; running apt-get update" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	updated=1
}

# resolve META: the versioned package a kernel meta-package depends on
depends() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1
}
resolve() {
	pkg=$(depends "$1")
	[ -n "$pkg" ] || { update && pkg=$(depends "$1"); }
	[ -n "$pkg" ] || { echo "fetch-images: cannot resolve $1" >&2; exit 1; }
	echo "$pkg"
}

# download PKG...: the packages' .deb files into dl/
download() {
	(cd dl && apt-get download -q "$@" >/dev/null 2>&1) ||
		{ update && (cd dl && apt-get download -q "$@" >/dev/null); }
}

# module DIR NAME OUT: a module of the kernel unpacked in x/ (plain or .xz) to OUT
module() {
	ko=$(find "x/lib/modules/$1/kernel" -name "$2.ko" -o -name "$2.ko.xz" | head -n1)
	[ -n "$ko" ] || { echo "fetch-images: $2 missing from the kernel $1" >&2; exit 1; }
	case "$ko" in
	*.xz) xz -dc "$ko" >"$3" ;;
	*) cp "$ko" "$3" ;;
	esac
}

if [ "$mode" = bed ]; then
	grep -q virtio_net bed/modules.list 2>/dev/null && exit 0
	kpkg=$(resolve linux-image-amd64)
	rm -rf dl x bed
	mkdir -p dl x bed/modules
	download "$kpkg"
	dpkg-deb -x dl/*.deb x
	# each after what it depends on (their .modinfo 'depends=')
	mods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs
	fscache 9pnet 9pnet_virtio 9p irqbypass kvm ccp kvm-amd failover net_failover virtio_net"
	for m in $mods; do
		module "${kpkg#linux-image-}" "$m" "bed/modules/$m.ko"
	done
	cp "x/boot/vmlinuz-${kpkg#linux-image-}" bed/vmlinuz
	rm -rf dl x
	echo $mods | tr ' ' '\n' >bed/modules.list
	exit 0
fi

# pciutils' lspci, its libpci and pci.ids for the inner guest's lspci (pci-session): CACHE_DIR/pci/
if [ ! -f pci/pci.ids ]; then
	rm -rf dl x
	mkdir -p dl x pci
	download pciutils libpci3 pci.ids
	for deb in dl/*.deb; do dpkg-deb -x "$deb" x; done
	cp x/usr/bin/lspci pci/lspci
	cp -L x/usr/lib/x86_64-linux-gnu/libpci.so.3 pci/libpci.so.3
	cp x/usr/share/misc/pci.ids pci/pci.ids
	rm -rf dl x
fi

if [ -f vmlinuz ] && [ -f busybox ] && [ -f modules/evdev.ko ]; then
	exit 0
fi
kpkg=$(resolve linux-image-cloud-amd64)
rm -rf dl x
mkdir -p dl x modules
download "$kpkg" busybox-static
for deb in dl/*.deb; do dpkg-deb -x "$deb" x; done
for m in irqbypass kvm kvm-amd button evdev; do
	module "${kpkg#linux-image-}" "$m" "modules/$m.ko"
done
cp x/bin/busybox busybox
echo "$kpkg" >kernel-package
cp "x/boot/vmlinuz-${kpkg#linux-image-}" vmlinuz.tmp
rm -rf dl x
mv vmlinuz.tmp vmlinuz
