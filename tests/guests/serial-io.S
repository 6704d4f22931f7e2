/*
 * Test guest for the serial port's flow: waits for a first byte on the UART, then by that byte
 *   'O': writes 'x' to the UART forever, polling LSR.THRE before each byte (output flood);
 *   'P': the same without polling (a guest that ignores THRE);
 *   'F': clears the receive FIFO once (FCR bit 1, as Linux's 8250 does on open), then echoes;
 *   anything else: echoes it;
 * echoing copies every byte received to the debug console (port 0xe9).
 */
#include "guest.h"

#define UART_RBR 0x3f8
#define UART_FCR 0x3fa
#define LSR_DR   0x01

	GUEST_ENTRY
	PARK_APS
	call getc
	cmpb $'O', %al
	je flood
	cmpb $'P', %al
	je blast
	cmpb $'F', %al
	jne echo_it
	movb $0x07, %al                 /* FIFO on, clear receive and transmit FIFOs */
	movw $UART_FCR, %dx
	outb %al, %dx
echo:
	call getc
echo_it:
	movw $DEBUG_PORT, %dx
	outb %al, %dx
	jmp echo

flood:
	movw $UART_LSR, %dx
	inb %dx, %al
	testb $LSR_THRE, %al
	jz flood
	movb $'x', %al
	movw $UART_THR, %dx
	outb %al, %dx
	jmp flood

blast:
	movb $'y', %al
	movw $UART_THR, %dx
	outb %al, %dx
	jmp blast

/* al = the next byte received (polls LSR.DR). */
getc:
	movw $UART_LSR, %dx
	inb %dx, %al
	testb $LSR_DR, %al
	jz getc
	movw $UART_RBR, %dx
	inb %dx, %al
	ret

	.section .note.GNU-stack, "", @progbits
