"""The fork server's event loop: accept jobs on a Unix socket, hand each to a forked child, reap.

One thread, one ``selectors`` loop over: the listening socket, each connection's first line,
each child's socketpair, SIGCHLD (through the wakeup fd) and the engine's pipe on stdin. The
protocol is described in ``serve.py`` and ``serve_protocol.py``; the child's side is in
``fork_child.py``.

Children are forked ahead of time: SPARES of them wait, set up, for a job, and a replacement is
forked while the job that took one runs, or right after it ended when it was that quick. The
fork (a few ms for a server holding pandas and scikit-learn) is then off the job's path. A job
that finds no spare forks one then.
"""

import os
import selectors
import signal
import socket
import sys
import threading
import time

from dagtest_runner import access, fork_child, trace
from dagtest_runner.protocol import BadRequest
from dagtest_runner.serve_protocol import exit_status, parse_engine_request, recv_some, send_event, send_job

MAX_HEADER = 16 * 1024 * 1024
PARENT_POLL_S = 1.0
SPARES = 2
# A replacement spare is forked this long after a job started, or when it ends if sooner: the
# fork blocks this loop, and must not delay the messages of a job that is about to finish.
REPLENISH_DELAY_S = 0.003


class _Forked(BaseException):
    """Raised in a new child to leave the server's loop; carries what the child must do."""

    def __init__(self, work):
        super().__init__()
        self.work = work


class _Child:
    def __init__(self, sock):
        self.sock = sock  # the server's end of the child's socketpair
        self.received = b""
        self.control = None  # the engine's control connection, once the child has a job
        self.reported = False  # its exit was reported (from its "exiting" line, before the reap)
        self.node = "-"  # the node of its job, for the timing trace


