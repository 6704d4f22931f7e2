/* Integration test on real KVM: MMIO that KVM splits into fragments survives pauses between them.
 */
#include <stdlib.h>
#include <time.h>

#include "tests/lib/kvm-test.h"
#include "tests/unit/check.h"
#include "vmm/machine.h"
#include "vmm/mainloop.h"
#include "vmm/vcpu.h"

#define BASE   0xd0000000ULL /* tests/guests/mmio-split.S */
#define ROUNDS 0x500	     /* HEARTBEAT */
#define BAD    0x510
#define PAUSES 3000

/* The accesses of one round of the guest, fragment by fragment, in order. */
static const struct frag {
	bool write;
	uint64_t off;
	unsigned size;
} seq[] = {
	{ true, 0xffe, 2 },  { true, 0x1000, 2 }, { true, 0x1ffe, 2 },	{ true, 0x2000, 2 },
	{ true, 0x2002, 4 }, { false, 0xffe, 2 }, { false, 0x1000, 2 },
};
#define NR_FRAGS (sizeof(seq) / sizeof(seq[0]))

/* The device's view, under the big lock (the handlers run with it). */
static struct {
	size_t next;	/* index in seq of the fragment expected next */
	uint64_t round; /* from the round's first store */
	uint64_t frags, rounds, errors;
} dev;

/* An access arrived: is it the fragment expected, with the round's value? */
static void arrive(bool write, uint64_t off, uint64_t val, unsigned size)
{
	const struct frag *f = &seq[dev.next];
	size_t i;

	dev.frags++;
	if (f->write != write || f->off != off || f->size != size) {
		if (dev.errors++ < 5)
			fprintf(stderr, "round 0x%llx: expected %s +0x%llx/%u, got %s +0x%llx/%u\n",
				(unsigned long long)dev.round, f->write ? "store" : "load",
				(unsigned long long)f->off, f->size, write ? "store" : "load",
				(unsigned long long)off, size);
		for (i = 0; i < NR_FRAGS; i++) /* resync on what came */
			if (seq[i].write == write && seq[i].off == off && seq[i].size == size)
				dev.next = i;
	}
	if (dev.next == 0)
		dev.round = val & 0xffff;
	if (write && val != (size == 2 ? dev.round : dev.round * 0x10001)) {
		if (dev.errors++ < 5)
			fprintf(stderr, "round 0x%llx: +0x%llx: value 0x%llx\n",
				(unsigned long long)dev.round, (unsigned long long)off,
				(unsigned long long)val);
	}
	dev.next = (dev.next + 1) % NR_FRAGS;
	dev.rounds += dev.next == 0;
}

static uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	arrive(false, off, 0, size);
	return off == 0xffe ? 0x1234 : 0x5678;
}

static void dev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	(void)opaque;
	arrive(true, off, val, size);
}

static uint32_t guest_u32(struct machine *m, uint64_t gpa)
{
	uint32_t v = 0;

	guest_mem_read(&m->mem, gpa, &v, sizeof(v));
	return v;
}

static uint32_t floor_rounds;

/* The guest has counted rounds past floor_rounds. */
static bool progressed(void *opaque)
{
	return guest_u32(opaque, ROUNDS) > floor_rounds;
}

int main(int argc, char **argv)
{
	static struct vm_config cfg;
	static struct machine m;
	struct mainloop *loop;
	uint64_t mid = 0;
	int i;

	require_kvm();
	if (argc != 2) {
		fprintf(stderr, "usage: test-mmio-split mmio-split.bin\n");
		return 1;
	}
	cfg.ram_size = 16 << 20;
	cfg.nr_vcpus = 1;
	cfg.flat = argv[1];
	loop = mainloop_new(&m.lock);
	if (!loop || !machine_create(&m, &cfg, loop))
		return 1;
	CHECK(iospace_register(&m.mmio, "mmio-split-test", BASE, 0x3000, dev_read, dev_write,
			       NULL) == 0);
	pthread_mutex_lock(&m.lock);
	CHECK(machine_start(&m));
	pthread_mutex_unlock(&m.lock);
	floor_rounds = 10;
	CHECK(poll_until(progressed, &m, 10, 60000));

	/* pauses at every point of the loop: some land between two fragments */
	for (i = 0; i < PAUSES; i++) {
		struct timespec ts = { 0, (i % 7) * 40000L };

		pthread_mutex_lock(&m.lock);
		vcpu_pause_all(&m);
		/* parked inside an instruction? (between rep iterations is a boundary: 4) */
		mid += dev.next == 1 || dev.next == 3 || dev.next == 6;
		vcpu_resume_all(&m);
		pthread_mutex_unlock(&m.lock);
		nanosleep(&ts, NULL);
	}
	floor_rounds = guest_u32(&m, ROUNDS);
	CHECK(poll_until(progressed, &m, 10, 10000)); /* still running */

	pthread_mutex_lock(&m.lock);
	vcpu_pause_all(&m);
	fprintf(stderr, "%d pauses, %llu rounds, %llu fragments\n", PAUSES,
		(unsigned long long)dev.rounds, (unsigned long long)dev.frags);
	CHECK_U64(0, dev.errors);
	CHECK_U64(0, mid);
	CHECK_U64(0, guest_u32(&m, BAD));
	CHECK(dev.rounds > 10);
	CHECK(guest_u32(&m, ROUNDS) >= dev.rounds - 1);
	vcpu_resume_all(&m);
	pthread_mutex_unlock(&m.lock);

	machine_destroy(&m);
	mainloop_free(loop);
	return check_report("mmio-split");
}
