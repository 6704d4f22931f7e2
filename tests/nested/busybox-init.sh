# Sourced first by both /init scripts (outer and inner guest): busybox's applets on PATH and
# the kernel's filesystems mounted.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
