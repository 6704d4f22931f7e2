/* Linux x86-64 boot protocol: bzImage checks, zero page, e820, cmdline, initrd, 64-bit entry. */
#include "vmm/boot-linux.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/acpi.h"
#include "vmm/dev/pci-host.h"
#include "vmm/le.h"
#include "vmm/config.h"
#include "vmm/machine.h"
#include "vmm/vcpu.h"

/* setup header fields, as offsets into the image (Documentation/arch/x86/boot.rst) */
#define HDR_START	    0x1f1
#define HDR_SETUP_SECTS	    0x1f1
#define HDR_SYSSIZE	    0x1f4 /* the protected-mode part, in 16-byte units */
#define HDR_BOOT_FLAG	    0x1fe
#define HDR_JUMP_LEN	    0x201 /* the header ends at 0x202 + this byte */
#define HDR_MAGIC	    0x202
#define HDR_VERSION	    0x206
#define HDR_TYPE_OF_LOADER  0x210
#define HDR_LOADFLAGS	    0x211
#define HDR_RAMDISK_IMAGE   0x218
#define HDR_RAMDISK_SIZE    0x21c
#define HDR_CMD_LINE_PTR    0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_XLOADFLAGS	    0x236
#define HDR_CMDLINE_SIZE    0x238
#define HDR_PREF_ADDRESS    0x258
#define HDR_INIT_SIZE	    0x260
#define HDR_MIN_END	    0x264 /* through init_size: protocol 2.10+ */
#define HDR_MAX_END	    0x290 /* where boot_params.hdr's room ends */
#define LOADED_HIGH	    0x01
#define XLF_KERNEL_64	    0x01
#define MIN_VERSION	    0x020c /* 2.12: xloadflags tells of the 64-bit entry */
#define ENTRY_64_OFFSET	    0x200
#define ZP_ACPI_RSDP	    0x070
#define ZP_E820_ENTRIES	    0x1e8
#define ZP_E820_TABLE	    0x2d0
#define ZP_SIZE		    4096

/* entry state */
#define CR0_PE	   0x1ULL
#define CR0_ET	   0x10ULL
#define CR0_NE	   0x20ULL
#define CR0_PG	   0x80000000ULL
#define CR4_PAE	   0x20ULL
#define EFER_LME   0x100ULL
#define EFER_LMA   0x400ULL
#define PTE_P	   0x1ULL
#define PTE_RW	   0x2ULL
#define PTE_PS	   0x80ULL
#define APIC_BASE  0xfee00000ULL
#define APIC_EN	   0x800ULL
#define APIC_BSP   0x100ULL
#define MTRR_WB_ON 0x806ULL /* MTRRdefType: enabled, write-back by default */

/* MSRs set at every reset: syscall and sysenter state cleared, fast strings, write-back MTRR
 * default; and KVM's paravirtual MSRs off, so KVM stops writing into memory the next kernel
 * will own (kvmclock, async page faults, steal time, PV EOI). */
static const struct {
	uint32_t index;
	uint64_t value;
} boot_msrs[] = {
	{ 0x174, 0 },	       /* SYSENTER_CS */
	{ 0x175, 0 },	       /* SYSENTER_ESP */
	{ 0x176, 0 },	       /* SYSENTER_EIP */
	{ 0xc0000081, 0 },     /* STAR */
	{ 0xc0000082, 0 },     /* LSTAR */
	{ 0xc0000083, 0 },     /* CSTAR */
	{ 0xc0000084, 0 },     /* SYSCALL_MASK */
	{ 0xc0000102, 0 },     /* KERNEL_GS_BASE */
	{ 0x1a0, 1 },	       /* MISC_ENABLE: fast strings */
	{ 0x2ff, MTRR_WB_ON }, /* MTRRdefType */
	{ 0x12, 0 },	       /* KVM_SYSTEM_TIME (old) */
	{ 0x4b564d01, 0 },     /* KVM_SYSTEM_TIME_NEW */
	{ 0x4b564d02, 0 },     /* KVM_ASYNC_PF_EN */
	{ 0x4b564d03, 0 },     /* KVM_STEAL_TIME */
	{ 0x4b564d04, 0 },     /* KVM_PV_EOI_EN */
	{ 0x4b564d06, 0 },     /* KVM_ASYNC_PF_INT */
};

