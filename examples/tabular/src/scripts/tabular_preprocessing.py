#!/usr/bin/env python
"""Tabular preprocessing: combine Cradle shards, apply the signature, clean the label, split.

job_type training   -> processed_data/{train,val,test}/{split}_processed_data.<ext> (stratified)
other job types     -> processed_data/<job_type>/<job_type>_processed_data.<ext>
"""
import argparse
import logging
import os
import sys
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

CONTAINER_PATHS = {
    "DATA": "/opt/ml/processing/input/data",
    "SIGNATURE": "/opt/ml/processing/input/signature",
    "processed_data": "/opt/ml/processing/output",
}
SHARD_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".parquet")
FORMATS = {"CSV": (".csv", ","), "TSV": (".tsv", "\t"), "PARQUET": (".parquet", None)}


def load_signature(signature_dir):
    """Column names from the Cradle signature file (one comma-separated line), or None."""
    d = Path(signature_dir)
    files = sorted(f for f in d.glob("*") if f.is_file()) if d.is_dir() else []
    if not files:
        return None
    line = files[0].read_text().strip().splitlines()[0]
    return [c.strip() for c in line.split(",") if c.strip()]


def read_shard(path, columns):
    name = path.name.lower()
    if name.endswith(".parquet"):
        df = pd.read_parquet(path)
        return df.set_axis(columns, axis=1) if columns else df
    sep = "\t" if ".tsv" in name else ","
    if columns:
        return pd.read_csv(path, sep=sep, header=None, names=columns)
    return pd.read_csv(path, sep=sep)


def combine_shards(data_dir, columns):
    shards = sorted(p for p in Path(data_dir).rglob("*") if p.is_file() and p.name.lower().endswith(SHARD_SUFFIXES))
    if not shards:
        raise RuntimeError(f"No data shards ({', '.join(SHARD_SUFFIXES)}) found under {data_dir}")
    return pd.concat([read_shard(p, columns) for p in shards], ignore_index=True), len(shards)


def write_split(df, out_dir, split, output_format):
    ext, sep = FORMATS[output_format]
    split_dir = Path(out_dir) / split
    split_dir.mkdir(parents=True, exist_ok=True)
    target = split_dir / f"{split}_processed_data{ext}"
    if sep is None:
        df.to_parquet(target, index=False)
    else:
        df.to_csv(target, sep=sep, index=False)
    return target


def main(input_paths, output_paths, environ_vars, job_args, logger=None):
    log = logger or print
    job_type = job_args.job_type
    label_field = environ_vars.get("LABEL_FIELD", "")
    train_ratio = float(environ_vars.get("TRAIN_RATIO", "0.7"))
    test_val_ratio = float(environ_vars.get("TEST_VAL_RATIO", "0.5"))
    output_format = environ_vars.get("OUTPUT_FORMAT", "CSV").upper()
    if output_format not in FORMATS:
        raise ValueError(f"OUTPUT_FORMAT must be one of {sorted(FORMATS)}, got {output_format!r}")

    columns = load_signature(input_paths["SIGNATURE"])
    df, n_shards = combine_shards(input_paths["DATA"], columns)
    log(f"[tabular_preprocessing] {len(df)} rows from {n_shards} shard(s); columns={list(df.columns)}")
    df.columns = [str(c).replace("__DOT__", ".") for c in df.columns]

    stratify = None
    if label_field:
        if label_field not in df.columns:
            raise KeyError(f"Label field {label_field!r} not in columns {list(df.columns)}")
        df = df[df[label_field].notna()].copy()
        df[label_field] = pd.to_numeric(df[label_field], errors="raise").astype(int)
        stratify = df[label_field]

    out_dir = Path(output_paths["processed_data"])
    out_dir.mkdir(parents=True, exist_ok=True)
    result = {}
    if job_type == "training":
        train, holdout = train_test_split(df, train_size=train_ratio, random_state=42, stratify=stratify)
        strat_holdout = holdout[label_field] if label_field else None
        test, val = train_test_split(holdout, test_size=test_val_ratio, random_state=42, stratify=strat_holdout)
        result = {"train": train, "val": val, "test": test}
    else:
        result = {job_type: df}
    for split, part in result.items():
        target = write_split(part, out_dir, split, output_format)
        log(f"[tabular_preprocessing] wrote {split}: {part.shape} -> {target}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job_type", type=str, required=True,
                        choices=["training", "validation", "testing", "calibration"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    environ_vars = {
        "LABEL_FIELD": os.environ.get("LABEL_FIELD", ""),
        "TRAIN_RATIO": os.environ.get("TRAIN_RATIO", "0.7"),
        "TEST_VAL_RATIO": os.environ.get("TEST_VAL_RATIO", "0.5"),
        "OUTPUT_FORMAT": os.environ.get("OUTPUT_FORMAT", "CSV"),
    }
    try:
        main({k: CONTAINER_PATHS[k] for k in ("DATA", "SIGNATURE")},
             {"processed_data": CONTAINER_PATHS["processed_data"]},
             environ_vars, args, logging.getLogger(__name__).info)
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - report and fail the container
        logging.exception("tabular preprocessing failed: %s", exc)
        sys.exit(1)
