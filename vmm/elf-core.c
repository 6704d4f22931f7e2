/* ELF64 core files of the guest: headers, PT_LOADs of guest-physical RAM, per-vCPU notes. */
#include "vmm/elf-core.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>

#define ALIGN4(x)  (((x) + 3) & ~(size_t)3)
#define DATA_ALIGN 4096

/* QEMU's x86 "QEMU" note (target/i386/arch_dump.c), read by the crash utility. */
struct qemu_cpu_segment {
	uint32_t selector, limit, flags, pad;
	uint64_t base;
};

struct qemu_cpu_state {
	uint32_t version, size;
	struct kvm_regs regs; /* rax rbx rcx rdx rsi rdi rsp rbp r8-r15 rip rflags: KVM's order */
	struct qemu_cpu_segment cs, ds, es, fs, gs, ss;
	struct qemu_cpu_segment ldt, tr, gdt, idt;
	uint64_t cr[5];
	uint64_t kernel_gs_base;
};

static size_t note_size(size_t namesz, size_t descsz)
{
	return sizeof(Elf64_Nhdr) + ALIGN4(namesz) + ALIGN4(descsz);
}

static uint8_t *put_note(uint8_t *p, const char *name, uint32_t type, const void *desc,
			 size_t descsz)
{
	Elf64_Nhdr nh = {
		.n_namesz = (Elf64_Word)strlen(name) + 1,
		.n_descsz = (Elf64_Word)descsz,
		.n_type = type,
	};

	memcpy(p, &nh, sizeof(nh));
	p += sizeof(nh);
	memcpy(p, name, nh.n_namesz); /* the buffer is zeroed: padding stays zero */
	p += ALIGN4(nh.n_namesz);
	memcpy(p, desc, descsz);
	return p + ALIGN4(descsz);
}

static void prstatus(const struct elf_core_cpu *c, struct elf_prstatus *st)
{
	const struct kvm_regs *r = &c->regs;
	const struct kvm_sregs *s = &c->sregs;
	struct user_regs_struct ur, *u = &ur;

	_Static_assert(sizeof(ur) == sizeof(st->pr_reg), "pr_reg is a user_regs_struct");

	memset(st, 0, sizeof(*st));
	st->pr_pid = c->index + 1;
	memset(u, 0, sizeof(*u));
	u->r15 = r->r15;
	u->r14 = r->r14;
	u->r13 = r->r13;
	u->r12 = r->r12;
	u->rbp = r->rbp;
	u->rbx = r->rbx;
	u->r11 = r->r11;
	u->r10 = r->r10;
	u->r9 = r->r9;
	u->r8 = r->r8;
	u->rax = r->rax;
	u->rcx = r->rcx;
	u->rdx = r->rdx;
	u->rsi = r->rsi;
	u->rdi = r->rdi;
	u->orig_rax = 0;
	u->rip = r->rip;
	u->cs = s->cs.selector;
	u->eflags = r->rflags;
	u->rsp = r->rsp;
	u->ss = s->ss.selector;
	u->fs_base = s->fs.base;
	u->gs_base = s->gs.base;
	u->ds = s->ds.selector;
	u->es = s->es.selector;
	u->fs = s->fs.selector;
	u->gs = s->gs.selector;
	memcpy(&st->pr_reg, &ur, sizeof(ur));
}

/* Segment attributes packed as QEMU's descriptor flags (DESC_*_MASK of target/i386/cpu.h). */
static void qemu_seg(const struct kvm_segment *k, struct qemu_cpu_segment *q)
{
	q->selector = k->selector;
	q->limit = k->limit;
	q->base = k->base;
	q->flags = (uint32_t)k->type << 8 | (uint32_t)k->s << 12 | (uint32_t)k->dpl << 13 |
		   (uint32_t)k->present << 15 | (uint32_t)k->avl << 20 | (uint32_t)k->l << 21 |
		   (uint32_t)k->db << 22 | (uint32_t)k->g << 23;
}

static void qemu_state(const struct elf_core_cpu *c, struct qemu_cpu_state *q)
{
	const struct kvm_sregs *s = &c->sregs;

	memset(q, 0, sizeof(*q));
	q->version = 1;
	q->size = sizeof(*q);
	q->regs = c->regs;
	qemu_seg(&s->cs, &q->cs);
	qemu_seg(&s->ds, &q->ds);
	qemu_seg(&s->es, &q->es);
	qemu_seg(&s->fs, &q->fs);
	qemu_seg(&s->gs, &q->gs);
	qemu_seg(&s->ss, &q->ss);
	qemu_seg(&s->ldt, &q->ldt);
	qemu_seg(&s->tr, &q->tr);
	q->gdt.base = s->gdt.base;
	q->gdt.limit = s->gdt.limit;
	q->idt.base = s->idt.base;
	q->idt.limit = s->idt.limit;
	q->cr[0] = s->cr0;
	q->cr[2] = s->cr2;
	q->cr[3] = s->cr3;
	q->cr[4] = s->cr4;
}

void *elf_core_header(const struct elf_core_cpu *cpus, int nr_cpus, const struct elf_core_seg *segs,
		      int nr_segs, size_t *len)
{
	size_t nphdr = 1 + (size_t)nr_segs, notes_off, notes_len, hdr_len;
	uint64_t off;
	uint8_t *buf, *p;
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	int i;

	if (nr_cpus < 0 || nr_segs < 0 || nphdr >= PN_XNUM)
		return NULL;
	notes_off = sizeof(Elf64_Ehdr) + nphdr * sizeof(Elf64_Phdr);
	notes_len = (size_t)nr_cpus * (note_size(sizeof("CORE"), sizeof(struct elf_prstatus)) +
				       note_size(sizeof("QEMU"), sizeof(struct qemu_cpu_state)));
	hdr_len = (notes_off + notes_len + DATA_ALIGN - 1) & ~(size_t)(DATA_ALIGN - 1);
	buf = calloc(1, hdr_len);
	if (!buf)
		return NULL;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(Elf64_Ehdr);
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)nphdr;
	memcpy(buf, &eh, sizeof(eh));

	p = buf + sizeof(eh);
	ph.p_type = PT_NOTE;
	ph.p_offset = notes_off;
	ph.p_filesz = ph.p_memsz = notes_len;
	memcpy(p, &ph, sizeof(ph));
	p += sizeof(ph);
	off = hdr_len;
	for (i = 0; i < nr_segs; i++) {
		memset(&ph, 0, sizeof(ph));
		ph.p_type = PT_LOAD;
		ph.p_flags = PF_R | PF_W | PF_X;
		ph.p_offset = off;
		ph.p_vaddr = ph.p_paddr = segs[i].gpa;
		ph.p_filesz = ph.p_memsz = segs[i].size;
		memcpy(p, &ph, sizeof(ph));
		p += sizeof(ph);
		off += segs[i].size;
	}

	p = buf + notes_off;
	for (i = 0; i < nr_cpus; i++) {
		struct elf_prstatus st;

		prstatus(&cpus[i], &st);
		p = put_note(p, "CORE", NT_PRSTATUS, &st, sizeof(st));
	}
	for (i = 0; i < nr_cpus; i++) {
		struct qemu_cpu_state q;

		qemu_state(&cpus[i], &q);
		p = put_note(p, "QEMU", 0, &q, sizeof(q));
	}
	*len = hdr_len;
	return buf;
}