/* Everything a reset reloads. The kernel and initrd stay in their files, open, and are read
 * straight into guest RAM at every reset: no copy of them in tinyvmm's own memory. */
struct linux_boot {
	struct bzimage bz;
	uint8_t zero_page[ZP_SIZE];
	uint8_t acpi[ACPI_TABLES_MAX];
	size_t acpi_len;
	int kernel_fd, initrd_fd; /* -1 when closed / no initrd */
	uint64_t kernel_size;	  /* the whole bzImage */
	uint64_t initrd_addr, initrd_size;
	size_t cmdline_len;
	char cmdline[];
};

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, int code,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

int bzimage_parse(const uint8_t *img, size_t size, struct bzimage *bz, char *err, size_t errlen)
{
	uint32_t sects;

	memset(bz, 0, sizeof(*bz));
	if (size < 1024 || le_get(img + HDR_BOOT_FLAG, 2) != 0xaa55 ||
	    memcmp(img + HDR_MAGIC, "HdrS", 4) != 0)
		return fail(err, errlen, -EINVAL,
			    "not a Linux bzImage (no boot sector flag or 'HdrS' setup header)");
	bz->version = (uint16_t)le_get(img + HDR_VERSION, 2);
	if (bz->version < MIN_VERSION)
		return fail(err, errlen, -EINVAL,
			    "boot protocol %u.%02u is too old: need 2.12 or newer (Linux 3.8+)",
			    bz->version >> 8, bz->version & 0xff);
	bz->header_end = 0x202 + img[HDR_JUMP_LEN];
	if (bz->header_end < HDR_MIN_END || bz->header_end > HDR_MAX_END)
		return fail(err, errlen, -EINVAL, "setup header length %u is out of range",
			    img[HDR_JUMP_LEN]);
	if (!(img[HDR_LOADFLAGS] & LOADED_HIGH))
		return fail(err, errlen, -EINVAL, "a zImage (loaded low) is not supported");
	if (!(le_get(img + HDR_XLOADFLAGS, 2) & XLF_KERNEL_64))
		return fail(err, errlen, -EINVAL, "the kernel has no 64-bit entry point");
	sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
	bz->setup_size = (sects + 1) * 512;
	if (size <= bz->setup_size)
		return fail(err, errlen, -EINVAL,
			    "truncated: %zu bytes, the setup part alone is %u bytes", size,
			    bz->setup_size);
	if (size - bz->setup_size > UINT32_MAX)
		return fail(err, errlen, -EINVAL, "the kernel image is too large");
	bz->payload_size = (uint32_t)(size - bz->setup_size);
	if ((uint64_t)le_get(img + HDR_SYSSIZE, 4) * 16 > bz->payload_size)
		return fail(err, errlen, -EINVAL,
			    "truncated: the header says %llu bytes of kernel, the file has %u",
			    (unsigned long long)le_get(img + HDR_SYSSIZE, 4) * 16,
			    bz->payload_size);
	bz->init_size = le_get(img + HDR_INIT_SIZE, 4);
	bz->pref_address = le_get(img + HDR_PREF_ADDRESS, 8);
	bz->initrd_addr_max = le_get(img + HDR_INITRD_ADDR_MAX, 4);
	bz->cmdline_size = le_get(img + HDR_CMDLINE_SIZE, 4);
	if (bz->init_size < bz->payload_size)
		return fail(err, errlen, -EINVAL,
			    "truncated or corrupt: the kernel is %u bytes but init_size says %u",
			    bz->payload_size, bz->init_size);
	if (bz->pref_address >= GUEST_MEM_LOW_LIMIT || bz->init_size >= GUEST_MEM_LOW_LIMIT)
		return fail(err, errlen, -EINVAL, "implausible pref_address or init_size");
	return 0;
}

