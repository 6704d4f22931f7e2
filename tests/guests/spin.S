/* Test guest: prints "spin guest", then every vCPU spins incrementing a u32 forever with no exits. */
#include "guest.h"

/*
 * vCPU 0 counts in the u32 at 0x500 (zeroed first); vCPU i > 0 counts in the
 * u32 at 0x600 + 4 * i.  Nothing in the loop causes a VM exit.
 */
	GUEST_ENTRY
	testw %bx, %bx
	jnz 1f
	movl $0, HEARTBEAT
	movw $msg, %si
	call puts
	movw $HEARTBEAT, %bx
	jmp 2f
1:	shlw $2, %bx
	addw $0x600, %bx
2:	incl (%bx)
	jmp 2b

	DEFINE_PUTS puts
msg:	.asciz "spin guest\r\n"

	.section .note.GNU-stack, "", @progbits
