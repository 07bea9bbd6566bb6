#!/usr/bin/env python
"""Model evaluation: score the <job_type> split with the trained model and compute metrics."""
import argparse
import json
import logging
import os
import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, f1_score, roc_auc_score

CONTAINER_PATHS = {
    "model_input": "/opt/ml/processing/input/model",
    "processed_data": "/opt/ml/processing/input/eval_data",
    "eval_output": "/opt/ml/processing/output/eval",
    "metrics_output": "/opt/ml/processing/output/metrics",
}
EXTS = (".csv", ".tsv", ".parquet")
logger = logging.getLogger(__name__)


def load_model(model_dir):
    model_dir = Path(model_dir)
    with open(model_dir / "model.pkl", "rb") as fh:
        model = pickle.load(fh)
    features = json.loads((model_dir / "feature_columns.json").read_text())
    return model, features


def find_eval_file(data_dir, job_type):
    """Prefer <job_type>/<job_type>_processed_data.*, else the first data file found."""
    data_dir = Path(data_dir)
    for ext in EXTS:
        preferred = data_dir / job_type / f"{job_type}_processed_data{ext}"
        if preferred.is_file():
            return preferred
    found = sorted(p for p in data_dir.rglob("*") if p.is_file() and p.suffix in EXTS)
    if not found:
        raise FileNotFoundError(f"No evaluation data ({', '.join(EXTS)}) under {data_dir}")
    return found[0]


def read_table(path):
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, sep="\t" if path.suffix == ".tsv" else ",")


def main(input_paths, output_paths, environ_vars, job_args):
    job_type = job_args.job_type
    id_field = environ_vars.get("ID_FIELD", "id")
    label = environ_vars.get("LABEL_FIELD", "label")
    model, features = load_model(input_paths["model_input"])
    path = find_eval_file(input_paths["processed_data"], job_type)
    df = read_table(path)
    missing = [c for c in features + [label] if c not in df.columns]
    if missing:
        raise KeyError(f"Evaluation data {path} lacks columns {missing}")
    logger.info("scoring %d rows from %s with %d features", len(df), path, len(features))

    prob = model.predict_proba(df[features].fillna(0.0))[:, 1]
    y = df[label].astype(int).to_numpy()
    preds = pd.DataFrame({id_field: df[id_field].values} if id_field in df.columns else {})
    preds[label] = y
    preds["prob_class_0"] = 1.0 - prob
    preds["prob_class_1"] = prob

    eval_dir = Path(output_paths["eval_output"])
    metrics_dir = Path(output_paths["metrics_output"])
    eval_dir.mkdir(parents=True, exist_ok=True)
    metrics_dir.mkdir(parents=True, exist_ok=True)
    preds.to_csv(eval_dir / "eval_predictions.csv", index=False)

    metrics = {"job_type": job_type, "count": int(len(y)), "positive_rate": float(np.mean(y)),
               "f1_score": float(f1_score(y, (prob >= 0.5).astype(int), zero_division=0)),
               "brier_score": float(brier_score_loss(y, prob))}
    if len(np.unique(y)) == 2:
        metrics["auc_roc"] = float(roc_auc_score(y, prob))
        metrics["average_precision"] = float(average_precision_score(y, prob))
    else:
        logger.warning("only one class in %s: AUC and average precision are undefined", path)
    (metrics_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    summary = "\n".join(f"{k}: {v}" for k, v in metrics.items())
    (metrics_dir / "metrics_summary.txt").write_text(summary + "\n")
    logger.info("metrics: %s", metrics)
    return metrics


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job_type", type=str, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    environ_vars = {
        "ID_FIELD": os.environ.get("ID_FIELD", "id"),
        "LABEL_FIELD": os.environ.get("LABEL_FIELD", "label"),
    }
    metrics_dir = Path(CONTAINER_PATHS["metrics_output"])
    try:
        main({k: CONTAINER_PATHS[k] for k in ("model_input", "processed_data")},
             {k: CONTAINER_PATHS[k] for k in ("eval_output", "metrics_output")},
             environ_vars, args)
        metrics_dir.mkdir(parents=True, exist_ok=True)
        (metrics_dir / "_SUCCESS").touch()
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001
        logger.exception("model evaluation failed: %s", exc)
        metrics_dir.mkdir(parents=True, exist_ok=True)
        (metrics_dir / "_FAILURE").write_text(f"{exc}\n")
        sys.exit(1)
