/* gdb remote protocol framing: packets, checksums, acks, Ctrl-C, binary escapes and hex. */
#include "vmm/gdb-packet.h"

#include <string.h>

enum { RX_IDLE, RX_DATA, RX_CSUM1, RX_CSUM2 };

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t c)
{
	int h;

	switch (rx->state) {
	case RX_IDLE:
		if (c == '$') {
			rx->state = RX_DATA;
			rx->len = 0;
			rx->sum = 0;
			rx->overflow = false;
			return GDB_RX_NONE;
		}
		return c == 0x03  ? GDB_RX_INTERRUPT
		       : c == '+' ? GDB_RX_ACK
		       : c == '-' ? GDB_RX_NACK
				  : GDB_RX_NONE; /* noise between packets */
	case RX_DATA:
		if (c == '#') {
			rx->state = RX_CSUM1;
			return GDB_RX_NONE;
		}
		rx->sum += c;
		if (rx->len < GDB_MAX_PACKET)
			rx->buf[rx->len++] = (char)c;
		else
			rx->overflow = true;
		return GDB_RX_NONE;
	case RX_CSUM1:
		h = hexval(c);
		rx->csum = (uint8_t)(h < 0 ? 0 : h << 4);
		rx->overflow |= h < 0;
		rx->state = RX_CSUM2;
		return GDB_RX_NONE;
	default:
		h = hexval(c);
		rx->state = RX_IDLE;
		rx->buf[rx->len] = '\0';
		if (h < 0 || rx->overflow || (uint8_t)(rx->csum | h) != rx->sum)
			return GDB_RX_BAD;
		return GDB_RX_PACKET;
	}
}

size_t gdb_frame(const void *payload, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = payload;
	uint8_t sum = 0;
	size_t i, n = 0;

	out[n++] = '$';
	for (i = 0; i < len; i++) {
		uint8_t c = p[i];

		if (c == '$' || c == '#' || c == '}' || c == '*') {
			out[n++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[n++] = (char)c;
		sum += c;
	}
	out[n++] = '#';
	out[n++] = digits[sum >> 4];
	out[n++] = digits[sum & 15];
	return n;
}

size_t gdb_unescape(char *buf, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		buf[n++] = buf[i] == '}' && i + 1 < len ? (char)(buf[++i] ^ 0x20) : buf[i];
	return n;
}

void gdb_hex(const void *buf, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

bool gdb_unhex(const char *hex, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		int hi = hexval(hex[2 * i]), lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);

		if (lo < 0)
			return false;
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool gdb_hex_num(const char **p, const char *seps, uint64_t *val)
{
	const char *s = *p;
	uint64_t v = 0;
	int h;

	for (; *s && !strchr(seps, *s); s++) {
		h = hexval(*s);
		if (h < 0 || v >> 60)
			return false;
		v = v << 4 | (uint64_t)h;
	}
	if (s == *p)
		return false;
	*p = s;
	*val = v;
	return true;
}
