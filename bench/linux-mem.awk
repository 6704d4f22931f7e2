# A VMM's memory for bench/linux-boot-l1.sh: prints "VmHWM VmRSS RAM_RSS RAM_SIZE" in KiB.
# Input: /proc/PID/status, then /proc/PID/smaps; -v mem=KIB: the guest RAM's size (-m).
# Guest RAM: the largest mapping, plus the anonymous mappings just below and above it (pieces of
# the same mmap split by madvise, as tinyvmm's first 2 MiB) while the total stays within mem.
$1 == "VmHWM:" { hwm = $2 }
$1 == "VmRSS:" { rss = $2 }
FILENAME ~ /smaps$/ && $1 ~ /^[0-9a-f]+-[0-9a-f]+$/ {
	n++
	split($1, a, "-")
	lo[n] = a[1]
	hi[n] = a[2]
	anon[n] = NF == 5
}
FILENAME ~ /smaps$/ && $1 == "Size:" { size[n] = $2 }
FILENAME ~ /smaps$/ && $1 == "Rss:" { rs[n] = $2 }
END {
	big = 1
	for (i = 2; i <= n; i++)
		if (size[i] > size[big])
			big = i
	total = size[big]
	r = rs[big]
	for (i = big - 1; i >= 1 && anon[i] && hi[i] == lo[i + 1] && total + size[i] <= mem; i--) {
		total += size[i]
		r += rs[i]
	}
	for (i = big + 1; i <= n && anon[i] && lo[i] == hi[i - 1] && total + size[i] <= mem; i++) {
		total += size[i]
		r += rs[i]
	}
	print hwm + 0, rss + 0, r + 0, total + 0
}
