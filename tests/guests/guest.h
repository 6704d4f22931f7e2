/* Shared constants and assembler macros for the flat test guests (see docs/guest-abi.md). */
#ifndef TINYVMM_TEST_GUEST_H
#define TINYVMM_TEST_GUEST_H

#include "guest-abi.h" /* vmm/guest/: HEARTBEAT, NMI_COUNT, UART_*, STACK_TOP, GUEST_ENTRY */

#define DEBUG_PORT      0xe9
#define EXIT_PORT       0x501

/* Flat GDT selectors used by the guests that leave real mode. */
#define SEL_CODE32      0x08
#define SEL_DATA        0x10
#define SEL_CODE64      0x18

/* Park every vCPU but 0: cli; hlt forever.  Real mode, right after GUEST_ENTRY. */
.macro PARK_APS
	testw %bx, %bx
	jz .Lbsp\@
	cli
.Lpark\@:
	hlt
	jmp .Lpark\@
.Lbsp\@:
.endm

/*
 * Define a routine \name printing the NUL-terminated string at (e)si/rsi on
 * the UART, polling LSR.THRE before each byte.  Assemble it under the
 * .code16/.code32/.code64 of the callers.  Clobbers ax, dx, si.
 */
.macro DEFINE_PUTS name
\name:
	lodsb
	testb %al, %al
	jz .Lputs_ret\@
	movb %al, %ah
	movw $UART_LSR, %dx
.Lputs_wait\@:
	inb %dx, %al
	testb $LSR_THRE, %al
	jz .Lputs_wait\@
	movb %ah, %al
	movw $UART_THR, %dx
	outb %al, %dx
	jmp \name
.Lputs_ret\@:
	ret
.endm

/*
 * The flat GDT: null, 32-bit code (0x08), data (0x10), 64-bit code (0x18), then the
 * descriptors \extra names (0x20 on).
 */
.macro DEFINE_GDT extra:vararg
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
	.quad 0x00af9a000000ffff
	.ifnb \extra
	.quad \extra
	.endif
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
.endm

/*
 * From real mode, enter 32-bit protected mode with flat segments (paging
 * off) and continue at the next instruction under .code32; esp = sp.
 * Needs DEFINE_GDT somewhere in the image.
 */
.macro ENTER_PROTECTED_MODE
	cli
	lgdtl gdt_desc
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $.Lpm\@
	.code32
.Lpm\@:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movzwl %sp, %esp
.endm

/* Halt forever with interrupts off (any mode). */
.macro HALT_FOREVER
	cli
.Lhalt\@:
	hlt
	jmp .Lhalt\@
.endm

/* Long mode from 32-bit protected mode: PAE, CR3 = pml4, EFER.LME, paging, then a far jump to the
 * 64-bit code at label. Clobbers eax, ecx, edx. */
#define MSR_EFER        0xc0000080
#define EFER_LME        (1 << 8)
#define CR4_PAE         (1 << 5)
#define CR0_PG          (1 << 31)
.macro LONG_MODE_ON pml4, label
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $\pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE64, $\label
.endm

#endif
