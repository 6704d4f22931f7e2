/* The inner guest's PCI session: edu via an mmap of resource0, pci-testdev's ports via ioperm. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <unistd.h>

#define IORESOURCE_IO 0x100

/* The sysfs directory of the function with vendor:device, into dir; 0 or -1. */
static int find(unsigned vendor, unsigned device, char *dir, size_t len)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	int r = -1;

	while (d && r && (e = readdir(d))) {
		unsigned v = 0, dv = 0;
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		if (fscanf(f, "%x", &v) != 1)
			v = 0;
		fclose(f);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		if (fscanf(f, "%x", &dv) != 1)
			dv = 0;
		fclose(f);
		if (v == vendor && dv == device) {
			snprintf(dir, len, "/sys/bus/pci/devices/%s", e->d_name);
			r = 0;
		}
	}
	if (d)
		closedir(d);
	return r;
}

/* BAR i's start and flags from the function's "resource" file (one "start end flags" line each). */
static int bar(const char *dir, int i, uint64_t *start, uint64_t *flags)
{
	char path[600];
	uint64_t end;
	FILE *f;
	int r = -1;

	snprintf(path, sizeof(path), "%s/resource", dir);
	f = fopen(path, "r");
	for (int n = 0; f && n <= i; n++)
		if (fscanf(f, "%" SCNx64 " %" SCNx64 " %" SCNx64, start, &end, flags) == 3 &&
		    n == i)
			r = 0;
	if (f)
		fclose(f);
	return r;
}

static int edu(void)
{
	char dir[512], path[600];
	uint64_t start, flags;
	volatile uint32_t *regs;
	int fd;

	if (find(0x1234, 0x11e8, dir, sizeof(dir)) || bar(dir, 0, &start, &flags)) {
		printf("PCI-USER edu not found\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/resource0", dir);
	fd = open(path, O_RDWR | O_SYNC);
	regs = fd < 0 ? MAP_FAILED : mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (regs == MAP_FAILED) {
		perror("PCI-USER mmap resource0");
		return 1;
	}
	regs[1] = 0x12345678; /* liveness: reads back ~value */
	regs[2] = 10;	      /* factorial */
	printf("PCI-USER edu %s bar0=0x%" PRIx64 " id=0x%08x live=0x%08x fact10=%u\n",
	       strrchr(dir, '/') + 1, start, regs[0], regs[1], regs[2]);
	munmap((void *)regs, 1 << 20);
	close(fd);
	return 0;
}

static int testdev(void)
{
	char dir[512], name[32];
	uint64_t port, flags;
	unsigned i;

	if (find(0x1b36, 0x0005, dir, sizeof(dir)) || bar(dir, 1, &port, &flags) ||
	    !(flags & IORESOURCE_IO)) {
		printf("PCI-USER pci-testdev's port BAR not found\n");
		return 1;
	}
	if (ioperm(port, 256, 1)) {
		perror("PCI-USER ioperm");
		return 1;
	}
	outb(0, port); /* port test 0 */
	for (i = 0; i < sizeof(name) - 1; i++)
		if (!(name[i] = (char)inb(port + 16 + i)))
			break;
	name[i] = 0;
	outb(0xfa, port + 128 + 3); /* a hit at the test's offset, with its data */
	printf("PCI-USER pci-testdev %s bar1=0x%" PRIx64 " name=%s count=%u\n",
	       strrchr(dir, '/') + 1, port, name, inl(port + 12));
	return 0;
}

int main(void)
{
	int r = edu() | testdev();

	fflush(stdout);
	return r;
}
