"""Offline guard: ``pip install`` commands started by a script become logged no-ops.

Cursus scripts pip-install pinned packages at import time (cursus-formats.md §5.3): offline the
install fails and raises, online it downgrades the user's environment. Both are wrong for a
local test run, so the call pretends to succeed instead. The guard must be installed before the
script is imported, because scripts bind ``from subprocess import check_call`` at import.

Only commands that are recognisably a pip install are touched (``pip install``, ``pip3.11
install``, ``python -m pip install``, ``sys.executable -m pip install``, ``sh -c "... && pip
install ..."``, as a list or as a string); everything else passes through to the real function.
"""

import functools
import io
import os
import re
import shlex
import subprocess
import sys

_PIP = re.compile(r"pip[0-9.]*(\.exe)?$")
_PYTHON = re.compile(r"python[0-9.]*[dmw]?(\.exe)?$")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_SHELL_OPERATOR = re.compile(r"[;&|()<>]+$")
_SHELLS = {"sh", "bash", "dash", "zsh", "ksh"}
# Prefixes that run the command that follows them: `sudo pip install`, `env X=1 pip install`.
_PREFIXES = {"sudo", "env", "nohup", "exec", "command", "time", "nice"}
# pip's own subcommands: the first of these words in the arguments is the one pip runs, which
# skips the values of global options such as `pip --proxy URL install`.
_PIP_COMMANDS = {
    "install", "download", "uninstall", "freeze", "inspect", "list", "show", "check", "config",
    "search", "cache", "index", "wheel", "hash", "completion", "debug", "help",
}
# Interpreter options that take a value as the next argument (`python -W ignore -m pip`).
_PYTHON_VALUE_OPTIONS = {"-W", "-X", "-Q"}


class GuardEvents:
    """The guard events of one job, in first-seen order, without repeats, at most LIMIT.

    A script that retries a blocked install in a loop would otherwise flood the outcome.
    """

    LIMIT = 100

    def __init__(self):
        self._events = []
        self._seen = set()

    def record(self, guard, detail):
        key = (guard, detail)
        if key not in self._seen and len(self._events) < self.LIMIT:
            self._seen.add(key)
            self._events.append({"guard": guard, "detail": detail})

    def as_list(self):
        return list(self._events)


def notice(message):
    """One ``[dagtest] `` line on stderr, which the engine shows next to the script's output."""
    try:
        sys.stderr.write("[dagtest] %s\n" % message)
        sys.stderr.flush()
    except Exception:  # the script may have closed or replaced stderr; a notice is not worth dying
        pass


def pip_install_command(command, shell=False):
    """Return ``command`` as one string if it is a pip install, else None."""
    if isinstance(command, (str, bytes, os.PathLike)):
        text = os.fsdecode(command)
        return text if _shell_runs_pip_install(text) else None
    if not isinstance(command, (list, tuple)):
        return None  # any other iterable would be consumed by looking at it
    try:
        tokens = [os.fsdecode(token) for token in command]
    except TypeError:
        return None
    if shell and tokens:
        found = _shell_runs_pip_install(tokens[0])
    else:
        found = _runs_pip_install(tokens)
    return " ".join(tokens) if found else None


def _runs_pip_install(tokens):
    i = 0
    while i < len(tokens) and (
        _ASSIGNMENT.match(tokens[i]) or tokens[i].startswith("-") or _name(tokens[i]) in _PREFIXES
    ):
        i += 1
    if i >= len(tokens):
        return False
    program, rest = _name(tokens[i]), tokens[i + 1:]
    if program in _SHELLS:
        for j, token in enumerate(rest):
            if token.startswith("-") and not token.startswith("--") and "c" in token:
                return j + 1 < len(rest) and _shell_runs_pip_install(rest[j + 1])
        return False
    if _PYTHON.match(program) or tokens[i] == sys.executable:
        rest = _after_dash_m_pip(rest)
        if rest is None:
            return False
    elif not _PIP.match(program):
        return False
    subcommand = next((token for token in rest if token in _PIP_COMMANDS), None)
    return subcommand == "install"


def _after_dash_m_pip(args):
    """The arguments after ``-m pip`` in an interpreter command line, or None if it is not one."""
    j = 0
    while j < len(args):
        token = args[j]
        if token == "-m":
            return args[j + 2:] if args[j + 1:j + 2] == ["pip"] else None
        if token.startswith("-m"):
            return args[j + 1:] if token[2:] == "pip" else None
        if not token.startswith("-") or token in ("-", "-c"):
            return None  # a script, stdin or `-c code`: not pip
        j += 2 if token in _PYTHON_VALUE_OPTIONS else 1
    return None


