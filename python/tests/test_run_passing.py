"""Run mode: a passing script, and exactly what its main receives (see support.py for how runs are made)."""

from support import assert_passed, fixture, run_script


# --- passing runs and what main receives ----------------------------------------------------


def test_passing_script_writes_outputs(tmp_path):
    run = run_script(tmp_path, """
        import json, os
        def main(input_paths, output_paths, environ_vars, job_args):
            with open(os.path.join(output_paths["out"], "out.json"), "w") as f:
                json.dump({"rows": 3}, f)
            print("hello from the script")
            return {"ignored": object()}
    """)
    assert_passed(run)
    assert run.read_output() == {"rows": 3}
    assert run.stdout == "hello from the script\n"
    assert set(run.result) == {"protocolVersion", "node", "status", "durationMs", "peakRssKb", "guardEvents"}
    assert run.result["node"] == "Step" and run.result["protocolVersion"] == 1
    assert isinstance(run.result["durationMs"], float) and run.result["durationMs"] >= 0
    assert isinstance(run.result["peakRssKb"], int) and run.result["peakRssKb"] > 1000
    assert run.result["guardEvents"] == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("result")) == ["result.json"]


def test_arguments_arrive_exactly(tmp_path):
    run = run_script(
        tmp_path, fixture("arguments.py"),
        inputPaths={"DATA": "/data/in", "SIGNATURE": "/data/none"},
        environ={"LABEL_FIELD": "label", "REGION": "NA", "EMPTY": ""},
        jobArgs={"job_type": "training", "flag": True, "nothing": None},
    )
    assert_passed(run)
    record = run.read_output()
    assert record["inputs"] == {"DATA": "/data/in", "SIGNATURE": "/data/none"}
    assert record["outputs"] == {"out": str(run.paths["out"])}
    assert record["environ"] == {"LABEL_FIELD": "label", "REGION": "NA", "EMPTY": ""}
    assert record["job_args"] == {"job_type": "training", "flag": True, "nothing": None}
    assert record["namespace"] is True
    assert record["at_import"] == "label" and record["os_environ"] == "NA"
    assert record["argv"] == [str(run.paths["src"] / "script.py")]
    assert record["types"] == ["dict", "dict"]
