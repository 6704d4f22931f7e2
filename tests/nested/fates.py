"""What became of each outer QEMU/TCG guest (nested suite, KVM bed): one JSON line each in a ledger
that tests/run.sh reads back, so every CI run ends with its freeze and panic counts."""
import json
import os
import re

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