/* Guest RAM below 4 GiB for ram_size bytes of RAM. */
static uint64_t low_ram(uint64_t ram_size)
{
	return ram_size < GUEST_MEM_LOW_LIMIT ? ram_size : GUEST_MEM_LOW_LIMIT;
}

uint64_t boot_linux_kernel_end(const struct bzimage *bz)
{
	/* a 64-bit kernel decompresses at its load address or pref_address, whichever is higher */
	uint64_t start = bz->pref_address > BOOT_KERNEL_ADDR ? bz->pref_address : BOOT_KERNEL_ADDR;

	return start + bz->init_size;
}

int boot_linux_e820(struct e820_entry *e, int max, uint64_t ram_size)
{
	uint64_t low = low_ram(ram_size);
	int n = 0;

#define ADD(a, s, t)                                                   \
	do {                                                           \
		if (n < max)                                           \
			e[n++] = (struct e820_entry){ (a), (s), (t) }; \
	} while (0)
	ADD(0, BOOT_EBDA_START, E820_RAM);
	ADD(BOOT_EBDA_START, 0xa0000 - BOOT_EBDA_START, E820_RESERVED);
	ADD(BOOT_ACPI_ADDR, BOOT_BIOS_END - BOOT_ACPI_ADDR, E820_RESERVED);
	if (low > BOOT_BIOS_END)
		ADD(BOOT_BIOS_END, low - BOOT_BIOS_END, E820_RAM);
	ADD(PCI_ECAM_BASE, PCI_ECAM_SIZE, E820_RESERVED); /* the MCFG's window, as Linux wants */
	if (ram_size > low)
		ADD(GUEST_MEM_HIGH_BASE, ram_size - low, E820_RAM);
#undef ADD
	return n;
}

int boot_linux_place_initrd(const struct bzimage *bz, uint64_t ram_size, uint64_t size,
			    uint64_t *addr, char *err, size_t errlen)
{
	uint64_t top = low_ram(ram_size);
	uint64_t floor = boot_linux_kernel_end(bz);

	if ((uint64_t)bz->initrd_addr_max + 1 < top)
		top = (uint64_t)bz->initrd_addr_max + 1;
	if (size > top || ((top - size) & ~0xfffULL) < floor)
		return fail(err, errlen, -ENOSPC,
			    "the initrd (%llu KiB) does not fit between the kernel (up to %llu "
			    "MiB) and %llu MiB: give the guest more memory with -m",
			    (unsigned long long)(size >> 10), (unsigned long long)(floor >> 20),
			    (unsigned long long)(top >> 20));
	*addr = (top - size) & ~0xfffULL;
	return 0;
}

void boot_linux_zero_page(uint8_t *zp, const uint8_t *img, const struct bzimage *bz,
			  uint64_t ram_size, uint64_t initrd_addr, uint64_t initrd_size,
			  uint64_t rsdp_addr)
{
	struct e820_entry map[E820_MAX];
	int n = boot_linux_e820(map, E820_MAX, ram_size);

	memset(zp, 0, ZP_SIZE);
	memcpy(zp + HDR_START, img + HDR_START, bz->header_end - HDR_START);
	zp[HDR_TYPE_OF_LOADER] = 0xff; /* undefined loader */
	le_put(zp + HDR_CMD_LINE_PTR, BOOT_CMDLINE_ADDR, 4);
	le_put(zp + HDR_RAMDISK_IMAGE, initrd_addr, 4); /* placed below 4 GiB: no ext_ fields */
	le_put(zp + HDR_RAMDISK_SIZE, initrd_size, 4);
	le_put(zp + ZP_ACPI_RSDP, rsdp_addr, 8);
	zp[ZP_E820_ENTRIES] = (uint8_t)n;
	memcpy(zp + ZP_E820_TABLE, map, (size_t)n * sizeof(map[0]));
}

