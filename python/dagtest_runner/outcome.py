"""The StepOutcome (``src/model/protocol.ts``): how a failure is described, and how it is written.

A failure carries the frames in the user's own files (the script and its siblings under
sourceDir), innermost last, because that is where the reader should look; the whole formatted
traceback comes along, bounded, for everything else.
"""

import json
import os
import sys
import traceback

try:
    import resource
except ImportError:  # not POSIX: no peak RSS
    resource = None

from dagtest_runner.guards import notice
from dagtest_runner.protocol import PROTOCOL_VERSION

TRACEBACK_CHARS = 20000
MAX_FRAMES = 100  # innermost kept; a RecursionError would otherwise report ~1000 frames


def describe_error(exc, phase, source_dir, script):
    """A StepError for ``exc``; frames are those in the user's files, innermost last."""
    is_user_file = _user_files(source_dir, script)
    frames = [
        _frame(entry.filename, entry.lineno, entry.name, entry.line)
        for entry in traceback.extract_tb(exc.__traceback__)
        if is_user_file(entry.filename)
    ]
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno and is_user_file(exc.filename):
        # The compiler's complaint is not a frame of the traceback, but it is where to look.
        frames.append(_frame(exc.filename, exc.lineno, "<module>", exc.text))
    message, exit_code = _message(exc), None
    if isinstance(exc, SystemExit):
        exit_code, message = exit_status(exc.code)
        if phase == "import" and exit_code == 0:
            message = "sys.exit(0) while importing the script: main was never called"
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {
        "type": type(exc).__name__,
        "message": message,
        "frames": frames[-MAX_FRAMES:],
        "traceback": text[-TRACEBACK_CHARS:],
        "exitCode": exit_code,
        "phase": phase,
    }


def _user_files(source_dir, script):
    root = os.path.join(os.path.realpath(source_dir), "")
    script = os.path.realpath(script)
    known = {}

    def is_user_file(filename):
        if not filename or filename.startswith("<"):  # <frozen importlib._bootstrap>, <string>
            return False
        if filename not in known:
            real = os.path.realpath(filename)
            known[filename] = real == script or real.startswith(root)
        return known[filename]

    return is_user_file


def _frame(file, line, function, code):
    return {"file": file, "line": line or 0, "function": function, "code": (code or "").strip() or None}


def exit_status(code):
    """(exit code, message) the way the interpreter treats ``sys.exit(code)``."""
    if code is None:
        return 0, "None"
    if isinstance(code, int):  # bool included: sys.exit(True) exits with 1
        return int(code), str(int(code))
    return 1, _message(code)  # a string (or any object) is printed and the process exits with 1


def _message(value):
    try:
        return str(value)
    except Exception:
        return "<%s that cannot be shown as a string>" % type(value).__name__


def build_outcome(node, events, duration_ms, error):
    """The StepOutcome; ``events`` is a GuardEvents, ``error`` a StepError dict or None."""
    outcome = {
        "protocolVersion": PROTOCOL_VERSION,
        "node": node,
        "status": "passed" if error is None else "failed",
        "durationMs": round(duration_ms, 3),
        "peakRssKb": peak_rss_kb(),
        "guardEvents": events.as_list(),
    }
    if error is not None:
        outcome["error"] = error
    return outcome


def peak_rss_kb():
    """Peak RSS of this process and its waited-for children, in KiB (ru_maxrss is bytes on macOS)."""
    if resource is None:
        return None
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return peak // 1024 if sys.platform == "darwin" else peak


def write_outcome(path, outcome):
    """Write ``<path>.tmp`` then rename it to ``path``; return False (and say why) on failure."""
    temp = path + ".tmp"
    try:
        with open(temp, "w", encoding="utf-8") as file:
            json.dump(outcome, file, ensure_ascii=True, separators=(",", ":"))
        os.replace(temp, path)
        return True
    except (OSError, ValueError, TypeError) as exc:
        notice("could not write the result file %s: %s" % (path, exc))
        return False
