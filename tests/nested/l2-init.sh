#!/bin/busybox sh
# The inner (L2) guest's /init: prints a marker with the CPU count and memory, then does what
# tvmm.action= on the kernel command line says (poweroff, reboot, powerdown, pattern, wait, spin,
# pci, shell).
. /etc/busybox-init.sh
action=poweroff
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	tvmm.action=*) action=${arg#tvmm.action=} ;;
	esac
done
# a word outside RAM (the e820 hole below 1 MiB) that survives a reboot: /dev/mem may touch it
FLAG=0xdf000
PATTERN_ADDR=0xd0000
mem=$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)
echo "TVMM-L2-UP cpus=$(grep -c ^processor /proc/cpuinfo) memkb=$mem action=$action"
case "$action" in
poweroff)
	poweroff -f
	;;
reboot)
	if [ "$(devmem $FLAG 32)" = "0x7B007B00" ]; then
		devmem $FLAG 32 0
		echo "TVMM-L2-REBOOTED"
		poweroff -f
	fi
	devmem $FLAG 32 0x7b007b00
	echo "TVMM-L2-REBOOTING"
	reboot -f
	;;
powerdown)
	insmod /lib/evdev.ko
	insmod /lib/button.ko
	ev=$(ls /dev/input/event* 2>/dev/null | head -n 1)
	echo "TVMM-L2-WAITING-POWER-BUTTON ${ev:-none}"
	dd if="$ev" of=/dev/null bs=24 count=1 2>/dev/null
	echo "TVMM-L2-POWER-BUTTON"
	poweroff -f
	;;
pattern)
	for i in 0 4 8 12 16 20 24 28; do
		devmem $((PATTERN_ADDR + i)) 32 0x5a17c0de
	done
	echo "TVMM-L2-PATTERN-WRITTEN $(devmem $PATTERN_ADDR 32)"
	while :; do sleep 1; done
	;;
wait)
	while :; do sleep 1; done
	;;
pci)
	# the PCI session of docs/pci.md: lspci, then edu's MMIO and pci-testdev's ports from /sys
	/usr/bin/lspci -nn -v
	/pci-user
	echo "TVMM-L2-PCI-DONE"
	while :; do sleep 1; done
	;;
spin)
	echo "TVMM-L2-SPINNING"
	while :; do :; done # user mode, all the time: test-translate-linux pauses it there
	;;
*)
	echo "TVMM-L2-SHELL (poweroff -f ends the VM)"
	while :; do setsid cttyhack sh; done
	;;
esac