/* Reads size bytes at offset of fd into buf; 0 or -errno (-EIO when the file is shorter). */
static int read_at(int fd, uint8_t *buf, size_t size, uint64_t offset)
{
	size_t done = 0;

	while (done < size) {
		ssize_t r = pread(fd, buf + done, size - done, (off_t)(offset + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += (size_t)r;
	}
	return 0;
}

/* Opens a regular file of 1 to max bytes; its fd and *size, or -1 with a message. */
static int open_file(const char *opt, const char *path, uint64_t max, uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO: no wait for a writer */
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "tinyvmm: %s: cannot open '%s': %s\n", opt, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	if (!S_ISREG(st.st_mode))
		fprintf(stderr, "tinyvmm: %s: '%s' is not a regular file\n", opt, path);
	else if (st.st_size == 0)
		fprintf(stderr, "tinyvmm: %s: '%s' is empty\n", opt, path);
	else if ((uint64_t)st.st_size > max)
		fprintf(stderr,
			"tinyvmm: %s: '%s' is larger than guest RAM (below 4 GiB: %llu MiB)\n", opt,
			path, (unsigned long long)(max >> 20));
	else
		return fd;
	close(fd);
	return -1;
}

/* Reads size bytes at offset of fd to gpa, after checking the file still has want_size bytes. */
static int load_file(struct guest_mem *mem, int fd, uint64_t want_size, uint64_t offset,
		     uint64_t gpa, uint64_t size)
{
	uint8_t *dst = guest_mem_ptr(mem, gpa, size);
	struct stat st;

	if (!dst)
		return -ENOSPC;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size != want_size)
		return -ESTALE; /* the file changed size since start-up: not the image we checked */
	return read_at(fd, dst, (size_t)size, offset);
}

static void seg64(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	*s = (struct kvm_segment){ .base = 0,
				   .limit = 0xffffffff,
				   .selector = sel,
				   .type = type,
				   .present = 1,
				   .s = 1,
				   .l = code,
				   .db = !code,
				   .g = 1 };
}

static void set_msrs(struct vcpu *v)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} one;
	size_t i;

	for (i = 0; i < sizeof(boot_msrs) / sizeof(boot_msrs[0]); i++) {
		memset(&one, 0, sizeof(one));
		one.hdr.nmsrs = 1;
		one.e.index = boot_msrs[i].index;
		one.e.data = boot_msrs[i].value;
		ioctl(v->fd, KVM_SET_MSRS, &one); /* one at a time: not every KVM has each */
	}
}

/* Every vCPU back to power-on state, the APs waiting for INIT/SIPI; the BSP in 64-bit mode at
 * the kernel's 64-bit entry with the zero page in RSI. */
