"""``serve`` mode: a warm fork server. It imports the heavy modules once and forks a child per job.

Invocation (by ``src/exec/fork-server.ts``; stdin must be a pipe from the engine)::

    <python> <root>/python/dagtest_runner/__main__.py serve <socket path> [<config json>]

config: ``{"protocolVersion": 1, "preload": [module, ...], "explicit": [module, ...]}``; see
``preload.py`` for which modules are imported. The server then prints one line on stdout,
``{"event": "ready", ...}`` or ``{"event": "refused", "reason": ...}`` (and exits 3), and
listens on the Unix socket. Everything else it has to say goes to stderr.

A job takes three connections, each starting with one JSON line (``ServeRunRequest`` and
``ServeStreamRequest`` in ``src/model/protocol.ts``): ``{"kind": "run", "id", "jobFile", "env",
"cwd", "sourceDir"}`` on the control connection, and ``{"kind": "stream", "id", "stream":
"stdout"|"stderr"}`` on two more, which become the child's fds 1 and 2: the engine reads the
job's output straight from them, so it bounds the logs exactly as for a cold process. Once all
three are in, the server hands the job (and a copy of the control connection) to a forked child.
The engine then reads one JSON line per step on the control connection: ``{"event": "forked",
"pid"}`` from the server at once; ``{"event": "running", "pid"}`` from the child when it is set
up for the job (the engine's start deadline waits for it), and ``{"event": "exit", "pid",
"code", "signal"}`` when it has finished (its last act before ``os._exit``), written by the
child itself so that a server busy forking never delays them (so ``running`` may come before
``forked``); the server writes the ``exit`` when it reaps a child that died another way, and
``{"event": "error", "message"}`` when it cannot take the job. The server's loop is in
``fork_server.py``, the child's side in ``fork_child.py``.

The server runs no user code, starts no thread and never lets a child's fault reach it: a child
is another process from the fork on. It exits, killing the process groups of its live
children, when the engine goes away: EOF on stdin, the parent pid changing, or SIGTERM.

A *kept* server (config ``keep``: ``{idleSeconds, token, record}``, started by
``src/exec/kept-server.ts``) outlives the command that started it, so the next ``dagtest run``
forks from it at once: it has no engine pipe and no parent to watch; it stops after
``idleSeconds`` without a job, on SIGTERM or on a ``{"kind": "stop"}`` request, and answers
``{"kind": "status"}``. Every request to it must carry the project's ``token``; the socket is
0600 and a peer of another user is dropped.
"""

import gc
import json
import os
import sys
import threading
import time

from dagtest_runner import run, strays
from dagtest_runner.fork_server import Server
from dagtest_runner.preload import preload
from dagtest_runner.protocol import PROTOCOL_VERSION, BadRequest, fail, parse_request, string_list

WHO = "dagtest_runner serve"
EXIT_REFUSED = 3


def main(argv):
    """Preload, report, serve; in a forked child, run the job and return its exit code."""
    if len(argv) not in (1, 2):
        return fail(WHO, "expected <socket path> [<config json>]; got %d arguments" % len(argv))
    try:
        config = parse_request(argv[1]) if len(argv) == 2 else {"preload": [], "explicit": []}
        names, explicit = string_list(config, "preload"), string_list(config, "explicit")
        keep = _keep_config(config.get("keep"))
    except BadRequest as exc:
        return fail(WHO, "bad config: %s" % exc)
    # fd 1 carries the one status line; whatever else is printed (by an import, say) goes to stderr.
    report = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    started = time.perf_counter()
    before = set(sys.modules)
    loaded, skipped, refusal = preload(names, explicit)
    tops = {m.partition(".")[0] for m in set(sys.modules) - before} - set(sys.builtin_module_names)
    if refusal is None and threading.active_count() != 1:
        refusal = "%d threads are running after the preload" % threading.active_count()
    server = None
    if refusal is None:
        try:
            server = Server(argv[0], tops, keep)
        except OSError as exc:
            refusal = "cannot listen on %s: %s" % (argv[0], exc.strerror or exc)
    status = {"event": "refused", "reason": refusal, "skipped": skipped} if server is None else {
        "event": "ready", "protocolVersion": PROTOCOL_VERSION, "pid": os.getpid(),
        "python": sys.version.split()[0], "preloaded": loaded, "skipped": skipped,
        "bootMs": round((time.perf_counter() - started) * 1000, 1),
        "sitePaths": _site_paths(),
    }
    if server is not None:
        server.status = status
    report.write(json.dumps(status) + "\n")
    report.close()
    if server is None:
        return EXIT_REFUSED
    # Objects that exist now are never freed by a child: keep the collector off their pages, so
    # that copy-on-write shares them instead of copying them into every child.
    if sys.platform.startswith("linux"):
        strays.load_libc()  # every child needs prctl: loaded once, here
    run.remember_real_paths()  # and every child hides the runner's folders from sys.path
    gc.collect()
    gc.freeze()
    work = server.serve()
    return 0 if work is None else work()


def _keep_config(keep):
    """``keep`` of the config: null, or {idleSeconds, token, record} for a server kept between commands."""
    if keep is None:
        return None
    if (
        not isinstance(keep, dict)
        or not isinstance(keep.get("idleSeconds"), (int, float))
        or not isinstance(keep.get("token"), str)
        or len(keep["token"]) < 16
        or not isinstance(keep.get("record"), (str, type(None)))
    ):
        raise BadRequest("field 'keep' must be {idleSeconds, token (16+ chars), record}")
    return keep


def _site_paths():
    """Folders whose change means other installed packages: the engine checks them before reuse."""
    return sorted({p for p in sys.path if p and os.path.isdir(p) and p.rstrip("/").endswith(("site-packages", "dist-packages"))})
