/* Integration test on real KVM: pause stops the demo's heartbeat counter in memory, resume restarts
 * it. */
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "tests/lib/kvm-test.h"
#include "tests/unit/check.h"
#include "vmm/machine.h"
#include "vmm/mainloop.h"
#include "vmm/vcpu.h"

#define COUNTER_GPA 0x500

static int stops, resumes;

static void on_event(void *opaque, enum vm_event ev, bool guest, ShutdownCause cause)
{
	stops += ev == VM_EVENT_STOP;
	resumes += ev == VM_EVENT_RESUME;
}

static uint32_t counter(struct machine *m)
{
	uint32_t v;

	guest_mem_read(&m->mem, COUNTER_GPA, &v, sizeof(v));
	return __atomic_load_n(&v, __ATOMIC_RELAXED);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Waits (by the clock) until the counter exceeds floor; false after timeout_ms. */
static bool wait_counter_above(struct machine *m, uint32_t floor, int timeout_ms)
{
	int waited;

	for (waited = 0; waited < timeout_ms; waited += 20) {
		if (counter(m) > floor)
			return true;
		sleep_ms(20);
	}
	return false;
}

int main(void)
{
	static struct vm_config cfg;
	static struct machine m;
	struct mainloop *loop;
	struct kvm_regs regs1, regs2;
	uint32_t c1, c2;
	int i;

	require_kvm();
	cfg.ram_size = 16 << 20;
	cfg.nr_vcpus = 2;
	cfg.serial.kind = CHR_NONE;
	cfg.debugcon.kind = CHR_NONE;
	loop = mainloop_new(&m.lock);
	CHECK(loop != NULL);
	if (!machine_create(&m, &cfg, loop))
		return 1;
	machine_add_listener(&m, on_event, NULL);
	pthread_mutex_lock(&m.lock);
	CHECK(machine_start(&m));
	pthread_mutex_unlock(&m.lock);

	CHECK(wait_counter_above(&m, 1, 30000));
	for (i = 0; i < 3; i++) {
		pthread_mutex_lock(&m.lock);
		vm_stop(&m, RUN_STATE_PAUSED);
		CHECK(m.nr_parked == m.nr_vcpus);
		c1 = counter(&m);
		CHECK(vcpu_get_regs(&m.vcpus[0], &regs1, NULL) == 0);
		pthread_mutex_unlock(&m.lock);

		sleep_ms(700); /* 3 heartbeats' worth of wall time */
		pthread_mutex_lock(&m.lock);
		c2 = counter(&m);
		CHECK(vcpu_get_regs(&m.vcpus[0], &regs2, NULL) == 0);
		CHECK_U64(c1, c2);
		CHECK_U64(regs1.rip, regs2.rip);
		vm_stop(&m, RUN_STATE_PAUSED); /* already paused: no second STOP */
		vm_cont(&m);
		vm_cont(&m); /* already running: no second RESUME */
		pthread_mutex_unlock(&m.lock);
		CHECK(wait_counter_above(&m, c2, 10000));
	}
	CHECK_U64(3, stops);
	CHECK_U64(3, resumes);

	machine_destroy(&m);
	mainloop_free(loop);
	return check_report("pause-resume");
}