def _shell_runs_pip_install(text):
    # Newlines separate commands like `;`; inside quotes the swap only affects detection.
    text = text.replace("\n", ";")
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: the shell will fail too; look at the words anyway
        tokens = re.split(r"\s+|([;&|]+)", text)
        tokens = [token for token in tokens if token]
    segment = []
    for token in tokens + [";"]:
        if _SHELL_OPERATOR.match(token):
            if segment and _runs_pip_install(segment):
                return True
            segment = []
        else:
            segment.append(token)
    return False


def _name(token):
    return os.path.basename(token).lower()


def _text_mode(kwargs):
    return bool(
        kwargs.get("text") or kwargs.get("universal_newlines") or kwargs.get("encoding") or kwargs.get("errors")
    )


def install_pip_guard(record):
    """Wrap subprocess's entry points and os.system; ``record(guard, detail)`` logs a block."""

    def blocked(args, kwargs):
        command = args[0] if args else kwargs.get("args")
        detail = pip_install_command(command, kwargs.get("shell", False))
        if detail is None:
            return False
        notice("blocked pip install: %s" % detail)
        record("pip-install", detail)
        return True

    def empty(kwargs):
        return "" if _text_mode(kwargs) else b""

    def wrap(real, on_block):
        @functools.wraps(real)
        def guarded(*args, **kwargs):
            if blocked(args, kwargs):
                return on_block(args, kwargs)
            return real(*args, **kwargs)

        return guarded

    def completed(args, kwargs):
        command = args[0] if args else kwargs.get("args")
        return subprocess.CompletedProcess(command, 0, empty(kwargs), empty(kwargs))

    subprocess.run = wrap(subprocess.run, completed)
    subprocess.call = wrap(subprocess.call, lambda args, kwargs: 0)
    subprocess.check_call = wrap(subprocess.check_call, lambda args, kwargs: 0)
    subprocess.check_output = wrap(subprocess.check_output, lambda args, kwargs: empty(kwargs))
    os.system = wrap(os.system, lambda args, kwargs: 0)
    # Popen stays a class (subclassing and isinstance keep working); the wrapped functions above
    # and os.popen reach it through the module global, so it is the last line of defence too.
    subprocess.Popen = _guarded_popen(subprocess.Popen, blocked, empty)


def _guarded_popen(real_popen, blocked, empty):
    class Popen(real_popen):
        def __new__(cls, *args, **kwargs):
            if blocked(args, kwargs):
                # Not an instance of a user's subclass `cls`, so type.__call__ skips __init__:
                # the stand-in is filled here.
                process = object.__new__(BlockedPopen)
                process._pretend(args, kwargs, empty(kwargs))
                return process
            return super().__new__(cls)

    class BlockedPopen(Popen):
        """A finished process with exit status 0 and no output, for a blocked command."""

        def __init__(self, *args, **kwargs):
            pass  # filled by _pretend; type.__call__ calls this with the Popen arguments

        def _pretend(self, args, kwargs, empty_output):
            self.args = args[0] if args else kwargs.get("args")
            self.returncode = 0
            self.pid = None  # never 0: os.kill(0, ...) would signal our own process group
            self._child_created = False  # makes the inherited __del__ a no-op
            self._empty = empty_output
            stream = io.StringIO if isinstance(empty_output, str) else io.BytesIO
            self.stdin = stream() if kwargs.get("stdin") == subprocess.PIPE else None
            self.stdout = stream() if kwargs.get("stdout") == subprocess.PIPE else None
            self.stderr = stream() if kwargs.get("stderr") == subprocess.PIPE else None

        def poll(self):
            return 0

        def wait(self, timeout=None):
            return 0

        def communicate(self, input=None, timeout=None):
            return self._empty, self._empty

        def send_signal(self, sig):
            pass

        def terminate(self):
            pass

        def kill(self):
            pass

        def __exit__(self, exc_type, exc, tb):
            for stream in (self.stdin, self.stdout, self.stderr):
                if stream is not None:
                    stream.close()

        def __del__(self):
            pass

    for cls in (Popen, BlockedPopen):
        cls.__module__ = real_popen.__module__
    Popen.__qualname__ = Popen.__name__ = real_popen.__name__
    Popen.__doc__ = real_popen.__doc__
    return Popen
