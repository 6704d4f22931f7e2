/* Integration test on real KVM: the page walker agrees with KVM_TRANSLATE on the pagetables guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "vmm/machine.h"
#include "vmm/mainloop.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"

static void require_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR);
	const char *ci = getenv("CI");
	bool in_ci = ci && !strcmp(ci, "true");

	if (fd >= 0) {
		close(fd);
		return;
	}
	fprintf(stderr, "%s: /dev/kvm is not usable: this test needs KVM\n",
		in_ci ? "FAIL" : "SKIP");
	exit(in_ci ? 1 : 77);
}

/* The guest checks its remapped pages, then halts with EFER.LMA set: wait for that (by clock). */
static bool wait_long_mode(struct machine *m)
{
	struct timespec ts = { 0, 20 * 1000000 };
	struct kvm_sregs sregs;
	int i;

	for (i = 0; i < 1500; i++) {
		bool halted = false;

		pthread_mutex_lock(&m->lock);
		vcpu_pause_all(m);
		vcpu_get_regs(&m->vcpus[0], NULL, &sregs);
		vcpu_is_halted(&m->vcpus[0], &halted);
		vcpu_resume_all(m);
		pthread_mutex_unlock(&m->lock);
		if ((sregs.efer & 0x400) && halted)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

int main(int argc, char **argv)
{
	static const uint64_t gvas[] = { 0x1000,     0x7000,	 0x7abc,     0x8000,
					 0x40000000, 0x40123456, 0x80000000, 0x80005000,
					 0x801ff000, 0x1ff000,	 0x40200000, 0x12345000 };
	static struct vm_config cfg;
	static struct machine m;
	struct mainloop *loop;
	size_t i;
	int compared = 0;

	require_kvm();
	if (argc != 2) {
		fprintf(stderr, "usage: test-translate pagetables.bin\n");
		return 1;
	}
	cfg.ram_size = 64 << 20;
	cfg.nr_vcpus = 1;
	cfg.flat = argv[1];
	loop = mainloop_new(&m.lock);
	if (!loop || !machine_create(&m, &cfg, loop))
		return 1;
	pthread_mutex_lock(&m.lock);
	CHECK(machine_start(&m));
	pthread_mutex_unlock(&m.lock);
	CHECK(wait_long_mode(&m));

	pthread_mutex_lock(&m.lock);
	vm_stop(&m, VM_PAUSED);
	for (i = 0; i < sizeof(gvas) / sizeof(gvas[0]); i++) {
		struct kvm_translation tr = { .linear_address = gvas[i] };
		uint64_t gpa = 0;
		int r = paging_translate(&m, &m.vcpus[0], gvas[i], &gpa);

		if (ioctl(m.vcpus[0].fd, KVM_TRANSLATE, &tr) < 0) {
			fprintf(stderr, "note: KVM_TRANSLATE 0x%llx: %s (not compared)\n",
				(unsigned long long)gvas[i], strerror(errno));
			continue;
		}
		printf("0x%llx: walker %d 0x%llx, KVM_TRANSLATE valid %d 0x%llx\n",
		       (unsigned long long)gvas[i], r, (unsigned long long)gpa, tr.valid,
		       (unsigned long long)tr.physical_address);
		if (!tr.valid) /* kvm_pvm's KVM_TRANSLATE misses 1 GiB pages: not comparable */
			continue;
		compared++;
		CHECK_U64(0, r);
		CHECK_U64(tr.physical_address, gpa);
	}
	pthread_mutex_unlock(&m.lock);
	/* unmapped in the guest's map whatever KVM_TRANSLATE says (test_gva2gpa.py checks the rest)
	 */
	pthread_mutex_lock(&m.lock);
	CHECK(paging_translate(&m, &m.vcpus[0], 0x40200000, &(uint64_t){ 0 }) == -EFAULT);
	CHECK(paging_translate(&m, &m.vcpus[0], 0x12345000, &(uint64_t){ 0 }) == -EFAULT);
	pthread_mutex_unlock(&m.lock);
	printf("compared %d addresses with KVM_TRANSLATE\n", compared);
	CHECK(compared >= 6); /* 4 KiB and 2 MiB pages, identity and remapped */
	machine_destroy(&m);
	mainloop_free(loop);
	return check_report("translate");
}
