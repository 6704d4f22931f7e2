/* Test guest: enumerates PCI bus 0 via 0xcf8/0xcfc, sizes and moves BARs, drives edu and pci-testdev. */
#include "guest.h"

/*
 * Run with -device edu,addr=4.0 -device pci-testdev,addr=5.0. In 32-bit protected mode it
 * prints on the UART one "name value" line (value in hex) per step, then "pci done", and halts
 * with the BARs where the test's query-pci expects them:
 *   dev SS VVVVDDDD   each function of bus 0 (config mechanism #1, dword reads)
 *   hdr               the host bridge's vendor id read as a word at 0xcfc, its header type as a
 *                     byte at 0xcfe (expect 80860000: 8086 << 16 | header type 0)
 *   edusize           edu's BAR0 after an all-ones write (fff00000: 1 MiB, 32-bit memory)
 *   id, live, fact    edu at EDU_BAR_A: id, liveness of 0x12345678, 5! with the irq bit set
 *   irq, intx         edu's interrupt status (1), then its config status bit 3 (0x08)
 *   acked             config status after the ack (0)
 *   moved, old        edu's id at EDU_BAR_B after moving BAR0 there, then at EDU_BAR_A (ffffffff)
 *   msi               interrupts taken on vector 0x40 after edu raised one with MSI enabled (1)
 *   intxirq           interrupts taken on vector 0x41 through the IOAPIC's pin 16 (slot 4's INTA:
 *                     the _PRT's routing) after edu raised one with MSI off; the handler acks it (1)
 *   iosize            pci-testdev's BAR1 after an all-ones write (ffffff01: 256 ports)
 *   name, count       pci-testdev's port test 0 at TESTDEV_PORT: its name's first 4 bytes
 *                     ("port" little-endian: 74726f70), then count after one hit (1)
 */
#define EDU		(0x80000000 | (4 << 11))
#define TESTDEV		(0x80000000 | (5 << 11))
#define EDU_BAR_A	0xc0000000
#define EDU_BAR_B	0xd0000000
#define TESTDEV_PORT	0xc100
#define LAPIC		0xfee00000
#define IOAPIC		0xfec00000
#define VEC_MSI		0x40
#define VEC_INTX	0x41
#define PCI_ADDR	0xcf8
#define PCI_DATA	0xcfc

.macro REPORT label, reg
	movl \reg, %eax
	movl $\label, %esi
	call report
.endm

	GUEST_ENTRY
	PARK_APS
	ENTER_PROTECTED_MODE

	xorl %edi, %edi				/* slot << 11 */
1:	leal 0x80000000(%edi), %eax
	call cfg_read
	cmpl $0xffffffff, %eax
	je 2f
	movl %eax, %ebp
	movl $s_dev, %esi
	call puts
	movl %edi, %eax
	shll $(24 - 11), %eax			/* the slot in the top byte */
	movl $2, %ecx
	call puthex
	REPORT s_space, %ebp
2:	addl $(1 << 11), %edi
	cmpl $(32 << 11), %edi
	jne 1b

	movl $0x80000000, %eax			/* word and byte accesses */
	movw $PCI_ADDR, %dx
	outl %eax, %dx
	movw $PCI_DATA, %dx
	inw %dx, %ax
	movzwl %ax, %ebx
	shll $16, %ebx
	movl $0x8000000c, %eax
	movw $PCI_ADDR, %dx
	outl %eax, %dx
	movw $PCI_DATA + 2, %dx
	inb %dx, %al
	movb %al, %bl
	REPORT s_hdr, %ebx

	movl $(EDU | 0x10), %eax		/* edu: size BAR0, place it, decode memory */
	movl $0xffffffff, %ebx
	call cfg_write
	call cfg_read
	REPORT s_edusize, %eax
	movl $(EDU | 0x10), %eax
	movl $EDU_BAR_A, %ebx
	call cfg_write
	movl $(EDU | 0x04), %eax
	movl $0x0002, %ebx
	call cfg_write

	REPORT s_id, EDU_BAR_A
	movl $0x12345678, EDU_BAR_A + 4
	REPORT s_live, EDU_BAR_A + 4
	movl $0x80, EDU_BAR_A + 0x20		/* interrupt when the factorial is done */
	movl $5, EDU_BAR_A + 8
	REPORT s_fact, EDU_BAR_A + 8
	REPORT s_irq, EDU_BAR_A + 0x24
	movl $(EDU | 0x04), %eax
	call cfg_read
	shrl $16, %eax
	andl $0x08, %eax
	REPORT s_intx, %eax
	movl $1, EDU_BAR_A + 0x64
	movl $(EDU | 0x04), %eax
	call cfg_read
	shrl $16, %eax
	andl $0x08, %eax
	REPORT s_acked, %eax

	movl $(EDU | 0x10), %eax		/* move BAR0 */
	movl $EDU_BAR_B, %ebx
	call cfg_write
	REPORT s_moved, EDU_BAR_B
	REPORT s_old, EDU_BAR_A

	lidtl idt_desc				/* interrupts: the local APIC on, two gates */
	movl $msi_handler, %eax
	movl $(idt + 8 * VEC_MSI), %edi
	call set_gate
	movl $intx_handler, %eax
	movl $(idt + 8 * VEC_INTX), %edi
	call set_gate
	movl $0x1ff, LAPIC + 0xf0		/* SVR: enabled, spurious vector 0xff */
	movl $(EDU | 0x04), %eax		/* MSI needs bus mastering: it is a memory write */
	movl $0x0006, %ebx
	call cfg_write
	movl $(EDU | 0x44), %eax		/* MSI: to APIC 0, vector VEC_MSI, then enabled */
	movl $LAPIC, %ebx
	call cfg_write
	movl $(EDU | 0x4c), %eax
	movl $VEC_MSI, %ebx
	call cfg_write
	movl $(EDU | 0x40), %eax
	movl $0x00010000, %ebx
	call cfg_write
	movl $1f, resume_at
	sti
	movl $4, EDU_BAR_B + 0x60		/* raise */
