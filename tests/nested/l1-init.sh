#!/bin/busybox sh
# The outer (L1) guest's /init: loads kvm_amd, runs every /tests/*.sh against tinyvmm and
# reports each between @@BEGIN/@@END lines on the serial console, then powers off.
. /etc/busybox-init.sh
ifconfig lo 127.0.0.1 up
for m in irqbypass kvm kvm-amd; do
	insmod /lib/$m.ko || echo "@@ERROR insmod $m failed"
done
[ -c /dev/kvm ] || echo "@@ERROR no /dev/kvm in the outer guest"
now() { cut -d' ' -f1 /proc/uptime; }
echo "@@L1-UP $(now)"
# a heartbeat tells a hung outer guest (no heartbeat) from a hung case (heartbeats go on)
(while :; do
	sleep 15
	echo "@@HB $(now)"
done) &
for t in /tests/[0-9]*.sh; do
	n=${t##*/}
	n=${n%.sh}
	budget=$(sed -n 's/^# budget //p' "$t")
	echo "@@BEGIN $n $(now)"
	timeout -s KILL "${budget:-60}" sh -c ". /tests/lib.sh; . $t" </dev/null 2>&1
	echo "@@END $n rc=$? $(now)"
	killall -KILL tinyvmm 2>/dev/null # whatever a killed case left behind
done
echo "@@DONE $(now)"
poweroff -f
