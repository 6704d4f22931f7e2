/* ELF64 core files of the guest: headers, PT_LOADs of guest-physical RAM, per-vCPU notes. */
#ifndef VMM_ELF_CORE_H
#define VMM_ELF_CORE_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

/* One vCPU's registers, read while it was parked. */
struct elf_core_cpu {
	int index;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
};

/* One PT_LOAD: guest-physical [gpa, gpa+size), written from hva. */
struct elf_core_seg {
	uint64_t gpa, size;
	const void *hva;
};

/*
 * Builds everything before the segments' data: the ELF header, a PT_NOTE and one PT_LOAD per
 * segment (p_paddr = p_vaddr = gpa, data in order from the returned length on, which is
 * page-aligned), and the notes: an NT_PRSTATUS "CORE" note per vCPU (pr_pid = index + 1,
 * registers as struct user_regs_struct) then a "QEMU" note (QEMUCPUState, version 1) per
 * vCPU, as QEMU writes them. Returns a malloc'd buffer of *len bytes, or NULL.
 */
void *elf_core_header(const struct elf_core_cpu *cpus, int nr_cpus, const struct elf_core_seg *segs,
		      int nr_segs, size_t *len);

#endif
