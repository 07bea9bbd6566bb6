"""``DAGTEST_TRACE_TIMINGS=FILE``: the runner's side of the timing trace (``src/util/trace-timings.ts``).

Each mark is one JSON line appended to FILE with the time on the monotonic clock the engine reads
too (CLOCK_MONOTONIC), so the server's, the child's and the engine's marks sort into one timeline.
Unset (the default), a mark costs one comparison.
"""

import json
import os
import time

_file = [os.environ.get("DAGTEST_TRACE_TIMINGS") or None]


def configure(path):
    """The trace file of this process from now on (a forked child takes its job's), or None."""
    _file[0] = path or None


def mark(node, label, by="runner"):
    path = _file[0]
    if path is None:
        return
    line = '{"t":%d,"node":%s,"mark":%s,"by":"%s"}\n' % (time.monotonic_ns(), json.dumps(node), json.dumps(label), by)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    except OSError:
        pass  # a diagnostic never fails a job
