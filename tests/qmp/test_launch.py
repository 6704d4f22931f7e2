"""Launched as management stacks launch QEMU: the test listens and tinyvmm connects to it
(-chardev socket,id=mon,path=P -mon chardev=mon,mode=control, as QEMU's machine harness and
libvirt do; -qmp unix:P as qmp-shell-wrap does), reconnect=, an inherited fd=, -monitor and
-serial as clients, a connect that fails, and bad -chardev/-mon lines."""
import json
import os
import socket
import subprocess
import tempfile
import time

from tvmm import binary, check, connect_unix, main, qmp_client, scaled, send_raw


def listen(path):
    """The management side's listening unix socket."""
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(scaled(20))
    return srv


def accept_qmp(srv, negotiate=True):
    """The connection tinyvmm makes, as a QMP client object (greeting read)."""
    return qmp_client(sock=srv.accept()[0], negotiate=negotiate, timeout=20)


def accept_raw(srv):
    conn = srv.accept()[0]
    conn.settimeout(scaled(20))
    return conn


def start(*args):
    return subprocess.Popen([binary(), *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def tinyvmm_connects(how):
    # QEMU's machine harness: listen, launch, accept, negotiate, drive, quit, see exit 0
    d = tempfile.mkdtemp(prefix="tvmm-launch-")
    path = os.path.join(d, "qmp.sock")
    srv = listen(path)
    if how == "chardev":
        p = start("-serial", "none", "-chardev", f"socket,id=mon,path={path}",
                  "-mon", "chardev=mon,mode=control")
    elif how == "fd":  # the harness's own connected socket, inherited as fd=N
        mine, theirs = socket.socketpair()
        p = subprocess.Popen([binary(), "-serial", "none", "-chardev",
                              f"socket,id=mon,fd={theirs.fileno()}", "-mon",
                              "chardev=mon,mode=control"], pass_fds=[theirs.fileno()],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        theirs.close()
    else:
        p = start("-serial", "none", "-qmp", f"unix:{path}")
    try:
        q = qmp_client(sock=mine, timeout=20) if how == "fd" else accept_qmp(srv)
        check(q.greeting["QMP"]["version"]["qemu"]["major"] == 7, "the greeting", None,
              q.greeting)
        check(q.command("stop") == {"return": {}}, "stop")
        check([e["event"] for e in q.pending] == ["STOP"], "STOP before stop's return",
              ["STOP"], q.pending)
        out = os.path.join(d, "mem.bin")
        r = q.command("pmemsave", {"val": 0, "size": 4096, "filename": out})
        check(r == {"return": {}} and os.path.getsize(out) == 4096, "pmemsave", None, r)
        q.pending = []
        check(q.command("cont") == {"return": {}}, "cont")
        check([e["event"] for e in q.pending] == ["RESUME"], "RESUME", ["RESUME"], q.pending)
        send_raw(q, '{"execute": "quit"}')
        rc = p.wait(timeout=scaled(20))
        check(rc == 0, "exit 0 after quit", 0, (rc, p.stderr.read()))
        check(how == "fd" or os.path.exists(path), "tinyvmm leaves the peer's socket file alone")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def reconnect():
    # reconnect=1: the peer closes the connection; tinyvmm connects again, greets again
    d = tempfile.mkdtemp(prefix="tvmm-recon-")
    path = os.path.join(d, "qmp.sock")
    srv = listen(path)
    p = start("-serial", "none", "-qmp", f"unix:{path},reconnect=1")
    try:
        for i in range(3):
            q = accept_qmp(srv)  # greeting and negotiation on each new connection
            r = q.command("query-status")
            check(r["return"]["status"] == "running", f"query-status, connection {i + 1}",
                  "running", r)
            q.close()
        check(p.poll() is None, "tinyvmm runs on while its peer comes and goes")
    finally:
        p.terminate()
        check(p.wait(timeout=scaled(20)) == 0, "exit 0 on SIGTERM")


def nobody_listening():
    # a client socket with no server behind it: one clear line, exit 1 (QEMU's words)
    d = tempfile.mkdtemp(prefix="tvmm-nolisten-")
    path = os.path.join(d, "none.sock")
    p = subprocess.run([binary(), "-serial", "none", "-qmp", f"unix:{path}"],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=scaled(20))
    check(p.returncode == 1, "exit 1", 1, p.returncode)
    want = f"tinyvmm: -qmp: Failed to connect to '{path}': No such file or directory\n".encode()
    check(p.stderr == want, "one line", want, p.stderr)


def bad_options():
    # refused with QEMU's words (one line) and the usage hint, exit 1
    sock = ["-chardev", "socket,id=c,path=/tmp/x.sock,server=on,wait=off"]
    cases = [
        (["-qmp", "unix:/tmp/x.sock,server=on,reconnect=1"],
         "-qmp: 'reconnect' option is incompatible with socket in server listening mode"),
        (["-qmp", "unix:/tmp/x.sock,wait=off"],
         "-qmp: 'wait' option is incompatible with socket in client connect mode"),
        (["-qmp", "unix:/tmp/x.sock,reconnect=-1"],
         "-qmp: option 'reconnect=-1' takes a number of seconds"),
        (["-chardev", "spice,id=c"], "-chardev spice,id=c: 'spice' is not a valid char driver name"),
        (["-chardev", "socket,path=/tmp/x.sock"],
         "-chardev socket,path=/tmp/x.sock: Parameter 'id' is missing"),
        (sock + sock, "-chardev socket,id=c,path=/tmp/x.sock,server=on,wait=off: "
                      "Duplicate ID 'c' for chardev"),
        (["-mon", "chardev=nope,mode=control"],
         "-mon chardev=nope,mode=control: chardev \"nope\" not found"),
        (["-mon", "mode=control"], "-mon mode=control: Parameter 'chardev' is missing"),
        (sock + ["-mon", "chardev=c,mode=control", "-serial", "chardev:c"],
         "-serial chardev:c: Device 'c' is in use"),
        (["-chardev", "socket,id=c,fd=0,server=on", "-mon", "chardev=c,mode=control"],
         "File descriptor '0' is not a socket"),
        (["-chardev", "socket,id=c,path=/tmp/x.sock,server=on,reconnect=2"],
         "'reconnect' option is incompatible with socket in server listening mode"),
        (["-serial", "chardev:missing"], "-serial chardev:missing: chardev \"missing\" not found"),
    ]
    for args, msg in cases:
        p = subprocess.run([binary(), *args], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=scaled(20))
        check(p.returncode == 1, f"{args}: exit 1", 1, (p.returncode, p.stderr))
        first = p.stderr.splitlines()[0] if p.stderr else b""
        check(msg.encode() in first, f"{args}: the error", msg, p.stderr)


def hmp_and_serial_clients():
    # -monitor and -serial connect out too: the peer gets the banner and prompt, and the guest's
    # serial output
    d = tempfile.mkdtemp(prefix="tvmm-hmpc-")
    hpath, spath = os.path.join(d, "hmp.sock"), os.path.join(d, "ser.sock")
    hsrv, ssrv = listen(hpath), listen(spath)
    p = start("-serial", f"unix:{spath}", "-monitor", f"unix:{hpath}")
    try:
        ser, hmp = accept_raw(ssrv), accept_raw(hsrv)
        got = b""
        end = time.monotonic() + scaled(20)
        while b"(tinyvmm) " not in got and time.monotonic() < end:
            got += hmp.recv(4096)
        check(b"(tinyvmm) " in got, "the HMP banner and prompt", None, got)
        hmp.sendall(b"info status\n")
        got = b""
        while b"VM status: running" not in got and time.monotonic() < end:
            got += hmp.recv(4096)
        check(b"VM status: running" in got, "info status over a client console", None, got)
        out = b""
        while b"heartbeat" not in out and time.monotonic() < end:
            out += ser.recv(4096)
        check(b"heartbeat" in out, "the demo's serial output reaches the peer", None, out[-200:])
        hmp.sendall(b"quit\n")
        check(p.wait(timeout=scaled(20)) == 0, "exit 0 after quit")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def query_chardev():
    # the same command line as QEMU 7.2's recorded answer: the same labels, filenames and
    # frontend-open (QEMU lists them in hash order: compared as sets; HMP's lines likewise)
    fix = json.load(open(os.path.join(os.path.dirname(__file__), "fixtures",
                                      "query-chardev.qemu-7.2.json")))
    d = tempfile.mkdtemp(prefix="tvmm-chr-")
    names = {k: os.path.join(d, k.lower()) for k in ("SER", "Q1", "H", "Q2", "DBG")}
    args = fix["recorded"].split(" -nodefaults -accel tcg ")[1].split("; asked")[0]
    for k, v in names.items():
        args = args.replace(k + ",", v + ",").replace(":" + k, ":" + v).replace("=" + k, "=" + v)
    p = start(*args.split())
    try:
        q = qmp_client(names["Q1"])
        got = q.command("query-chardev")["return"]
        text = q.command("human-monitor-command", {"command-line": "info chardev"})["return"]
        q.close()
    finally:
        p.terminate()
        p.wait(timeout=scaled(20))

    def mask(x):
        for k, v in names.items():
            x = x.replace(v, k)
        return x

    key = lambda c: json.dumps(c, sort_keys=True)
    want = sorted(map(key, fix["query-chardev"]))
    check(sorted(mask(key(c)) for c in got) == want, "query-chardev as QEMU's", want, got)
    check(sorted(mask(text).splitlines()) == sorted(fix["info chardev"].splitlines()),
          "info chardev as QEMU's", fix["info chardev"], text)


def chardev_backends():
    # -chardev file and pipe behind the serial port (the demo's banner and heartbeats), and a
    # pipe's input reaching the guest's UART (the demo echoes nothing, so: its FIFO's LSR.DR)
    d = tempfile.mkdtemp(prefix="tvmm-chb-")
    out = os.path.join(d, "serial.txt")
    p = start("-chardev", f"file,id=f,path={out}", "-serial", "chardev:f")
    try:
        end = time.monotonic() + scaled(20)
        while time.monotonic() < end and (not os.path.exists(out) or
                                          b"heartbeat 1" not in open(out, "rb").read()):
            time.sleep(0.05)
        check(b"heartbeat 1" in open(out, "rb").read(), "file: the demo's output")
    finally:
        p.terminate()
        rc = p.wait(timeout=scaled(20))
        check(rc == 0, "file: exit 0", 0, (rc, p.stderr.read()))
    pipe = os.path.join(d, "ser")
    os.mkfifo(pipe + ".in")
    os.mkfifo(pipe + ".out")
    p = start("-chardev", f"pipe,id=p,path={pipe}", "-serial", "chardev:p")
    try:
        fd = os.open(pipe + ".out", os.O_RDONLY)
        got = b""
        end = time.monotonic() + scaled(20)
        while time.monotonic() < end and b"heartbeat 1" not in got:
            got += os.read(fd, 4096)
        os.close(fd)
        check(b"heartbeat 1" in got, "pipe: the demo's output on PATH.out", None, got[-200:])
    finally:
        p.terminate()
        rc = p.wait(timeout=scaled(20))
        check(rc == 0, "pipe: exit 0", 0, (rc, p.stderr.read()))


def unused_chardevs():
    # a -chardev nothing uses is opened at start-up all the same, as QEMU's: its server listens,
    # its file exists; query-chardev lists both with frontend-open false
    d = tempfile.mkdtemp(prefix="tvmm-unused-")
    srv, out, qmp = (os.path.join(d, n) for n in ("srv.sock", "out.txt", "qmp.sock"))
    p = start("-chardev", f"socket,id=s,path={srv},server=on,wait=off", "-chardev",
              f"file,id=f,path={out}", "-qmp", f"unix:{qmp},server=on,wait=off")
    try:
        q = qmp_client(qmp)
        check(os.path.exists(out), "the file of an unused -chardev file exists")
        connect_unix(srv).close()
        got = {c["label"]: c["frontend-open"] for c in q.command("query-chardev")["return"]}
        check(got.get("s") is False and got.get("f") is False, "both listed, no frontend",
              None, got)
        q.command("quit")
        q.close()
        rc = p.wait(timeout=scaled(20))
    finally:
        if p.poll() is None:  # a failed check leaves no VM behind
            p.kill()
            p.wait()
    check(rc == 0, "exit 0", 0, (rc, p.stderr.read()))


def qemu_pretty(o, depth=0):
    """QEMU's pretty=on text of o: 4-space indents, a member per line, "\r\n" line ends, even
    an empty object or array closed on a line of its own."""
    if not isinstance(o, (dict, list)):
        return json.dumps(o)
    items = [json.dumps(k) + ": " + qemu_pretty(v, depth + 1) for k, v in o.items()] \
        if isinstance(o, dict) else [qemu_pretty(v, depth + 1) for v in o]
    inner = "".join(("," if i else "") + "\r\n" + "    " * (depth + 1) + t
                    for i, t in enumerate(items))
    return ("{" if isinstance(o, dict) else "[") + inner + "\r\n" + "    " * depth + \
        ("}" if isinstance(o, dict) else "]")


def values(text):
    dec, i, out = json.JSONDecoder(), 0, []
    while i < len(text):
        o, i = dec.raw_decode(text, i)
        out.append(o)
        i += 2  # "\r\n"
    return out


def pretty():
    # the rule reproduces QEMU 7.2's recorded pretty transcript exactly, and tinyvmm's pretty
    # output (-qmp-pretty, -mon ...,pretty=on) follows it byte for byte
    fix = open(os.path.join(os.path.dirname(__file__), "fixtures", "pretty.qemu-7.2.txt"),
               newline="").read()
    check("".join(qemu_pretty(o) + "\r\n" for o in values(fix)) == fix,
          "the rule reproduces QEMU's text")
    d = tempfile.mkdtemp(prefix="tvmm-pretty-")
    path = os.path.join(d, "q.sock")
    for args in (["-qmp-pretty", f"unix:{path},server=on,wait=off"],
                 ["-chardev", f"socket,id=m,path={path},server=on,wait=off",
                  "-mon", "chardev=m,mode=control,pretty=on"]):
        p = start("-serial", "none", *args)
        try:
            so = connect_unix(path)
            so.settimeout(scaled(20))
            so.sendall(b'{"execute":"qmp_capabilities"}\n{"execute":"query-kvm","id":[1,{},"x"]}'
                       b'\n{"execute":"nope","id":"e"}\n')
            so.shutdown(socket.SHUT_WR)  # the replies due still come, then EOF
            q = b""
            while chunk := so.recv(65536):
                q += chunk
            q = q.decode()
            so.close()
        finally:
            p.terminate()
            p.wait(timeout=scaled(20))
        got = values(q)
        check(len(got) == 4 and got[3]["error"]["class"] == "CommandNotFound",
              f"{args[0]}: greeting and three replies", 4, q)
        check("".join(qemu_pretty(o) + "\r\n" for o in got) == q, f"{args[0]}: QEMU's form",
              None, q)


if __name__ == "__main__":
    main({
        "chardev-mon": lambda: tinyvmm_connects("chardev"),
        "qmp-client": lambda: tinyvmm_connects("qmp"),
        "fd": lambda: tinyvmm_connects("fd"),
        "reconnect": reconnect,
        "nobody-listening": nobody_listening,
        "bad-options": bad_options,
        "hmp-serial-clients": hmp_and_serial_clients,
        "query-chardev": query_chardev,
        "pretty": pretty,
        "chardev-backends": chardev_backends,
        "unused-chardevs": unused_chardevs,
    })
