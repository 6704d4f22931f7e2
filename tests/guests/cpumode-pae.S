/* Test guest: 32-bit protected mode with PAE paging (identity 2 MiB) and known register values, prints "pae ready", halts. */
#include "cpumode.h"

#define PAE_PDPT        0x11000 /* 4 entries; bits 1-2 are reserved in a PAE PDPTE */
#define PAE_PD          0x12000

	GUEST_ENTRY
	PARK_APS
	FILL_FPU_SSE_DR
	ENTER_PROTECTED_MODE
	movl $PAE_PDPT, %edi
	movl $(2 * 4096 / 4), %ecx
	xorl %eax, %eax
	rep stosl
	movl $(PAE_PD | 1), PAE_PDPT
	movl $0x83, PAE_PD
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $PAE_PDPT, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	movl $msg, %esi
	call puts32
	FILL_GPR32
	HALT_FOREVER

	DEFINE_PUTS puts32
	.code16
	DEFINE_GDT
	DEFINE_FX_IMAGE
msg:	.asciz "pae ready\r\n"

	.section .note.GNU-stack, "", @progbits
