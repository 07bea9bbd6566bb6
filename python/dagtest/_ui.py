"""``factory.ui()``: the engine's web UI (``dagtest ui``) on this factory's project, from Python.

The server is the engine's own (127.0.0.1, a free port, a random token in the URL); this module
starts it, waits for the URL it prints, and stops it again. In a notebook the handle renders as
the UI itself, embedded.
"""

from __future__ import annotations

import html
import subprocess
import threading
from typing import List

from ._locate import find_engine, find_node
from .errors import EngineError

_PREFIX = "dagtest ui: "


class UiServer:
    """A running ``dagtest ui``: ``url``, ``close()``, and an embedded view in a notebook."""

    def __init__(self, process: "subprocess.Popen[str]", url: str) -> None:
        self._process = process
        self.url = url

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s)."""
        if self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> "UiServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _repr_html_(self) -> str:
        url = html.escape(self.url, quote=True)
        return (
            f'<iframe src="{url}" style="width:100%;height:640px;border:1px solid #ccc"></iframe>'
            f'<div><a href="{url}" target="_blank">open the dagtest UI in its own tab</a></div>'
        )

    def __repr__(self) -> str:
        return f"<dagtest UI {self.url}{'' if self.running else ' (stopped)'}>"


def start_ui(spec_file: str, open_browser: bool = False, timeout_s: float = 60.0) -> UiServer:
    """Start ``dagtest ui SPEC`` and return once it printed its URL."""
    command: List[str] = [find_node().path, find_engine(), "ui", spec_file]
    if not open_browser:
        command.append("--no-open")
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )
    found: List[str] = []
    lines: List[str] = []
    ready = threading.Event()

    def read() -> None:  # also keeps draining the server's log so it never blocks on a full pipe
        assert process.stderr is not None
        for line in process.stderr:
            if not found and line.startswith(_PREFIX):
                found.append(line[len(_PREFIX):].strip())
                ready.set()
            elif len(lines) < 50:
                lines.append(line.rstrip())
        ready.set()

    threading.Thread(target=read, name="dagtest-ui-log", daemon=True).start()
    ready.wait(timeout_s)
    if not found:
        server = UiServer(process, "")
        server.close()
        raise EngineError("`dagtest ui` did not start: " + (" | ".join(lines[-5:]) or "no output"))
    return UiServer(process, found[0])
