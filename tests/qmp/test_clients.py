"""QMP clients: many per socket, shared events, disconnects mid-command, slow readers, socat, TCP."""
import json
import os
import socket
import time

from tvmm import (QVM, check, command_id, expect_eof, free_port, no_more_data, qmp_client,
                  raw_line, reply, run, send_raw, socat)


def shared_events(vm):
    a, b = vm.qmp(0), vm.qmp(0)    # two clients on one socket
    c = vm.qmp(1)                  # and one on another
    waiting = vm.qmp(0, negotiate=False)
    send_raw(a, '{"execute":"stop"}')
    lines = [raw_line(b), raw_line(c)]
    check(json.loads(lines[0])["event"] == "STOP", "second client sees STOP", None, lines[0])
    check(lines[0] == lines[1], "the same event line (timestamp) for everyone", lines[0], lines[1])
    check(json.loads(raw_line(a))["event"] == "STOP", "the issuer sees STOP first")
    check(reply(a) == {"return": {}}, "then its return")
    check(no_more_data(waiting), "no events while negotiating")
    waiting.command("qmp_capabilities")
    check(no_more_data(waiting), "events are not replayed after negotiation")
    c.command("cont")
    for q in (a, b, c, waiting):
        q.wait_event("RESUME")
    for q in (a, b, c, waiting):
        q.close()


def disconnects(vm):
    keep = vm.qmp(0)
    # half a request, then gone
    q = vm.qmp(0)
    send_raw(q, '{"execute": "query-st')
    q.close()
    # a full pmemsave and a big reply it never reads, then gone
    q = vm.qmp(0)
    f = vm.file("mid.bin")
    send_raw(q, json.dumps({"execute": "pmemsave",
                           "arguments": {"val": 0, "size": 1 << 20, "filename": f}}) +
               '{"execute":"query-qmp-schema"}' * 20)
    q.sock.shutdown(socket.SHUT_RDWR)
    q.close()
    r = keep.command("query-status")
    check("return" in r, "other clients unaffected", None, r)
    end = time.monotonic() + 10
    while not (os.path.exists(f) and os.path.getsize(f) == 1 << 20):
        check(time.monotonic() < end, "the pmemsave of a vanished client still completes")
        time.sleep(0.05)
    # reconnecting: a fresh greeting and negotiation again
    q = vm.qmp(0, negotiate=False)
    check("QMP" in q.greeting, "fresh greeting")
    r = q.command("query-status")
    check(r["error"]["class"] == "CommandNotFound", "must negotiate again", None, r)
    q.close()
    keep.close()


def slow_reader(vm):
    """A client that never reads does not stall another; past its bound it is dropped."""
    hog = vm.qmp(0)
    other = vm.qmp(1)
    hog.sock.setblocking(False)
    sent = 0
    req = b'{"execute":"query-qmp-schema"}' * 64
    end = time.monotonic() + 20
    while time.monotonic() < end and sent < (64 << 20):
        try:
            sent += hog.sock.send(req)
        except BlockingIOError:
            break  # the server stopped reading it: backpressure
        except (BrokenPipeError, ConnectionResetError):
            break
    t = time.monotonic()
    for i in range(50):
        r = command_id(other, "query-status", id=i)
        check(r.get("id") == i, "the other client is served", i, r)
    check(time.monotonic() - t < 30, "served without waiting for the hog")
    # events still reach the other client while the hog's queue is full
    other.command("stop")
    other.wait_event("STOP")
    other.command("cont")
    other.wait_event("RESUME")
    hog.close()
    other.close()


def socat_sessions(vm):
    objs, raw = socat(vm.socks[0], '{"execute":"qmp_capabilities"}\n'
                      '{"execute":"query-status"}\n{"execute":"query-name","id":1}\n')
    check("QMP" in objs[0], "socat: greeting", None, objs)
    check(objs[1] == {"return": {}}, "socat: negotiated", None, objs)
    check(objs[2]["return"]["status"] == "running", "socat: query-status", None, objs)
    check(objs[3] == {"return": {}, "id": 1}, "socat: query-name", None, objs)
    check(raw.endswith(b"\r\n") and raw.count(b"\r\n") == 4, "socat: CRLF lines", None, raw)
    # a request split by printf pieces and an error in between
    objs, _ = socat(vm.socks[0], '{"execute":"qmp_capabilities"}{"execute":\n"query-kvm"}'
                    'garbage\n{"execute":"query-kvm"}\n')
    check(objs[2] == {"return": {"enabled": True, "present": True}}, "socat: split", None, objs)
    check(objs[3]["error"]["class"] == "GenericError", "socat: error", None, objs)
    check(objs[4] == {"return": {"enabled": True, "present": True}}, "socat: recovered", None, objs)


def tcp():
    port = free_port()
    with QVM(nsock=0, extra_qmp=[f"tcp:127.0.0.1:{port},server=on,wait=off",
                                 f"tcp::{free_port()},server,nowait"]) as vm:
        end = time.monotonic() + 10
        while True:
            try:
                q = qmp_client(tcp=("127.0.0.1", port))
                break
            except ConnectionRefusedError:
                check(time.monotonic() < end, "tcp listener up")
                time.sleep(0.05)
        q2 = qmp_client(tcp=("127.0.0.1", port))
        r = q.command("query-kvm")
        check(r == {"return": {"enabled": True, "present": True}}, "query-kvm over tcp", None, r)
        q2.command("stop")
        q.wait_event("STOP")
        q.close()
        q2.close()


def test():
    with QVM(nsock=2) as vm:
        vm.wait_output("heartbeat 1\r\n")
        shared_events(vm)
        disconnects(vm)
        slow_reader(vm)
        socat_sessions(vm)
        check(vm.proc.poll() is None, "still running")
    tcp()


run(test)
