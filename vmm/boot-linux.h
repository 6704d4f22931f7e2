/* Linux x86-64 boot protocol: bzImage checks, zero page, e820, cmdline, initrd, 64-bit entry. */
#ifndef VMM_BOOT_LINUX_H
#define VMM_BOOT_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct vm_config;

/* Guest-physical layout of what the loader writes (all below 1 MiB but the kernel and initrd). */
#define BOOT_GDT_ADDR	     0x500
#define BOOT_ZERO_PAGE	     0x7000
#define BOOT_PML4_ADDR	     0x9000
#define BOOT_PDPT_ADDR	     0xa000
#define BOOT_PD_ADDR	     0xb000 /* 4 page directories: 2 MiB pages over the first 4 GiB */
#define BOOT_CMDLINE_ADDR    0x20000
#define BOOT_CMDLINE_MAX     0x10000
#define BOOT_EBDA_START	     0x9fc00
#define BOOT_ACPI_ADDR	     0xe0000 /* where Linux also scans for the RSDP */
#define BOOT_RESET_VECTOR    0xffff0 /* f000:fff0, where Linux's BIOS reboot jumps */
#define BOOT_BIOS_END	     0x100000
#define BOOT_KERNEL_ADDR     0x100000
#define BOOT_CS		     0x10
#define BOOT_DS		     0x18
#define BOOT_DEFAULT_CMDLINE "console=ttyS0"

#define E820_RAM      1
#define E820_RESERVED 2
#define E820_MAX      128

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

/* What the setup header says, checked against the file. */
struct bzimage {
	uint16_t version;      /* boot protocol, 0x020c or newer */
	uint32_t setup_size;   /* real-mode part: (setup_sects + 1) * 512 */
	uint32_t payload_size; /* the protected-mode kernel, after the setup part */
	uint32_t header_end;   /* the setup header is [0x1f1, header_end) */
	uint32_t init_size;    /* memory the kernel needs from its load address */
	uint64_t pref_address;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
};

/* Checks a bzImage of size bytes; 0, or -EINVAL with the reason in err. */
int bzimage_parse(const uint8_t *img, size_t size, struct bzimage *bz, char *err, size_t errlen);
/* End of the memory the kernel uses while it decompresses and starts (for placement checks). */
uint64_t boot_linux_kernel_end(const struct bzimage *bz);
/* The guest's memory map for ram_size bytes; returns the number of entries (at most max). */
int boot_linux_e820(struct e820_entry *e, int max, uint64_t ram_size);
/* Where an initrd of size bytes goes: as high as the header and RAM allow, above the kernel.
 * 0, or -ENOSPC with the reason in err. */
int boot_linux_place_initrd(const struct bzimage *bz, uint64_t ram_size, uint64_t size,
			    uint64_t *addr, char *err, size_t errlen);
/* Fills the 4 KiB zero page: the image's setup header, loader fields, e820, initrd, cmdline,
 * RSDP. */
void boot_linux_zero_page(uint8_t *zp, const uint8_t *img, const struct bzimage *bz,
			  uint64_t ram_size, uint64_t initrd_addr, uint64_t initrd_size,
			  uint64_t rsdp_addr);

/* Reads cfg->kernel, cfg->initrd and cfg->append, builds ACPI tables, loads everything and sets
 * the vCPUs' entry state (again at every reset); false with a message printed. */
bool boot_linux_load(struct machine *m, const struct vm_config *cfg);

#endif
