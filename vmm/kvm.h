/* Opening /dev/kvm and creating the VM with its in-kernel irqchip and PIT. */
#ifndef VMM_KVM_H
#define VMM_KVM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

/* The in-kernel interrupt controllers and PIT at power-on, restored on reset. */
struct kvm_reset_state {
	struct kvm_irqchip chips[3]; /* PIC master, PIC slave, IOAPIC */
	struct kvm_pit_state2 pit;
};

/*
 * Opens /dev/kvm, checks API version 12 and the capabilities we rely on,
 * creates the VM, its irqchip and PIT. Prints one line on failure; returns
 * false then.
 */
bool kvm_open(int nr_vcpus, int *kvm_fd, int *vm_fd, int *run_size, struct kvm_cpuid2 **cpuid);
int kvm_save_reset_state(int vm_fd, struct kvm_reset_state *st);
int kvm_restore_reset_state(int vm_fd, const struct kvm_reset_state *st);

#endif
