"""One engine process (``node dagtest serve --stdio``) and the JSON-RPC conversation with it.

Messages are read by a thread into a queue, so the caller waits with a timeout and Ctrl-C (or
"interrupt kernel") always reaches Python: during a run it becomes a ``run.cancel`` request,
the engine stops the scripts cleanly and answers with what finished, and then
:class:`RunInterrupted` is raised. A second Ctrl-C stops the engine at once.

The engine runs in its own session, so a terminal's Ctrl-C reaches only Python (which decides),
and it ends when its stdin closes: when this object is closed, collected, or Python exits.
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import queue
import subprocess
import sys
import threading
import weakref
from typing import Any, Callable, Deque, Dict, Optional

from ._locate import NodeRuntime, find_engine, find_node
from .errors import EngineError, error_from_wire
from .protocol import PROTOCOL_VERSION, ProgressEvent

EventHandler = Callable[[ProgressEvent], None]
_EOF = object()


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run cleanly; ``results`` holds what finished (the rest is ``cancelled``)."""

    def __init__(self, results: Any) -> None:
        super().__init__("the run was interrupted; finished nodes are kept")
        self.results = results


class Engine:
    """A started engine. ``request`` is synchronous; progress arrives through ``on_event``."""

    def __init__(self, cwd: Optional[str] = None) -> None:
        self.node: NodeRuntime = find_node()
        self.script = find_engine()
        self._messages: "queue.Queue[Any]" = queue.Queue()
        self._stderr: Deque[str] = collections.deque(maxlen=40)
        self._next_id = 0
        self._lock = threading.Lock()
        env = dict(os.environ)
        env.setdefault("NO_COLOR", "1")
        self._proc = subprocess.Popen(
            [self.node.path, self.script, "serve", "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
            text=True,
            encoding="utf-8",
            bufsize=1,
            start_new_session=os.name == "posix",
        )
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self._finalizer = weakref.finalize(self, _stop, self._proc)
        atexit.register(self._finalizer)
        try:
            hello = self.request("initialize", {"protocolVersion": PROTOCOL_VERSION, "client": "python"})
        except BaseException:
            self.close()
            raise
        self.version: str = hello["dagtestVersion"]

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def request(
        self,
        method: str,
        params: Dict[str, Any],
        on_event: Optional[EventHandler] = None,
        cancel: Optional[Dict[str, Any]] = None,
    ) -> Any:
        """Send one request and wait for its answer. With ``cancel``, Ctrl-C sends ``run.cancel``."""
        request_id = self._send(method, params)
        cancelled = False
        while True:
            try:
                message = self._next()
                if message.get("method") == "run.event":
                    if on_event is not None:
                        on_event(message["params"]["event"])
                    continue
            except KeyboardInterrupt:
                if cancel is None or cancelled:
                    self.close(force=True)
                    raise
                cancelled = True
                sys.stderr.write("\n[dagtest] stopping the run: Ctrl-C again to stop the engine at once\n")
                self._send("run.cancel", cancel)
                continue
            if message.get("id") != request_id:
                continue  # the answer to a run.cancel
            if "error" in message:
                raise error_from_wire(message["error"])
            if cancelled:
                raise RunInterrupted(message["result"])
            return message["result"]

    def close(self, force: bool = False) -> None:
        """Stop the engine: politely (it stops running scripts first), or at once."""
        if force:
            _kill(self._proc)
        self._finalizer()

    def _send(self, method: str, params: Dict[str, Any]) -> int:
        if not self.alive:
            raise EngineError(f"The dagtest engine has stopped.{self._stderr_tail()}")
        with self._lock:
            self._next_id += 1
            request_id = self._next_id
            line = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.write(line + "\n")
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError) as error:
                raise EngineError(f"The dagtest engine has stopped.{self._stderr_tail()}") from error
        return request_id

    def _next(self) -> Dict[str, Any]:
        while True:
            try:
                message = self._messages.get(timeout=0.2)
            except queue.Empty:
                continue
            if message is _EOF:
                self._proc.wait(timeout=10)
                raise EngineError(
                    f"The dagtest engine exited (code {self._proc.returncode}).{self._stderr_tail()}"
                )
            return message  # type: ignore[no-any-return]

    def _read_stdout(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                self._messages.put(json.loads(line))
            except ValueError:
                self._stderr.append(f"(not protocol) {line[:200]}")
        self._messages.put(_EOF)

    def _read_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            self._stderr.append(line.rstrip())
            # The engine's own notices (fallbacks, restarts) are worth seeing.
            sys.stderr.write(line)

    def _stderr_tail(self) -> str:
        return ("\n" + "\n".join(self._stderr)) if self._stderr else ""


def _stop(proc: "subprocess.Popen[str]") -> None:
    if proc.poll() is not None:
        return
    try:
        assert proc.stdin is not None
        proc.stdin.close()  # EOF: the engine stops running scripts and exits
        proc.wait(timeout=15)
    except (OSError, subprocess.TimeoutExpired, ValueError):
        _kill(proc)


def _kill(proc: "subprocess.Popen[str]") -> None:
    """SIGTERM (the engine stops its scripts' process groups), then SIGKILL after 5 s."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
