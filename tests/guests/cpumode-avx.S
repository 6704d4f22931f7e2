/* Test guest: 64-bit long mode with AVX enabled (XCR0 = x87|SSE|AVX), prints "avx ready", halts. */
#include "cpumode.h"

	LONG_MODE_GUEST_START
	SET_XCR0 0x07 /* the vector registers keep fx_image's XMM values: VEX/EVEX code fails in kvm_pvm's emulator */
	HALT_FOREVER

	DEFINE_PUTS puts64
	.code16
	DEFINE_GDT
	DEFINE_FX_IMAGE
msg:	.asciz "avx ready\r\n"

	.section .note.GNU-stack, "", @progbits
