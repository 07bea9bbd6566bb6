#!/usr/bin/env python
"""Binary score calibration (isotonic regression or Platt scaling) on evaluation predictions."""
import argparse
import json
import logging
import os
import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss

CONTAINER_PATHS = {
    "evaluation_data": "/opt/ml/processing/input/eval_data",
    "calibration_output": "/opt/ml/processing/output/calibration",
    "metrics_output": "/opt/ml/processing/output/metrics",
    "calibrated_data": "/opt/ml/processing/output/calibrated_data",
}
EXTS = (".csv", ".tsv", ".parquet")
logger = logging.getLogger(__name__)


def load_predictions(data_dir):
    data_dir = Path(data_dir)
    preferred = data_dir / "eval_predictions.csv"
    found = [preferred] if preferred.is_file() else sorted(
        p for p in data_dir.rglob("*") if p.is_file() and p.suffix in EXTS)
    if not found:
        raise FileNotFoundError(f"No prediction file ({', '.join(EXTS)}) under {data_dir}")
    path = found[0]
    if path.suffix == ".parquet":
        return pd.read_parquet(path), path
    return pd.read_csv(path, sep="\t" if path.suffix == ".tsv" else ","), path


def expected_calibration_error(y, prob, n_bins=10):
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.digitize(prob, edges[1:-1]), 0, n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        mask = idx == b
        if mask.any():
            ece += mask.mean() * abs(y[mask].mean() - prob[mask].mean())
    return float(ece)


def fit_calibrator(method, scores, y):
    if method == "isotonic":
        return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, y)
    if method == "platt":
        return LogisticRegression().fit(scores.reshape(-1, 1), y)
    raise ValueError(f"CALIBRATION_METHOD must be 'isotonic' or 'platt', got {method!r}")


def apply_calibrator(calibrator, scores):
    if isinstance(calibrator, IsotonicRegression):
        return calibrator.predict(scores)
    return calibrator.predict_proba(scores.reshape(-1, 1))[:, 1]


def main(input_paths, output_paths, environ_vars, job_args):
    job_type = job_args.job_type if hasattr(job_args, "job_type") else "calibration"
    label = environ_vars.get("LABEL_FIELD", "label")
    score_field = environ_vars.get("SCORE_FIELD", "prob_class_1")
    method = environ_vars.get("CALIBRATION_METHOD", "isotonic").lower()
    df, path = load_predictions(input_paths["evaluation_data"])
    for col in (label, score_field):
        if col not in df.columns:
            raise KeyError(f"Column {col!r} not in {path} (columns: {list(df.columns)})")
    y = df[label].astype(int).to_numpy()
    scores = df[score_field].astype(float).to_numpy()
    logger.info("fitting %s calibration on %d rows (%s, job_type=%s)", method, len(y), path, job_type)

    calibrator = fit_calibrator(method, scores, y)
    calibrated = np.clip(apply_calibrator(calibrator, scores), 0.0, 1.0)

    for key in ("calibration_output", "metrics_output", "calibrated_data"):
        Path(output_paths[key]).mkdir(parents=True, exist_ok=True)
    with open(Path(output_paths["calibration_output"]) / "calibration_model.pkl", "wb") as fh:
        pickle.dump(calibrator, fh)
    metrics = {
        "job_type": job_type, "method": method, "count": int(len(y)), "score_field": score_field,
        "uncalibrated": {"brier_score": float(brier_score_loss(y, scores)),
                         "expected_calibration_error": expected_calibration_error(y, scores)},
        "calibrated": {"brier_score": float(brier_score_loss(y, calibrated)),
                       "expected_calibration_error": expected_calibration_error(y, calibrated)},
    }
    (Path(output_paths["metrics_output"]) / "calibration_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    out = df.copy()
    out[f"calibrated_{score_field}"] = calibrated
    out.to_csv(Path(output_paths["calibrated_data"]) / "calibrated_data.csv", index=False)
    logger.info("calibration metrics: %s", metrics)
    return metrics


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job_type", type=str, default="calibration")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    environ_vars = {
        "LABEL_FIELD": os.environ.get("LABEL_FIELD", "label"),
        "SCORE_FIELD": os.environ.get("SCORE_FIELD", "prob_class_1"),
        "CALIBRATION_METHOD": os.environ.get("CALIBRATION_METHOD", "isotonic"),
    }
    try:
        main({"evaluation_data": CONTAINER_PATHS["evaluation_data"]},
             {k: CONTAINER_PATHS[k] for k in ("calibration_output", "metrics_output", "calibrated_data")},
             environ_vars, args)
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001
        logger.exception("model calibration failed: %s", exc)
        sys.exit(1)
