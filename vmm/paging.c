/* Guest page-table walks: guest-virtual to guest-physical for x86 (off, 2-level, PAE, 4/5-level).
 */
#include <errno.h>
#include <string.h>

#include "vmm/guest-mem.h"
#include "vmm/machine.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"

#define CR0_PG	 (1ULL << 31)
#define CR4_PSE	 (1ULL << 4)
#define CR4_PAE	 (1ULL << 5)
#define CR4_LA57 (1ULL << 12)
#define EFER_LMA (1ULL << 10)

#define PTE_P	 (1ULL << 0)
#define PTE_PS	 (1ULL << 7)
#define PTE_ADDR 0x000ffffffffff000ULL /* bits 12..51 of a PAE / long-mode entry */

#define SZ_4K (1ULL << 12)
#define SZ_4M (1ULL << 22)

/* 32-bit paging: a page directory of 1024 4-byte entries, 4 KiB pages or 4 MiB with PSE. */
static int walk_2level(const struct paging_regs *r, paging_read_fn read, void *opaque, uint32_t gva,
		       uint64_t *gpa, uint64_t *page_size)
{
	uint64_t pde, pte;

	if (!read(opaque, (r->cr3 & 0xfffff000) + ((gva >> 22) << 2), 4, &pde) || !(pde & PTE_P))
		return -EFAULT;
	if ((pde & PTE_PS) && (r->cr4 & CR4_PSE)) {
		/* PSE-36: PDE bits 13..20 are physical address bits 32..39 */
		*gpa = (pde & 0xffc00000) | ((pde & 0x1fe000) << 19) | (gva & (SZ_4M - 1));
		*page_size = SZ_4M;
		return 0;
	}
	if (!read(opaque, (pde & 0xfffff000) + (((gva >> 12) & 0x3ff) << 2), 4, &pte) ||
	    !(pte & PTE_P))
		return -EFAULT;
	*gpa = (pte & 0xfffff000) | (gva & (SZ_4K - 1));
	*page_size = SZ_4K;
	return 0;
}

/*
 * PAE (3 levels, a 4-entry PDPT) and long mode (4 or 5 levels): 8-byte entries, 512 per table.
 * A PS bit ends the walk at level 2 (2 MiB) and, in long mode, at level 3 (1 GiB). PAE's PDPTEs
 * are read from memory, not from the CPU's copies loaded with CR3: the same unless the guest
 * changed the PDPT without reloading CR3.
 */
static int walk_pae(const struct paging_regs *r, paging_read_fn read, void *opaque, uint64_t gva,
		    int levels, uint64_t *gpa, uint64_t *page_size)
{
	uint64_t table, e, idx, size;
	int level, shift;

	table = levels == 3 ? (r->cr3 & 0xffffffe0) : (r->cr3 & PTE_ADDR);
	for (level = levels; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		idx = (gva >> shift) & (levels == 3 && level == 3 ? 0x3 : 0x1ff);
		if (!read(opaque, table + idx * 8, 8, &e) || !(e & PTE_P))
			return -EFAULT;
		if (level == 1 || (level == 2 && (e & PTE_PS)) ||
		    (level == 3 && levels >= 4 && (e & PTE_PS))) {
			size = 1ULL << shift;
			*gpa = (e & PTE_ADDR & ~(size - 1)) | (gva & (size - 1));
			*page_size = size;
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -EFAULT; /* not reached: level 1 always ends the walk */
}

int paging_walk(const struct paging_regs *r, paging_read_fn read, void *opaque, uint64_t gva,
		uint64_t *gpa, uint64_t *page_size)
{
	bool lma = r->efer & EFER_LMA;
	uint64_t dummy;
	int bits;

	if (!page_size)
		page_size = &dummy;
	if (!(r->cr0 & CR0_PG)) {
		/* as QEMU's debug translation: no 32-bit wrap, so memsave past 4G fails */
		*gpa = gva;
		*page_size = SZ_4K;
		return 0;
	}
	if (!(r->cr4 & CR4_PAE))
		return walk_2level(r, read, opaque, (uint32_t)gva, gpa, page_size);
	if (!lma)
		return walk_pae(r, read, opaque, (uint32_t)gva, 3, gpa, page_size);
	/* canonical: bits 63..47 (or 63..56 with LA57) all equal */
	bits = (r->cr4 & CR4_LA57) ? 57 : 48;
	if ((uint64_t)((int64_t)(gva << (64 - bits)) >> (64 - bits)) != gva)
		return -EFAULT;
	return walk_pae(r, read, opaque, gva, bits == 57 ? 5 : 4, gpa, page_size);
}

int paging_get_regs(struct vcpu *v, struct paging_regs *r)
{
	struct kvm_sregs s;
	int err = vcpu_get_regs(v, NULL, &s);

	if (err)
		return err;
	r->cr0 = s.cr0;
	r->cr3 = s.cr3;
	r->cr4 = s.cr4;
	r->efer = s.efer;
	return 0;
}

/* Table entries come straight from RAM, bounds-checked: CR3 and entries may point anywhere. */
static bool read_ram(void *opaque, uint64_t gpa, unsigned size, uint64_t *val)
{
	const struct guest_mem *gm = opaque;
	const void *p = guest_mem_ptr(gm, gpa, size);
	uint32_t v32;

	if (!p)
		return false;
	if (size == 4) {
		memcpy(&v32, p, 4);
		*val = v32;
	} else {
		memcpy(val, p, 8);
	}
	return true;
}

int paging_translate_regs(struct machine *m, const struct paging_regs *r, uint64_t gva,
			  uint64_t *gpa, uint64_t *page_size)
{
	return paging_walk(r, read_ram, &m->mem, gva, gpa, page_size);
}

int paging_translate(struct machine *m, struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
	struct paging_regs r;
	int err = paging_get_regs(v, &r);

	return err ? err : paging_translate_regs(m, &r, gva, gpa, NULL);
}

int paging_access_virt(struct machine *m, struct vcpu *v, uint64_t gva, void *buf, uint64_t len,
		       bool write)
{
	struct paging_regs r;
	uint64_t gpa, size, chunk;
	uint8_t *out = buf;
	int err = paging_get_regs(v, &r);

	if (err)
		return err;
	while (len > 0) {
		err = paging_translate_regs(m, &r, gva, &gpa, &size);
		if (err)
			return err;
		chunk = size - (gva & (size - 1));
		if (chunk > len)
			chunk = len;
		if (!(write ? guest_mem_write(&m->mem, gpa, out, chunk)
			    : guest_mem_read(&m->mem, gpa, out, chunk)))
			return -EFAULT;
		out += chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}
