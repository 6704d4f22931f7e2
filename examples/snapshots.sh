#!/bin/sh
# Periodic guest-memory snapshots over QMP: every INTERVAL seconds, pauses the VM, saves
# guest-physical RAM with pmemsave, resumes it; keeps the newest KEEP snapshots.
#
# usage: snapshots.sh [-s QMP_SOCKET] [-d DIR] [-i INTERVAL] [-k KEEP] [-n COUNT] [-r]
#   -s  QMP socket (default /tmp/qmp.sock)      -d  where snapshots go (default ./snapshots)
#   -i  seconds between snapshots (default 60)  -k  how many to keep (default 5)
#   -n  stop after COUNT snapshots (default: run until interrupted)
#   -r  do not pause: snapshot the running guest (faster, but not a consistent image)
set -eu

sock=/tmp/qmp.sock dir=./snapshots interval=60 keep=5 count=0 pause=yes
while getopts s:d:i:k:n:r opt; do
	case $opt in
	s) sock=$OPTARG ;;
	d) dir=$OPTARG ;;
	i) interval=$OPTARG ;;
	k) keep=$OPTARG ;;
	n) count=$OPTARG ;;
	r) pause=no ;;
	*) sed -n '5,9s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
[ "$keep" -ge 1 ] 2>/dev/null || { echo "snapshots: -k needs a number >= 1" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# qmp JSON...: one QMP session running the commands in order; prints every line.
qmp() {
	{
		printf '{"execute": "qmp_capabilities"}\n'
		printf '%s\n' "$@"
	} | socat -t 600 - UNIX-CONNECT:"$sock"
}

info=$(qmp '{"execute": "query-memory-size-summary"}')
size=$(printf '%s\n' "$info" | sed -n 's/.*"base-memory": *\([0-9][0-9]*\).*/\1/p')
[ -n "$size" ] || { echo "snapshots: cannot read the memory size from $sock" >&2; exit 1; }
[ "$size" -gt 3221225472 ] && size=3221225472 # RAM above 3 GiB sits beyond the PCI hole

# Removes all but the newest $keep snapshots (names sort by time).
prune() {
	set -- "$dir"/snap-*.bin
	drop=$(($# - keep))
	for old; do
		[ $drop -gt 0 ] || break
		rm -f "$old"
		drop=$((drop - 1))
	done
}

n=0
while :; do
	name=snap-$(date -u +%Y%m%dT%H%M%S.%N).bin # sorts by time
	save="{\"execute\": \"pmemsave\", \"arguments\": {\"val\": 0, \"size\": $size, \"filename\": \"$dir/$name\"}}"
	if [ $pause = yes ]; then
		status=$(qmp '{"execute": "query-status"}')
		case $status in
		*'"running": true'*) replies=$(qmp '{"execute": "stop"}' "$save" '{"execute": "cont"}') ;;
		*) replies=$(qmp "$save") ;;
		esac
	else
		replies=$(qmp "$save")
	fi
	if printf '%s\n' "$replies" | grep '"error"' >&2; then
		echo "snapshots: pmemsave failed" >&2
		exit 1
	fi
	echo "$dir/$name"

	prune
	n=$((n + 1))
	[ "$count" -gt 0 ] && [ $n -ge "$count" ] && break
	sleep "$interval"
done
