/* Test guest: prints "triple guest", then ud2 with a zero-limit IDT in protected mode: a triple fault (KVM_EXIT_SHUTDOWN). */
#include "guest.h"

	GUEST_ENTRY
	PARK_APS
	movw $msg, %si
	call puts
	ENTER_PROTECTED_MODE
	lidtl empty_idt
	/*
	 * #UD -> #GP (vector past the limit) -> #DF -> shutdown.  Not int3:
	 * kvm_pvm's emulator fails on INT n here (KVM_EXIT_INTERNAL_ERROR),
	 * and in real mode it ignores the IVT limit altogether.
	 */
	ud2
	HALT_FOREVER

	.code16
	DEFINE_PUTS puts
	DEFINE_GDT
empty_idt:
	.word 0
	.long 0
msg:	.asciz "triple guest\r\n"

	.section .note.GNU-stack, "", @progbits
