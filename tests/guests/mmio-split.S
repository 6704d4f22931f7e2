/* Test guest: MMIO stores and loads that KVM splits into fragments, in a loop, for test-mmio-split. */
#include "guest.h"

/*
 * In 32-bit protected mode (paging off), over the unclaimed MMIO window
 * MMIO_SPLIT_BASE (the test claims it), each round r = 1, 2, ... (16 bits):
 *   a 4-byte store of r * 0x10001 at +0xffe (2 + 2 bytes, across a page)
 *   rep movsl of two such dwords from RAM to +0x1ffe (2 + 2 bytes across a page,
 *     then 4 bytes: a string instruction the emulator continues)
 *   a 4-byte load at +0xffe, which must read 0x5678_1234 (the test's two halves);
 *     a wrong value counts in the u32 at MMIO_SPLIT_BAD
 * then counts the round in the u32 at HEARTBEAT. (A 16-byte movdqu/movups to
 * MMIO stops kvm_pvm with an emulation failure, so SSE is left out.)
 */
#define MMIO_SPLIT_BASE 0xd0000000
#define MMIO_SPLIT_BAD  0x510

	GUEST_ENTRY
	PARK_APS
	ENTER_PROTECTED_MODE
	movl $0, HEARTBEAT
	movl $0, MMIO_SPLIT_BAD
	xorl %edx, %edx
1:	incw %dx
	movzwl %dx, %eax
	imull $0x10001, %eax
	movl %eax, MMIO_SPLIT_BASE + 0xffe
	movl %eax, src
	movl %eax, src + 4
	movl $src, %esi
	movl $(MMIO_SPLIT_BASE + 0x1ffe), %edi
	movl $2, %ecx
	rep movsl
	movl MMIO_SPLIT_BASE + 0xffe, %eax
	cmpl $0x56781234, %eax
	je 2f
	incl MMIO_SPLIT_BAD
2:	incl HEARTBEAT
	jmp 1b

	.balign 4
src:	.long 0, 0

	DEFINE_GDT

	.section .note.GNU-stack, "", @progbits
