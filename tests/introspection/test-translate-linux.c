/* In the nested test bed: the page walker agrees with KVM_TRANSLATE on a booted Linux guest. */
#include "tests/lib/kvm-test.h"
#include "tests/unit/check.h"
#include "vmm/machine.h"
#include "vmm/mainloop.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"

#define EFER_LMA    (1ULL << 10)
#define KERNEL_HALF 0xffff800000000000ULL /* canonical upper half: the kernel's */
#define KERNEL_TEXT 0xffffffff80000000ULL /* the kernel image and modules (top 2 GiB) */
#define ROUNDS	    10			  /* pauses that must catch user mode, and kernel text */
#define SHOWN_MAX   40			  /* comparisons printed (new pages only) */
#define SZ_1M	    (1ULL << 20)
#define SZ_2M	    (2ULL << 20)
#define SZ_1G	    (1ULL << 30)
#define MARKER	    "TVMM-L2-SPINNING" /* l2-init.sh's tvmm.action=spin: booted, looping */

/* What is compared; the sweeps are runs of pages around an address, mapped or not. */
enum kind {
	USER_TEXT,
	USER_STACK,
	KERNEL_TXT,
	KERNEL_DATA,
	SWEEP_USER,
	SWEEP_KERNEL,
	SWEEP_DIRECT,
	NR_KINDS
};
static const char *const kind_names[NR_KINDS] = {
	"user text",	   "user stack",	"kernel text",	    "kernel data",
	"user-half sweep", "kernel-text sweep", "direct-map sweep",
};

struct tally {
	int compared[NR_KINDS], mapped[NR_KINDS]; /* mapped: a valid KVM_TRANSLATE */
	int user_rounds, kernel_rounds;
	bool swept_user, swept_kernel;
	uint64_t shown[SHOWN_MAX]; /* page | kind */
	int nr_shown;
};

/* Whether (page, kind) is new and may be printed: up to SHOWN_MAX of them, sweeps never. */
static bool first_seen(struct tally *t, enum kind k, uint64_t gva)
{
	uint64_t key = (gva & ~0xfffULL) | k;
	int i;

	for (i = 0; i < t->nr_shown; i++)
		if (t->shown[i] == key)
			return false;
	if (t->nr_shown == SHOWN_MAX || k >= SWEEP_USER)
		return false;
	t->shown[t->nr_shown++] = key;
	return true;
}

/* One address both ways: they must agree on whether it is mapped, and then where to. */
static void compare(struct machine *m, struct vcpu *v, enum kind k, uint64_t gva, struct tally *t)
{
	struct kvm_translation tr;
	uint64_t gpa;
	bool agree;
	int r;

	if (!translate_both(m, v, gva, &r, &gpa, &tr))
		return;
	agree = tr.valid ? r == 0 && gpa == tr.physical_address : r == -EFAULT;
	if (!agree || first_seen(t, k, gva))
		printf("%svcpu%d %-11s 0x%016llx: walker %s 0x%llx, KVM_TRANSLATE %s 0x%llx\n",
		       agree ? "" : "MISMATCH ", v->index, kind_names[k], (unsigned long long)gva,
		       r ? "unmapped" : "gpa", (unsigned long long)gpa,
		       tr.valid ? "gpa" : "invalid", (unsigned long long)tr.physical_address);
	CHECK(agree);
	t->compared[k]++;
	t->mapped[k] += tr.valid;
}

/* Compares count pages of size step from start, mapped and unmapped alike. */
static void sweep(struct machine *m, struct vcpu *v, enum kind k, uint64_t start, uint64_t step,
		  int count, struct tally *t)
{
	int i;

	for (i = 0; i < count; i++)
		compare(m, v, k, start + (uint64_t)i * step, t);
}

/*
 * One pause: in user mode a vCPU's RIP and RSP (user text and stack), in kernel mode its RIP
 * (kernel text), RSP and GS base (kernel stack, per-CPU data); and the descriptor tables.
 */
