"""Inspect mode: model artifacts loaded back in a fresh interpreter, Parquet column statistics."""

import json
import pickle
import sys

import pytest

from support import run_runner

pytest.importorskip("sklearn")


def inspect(request):
    proc = run_runner(dict(request, protocolVersion=1), "inspect")
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


@pytest.fixture()
def model_files(tmp_path):
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    frame = pd.DataFrame({"x1": [0.1, 0.9, 0.2, 0.8], "x2": [1.0, 0.0, 0.9, 0.1], "y": [0, 1, 0, 1]})
    model = LogisticRegression().fit(frame[["x1", "x2"]], frame["y"])
    data = pickle.dumps(model)
    (tmp_path / "good.pkl").write_bytes(data)
    (tmp_path / "truncated.pkl").write_bytes(data[: len(data) // 2])
    frame.to_csv(tmp_path / "test.csv", index=False)
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    return tmp_path


def test_a_whole_model_loads_and_predicts_on_an_input_with_its_features(model_files):
    result = inspect({
        "op": "load-models",
        "models": [{"file": str(model_files / "good.pkl"), "loader": "pickle"}],
        "evaluation": [str(model_files / "other.csv"), str(model_files / "test.csv")],
        "sysPath": [],
    })
    (model,) = result["models"]
    assert model["ok"] and model["predicted"], model
    assert model["note"] == "predicted 4 row(s) of test.csv"


def test_a_truncated_model_fails_with_the_loaders_error(model_files):
    result = inspect({
        "op": "load-models",
        "models": [{"file": str(model_files / "truncated.pkl"), "loader": "pickle"}],
        "evaluation": [],
        "sysPath": [],
    })
    (model,) = result["models"]
    assert not model["ok"]
    assert model["error"].startswith("UnpicklingError: pickle data was truncated")


def test_a_framework_that_is_not_installed_is_noted_not_failed(model_files):
    result = inspect({
        "op": "load-models",
        "models": [{"file": str(model_files / "good.pkl"), "loader": "onnx"}],
        "evaluation": [],
        "sysPath": [],
    })
    (model,) = result["models"]
    if "onnxruntime" in sys.modules or model["error"]:
        pytest.skip("onnxruntime is installed here")
    assert model["ok"] and "onnxruntime is not installed" in model["note"]


def test_parquet_statistics_say_when_pyarrow_is_missing(tmp_path):
    result = inspect({"op": "parquet-columns", "files": [str(tmp_path / "x.parquet")]})
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        assert result == {"available": False, "files": {}, "protocolVersion": 1}
    else:
        assert result["available"] is True


def test_an_unknown_op_is_a_bad_request():
    proc = run_runner({"protocolVersion": 1, "op": "guess"}, "inspect")
    assert proc.returncode == 2
    assert "unknown op 'guess'" in proc.stderr.decode()
