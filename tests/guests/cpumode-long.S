/* Test guest: 64-bit long mode (identity 2 MiB) with known register values and FS/GS bases, prints "long ready", halts. */
#include "cpumode.h"

#define MSR_FS_BASE     0xc0000100
#define MSR_GS_BASE     0xc0000101

	LONG_MODE_GUEST_START
	xorl %eax, %eax /* a null ES: KVM calls it unusable */
	movl %eax, %es
	movl $MSR_FS_BASE, %ecx
	movl $0x12345000, %eax
	movl $0x7f, %edx
	wrmsr
	movl $MSR_GS_BASE, %ecx
	movl $0x6789a000, %eax
	movl $0xffff8000, %edx
	wrmsr
	movabsq $0x1111111111111111, %rax
	movabsq $0x2222222222222222, %rbx
	movabsq $0x3333333333333333, %rcx
	movabsq $0x4444444444444444, %rdx
	movabsq $0x5555555555555555, %rsi
	movabsq $0x6666666666666666, %rdi
	movabsq $0x7777777777777777, %rbp
	movabsq $0x8888888888888888, %r8
	movabsq $0x9999999999999999, %r9
	movabsq $0xaaaaaaaaaaaaaaaa, %r10
	movabsq $0xbbbbbbbbbbbbbbbb, %r11
	movabsq $0xcccccccccccccccc, %r12
	movabsq $0xdddddddddddddddd, %r13
	movabsq $0xeeeeeeeeeeeeeeee, %r14
	movabsq $0xffffffffffffffff, %r15
	HALT_FOREVER

	DEFINE_PUTS puts64
	.code16
	DEFINE_GDT
	DEFINE_FX_IMAGE
msg:	.asciz "long ready\r\n"

	.section .note.GNU-stack, "", @progbits
