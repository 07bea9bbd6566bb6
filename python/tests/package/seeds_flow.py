"""The seeds' usage examples, run by an installed dagtest against a copy of examples/tabular.

    python seeds_flow.py flow PROJECT_DIR    the seeds' interactive flow from an in-memory DAG + config
    python seeds_flow.py saved PROJECT_DIR   the same project from its saved dagtest.yaml: plan, summary, run

Prints one JSON object of what it saw; the tests assert on it (and compare it with the CLI).
"""

import json
import os
import sys

from dagtest import ConfigurationError, DagtestError, InteractiveRuntimeTestingFactory, NotConfiguredError


class PipelineDAG:
    """What a cursus PipelineDAG offers: `nodes`, `edges` and a name."""

    def __init__(self, nodes, edges, name):
        self.nodes = list(nodes)
        self.edges = [tuple(e) for e in edges]
        self.name = name


def flow(project):
    with open(os.path.join(project, "pipeline.dag.json")) as handle:
        raw = json.load(handle)["dag"]
    dag = PipelineDAG(raw["nodes"], raw["edges"], "tabular_example")
    config_path = os.path.join(project, "pipeline_config", "config.json")
    os.chdir(project)
    seen = {}
    factory = InteractiveRuntimeTestingFactory(
        dag, config_path, project=project, interfaces=["interfaces"], paths={"dockers/tabular_example": "src"}
    )
    # Phase 1: discovery (no phantoms) and the summary.
    seen["scripts"] = factory.get_scripts_requiring_testing()
    seen["skipped"] = [s["node"] for s in factory.get_skipped_nodes()]
    summary = factory.get_testing_factory_summary()
    seen["summary_before"] = {k: summary[k] for k in ("total_scripts", "pending_scripts", "ready_for_testing", "dag_name")}
    # Phase 2: requirements and configuration with immediate validation.
    pending = factory.get_pending_script_configurations()
    seen["pending"] = pending
    seen["requirements"] = {}
    for script_name in pending:
        requirements = factory.get_script_testing_requirements(script_name)
        required = [inp["name"] for inp in requirements["expected_inputs"] if inp["required"]]
        env = {e["name"]: [e["default_value"], e["source"], e.get("config_field")] for e in requirements["environment_variables"]}
        seen["requirements"][script_name] = {"required_inputs": required, "env": env, "framework": requirements["framework"],
                                             "missing": [m["field"] for m in requirements["missing"]]}
    first = pending[0]
    try:
        factory.configure_script_testing(first, expected_inputs={"DATA": "/nonexistent/path/train.csv"})
    except ValueError as error:
        assert isinstance(error, ConfigurationError)
        seen["bad_path"] = {"code": error.code, "message": error.message, "hint": error.hint, "fields": [i["field"] for i in error.issues]}
    try:
        factory.configure_script_testing(first, environment_variables={"LABLE_FIELD": "is_fraud"})
    except ValueError as error:
        seen["bad_env"] = {"code": error.code, "hint": error.hint}
    try:
        factory.get_script_testing_requirements("NoSuchScript")
    except DagtestError as error:
        seen["unknown"] = {"code": error.code, "is_value_error": isinstance(error, ValueError)}
    try:
        factory.execute_dag_guided_testing()
    except NotConfiguredError as error:
        seen["not_ready"] = {"code": error.code, "is_value_error": isinstance(error, ValueError)}
    for script_name in pending:
        requirements = factory.get_script_testing_requirements(script_name)
        job = requirements["job_type"]
        # What a phantom upstream (CradleDataLoading) would have produced: the example's data.
        inputs = {inp["name"]: os.path.join("data", job, inp["name"].lower())
                  for inp in requirements["expected_inputs"] if inp["source"] == "phantom-upstream"}
        factory.configure_script_testing(script_name, expected_inputs=inputs, environment_variables={"LABEL_FIELD": "is_fraud"})
    summary = factory.get_testing_factory_summary()
    seen["summary_after"] = {k: summary[k] for k in ("total_scripts", "pending_scripts", "ready_for_testing",
                                                     "configured_scripts", "manually_configured_scripts")}
    seen["spec_file"] = factory.save()
    # Phase 3: execution and results.
    results = factory.execute_dag_guided_testing()
    seen["results"] = {
        "pipeline_success": results["pipeline_success"],
        "execution_order": results["execution_order"],
        "statuses": {n: r["status"] for n, r in results["script_results"].items()},
        "factory_info": results["interactive_factory_info"],
        "html": results._repr_html_(),
    }
    factory.close()
    return seen


def saved(project):
    spec = os.path.join(project, "dagtest.yaml")
    with InteractiveRuntimeTestingFactory(project=spec) as factory:
        plan = factory.compile_dag_to_script_execution()
        summary = factory.get_testing_factory_summary()
        results = factory.execute_dag_guided_testing()
        return {"plan": plan.raw, "summary": summary.raw, "results": results.raw}


if __name__ == "__main__":
    mode, project = sys.argv[1], os.path.abspath(sys.argv[2])
    out = flow(project) if mode == "flow" else saved(project)
    sys.stdout.write(json.dumps(out) + "\n")
