/* Embeds demo.bin (found through the assembler's -I path) as demo_guest_start..demo_guest_end. */
	.section .rodata
	.globl demo_guest_start, demo_guest_end
	.type demo_guest_start, @object
	.type demo_guest_end, @object
	.balign 16
demo_guest_start:
	.incbin "demo.bin"
demo_guest_end:
	.size demo_guest_start, demo_guest_end - demo_guest_start
	.size demo_guest_end, 0

	.section .note.GNU-stack, "", @progbits
