/* Test guest: long mode, prints "ring3 guest", then vCPU 0 counts at 0x500 in ring 3; an exception prints its vector. */
#include "cpumode.h"

/*
 * The identity 2 MiB page of ENTER_LONG_MODE made user-accessible (U/S at every
 * level); user code and data (DPL 3) in the GDT; iretq drops to ring 3 with
 * interrupts off, into a loop that never exits (kvm_pvm runs it natively).
 * Every exception vector (IDT at 0x13000, stack from the TSS at 0x13800) prints
 * "guest exception 0xNN" and halts: an int3 or #DB the VMM lets through shows.
 */
#define PTE_P_W_U       0x007
#define PTE_PS          0x080
#define IDT             0x13000
#define TSS             0x13800
#define TSS_SIZE        104
#define RSP0            0x7000
#define USER_STACK      0x8000
#define SEL_TSS         0x20
#define SEL_UDATA       (0x30 | 3)
#define SEL_UCODE64     (0x38 | 3)
#define GATE_INTR64     0x8e00          /* present, DPL 0, 64-bit interrupt gate */
#define STUB_SIZE       8

	GUEST_ENTRY
	PARK_APS
	ENTER_PROTECTED_MODE
	ENTER_LONG_MODE
	movl $msg, %esi
	call puts64
	movl $(LM_PDPT | PTE_P_W_U), LM_PML4
	movl $(LM_PD | PTE_P_W_U), LM_PDPT
	movl $(PTE_PS | PTE_P_W_U), LM_PD
	movq %cr3, %rax
	movq %rax, %cr3                 /* flush the TLB */

	/* 32 interrupt gates to exc_stubs */
	movl $IDT, %edi
	movl $exc_stubs, %eax
	movl $32, %ecx
1:	movw %ax, (%rdi)
	movw $SEL_CODE64, 2(%rdi)
	movw $GATE_INTR64, 4(%rdi)
	movw $0, 6(%rdi)
	movq $0, 8(%rdi)
	addl $STUB_SIZE, %eax
	addl $16, %edi
	loop 1b
	lidt idt_desc

	movl $TSS, %edi
	movl $TSS_SIZE, %ecx
	xorl %eax, %eax
	rep stosb
	movq $RSP0, TSS + 4
	movw $TSS_SIZE, TSS + 102       /* no I/O bitmap */
	movw $SEL_TSS, %ax
	ltr %ax

	movl $0, HEARTBEAT
	pushq $SEL_UDATA
	pushq $USER_STACK
	pushq $0x2                      /* rflags: IF clear */
	pushq $SEL_UCODE64
	pushq $user
	iretq

	/* ring 3 */
user:	movl $HEARTBEAT, %ebx
ring3_inc:
	incl (%rbx)
	jmp ring3_inc

	/* exception N: al = N */
	.balign STUB_SIZE
exc_stubs:
	.set vec, 0
	.rept 32
	movb $vec, %al
	jmp exc_common
	.balign STUB_SIZE
	.set vec, vec + 1
	.endr
exc_common:
	movzbl %al, %eax
	movl %eax, %ecx
	shrl $4, %ecx
	movb hex(%rcx), %dl
	movb %dl, exc_vec
	andl $15, %eax
	movb hex(%rax), %dl
	movb %dl, exc_vec + 1
	movl $exc_msg, %esi
	call puts64
	HALT_FOREVER

	DEFINE_PUTS puts64
	.code16
	/* TSS (64-bit available, limit TSS_SIZE - 1), user data, 64-bit user code */
	DEFINE_GDT 0x0000890000000000 | (TSS_SIZE - 1) | ((TSS & 0xffffff) << 16), 0, 0x00cff2000000ffff, 0x00affa000000ffff
idt_desc:
	.word 32 * 16 - 1
	.quad IDT
hex:	.ascii "0123456789abcdef"
msg:	.asciz "ring3 guest\r\n"
exc_msg:
	.ascii "guest exception 0x"
exc_vec:
	.asciz "??\r\n"

	.section .note.GNU-stack, "", @progbits
