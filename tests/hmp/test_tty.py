"""Terminal consoles under tmux: -monitor stdio (readline) and -nographic (the Ctrl-a mux)."""
import os
import shlex
import subprocess
import tempfile
import time

import tvmm
from tvmm import check, Failure


EXIT_MARK = "tinyvmm exit status "


class Tmux:
    """One tmux server of our own with a single pane running cmd."""

    def __init__(self, cmd):
        self.name = f"tvmm-hmp-{os.getpid()}"
        # the shell reports the exit status on the screen (tmux's pane_dead_status is racy)
        cmd = f"{cmd}; echo; echo \"{EXIT_MARK}$?\""
        # one tmux command line, so the pane stays (with its exit status) however fast cmd ends
        self.run("new-session", "-d", "-s", "t", "-x", "160", "-y", "50", cmd, ";",
                 "set-option", "-t", "t", "remain-on-exit", "on")

    def run(self, *args):
        p = subprocess.run(["tmux", "-L", self.name, "-f", "/dev/null", *args],
                           capture_output=True, text=True, timeout=30)
        if p.returncode:
            raise Failure(f"tmux {args[0]} failed: {p.stderr.strip()}")
        return p.stdout

    def screen(self):
        """The pane and its history, trailing blanks dropped."""
        return self.run("capture-pane", "-p", "-J", "-S", "-2000", "-t", "t").rstrip()

    def keys(self, *keys):
        self.run("send-keys", "-t", "t", *keys)

    def type(self, text):
        self.run("send-keys", "-t", "t", "-l", text)

    def wait(self, pred, what, timeout=30):
        end = time.monotonic() + timeout
        while True:
            s = self.screen()
            if pred(s):
                return s
            if time.monotonic() > end:
                raise Failure(f"timed out waiting for {what}; screen:\n{s[-3000:]}")
            time.sleep(0.1)

    def wait_text(self, text, count=1, timeout=30):
        return self.wait(lambda s: s.count(text) >= count, f"{count} x {text!r}", timeout)

    def exit_status(self):
        """Waits for the pane's command to end; its exit status."""
        s = self.wait(lambda s: EXIT_MARK in s, "tinyvmm to exit")
        return s.split(EXIT_MARK)[-1].split()[0]

    def close(self):
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True)


PROMPT = "(tinyvmm)"  # tmux drops the trailing space of a line


def monitor_stdio():
    d = tempfile.mkdtemp(prefix="tvmm-hmp-")
    serial = os.path.join(d, "serial.txt")
    cmd = " ".join(shlex.quote(a) for a in [tvmm.binary(), "-serial", f"file:{serial}",
                                            "-monitor", "stdio"])
    t = Tmux(cmd)
    try:
        t.wait_text("monitor - type 'help' for more information")
        t.wait_text(PROMPT)
        t.type("info status")
        t.keys("Enter")
        t.wait_text("VM status: running")
        t.type("stop")
        t.keys("Enter")
        t.wait_text(PROMPT, 3)
        t.keys("Up", "Up", "Enter")  # history: stop, then info status
        t.wait_text("VM status: paused")
        s = t.screen()
        check(s.count(PROMPT + " info status") == 2, "up-arrow recalled 'info status'", 2, s)
        t.type("info ver")
        t.keys("Tab")
        t.wait_text(PROMPT + " info version")
        t.keys("Enter")
        t.wait(lambda s: "7.2.0tinyvmm 0" in s, "info version output")
        t.type("pmems")
        t.keys("Tab")
        t.wait_text(PROMPT + " pmemsave")
        t.keys("C-u")  # readline: clear the line
        t.type("info registers")
        t.keys("Enter")
        t.wait_text("EFER=")
        t.type("c")
        t.keys("Enter")
        end = time.monotonic() + 30
        while b"demo guest" not in open(serial, "rb").read():
            if time.monotonic() > end:
                raise Failure("no guest output in the serial file")
            time.sleep(0.1)
        t.type("quit")
        t.keys("Enter")
        check(t.exit_status() == "0", "quit exits 0", "0", t.exit_status())
    finally:
        t.close()


def nographic():
    t = Tmux(shlex.quote(tvmm.binary()) + " -nographic")
    try:
        t.wait_text("heartbeat 1")
        t.keys("C-a", "c")
        t.wait_text("monitor - type 'help' for more information")
        t.wait_text(PROMPT)
        t.type("info status")
        t.keys("Enter")
        t.wait_text("VM status: running")
        t.keys("Up", "Enter")
        t.wait_text("VM status: running", 2)
        t.type("info kv")
        t.keys("Tab", "Enter")
        t.wait_text("kvm support: enabled")
        s = t.screen()
        tail = s[s.index("monitor - type 'help'"):]
        check("heartbeat" not in tail, "no guest output over the monitor", "", tail)
        t.keys("C-a", "c")  # back to the serial port: the held heartbeats, then new ones
        n = s.count("heartbeat")
        t.wait(lambda s: s.count("heartbeat") > n + 1, "heartbeats after switching back")
        t.keys("C-a", "h")
        t.wait_text("C-a x    exit emulator")
        n = t.screen().count(PROMPT)
        t.keys("C-a", "c")
        t.wait_text(PROMPT, n + 1)
        t.type("stop")
        t.keys("Enter")
        t.keys("C-a", "c", "C-a", "x")
        t.wait_text("Terminated")
        check(t.exit_status() == "0", "C-a x exits 0", "0", t.exit_status())
    finally:
        t.close()


tvmm.main({"hmp-tty-monitor-stdio": monitor_stdio, "hmp-tty-nographic": nographic})
