"""QEMU 7.2's HMP text as recorded in tests/hmp/fixtures/, and its comparison with tinyvmm's
with the values masked (used by the hmp suite and the nested suite)."""
import os
import re

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hmp", "fixtures")


def fixture(name):
    with open(os.path.join(FIXTURES, name), newline="") as f:
        return f.read()


def mask(text):
    """The shape of a line without its values: hex after '=', hex columns, flag letters."""
    text = re.sub(r"=[0-9a-f]+", lambda m: "=" + "x" * (len(m.group(0)) - 1), text)
    text = re.sub(r"(?<= )[0-9a-f]{4,16}(?=[ \r\n])", lambda m: "x" * len(m.group(0)), text)
    return re.sub(r"\[[-A-Z]{3,7}\]", lambda m: "[" + "x" * (len(m.group(0)) - 2) + "]", text)


def differences(what, want, got):
    """(message, QEMU's line, tinyvmm's line) for each line whose shape differs, and for a
    different line count; line ends ("\\r\\n" from a console, "\\n" elsewhere) do not count."""
    wl = mask(want.replace("\r\n", "\n")).split("\n")
    gl = mask(got.replace("\r\n", "\n")).split("\n")
    out = [(f"{what} line {i + 1} as QEMU 7.2", w, g)
           for i, (w, g) in enumerate(zip(wl, gl)) if w != g]
    if len(wl) != len(gl):
        out.append((f"{what}: as many lines as QEMU 7.2", len(wl), len(gl)))
    return out