static bool sample(struct machine *m, void *opaque)
{
	struct tally *t = opaque;
	bool user = false, kernel = false;
	int i;

	for (i = 0; i < m->nr_vcpus; i++) {
		struct vcpu *v = &m->vcpus[i];
		struct kvm_regs regs;
		struct kvm_sregs sregs;

		if (vcpu_get_regs(v, &regs, &sregs) || !(sregs.efer & EFER_LMA))
			continue;
		if ((sregs.cs.selector & 3) == 3) {
			compare(m, v, USER_TEXT, regs.rip, t);
			compare(m, v, USER_STACK, regs.rsp, t);
			if (!t->swept_user) {
				/* by 4 KiB: 2 MiB around the code, 512 KiB around the stack */
				sweep(m, v, SWEEP_USER, (regs.rip & ~(SZ_1M - 1)) - SZ_1M, 4096,
				      512, t);
				sweep(m, v, SWEEP_USER, (regs.rsp & ~0xfffULL) - SZ_1M / 4, 4096,
				      128, t);
			}
			t->swept_user = true;
			user = true;
		} else if (regs.rip >= KERNEL_TEXT) {
			compare(m, v, KERNEL_TXT, regs.rip, t);
			if (regs.rsp >= KERNEL_HALF)
				compare(m, v, KERNEL_DATA, regs.rsp, t);
			if (sregs.gs.base >= KERNEL_HALF)
				compare(m, v, KERNEL_DATA, sregs.gs.base, t);
			if (!t->swept_kernel && sregs.gs.base >= KERNEL_HALF) {
				/* by 2 MiB: the kernel image's 1 GiB (KASLR), and the 1 GiB
				 * of direct map that holds this CPU's per-CPU area */
				sweep(m, v, SWEEP_KERNEL, KERNEL_TEXT, SZ_2M, 512, t);
				sweep(m, v, SWEEP_DIRECT, sregs.gs.base & ~(SZ_1G - 1), SZ_2M, 512,
				      t);
				t->swept_kernel = true;
			}
			kernel = true;
		}
		if (sregs.gdt.base >= KERNEL_HALF) {
			compare(m, v, KERNEL_DATA, sregs.gdt.base, t);
			compare(m, v, KERNEL_DATA, sregs.idt.base, t);
			compare(m, v, KERNEL_DATA, sregs.tr.base, t);
		}
	}
	t->user_rounds += user;
	t->kernel_rounds += kernel;
	return t->user_rounds >= ROUNDS && t->kernel_rounds >= ROUNDS;
}

/* Whether the guest's serial log (the file at opaque) holds the marker yet. */
static bool marker_seen(void *opaque)
{
	static char buf[1 << 16];
	FILE *f = fopen(opaque, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, MARKER) != NULL;
}

/* The main loop on a thread of its own: it writes the guest's serial output to the file. */
static void *loop_thread(void *opaque)
{
	struct machine *m = opaque;

	pthread_mutex_lock(&m->lock);
	mainloop_run(m->loop);
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

int main(int argc, char **argv)
{
	static struct vm_config cfg;
	static struct machine m;
	static struct tally t;
	struct mainloop *loop;
	pthread_t loop_tid;
	double t0;
	int k;

	require_kvm();
	if (argc != 4 || strlen(argv[3]) >= sizeof(cfg.serial.path)) {
		fprintf(stderr, "usage: test-translate-linux BZIMAGE INITRD SERIAL_LOG\n");
		return 1;
	}
	cfg.ram_size = 256 << 20;
	cfg.nr_vcpus = 2;
	cfg.kernel = argv[1];
	cfg.initrd = argv[2];
	cfg.append = "console=ttyS0 quiet tvmm.action=spin";
	cfg.serial.kind = CHR_FILE;
	strcpy(cfg.serial.path, argv[3]);
	strcpy(cfg.serial.label,
	       "serial0"); /* the board's isa-serial takes it by label, as -serial's */
	loop = mainloop_new(&m.lock);
	if (!loop || !machine_create(&m, &cfg, loop))
		return 1;
	t0 = now_seconds();
	pthread_mutex_lock(&m.lock);
	CHECK(machine_start(&m));
	pthread_mutex_unlock(&m.lock);
	CHECK(pthread_create(&loop_tid, NULL, loop_thread, &m) == 0);

	if (!poll_until(marker_seen, argv[3], 100, 90000)) {
		fprintf(stderr, "FAIL: no %s in %s after 90 s\n", MARKER, argv[3]);
		return 1;
	}
	printf("%s after %.1f s; pausing the vCPUs every 50 ms\n", MARKER, now_seconds() - t0);
	/* until enough pauses caught user mode (the guest's busy loop) and kernel text */
	CHECK(poll_paused(&m, sample, &t, 50, 20000));
	printf("compared with KVM_TRANSLATE in %d+%d pauses:", t.user_rounds, t.kernel_rounds);
	for (k = 0; k < NR_KINDS; k++)
		printf("%s %d %s (%d mapped)", k ? "," : "", t.compared[k], kind_names[k],
		       t.mapped[k]);
	printf("\n");
	for (k = 0; k < NR_KINDS; k++) /* each kind met mapped, and the sweeps unmapped too */
		CHECK(t.mapped[k] > 0 && (k < SWEEP_USER || t.mapped[k] < t.compared[k]));
	pthread_mutex_lock(&m.lock);
	mainloop_quit(loop);
	pthread_mutex_unlock(&m.lock);
	pthread_join(loop_tid, NULL);
	machine_destroy(&m);
	mainloop_free(loop);
	return check_report("translate-linux");
}
