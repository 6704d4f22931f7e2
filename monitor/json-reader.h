/* The streaming QMP reader: a byte stream to JSON values within QEMU's limits; json-c parses. */
#ifndef MONITOR_JSON_READER_H
#define MONITOR_JSON_READER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* QEMU's json-streamer.c limits. */
#define JSON_READER_MAX_DEPTH  1024
#define JSON_READER_MAX_BYTES  (64u << 20)
#define JSON_READER_MAX_TOKENS (2u << 20)

/*
 * Gets each complete top-level value (obj, which the callee owns; NULL is a
 * JSON null) with error NULL, or the error message QEMU would send for what
 * was read. Returns false to make json_reader_feed() stop after this value.
 */
typedef bool (*json_reader_fn)(void *opaque, json_object *obj, const char *error);

struct json_reader {
	struct json_tokener *tok;
	/* the scanner in front of json-c, on the value being read */
	bool in_value;
	bool skipping; /* after an error: eat the rest of this value, then resync */
	int depth;
	unsigned char quote; /* the open string's quote, 0 outside strings */
	bool escape;
	bool after_comma; /* the last token was ',': a closer now is a trailing comma */
	/* inside a string: a raw UTF-8 sequence, a \uXXXX escape, a high surrogate's pair */
	uint8_t u8_left, hex_left;
	uint32_t u8_cp, u8_min, hex_val;
	char esc[8], high[8]; /* "\ud800" as written, for the error message */
	char msg[64];
	size_t bytes, tokens, colons;
	/* the number or keyword being read */
	int bare;
	char word[24];
	size_t word_len;
	uint64_t mag;
	bool neg, overflow;
};

bool json_reader_init(struct json_reader *r);
void json_reader_destroy(struct json_reader *r);
/*
 * Reads len bytes of the stream: calls fn for every value or error completed
 * in them and returns how many bytes were consumed (len unless fn said stop).
 */
size_t json_reader_feed(struct json_reader *r, const char *buf, size_t len, json_reader_fn fn,
			void *opaque);
/*
 * QEMU's qobject_from_json(): text must hold exactly one JSON value. Returns true with it in
 * *value (NULL for a JSON null; the caller owns it), or false with QEMU's message in err.
 */
bool json_parse_text(const char *text, json_object **value, char *err, size_t errlen);

#endif
