/* Test guest: 32-bit protected mode (no paging) with known register values, prints "pm32 ready", halts. */
#include "cpumode.h"

	GUEST_ENTRY
	PARK_APS
	FILL_FPU_SSE_DR
	ENTER_PROTECTED_MODE
	movl $msg, %esi
	call puts32
	FILL_GPR32
	HALT_FOREVER

	DEFINE_PUTS puts32
	.code16
	DEFINE_GDT
	DEFINE_FX_IMAGE
msg:	.asciz "pm32 ready\r\n"

	.section .note.GNU-stack, "", @progbits
