/* Integration test on real KVM: the page walker agrees with KVM_TRANSLATE on the pagetables guest.
 */
#include "tests/lib/kvm-test.h"
#include "tests/unit/check.h"
#include "vmm/machine.h"
#include "vmm/mainloop.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"

/* The guest checks its remapped pages, then halts with EFER.LMA set. */
static bool long_mode_halted(struct machine *m, void *opaque)
{
	struct kvm_sregs sregs;
	bool halted = false;

	vcpu_get_regs(&m->vcpus[0], NULL, &sregs);
	vcpu_is_halted(&m->vcpus[0], &halted);
	return (sregs.efer & 0x400) && halted;
}

/*
 * A PS bit in a PDPTE (a 1 GiB page) is reserved to the CPU, and so to KVM_TRANSLATE, when the
 * vCPU's CPUID lacks pdpe1gb (0x80000001 EDX bit 26), as on kvm_pvm hosts and on qemu64 in the
 * nested bed; the walker, as QEMU's gva2gpa, translates it all the same.
 */
static bool has_1g_pages(const struct machine *m)
{
	uint32_t i;

	for (i = 0; i < m->cpuid->nent; i++)
		if (m->cpuid->entries[i].function == 0x80000001)
			return m->cpuid->entries[i].edx & (1u << 26);
	return false;
}

int main(int argc, char **argv)
{
	static const uint64_t gvas[] = { 0x1000,     0x7000,	 0x7abc,     0x8000,
					 0x40000000, 0x40123456, 0x80000000, 0x80005000,
					 0x801ff000, 0x1ff000,	 0x40200000, 0x12345000 };
	static struct vm_config cfg;
	static struct machine m;
	struct mainloop *loop;
	size_t i;
	int compared = 0;

	require_kvm();
	if (argc != 2) {
		fprintf(stderr, "usage: test-translate pagetables.bin\n");
		return 1;
	}
	cfg.ram_size = 64 << 20;
	cfg.nr_vcpus = 1;
	cfg.flat = argv[1];
	loop = mainloop_new(&m.lock);
	if (!loop || !machine_create(&m, &cfg, loop))
		return 1;
	pthread_mutex_lock(&m.lock);
	CHECK(machine_start(&m));
	pthread_mutex_unlock(&m.lock);
	CHECK(poll_paused(&m, long_mode_halted, NULL, 20, 30000));

	pthread_mutex_lock(&m.lock);
	vm_stop(&m, RUN_STATE_PAUSED);
	for (i = 0; i < sizeof(gvas) / sizeof(gvas[0]); i++) {
		struct kvm_translation tr;
		struct paging_regs regs;
		uint64_t gpa, size = 0;
		int r;

		if (!translate_both(&m, &m.vcpus[0], gvas[i], &r, &gpa, &tr))
			continue;
		paging_get_regs(&m.vcpus[0], &regs);
		paging_translate_regs(&m, &regs, gvas[i], &gpa, &size);
		printf("0x%llx: walker %d 0x%llx (page 0x%llx), KVM_TRANSLATE valid %d 0x%llx\n",
		       (unsigned long long)gvas[i], r, (unsigned long long)gpa,
		       (unsigned long long)size, tr.valid, (unsigned long long)tr.physical_address);
		if (!tr.valid && r == 0 && size == 1ULL << 30 && !has_1g_pages(&m))
			continue; /* not comparable */
		compared++;
		CHECK_U64(tr.valid ? 0 : -EFAULT, r);
		if (tr.valid)
			CHECK_U64(tr.physical_address, gpa);
	}
	pthread_mutex_unlock(&m.lock);
	/* unmapped in the guest's map whatever KVM_TRANSLATE says (test_gva2gpa.py checks the rest)
	 */
	pthread_mutex_lock(&m.lock);
	CHECK(paging_translate(&m, &m.vcpus[0], 0x40200000, &(uint64_t){ 0 }) == -EFAULT);
	CHECK(paging_translate(&m, &m.vcpus[0], 0x12345000, &(uint64_t){ 0 }) == -EFAULT);
	pthread_mutex_unlock(&m.lock);
	printf("compared %d addresses with KVM_TRANSLATE\n", compared);
	CHECK(compared >= 6); /* 4 KiB and 2 MiB pages, identity and remapped, and unmapped */
	machine_destroy(&m);
	mainloop_free(loop);
	return check_report("translate");
}
