#!/bin/busybox sh
# The KVM bed's outer guest /init: kvm_amd, the host's root over 9p, then /bed-cmd.sh chrooted in it.
. /etc/busybox-init.sh
for m in $(cat /modules.list); do
	insmod "/lib/$m.ko" || echo "@@ERROR insmod $m failed"
done
[ -c /dev/kvm ] || echo "@@ERROR no /dev/kvm in the outer guest"
repo=$(cat /repo)
mkdir -p /host /repo-mnt /dev/pts /dev/shm
mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288,cache=loose hostroot /host ||
	echo "@@ERROR cannot mount the host's root over 9p"
# sockets and scratch files on tmpfs (unix sockets do not work on 9p); the repository kept
mount -o bind "/host$repo" /repo-mnt
mount -t tmpfs -o mode=1777 tmpfs /host/tmp
mkdir -p "/host$repo"
mount -o bind /repo-mnt "/host$repo"
mount -o bind /dev /host/dev
mount -t devpts devpts /host/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /host/dev/shm
[ -d /pylib ] && mount -o bind /pylib /host/usr/lib/python3.11
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
ifconfig lo 127.0.0.1 up
echo "@@L1-UP $(cut -d' ' -f1 /proc/uptime)"
cp /bed-cmd.sh /host/tmp/bed-cmd.sh
if [ -e /forward ]; then # "PORT PATH": a unix socket inside, reached from QEMU's user network
	read -r port path </forward
	ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up
	chroot /host socat "TCP-LISTEN:$port,fork,reuseaddr" "UNIX-CONNECT:$path" &
fi
if [ -e /interactive ]; then
	setsid cttyhack chroot /host /bin/sh /tmp/bed-cmd.sh
else
	# a beat every 20 s from outside the chroot: the host tells a frozen outer guest from a long test
	(while sleep 20; do echo "@@BED-BEAT"; done) &
	beat=$!
	chroot /host /bin/sh /tmp/bed-cmd.sh
	rc=$?
	kill "$beat"
	(exit "$rc")
fi
echo "@@BED-RC $? $(cut -d' ' -f1 /proc/uptime)"
sync
poweroff -f
