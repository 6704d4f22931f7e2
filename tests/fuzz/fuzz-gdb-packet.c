/* libFuzzer target: the gdb stub's framing (vmm/gdb-packet.c): a byte stream cut into packets, each
 * one's numbers, hex and binary data decoded, and every payload framed and parsed back intact. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/gdb-packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gdb_rx rx, back;

/* What the stub does with a packet's arguments: "ADDR,LEN:DATA" read as hex, binary and numbers. */
static void decode(char *pkt, size_t len)
{
	static uint8_t buf[GDB_MAX_PACKET];
	const char *p = pkt + (len > 0);
	uint64_t a;

	if (gdb_hex_num(&p, ",:;=", &a) && *p)
		gdb_hex_num(&(const char *){ p + 1 }, ":", &a);
	gdb_unhex(pkt, buf, len / 2);
	gdb_unescape(pkt, len);
}

/* gdb_frame() output parses back to the same payload. */
static void roundtrip(const char *payload, size_t len)
{
	static char frame[2 * GDB_MAX_PACKET + 8];
	size_t n = gdb_frame(payload, len, frame), i;
	enum gdb_rx_event ev = GDB_RX_NONE;
	char copy[GDB_MAX_PACKET + 1];

	memset(&back, 0, sizeof(back));
	for (i = 0; i < n; i++)
		ev = gdb_rx_byte(&back, (uint8_t)frame[i]);
	if (ev != GDB_RX_PACKET)
		abort();
	memcpy(copy, back.buf, back.len);
	if (gdb_unescape(copy, back.len) != len || memcmp(copy, payload, len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char pkt[GDB_MAX_PACKET + 1];
	size_t i;

	memset(&rx, 0, sizeof(rx));
	for (i = 0; i < size; i++) {
		if (gdb_rx_byte(&rx, data[i]) != GDB_RX_PACKET)
			continue;
		memcpy(pkt, rx.buf, rx.len + 1);
		roundtrip(pkt, rx.len);
		decode(pkt, rx.len);
	}
	if (size <= GDB_MAX_PACKET)
		roundtrip((const char *)data, size);
	return 0;
}
