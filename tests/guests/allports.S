/* Test guest: writes then reads every I/O port but the UART/exit/debug ones, then touches MMIO outside RAM, then exits with status 1. */
#include "guest.h"

	GUEST_ENTRY
	PARK_APS

	/* out 0 to every port 0x0000..0xffff except the excluded ones */
	xorw %dx, %dx
1:	call excluded
	jc 2f
	xorb %al, %al
	outb %al, %dx
2:	incw %dx
	jnz 1b

	/* then in from every one of them */
3:	call excluded
	jc 4f
	inb %dx, %al
4:	incw %dx
	jnz 3b

	movw $s_ports, %si
	call puts16

	ENTER_PROTECTED_MODE
	/* read and write back each address outside RAM: dword, then byte */
	movl $mmio_addrs, %esi
	movl $(mmio_addrs_end - mmio_addrs) / 4, %ecx
5:	lodsl
	movl (%eax), %edx
	movl %edx, (%eax)
	movb (%eax), %dl
	movb %dl, (%eax)
	loop 5b

	movl $s_mmio, %esi
	call puts32
	xorb %al, %al
	movw $EXIT_PORT, %dx
	outb %al, %dx                   /* exit status (0 << 1) | 1 = 1 */
	HALT_FOREVER

	.code16
/* CF set when port dx must not be touched: 0x501-0x502, 0x3f8-0x3ff, 0xe9.  Clobbers ax. */
excluded:
	movw %dx, %ax
	subw $EXIT_PORT, %ax
	cmpw $2, %ax
	jb 1f
	movw %dx, %ax
	subw $UART_THR, %ax
	cmpw $8, %ax
	jb 1f
	cmpw $DEBUG_PORT, %dx
	je 2f
	clc
1:	ret
2:	stc
	ret

	DEFINE_PUTS puts16
	.code32
	DEFINE_PUTS puts32
	DEFINE_GDT

	.balign 4
mmio_addrs:
	.long 0x80000000, 0xa0000000, 0xc0000000, 0xd0000000
	.long 0xe0000000, 0xe0001000, 0xf0000000, 0xfe000000
	.long 0xfebff000, 0xfed00000, 0xfffff000, 0xfffffffc
mmio_addrs_end:

s_ports:	.asciz "ports done\r\n"
s_mmio:		.asciz "mmio done\r\n"

	.section .note.GNU-stack, "", @progbits
