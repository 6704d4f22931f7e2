/* Guest RAM: the anonymous mapping, its KVM memory slots and bounds-checked gpa <-> hva helpers. */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RAM above this goes to 4 GiB and beyond, leaving a hole for MMIO (LAPIC, IOAPIC, devices). */
#define GUEST_MEM_LOW_LIMIT 0xc0000000ULL
#define GUEST_MEM_HIGH_BASE 0x100000000ULL

struct mem_region {
	uint64_t gpa, size;
	uint8_t *hva;
};

/*
 * The mapping and the region table are fixed from guest_mem_init() to guest_mem_destroy()
 * (a reset reloads RAM's contents, never remaps it): pmemaccess threads and a detached dump
 * read them without the big lock, and are joined before guest_mem_destroy().
 */
/* A byte of RAM the debugger replaced (an int3): reads through guest_mem_read() show orig. */
struct guest_mem_patch {
	uint64_t gpa;
	uint8_t orig;
};

struct guest_mem {
	uint8_t *base; /* one mapping for all of RAM */
	uint64_t ram_size;
	struct mem_region regions[2];
	int nr_regions;
	const struct guest_mem_patch *patches; /* the debugger's, changed under the big lock */
	int nr_patches;
};

/* Maps ram_size bytes and registers them with the VM; -errno on failure. */
int guest_mem_init(struct guest_mem *gm, int vm_fd, uint64_t ram_size);
void guest_mem_destroy(struct guest_mem *gm);
/* Host pointer for [gpa, gpa+len) when all of it is RAM in one region, else NULL. */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);
/*
 * Reads or writes guest-physical memory; false (nothing copied) unless all of it is RAM. A read
 * shows the original bytes under the debugger's patches (its breakpoints stay invisible).
 */
bool guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *buf, uint64_t len);
bool guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *buf, uint64_t len);
/*
 * Writes [hva, hva+len) of RAM (or any buffer) into fd at file offset off (pwrite: the file
 * position is not used) as a sparse file: 4 KiB pages (aligned in memory) that are all zero are
 * skipped, leaving holes that read back as zeros, the rest goes in one write per run. The file must
 * already reach off+len (ftruncate it first) for a zero tail to read back. 0 or -errno.
 */
int guest_mem_save(int fd, uint64_t off, const void *hva, uint64_t len);
/* Guest-physical address of a host pointer into RAM; false if it is not in RAM. */
/* Puts the original bytes of the patches in [gpa, gpa+len) into buf (buf holds that range). */
void guest_mem_unpatch(const struct guest_mem *gm, uint64_t gpa, void *buf, uint64_t len);
bool guest_mem_gpa(const struct guest_mem *gm, const void *hva, uint64_t *gpa);

#endif
