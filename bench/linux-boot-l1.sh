#!/bin/busybox sh
# bench/run's linux area, the outer guest's /init: Linux boots with tinyvmm and QEMU microvm, timed.
# /etc/bench.conf sets ROUNDS, MEMROUNDS, SMP, MEM and QEMU_MACHINE. Everything goes through
# one long-running `ts '%.s'` (busybox: CLOCK_REALTIME in µs, stamped as ts reads each line).
# Timed boots (tvmm.action=poweroff), nothing else running beside them:
#   STAMP @@T0 KIND ROUND         just before the shell spawns the VMM
#   STAMP TVMM-L2-UP ...          the inner guest's /init marker, from the VMM's serial stdout
#   STAMP @@RSS MAXRSS STATUS     busybox time has reaped the VMM (MAXRSS: its ru_maxrss)
# Memory boots (tvmm.action=wait: the guest idles after its marker), stopped after the sample:
#   STAMP @@MEM KIND ROUND HWM_KB RSS_KB RAM_RSS_KB RAM_SIZE_KB   at the marker: VmHWM,
#         VmRSS, and the Rss and Size of the guest RAM's mappings in smaps (bench/linux-mem.awk)
. /etc/busybox-init.sh
. /etc/bench.conf
for m in irqbypass kvm kvm-amd; do
	insmod /lib/$m.ko || echo "@@ERROR insmod $m failed"
done
[ -c /dev/kvm ] || echo "@@ERROR no /dev/kvm in the outer guest"
echo "@@L1-UP $(cut -d' ' -f1 /proc/uptime) cpus=$(nproc)"

# quoted ARG...: the arguments as one shell line (those with spaces in double quotes)
quoted() {
	local a line=
	for a; do
		case $a in
		*" "*) line="$line \"$a\"" ;;
		*) line="$line $a" ;;
		esac
	done
	echo "${line# }"
}

# vmm KIND ROUND ACTION: one VMM (or /bin/true, the spawn path's own cost), timed from
# spawn to exit for ACTION poweroff; for ACTION wait, to the marker and a memory sample.
vmm() {
	local kind=$1 rnd=$2 action=$3
	case $kind in
	tinyvmm) set -- /tinyvmm ;;
	qemu) set -- /usr/bin/qemu-system-x86_64 -M "$QEMU_MACHINE" -no-user-config ;;
	true) set -- /bin/true ;;
	esac
	[ "$kind" = true ] || set -- "$@" -enable-kvm -cpu host -nodefaults -display none \
		-m "$MEM" -smp "$SMP" -kernel /vmlinuz -initrd /l2.cpio \
		-append "console=ttyS0 quiet tvmm.action=$action" -serial stdio
	if [ "$action" = wait ]; then
		memory "$kind $rnd" "$@"
		return
	fi
	[ "$rnd" -gt 0 ] || echo "@@ARGV $kind $(quoted "$@")"
	echo "@@T0 $kind $rnd"
	time -f "@@RSS %M %x" timeout -s KILL 60 "$@" </dev/null
}

# memory BOOT ARGV...: runs ARGV until the inner guest's marker, samples it, stops it (SIGTERM).
memory() {
	local boot=$1 pid
	shift
	timeout -s KILL 60 "$@" </dev/null >/tmp/mem.out 2>&1 &
	pid=$!
	while ! grep -q TVMM-L2-UP /tmp/mem.out && kill -0 $pid 2>/dev/null; do
		sleep 0.1
	done
	if grep -q TVMM-L2-UP /tmp/mem.out; then
		echo "@@MEM $boot $(awk -v mem=$((${MEM%M} * 1024)) -f /etc/mem.awk \
			/proc/$pid/status /proc/$pid/smaps)"
	else
		echo "@@MEM $boot none"
		sed 's/^/  | /' /tmp/mem.out
	fi
	kill $pid 2>/dev/null
	wait $pid
}

# rounds N ACTION: N rounds of one boot of each VMM; tinyvmm first in even rounds, QEMU first
# in odd ones.
rounds() {
	local r=0 kind order
	while [ $r -lt "$1" ]; do
		if [ $((r % 2)) -eq 0 ]; then order="tinyvmm qemu"; else order="qemu tinyvmm"; fi
		for kind in $order; do
			vmm $kind $r "$2"
		done
		r=$((r + 1))
	done
}

all() {
	for i in 1 2 3 4 5; do
		vmm true $i poweroff
	done
	rounds "$ROUNDS" poweroff
	rounds "$MEMROUNDS" wait
}

# a heartbeat: nested.run_l1 takes 50 s without output for a stuck outer guest
(while :; do
	sleep 15
	echo "@@HB"
done) &
all 2>&1 | ts '%.s'
echo "@@DONE $(cut -d' ' -f1 /proc/uptime)"
poweroff -f
