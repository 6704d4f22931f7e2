/* Test guest: prints "hlt guest", then halts with interrupts off forever (NMIs are counted at 0x50c). */
#include "guest.h"

	GUEST_ENTRY
	PARK_APS
	movw $msg, %si
	call puts
	HALT_FOREVER

	DEFINE_PUTS puts
msg:	.asciz "hlt guest\r\n"

	.section .note.GNU-stack, "", @progbits
