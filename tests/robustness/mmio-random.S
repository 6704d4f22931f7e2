/* Robustness guest: 20 000 random byte/dword reads and writes at guest-physical addresses outside RAM (LFSR), then "random mmio done". */
#include "guest.h"

#define ROUNDS 20000

	GUEST_ENTRY
	PARK_APS
	ENTER_PROTECTED_MODE

	movl $0x12345678, %edi          /* xorshift32 state */
	movl $ROUNDS, %ecx
1:	movl %edi, %eax                 /* xorshift32: x ^= x << 13; x ^= x >> 17; x ^= x << 5 */
	shll $13, %eax
	xorl %eax, %edi
	movl %edi, %eax
	shrl $17, %eax
	xorl %eax, %edi
	movl %edi, %eax
	shll $5, %eax
	xorl %eax, %edi
	movl %edi, %eax
	orl $0x80000000, %eax           /* above any RAM the tests give (at most 2 GiB) */
	andl $0xfffffffc, %eax
	movl %eax, %edx                 /* skip the in-kernel IOAPIC/HPET/LAPIC window */
	andl $0xff000000, %edx
	cmpl $0xfe000000, %edx
	je 2f
	testl $1, %edi                  /* bit 0: dword or byte; bit 1: read or write */
	jz 3f
	testl $2, %edi
	jz 4f
	movl (%eax), %edx
	jmp 2f
4:	movl %edi, (%eax)
	jmp 2f
3:	testl $2, %edi
	jz 5f
	movb (%eax), %dl
	jmp 2f
5:	movb %cl, (%eax)
2:	incl HEARTBEAT
	loop 1b

	movl $s_done, %esi
	call puts32
	HALT_FOREVER

	DEFINE_PUTS puts32
	DEFINE_GDT

s_done:	.asciz "random mmio done\r\n"

	.section .note.GNU-stack, "", @progbits
