"""``DAGTEST_TRACE_TIMINGS=FILE``: the runner's side of the timing trace (``src/util/trace-timings.ts``).

Each mark is one JSON line for FILE with the time on the monotonic clock the engine reads too
(CLOCK_MONOTONIC), so the server's, the child's and the engine's marks sort into one timeline.
A forked child keeps its marks in memory and appends them in one write as it exits (``flush``);
the server appends each at once. Unset (the default), a mark costs one comparison.
"""

import json
import os
import time

_file = [os.environ.get("DAGTEST_TRACE_TIMINGS") or None]
_pending = []
_buffered = [False]


def configure(path, buffered=False):
    """The trace file of this process from now on (a forked child takes its job's), or None."""
    _file[0] = path or None
    _buffered[0] = buffered


def mark(node, label, by="runner"):
    if _file[0] is None:
        return
    _pending.append('{"t":%d,"node":%s,"mark":%s,"by":"%s"}\n' % (
        time.monotonic_ns(), json.dumps(node), json.dumps(label), by))
    if not _buffered[0]:
        flush()


def flush():
    path = _file[0]
    if path is None or not _pending:
        return
    data = "".join(_pending).encode()
    del _pending[:]
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    except OSError:
        pass  # a diagnostic never fails a job
