/* Unit test: bzImage header checks, e820 map, initrd placement and the zero page. */
#include <errno.h>
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vmm/boot-linux.h"
#include "vmm/dev/pci.h"
#include "vmm/guest-mem.h"

#define MIB  (1ULL << 20)
#define SIZE 8192

static uint8_t img[SIZE];

static void put(uint8_t *p, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

/* A plausible header: 1 setup sector + boot sector, protocol 2.15, 64-bit entry. */
static void make_image(void)
{
	memset(img, 0, sizeof(img));
	img[0x1f1] = 1;				 /* setup_sects */
	put(img + 0x1f4, (SIZE - 1024) / 16, 4); /* syssize */
	put(img + 0x1fe, 0xaa55, 2);
	img[0x201] = 0x6a; /* header to 0x26c */
	memcpy(img + 0x202, "HdrS", 4);
	put(img + 0x206, 0x020f, 2);
	img[0x211] = 0x01;		 /* LOADED_HIGH */
	put(img + 0x22c, 0x7fffffff, 4); /* initrd_addr_max */
	put(img + 0x236, 0x03, 2);	 /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	put(img + 0x238, 2047, 4);	 /* cmdline_size */
	put(img + 0x258, 0x1000000, 8);	 /* pref_address */
	put(img + 0x260, 0x2000000, 4);	 /* init_size: 32 MiB */
}

static int parse(size_t size, struct bzimage *bz)
{
	char err[256] = "";
	int r = bzimage_parse(img, size, bz, err, sizeof(err));

	CHECK(r == 0 || err[0]); /* a refusal always says why */
	return r;
}

static void test_parse(void)
{
	struct bzimage bz;

	make_image();
	CHECK_U64(0, parse(SIZE, &bz));
	CHECK_U64(0x020f, bz.version);
	CHECK_U64(1024, bz.setup_size);
	CHECK_U64(SIZE - 1024, bz.payload_size);
	CHECK_U64(0x26c, bz.header_end);
	CHECK_U64(0x2000000, bz.init_size);
	CHECK_U64(0x1000000, bz.pref_address);
	CHECK_U64(2047, bz.cmdline_size);
	CHECK_U64(0x1000000 + 0x2000000, boot_linux_kernel_end(&bz));

	CHECK_U64((uint64_t)-EINVAL, parse(SIZE - 16, &bz)); /* truncated (syssize) */
	CHECK_U64((uint64_t)-EINVAL, parse(1024, &bz));	     /* no kernel after the setup */
	CHECK_U64((uint64_t)-EINVAL, parse(600, &bz));	     /* shorter than a header */
	img[0x1f1] = 0; /* 0 means 4 sectors: setup is 2560 bytes, still fits */
	put(img + 0x1f4, (SIZE - 2560) / 16, 4);
	CHECK_U64(0, parse(SIZE, &bz));
	CHECK_U64(2560, bz.setup_size);
	img[0x1f1] = 255; /* setup larger than the file */
	CHECK_U64((uint64_t)-EINVAL, parse(SIZE, &bz));

	make_image();
	img[0x1fe] = 0;
	CHECK_U64((uint64_t)-EINVAL, parse(SIZE, &bz));
	make_image();
	img[0x202] = 'X';
	CHECK_U64((uint64_t)-EINVAL, parse(SIZE, &bz));
	make_image();
	put(img + 0x206, 0x020b, 2); /* too old for xloadflags */
	CHECK_U64((uint64_t)-EINVAL, parse(SIZE, &bz));
	make_image();
	img[0x211] = 0; /* zImage */
	CHECK_U64((uint64_t)-EINVAL, parse(SIZE, &bz));
	make_image();
	put(img + 0x236, 0x02, 2); /* no 64-bit entry */
	CHECK_U64((uint64_t)-EINVAL, parse(SIZE, &bz));
	make_image();
	img[0x201] = 0xff; /* header would run past boot_params.hdr */
	CHECK_U64((uint64_t)-EINVAL, parse(SIZE, &bz));
	make_image();
	img[0x201] = 0x10; /* header too short for init_size */
	CHECK_U64((uint64_t)-EINVAL, parse(SIZE, &bz));
	make_image();
	put(img + 0x260, 100, 4); /* init_size smaller than the kernel */
	CHECK_U64((uint64_t)-EINVAL, parse(SIZE, &bz));
	make_image();
	put(img + 0x258, 0xffffffffffff0000ULL, 8); /* absurd pref_address */
	CHECK_U64((uint64_t)-EINVAL, parse(SIZE, &bz));
	make_image();
	put(img + 0x260, 0xffffffff, 4); /* absurd init_size */
	CHECK_U64((uint64_t)-EINVAL, parse(SIZE, &bz));
}

static void test_e820(void)
{
	struct e820_entry e[E820_MAX];
	int n = boot_linux_e820(e, E820_MAX, 256 * MIB);

	CHECK_U64(5, n);
	CHECK_U64(0, e[0].addr);
	CHECK_U64(0x9fc00, e[0].size);
	CHECK_U64(E820_RAM, e[0].type);
	CHECK_U64(E820_RESERVED, e[1].type);
	CHECK_U64(BOOT_ACPI_ADDR, e[2].addr); /* the ACPI tables are not RAM for the guest */
	CHECK_U64(E820_RESERVED, e[2].type);
	CHECK_U64(0x100000, e[3].addr);
	CHECK_U64(255 * MIB, e[3].size);
	CHECK_U64(E820_RAM, e[3].type);
	CHECK_U64(PCI_ECAM_BASE, e[4].addr); /* the MCFG's window is reserved */
	CHECK_U64(PCI_ECAM_SIZE, e[4].size);
	CHECK_U64(E820_RESERVED, e[4].type);

	n = boot_linux_e820(e, E820_MAX, 4096 * MIB); /* 3 GiB low, 1 GiB above 4 GiB */
	CHECK_U64(6, n);
	CHECK_U64(GUEST_MEM_LOW_LIMIT - 0x100000, e[3].size);
	CHECK_U64(GUEST_MEM_HIGH_BASE, e[5].addr);
	CHECK_U64(1024 * MIB, e[5].size);
	CHECK_U64(E820_RAM, e[5].type);

	CHECK_U64(2, boot_linux_e820(e, 2, 4096 * MIB)); /* never past max */
	CHECK_U64(sizeof(struct e820_entry), 20);
}

static void test_initrd(void)
{
	struct bzimage bz;
	uint64_t addr = 0;
	char err[256];

	make_image();
	CHECK_U64(0, parse(SIZE, &bz));
	CHECK_U64(0, boot_linux_place_initrd(&bz, 256 * MIB, 5000, &addr, err, sizeof(err)));
	CHECK_U64((256 * MIB - 5000) & ~0xfffULL, addr); /* as high as possible, page aligned */
	CHECK_U64(0, boot_linux_place_initrd(&bz, 4096 * MIB, MIB, &addr, err, sizeof(err)));
	CHECK_U64(0x80000000 - MIB, addr); /* below initrd_addr_max + 1 */
	put(img + 0x22c, 0x37ffffff, 4);
	CHECK_U64(0, parse(SIZE, &bz));
	CHECK_U64(0, boot_linux_place_initrd(&bz, 2048 * MIB, MIB, &addr, err, sizeof(err)));
	CHECK_U64(0x38000000 - MIB, addr);
	/* does not fit above the kernel (which needs up to 48 MiB) */
	CHECK_U64((uint64_t)-ENOSPC,
		  boot_linux_place_initrd(&bz, 64 * MIB, 17 * MIB, &addr, err, sizeof(err)));
	CHECK(strstr(err, "-m") != NULL);
	CHECK_U64(0, boot_linux_place_initrd(&bz, 64 * MIB, 16 * MIB, &addr, err, sizeof(err)));
	CHECK_U64((uint64_t)-ENOSPC,
		  boot_linux_place_initrd(&bz, 64 * MIB, 1ULL << 40, &addr, err, sizeof(err)));
}

static void test_zero_page(void)
{
	static uint8_t zp[4096];
	struct bzimage bz;
	int i;

	make_image();
	CHECK_U64(0, parse(SIZE, &bz));
	memset(zp, 0xaa, sizeof(zp));
	boot_linux_zero_page(zp, img, &bz, 1024 * MIB, 0x3f000000, 0x123456, BOOT_ACPI_ADDR);
	CHECK_U64(0, zp[0x1ef]);	       /* sentinel clear */
	CHECK(!memcmp(zp + 0x202, "HdrS", 4)); /* setup header copied */
	CHECK_U64(0x020f, get(zp + 0x206, 2));
	CHECK_U64(0xff, zp[0x210]);			  /* type_of_loader */
	CHECK_U64(BOOT_CMDLINE_ADDR, get(zp + 0x228, 4)); /* cmd_line_ptr */
	CHECK_U64(0x3f000000, get(zp + 0x218, 4));	  /* ramdisk_image */
	CHECK_U64(0x123456, get(zp + 0x21c, 4));	  /* ramdisk_size */
	CHECK_U64(0, get(zp + 0xc0, 4));		  /* ext_ramdisk_image */
	CHECK_U64(BOOT_ACPI_ADDR, get(zp + 0x70, 8));	  /* acpi_rsdp_addr */
	CHECK_U64(5, zp[0x1e8]);			  /* e820_entries: with the ECAM window */
	CHECK_U64(0x100000, get(zp + 0x2d0 + 3 * 20, 8));
	CHECK_U64(1023 * MIB, get(zp + 0x2d0 + 3 * 20 + 8, 8));
	CHECK_U64(E820_RAM, get(zp + 0x2d0 + 3 * 20 + 16, 4));
	for (i = 0x26c; i < 0x2d0; i++)
		if (zp[i])
			CHECK(!"bytes past the header are not clear");
}

/* Hostile headers: random bytes over the setup header and random sizes never read outside the
 * image (ASan builds check), and whatever is accepted is self-consistent. */
static void test_random_headers(void)
{
	static uint8_t zp[4096];
	struct bzimage bz;
	uint64_t addr;
	char err[256];
	int i, j;

	srand(1);
	for (i = 0; i < 20000; i++) {
		size_t size = (size_t)rand() % (SIZE + 1);
		uint8_t *copy;

		make_image();
		for (j = rand() % 8; j >= 0; j--)
			img[0x1f0 + rand() % 0x80] = (uint8_t)rand();
		copy = malloc(size ? size : 1); /* exactly size bytes, so ASan sees overreads */
		memcpy(copy, img, size);
		if (bzimage_parse(copy, size, &bz, err, sizeof(err)) == 0) {
			CHECK(bz.setup_size + (uint64_t)bz.payload_size == size);
			CHECK(bz.header_end <= 0x290 && bz.header_end <= size);
			CHECK(boot_linux_kernel_end(&bz) < 2 * GUEST_MEM_LOW_LIMIT);
			boot_linux_zero_page(zp, copy, &bz, 512 * MIB, 0, 0, BOOT_ACPI_ADDR);
			if (boot_linux_place_initrd(&bz, 512 * MIB, 4096, &addr, err,
						    sizeof(err)) == 0)
				CHECK(addr >= boot_linux_kernel_end(&bz) &&
				      addr + 4096 <= 512 * MIB);
		}
		free(copy);
	}
}

int main(void)
{
	test_parse();
	test_random_headers();
	test_e820();
	test_initrd();
	test_zero_page();
	return check_report("boot-linux");
}
