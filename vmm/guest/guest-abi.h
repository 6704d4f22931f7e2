/* The guest ABI shared by the demo guest and the test guests: addresses, ports, real-mode entry. */
#ifndef TINYVMM_GUEST_ABI_H
#define TINYVMM_GUEST_ABI_H

/* See docs/guest-abi.md. */
#define HEARTBEAT       0x500   /* u32 the guest counts in */
#define NMI_COUNT       0x50c   /* u32 counted by the real-mode NMI handler */

#define UART_THR        0x3f8
#define UART_LSR        0x3fd
#define LSR_THRE        0x20

#define STACK_TOP       0x9000

/*
 * Real-mode entry shared by every test guest: segments 0, SP = STACK_TOP -
 * index * 0x100, IVT[2] -> a handler counting NMIs at NMI_COUNT.  Leaves the
 * vCPU index (initial APIC ID from CPUID leaf 1) in bx, ZF set for vCPU 0.
 */
.macro GUEST_ENTRY
	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $guest_nmi, 2 * 4
	movw $0, 2 * 4 + 2
	movl $1, %eax
	cpuid
	shrl $24, %ebx
	movw %bx, %ax
	shlw $8, %ax
	movw $STACK_TOP, %sp
	subw %ax, %sp
	testw %bx, %bx
	jmp .Lentry_done\@
guest_nmi:
	lock incl %cs:NMI_COUNT
	iret
.Lentry_done\@:
.endm

#endif
