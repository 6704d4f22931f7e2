"""QMP protocol: greeting, negotiation, request checks, ids, framing, parse errors, limits, output form."""
import json
import sys

sys.setrecursionlimit(20000)  # echoes of 1000-deep ids
from tvmm import QVM, check, expect_error, no_more_data, raw_line, reply, request, run, send_raw

VERSION = {"qemu": {"major": 7, "minor": 2, "micro": 0}, "package": "tinyvmm 0.1.0"}
CNF = "CommandNotFound"
NEG = "Expecting capabilities negotiation with 'qmp_capabilities'"


def greeting_and_negotiation(vm):
    q = vm.qmp(negotiate=False)
    g = q.greeting
    check(g == {"QMP": {"version": VERSION, "capabilities": []}}, "greeting", None, g)
    # before negotiation: every command, existing or not, is refused with the id echoed
    expect_error(q, '{"execute": "query-status", "id": 5}', NEG, CNF, id=5)
    expect_error(q, '{"execute": "nonexist", "id": "x"}', NEG, CNF, id="x")
    # shape errors are ordinary errors in negotiation mode too
    expect_error(q, '{"id": 1}', "QMP input lacks member 'execute'", id=1)
    expect_error(q, '[1]', "QMP input must be a JSON object")
    # bad arguments keep the connection in negotiation mode
    expect_error(q, '{"execute": "qmp_capabilities", "arguments": {"enable": "oob"}}',
                 "Invalid parameter type for 'enable', expected: array")
    # QEMU 7.2 names the member 'null' here (a bug); we name the element
    expect_error(q, '{"execute": "qmp_capabilities", "arguments": {"enable": ["bogus"]}}',
                 "Parameter 'enable[0]' does not accept value 'bogus'")
    expect_error(q, '{"execute": "query-status"}', NEG, CNF)
    r = request(q, '{"execute": "qmp_capabilities", "id": 7}')
    check(r == {"return": {}, "id": 7}, "qmp_capabilities", None, r)
    expect_error(q, '{"execute": "qmp_capabilities"}',
                 "Capabilities negotiation is already complete, command ignored", CNF)
    r = q.command("query-status")
    check("return" in r, "a command after negotiation", None, r)
    q.close()


def request_checks(q):
    e = expect_error
    e(q, '{"execute":}', "JSON parse error, expecting value")
    for bad in ('[1,2]', '"str"', '42\n', 'null\n', 'true '):
        e(q, bad, "QMP input must be a JSON object")
    e(q, '{"arguments":{}}', "QMP input lacks member 'execute'")
    e(q, '{}', "QMP input lacks member 'execute'")
    e(q, '{"arguments":{}, "id": 3}', "QMP input lacks member 'execute'", id=3)
    e(q, '{"execute":42, "id": 4}', "QMP input member 'execute' must be a string", id=4)
    e(q, '{"execute":"query-status", "arguments":[], "id":5}',
      "QMP input member 'arguments' must be an object", id=5)
    e(q, '{"execute":"query-status", "arguments":null, "id":6}',
      "QMP input member 'arguments' must be an object", id=6)
    e(q, '{"execute":"query-status", "foo": 1, "id":7}', "QMP input member 'foo' is unexpected",
      id=7)
    e(q, '{"exec-oob":"query-status", "id":8}', "QMP input member 'exec-oob' is unexpected", id=8)
    e(q, '{"execute":"nonexist", "id": 9}', "The command nonexist has not been found", CNF, id=9)
    e(q, '{"execute":"query-status\\u0000x", "id": 10}',
      "The command query-status has not been found", CNF, id=10)
    e(q, '{"execute":"pmemsave", "arguments": {"size": 1, "filename": "x"}, "id": 11}',
      "Parameter 'val' is missing", id=11)
    e(q, '{"execute":"pmemsave", "arguments": {"val": "0", "size": 1, "filename": "x"}}',
      "Invalid parameter type for 'val', expected: integer")
    e(q, '{"execute":"query-status", "arguments": {"bogus": 1}}', "Parameter 'bogus' is unexpected")
    e(q, '{"execute":"query-status", "execute":"query-status"}', "JSON parse error, duplicate key")
    e(q, '{"execute":"query-status", "id": "\\x"}',
      "JSON parse error, invalid escape sequence in string")
    e(q, b'{"execute":"query-status", "id": "\xc3\x28"}',
      "JSON parse error, invalid UTF-8 sequence in string")
    e(q, b'\xff', "JSON parse error, stray '\xff'".encode("latin-1").decode("utf-8", "replace"))
    e(q, b'\x01', "JSON parse error, stray '\x01'")
    e(q, b'\x00', "JSON parse error, stray ''")
    # integers json-c would clamp are read as doubles, as QEMU does
    e(q, '{"execute":"pmemsave", "arguments": {"val": 123456789012345678901234567890, '
      '"size": 1, "filename": "x"}}', "Invalid parameter type for 'val', expected: integer")


