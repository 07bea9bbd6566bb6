"""Live progress of a run: in a notebook, one HTML table updated in place as nodes start and end
(IPython's own ``display(..., display_id=True)``, no extra package); elsewhere one line per node
on stderr."""

from __future__ import annotations

import html
import sys
from typing import Any, Dict, List, Optional

from .protocol import ProgressEvent

_MARKS = {"passed": "✓", "cached": "✓", "failed": "✗", "skipped": "-", "cancelled": "-"}
_COLOURS = {"passed": "#1a7f37", "cached": "#1a7f37", "failed": "#cf222e", "running": "#0969da"}


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Progress:
    """Receives the engine's ``run.event`` notifications of one run."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.states: Dict[str, str] = {}
        self.total = 0
        self._notebook = enabled and _in_notebook()
        self._handle: Optional[Any] = None

    def __call__(self, event: ProgressEvent) -> None:
        if not self.enabled:
            return
        kind = event.get("type")
        if kind == "runStart":
            self.total = int(event.get("total", 0))
            self._show(f"dagtest: running {self.total} scripts ({event.get('runDir')})")
        elif kind == "nodeQueued":
            self.states[str(event["node"])] = "queued"
        elif kind == "nodeStart":
            self.states[str(event["node"])] = "running"
            self._refresh()
        elif kind == "nodeEnd":
            result = event["result"]
            self.states[result["node"]] = result["status"]
            self._line(result)
            self._refresh()

    def _done(self) -> int:
        return sum(1 for s in self.states.values() if s not in ("queued", "running"))

    def _show(self, text: str) -> None:
        if self._notebook:
            from IPython.display import HTML, display  # type: ignore[import-not-found,unused-ignore]

            self._handle = display(HTML(self._html()), display_id=True)
        else:
            sys.stderr.write(text + "\n")

    def _refresh(self) -> None:
        if self._notebook and self._handle is not None:
            from IPython.display import HTML  # type: ignore[import-not-found,unused-ignore]

            self._handle.update(HTML(self._html()))

    def _line(self, result: Dict[str, Any]) -> None:
        if self._notebook:
            return
        mark = _MARKS.get(result["status"], "?")
        sys.stderr.write(
            f"  {mark} {result['node']}  {result['status']}  {result['durationMs']:.0f} ms"
            + ("" if result["status"] in ("passed", "cached") else f"  {result['message']}")
            + "\n"
        )

    def _html(self) -> str:
        rows: List[str] = []
        for node, state in self.states.items():
            colour = _COLOURS.get(state, "#6e7781")
            rows.append(
                f"<tr><td style='padding:1px 6px'>{html.escape(node)}</td>"
                f"<td style='padding:1px 6px;color:{colour};font-weight:bold'>{html.escape(state)}</td></tr>"
            )
        head = f"<b>dagtest run</b>: {self._done()}/{self.total} done"
        return f"<div class='dagtest-progress'>{head}<table style='font-family:monospace;font-size:12px'>{''.join(rows)}</table></div>"
