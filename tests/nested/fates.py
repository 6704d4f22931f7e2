"""What became of each outer QEMU/TCG guest (nested suite, KVM bed): one JSON line each in a ledger
that tests/run.sh reads back, so every CI run ends with its freeze and panic counts; and where a
stuck one's vCPUs were."""
import json
import os
import re
import socket

LEDGER = "outer-guests.jsonl"  # in the work directory (build/tests/nested/work for CI's runs)
PANIC = re.compile(r"Kernel panic|corrupted stack end")


def fate(console, why, completed):
    """finished, panicked, froze (no beat, or a case past its budget: its clock stopped), over
    time, or died (it stopped by itself, unfinished). console: the outer guest's output (or its
    lines that matter); why: the host's reason to kill it (None: it was not killed); completed:
    it ran everything it was given."""
    if PANIC.search(console):
        return "panicked"
    if completed:
        return "finished"
    if why is None:
        return "died"
    return "over time" if why.startswith("over") else "froze"


def record(work, who, seconds, what):
    """Appends one outer guest's fate to work's ledger (who: nested or bed)."""
    with open(os.path.join(work, LEDGER), "a") as f:
        f.write(json.dumps({"who": who, "seconds": round(seconds), "fate": what}) + "\n")


def registers(sock):
    """A stuck outer guest's vCPU state (RIP, CS, CR0 of each), through its QMP socket."""
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(sock)
        s.sendall(b'{"execute":"qmp_capabilities"}\n{"execute":"human-monitor-command",'
                  b'"arguments":{"command-line":"info registers -a"}}\n')
        data = b""
        while data.count(b"\n") < 3:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        text = data.decode(errors="replace")
        return "\n".join(line for line in text.split("\\r\\n")
                         if line.startswith(("RIP", "CS ", "CR0", "CPU#")))
    except OSError as e:
        return f"(no QMP answer: {e})"
