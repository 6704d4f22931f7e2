/* gdb remote protocol framing: packets, checksums, acks, Ctrl-C, binary escapes and hex. */
#ifndef VMM_GDB_PACKET_H
#define VMM_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDB_MAX_PACKET 4096 /* PacketSize (QEMU's MAX_PACKET_LENGTH) */

enum gdb_rx_event {
	GDB_RX_NONE,	  /* more bytes needed */
	GDB_RX_PACKET,	  /* rx->buf holds rx->len bytes of a packet with a good checksum */
	GDB_RX_BAD,	  /* a packet with a bad checksum, or longer than GDB_MAX_PACKET */
	GDB_RX_INTERRUPT, /* Ctrl-C (0x03) between packets */
	GDB_RX_ACK,	  /* '+' */
	GDB_RX_NACK,	  /* '-': the last packet sent must go again */
};

struct gdb_rx {
	int state;
	char buf[GDB_MAX_PACKET + 1]; /* NUL-terminated */
	size_t len;
	bool overflow;
	uint8_t sum, csum;
};

/* Feeds one byte; says what it completed. */
enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t c);

/*
 * Frames payload as $payload#cs into out (room for 2 * len + 4 bytes), escaping '$', '#', '}'
 * and '*'. Returns the frame's length.
 */
size_t gdb_frame(const void *payload, size_t len, char *out);
/* Undoes the '}' escapes of an X packet's data in place; returns the decoded length. */
size_t gdb_unescape(char *buf, size_t len);

/* Lower-case hex of len bytes into out (2 * len characters, NUL-terminated). */
void gdb_hex(const void *buf, size_t len, char *out);
/* Decodes exactly 2 * len hex digits of hex into buf; false on a non-hex digit. */
bool gdb_unhex(const char *hex, void *buf, size_t len);
/* A hex number up to a separator in seps (or the end): false when empty, bad or over 64 bits. */
bool gdb_hex_num(const char **p, const char *seps, uint64_t *val);

#endif
