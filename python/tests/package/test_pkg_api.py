"""The Python API in development mode (python/dagtest + the checkout's dist/ engine): errors as
ValueError subclasses, records readable as attributes and keys, HTML views, in-memory DAGs,
Ctrl-C stopping a run cleanly, and the wire types matching the shared protocol schema."""

import json
import os
import subprocess
import sys
import textwrap
import typing

import pytest
from pkg_env import EXAMPLE, PYTHON_DIR, REPO, SCRIPTS_PYTHON, copy_example

import dagtest
from dagtest import protocol
from dagtest.results import TestingResults


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    project = copy_example(tmp_path_factory.mktemp("api") / "tabular")
    factory = dagtest.InteractiveRuntimeTestingFactory(project=project / "dagtest.yaml", python=SCRIPTS_PYTHON, progress=False)
    yield project, factory
    factory.close()


def test_requirements_read_as_attributes_and_as_the_seeds_dict_keys(example):
    _, factory = example
    req = factory.get_script_testing_requirements("SklearnTraining")
    assert req["script_name"] == req.script_name == "SklearnTraining"
    assert req["framework"] == "scikit-learn"
    inputs = {i["name"]: i for i in req["expected_inputs"]}
    assert inputs["input_path"]["source"] == "upstream"
    assert inputs["input_path"]["default_value"] == "RiskTableMapping_training.processed_data"
    assert req.raw["node"] == "SklearnTraining"  # the engine's JSON, as `dagtest` prints it
    assert json.loads(json.dumps(req.to_dict()))["script_name"] == "SklearnTraining"
    html = req._repr_html_()
    assert "requirements of SklearnTraining" in html and "input_path" in html


def test_summary_plan_and_factory_render_as_html(example):
    _, factory = example
    summary = factory.get_testing_factory_summary()
    assert summary["ready_for_testing"] is True and summary.states["Package"] == "auto_configured"
    assert "dagtest testing factory" in summary._repr_html_()
    plan = factory.compile_dag_to_script_execution()
    assert plan.order[0] == "CradleDataLoading_training" and plan.ready
    assert "dagtest plan" in plan._repr_html_() and "Registration" in plan._repr_html_()
    assert "Package" in factory._repr_html_()


def test_user_mistakes_are_value_errors_with_code_message_hint(example, tmp_path):
    _, factory = example
    with pytest.raises(ValueError) as unknown:
        factory.get_script_testing_requirements("SklearnTrainig")
    assert unknown.value.code == "DAGTEST_UNKNOWN_NODE" and 'Did you mean "SklearnTraining"' in unknown.value.message
    with pytest.raises(dagtest.ConfigurationError) as bad:
        factory.configure_script_testing("SklearnTraining", expected_outputs={"model_output": str(tmp_path)})
    assert bad.value.code == "DAGTEST_INVALID_CONFIGURATION" and bad.value.issues[0]["field"] == "outputs"
    assert "hint:" in str(bad.value)
    with pytest.raises(FileNotFoundError) as missing:
        dagtest.InteractiveRuntimeTestingFactory(EXAMPLE / "pipeline.dag.json", "/nonexistent/config.json", project=tmp_path)
    assert isinstance(missing.value, dagtest.DagtestError) and missing.value.code == "DAGTEST_FILE_NOT_FOUND"
    assert missing.value.location is None or "file" in missing.value.location


def test_factory_ui_serves_the_project_on_loopback_and_stops(example):
    import urllib.request

    _, factory = example
    with factory.ui() as server:
        assert server.url.startswith("http://127.0.0.1:") and "token=" in server.url
        with urllib.request.urlopen(server.url, timeout=30) as response:
            assert response.status == 200
            assert "dagtest" in response.read().decode("utf-8", "replace")
        assert server.url in server._repr_html_()
    assert not server.running


def test_a_dict_dag_is_written_next_to_the_spec(tmp_path):
    raw = json.loads((EXAMPLE / "pipeline.dag.json").read_text())["dag"]
    project = copy_example(tmp_path / "p", keep_spec=False)
    with dagtest.InteractiveRuntimeTestingFactory(
        {"nodes": raw["nodes"], "edges": raw["edges"]}, project / "pipeline_config" / "config.json",
        project=project, interfaces=[project / "interfaces"], paths={"dockers/tabular_example": project / "src"},
    ) as factory:
        assert factory.get_pending_script_configurations() == ["TabularPreprocessing_training", "TabularPreprocessing_calibration"]
        factory.configure_script_testing("CradleDataLoading_training", expected_outputs={"DATA": project / "data/training/data"})
        assert factory.save() == str(project / "dagtest.yaml")
    saved = json.loads((project / "dagtest.dag.json").read_text())
    assert saved["nodes"] == raw["nodes"] and saved["edges"] == raw["edges"]
    spec = (project / "dagtest.yaml").read_text()
    assert "DATA: data/training/data" in spec
    assert spec.endswith("\n") and not spec.endswith("\n\n"), repr(spec[-40:])
    with pytest.raises(TypeError, match="nodes"):
        dagtest.InteractiveRuntimeTestingFactory(42, project=project)


def test_the_engine_refuses_another_protocol_version():
    from dagtest._engine import Engine

    engine = Engine()
    try:
        with pytest.raises(dagtest.DagtestError) as wrong:
            engine.request("initialize", {"protocolVersion": 99})
        assert wrong.value.code == "DAGTEST_PROTOCOL_MISMATCH" and "pip install -U dagtest" in wrong.value.hint
    finally:
        engine.close()


