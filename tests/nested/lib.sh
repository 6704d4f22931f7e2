# Helpers for the per-case scripts the outer (L1) guest runs; sourced by l1-init.sh.
VMM=/tinyvmm
BOOT="-kernel /vmlinuz -initrd /l2.cpio"
QMP_PORT=4444
now() { cut -d' ' -f1 /proc/uptime; }
# SCALE (set by nested.py above this file) multiplies every limit below and each case's budget:
# the limits only end what hangs, and a slow or loaded host must not look like one

# run_vm SECONDS ARGS...: tinyvmm in the foreground, serial on stdout; then @@RC and @@TIME.
# @@MARK: when the inner guest's /init printed its marker (the outer guest's clock).
run_vm() {
	limit=$1
	shift
	t0=$(now)
	{
		timeout -s KILL $((limit * SCALE)) $VMM "$@" -serial stdio </dev/null
		echo "@@RC $?"
	} 2>&1 | while IFS= read -r line; do
		case "$line" in
		TVMM-L2-UP*) echo "@@MARK $t0 $(now)" ;;
		esac
		echo "$line"
	done
	echo "@@TIME $t0 $(now)"
}

# start_vm ARGS...: tinyvmm in the background, serial to /tmp/serial.log, QMP on tcp.
start_vm() {
	: >/tmp/serial.log
	T0=$(now)
	$VMM "$@" -serial file:/tmp/serial.log \
		-qmp tcp:127.0.0.1:$QMP_PORT,server=on,wait=off >/tmp/vmm.log 2>&1 </dev/null &
	VM_PID=$!
}

# waitfor TEXT [COUNT [SECONDS]]: until the serial log holds TEXT COUNT times.
waitfor() {
	waitfor_in /tmp/serial.log "$@"
}

# waitfor_in FILE TEXT [COUNT [SECONDS]]: until FILE holds TEXT (a grep pattern) COUNT times.
waitfor_in() {
	i=0
	while [ "$(grep -c "$2" "$1")" -lt "${3:-1}" ]; do
		i=$((i + 1))
		if [ $i -gt $((${4:-60} * 10 * SCALE)) ] || ! kill -0 $VM_PID 2>/dev/null; then
			echo "@@TIMEOUT waiting for '$2' x${3:-1} in $1"
			return 1
		fi
		sleep 0.1
	done
	echo "@@SEEN $2 $(now)"
}

# qmp COMMAND...: one QMP session (capabilities first); replies and events on stdout.
qmp() {
	{
		echo '{"execute":"qmp_capabilities"}'
		for c in "$@"; do
			echo "$c"
			sleep 0.3
		done
		sleep 0.7
	} | timeout $((8 * SCALE)) nc 127.0.0.1 $QMP_PORT | sed 's/^/qmp: /'
}

# end_vm [SECONDS]: waits for tinyvmm to exit (killing it after SECONDS), prints its logs.
end_vm() {
	i=0
	while kill -0 $VM_PID 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $((${1:-30} * 10 * SCALE)) ]; then
			kill -9 $VM_PID
			echo "@@KILLED"
			break
		fi
		sleep 0.1
	done
	wait $VM_PID
	echo "@@RC $?"
	echo "@@TIME $T0 $(now)"
	sed 's/^/serial: /' /tmp/serial.log
	sed 's/^/vmm: /' /tmp/vmm.log
}

# wait_qmp: until tinyvmm's QMP server greets.
wait_qmp() {
	i=0
	until echo | timeout 2 nc 127.0.0.1 $QMP_PORT 2>/dev/null | grep -q QMP; do
		i=$((i + 1))
		if [ $i -gt $((50 * SCALE)) ] || ! kill -0 $VM_PID 2>/dev/null; then
			echo "@@TIMEOUT waiting for the QMP server"
			return 1
		fi
		sleep 0.1
	done
}

# qmp_until_exit [SECONDS] COMMAND...: a QMP session open until tinyvmm exits (at most SECONDS).
qmp_until_exit() {
	limit=$1
	shift
	{
		echo '{"execute":"qmp_capabilities"}'
		for c in "$@"; do
			echo "$c"
		done
		i=0
		while kill -0 $VM_PID 2>/dev/null && [ $i -lt $((limit * 10 * SCALE)) ]; do
			sleep 0.1
			i=$((i + 1))
		done
		sleep 1 # nc ends at our EOF: let it read tinyvmm's last events first
	} | nc 127.0.0.1 $QMP_PORT | sed 's/^/qmp: /'
}
