/* Guest loaders: a flat binary entered in real mode, or the embedded demo guest. */
#include "vmm/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/guest/demo-guest.h"
#include "vmm/machine.h"
#include "vmm/vcpu.h"

/* Copies the image to FLAT_LOAD_ADDR and puts every vCPU at 0000:1000, running. */
static int flat_reset(struct machine *m)
{
	int i, r;

	if (!guest_mem_write(&m->mem, FLAT_LOAD_ADDR, m->boot_image, m->boot_image_size))
		return -ENOSPC;
	for (i = 0; i < m->nr_vcpus; i++) {
		r = vcpu_reset_real_mode(&m->vcpus[i], FLAT_LOAD_ADDR, true);
		if (r < 0)
			return r;
	}
	return 0;
}

static void *read_image(const char *path, size_t *size)
{
	struct stat st;
	void *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO: no wait for a writer */

	if (fd < 0) {
		fprintf(stderr, "tinyvmm: cannot open '%s': %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "tinyvmm: '%s' is not a regular file\n", path);
	} else if (st.st_size == 0 || st.st_size > FLAT_MAX_SIZE) {
		fprintf(stderr, "tinyvmm: '%s': a flat binary must be 1 to %d bytes\n", path,
			FLAT_MAX_SIZE);
	} else if ((buf = malloc((size_t)st.st_size)) != NULL) {
		if (read(fd, buf, (size_t)st.st_size) != st.st_size) {
			fprintf(stderr, "tinyvmm: cannot read '%s'\n", path);
			free(buf);
			buf = NULL;
		}
		*size = (size_t)st.st_size;
	}
	close(fd);
	return buf;
}

bool loader_flat(struct machine *m, const char *path)
{
	size_t size = 0;
	void *img;

	if (path) {
		img = read_image(path, &size);
	} else {
		size = (size_t)(demo_guest_end - demo_guest_start);
		img = malloc(size);
		if (img)
			memcpy(img, demo_guest_start, size);
	}
	if (!img)
		return false;
	if (FLAT_LOAD_ADDR + size > m->mem.ram_size) {
		fprintf(stderr, "tinyvmm: the guest image does not fit in RAM\n");
		free(img);
		return false;
	}
	m->boot_image = img;
	m->boot_image_size = size;
	return machine_set_boot(m, flat_reset);
}