static int reset_vcpu(struct vcpu *v)
{
	bool bsp = v->index == 0;
	struct kvm_sregs s;
	struct kvm_regs regs = { .rflags = 0x2 };
	int r;

	/* xAPIC mode again (a previous kernel may have left x2APIC on) before the LAPIC reload */
	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	s.apic_base = APIC_BASE | APIC_EN | (bsp ? APIC_BSP : 0);
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
		return -errno;
	r = vcpu_reset_real_mode(v, 0, bsp);
	if (r < 0)
		return r;
	set_msrs(v);
	if (!bsp)
		return 0;
	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	seg64(&s.cs, BOOT_CS, 0xb, true);
	seg64(&s.ds, BOOT_DS, 0x3, false);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.tr = (struct kvm_segment){ .limit = 0xffff, .type = 0xb, .present = 1 };
	s.ldt = (struct kvm_segment){ .limit = 0xffff, .type = 0x2, .present = 1 };
	s.gdt.base = BOOT_GDT_ADDR;
	s.gdt.limit = 4 * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	s.cr3 = BOOT_PML4_ADDR;
	s.cr4 = CR4_PAE;
	s.efer = EFER_LME | EFER_LMA;
	regs.rip = BOOT_KERNEL_ADDR + ENTRY_64_OFFSET;
	regs.rsi = BOOT_ZERO_PAGE;
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0 || ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

/* GDT (null, null, 64-bit code at 0x10, data at 0x18), an identity map of the first 4 GiB, and
 * a reset vector at f000:fff0. With hardware-reduced ACPI, Linux reboots by jumping there in real
 * mode (after trying EFI) as if into a BIOS; the stub pulses reset through the keyboard
 * controller: mov al, 0xfe; out 0x64, al; hlt; jmp $-1. */
static int write_cpu_tables(struct machine *m)
{
	static const uint64_t gdt[4] = { 0, 0, 0x00af9b000000ffffULL, 0x00cf93000000ffffULL };
	static const uint8_t reset_stub[] = { 0xb0, 0xfe, 0xe6, 0x64, 0xf4, 0xeb, 0xfd };
	uint8_t *pt = guest_mem_ptr(&m->mem, BOOT_PML4_ADDR, 6 * 4096);
	int i;

	if (!pt || !guest_mem_write(&m->mem, BOOT_GDT_ADDR, gdt, sizeof(gdt)) ||
	    !guest_mem_write(&m->mem, BOOT_RESET_VECTOR, reset_stub, sizeof(reset_stub)))
		return -ENOSPC;
	memset(pt, 0, 2 * 4096);
	le_put(pt, BOOT_PDPT_ADDR | PTE_P | PTE_RW, 8);
	for (i = 0; i < 4; i++)
		le_put(pt + 4096 + 8 * i, (BOOT_PD_ADDR + 4096ULL * i) | PTE_P | PTE_RW, 8);
	for (i = 0; i < 4 * 512; i++)
		le_put(pt + 2 * 4096 + 8 * i, ((uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS, 8);
	return 0;
}

/* Linux here runs without the legacy PIC (hardware-reduced ACPI): mask it, as firmware would,
 * so nothing reaches vCPU 0 through LINT0's ExtINT. */
static int mask_pic(struct machine *m)
{
	struct kvm_irqchip chip;
	uint32_t id;

	for (id = KVM_IRQCHIP_PIC_MASTER; id <= KVM_IRQCHIP_PIC_SLAVE; id++) {
		memset(&chip, 0, sizeof(chip));
		chip.chip_id = id;
		if (ioctl(m->vm_fd, KVM_GET_IRQCHIP, &chip) < 0)
			return -errno;
		chip.chip.pic.imr = 0xff;
		if (ioctl(m->vm_fd, KVM_SET_IRQCHIP, &chip) < 0)
			return -errno;
	}
	return 0;
}

static int linux_reset(struct machine *m)
{
	struct linux_boot *lb = m->boot_image;
	struct guest_mem *mem = &m->mem;
	int i, r;

	r = load_file(mem, lb->kernel_fd, lb->kernel_size, lb->bz.setup_size, BOOT_KERNEL_ADDR,
		      lb->bz.payload_size);
	if (r == 0 && lb->initrd_fd >= 0)
		r = load_file(mem, lb->initrd_fd, lb->initrd_size, 0, lb->initrd_addr,
			      lb->initrd_size);
	if (r < 0) {
		fprintf(stderr, "tinyvmm: cannot load the kernel or initrd: %s\n",
			r == -ESTALE ? "the file changed size since start-up" : strerror(-r));
		return r;
	}
	if (!guest_mem_write(mem, BOOT_CMDLINE_ADDR, lb->cmdline, lb->cmdline_len + 1) ||
	    !guest_mem_write(mem, BOOT_ZERO_PAGE, lb->zero_page, ZP_SIZE) ||
	    !guest_mem_write(mem, BOOT_ACPI_ADDR, lb->acpi, lb->acpi_len))
		return -ENOSPC;
	pci_bus_assign(&m->pci->bus); /* firmware's part: Linux finds the BARs placed */
	r = write_cpu_tables(m);
	if (r == 0)
		r = mask_pic(m);
	for (i = 0; r == 0 && i < m->nr_vcpus; i++)
		r = reset_vcpu(&m->vcpus[i]);
	return r;
}

static void linux_release(void *image)
{
	struct linux_boot *lb = image;

	if (lb->kernel_fd >= 0)
		close(lb->kernel_fd);
	if (lb->initrd_fd >= 0)
		close(lb->initrd_fd);
	free(lb);
}

bool boot_linux_load(struct machine *m, const struct vm_config *cfg)
{
	const char *cmdline = cfg->append ? cfg->append : BOOT_DEFAULT_CMDLINE;
	uint64_t low = low_ram(m->mem.ram_size);
	size_t cmdline_len = strlen(cmdline);
	uint8_t header[1024] = { 0 }; /* the boot sector and setup header: all the checks read */
	struct linux_boot *lb;
	char err[256];
	int r;

	if (low <= BOOT_KERNEL_ADDR) {
		fprintf(stderr, "tinyvmm: -kernel: the guest needs more than 1 MiB of RAM\n");
		return false;
	}
	lb = calloc(1, sizeof(*lb) + cmdline_len + 1);
	if (!lb) {
		fprintf(stderr, "tinyvmm: -kernel: out of memory\n");
		return false;
	}
	lb->initrd_fd = -1;
	m->boot_image = lb; /* released by machine_destroy, also on failure */
	m->boot_release = linux_release;
	lb->kernel_fd = open_file("-kernel", cfg->kernel, low, &lb->kernel_size);
	if (lb->kernel_fd < 0)
		return false;
	if (cfg->initrd) {
		lb->initrd_fd = open_file("-initrd", cfg->initrd, low, &lb->initrd_size);
		if (lb->initrd_fd < 0)
			return false;
	}
	r = read_at(lb->kernel_fd, header,
		    lb->kernel_size < sizeof(header) ? (size_t)lb->kernel_size : sizeof(header), 0);
	if (r < 0) {
		fprintf(stderr, "tinyvmm: -kernel '%s': read error: %s\n", cfg->kernel,
			strerror(-r));
		return false;
	}
	if (bzimage_parse(header, (size_t)lb->kernel_size, &lb->bz, err, sizeof(err)) < 0) {
		fprintf(stderr, "tinyvmm: -kernel: '%s': %s\n", cfg->kernel, err);
		return false;
	}
	if (boot_linux_kernel_end(&lb->bz) > low) {
		fprintf(stderr,
			"tinyvmm: -kernel: '%s' needs %llu MiB of RAM to start, -m gives %llu "
			"MiB\n",
			cfg->kernel, (unsigned long long)(boot_linux_kernel_end(&lb->bz) >> 20) + 1,
			(unsigned long long)(m->mem.ram_size >> 20));
		return false;
	}
	if (cmdline_len > lb->bz.cmdline_size || cmdline_len >= BOOT_CMDLINE_MAX) {
		fprintf(stderr, "tinyvmm: -append: %zu bytes, the kernel accepts at most %u\n",
			cmdline_len, lb->bz.cmdline_size);
		return false;
	}
	if (lb->initrd_fd >= 0 && boot_linux_place_initrd(&lb->bz, m->mem.ram_size, lb->initrd_size,
							  &lb->initrd_addr, err, sizeof(err)) < 0) {
		fprintf(stderr, "tinyvmm: -initrd: '%s': %s\n", cfg->initrd, err);
		return false;
	}
	memcpy(lb->cmdline, cmdline, cmdline_len + 1);
	lb->cmdline_len = cmdline_len;
	r = acpi_build(lb->acpi, sizeof(lb->acpi), BOOT_ACPI_ADDR, m->nr_vcpus);
	if (r < 0) {
		fprintf(stderr, "tinyvmm: cannot build the ACPI tables: %s\n", strerror(-r));
		return false;
	}
	lb->acpi_len = (size_t)r;
	boot_linux_zero_page(lb->zero_page, header, &lb->bz, m->mem.ram_size, lb->initrd_addr,
			     lb->initrd_size, BOOT_ACPI_ADDR);
	return machine_set_boot(m, linux_reset);
}
