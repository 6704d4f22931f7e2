/* Every device type, each defined in its own file under vmm/dev/: one line per type (QEMU's
 * name in the comment). Included by vmm/object-types.c for its table; no include guard. */
DEVICE(isabus_bridge_type)  /* isabus-bridge: makes isa.0 */
DEVICE(pit_common_type)	    /* pit-common (abstract) */
DEVICE(kvm_pit_type)	    /* kvm-pit */
DEVICE(ioapic_common_type)  /* ioapic-common (abstract) */
DEVICE(kvm_ioapic_type)	    /* kvm-ioapic */
DEVICE(isa_serial_type)	    /* isa-serial */
DEVICE(isa_debugcon_type)   /* isa-debugcon */
DEVICE(isa_debug_exit_type) /* isa-debug-exit */
DEVICE(i8042_type)	    /* i8042 */
DEVICE(acpi_ged_type)	    /* acpi-ged */
DEVICE(pci_host_bridge_type) /* pci-host-bridge (abstract) */
DEVICE(i440fx_pcihost_type) /* i440FX-pcihost: makes pci.0 */
DEVICE(pci_device_type)	    /* pci-device (abstract) */
DEVICE(edu_type)	    /* edu */
DEVICE(pci_testdev_type)    /* pci-testdev */
