/* Opening /dev/kvm and creating the VM, then its in-kernel irqchip and PIT. */
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
 * creates the VM. Prints one line on failure; returns false then.
 */
bool kvm_open(int nr_vcpus, int *kvm_fd, int *vm_fd, int *run_size, struct kvm_cpuid2 **cpuid);
/*
 * Creates the VM's in-kernel irqchip and PIT; prints one line on failure. Call it after guest
 * RAM's memory slots are in: on some hosts the first slot added after the irqchip waits 4-10 ms
 * in the kernel (on a PVM host, VM to first KVM_RUN took 7.9 ms median that way, 0.65 ms this
 * way, with or without MADV_HUGEPAGE on the RAM).
 */
bool kvm_create_irqchip(int vm_fd);
int kvm_save_reset_state(int vm_fd, struct kvm_reset_state *st);
int kvm_restore_reset_state(int vm_fd, const struct kvm_reset_state *st);

#endif