class Server:
    def __init__(self, path, preloaded_tops, keep=None):
        self.path = path
        self.tops = frozenset(preloaded_tops)
        # A kept server (``keep``: idleSeconds, token, record) outlives the command that started
        # it: no engine pipe, no parent to watch; it stops after idleSeconds without a job, and
        # answers only requests that carry its project's token.
        self.keep = keep
        self.parent = None if keep else os.getppid()
        self.last_active = time.monotonic()
        self.status = {}
        self.stopping = False
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if os.path.exists(path):
            os.unlink(path)
        old_umask = os.umask(0o177)  # the socket is created 0600: only this user may connect
        try:
            self.listener.bind(path)
        finally:
            os.umask(old_umask)
        self.listener.listen(128)
        self.listener.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.wake_r, self.wake_w = os.pipe()
        for fd in (self.wake_r, self.wake_w):
            os.set_blocking(fd, False)
        self.headers = {}  # connection -> bytes received so far, until the first newline
        self.pending = {}  # job id -> {"run": (conn, request), "stdout": conn, "stderr": conn}
        self.controls = {}  # control connection -> job id, while its job waits for its streams
        self.children = {}  # pid -> _Child
        self.spares = []  # pids of children waiting for a job, oldest first
        self.replenish_at = None  # monotonic time at which to fork missing spares
        self.signals = {}  # signum -> handler before the server changed it; a child restores them
        for signum, handler in ((signal.SIGCHLD, _wake), (signal.SIGTERM, self._stop), (signal.SIGINT, signal.SIG_IGN)):
            self.signals[signum] = signal.signal(signum, handler)
        signal.set_wakeup_fd(self.wake_w)
        self.selector.register(self.listener, selectors.EVENT_READ, self._accept)
        self.selector.register(self.wake_r, selectors.EVENT_READ, self._reap)
        if not keep:
            self.selector.register(0, selectors.EVENT_READ, self._engine)

    def serve(self):
        """Serve until the engine goes away (None); in a child, return the child's work."""
        try:
            self._replenish()
            while not self.stopping:
                timeout = PARENT_POLL_S
                if self.replenish_at is not None:
                    timeout = min(timeout, max(0.0, self.replenish_at - time.monotonic()))
                for key, _ in self.selector.select(timeout):
                    try:
                        key.data(key.fileobj)
                    except Exception as exc:  # one connection's or child's trouble, not the server's
                        sys.stderr.write("[dagtest serve] %s: %s\n" % (type(exc).__name__, exc))
                if self.replenish_at is not None and time.monotonic() >= self.replenish_at:
                    self._replenish()
                if self.parent is not None and os.getppid() != self.parent:
                    break
                if self.keep and self._idle_for() > self.keep["idleSeconds"]:
                    break
        except _Forked as forked:
            return forked.work
        self._shutdown()
        return None

    def _accept(self, listener):
        while True:
            try:
                conn, _ = listener.accept()
            except BlockingIOError:
                return
            if not access.same_user(conn):
                conn.close()
                continue
            conn.setblocking(False)
            self.headers[conn] = b""
            self.selector.register(conn, selectors.EVENT_READ, self._header)
            try:
                self._header(conn)  # the engine writes its line right after connecting: often there
            except Exception as exc:  # as in the loop: one connection's trouble, not the server's
                sys.stderr.write("[dagtest serve] %s: %s\n" % (type(exc).__name__, exc))

    def _header(self, conn):
        data = recv_some(conn, 65536)
        if data is None:
            return
        received = self.headers[conn] + data
        if not data or len(received) > MAX_HEADER:
            return self._drop(conn)
        if b"\n" not in received:
            self.headers[conn] = received
            return
        del self.headers[conn]
        self.selector.unregister(conn)
        try:
            request = parse_engine_request(received.partition(b"\n")[0])
        except BadRequest as exc:
            send_event(conn, {"event": "error", "message": "bad request: %s" % exc})
            return conn.close()
        if self.keep and not access.token_matches(request, self.keep["token"]):
            send_event(conn, {"event": "error", "message": "refused: the request is not from this server's project"})
            return conn.close()
        if request["kind"] in ("status", "stop"):
            return self._manage(conn, request["kind"])
        job = self.pending.setdefault(request["id"], {})
        if request["kind"] == "run":
            job["run"] = (conn, request)
            self.controls[conn] = request["id"]
            self.selector.register(conn, selectors.EVENT_READ, self._control_closed)
        else:
            job[request["stream"]] = conn
        if len(job) == 3:
            del self.pending[request["id"]]
            control, run = job["run"]
            del self.controls[control]
            self.selector.unregister(control)
            self._dispatch(control, run, (job["stdout"], job["stderr"]))

    def _manage(self, conn, kind):
        running = sum(1 for child in self.children.values() if child.control is not None)
        status = dict(self.status, event=kind, running=running, idleSeconds=round(self._idle_for(), 1))
        send_event(conn, status)
        conn.close()
        if kind == "stop":
            self.stopping = True

    def _idle_for(self):
        """Seconds since the last job ended (0 while a job runs or arrives)."""
        busy = self.headers or self.pending or any(c.control is not None for c in self.children.values())
        if busy:
            self.last_active = time.monotonic()
        return time.monotonic() - self.last_active

    def _control_closed(self, conn):
        """A job's control connection closed before its streams arrived: forget the job."""
        if recv_some(conn, 1) != b"":
            return
        job = self.pending.pop(self.controls.pop(conn, None), {})
        for key in ("stdout", "stderr"):
            if key in job:
                job[key].close()
        self._drop(conn)

    def _lost(self, pid):
        """The engine closed a running job's control connection: it wants no more reports."""
        child = self.children.get(pid)
        if child is not None and child.control is not None and recv_some(child.control, 1) == b"":
            self._drop(child.control)
            child.control = None

    def _dispatch(self, control, request, streams):
        node = os.path.basename(os.path.dirname(request["jobFile"]))
        trace.mark(node, "server:dispatch", "server")
        for _ in range(3):  # a spare that died unseen refuses the job: take the next one
            pid = self.spares.pop(0) if self.spares else self._fork(control)
            if pid is None:  # the fork failed, and said why on the control connection
                break
            try:
                send_job(self.children[pid].sock, request, [conn.fileno() for conn in (*streams, control)])
            except OSError:
                continue
            for conn in streams:  # the child's now: the engine sees them close when it exits
                conn.close()
            self.children[pid].control = control
            self.children[pid].node = node
            self.selector.register(control, selectors.EVENT_READ, lambda conn: self._lost(pid))
            send_event(control, {"event": "forked", "pid": pid})
            trace.mark(node, "server:job-sent", "server")
            return
        else:
            send_event(control, {"event": "error", "message": "no forked child would take the job"})
        for conn in (*streams, control):
            conn.close()

    def _replenish_soon(self, delay):
        at = time.monotonic() + delay
        if self.replenish_at is None or at < self.replenish_at:
            self.replenish_at = at

    def _replenish(self):
        self.replenish_at = None
        while len(self.spares) < SPARES:
            trace.mark("-", "server:fork", "server")
            pid = self._fork(None)
            if pid is None:
                return
            self.spares.append(pid)
            trace.mark("-", "server:forked", "server")

    def _fork(self, control):
        """Fork a child that waits for a job; its pid, or None (reported on ``control``)."""
        if threading.active_count() != 1:  # bpo-31913: never fork a multi-threaded process
            send_event(control, {"event": "error", "message": "the fork server has started a thread"})
            return None
        ours, theirs = socket.socketpair()
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as exc:
            send_event(control, {"event": "error", "message": "fork failed: %s" % exc})
            ours.close()
            theirs.close()
            return None
        if pid == 0:
            closers = self._closers() + [ours.close]
            tops, saved = self.tops, dict(self.signals)
            raise _Forked(lambda: fork_child.spare(theirs, closers, saved, tops))
        theirs.close()
        ours.setblocking(False)
        self.children[pid] = _Child(ours)
        self.selector.register(ours, selectors.EVENT_READ, lambda sock: self._from_child(pid))
        return pid

    def _from_child(self, pid):
        child = self.children.get(pid)
        data = recv_some(child.sock, 4096) if child else b""
        if data is None or child is None:
            return
        if not data:  # the child closed its end: it is exiting; the reap reports it
            self._unregister(child.sock)
            return
        child.received += data
        while b"\n" in child.received:
            line, _, child.received = child.received.partition(b"\n")
            # The child told the engine itself (on its copy of the control connection).
            if line == b"running":
                trace.mark(child.node, "server:child-running", "server")
                self._replenish_soon(REPLENISH_DELAY_S)
            elif line.startswith(b"exiting ") and not child.reported:
                trace.mark(child.node, "server:child-exiting", "server")
                child.reported = True
                self._drop(child.control)
                child.control = None
                self._replenish_soon(0)

    def _reap(self, fd):
        try:
            while os.read(fd, 4096):
                pass
        except BlockingIOError:
            pass
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            child = self.children.get(pid)
            if child is None:
                continue
            self._from_child(pid)  # what it sent just before it died: "running" precedes "exit"
            del self.children[pid]
            if pid in self.spares:
                self.spares.remove(pid)
            self._unregister(child.sock)
            if not child.reported and child.control is not None:
                code, name = exit_status(status)
                send_event(child.control, {"event": "exit", "pid": pid, "code": code, "signal": name})
            self._drop(child.control)
            child.sock.close()
            self._replenish_soon(0)

    def _engine(self, stdin):
        if not os.read(stdin if isinstance(stdin, int) else stdin.fileno(), 4096):
            self.stopping = True  # EOF: the engine exited or was killed

    def _stop(self, signum, frame):
        self.stopping = True

    def _drop(self, conn):
        if conn is None:
            return
        self.headers.pop(conn, None)
        self._unregister(conn)
        conn.close()

    def _unregister(self, fileobj):
        try:
            self.selector.unregister(fileobj)
        except (KeyError, ValueError):
            pass

    def _closers(self):
        """Callables that close, in a child, every descriptor the server owns."""
        conns = set(self.headers) | set(self.controls)
        for job in self.pending.values():
            conns.update(c[0] if isinstance(c, tuple) else c for c in job.values())
        for child in self.children.values():
            conns.update(c for c in (child.sock, child.control) if c is not None)
        closers = [self.selector.close, self.listener.close]
        closers += [conn.close for conn in conns]
        closers += [lambda fd=fd: os.close(fd) for fd in (self.wake_r, self.wake_w)]
        return closers

    def _shutdown(self):
        for pid in list(self.children):
            for kill in (os.killpg, os.kill):  # before its setsid, a child is not a group leader
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        deadline = time.monotonic() + 2
        while self.children and time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                self.children.pop(pid, None)
            else:
                time.sleep(0.01)
        self.listener.close()
        if self.keep:
            access.forget_record(self.keep.get("record"))
        for remove in (os.unlink, os.rmdir):  # the socket, then its folder if nothing else is left
            try:
                remove(self.path if remove is os.unlink else os.path.dirname(self.path))
            except OSError:
                pass


def _wake(signum, frame):
    """SIGCHLD needs a Python handler for the wakeup fd to be written; the loop does the work."""
