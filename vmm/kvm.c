/* Opening /dev/kvm and creating the VM, then its in-kernel irqchip and PIT. */
#include "vmm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TSS_ADDR	  0xfffbd000
#define IDENTITY_MAP_ADDR 0xfffbc000
#define MAX_CPUID_ENTRIES 256

static const struct {
	int cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_PIT_STATE2, "KVM_CAP_PIT_STATE2" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
};

static bool fail(const char *what, int err, const char *hint)
{
	fprintf(stderr, "tinyvmm: %s: %s (%s)\n", what, strerror(err), hint);
	return false;
}

static struct kvm_cpuid2 *supported_cpuid(int kvm_fd)
{
	struct kvm_cpuid2 *c =
		calloc(1, sizeof(*c) + MAX_CPUID_ENTRIES * sizeof(struct kvm_cpuid_entry2));

	if (!c)
		return NULL;
	c->nent = MAX_CPUID_ENTRIES;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		free(c);
		return NULL;
	}
	/* KVM emulates the LAPIC's TSC-deadline mode but leaves its CPUID bit to the VMM (as QEMU
	 * and kvmtool set it): without it Linux calibrates the LAPIC timer at boot */
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0)
		for (uint32_t i = 0; i < c->nent; i++)
			if (c->entries[i].function == 1)
				c->entries[i].ecx |= 1u << 24;
	return c;
}

bool kvm_open(int nr_vcpus, int *kvm_fd, int *vm_fd, int *run_size, struct kvm_cpuid2 **cpuid)
{
	uint64_t identity = IDENTITY_MAP_ADDR;
	size_t i;
	int v;

	*kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (*kvm_fd < 0)
		return fail(
			"cannot open /dev/kvm", errno,
			"is KVM enabled, its module loaded, and /dev/kvm read-writable for you?");
	v = ioctl(*kvm_fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		fprintf(stderr,
			"tinyvmm: /dev/kvm speaks API version %d, need %d (update the kernel)\n", v,
			KVM_API_VERSION);
		return false;
	}
	for (i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
		if (ioctl(*kvm_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0) {
			fprintf(stderr, "tinyvmm: KVM lacks %s (a newer kernel is needed)\n",
				required_caps[i].name);
			return false;
		}
	}
	v = ioctl(*kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (v > 0 && nr_vcpus > v) {
		fprintf(stderr, "tinyvmm: KVM allows at most %d vCPUs, %d asked for\n", v,
			nr_vcpus);
		return false;
	}
	*run_size = ioctl(*kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (*run_size <= 0)
		return fail("KVM_GET_VCPU_MMAP_SIZE", errno, "unusable /dev/kvm");
	*cpuid = supported_cpuid(*kvm_fd);
	if (!*cpuid)
		return fail("KVM_GET_SUPPORTED_CPUID", errno, "unusable /dev/kvm");
	*vm_fd = ioctl(*kvm_fd, KVM_CREATE_VM, 0);
	if (*vm_fd < 0)
		return fail("KVM_CREATE_VM", errno, "is another hypervisor holding VT-x/SVM?");
	if (ioctl(*vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR) < 0)
		return fail("KVM_SET_TSS_ADDR", errno, "unusable /dev/kvm");
	ioctl(*vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity); /* only VMX needs it */
	return true;
}

bool kvm_create_irqchip(int vm_fd)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	if (ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("KVM_CREATE_IRQCHIP", errno, "unusable /dev/kvm");
	if (ioctl(vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return fail("KVM_CREATE_PIT2", errno, "unusable /dev/kvm");
	return true;
}

int kvm_save_reset_state(int vm_fd, struct kvm_reset_state *st)
{
	uint32_t i;

	for (i = 0; i < 3; i++) {
		st->chips[i].chip_id = i;
		if (ioctl(vm_fd, KVM_GET_IRQCHIP, &st->chips[i]) < 0)
			return -errno;
	}
	if (ioctl(vm_fd, KVM_GET_PIT2, &st->pit) < 0)
		return -errno;
	return 0;
}

int kvm_restore_reset_state(int vm_fd, const struct kvm_reset_state *st)
{
	int i;

	for (i = 0; i < 3; i++)
		if (ioctl(vm_fd, KVM_SET_IRQCHIP, &st->chips[i]) < 0)
			return -errno;
	if (ioctl(vm_fd, KVM_SET_PIT2, &st->pit) < 0)
		return -errno;
	return 0;
}
