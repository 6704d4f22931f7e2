/* Test guest: real mode with known values in every register, prints "real ready", halts. */
#include "cpumode.h"

	GUEST_ENTRY
	PARK_APS
	movw $msg, %si
	call puts
	FILL_FPU_SSE_DR
	movw $0x100, %ax /* segment bases 0x1000.. */
	movw %ax, %ds
	movw $0x200, %ax
	movw %ax, %es
	movw $0x300, %ax
	movw %ax, %fs
	movw $0x400, %ax
	movw %ax, %gs
	FILL_GPR32
	HALT_FOREVER

	DEFINE_PUTS puts
	DEFINE_FX_IMAGE
msg:	.asciz "real ready\r\n"

	.section .note.GNU-stack, "", @progbits
