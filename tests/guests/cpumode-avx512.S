/* Test guest: 64-bit long mode with AVX-512 enabled (XCR0 = x87|SSE|AVX|opmask|ZMM), prints "avx512 ready", halts. */
#include "cpumode.h"

	LONG_MODE_GUEST_START
	SET_XCR0 0xe7 /* the vector registers keep fx_image's XMM values: VEX/EVEX code fails in kvm_pvm's emulator */
	HALT_FOREVER

	DEFINE_PUTS puts64
	.code16
	DEFINE_GDT
	DEFINE_FX_IMAGE
msg:	.asciz "avx512 ready\r\n"

	.section .note.GNU-stack, "", @progbits
