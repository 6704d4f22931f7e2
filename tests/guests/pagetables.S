/* Test guest: enters long mode with a known 4-level page-table map (for gva2gpa tests), prints "paging ready", halts. */
#include "guest.h"

/*
 * Page tables (guest-physical):
 *   0x10000 PML4   [0] -> PDPT
 *   0x11000 PDPT   [0] -> PD0, [1] -> PD1, [2] = 1 GiB page at phys 0
 *   0x12000 PD0    [0] -> PT0
 *   0x13000 PT0    4 KiB pages: virt i*4K -> phys i*4K for i < 512, except
 *                  virt 0x7000 -> phys 0x5000 and virt 0x8000 -> phys 0x3000
 *   0x14000 PD1    [0] = 2 MiB page at phys 0x200000 (virt 0x40000000)
 * So: virt 0..2 MiB ~ identity (but 0x7000, 0x8000), virt 0x40000000 ->
 * phys 0x200000 (2 MiB), virt 0x80000000 -> phys 0 (1 GiB).
 * Patterns: phys 0x5000 "PHYS-0x5000-DATA", phys 0x3000 "PHYS-0x3000-DATA".
 * The image must end below 0x3000; the stack is at 0x9000 (identity page).
 */
#define PML4            0x10000
#define PDPT            0x11000
#define PD0             0x12000
#define PT0             0x13000
#define PD1             0x14000
#define PTE_P_W         0x003           /* present, writable */
#define PTE_PS          0x080           /* large page */

	GUEST_ENTRY
	PARK_APS
	ENTER_PROTECTED_MODE

	/* clear the five table pages */
	movl $PML4, %edi
	movl $(5 * 4096 / 4), %ecx
	xorl %eax, %eax
	rep stosl

	/* PT0: identity for the first 2 MiB */
	movl $PT0, %edi
	movl $PTE_P_W, %eax
1:	movl %eax, (%edi)
	addl $8, %edi
	addl $0x1000, %eax
	cmpl $(PT0 + 4096), %edi
	jb 1b
	movl $(0x5000 | PTE_P_W), PT0 + 7 * 8
	movl $(0x3000 | PTE_P_W), PT0 + 8 * 8

	movl $(PT0 | PTE_P_W), PD0
	movl $(0x200000 | PTE_PS | PTE_P_W), PD1
	movl $(PD0 | PTE_P_W), PDPT
	movl $(PD1 | PTE_P_W), PDPT + 8
	movl $(0 | PTE_PS | PTE_P_W), PDPT + 16
	movl $(PDPT | PTE_P_W), PML4

	/* the patterns behind the remapped pages */
	movl $pattern5, %esi
	movl $0x5000, %edi
	movl $4, %ecx
	rep movsl
	movl $pattern3, %esi
	movl $0x3000, %edi
	movl $4, %ecx
	rep movsl

	/* long mode: PAE, CR3, EFER.LME, paging, then a 64-bit code segment */
	LONG_MODE_ON PML4, long64

	.code64
long64:
	/* check the two remapped 4 KiB pages through their virtual addresses */
	movl $s_bad, %esi
	movq 0x7000, %rax
	cmpq pattern5, %rax
	jne 2f
	movq 0x8000, %rax
	cmpq pattern3, %rax
	jne 2f
	movl $s_ready, %esi
2:	call puts64
	HALT_FOREVER

	DEFINE_PUTS puts64
	.code16
	DEFINE_GDT

pattern5:	.ascii "PHYS-0x5000-DATA"
pattern3:	.ascii "PHYS-0x3000-DATA"
s_ready:	.asciz "paging ready\r\n"
s_bad:		.asciz "paging BAD: remapped pages do not hold their patterns\r\n"
image_end:

	.section .note.GNU-stack, "", @progbits