SLOW = """
import os, time
def main(input_paths, output_paths, environ_vars, job_args):
    open(os.environ["MARKER"], "w").write(str(os.getpid()))
    time.sleep(60)
"""
AFTER = """
def main(input_paths, output_paths, environ_vars, job_args):
    pass
"""
DRIVER = """
import json, os, signal, sys, threading, time
sys.path.insert(0, {python_dir!r})
import dagtest
marker = {marker!r}
factory = dagtest.InteractiveRuntimeTestingFactory(project={spec!r}, progress=False)
def interrupt():
    while not os.path.exists(marker) or not open(marker).read():
        time.sleep(0.05)
    os.kill(os.getpid(), signal.SIGINT)   # what Ctrl-C or "interrupt kernel" does
threading.Thread(target=interrupt, daemon=True).start()
start = time.time()
try:
    factory.execute_dag_guided_testing()
    out = {{"raised": False}}
except dagtest.RunInterrupted as stop:
    results = stop.results
    out = {{"raised": True, "interrupted": results.interrupted,
           "statuses": {{n: r.status for n, r in results.script_results.items()}},
           "kept": factory.last_results is results}}
out["seconds"] = time.time() - start
out["usable_after"] = factory.get_testing_factory_summary().ready_for_testing
pid = int(open(marker).read())
try:
    os.kill(pid, 0)
    out["script_alive"] = True
except ProcessLookupError:
    out["script_alive"] = False
print(json.dumps(out))
"""


def test_ctrl_c_stops_a_run_cleanly_and_the_factory_stays_usable(tmp_path):
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "slow.py").write_text(textwrap.dedent(SLOW))
    (tmp_path / "steps" / "after.py").write_text(textwrap.dedent(AFTER))
    spec = tmp_path / "dagtest.yaml"
    spec.write_text(textwrap.dedent(f"""
        version: 1
        python: {SCRIPTS_PYTHON}
        pipeline:
          nodes:
            slow: {{script: steps/slow.py, outputs: [out], env: {{MARKER: {tmp_path / 'marker'}}}}}
            after: {{script: steps/after.py, inputs: [out], outputs: [done]}}
          edges: [[slow, after]]
        run: {{cache: {{enabled: false}}}}
        """))
    driver = DRIVER.format(python_dir=str(PYTHON_DIR), marker=str(tmp_path / "marker"), spec=str(spec))
    result = subprocess.run([sys.executable, "-c", driver], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["raised"] is True and out["interrupted"] is True and out["kept"] is True
    assert out["statuses"]["slow"] == "cancelled" and out["statuses"]["after"] in ("cancelled", "skipped")
    assert out["seconds"] < 30  # not the script's 60 s
    assert out["script_alive"] is False and out["usable_after"] is True


def _keys(cls):
    hints = typing.get_type_hints(cls)
    return set(hints)


@pytest.mark.parametrize(
    "name",
    ["ScriptTestingRequirements", "InputRequirementView", "EnvRequirementView", "JobArgRequirementView",
     "OutputRequirementView", "FactorySummary", "SkippedNode", "ScriptResolutionPreview", "ValidationIssue",
     "ErrorObject", "FactoryHandle", "CreateFactoryParams", "ScriptConfiguration", "RunResult", "ScriptResult",
     "DataFlowResult", "GuidedTestingResult", "SourceLocation", "PortRef"],
)
def test_wire_types_match_the_shared_protocol_schema(name):
    definitions = json.loads((REPO / "schema" / "serve-protocol.schema.json").read_text())["definitions"]
    schema = definitions[name]
    while "$ref" in schema:  # an alias (CreateFactoryParams = FactoryOptions)
        schema = definitions[schema["$ref"].rsplit("/", 1)[1]]
    cls = getattr(protocol, name)
    assert _keys(cls) == set(schema["properties"]), f"python/dagtest/protocol.py {name} differs from the schema"
    if sys.version_info >= (3, 11):  # NotRequired exists: optional keys must match too
        assert set(cls.__required_keys__) == set(schema.get("required", []))


def test_protocol_version_is_the_engines():
    source = (REPO / "src" / "serve" / "protocol.ts").read_text()
    assert f"SERVE_PROTOCOL_VERSION = {protocol.PROTOCOL_VERSION};" in source


def test_records_typecheck_as_the_seeds_result_keys():
    keys = {f for f in TestingResults.__dataclass_fields__}
    assert {"pipeline_success", "script_results", "data_flow_results", "execution_order", "errors", "interactive_factory_info"} <= keys
    assert os.path.exists(PYTHON_DIR / "dagtest" / "py.typed")


def test_an_existing_spec_that_names_another_config_is_used_with_a_warning(tmp_path):
    project = copy_example(tmp_path / "p")
    other = tmp_path / "other.json"
    other.write_text((EXAMPLE / "pipeline_config" / "config.json").read_text())
    with pytest.warns(UserWarning, match="already exists and names config"):
        factory = dagtest.InteractiveRuntimeTestingFactory(project / "pipeline.dag.json", other, project=project)
    with factory:
        assert factory.get_pending_script_configurations() == []  # the saved answers were loaded
