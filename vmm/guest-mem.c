/* Guest RAM: the anonymous mapping, its KVM memory slots and bounds-checked gpa <-> hva helpers. */
#include "vmm/guest-mem.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_SKIP (2ULL << 20)
#define PAGE	  4096u
#define MAX_WRITE (1u << 30) /* one pwrite at most (Linux caps one at 2 GiB - 4 KiB) */

static const uint8_t zero_page[PAGE];

int guest_mem_init(struct guest_mem *gm, int vm_fd, uint64_t ram_size)
{
	uint64_t low = ram_size < GUEST_MEM_LOW_LIMIT ? ram_size : GUEST_MEM_LOW_LIMIT;
	int i;

	memset(gm, 0, sizeof(*gm));
	if (ram_size == 0 || ram_size % 4096 || ram_size > SIZE_MAX)
		return -EINVAL;
	gm->base = mmap(NULL, (size_t)ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (gm->base == MAP_FAILED) {
		gm->base = NULL;
		return -errno;
	}
	/* huge pages: fewer faults and TLB misses; not the first 2 MiB, which real-mode and boot
	 * code touch sparsely (a huge page there would cost 2 MiB of RSS for a few KiB) */
	if (ram_size > HUGE_SKIP)
		madvise(gm->base + HUGE_SKIP, (size_t)(ram_size - HUGE_SKIP), MADV_HUGEPAGE);
	gm->ram_size = ram_size;
	gm->regions[0] = (struct mem_region){ 0, low, gm->base };
	gm->nr_regions = 1;
	if (ram_size > low) {
		gm->regions[1] =
			(struct mem_region){ GUEST_MEM_HIGH_BASE, ram_size - low, gm->base + low };
		gm->nr_regions = 2;
	}
	for (i = 0; i < gm->nr_regions; i++) {
		struct kvm_userspace_memory_region r = {
			.slot = (uint32_t)i,
			.guest_phys_addr = gm->regions[i].gpa,
			.memory_size = gm->regions[i].size,
			.userspace_addr = (uint64_t)(uintptr_t)gm->regions[i].hva,
		};

		if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
			int e = errno;

			guest_mem_destroy(gm);
			return -e;
		}
	}
	return 0;
}

void guest_mem_destroy(struct guest_mem *gm)
{
	if (gm->base)
		munmap(gm->base, (size_t)gm->ram_size);
	memset(gm, 0, sizeof(*gm));
}

void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	int i;

	for (i = 0; i < gm->nr_regions; i++) {
		const struct mem_region *r = &gm->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

bool guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *buf, uint64_t len)
{
	void *p = guest_mem_ptr(gm, gpa, len);

	if (!p)
		return false;
	memcpy(buf, p, (size_t)len);
	guest_mem_unpatch(gm, gpa, buf, len);
	return true;
}

void guest_mem_unpatch(const struct guest_mem *gm, uint64_t gpa, void *buf, uint64_t len)
{
	int i;

	for (i = 0; i < gm->nr_patches; i++)
		if (gm->patches[i].gpa - gpa < len)
			((uint8_t *)buf)[gm->patches[i].gpa - gpa] = gm->patches[i].orig;
}

bool guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *buf, uint64_t len)
{
	void *p = guest_mem_ptr(gm, gpa, len);

	if (!p)
		return false;
	memcpy(p, buf, (size_t)len);
	return true;
}

bool guest_mem_gpa(const struct guest_mem *gm, const void *hva, uint64_t *gpa)
{
	const uint8_t *p = hva;
	int i;

	for (i = 0; i < gm->nr_regions; i++) {
		const struct mem_region *r = &gm->regions[i];

		if (p >= r->hva && (uint64_t)(p - r->hva) < r->size) {
			*gpa = r->gpa + (uint64_t)(p - r->hva);
			return true;
		}
	}
	return false;
}

/* Bytes from p to the end of its 4 KiB page, at most left. */
static size_t page_part(const uint8_t *p, uint64_t left)
{
	size_t n = PAGE - (size_t)((uintptr_t)p % PAGE);

	return n < left ? n : (size_t)left;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	return p[0] == 0 && memcmp(p, zero_page, n) == 0;
}

static int pwrite_full(int fd, const uint8_t *p, uint64_t len, uint64_t off)
{
	ssize_t n;

	while (len > 0) {
		n = pwrite(fd, p, len > MAX_WRITE ? MAX_WRITE : (size_t)len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

int guest_mem_save(int fd, uint64_t off, const void *hva, uint64_t len)
{
	const uint8_t *base = hva, *end = base + len, *p, *run = NULL;
	size_t n;
	int err;

	for (p = base; p < end; p += n) {
		n = page_part(p, (uint64_t)(end - p));
		if (!all_zero(p, n)) {
			run = run ? run : p;
			continue;
		}
		if (run) {
			err = pwrite_full(fd, run, (uint64_t)(p - run),
					  off + (uint64_t)(run - base));
			if (err)
				return err;
			run = NULL;
		}
	}
	return run ? pwrite_full(fd, run, (uint64_t)(end - run), off + (uint64_t)(run - base)) : 0;
}
