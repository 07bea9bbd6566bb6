"""``inspect`` mode: look inside a node's outputs with the libraries of the scripts' interpreter.

Request on stdin, one JSON result on stdout::

    {"protocolVersion": 1, "op": "parquet-columns", "files": ["/abs/a.parquet", ...]}
    -> {"protocolVersion": 1, "available": true, "files": {path: {column: summary} | {"error": msg}}}

    {"protocolVersion": 1, "op": "load-models", "models": [{"file": ..., "loader": ...}],
     "evaluation": ["/abs/test.csv", ...], "sysPath": ["/abs/source_dir"]}
    -> {"protocolVersion": 1, "models": [{"file", "loader", "ok", "error", "predicted", "note"}]}

The runner stays standard-library only: pyarrow, pandas, joblib, xgboost, lightgbm, torch and
onnxruntime are imported here only when present, and only in this short-lived process, never in
the process that runs a script. It runs in a fresh interpreter, so a model that only loads
because the training process still had a module in memory fails here, as it would at serving.
"""

import importlib
import math
import os
import pickle
import sys

from dagtest_runner.protocol import PROTOCOL_VERSION, BadRequest, fail, parse_request, string_list, write_result

TOP_VALUES = 5


def main(argv):
    if argv:
        return fail("dagtest_runner inspect", "takes no arguments (the request is read from stdin)")
    try:
        request = parse_request(sys.stdin.buffer.read())
        op = request.get("op")
        if op == "parquet-columns":
            result = parquet_columns(string_list(request, "files"))
        elif op == "load-models":
            sys.path[:0] = string_list(request, "sysPath")
            result = {"models": [load_model(m, string_list(request, "evaluation")) for m in request.get("models", [])]}
        else:
            raise BadRequest("unknown op %r (parquet-columns, load-models)" % (op,))
    except BadRequest as exc:
        return fail("dagtest_runner inspect", "bad request: %s" % exc)
    result["protocolVersion"] = PROTOCOL_VERSION
    write_result(result)
    return 0


def _optional(name):
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - any failure to import means "not available"
        return None


# ---- Parquet column statistics -------------------------------------------------------------


def parquet_columns(files):
    pq = _optional("pyarrow.parquet")
    if pq is None:
        return {"available": False, "files": {}}
    out = {}
    for path in files:
        try:
            table = pq.read_table(path)
            out[path] = {name: summarise(table.column(name)) for name in table.column_names}
        except Exception as exc:  # noqa: BLE001 - a bad file is reported, not fatal
            out[path] = {"error": "%s: %s" % (type(exc).__name__, exc)}
    return {"available": True, "files": out}


def summarise(column):
    """The same summary as the TypeScript side computes for CSV (src/snapshot/table.ts)."""
    import pyarrow.types as pt

    kind = column.type
    values = [v for v in column.to_pylist() if v is not None and not (isinstance(v, float) and math.isnan(v))]
    nulls = len(column) - len(values)
    if pt.is_integer(kind) or pt.is_floating(kind) or pt.is_decimal(kind):
        return numeric([float(v) for v in values], nulls)
    if pt.is_boolean(kind):
        return categorical("boolean", ["true" if v else "false" for v in values], nulls)
    if pt.is_string(kind) or pt.is_large_string(kind) or pt.is_dictionary(kind):
        return categorical("string", [str(v) for v in values], nulls)
    return {"type": "other", "nulls": nulls}


def _round(value):
    return None if value is None or not math.isfinite(value) else float("%.12g" % value)


def numeric(values, nulls):
    if not values:
        return {"type": "number", "nulls": nulls, "min": None, "max": None, "mean": None, "std": None}
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else None
    return {"type": "number", "nulls": nulls, "min": _round(min(values)), "max": _round(max(values)),
            "mean": _round(mean), "std": _round(std)}


def categorical(kind, values, nulls):
    counts = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_VALUES]
    return {"type": kind, "nulls": nulls, "distinct": len(counts), "top": [[v, c] for v, c in top]}


# ---- Model artifacts -----------------------------------------------------------------------


