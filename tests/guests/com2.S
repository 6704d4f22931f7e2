/*
 * Test guest for devices added with -device: prints "com2 hello" on a second UART at 0x2f8, then
 * "ready" on the first; then polls port 0x80 (an isa-debugcon there reads back its "readback")
 * until it reads 0x42, and prints "readback 42" on the first UART.
 */
#include "guest.h"

#define COM2_THR 0x2f8
#define COM2_LSR 0x2fd
#define PROBE	 0x80

	GUEST_ENTRY
	PARK_APS
	movw $hello, %si
com2_next:
	lodsb
	testb %al, %al
	jz com2_done
	movb %al, %ah
	movw $COM2_LSR, %dx
com2_wait:
	inb %dx, %al
	testb $LSR_THRE, %al
	jz com2_wait
	movb %ah, %al
	movw $COM2_THR, %dx
	outb %al, %dx
	jmp com2_next
com2_done:
	movw $ready, %si
	call puts
probe:
	movw $PROBE, %dx
	inb %dx, %al
	cmpb $0x42, %al
	jne probe
	movw $seen, %si
	call puts
	HALT_FOREVER

	DEFINE_PUTS puts
hello:	.asciz "com2 hello\r\n"
ready:	.asciz "ready\r\n"
seen:	.asciz "readback 42\r\n"

	.section .note.GNU-stack, "", @progbits
