"""One child of the fork server: from the fork to the same job code as ``run`` mode.

The server forks its children ahead of time (spares), so the fork and everything that does not
depend on the job are done before a job arrives. Right after the fork a spare turns itself
into what a fresh ``python __main__.py run job.json`` would be:

- its own session and process group (``setsid``), so the engine can kill it and everything it
  starts with one ``killpg``;
- the signal dispositions and signal mask of a fresh interpreter;
- stdin from /dev/null and none of the server's file descriptors (listening socket, other
  jobs' connections, the engine's pipe);
- fresh random state for numpy, whose global generator would otherwise be the server's copy
  (``random`` reseeds itself after a fork);
- a child subreaper with run mode's SIGTERM handler (``strays.become_subreaper``, the one step
  of run mode's set-up that does not depend on the job).

Then it waits for its job (``serve_protocol.receive_job``) and, for that job:

- stdout and stderr on the job's log streams, which the engine reads;
- exactly the job's environment (``os.environ`` replaced, not merged) and working directory;
- preloaded modules that the job's own folder shadows dropped from ``sys.modules``, so the
  job imports its sibling file as a cold process would;

and runs ``run.run_file``, the code path of ``run`` mode.
"""

import _io
import atexit
import gc
import json
import os
import select
import signal
import sys

from dagtest_runner import run, strays, trace
from dagtest_runner.serve_protocol import receive_job


def spare(sock, server_fds, restore_signals, preloaded_tops):
    """The life of a forked child: set up, wait for a job, run it; never returns.

    sock: this child's end of its socketpair with the server.
    server_fds: callables that close the server's descriptors in this process.
    restore_signals: ``{signum: handler}`` as they were before the server changed them.
    preloaded_tops: top-level names of the modules the preload imported.
    """
    _become_fresh(server_fds, restore_signals)
    job = receive_job(sock)
    if job is None:  # the server is gone
        os._exit(0)
    request, (stdout, stderr, control) = job
    report = _Report(sock, control, os.path.basename(os.path.dirname(request["jobFile"])))
    trace.configure(request["env"].get("DAGTEST_TRACE_TIMINGS"), buffered=True)
    trace.mark(report.node, "child:job-received")
    for fd, stream in ((1, stdout), (2, stderr)):
        os.dup2(stream, fd)
        os.close(stream)
        # Blocking like a pipe: the server read the request header without blocking, and that
        # flag belongs to the socket, which this descriptor shares.
        os.set_blocking(fd, True)
    _replace_environ(request["env"])
    try:
        os.chdir(request["cwd"])
    except OSError:
        pass  # run.setup changes to workDir again and reports a missing one as a setup failure
    _drop_shadowed(request.get("sourceDir"), preloaded_tops)
    trace.mark(report.node, "child:env-replaced")
    report.running()
    if request.get("mode") == "inspect":
        _exit(_inspect(request["jobFile"]), report)
    _exit(run.run_file(request["jobFile"]), report)


def _inspect(request_file):
    """``inspect`` mode on ``request_file`` (a model check): what ``__main__.py inspect <
    request_file`` does in a fresh interpreter, here in a child that never ran a script."""
    from dagtest_runner import inspect_outputs

    try:
        sys.stdin = open(request_file, encoding="utf-8")
    except OSError as exc:
        sys.stderr.write("dagtest inspect: cannot read its request %s: %s\n" % (request_file, exc))
        return 2
    try:
        return inspect_outputs.main([])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


def _become_fresh(server_fds, restore_signals):
    """Everything that does not depend on the job, done before it arrives (see the module doc)."""
    os.setsid()
    signal.set_wakeup_fd(-1)
    for signum, handler in restore_signals.items():
        signal.signal(signum, handler)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
    for close in server_fds:
        try:
            close()
        except OSError:
            pass
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    _reseed()
    # Run mode's one job-independent step: the child subreaper (its set-up finds it done). The
    # server's death is the engine's to handle (retry cold), so no death signal with it.
    strays.die_with_parent[0] = False
    strays.become_subreaper()