def id_echoes(q):
    for text, want in (('5', 5), ('1.5', 1.5), ('"x"', "x"), ('true', True), ('null', None),
                       ('[1,"a",true]', [1, "a", True]), ('{"a":[1,null]}', {"a": [1, None]}),
                       ('18446744073709551615', 18446744073709551615),
                       ('-9223372036854775808', -9223372036854775808),
                       ('"a\\u0000b"', "a\x00b")):
        r = request(q, '{"execute": "query-kvm", "id": %s}' % text)
        check(r.get("id", "MISSING") == want and "return" in r, f"id {text} echoed", want, r)
    # QEMU's JSON extension: single-quoted strings, and \' in either quote
    for text, want in (("{'execute':'query-status','id':'sq\\'x'}", "sq'x"),
                       ("""{"execute":"query-status","id":"dq\\'x"}""", "dq'x"),
                       ("""{'execute':'query-status','id':'a"b\\"c'}""", 'a"b"c')):
        r = request(q, text)
        check(r.get("id", "MISSING") == want and "return" in r, f"id of {text}", want, r)
    r = request(q, '{"execute": "query-kvm"}')
    check("id" not in r, "no id sent: none in the reply", None, r)
    # QEMU's double forms: -0.0e5 -> -0, big integers -> %.17g, 1e400 stays valid JSON
    send_raw(q, '{"execute": "query-kvm", "id": -0.0e5}')
    line = raw_line(q)
    check(line.endswith(b', "id": -0}\r\n'), "id -0.0e5 echoed as -0", None, line)
    send_raw(q, '{"execute": "query-kvm", "id": 123456789012345678901234567890}')
    line = raw_line(q)
    check(b'"id": 1.2345678901234568e+29}' in line, "huge integer id as a double", None, line)
    send_raw(q, '{"execute": "query-kvm", "id": 1e400}')
    line = raw_line(q)
    json.loads(line)  # valid JSON, unlike QEMU's inf
    check(b"inf" not in line, "1e400 id is valid JSON", None, line)


def framing(q):
    # several objects in one write, whitespace between, then one split byte by byte
    send_raw(q, '{"execute":"query-kvm","id":1}{"execute":"query-kvm","id":2}\n\n  \t'
               '{"execute":"query-kvm","id":3}  ')
    ids = [reply(q)["id"] for _ in range(3)]
    check(ids == [1, 2, 3], "back-to-back requests", [1, 2, 3], ids)
    text = '{"execute": "query-kvm", "id": "split"}'
    for ch in text:
        send_raw(q, ch)
    r = reply(q)
    check(r.get("id") == "split", "request split over many writes", "split", r)
    # a scalar at top level is complete only once a delimiter follows
    send_raw(q, "42")
    check(no_more_data(q), "42 without a delimiter: silence")
    expect_error(q, " ", "QMP input must be a JSON object")
    # 200 pipelined requests in one write: 200 replies in order
    send_raw(q, "".join('{"execute":"query-status","id":%d}' % i for i in range(200)))
    ids = [reply(q)["id"] for _ in range(200)]
    check(ids == list(range(200)), "200 pipelined replies in order")
    # blank input produces nothing
    send_raw(q, "   \r\n\n")
    check(no_more_data(q), "blank input: no reply")


