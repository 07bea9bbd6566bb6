"""Run mode: hard-coded container paths resolve to the node's local folders, as in the container;
``environ_vars`` values are converted the way the script's own ``__main__`` converts them."""

import json
import os

from support import assert_passed, run_script

PROBE = """
    import glob, json, os, pathlib, shutil
    def main(input_paths, output_paths, environ_vars, job_args):
        seen = {
            "exists": os.path.exists("/opt/ml/code/hyperparams/hyperparameters.json"),
            "region": os.path.exists("/opt/ml/code/hyperparams/hyperparameters_NA.json"),
            "listdir": sorted(os.listdir("/opt/ml/processing/input/data")),
            "glob": [os.path.basename(p) for p in glob.glob("/opt/ml/processing/input/data/*.csv")],
            "pathlib": pathlib.Path("/opt/ml/processing/input/data/part.csv").read_text(),
            "open": open("/opt/ml/code/hyperparams/hyperparameters.json").read(),
        }
        with open("/opt/ml/processing/output/result.json", "w") as f:
            json.dump(seen, f)
        shutil.copy("/opt/ml/processing/input/data/part.csv", "/opt/ml/processing/output/copy.csv")
        os.makedirs("/opt/ml/output/unmapped/deep", exist_ok=True)
        with open("/opt/ml/output/unmapped/deep/x.txt", "w") as f:
            f.write("x")
"""


def _layout(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "part.csv").write_text("a,b\n1,2\n")
    src = tmp_path / "src"
    (src / "hyperparams").mkdir(parents=True)
    (src / "hyperparams" / "hyperparameters.json").write_text('{"eta": 0.3}')
    return data, src


def test_hard_coded_container_paths_resolve_to_the_nodes_folders(tmp_path):
    data, src = _layout(tmp_path)
    out = tmp_path / "out"
    run = run_script(
        tmp_path, PROBE,
        inputPaths={"DATA": str(data)},
        containerPaths={
            "/opt/ml/code": str(src),
            "/opt/ml/processing/input/data": str(data),
            "/opt/ml/processing/output": str(out),
        },
        nodeDir=str(tmp_path),
    )
    assert_passed(run)
    seen = json.loads((out / "result.json").read_text())
    assert seen == {
        "exists": True, "region": False, "listdir": ["part.csv"], "glob": ["part.csv"],
        "pathlib": "a,b\n1,2\n", "open": '{"eta": 0.3}',
    }
    assert (out / "copy.csv").read_text() == "a,b\n1,2\n"
    # An unmapped container path lands in the node's private folder, never the machine's /opt/ml.
    assert (tmp_path / "container/opt/ml/output/unmapped/deep/x.txt").read_text() == "x"
    assert not os.path.exists("/opt/ml/output/unmapped")
    events = run.result["guardEvents"]
    assert {"guard": "container-path", "detail": "/opt/ml/code -> %s" % src} in events
    assert any(e["guard"] == "write-outside" and "/opt/ml/output/unmapped/deep/x.txt" in e["detail"] for e in events)


def test_paths_outside_opt_ml_are_untouched(tmp_path):
    run = run_script(tmp_path, """
        import os
        def main(input_paths, output_paths, environ_vars, job_args):
            with open(os.path.join(output_paths["out"], "x.txt"), "w") as f:
                f.write(str(os.path.exists("/opt/mlx")))
    """, containerPaths={"/opt/ml/code": "/nonexistent"})
    assert_passed(run)
    assert run.result["guardEvents"] == []


def test_environ_vars_are_converted_as_main_converts_them(tmp_path):
    run = run_script(tmp_path, """
        import json, os
        def main(input_paths, output_paths, environ_vars, job_args):
            with open(os.path.join(output_paths["out"], "out.json"), "w") as f:
                json.dump({k: environ_vars.get(k) for k in ("FLAG", "OFF", "N", "MISSING", "RAW")}, f)
    """,
        environ={"FLAG": "True", "OFF": "false", "N": "3", "RAW": "false"},
        environConversions={
            "FLAG": {"env": "FLAG", "default": "false", "type": "bool", "equals": "true"},
            "OFF": {"env": "OFF", "default": "true", "type": "bool", "equals": "true"},
            "N": {"env": "N", "default": None, "type": "int", "equals": None},
            "MISSING": {"env": "MISSING", "default": "true", "type": "bool", "equals": "true"},
        },
    )
    assert_passed(run)
    assert run.read_output() == {"FLAG": True, "OFF": False, "N": 3, "MISSING": True, "RAW": "false"}
