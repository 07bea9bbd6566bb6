#!/usr/bin/env python
"""Training entry point (root of source_dir): gradient boosting on the risk-mapped channels."""
import argparse
import json
import logging
import os
import sys
from pathlib import Path

from sklearn.ensemble import GradientBoostingClassifier

import model_utils
from model_utils import binary_metrics, feature_columns, prediction_frame, read_channel, save_model

CONTAINER_PATHS = {
    "input_path": "/opt/ml/input/data",
    "model_output": "/opt/ml/model",
    "evaluation_output": "/opt/ml/output/data",
}
logger = logging.getLogger(__name__)


def main(input_paths, output_paths, environ_vars, job_args):
    label = environ_vars["LABEL_FIELD"]
    id_field = environ_vars.get("ID_FIELD", "id")
    hyperparameters = {
        "n_estimators": int(environ_vars.get("N_ESTIMATORS", "100")),
        "max_depth": int(environ_vars.get("MAX_DEPTH", "3")),
        "learning_rate": float(environ_vars.get("LEARNING_RATE", "0.1")),
        "random_state": 42,
    }
    data_root = input_paths["input_path"]
    frames = {ch: read_channel(data_root, ch) for ch in ("train", "val", "test")}
    train = frames["train"]
    if label not in train.columns:
        raise KeyError(f"Label field {label!r} not in train columns {list(train.columns)}")
    features = feature_columns(train, label, id_field)
    logger.info("training on %d rows, features=%s, hyperparameters=%s", len(train), features, hyperparameters)

    model = GradientBoostingClassifier(**hyperparameters)
    model.fit(train[features].fillna(0.0), train[label].astype(int))
    save_model(model, features, hyperparameters, output_paths["model_output"])

    eval_dir = Path(output_paths["evaluation_output"])
    metrics = {}
    for split in ("val", "test"):
        df = frames[split]
        prob = model.predict_proba(df[features].fillna(0.0))[:, 1]
        (eval_dir / split).mkdir(parents=True, exist_ok=True)
        prediction_frame(df, prob, label, id_field).to_csv(eval_dir / split / "predictions.csv", index=False)
        metrics[split] = binary_metrics(df[label], prob)
    (eval_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    logger.info("metrics: %s (model files in %s)", metrics, output_paths["model_output"])
    return {"metrics": metrics, "model_file": str(Path(output_paths["model_output"]) / model_utils.MODEL_FILE)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    args, _unknown = parser.parse_known_args()  # SageMaker passes hyperparameters as extra flags
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    environ_vars = {
        "LABEL_FIELD": os.environ.get("LABEL_FIELD", ""),
        "ID_FIELD": os.environ.get("ID_FIELD", "id"),
        "N_ESTIMATORS": os.environ.get("N_ESTIMATORS", "100"),
        "MAX_DEPTH": os.environ.get("MAX_DEPTH", "3"),
        "LEARNING_RATE": os.environ.get("LEARNING_RATE", "0.1"),
    }
    try:
        main({"input_path": CONTAINER_PATHS["input_path"]},
             {k: CONTAINER_PATHS[k] for k in ("model_output", "evaluation_output")},
             environ_vars, args)
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001
        logger.exception("training failed: %s", exc)
        sys.exit(1)
