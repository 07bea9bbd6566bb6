#!/usr/bin/env python
"""Risk table mapping for categorical features.

training: fit smoothed per-category label means on train, map train/val/test, save bin_mapping.pkl.
other job types: load bin_mapping.pkl from model_artifacts_input and map the <job_type> split.
"""
import argparse
import logging
import os
import pickle
import sys
from pathlib import Path

import pandas as pd

CONTAINER_PATHS = {
    "data_input": "/opt/ml/processing/input/data",
    "model_artifacts_input": "/opt/ml/processing/input/model_artifacts",
    "processed_data": "/opt/ml/processing/output/data",
    "model_artifacts_output": "/opt/ml/processing/output/model_artifacts",
}
RISK_TABLE_FILE = "bin_mapping.pkl"
EXTS = (".csv", ".tsv", ".parquet")


def find_split_file(base_dir, split):
    for ext in EXTS:
        candidate = Path(base_dir) / split / f"{split}_processed_data{ext}"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"No {split}_processed_data{{{','.join(EXTS)}}} under {Path(base_dir) / split}")


def read_table(path):
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, sep="\t" if path.suffix == ".tsv" else ",")


def write_table(df, out_dir, split, ext):
    target = Path(out_dir) / split / f"{split}_processed_data{ext}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if ext == ".parquet":
        df.to_parquet(target, index=False)
    else:
        df.to_csv(target, sep="\t" if ext == ".tsv" else ",", index=False)
    return target


def fit_risk_tables(df, cat_fields, label, smooth_factor, count_threshold):
    """Same table shape as cursus: {var: {varName, type, mode, default_bin, bins}}."""
    default_risk = float(df[label].mean())
    smooth_samples = int(len(df) * smooth_factor)
    tables = {}
    for var in cat_fields:
        stats = df.groupby(df[var].astype(str))[label].agg(["mean", "count"])
        bins = {}
        for category, (risk, count) in stats.iterrows():
            if count < count_threshold:
                bins[category] = default_risk
            else:
                bins[category] = float((count * risk + smooth_samples * default_risk) / (count + smooth_samples))
        tables[var] = {"varName": var, "type": "categorical", "mode": "categorical",
                       "default_bin": default_risk, "bins": bins}
    return tables


def apply_risk_tables(df, tables):
    out = df.copy()
    for var, table in tables.items():
        if var not in out.columns:
            raise KeyError(f"Categorical field {var!r} missing from data columns {list(out.columns)}")
        out[var] = out[var].astype(str).map(table["bins"]).fillna(table["default_bin"]).astype(float)
    return out


def main(input_paths, output_paths, environ_vars, job_args, logger=None):
    log = logger or print
    job_type = job_args.job_type
    label = environ_vars["LABEL_FIELD"]
    cat_fields = [c.strip() for c in environ_vars.get("CAT_FIELD_LIST", "").split(",") if c.strip()]
    smooth_factor = float(environ_vars.get("SMOOTH_FACTOR", "0.01"))
    count_threshold = int(environ_vars.get("COUNT_THRESHOLD", "5"))
    data_dir = input_paths["data_input"]
    out_data = Path(output_paths["processed_data"])
    out_artifacts = Path(output_paths["model_artifacts_output"])
    out_data.mkdir(parents=True, exist_ok=True)
    out_artifacts.mkdir(parents=True, exist_ok=True)

    if job_type == "training":
        if not cat_fields:
            raise ValueError("CAT_FIELD_LIST is empty: name the categorical columns to risk-map")
        files = {s: find_split_file(data_dir, s) for s in ("train", "val", "test")}
        frames = {s: read_table(p) for s, p in files.items()}
        tables = fit_risk_tables(frames["train"], cat_fields, label, smooth_factor, count_threshold)
        log(f"[risk_table_mapping] fitted risk tables for {cat_fields} on {len(frames['train'])} train rows")
    else:
        table_path = Path(input_paths.get("model_artifacts_input", "")) / RISK_TABLE_FILE
        if not table_path.is_file():
            raise FileNotFoundError(f"job_type={job_type} needs risk tables at {table_path}")
        with open(table_path, "rb") as fh:
            tables = pickle.load(fh)
        files = {job_type: find_split_file(data_dir, job_type)}
        frames = {job_type: read_table(files[job_type])}
        log(f"[risk_table_mapping] loaded risk tables for {sorted(tables)} from {table_path}")

    with open(out_artifacts / RISK_TABLE_FILE, "wb") as fh:
        pickle.dump(tables, fh)
    result = {}
    for split, df in frames.items():
        result[split] = apply_risk_tables(df, tables)
        target = write_table(result[split], out_data, split, files[split].suffix)
        log(f"[risk_table_mapping] wrote {split}: {result[split].shape} -> {target}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job_type", type=str, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    environ_vars = {
        "LABEL_FIELD": os.environ.get("LABEL_FIELD", ""),
        "CAT_FIELD_LIST": os.environ.get("CAT_FIELD_LIST", ""),
        "SMOOTH_FACTOR": os.environ.get("SMOOTH_FACTOR", "0.01"),
        "COUNT_THRESHOLD": os.environ.get("COUNT_THRESHOLD", "5"),
    }
    try:
        main({k: CONTAINER_PATHS[k] for k in ("data_input", "model_artifacts_input")},
             {k: CONTAINER_PATHS[k] for k in ("processed_data", "model_artifacts_output")},
             environ_vars, args, logging.getLogger(__name__).info)
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001
        logging.exception("risk table mapping failed: %s", exc)
        sys.exit(1)
