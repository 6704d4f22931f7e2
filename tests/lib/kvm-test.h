/* Helpers for the in-process KVM tests: skip without KVM, poll a guest, compare translations. */
#ifndef TESTS_LIB_KVM_TEST_H
#define TESTS_LIB_KVM_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "vmm/machine.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"

/* Exits 77 (skip) when /dev/kvm cannot be opened, or 1 (fail) when CI=true. */
static inline void require_kvm(void)
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

/* The monotonic clock, in seconds. */
static inline double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Calls fn every interval_ms (by the clock) until it returns true; false after timeout_ms. */
static inline bool poll_until(bool (*fn)(void *opaque), void *opaque, int interval_ms,
			      int timeout_ms)
{
	struct timespec ts = { interval_ms / 1000, (long)(interval_ms % 1000) * 1000000 };
	double end = now_seconds() + timeout_ms / 1e3;

	while (!fn(opaque)) {
		if (now_seconds() > end)
			return false;
		nanosleep(&ts, NULL);
	}
	return true;
}

typedef bool (*paused_fn)(struct machine *m, void *opaque);

struct paused_call {
	struct machine *m;
	paused_fn fn;
	void *opaque;
};

/* One poll of poll_paused: the vCPUs paused around c->fn. */
static inline bool call_paused(void *opaque)
{
	struct paused_call *c = opaque;
	bool done;

	pthread_mutex_lock(&c->m->lock);
	vcpu_pause_all(c->m);
	done = c->fn(c->m, c->opaque);
	vcpu_resume_all(c->m);
	pthread_mutex_unlock(&c->m->lock);
	return done;
}

/*
 * Like poll_until, but fn runs with the big lock held and every vCPU parked (then they run
 * again): for reading registers and translating addresses of a running guest.
 */
static inline bool poll_paused(struct machine *m, paused_fn fn, void *opaque, int interval_ms,
			       int timeout_ms)
{
	struct paused_call c = { m, fn, opaque };

	return poll_until(call_paused, &c, interval_ms, timeout_ms);
}

/*
 * With the big lock held and v parked: gva through the page walker (*walker: 0 with *gpa, or
 * -EFAULT) and through KVM_TRANSLATE (*tr); false, with a note, when the ioctl itself fails.
 */
static inline bool translate_both(struct machine *m, struct vcpu *v, uint64_t gva, int *walker,
				  uint64_t *gpa, struct kvm_translation *tr)
{
	*gpa = 0;
	*walker = paging_translate(m, v, gva, gpa);
	*tr = (struct kvm_translation){ .linear_address = gva };
	if (ioctl(v->fd, KVM_TRANSLATE, tr) < 0) {
		fprintf(stderr, "note: KVM_TRANSLATE 0x%llx: %s (not compared)\n",
			(unsigned long long)gva, strerror(errno));
		return false;
	}
	return true;
}

#endif