2:	jmp 2b					/* until the handler goes on at 1 */
1:	movl $4, EDU_BAR_B + 0x64		/* ack */
	REPORT s_msi, msi_count

	movl $(EDU | 0x40), %eax		/* MSI off: INTx, IOAPIC pin 16 -> VEC_INTX, level */
	xorl %ebx, %ebx
	call cfg_write
	movl $0x30, IOAPIC
	movl $(0x8000 | VEC_INTX), IOAPIC + 0x10
	movl $0x31, IOAPIC
	movl $0, IOAPIC + 0x10
	movl $1f, resume_at
	sti
	movl $8, EDU_BAR_B + 0x60		/* raise: the handler acks */
2:	jmp 2b
1:	REPORT s_intxirq, intx_count

	movl $(TESTDEV | 0x14), %eax		/* pci-testdev: size BAR1, place it, decode I/O */
	movl $0xffffffff, %ebx
	call cfg_write
	call cfg_read
	REPORT s_iosize, %eax
	movl $(TESTDEV | 0x14), %eax
	movl $TESTDEV_PORT, %ebx
	call cfg_write
	movl $(TESTDEV | 0x04), %eax
	movl $0x0001, %ebx
	call cfg_write
	movw $TESTDEV_PORT, %dx
	xorb %al, %al
	outb %al, %dx				/* select port test 0: "portio-no-eventfd" */
	movw $TESTDEV_PORT + 16, %dx
	inl %dx, %eax
	REPORT s_name, %eax
	movw $TESTDEV_PORT + 128 + 3, %dx	/* its offset: 128 + test index 3 */
	movb $0xfa, %al
	outb %al, %dx
	movw $TESTDEV_PORT + 12, %dx
	inl %dx, %eax
	REPORT s_count, %eax

	movl $s_done, %esi
	call puts
	HALT_FOREVER

/* A 32-bit interrupt gate at edi to the handler at eax. */
set_gate:
	movw %ax, (%edi)
	movw $SEL_CODE32, 2(%edi)
	movw $0x8e00, 4(%edi)
	shrl $16, %eax
	movw %ax, 6(%edi)
	ret

/*
 * The handlers go on at resume_at with interrupts off (the gate cleared IF) and the frame
 * dropped, without iret: kvm_pvm cannot emulate an iret in this mode (an internal error).
 */
msi_handler:
	incl msi_count
	movl $0, LAPIC + 0xb0			/* EOI */
	addl $12, %esp
	jmp *resume_at

intx_handler:
	incl intx_count
	movl $8, EDU_BAR_B + 0x64		/* ack: edu lowers INTA */
	movl $0, LAPIC + 0xb0			/* EOI, to the IOAPIC too: the line is low now */
	addl $12, %esp
	jmp *resume_at

/* eax = config address -> eax = the dword there. Clobbers dx. */
cfg_read:
	movw $PCI_ADDR, %dx
	outl %eax, %dx
	movw $PCI_DATA, %dx
	inl %dx, %eax
	ret

/* eax = config address, ebx = value. Keeps eax; clobbers dx. */
cfg_write:
	movw $PCI_ADDR, %dx
	outl %eax, %dx
	pushl %eax
	movl %ebx, %eax
	movw $PCI_DATA, %dx
	outl %eax, %dx
	popl %eax
	ret

/* Prints the string at esi, then eax as 8 hex digits and a newline. */
report:
	pushl %eax
	call puts
	popl %eax
	movl $8, %ecx
	call puthex
	movl $s_nl, %esi
	jmp puts

/* Prints the top ecx hex digits of eax. Clobbers eax, ebx, ecx, dx. */
puthex:
	roll $4, %eax
	movl %eax, %ebx
	andl $0xf, %ebx
	pushl %eax
	movb hex(%ebx), %al
	movw $UART_THR, %dx
	outb %al, %dx
	popl %eax
	loop puthex
	ret

/* Prints the NUL-ended string at esi on the UART (the VMM queues what it cannot write yet). */
puts:
	movw $UART_THR, %dx
1:	lodsb
	testb %al, %al
	jz 2f
	outb %al, %dx
	jmp 1b
2:	ret

hex:		.ascii "0123456789abcdef"
s_dev:		.asciz "dev "
s_space:	.asciz " "
s_nl:		.asciz "\n"
s_hdr:		.asciz "hdr "
s_edusize:	.asciz "edusize "
s_id:		.asciz "id "
s_live:		.asciz "live "
s_fact:		.asciz "fact "
s_irq:		.asciz "irq "
s_intx:		.asciz "intx "
s_acked:	.asciz "acked "
s_moved:	.asciz "moved "
s_old:		.asciz "old "
s_iosize:	.asciz "iosize "
s_name:		.asciz "name "
s_count:	.asciz "count "
s_msi:		.asciz "msi "
s_intxirq:	.asciz "intxirq "
s_done:		.asciz "pci done\n"

	.balign 4
resume_at:	.long 0
msi_count:	.long 0
intx_count:	.long 0
idt_desc:
	.word 8 * (VEC_INTX + 1) - 1
	.long idt
	.balign 8
idt:		.space 8 * (VEC_INTX + 1)

	DEFINE_GDT

	.section .note.GNU-stack, "", @progbits
