"""Drive a command in a real pseudo-terminal, as a person at a keyboard would (stdlib only).

Reads a JSON spec on stdin:
  {"argv": [...], "cwd": "...", "env": {...}, "rows": 40, "cols": 120, "exit_timeout": 30,
   "steps": [{"expect": "<regex>", "send": "<keys>", "timeout": 20}, ...]}
Each step waits until `expect` matches the screen output produced since the previous match
(escape sequences stripped), then types `send` (text, "\r" for Enter, "\x1b[B" for down,
"\x03" for Ctrl-C). A step without `send` only waits. Writes one JSON object on stdout:
  {"exit_code": int|null, "signal": int|null, "transcript": "...", "failed_step": int|null,
   "error": str|null}
"""

import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


class Screen:
    """Everything the program wrote, and how far the conversation has read it."""

    def __init__(self, fd):
        self.fd = fd
        self.raw = b""
        self.cursor = 0
        self.closed = False

    def text(self):
        return ANSI.sub("", self.raw.decode("utf-8", "replace")).replace("\r", "")

    def pump(self, wait):
        """Read what is available within `wait` seconds; False once the terminal is closed."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child side is gone
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self.raw += chunk
        return True

    def wait_for(self, pattern, timeout):
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            found = regex.search(self.text(), self.cursor)
            if found:
                self.cursor = found.end()
                return True
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                return False
            self.pump(min(left, 0.1))


def spawn(spec):
    master, slave = os.openpty()
    rows, cols = spec.get("rows", 40), spec.get("cols", 120)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def controlling_terminal():
        # A session of its own with the pty as controlling terminal, like a login shell's child.
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = dict(spec.get("env") or os.environ)
    env.setdefault("TERM", "xterm-256color")
    child = subprocess.Popen(
        spec["argv"],
        cwd=spec.get("cwd"),
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        preexec_fn=controlling_terminal,
        close_fds=True,
    )
    os.close(slave)
    return child, master


def main():
    spec = json.load(sys.stdin)
    child, master = spawn(spec)
    screen = Screen(master)
    failed, error = None, None
    for index, step in enumerate(spec.get("steps", [])):
        if "expect" in step and not screen.wait_for(step["expect"], step.get("timeout", 20)):
            failed, error = index, "timed out waiting for /%s/" % step["expect"]
            break
        if "send" in step:
            time.sleep(step.get("delay", 0.05))  # let the prompt finish drawing, as a person would
            os.write(master, step["send"].encode("utf-8"))
    deadline = time.monotonic() + spec.get("exit_timeout", 30)
    while child.poll() is None and time.monotonic() < deadline:
        screen.pump(0.1)
    if child.poll() is None:
        error = error or "the program did not exit"
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    while screen.pump(0.05):
        pass
    code = child.returncode
    json.dump(
        {
            "exit_code": code if code is not None and code >= 0 else None,
            "signal": -code if code is not None and code < 0 else None,
            "transcript": screen.text(),
            "failed_step": failed,
            "error": error,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
