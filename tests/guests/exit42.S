/* Test guest: prints "exit guest" on the UART, then writes 0x2a to the exit port (exit status 85). */
#include "guest.h"

	GUEST_ENTRY
	PARK_APS
	movw $msg, %si
	call puts
	movb $0x2a, %al
	movw $EXIT_PORT, %dx
	outb %al, %dx
	HALT_FOREVER                    /* not reached when the exit port works */

	DEFINE_PUTS puts
msg:	.asciz "exit guest\r\n"

	.section .note.GNU-stack, "", @progbits
