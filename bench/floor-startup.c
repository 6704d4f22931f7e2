/* bench/run's floor: tinyvmm's KVM set-up, a QMP-like greeting on a unix socket, then an echo. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * floor-startup SOCKET RAM_MIB [--no-kvm]
 *
 * What any VMM must do before its monitor can greet, and nothing else: a VM with the in-kernel
 * irqchip and PIT, RAM_MIB of anonymous guest RAM registered in one slot, one vCPU with its
 * kvm_run mapped (--no-kvm: none of it); then it listens on SOCKET, greets each client with a
 * QMP-like line and writes back every line the client sends (the QMP round-trip floor), one
 * client at a time, until killed.
 */

#define GREETING                                                                          \
	"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, \"major\": 0}, " \
	"\"package\": \"floor\"}, \"capabilities\": []}}\r\n"

static void die(const char *what)
{
	fprintf(stderr, "floor-startup: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int kvm_ioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int r = ioctl(fd, req, arg);

	if (r < 0)
		die(what);
	return r;
}

static void kvm_setup(uint64_t ram)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct kvm_userspace_memory_region r = { .memory_size = ram };
	int kvm, vm, vcpu, run_size;
	void *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = kvm_ioctl(kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	kvm_ioctl(vm, KVM_SET_TSS_ADDR, (void *)0xfffbd000, "KVM_SET_TSS_ADDR");
	mem = mmap(NULL, ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	r.userspace_addr = (uint64_t)(uintptr_t)mem;
	/* RAM before the irqchip, as tinyvmm does it (see vmm/kvm.h) */
	kvm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r, "KVM_SET_USER_MEMORY_REGION");
	kvm_ioctl(vm, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");
	kvm_ioctl(vm, KVM_CREATE_PIT2, &pit, "KVM_CREATE_PIT2");
	vcpu = kvm_ioctl(vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	run_size = kvm_ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
	if (mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0) == MAP_FAILED)
		die("mmap kvm_run");
}

/* Greets, then writes back what the client sends until it leaves. */
static void serve(int fd)
{
	char buf[65536];
	ssize_t n;

	if (write(fd, GREETING, sizeof(GREETING) - 1) < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			return;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd, fd;

	if (argc < 3 || argc > 4 || strlen(argv[1]) >= sizeof(sa.sun_path) ||
	    (argc == 4 && strcmp(argv[3], "--no-kvm"))) {
		fprintf(stderr, "usage: floor-startup SOCKET RAM_MIB [--no-kvm]\n");
		return 2;
	}
	if (argc == 3)
		kvm_setup(strtoull(argv[2], NULL, 0) << 20);
	memcpy(sa.sun_path, argv[1], strlen(argv[1]));
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 8) < 0)
		die("listen");
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		serve(fd);
		close(fd);
	}
}
