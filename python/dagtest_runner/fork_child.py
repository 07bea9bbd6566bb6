"""One child of the fork server: from the fork to the same job code as ``run`` mode.

Right after ``os.fork()`` the child is a copy of the server. Before the user's script runs it is
turned into what a fresh ``python __main__.py run job.json`` would be:

- its own session and process group (``setsid``), so the engine can kill it and everything it
  starts with one ``killpg``;
- the signal dispositions and signal mask of a fresh interpreter;
- stdin from /dev/null, stdout and stderr on the job's log streams, and none of the server's
  file descriptors (listening socket, other jobs' connections, the engine's pipe);
- exactly the job's environment (``os.environ`` replaced, not merged) and working directory;
- preloaded modules that the job's own folder shadows dropped from ``sys.modules``, so the
  job imports its sibling file as a cold process would;
- fresh random state for numpy, whose global generator would otherwise be the server's copy.

Then it runs ``run.run_file`` and returns the exit code; the caller lets the interpreter exit
normally, so atexit handlers and the flushing of unclosed files happen as in a cold process.
"""

import os
import signal
import sys

from dagtest_runner import run


def become_job(request, streams, running_fd, server_fds, restore_signals, preloaded_tops):
    """Turn this freshly forked process into the job's process and run the job; the exit code.

    request: the ``run`` request (``jobFile``, ``env``, ``cwd``, ``sourceDir``).
    streams: ``{"stdout": socket, "stderr": socket}`` connected to the engine.
    running_fd: write end of a pipe; one byte on it tells the server the child is up.
    server_fds: callables that close the server's descriptors in this process.
    restore_signals: ``{signum: handler}`` as they were before the server changed them.
    preloaded_tops: top-level names of the modules the preload imported.
    """
    os.setsid()
    signal.set_wakeup_fd(-1)
    for signum, handler in restore_signals.items():
        signal.signal(signum, handler)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
    _redirect(streams)
    for close in server_fds:
        try:
            close()
        except OSError:
            pass
    os.environ.clear()
    os.environ.update(request["env"])
    try:
        os.chdir(request["cwd"])
    except OSError:
        pass  # run.setup changes to workDir again and reports a missing one as a setup failure
    _drop_shadowed(request.get("sourceDir"), preloaded_tops)
    _reseed()
    os.write(running_fd, b"1")
    os.close(running_fd)
    return run.run_file(request["jobFile"])


def _redirect(streams):
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        sock = streams[name]
        os.dup2(sock.fileno(), fd)
        sock.close()
        # Blocking like a pipe: the server read the request header without blocking, and that
        # flag is shared with the duplicate.
        os.set_blocking(fd, True)
    # sys.stdin/stdout/stderr are the server's objects over fds 0-2: they now read /dev/null and
    # write to the job's streams. Nothing is buffered in them: the server flushed before fork.


def _drop_shadowed(source_dir, preloaded_tops):
    """Forget preloaded modules that a file in the job's folder would shadow in a cold process.

    sourceDir comes first on sys.path, so ``utils.py`` next to the script wins over an
    installed ``utils``: in a cold process because nothing imported ``utils`` yet, here only if
    the preloaded copy is dropped. A plain folder (namespace package) does not shadow.
    """
    if not source_dir or not preloaded_tops:
        return
    try:
        entries = set(os.listdir(source_dir))
    except OSError:
        return
    shadowing = set()
    for entry in entries:
        stem = entry.partition(".")[0]
        if stem in preloaded_tops and (
            entry.endswith((".py", ".pyc", ".so", ".pyd")) or
            os.path.isfile(os.path.join(source_dir, entry, "__init__.py"))
        ):
            shadowing.add(stem)
    for name in [m for m in sys.modules if m.partition(".")[0] in shadowing]:
        del sys.modules[name]


def _reseed():
    # `random` reseeds itself after fork (os.register_at_fork); numpy's legacy global generator
    # does not, and every job would draw the same "random" numbers.
    numpy_random = sys.modules.get("numpy.random")
    seed = getattr(numpy_random, "seed", None)
    if callable(seed):
        try:
            seed()
        except Exception:
            pass
