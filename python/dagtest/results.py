"""What a run returns: the seeds' result keys over the engine's run record, and the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .protocol import DataFlowResult, RunResult as WireRunResult, RunSummary, ScriptResult as WireScriptResult
from .records import Record, Renderer


@dataclass
class ScriptResult(Record):
    node: str
    #: passed, failed, skipped, cached or cancelled.
    status: str
    success: bool
    reason: Optional[str]
    message: str
    error_message: Optional[str]
    duration_ms: float
    exit_code: Optional[int]
    outputs: Dict[str, str]
    log_tail: Optional[str]
    stdout_log: Optional[str]
    stderr_log: Optional[str]
    ran_because: List[str]

    @classmethod
    def from_wire(cls, w: WireScriptResult) -> "ScriptResult":
        logs = w.get("logs") or {}
        ok = w["status"] in ("passed", "cached")
        return cls(
            node=w["node"],
            status=w["status"],
            success=ok,
            reason=w["reason"],
            message=w["message"],
            error_message=None if ok else w["message"],
            duration_ms=w["durationMs"],
            exit_code=w["exitCode"],
            outputs=dict(w["outputs"]),
            log_tail=w["logTail"],
            stdout_log=logs.get("stdout"),
            stderr_log=logs.get("stderr"),
            ran_because=list(w["ranBecause"]),
        )._attach(w, None)  # type: ignore[return-value]


@dataclass
class DataFlow(Record):
    from_node: str
    from_port: str
    to_node: str
    to_port: str
    path: str
    ok: bool
    files: int
    bytes: int
    rows: Optional[int]
    columns: Optional[List[str]]
    message: str

    @classmethod
    def from_wire(cls, w: DataFlowResult) -> "DataFlow":
        return cls(
            w["from"]["node"], w["from"]["port"], w["to"]["node"], w["to"]["port"], w["path"], w["ok"],
            w["files"], w["bytes"], w["rows"], None if w["columns"] is None else list(w["columns"]), w["message"],
        )


@dataclass
class TestingResults(Record):
    """``execute_dag_guided_testing()``: the seeds' result keys, from the engine's run record."""

    __test__ = False  # not a pytest class
    _view = "results"
    pipeline_success: bool
    interrupted: bool
    execution_order: List[str]
    script_results: Dict[str, ScriptResult]
    data_flow_results: List[DataFlow]
    errors: List[str]
    summary: Dict[str, int]
    run_id: str
    run_dir: str
    duration_ms: float
    interactive_factory_info: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(
        cls, w: WireRunResult, factory_info: Dict[str, Any], render: Optional[Renderer] = None
    ) -> "TestingResults":
        record = cls(
            pipeline_success=w["pipelineSuccess"],
            interrupted=w["interrupted"],
            execution_order=list(w["executionOrder"]),
            script_results={n: ScriptResult.from_wire(r) for n, r in w["scriptResults"].items()},
            data_flow_results=[DataFlow.from_wire(d) for d in w["dataFlowResults"]],
            errors=list(w["errors"]),
            summary=_counts(w["summary"]),
            run_id=w["runId"],
            run_dir=w["runDir"],
            duration_ms=w["durationMs"],
            interactive_factory_info=factory_info,
        )
        record._attach(w, render)
        return record


def _counts(summary: RunSummary) -> Dict[str, int]:
    return {
        "total": summary["total"],
        "passed": summary["passed"],
        "failed": summary["failed"],
        "skipped": summary["skipped"],
        "cached": summary["cached"],
        "cancelled": summary["cancelled"],
    }


class Plan(Record):
    """The engine's plan (``dagtest plan --json``): read it as a dict, see it as HTML."""

    _view = "plan"

    def __init__(self, raw: Dict[str, Any], render: Optional[Renderer] = None) -> None:
        self._attach(raw, render)

    def keys(self) -> List[str]:
        return list(self.raw.keys())

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    def to_dict(self) -> Dict[str, Any]:
        return dict(self.raw)

    @property
    def order(self) -> List[str]:
        return list(self.raw["order"])

    @property
    def ready(self) -> bool:
        return bool(self.raw["summary"]["ready"])

    def __repr__(self) -> str:
        s = self.raw["summary"]
        return f"<dagtest Plan: {s['nodes']} nodes, {s['scripts']} scripts, {s['questions']} questions, {s['errors']} errors>"
