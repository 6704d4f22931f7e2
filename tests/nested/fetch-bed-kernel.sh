#!/bin/sh
# Fetches Debian's generic kernel and the modules the KVM bed's outer guest loads (9p root, kvm_amd,
# virtio-net for a forwarded socket).
# Usage: fetch-bed-kernel.sh CACHE_DIR   (the cloud kernel has no 9p; never committed)
# Leaves CACHE_DIR/bed/vmlinuz and CACHE_DIR/bed/modules/NAME.ko with modules.list in load order.
set -eu
cache=${1:?usage: fetch-bed-kernel.sh CACHE_DIR}
dir="$cache/bed"
grep -q virtio_net "$dir/modules.list" 2>/dev/null && exit 0
mkdir -p "$dir"
cd "$dir"
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1)
if [ -z "$kpkg" ]; then
	echo "fetch-bed-kernel: apt knows no linux-image-amd64; running apt-get update" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	kpkg=$(apt-cache depends linux-image-amd64 |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1)
fi
[ -n "$kpkg" ] || { echo "fetch-bed-kernel: cannot resolve the kernel package" >&2; exit 1; }
rm -rf dl x modules
mkdir -p dl x modules
(cd dl && apt-get download -q "$kpkg" >/dev/null)
dpkg-deb -x dl/*.deb x
kver=${kpkg#linux-image-}
# in load order: each after what it depends on (their .modinfo 'depends=')
mods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
netfs fscache 9pnet 9pnet_virtio 9p irqbypass kvm ccp kvm-amd failover net_failover virtio_net"
for m in $mods; do
	ko=$(find "x/lib/modules/$kver/kernel" -name "$m.ko" -o -name "$m.ko.xz" | head -n1)
	[ -n "$ko" ] || { echo "fetch-bed-kernel: $m missing from $kpkg" >&2; exit 1; }
	case "$ko" in
	*.xz) xz -dc "$ko" >"modules/$m.ko" ;;
	*) cp "$ko" "modules/$m.ko" ;;
	esac
done
cp "x/boot/vmlinuz-$kver" vmlinuz
rm -rf dl x
echo "$mods" | tr ' ' '\n' >modules.list
