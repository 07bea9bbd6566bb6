"""Helpers shared by the training entry point (a sibling module in source_dir)."""
import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, f1_score, log_loss, roc_auc_score

EXTS = (".csv", ".tsv", ".parquet")
MODEL_FILE = "model.pkl"
FEATURES_FILE = "feature_columns.json"


def read_channel(root, channel):
    """Read <root>/<channel>/<channel>_processed_data.{csv,tsv,parquet} (the TabularPreprocessing layout)."""
    for ext in EXTS:
        path = Path(root) / channel / f"{channel}_processed_data{ext}"
        if path.is_file():
            if ext == ".parquet":
                return pd.read_parquet(path)
            return pd.read_csv(path, sep="\t" if ext == ".tsv" else ",")
    raise FileNotFoundError(f"No {channel}_processed_data{{{','.join(EXTS)}}} in {Path(root) / channel}")


def feature_columns(df, label_field, id_field):
    """Every numeric column except the id and the label (categoricals are already risk-mapped)."""
    skip = {label_field, id_field}
    cols = [c for c in df.columns if c not in skip]
    non_numeric = [c for c in cols if not pd.api.types.is_numeric_dtype(df[c])]
    if non_numeric:
        raise TypeError(f"Non-numeric feature columns {non_numeric}: run risk table mapping first")
    return cols


def binary_metrics(y_true, prob):
    y_true = np.asarray(y_true).astype(int)
    prob = np.asarray(prob, dtype=float)
    metrics = {"count": int(len(y_true)), "positive_rate": float(y_true.mean()) if len(y_true) else 0.0}
    if len(np.unique(y_true)) == 2:
        metrics["auc_roc"] = float(roc_auc_score(y_true, prob))
        metrics["average_precision"] = float(average_precision_score(y_true, prob))
        metrics["log_loss"] = float(log_loss(y_true, np.clip(prob, 1e-7, 1 - 1e-7), labels=[0, 1]))
    metrics["f1_score"] = float(f1_score(y_true, (prob >= 0.5).astype(int), zero_division=0))
    return metrics


def save_model(model, features, hyperparameters, model_dir):
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    with open(model_dir / MODEL_FILE, "wb") as fh:
        pickle.dump(model, fh)
    (model_dir / FEATURES_FILE).write_text(json.dumps(features, indent=2) + "\n")
    (model_dir / "hyperparameters.json").write_text(json.dumps(hyperparameters, indent=2, sort_keys=True) + "\n")


def prediction_frame(df, prob, label_field, id_field):
    out = pd.DataFrame({id_field: df[id_field].values} if id_field in df.columns else {})
    out[label_field] = df[label_field].values
    out["prob_class_0"] = 1.0 - prob
    out["prob_class_1"] = prob
    return out
