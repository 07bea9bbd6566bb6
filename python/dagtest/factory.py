"""``InteractiveRuntimeTestingFactory``: the seeds' interactive testing API, in Python.

Every method is answered by the TypeScript engine (``dagtest serve --stdio``, one process per
factory), so the Python API, ``dagtest status``/``plan``/``run --json`` and the TypeScript
``createTestingFactory`` always agree. Decisions are kept in dagtest.yaml (``save()``).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ._engine import Engine, RunInterrupted
from ._progress import Progress
from ._ui import UiServer, start_ui
from ._inputs import PathLike, Scalar, absolute, as_list, configuration, dag_file, project_of
from .errors import ConfigurationError
from .protocol import CreateFactoryParams, ScriptConfiguration, ScriptResolutionPreview, ValidationIssue
from .records import FactorySummary, ScriptTestingRequirements, SkippedNode, seed_state
from .results import Plan, TestingResults

#: A DAG: a file (cursus ``*.dag.json`` or plain ``{nodes, edges}``), a dict, or an object with
#: ``nodes`` and ``edges`` attributes such as cursus's ``PipelineDAG``.
DagLike = Union[PathLike, Mapping[str, Any], Any]


class InteractiveRuntimeTestingFactory:
    """Find the scripts of a DAG, say what each needs, take your answers, run them in DAG order.

    Example (the bundled example, from the repository root)::

        factory = InteractiveRuntimeTestingFactory(project="examples/tabular/dagtest.yaml")
        factory.get_scripts_requiring_testing()   # ['TabularPreprocessing_training', ...]
        for name in factory.get_pending_script_configurations():
            print(factory.get_script_testing_requirements(name)["missing"])
        results = factory.execute_dag_guided_testing()
        results["pipeline_success"]
    """

    def __init__(
        self,
        dag: Optional[DagLike] = None,
        config_path: Optional[PathLike] = None,
        *,
        project: Optional[PathLike] = None,
        interfaces: Union[PathLike, Sequence[PathLike], None] = None,
        scripts: Union[PathLike, Sequence[PathLike], None] = None,
        paths: Optional[Mapping[str, PathLike]] = None,
        project_root: Optional[PathLike] = None,
        python: Optional[PathLike] = None,
        workspace_dir: Optional[PathLike] = None,
        progress: bool = True,
    ) -> None:
        self.dag = dag
        self.config_path = None if config_path is None else str(config_path)
        self.progress = progress
        self.last_results: Optional[TestingResults] = None
        project_dir, spec = project_of(project if project is not None else workspace_dir)
        params: CreateFactoryParams = {"project": project_dir}
        if spec:
            params["spec"] = spec
        if dag is not None:
            params["dag"] = dag_file(dag, project_dir)
        if config_path is not None:
            params["config"] = absolute(config_path)
        if interfaces is not None:
            params["interfaces"] = [absolute(p) for p in as_list(interfaces)]
        if scripts is not None:
            params["scripts"] = [absolute(p) for p in as_list(scripts)]
        if paths:
            params["paths"] = {prefix: absolute(folder) for prefix, folder in paths.items()}
        if project_root is not None:
            params["projectRoot"] = absolute(project_root)
        if python is not None:
            params["python"] = str(python)
        self._engine = Engine()
        try:
            handle = self._engine.request("factory.create", dict(params))
        except BaseException:
            self._engine.close()
            raise
        self._id: int = handle["factoryId"]
        self.spec_file: str = handle["specFile"]
        self._warn_if_the_spec_wins(params)

    # --- the seeds' API ---------------------------------------------------------------------

    def get_scripts_requiring_testing(self) -> List[str]:
        """The scripts to test, in topological order: never a phantom."""
        return list(self._call("factory.scripts"))

    def get_skipped_nodes(self) -> List[SkippedNode]:
        """Phantom nodes (no local script) and why each cannot run."""
        return [SkippedNode(s["node"], s["reason"], s["detail"]) for s in self._call("factory.skipped")]

    def get_script_testing_requirements(self, script_name: str) -> ScriptTestingRequirements:
        """Inputs, outputs, env vars and job args of a script, each with its default and source."""
        wire = self._call("factory.requirements", name=script_name)
        return ScriptTestingRequirements.from_wire(wire, self._render)

    def validate_scriptconfiguration(
        self,
        script_name: str,
        expected_inputs: Optional[Mapping[str, PathLike]] = None,
        expected_outputs: Optional[Mapping[str, PathLike]] = None,
        environment_variables: Optional[Mapping[str, Scalar]] = None,
        job_arguments: Optional[Mapping[str, Scalar]] = None,
    ) -> List[ValidationIssue]:
        """The issues a configuration would raise, without applying it (``[]``: it would pass)."""
        config = configuration(expected_inputs, expected_outputs, environment_variables, job_arguments)
        return self._issues(script_name, config)

    def configure_script_testing(
        self,
        script_name: str,
        expected_inputs: Optional[Mapping[str, PathLike]] = None,
        expected_outputs: Optional[Mapping[str, PathLike]] = None,
        environment_variables: Optional[Mapping[str, Scalar]] = None,
        job_arguments: Optional[Mapping[str, Scalar]] = None,
        *,
        input_paths: Optional[Mapping[str, PathLike]] = None,
        output_paths: Optional[Mapping[str, PathLike]] = None,
        environ_vars: Optional[Mapping[str, Scalar]] = None,
        job_args: Optional[Mapping[str, Scalar]] = None,
    ) -> Optional[ScriptTestingRequirements]:
        """Validate and apply a script's configuration at once.

        ``expected_inputs``: input name → path (relative paths are relative to your cwd).
        ``expected_outputs``: only for a phantom node, where the data it would produce is.
        ``environment_variables`` and ``job_arguments`` override what the config derives.
        Raises :class:`dagtest.ConfigurationError` (a ``ValueError``) naming every rejected field,
        with ``code``, ``message``, ``hint`` and ``issues``; nothing changes then. Returns the
        script's requirements after the change (``None`` for a phantom).
        """
        config = configuration(
            expected_inputs if expected_inputs is not None else input_paths,
            expected_outputs if expected_outputs is not None else output_paths,
            environment_variables if environment_variables is not None else environ_vars,
            job_arguments if job_arguments is not None else job_args,
        )
        try:
            wire = self._call("factory.configure", name=script_name, config=config)
        except ConfigurationError as error:
            # Each rejected field on its own, for code that wants to show them one by one.
            error.issues = self._issues(script_name, config)
            raise
        return None if wire is None else ScriptTestingRequirements.from_wire(wire, self._render)

    def get_pending_script_configurations(self) -> List[str]:
        """Scripts that still need an answer from you (auto-configurable ones are not pending)."""
        return list(self._call("factory.pending"))

    def can_auto_configure_script(self, script_name: str) -> bool:
        """True when every required input is wired and every env var and job arg has a value."""
        return bool(self._call("factory.canAutoConfigure", name=script_name))

    def auto_configure_script_if_possible(self, script_name: str) -> bool:
        """Mark a script auto-configured when it can be; returns whether it was."""
        return bool(self._call("factory.autoConfigure", name=script_name))

    def get_testing_factory_summary(self) -> FactorySummary:
        """Each script's state, the phantoms, and whether testing can start."""
        wire = self._call("factory.summary")
        return FactorySummary.from_wire(wire, self._dag_name(), self._details(wire["states"]), self._render)

    def preview_script_resolution(self) -> List[ScriptResolutionPreview]:
        """Node → script path, the rule that found it and a confidence, before anything runs."""
        return list(self._call("factory.preview"))

    def compile_dag_to_script_execution(self) -> Plan:
        """The plan that ``execute_dag_guided_testing`` would run (``dagtest plan --json``)."""
        return Plan(self._call("factory.plan"), self._render)

    plan = compile_dag_to_script_execution

    def execute_dag_guided_testing(self, concurrency: Optional[int] = None) -> TestingResults:
        """Auto-configure what can be, refuse with what is missing, else run every script.

        Raises :class:`dagtest.NotConfiguredError` (a ``ValueError``) while scripts still need
        answers. Ctrl-C (or "interrupt kernel") stops the run cleanly: running scripts are
        stopped, what finished is kept in ``last_results``, and ``RunInterrupted`` is raised.
        """
        progress = Progress(self.progress)
        params: Dict[str, Any] = {"factoryId": self._id}
        if concurrency:
            params["concurrency"] = concurrency
        try:
            wire = self._engine.request("factory.execute", params, on_event=progress, cancel={"factoryId": self._id})
        except RunInterrupted as stop:
            self.last_results = self._results(stop.results)
            raise RunInterrupted(self.last_results) from None
        self.last_results = self._results(wire)
        return self.last_results

    def save(self) -> str:
        """Write your decisions to dagtest.yaml (comments and order of the file are kept)."""
        return str(self._call("factory.save")["specFile"])

    def ui(self, open_browser: bool = False) -> "UiServer":
        """Save dagtest.yaml and open this project in the engine's web UI (``dagtest ui``).

        Returns the running server: ``.url`` (127.0.0.1, with its token), ``.close()``; in a
        notebook it renders as the UI, embedded. ``open_browser=True`` also opens a browser tab.
        """
        self.save()
        return start_ui(self.spec_file, open_browser=open_browser)

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def engine_version(self) -> str:
        return self._engine.version

    def close(self) -> None:
        """Stop this factory's engine (also done when the factory is collected or Python exits)."""
        self._engine.close()

    def __enter__(self) -> "InteractiveRuntimeTestingFactory":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _repr_html_(self) -> str:
        return self.get_testing_factory_summary()._repr_html_() or ""

    def __repr__(self) -> str:
        return f"<InteractiveRuntimeTestingFactory {self.spec_file}>"

    # --- helpers ------------------------------------------------------------------------------

    def _warn_if_the_spec_wins(self, params: CreateFactoryParams) -> None:
        """An existing dagtest.yaml is loaded as it is: say so when it names another DAG or config."""
        sources = self._call("factory.plan")["sources"]
        for key in ("dag", "config"):
            given = str(params.get(key) or "")
            if given and sources.get(key) and os.path.realpath(given) != os.path.realpath(sources[key]):
                warnings.warn(
                    f"{self.spec_file} already exists and names {key} {sources[key]}, not {given}: "
                    "the saved spec is used. Pass project= another folder to start a new spec, "
                    "or edit that file.",
                    stacklevel=3,
                )

    def _issues(self, script_name: str, config: ScriptConfiguration) -> List[ValidationIssue]:
        return list(self._call("factory.validate", name=script_name, config=config))

    def _call(self, method: str, **params: Any) -> Any:
        return self._engine.request(method, {"factoryId": self._id, **params})

    def _render(self, view: str, value: Any) -> str:
        return str(self._engine.request("html.render", {"view": view, "value": value})["html"])

    def _dag_name(self) -> str:
        name = getattr(self.dag, "name", None)
        if isinstance(name, str):
            return name
        if isinstance(self.dag, (str, os.PathLike)):
            return Path(self.dag).name
        return Path(self.spec_file).parent.name

    def _details(self, states: Mapping[str, str]) -> Dict[str, Dict[str, Any]]:
        plan = self._call("factory.plan")
        details: Dict[str, Dict[str, Any]] = {}
        for node in plan["nodes"]:
            if node["kind"] != "script":
                continue
            state = states.get(node["name"], "pending")
            details[node["name"]] = {
                "framework": node["frameworks"][0] if node["frameworks"] else None,
                "auto_configurable": state in ("auto-configurable", "auto-configured"),
                "dependencies": list(node["upstream"]),
            }
        return details

    def _results(self, wire: Dict[str, Any]) -> TestingResults:
        summary = self.get_testing_factory_summary()
        info = {
            "total_scripts": summary.total_scripts,
            "manually_configured": summary.manually_configured_scripts,
            "auto_configured": summary.auto_configured_scripts,
            "script_configurations": {
                name: {"status": seed_state(state), "framework": summary.script_details[name].get("framework")}
                for name, state in summary.states.items()
            },
        }
        return TestingResults.from_wire(wire["results"], info, self._render)
