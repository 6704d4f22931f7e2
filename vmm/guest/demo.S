/* tinyvmm demo guest: each vCPU says it is online on the UART, then vCPU 0 prints a heartbeat every 200 ms. */

/*
 * Flat binary loaded at 0x1000; every vCPU starts here in real mode
 * (CS:IP = 0000:1000) at the same time.  See docs/guest-abi.md.
 *
 * Memory it uses, all guest-physical:
 *   0x0008  IVT[2]  -> GUEST_ENTRY's NMI counter (every vCPU writes the same value)
 *   0x0020  IVT[8]  -> tick   (IRQ0 once the master PIC's base is 0x08)
 *   0x0500  u32 heartbeat counter, zeroed at boot, +1 every 20 ticks
 *   0x0504  u32 mailbox: when non-zero, printed and cleared by vCPU 0
 *   0x0508  u8  UART line lock (xchg spinlock)
 *   0x050c  u32 NMI counter (incremented by the NMI handler on any vCPU)
 *   0x1000  this image
 *   0x5100..0x9000  stacks: vCPU i uses SP = 0x9000 - i * 0x100 (i < 64)
 */

#include "guest-abi.h"

#define MAILBOX         0x504
#define LINE_LOCK       0x508

#define PIC1_CMD        0x20
#define PIC1_DATA       0x21
#define PIC2_CMD        0xa0
#define PIC2_DATA       0xa1
#define PIC_EOI         0x20

#define PIT_CH0         0x40
#define PIT_MODE        0x43
#define PIT_DIVISOR     11932   /* 1193182 Hz / 11932 = 100 Hz */
#define TICKS_PER_BEAT  20      /* 200 ms */

#define IVT(v)          ((v) * 4)

	GUEST_ENTRY                     /* bx = vCPU index, ZF set on vCPU 0 */
	jnz ap

	/* vCPU 0: reset the shared words, announce, let the APs go. */
	movl $0, HEARTBEAT
	movb $0, LINE_LOCK
	movw $0, ticks
	call line_lock
	movw $s_banner, %si
	call puts
	call online
	call line_unlock
	movb $1, banner_done

	/* IRQ0 -> vector 8 -> tick. */
	movw $tick, IVT(8)
	movw $0, IVT(8) + 2

	/* PIC pair: ICW1..ICW4, master base 0x08, slave base 0x70, only IRQ0 unmasked. */
	movb $0x11, %al
	outb %al, $PIC1_CMD
	outb %al, $PIC2_CMD
	movb $0x08, %al
	outb %al, $PIC1_DATA
	movb $0x70, %al
	outb %al, $PIC2_DATA
	movb $0x04, %al                 /* slave on IRQ2 */
	outb %al, $PIC1_DATA
	movb $0x02, %al                 /* slave cascade identity */
	outb %al, $PIC2_DATA
	movb $0x01, %al                 /* 8086 mode */
	outb %al, $PIC1_DATA
	outb %al, $PIC2_DATA
	movb $0xfe, %al
	outb %al, $PIC1_DATA
	movb $0xff, %al
	outb %al, $PIC2_DATA

	/* PIT channel 0: lobyte/hibyte, mode 2 (rate generator), 100 Hz. */
	movb $0x34, %al
	outb %al, $PIT_MODE
	movb $(PIT_DIVISOR & 0xff), %al
	outb %al, $PIT_CH0
	movb $(PIT_DIVISOR >> 8), %al
	outb %al, $PIT_CH0
	sti

idle:
	hlt
	cmpw $TICKS_PER_BEAT, ticks
	jb 1f
	subw $TICKS_PER_BEAT, ticks     /* one instruction: atomic against tick */
	incl HEARTBEAT
	call line_lock
	movw $s_heartbeat, %si
	call puts
	movl HEARTBEAT, %eax
	call putdec
	movw $s_crlf, %si
	call puts
	call line_unlock
1:	cmpl $0, MAILBOX
	je idle
	xorl %ebx, %ebx
	xchgl %ebx, MAILBOX             /* read and clear at once */
	call line_lock
	movw $s_mailbox, %si
	call puts
	call puthex
	movw $s_crlf, %si
	call puts
	call line_unlock
	jmp idle

	/* APs: wait for the banner, announce, halt with interrupts off. */
ap:
	cmpb $0, banner_done
	jne 1f
	pause
	jmp ap
1:	call line_lock
	call online
	call line_unlock
	cli
2:	hlt
	jmp 2b

/* IRQ0: count the tick and acknowledge the PIC. */
tick:
	incw %cs:ticks
	pushw %ax
	movb $PIC_EOI, %al
	outb %al, $PIC1_CMD
	popw %ax
	iret

/* Print "cpu <bx> online\r\n". */
online:
	movw $s_cpu, %si
	call puts
	movzwl %bx, %eax
	call putdec
	movw $s_online, %si
	jmp puts

/* Take the UART line lock; clobbers al. */
line_lock:
	movb $1, %al
	xchgb %al, LINE_LOCK
	testb %al, %al
	jz 2f
1:	pause
	cmpb $0, LINE_LOCK
	jne 1b
	jmp line_lock
2:	ret

line_unlock:
	movb $0, LINE_LOCK
	ret

/* Print eax in decimal; clobbers eax, ecx, edx. */
putdec:
	movl $10, %ecx
	pushw $0                        /* end marker below the digits */
1:	xorl %edx, %edx
	divl %ecx
	addb $'0', %dl
	pushw %dx
	testl %eax, %eax
	jnz 1b
2:	popw %ax
	testb %al, %al
	jz 3f
	call putc
	jmp 2b
3:	ret

/* Print ebx as 8 lowercase hex digits; clobbers ax, cx, dx. */
puthex:
	movw $8, %cx
1:	roll $4, %ebx
	movb %bl, %al
	andb $0x0f, %al
	addb $'0', %al
	cmpb $'9', %al
	jbe 2f
	addb $('a' - '0' - 10), %al
2:	call putc
	loop 1b
	ret

/* Print the NUL-terminated string at si; clobbers ax, dx, si. */
puts:
	lodsb
	testb %al, %al
	jz 1f
	call putc
	jmp puts
1:	ret

/* Print al once the transmitter holding register is empty; clobbers ah, dx. */
putc:
	movb %al, %ah
	movw $UART_LSR, %dx
1:	inb %dx, %al
	testb $LSR_THRE, %al
	jz 1b
	movb %ah, %al
	movw $UART_THR, %dx
	outb %al, %dx
	ret

s_banner:       .asciz "tinyvmm demo guest\r\n"
s_cpu:          .asciz "cpu "
s_online:       .asciz " online\r\n"
s_heartbeat:    .asciz "heartbeat "
s_mailbox:      .asciz "mailbox 0x"
s_crlf:         .asciz "\r\n"

	.balign 2
ticks:          .word 0
banner_done:    .byte 0

	.section .note.GNU-stack, "", @progbits
