"""The wire types of the engine protocol (``dagtest serve --stdio``), as TypedDicts.

They mirror ``src/serve/protocol.ts`` key for key (camelCase, as on the wire); the tests check
them against ``schema/serve-protocol.schema.json``, which is generated from the TypeScript types,
so both sides share one schema. The friendlier snake_case objects the factory returns are in
:mod:`dagtest.records`.
"""

# No `from __future__ import annotations`: TypedDict must see NotRequired at runtime.
import sys
from typing import Any, Dict, List, Optional, Union

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
else:  # pragma: no cover - older interpreters
    from typing import TypedDict

    NotRequired = Optional  # type: ignore[assignment,misc]

#: The protocol this package speaks; the engine refuses another with DAGTEST_PROTOCOL_MISMATCH.
PROTOCOL_VERSION = 1

Scalar = Union[str, int, float, bool]


class SourceLocation(TypedDict):
    file: str
    line: NotRequired[int]
    column: NotRequired[int]


class ErrorData(TypedDict, total=False):
    code: str
    hint: str
    location: SourceLocation


class ErrorObject(TypedDict):
    code: int
    message: str
    data: ErrorData


class SpecSetting(TypedDict):
    """One dagtest.yaml value given at creation (``dagtest init --set``): ``key`` as typed, ``at`` its path."""

    key: str
    at: List[str]
    value: Any


class CreateFactoryParams(TypedDict, total=False):
    project: str
    spec: str
    dag: str
    config: str
    interfaces: List[str]
    scripts: List[str]
    paths: Dict[str, str]
    projectRoot: str
    python: str
    settings: List[SpecSetting]


class FactoryHandle(TypedDict):
    factoryId: int
    specFile: str


class ScriptConfiguration(TypedDict, total=False):
    inputs: Dict[str, str]
    outputs: Dict[str, str]
    env: Dict[str, Scalar]
    jobArgs: Dict[str, Scalar]


class ValidationIssue(TypedDict):
    script: str
    field: str
    message: str
    hint: str


class InputRequirementView(TypedDict):
    name: str
    description: str
    required: bool
    dataType: str
    channels: List[str]
    defaultValue: Optional[str]
    source: str
    configField: Optional[str]
    needsUser: bool


class OutputRequirementView(TypedDict):
    name: str
    description: str
    dataType: str


class EnvRequirementView(TypedDict):
    name: str
    description: str
    required: bool
    defaultValue: Optional[str]
    source: str
    configField: Optional[str]
    needsUser: bool


class JobArgRequirementView(TypedDict):
    name: str
    flag: str
    description: str
    required: bool
    defaultValue: Optional[str]
    source: str
    configField: Optional[str]


class MissingAnswer(TypedDict):
    field: str
    message: str
    answerAt: str


class ScriptTestingRequirements(TypedDict):
    node: str
    scriptPath: str
    stepType: Optional[str]
    jobType: Optional[str]
    frameworks: List[str]
    dependencies: List[str]
    inputs: List[InputRequirementView]
    outputs: List[OutputRequirementView]
    env: List[EnvRequirementView]
    jobArgs: List[JobArgRequirementView]
    autoConfigurable: bool
    missing: List[MissingAnswer]


class SkippedNode(TypedDict):
    node: str
    reason: str
    detail: str


class FactorySummary(TypedDict):
    totalScripts: int
    states: Dict[str, str]
    counts: Dict[str, int]
    pendingScripts: List[str]
    skippedNodes: List[SkippedNode]
    planErrors: int
    readyForTesting: bool


class ScriptResolutionPreview(TypedDict):
    node: str
    scriptPath: Optional[str]
    rule: str
    confidence: float
    reason: Optional[str]


class PortRef(TypedDict):
    node: str
    port: str


DataFlowResult = TypedDict(
    "DataFlowResult",
    {
        "from": PortRef,
        "to": PortRef,
        "path": str,
        "ok": bool,
        "files": int,
        "bytes": int,
        "rows": Optional[int],
        "columns": Optional[List[str]],
        "formats": List[str],
        "message": str,
    },
)


class InternalError(TypedDict):
    """An exception inside dagtest while a node went through its stages (reason ``internal-error``)."""

    stage: str
    message: str
    stack: Optional[str]


class ScriptResult(TypedDict):
    node: str
    status: str
    reason: Optional[str]
    message: str
    startedAt: Optional[str]
    durationMs: float
    peakRssKb: Optional[int]
    exitCode: Optional[int]
    signal: Optional[str]
    logs: Optional[Dict[str, Any]]
    logTail: Optional[str]
    error: Optional[Dict[str, Any]]
    outputs: Dict[str, str]
    guardEvents: List[Dict[str, Any]]
    checks: List[str]
    ranBecause: List[str]
    executor: NotRequired[str]
    internalError: NotRequired[InternalError]
    scriptMs: NotRequired[Optional[float]]
    # The snapshot check's outcome (``status``: matched, mismatch, missing, recorded, updated;
    # ``diffs``: path, what, expected, got, tolerance), when snapshots are on.
    snapshot: NotRequired[Dict[str, Any]]
    # Detected frameworks, the checks applied, each model loaded back, builder-script consistency.
    frameworkInfo: NotRequired[Dict[str, Any]]
    workerNode: NotRequired[str]
    executorError: NotRequired[Dict[str, str]]


class RunSummary(TypedDict):
    total: int
    passed: int
    failed: int
    skipped: int
    cached: int
    cancelled: int


class RunResult(TypedDict):
    runRecordVersion: int
    runId: str
    runDir: str
    startedAt: str
    durationMs: float
    pipelineSuccess: bool
    interrupted: bool
    executionOrder: List[str]
    scriptResults: Dict[str, ScriptResult]
    dataFlowResults: List[DataFlowResult]
    errors: List[str]
    summary: RunSummary


class GuidedTestingResult(TypedDict):
    results: RunResult
    factory: FactorySummary


class ProgressEvent(TypedDict, total=False):
    """One engine event: ``type`` is runStart, nodeQueued, nodeStart, nodeOutput (``stream``,
    ``lines``: what the script printed), nodeEnd, edgeChecked, notice (``level``, ``message``)
    or runEnd."""

    type: str
    node: str
    runId: str
    runDir: str
    total: int
    running: List[str]
    result: Any
    check: DataFlowResult
    stream: str
    lines: List[str]
    level: str
    message: str
