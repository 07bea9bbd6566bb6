"""Writes the data a user hand-makes for the ab_lightgbm project's phantom sources (the two
CradleDataLoading nodes): DATA as Parquet shards, SIGNATURE, METADATA, in the layout and with the
columns the project's config and hyperparameters name (dots as `__DOT__`, as
`keep_dot_in_output_schema: false` writes them). Deterministic for a seed.

usage: python make_phantom_data.py PROJECT_DIR OUT_DIR [ROWS]
"""
import json
import os
import sys

import numpy as np
import pandas as pd


def columns(project):
    with open(os.path.join(project, "pipeline_config", "config.json")) as f:
        config = json.load(f)
    spec = config["configuration"]["specific"]["CradleDataLoading_training"]["output_spec"]
    with open(os.path.join(project, "dockers", "hyperparams", "hyperparameters.json")) as f:
        hyper = json.load(f)
    return spec["output_schema"], hyper


def frame(schema, hyper, rows, seed):
    rng = np.random.default_rng(seed)
    label, id_name = hyper["label_name"], hyper["id_name"]
    cats = set(hyper["cat_field_list"])
    numeric = [c for c in hyper["tab_field_list"]]
    x = rng.normal(size=(rows, len(numeric)))
    score = x[:, :5].sum(axis=1) + rng.normal(scale=0.5, size=rows)
    data = {}
    for i, name in enumerate(numeric):
        col = np.abs(x[:, i]) * 10
        col[rng.random(rows) < 0.05] = np.nan
        data[name] = col
    for name in schema:
        if name in data:
            continue
        if name == label:
            data[name] = (score > np.quantile(score, 0.7)).astype(int)
        elif name == id_name:
            data[name] = [f"order-{seed}-{i}" for i in range(rows)]
        elif name in cats:
            data[name] = rng.choice(["A", "B", "C", ""], size=rows)
        elif name == "marketplace_id":
            data[name] = rng.choice([1, 3, 4], size=rows)
        else:
            data[name] = [f"{name}-{i % 7}" for i in range(rows)]
    df = pd.DataFrame({name: data[name] for name in schema})
    df.columns = [c.replace(".", "__DOT__") for c in df.columns]
    return df


def write(out, df, job):
    base = os.path.join(out, job)
    for sub in ("data", "signature", "metadata"):
        os.makedirs(os.path.join(base, sub), exist_ok=True)
    half = len(df) // 2
    df.iloc[:half].to_parquet(os.path.join(base, "data", "part-00000.parquet"), index=False)
    df.iloc[half:].to_parquet(os.path.join(base, "data", "part-00001.parquet"), index=False)
    with open(os.path.join(base, "signature", "signature"), "w") as f:
        f.write(",".join(df.columns))
    with open(os.path.join(base, "metadata", "metadata"), "w") as f:
        json.dump({"rows": len(df), "columns": list(df.columns)}, f)


def main():
    project, out = sys.argv[1], sys.argv[2]
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 400
    schema, hyper = columns(project)
    for seed, job in ((1, "training"), (2, "calibration"), (3, "testing")):
        write(out, frame(schema, hyper, rows, seed), job)


if __name__ == "__main__":
    main()