def recovery(q):
    # after malformed JSON the next request reads cleanly: one error per broken request
    send_raw(q, '{"execute": "query-kvm", "id": [1, ]}\n{"execute":"query-kvm","id":"ok"}')
    r = reply(q)
    check("error" in r and "id" not in r, "error for the broken request", None, r)
    r = reply(q)
    check(r.get("id") == "ok", "the next request works", "ok", r)
    # a control character resyncs a half-sent request (the QMP spec's reset)
    send_raw(q, '{"execute": "query-k\x01{"execute":"query-kvm","id":"after"}')
    r = reply(q)
    check(r == {"error": {"class": "GenericError", "desc": "JSON parse error, stray '\x01'"}},
          "control character error", None, r)
    r = reply(q)
    check(r.get("id") == "after", "resync after a control character", "after", r)
    # comments, NaN, leading zeros and TRUE are not JSON
    for bad in ('{"execute":"query-kvm", "id": NaN}', '{"execute":"query-kvm", "id": 01}',
                '{"execute":"query-kvm", "id": TRUE}', '{"execute":"query-kvm" /* c */}'):
        r = request(q, bad)
        check("error" in r and r["error"]["desc"].startswith("JSON parse error"),
              f"{bad!r} refused", None, r)
        r = request(q, '{"execute":"query-kvm","id":"next"}')
        check(r.get("id") == "next", f"recovered after {bad!r}", "next", r)


def limits(q):
    # depth 1001 is fine; 1025 is refused with one error and the stream stays in sync
    deep = '{"execute":"query-kvm","id":' + "[" * 1000 + "]" * 1000 + "}"
    r = request(q, deep)
    check("return" in r, "1001 levels of nesting accepted", None, str(r)[:200])
    send_raw(q, '{"execute":"query-kvm","id":' + "[" * 2000 + "]" * 2000 + "}" +
               '{"execute":"query-kvm","id":"after-deep"}')
    r = reply(q)
    check(r == {"error": {"class": "GenericError", "desc": "JSON nesting depth limit exceeded"}},
          "nesting limit", None, r)
    r = reply(q)
    check(r.get("id") == "after-deep", "in sync after the nesting error", "after-deep", r)
    # a 64 MiB + 4 KiB message: one error, then in sync
    big = b'{"execute":"query-kvm","id":"' + b"x" * ((64 << 20) + 4096) + b'"}'
    send_raw(q, big + b'{"execute":"query-kvm","id":"after-big"}')
    r = reply(q)
    check(r == {"error": {"class": "GenericError", "desc": "JSON token size limit exceeded"}},
          "size limit", None, r)
    r = reply(q)
    check(r.get("id") == "after-big", "in sync after the size error", "after-big", r)
    # more than 2Mi tokens in one message
    many = b'{"execute":"query-kvm","id":[' + b"0," * (1 << 20) + b'0]}'
    send_raw(q, many + b'{"execute":"query-kvm","id":"after-many"}')
    r = reply(q)
    check(r == {"error": {"class": "GenericError", "desc": "JSON token count limit exceeded"}},
          "token count limit", None, r)
    r = reply(q)
    check(r.get("id") == "after-many", "in sync after the token error", "after-many", r)


def output_form(q):
    # ASCII only, upper-case \\u escapes, surrogate pairs, CRLF, QEMU's separators
    send_raw(q, '{"execute":"query-kvm","id":"h\u00e9\u20ac\U0001F600/\\u0001"}'.encode())
    line = raw_line(q)
    want = b'{"return": {"enabled": true, "present": true}, ' \
        b'"id": "h\\u00E9\\u20AC\\uD83D\\uDE00/\\u0001"}\r\n'
    check(line == want, "escaped, spaced, CRLF-terminated line", want, line)
    check(all(b < 0x80 for b in line), "ASCII only")


def test():
    with QVM() as vm:
        greeting_and_negotiation(vm)
        q = vm.qmp()
        request_checks(q)
        id_echoes(q)
        framing(q)
        recovery(q)
        output_form(q)
        limits(q)
        r = q.command("query-status")
        check("return" in r, "still serving after everything", None, r)
        q.close()


run(test)
