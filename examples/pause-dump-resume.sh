#!/bin/sh
# Pauses a tinyvmm (or QEMU) VM over QMP, saves its RAM (pmemsave) and an ELF core
# (dump-guest-memory), then resumes it if it was running. Needs only sh and socat.
#
# usage: pause-dump-resume.sh [QMP_SOCKET [OUTDIR]]   (defaults: /tmp/qmp.sock and .)
# writes OUTDIR/ram.bin (guest-physical RAM below 3 GiB) and OUTDIR/core.elf (all of RAM)
set -eu

sock=${1:-/tmp/qmp.sock}
out=${2:-.}
mkdir -p "$out"
out=$(cd "$out" && pwd) # QMP wants absolute paths: the VM's cwd is not ours

# qmp JSON...: one session (greeting, negotiation, the commands in order); prints every line.
# The server runs pipelined commands one at a time and closes once our input has ended.
qmp() {
	{
		printf '{"execute": "qmp_capabilities"}\n'
		printf '%s\n' "$@"
	} | socat -t 600 - UNIX-CONNECT:"$sock"
}

fail() {
	echo "pause-dump-resume: $*" >&2
	exit 1
}

info=$(qmp '{"execute": "query-status"}' '{"execute": "query-memory-size-summary"}') ||
	fail "cannot talk to $sock"
size=$(printf '%s\n' "$info" | sed -n 's/.*"base-memory": *\([0-9][0-9]*\).*/\1/p')
[ -n "$size" ] || fail "no memory size in: $info"
low=$((size < 3 * 1024 * 1024 * 1024 ? size : 3 * 1024 * 1024 * 1024))
case $info in
*'"running": true'*) was_running=yes ;;
*) was_running=no ;;
esac

set -- '{"execute": "stop"}' \
	"{\"execute\": \"pmemsave\", \"arguments\": {\"val\": 0, \"size\": $low, \"filename\": \"$out/ram.bin\"}}" \
	"{\"execute\": \"dump-guest-memory\", \"arguments\": {\"paging\": false, \"protocol\": \"file:$out/core.elf\"}}"
[ $was_running = yes ] && set -- "$@" '{"execute": "cont"}'
replies=$(qmp "$@") || fail "QMP session failed"
printf '%s\n' "$replies" | grep '"error"' >&2 && fail "a command failed"

echo "paused, saved $out/ram.bin ($low bytes) and $out/core.elf$([ $was_running = yes ] && echo ', resumed')"
