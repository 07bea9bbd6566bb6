"""What the factory returns: typed, snake_case records in the seeds' shapes (run results: results.py).

Each record is a dataclass whose fields read as attributes (``req.expected_inputs``) and, as in
the seeds' dicts, by key (``req['expected_inputs']``, ``inp['name']``). ``raw`` keeps the
engine's JSON as it came (the same as the CLI's ``--json``), and in a notebook a record renders as
the engine's HTML view (``_repr_html_``).
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, fields
from typing import Any, Callable, Dict, Iterator, List, Optional

from .protocol import FactorySummary as WireSummary, ScriptTestingRequirements as WireRequirements

#: Renders a view ("plan", "requirements", "summary", "results") of a raw value as HTML.
Renderer = Callable[[str, Any], str]


class Record:
    """Attribute and key access, ``to_dict()``, ``raw`` and an HTML view."""

    _view: Optional[str] = None

    def _attach(self, raw: Any, render: Optional[Renderer]) -> "Record":
        object.__setattr__(self, "_raw", raw)
        object.__setattr__(self, "_render", render)
        return self

    @property
    def raw(self) -> Any:
        """The engine's JSON for this value, unchanged (camelCase, as ``dagtest ... --json``)."""
        return getattr(self, "_raw", None)

    def __getitem__(self, key: str) -> Any:
        if key in self.keys():
            return getattr(self, key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in self.keys()

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key) if key in self.keys() else default

    def keys(self) -> List[str]:
        return [f.name for f in fields(self)]  # type: ignore[arg-type]

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload,no-any-return]

    def _repr_html_(self) -> Optional[str]:
        render: Optional[Renderer] = getattr(self, "_render", None)
        if self._view is None:
            return None
        if render is not None:
            try:
                return render(self._view, self.raw)
            except Exception:  # the engine is gone: fall back to the data itself
                pass
        text = json.dumps(self.to_dict(), indent=2, default=str)
        return f"<pre>{html.escape(text)}</pre>"


# --- requirements ---------------------------------------------------------------------------


@dataclass
class InputRequirement(Record):
    name: str
    description: str
    data_type: str
    required: bool
    #: The path used when you give none (or ``node.port`` of the upstream output wired to it).
    example_path: Optional[str]
    default_value: Optional[str]
    source: str
    config_field: Optional[str]
    #: Only you can answer this one (no upstream output or config value feeds it).
    needs_user: bool
    channels: List[str]


@dataclass
class OutputRequirement(Record):
    name: str
    description: str
    data_type: str
    required: bool
    #: Outputs are written by dagtest under ``.dagtest/runs/<run>/<node>/out/<port>``.
    example_path: Optional[str]


@dataclass
class EnvironmentVariable(Record):
    name: str
    description: str
    required: bool
    default_value: Optional[str]
    source: str
    config_field: Optional[str]
    needs_user: bool


@dataclass
class JobArgument(Record):
    name: str
    flag: str
    description: str
    arg_type: str
    required: bool
    default_value: Optional[str]
    source: str
    config_field: Optional[str]


@dataclass
class MissingAnswer(Record):
    field: str
    message: str
    #: The dagtest.yaml key that answers it, e.g. ``nodes.CradleDataLoading_training.outputs.DATA``.
    answer_at: str


@dataclass
class ScriptTestingRequirements(Record):
    """``get_script_testing_requirements(name)``: what a script needs, each value with its source."""

    _view = "requirements"
    script_name: str
    step_name: str
    script_path: str
    step_type: Optional[str]
    job_type: Optional[str]
    framework: Optional[str]
    frameworks: List[str]
    auto_configurable: bool
    expected_inputs: List[InputRequirement]
    expected_outputs: List[OutputRequirement]
    environment_variables: List[EnvironmentVariable]
    job_arguments: List[JobArgument]
    dependencies: List[str]
    missing: List[MissingAnswer]

    @classmethod
    def from_wire(cls, w: WireRequirements, render: Optional[Renderer] = None) -> "ScriptTestingRequirements":
        inputs = [
            InputRequirement(
                name=i["name"],
                description=i["description"],
                data_type=i["dataType"],
                required=i["required"],
                example_path=i["defaultValue"],
                default_value=i["defaultValue"],
                source=i["source"],
                config_field=i["configField"],
                needs_user=i["needsUser"],
                channels=list(i["channels"]),
            )
            for i in w["inputs"]
        ]
        outputs = [
            OutputRequirement(o["name"], o["description"], o["dataType"], True, None) for o in w["outputs"]
        ]
        env = [
            EnvironmentVariable(
                e["name"], e["description"], e["required"], e["defaultValue"], e["source"], e["configField"], e["needsUser"]
            )
            for e in w["env"]
        ]
        args = [
            JobArgument(
                a["name"], a["flag"], a["description"], "str", a["required"], a["defaultValue"], a["source"], a["configField"]
            )
            for a in w["jobArgs"]
        ]
        record = cls(
            script_name=w["node"],
            step_name=w["node"],
            script_path=w["scriptPath"],
            step_type=w["stepType"],
            job_type=w["jobType"],
            framework=w["frameworks"][0] if w["frameworks"] else None,
            frameworks=list(w["frameworks"]),
            auto_configurable=w["autoConfigurable"],
            expected_inputs=inputs,
            expected_outputs=outputs,
            environment_variables=env,
            job_arguments=args,
            dependencies=list(w["dependencies"]),
            missing=[MissingAnswer(m["field"], m["message"], m["answerAt"]) for m in w["missing"]],
        )
        record._attach(w, render)
        return record


# --- summary --------------------------------------------------------------------------------


def seed_state(state: str) -> str:
    """The engine's ``auto-configured`` as the seeds write it: ``auto_configured``."""
    return state.replace("-", "_")


@dataclass
class SkippedNode(Record):
    node: str
    reason: str
    detail: str


@dataclass
class FactorySummary(Record):
    """``get_testing_factory_summary()``: each script's state, the phantoms, ready or not."""

    _view = "summary"
    dag_name: str
    total_scripts: int
    configured_scripts: int
    auto_configured_scripts: int
    manually_configured_scripts: int
    pending_scripts: List[str]
    ready_for_testing: bool
    #: Script → ``pending``, ``partial``, ``auto_configurable``, ``auto_configured`` or ``complete``.
    states: Dict[str, str]
    script_details: Dict[str, Dict[str, Any]]
    skipped_nodes: List[SkippedNode]
    plan_errors: int

    @classmethod
    def from_wire(
        cls,
        w: WireSummary,
        dag_name: str,
        details: Dict[str, Dict[str, Any]],
        render: Optional[Renderer] = None,
    ) -> "FactorySummary":
        counts = w["counts"]
        auto = counts.get("auto-configured", 0)
        manual = counts.get("complete", 0)
        states = {name: seed_state(s) for name, s in w["states"].items()}
        record = cls(
            dag_name=dag_name,
            total_scripts=w["totalScripts"],
            configured_scripts=auto + manual,
            auto_configured_scripts=auto,
            manually_configured_scripts=manual,
            pending_scripts=list(w["pendingScripts"]),
            ready_for_testing=w["readyForTesting"],
            states=states,
            script_details={name: {"status": states[name], **details.get(name, {})} for name in states},
            skipped_nodes=[SkippedNode(s["node"], s["reason"], s["detail"]) for s in w["skippedNodes"]],
            plan_errors=w["planErrors"],
        )
        record._attach(w, render)
        return record