class _Report:
    """How the child says where it is: to the engine directly, on the job's control connection
    (a copy of the server's, passed with the job), and to the server on the socketpair.

    Directly, because the server's loop may be busy (forking the next spare) just when a short
    job ends: the engine hears ``running`` and ``exit`` without waiting for it. The server hears
    them too, to fork a spare and to know that the exit was told (else it tells it when it reaps).
    """

    def __init__(self, sock, control, node):
        self.sock = sock
        self.control = control
        self.node = node
        os.set_inheritable(control, False)
        # A process the script forks (multiprocessing) must not hold the engine's connection.
        os.register_at_fork(after_in_child=self._close_control)

    def running(self):
        self._tell_engine({"event": "running", "pid": os.getpid()})
        self.sock.sendall(b"running\n")

    def exiting(self, code):
        """The last word: to the engine first, so the server never thinks it was told in vain."""
        self._tell_engine({"event": "exit", "pid": os.getpid(), "code": code, "signal": None})
        self._close_control()
        try:
            self.sock.sendall(b"exiting %d\n" % code)
        except OSError:
            pass

    def _tell_engine(self, event):
        if self.control is None:
            return
        data = (json.dumps(event, separators=(",", ":")) + "\n").encode()
        try:
            while data:
                try:
                    data = data[os.write(self.control, data):]
                except BlockingIOError:  # the descriptor is the server's non-blocking socket
                    select.select([], [self.control], [], 1.0)
        except OSError:
            pass  # the engine closed the connection: it wants no more reports

    def _close_control(self):
        if self.control is not None:
            try:
                os.close(self.control)
            except OSError:
                pass
            self.control = None


def _exit(code, report):
    """Leave as the interpreter would, minus the teardown of the preloaded modules.

    A normal exit would tear down every module the server imported, touching (and so copying)
    most of its memory: 60 ms with pandas and scikit-learn, for nothing a script can observe.
    What a script can observe is kept: its atexit handlers (logging.shutdown, weakref.finalize,
    multiprocessing's cleanup) run, and files it left open are flushed. Not kept: ``__del__`` of
    the script's own objects still alive at exit.

    Then the job's streams are closed and the engine and the server are told the exit code,
    before the kernel takes the address space apart (a few ms for a large server): the job is
    over by then.
    """
    trace.mark(report.node, "child:run-file-returned")
    atexit._run_exitfuncs()
    trace.mark(report.node, "child:atexit-done")
    for obj in gc.get_objects():  # only objects made after the fork: the server's are frozen
        # The C base of every io class (io.IOBase included): a plain subclass check, where the
        # io.IOBase ABC would add each new type to its caches.
        if isinstance(obj, _io._IOBase):
            try:
                if not obj.closed and obj.writable():
                    obj.flush()
            except Exception:
                pass
    run._flush_streams()
    trace.mark(report.node, "child:files-flushed")
    null = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(null, fd)
    trace.flush()  # before the exit is told: the engine then kills what is left of the group
    report.exiting(code)
    os._exit(code)


def _replace_environ(env):
    """``os.environ`` becomes exactly ``env``: replaced, not merged. Only what differs is touched
    (the job's environment is mostly the server's: both are dagtest's), a quarter of the time of
    a clear and a refill."""
    for key in [key for key in os.environ if key not in env]:
        del os.environ[key]
    for key, value in env.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def _drop_shadowed(source_dir, preloaded_tops):
    """Forget preloaded modules that a file in the job's folder would shadow in a cold process.

    sourceDir comes first on sys.path, so ``utils.py`` next to the script wins over an
    installed ``utils``: in a cold process because nothing imported ``utils`` yet, here only if
    the preloaded copy is dropped. A plain folder (namespace package) does not shadow.
    """
    if not source_dir or not preloaded_tops:
        return
    try:
        entries = os.listdir(source_dir)
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
    if not shadowing:
        return  # the usual case; walking sys.modules would copy the pages its names live on
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
