"""Robustness, protocol: truncated, NUL, invalid UTF-8, surrogates, huge and deep values, pipelining, big numbers."""
import json
import sys
import time

from rlib import (GE, QVM, Timer, alive, check, command_id, err, expect, expect_replies,
                  no_more_data, raw_line, reply, send_raw)

sys.setrecursionlimit(20000)

STATUS = {"status": "running", "singlestep": False, "running": True}


def ok(id):
    return {"return": STATUS, "id": id}


def req(id):
    return json.dumps({"execute": "query-status", "id": id}).encode()


def truncated_eof():
    # half a request then EOF: no reply, nothing executed, the server closes its side
    with QVM() as vm:
        q = vm.qmp()
        send_raw(q, b'{"execute": "stop", "id": 1, "arguments": {')
        q.sock.shutdown(1)
        data = q.sock.recv(65536)
        check(data == b"", "EOF and no reply after a truncated request", b"", data)
        q.close()
        alive(vm)  # still running: the half "stop" never ran


def truncated_resync():
    # a truncated request is ended by a control character (the QMP spec's resync)
    with QVM() as vm:
        q = vm.qmp()
        send_raw(q, b'{"execute": "query-sta')
        check(no_more_data(q), "no reply while the request is incomplete")
        expect_replies(q, b"\x01" + req(2), [err("JSON parse error, stray '\x01'"), ok(2)],
                       "control character then a whole request")
        alive(vm, q=q)


def nul_bytes():
    with QVM() as vm:
        q = vm.qmp()
        # a raw NUL between requests: QEMU's "stray ''", then in sync
        expect_replies(q, b"\x00" + req(1), [err("JSON parse error, stray ''"), ok(1)],
                       "raw NUL before a request")
        # a raw NUL inside a string ends the broken request
        expect_replies(q, b'{"execute":"query-status","id":"a\x00' + req(2),
                       [err("JSON parse error, stray ''"), ok(2)], "raw NUL inside a string")
        # the \u0000 escape is valid JSON and echoed back
        send_raw(q, b'{"execute":"query-status","id":"a\\u0000b"}')
        line = raw_line(q)
        want = b'{"return": {"status": "running", "singlestep": false, "running": true}, ' \
            b'"id": "a\\u0000b"}\r\n'
        check(json.loads(line) == ok("a\u0000b") and b'"a\\u0000b"' in line,
              "\\u0000 echoed as an escape", want, line)
        # in a command name it is not that command
        expect(q, b'{"execute":"stop\\u0000x","id":3}',
               err("The command stop has not been found", "CommandNotFound", id=3),
               "NUL in a command name")
        alive(vm, q=q)


def invalid_utf8():
    with QVM() as vm:
        q = vm.qmp()
        for bad in (b"\xc3\x28", b"\xf8\x88\x80\x80\x80", b"\x80", b"\xe2\x82"):
            expect_replies(q, b'{"execute":"query-status","id":"' + bad + b'"}' + req(1),
                           [err("JSON parse error, invalid UTF-8 sequence in string"), ok(1)],
                           f"invalid UTF-8 {bad!r} in a string")
        # a raw 0xff outside strings is a stray byte (shown as U+FFFD in ASCII-only output)
        expect_replies(q, b"\xff" + req(2), [err("JSON parse error, stray '\ufffd'"), ok(2)],
                       "raw 0xff outside a string")
        alive(vm, q=q)


