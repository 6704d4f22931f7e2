/* Macros for the cpumode-* test guests: known values in every register info registers shows. */
#ifndef TINYVMM_TEST_CPUMODE_H
#define TINYVMM_TEST_CPUMODE_H

#include "guest.h"

#define CR4_OSFXSR      (1 << 9)

/*
 * Real mode, vCPU 0: the x87/SSE state from fx_image with one fxrstor (KVM's
 * emulator, which runs real-mode code without unrestricted guest, has no x87
 * arithmetic but has fxrstor), DR0-DR3 = 0xd0000000 + n.  Needs DEFINE_FX_IMAGE.
 */
.macro FILL_FPU_SSE_DR
	movl %cr4, %eax
	orl $CR4_OSFXSR, %eax
	movl %eax, %cr4
	fxrstor fx_image
	movl $0xd0000000, %eax
	movl %eax, %dr0
	incl %eax
	movl %eax, %dr1
	incl %eax
	movl %eax, %dr2
	incl %eax
	movl %eax, %dr3
.endm

/*
 * From 32-bit protected mode: long mode with an identity 2 MiB page (tables at
 * 0x10000-0x12fff), continuing under .code64 in the 64-bit code segment.
 */
#define LM_PML4         0x10000
#define LM_PDPT         0x11000
#define LM_PD           0x12000

.macro ENTER_LONG_MODE
	movl $LM_PML4, %edi
	movl $(3 * 4096 / 4), %ecx
	xorl %eax, %eax
	rep stosl
	movl $(LM_PDPT | 3), LM_PML4
	movl $(LM_PD | 3), LM_PDPT
	movl $0x83, LM_PD
	LONG_MODE_ON LM_PML4, .Llong\@
	.code64
.Llong\@:
.endm

/* 64-bit mode: CR4.OSXSAVE and XCR0 = \xcr0 (x87 and SSE are bits 0 and 1). */
#define CR4_OSXSAVE     (1 << 18)

.macro SET_XCR0 xcr0
	movq %cr4, %rax
	orl $CR4_OSXSAVE, %eax
	movq %rax, %cr4
	xorl %ecx, %ecx
	xorl %edx, %edx
	movl $\xcr0, %eax
	xsetbv
.endm

/* 32-bit general registers (all but esp), for real and protected mode. */
.macro FILL_GPR32
	movl $0x11111111, %eax
	movl $0x22222222, %ebx
	movl $0x33333333, %ecx
	movl $0x44444444, %edx
	movl $0x55555555, %esi
	movl $0x66666666, %edi
	movl $0x77777777, %ebp
.endm

/*
 * An FXSAVE image: FCW 0x37f, TOP 5 with ST0 = log2(10), ST1 = pi, ST2 = 1
 * (physical registers 5-7 valid: abridged tag 0xe0), MXCSR 0x1f80, XMMn =
 * n0n0.. (low quadword) n1n1.. (high quadword).
 */
.macro DEFINE_FX_IMAGE
	.balign 16
fx_image:
	.word 0x037f, 0x2800
	.byte 0xe0, 0
	.word 0
	.long 0, 0, 0, 0, 0x1f80, 0xffff
	.quad 0xd49a784bcd1b8afe, 0x4000
	.quad 0xc90fdaa22168c235, 0x4000
	.quad 0x8000000000000000, 0x3fff
	.fill 5 * 16, 1, 0
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf
	.quad 0x0101010101010101 * (\n * 16), 0x0101010101010101 * (\n * 16 + 1)
	.endr
	.fill 6 * 16, 1, 0
.endm

/* The start of every 64-bit cpumode guest: its values loaded, long mode, "msg" printed. */
.macro LONG_MODE_GUEST_START
	GUEST_ENTRY
	PARK_APS
	FILL_FPU_SSE_DR
	ENTER_PROTECTED_MODE
	ENTER_LONG_MODE
	movl $msg, %esi
	call puts64
.endm

#endif