def load_model(spec, evaluation):
    path, loader = spec["file"], spec["loader"]
    # A native loader may abort the whole process (LightGBM does on a corrupt model): this line
    # tells the engine which file it was loading.
    sys.stderr.write("dagtest-inspect: loading %s\n" % path)
    sys.stderr.flush()
    result = {"file": path, "loader": loader, "ok": False, "error": None, "predicted": False, "note": None}
    try:
        model = LOADERS[loader](path)
    except _Unavailable as exc:
        result.update(ok=True, note=str(exc))
        return result
    except BaseException as exc:  # noqa: BLE001 - what the loader raised is the finding
        result["error"] = "%s: %s" % (type(exc).__name__, exc)
        return result
    result["ok"] = True
    try:
        result["predicted"], result["note"] = predict_once(model, loader, evaluation)
    except BaseException as exc:  # noqa: BLE001
        result.update(ok=False, error="loaded, but predicting one row raised %s: %s" % (type(exc).__name__, exc))
    return result


class _Unavailable(Exception):
    """The framework that would load this file is not installed: nothing to check."""


def _need(module):
    found = _optional(module)
    if found is None:
        raise _Unavailable("%s is not installed in the scripts' interpreter: not loaded" % module)
    return found


def _pickle(path):
    with open(path, "rb") as fh:
        return pickle.load(fh)


def _joblib(path):
    return _need("joblib").load(path)


def _xgboost(path):
    booster = _need("xgboost").Booster()
    booster.load_model(path)
    return booster


def _lightgbm(path):
    return _need("lightgbm").Booster(model_file=path)


def _torch(path):
    torch = _need("torch")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # torch < 1.13 has no weights_only
        return torch.load(path, map_location="cpu")


def _onnx(path):
    return _need("onnxruntime").InferenceSession(path, providers=["CPUExecutionProvider"])


LOADERS = {"pickle": _pickle, "joblib": _joblib, "xgboost": _xgboost, "lightgbm": _lightgbm,
           "torch": _torch, "onnx": _onnx}


def feature_names(model, loader):
    if loader == "xgboost":
        return list(model.feature_names or [])
    if loader == "lightgbm":
        return list(model.feature_name())
    names = getattr(model, "feature_names_in_", None)
    return [str(n) for n in names] if names is not None else []


def predict_once(model, loader, evaluation):
    """Predict the first rows of the first evaluation file that has every feature the model names."""
    if loader in ("torch", "onnx") or not (hasattr(model, "predict") or loader in ("xgboost", "lightgbm")):
        return False, None
    names = feature_names(model, loader)
    if not names:
        return False, "the model names no feature columns: not asked to predict"
    pd = _optional("pandas")
    if pd is None:
        return False, "pandas is not installed: not asked to predict"
    skipped = None
    for path in evaluation:
        frame = _read_head(pd, path)
        if frame is None or not set(names) <= set(frame.columns):
            continue
        rows = frame[names].fillna(0.0)
        raw = [c for c in names if not pd.api.types.is_numeric_dtype(rows[c])]
        if raw and not hasattr(model, "steps"):
            # Text where the model wants numbers: the script encodes these columns before it
            # predicts (risk tables, label encoders), so this file is not the model's input.
            skipped = "%s has text in feature column(s) %s that the script encodes first: not asked to predict" % (
                os.path.basename(path), ", ".join(raw[:5]))
            continue
        if loader == "xgboost":
            model.predict(_need("xgboost").DMatrix(rows))
        else:
            model.predict(rows)
        return True, "predicted %d row(s) of %s" % (len(rows), os.path.basename(path))
    return False, skipped or "no evaluation input has the model's %d feature columns: not asked to predict" % len(names)


def _read_head(pd, path):
    try:
        if path.endswith(".parquet"):
            return pd.read_parquet(path).head(5)
        return pd.read_csv(path, sep="\t" if path.endswith(".tsv") else ",", nrows=5)
    except Exception:  # noqa: BLE001 - an unreadable evaluation file is just not used
        return None
