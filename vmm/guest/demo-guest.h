/* The demo guest flat binary, embedded into tinyvmm (built from vmm/guest/demo.S). */
#ifndef TINYVMM_DEMO_GUEST_H
#define TINYVMM_DEMO_GUEST_H

/* The image is loaded at guest-physical 0x1000; its size is end - start. */
extern const unsigned char demo_guest_start[];
extern const unsigned char demo_guest_end[];

#endif