def invalid_utf8_strict():
    # overlong forms and UTF-8-encoded surrogates are invalid UTF-8 (RFC 3629); QEMU's
    # mod_utf8_codepoint() rejects them: the request fails instead of a silently altered id
    with QVM() as vm:
        q = vm.qmp()
        for bad in (b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"):
            expect_replies(q, b'{"execute":"query-status","id":"' + bad + b'"}' + req(1),
                           [err("JSON parse error, invalid UTF-8 sequence in string"), ok(1)],
                           f"invalid UTF-8 {bad!r} (overlong/surrogate/beyond U+10FFFF)")
        alive(vm, q=q)


def lone_surrogates():
    # QEMU 7.2's parse_string(): a \u escape that is not a whole character is an error
    with QVM() as vm:
        q = vm.qmp()
        for esc in (b"\\ud800", b"\\udc00", b"\\udbff"):
            expect_replies(q, b'{"execute":"query-status","id":"' + esc + b'x"}' + req(1),
                           [err(f"JSON parse error, {esc.decode()} is not a valid Unicode "
                                "character"), ok(1)], f"lone surrogate {esc!r}")
        alive(vm, q=q)


def surrogate_pair():
    with QVM() as vm:
        q = vm.qmp()
        send_raw(q, b'{"execute":"query-status","id":"\\ud83d\\ude00"}')
        line = raw_line(q)
        check(line.endswith(b'"id": "\\uD83D\\uDE00"}\r\n'), "a valid pair is echoed as a pair",
              b'..."id": "\\uD83D\\uDE00"}\r\n', line)
        alive(vm, q=q)


def brackets_100mb():
    # 100 MB of '[': one nesting error, the rest of the value eaten; a control char resyncs
    with QVM() as vm:
        q = vm.qmp()
        with Timer("100 MB of '['", 60):
            chunk = b"[" * (1 << 20)
            for _ in range(100):
                send_raw(q, chunk)
            send_raw(q, b"\x01" + req("after"))
            got = [reply(q), reply(q)]
        want = [err("JSON nesting depth limit exceeded"), ok("after")]
        check(got == want, "one error for 100 MB of '[', then in sync", want, got)
        check(no_more_data(q), "no further replies")
        alive(vm, q=q)


def string_70mb():
    with QVM() as vm:
        q = vm.qmp()
        with Timer("a 70 MB string", 60):
            send_raw(q, b'{"execute":"query-status","id":"' + b"s" * (70 << 20) + b'"}' +
                       req("after"))
            got = [reply(q), reply(q)]
        want = [err("JSON token size limit exceeded"), ok("after")]
        check(got == want, "one error for a 70 MB string, then in sync", want, got)
        alive(vm, q=q)


def nesting_2000():
    with QVM() as vm:
        q = vm.qmp()
        expect_replies(q, b'{"execute":"query-status","id":' + b"[" * 2000 + b"]" * 2000 + b"}" +
                       req("after"), [err("JSON nesting depth limit exceeded"), ok("after")],
                       "2000-deep nesting")
        # 1000 levels inside the id: 1001 in all, accepted and echoed
        r = command_id(q, "query-status", id=json.loads("[" * 999 + "]" * 999))
        check(r.get("return") == STATUS, "1001 levels accepted", STATUS, str(r)[:200])
        alive(vm, q=q)


def pipelined_1000():
    with QVM() as vm:
        q = vm.qmp()
        with Timer("1000 pipelined commands", 20):
            send_raw(q, b"".join(req(i) for i in range(1000)))
            got = [reply(q) for _ in range(1000)]
        bad = [(i, r) for i, r in enumerate(got) if r != ok(i)]
        check(not bad, "1000 replies, in order", "ok(0..999)", bad[:3])
        alive(vm, q=q)


def pipelined_errors():
    # 1000 broken requests in one write: exactly 1000 errors, then in sync
    with QVM() as vm:
        q = vm.qmp()
        send_raw(q, b'{"execute":}' * 1000 + req("after"))
        got = [reply(q) for _ in range(1001)]
        want = [err("JSON parse error, expecting value")] * 1000 + [ok("after")]
        check(got == want, "1000 parse errors then the good request", want[-2:], got[-2:])
        alive(vm, q=q)


def numbers_beyond_int64():
    with QVM() as vm:
        q = vm.qmp()
        cases = [(b"18446744073709551615", b"18446744073709551615"),
                 (b"-9223372036854775808", b"-9223372036854775808"),
                 (b"18446744073709551616", b"1.8446744073709552e+19"),
                 (b"-9223372036854775809", b"-9.2233720368547758e+18"),
                 (b"123456789012345678901234567890", b"1.2345678901234568e+29")]
        for sent, echoed in cases:
            send_raw(q, b'{"execute":"query-status","id":' + sent + b"}")
            line = raw_line(q)
            check(line.endswith(b'"id": ' + echoed + b"}\r\n"), f"id {sent.decode()} echoed",
                  echoed, line)
        # 1e400 overflows a double: QEMU sends invalid JSON (inf); whatever we send must parse
        send_raw(q, b'{"execute":"query-status","id":1e400}')
        line = raw_line(q)
        check(b"inf" not in line.lower() and b"nan" not in line.lower(),
              "1e400 echoed as valid JSON", b'"id": 1e400', line)
        # integers beyond int64 are not integers for int arguments
        for val in (b"18446744073709551615", b"18446744073709551616", b"-9223372036854775809",
                    b"1e400"):
            expect(q, b'{"execute":"pmemsave","arguments":{"val":' + val +
                   b',"size":1,"filename":"/nonexistent/f"},"id":1}',
                   err("Invalid parameter type for 'val', expected: integer", id=1),
                   f"pmemsave val={val.decode()}")
        alive(vm, q=q)


def split_writes():
    # one request split into single-byte writes, another with random whitespace between tokens
    with QVM() as vm:
        q = vm.qmp()
        for b in req("split"):
            send_raw(q, bytes([b]))
        check(reply(q) == ok("split"), "a request written one byte at a time")
        expect(q, b' \r\n\t{ "execute" \n:\t"query-status" ,\r\n "id" : 7 } \n', ok(7),
               "whitespace between every token")
        send_raw(q, b"   \r\n\n\t ")
        check(no_more_data(q), "blank input gives no reply")
        alive(vm, q=q)


CASES = {
    "truncated-eof": truncated_eof,
    "truncated-resync": truncated_resync,
    "nul-bytes": nul_bytes,
    "invalid-utf8": invalid_utf8,
    "invalid-utf8-strict": invalid_utf8_strict,
    "lone-surrogates": lone_surrogates,
    "surrogate-pair": surrogate_pair,
    "brackets-100mb": brackets_100mb,
    "string-70mb": string_70mb,
    "nesting-2000": nesting_2000,
    "pipelined-1000": pipelined_1000,
    "pipelined-errors": pipelined_errors,
    "numbers-beyond-int64": numbers_beyond_int64,
    "split-writes": split_writes,
}

if __name__ == "__main__":
    import tvmm
    tvmm.main(CASES)
