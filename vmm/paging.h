/* Guest page-table walks: guest-virtual to guest-physical for x86 (off, 2-level, PAE, 4/5-level).
 */
#ifndef VMM_PAGING_H
#define VMM_PAGING_H

#include <stdbool.h>
#include <stdint.h>

struct machine;
struct vcpu;

/* The control registers a walk depends on. */
struct paging_regs {
	uint64_t cr0, cr3, cr4, efer;
};

/* Reads one naturally aligned table entry of size 4 or 8 at gpa; false if it is not RAM. */
typedef bool (*paging_read_fn)(void *opaque, uint64_t gpa, unsigned size, uint64_t *val);

/*
 * The walk itself, a pure function of the registers and of memory read through read(): 0 with
 * *gpa (and, if page_size is not NULL, the size of the page mapping gva: 4 KiB, 2 or 4 MiB,
 * 1 GiB, or 4 KiB with paging off), or -EFAULT when gva is unmapped (a non-present entry, a
 * non-canonical address, or a table that is not RAM). Accessed/dirty bits are not set.
 */
int paging_walk(const struct paging_regs *r, paging_read_fn read, void *opaque, uint64_t gva,
		uint64_t *gpa, uint64_t *page_size);

/* Reads vCPU v's control registers (v parked); 0 or -errno. */
int paging_get_regs(struct vcpu *v, struct paging_regs *r);
/* paging_walk over machine m's RAM (tables read through guest_mem_ptr only). */
int paging_translate_regs(struct machine *m, const struct paging_regs *r, uint64_t gva,
			  uint64_t *gpa, uint64_t *page_size);

/*
 * With the big lock held and v parked (the caller pauses the vCPUs, e.g. vcpu_pause_all):
 * translates gva through v's page tables. 0, -EFAULT when unmapped, or -errno if the
 * registers cannot be read.
 */
int paging_translate(struct machine *m, struct vcpu *v, uint64_t gva, uint64_t *gpa);
/*
 * Same conditions: reads (write: writes) len bytes of v's virtual memory at gva into (from) buf,
 * page by page (pages may map to non-contiguous physical pages). 0, -EFAULT if any byte is
 * unmapped or not RAM (what was read or written then unspecified), or -errno.
 */
int paging_access_virt(struct machine *m, struct vcpu *v, uint64_t gva, void *buf, uint64_t len,
		       bool write);

#endif
