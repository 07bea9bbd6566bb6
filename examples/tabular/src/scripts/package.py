#!/usr/bin/env python
"""Package the trained model (+ calibration model) into model.tar.gz for deployment.

Like cursus package.py, it stages files in WORKING_DIRECTORY and tars that whole directory,
so it must be given a fresh directory for each run.
"""
import argparse
import json
import logging
import os
import shutil
import sys
import tarfile
from pathlib import Path

CONTAINER_PATHS = {
    "model_input": "/opt/ml/processing/input/model",
    "calibration_model": "/opt/ml/processing/input/calibration",
    "packaged_model": "/opt/ml/processing/output",
}
logger = logging.getLogger(__name__)


def stage(src_dir, dest_dir):
    """Copy a directory's files into dest_dir, unpacking any model.tar.gz found there."""
    src_dir, copied = Path(src_dir), []
    for path in sorted(p for p in src_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(src_dir)
        if path.name == "model.tar.gz":
            with tarfile.open(path, "r:gz") as tar:
                try:
                    tar.extractall(dest_dir / rel.parent, filter="data")
                except TypeError:  # Python without extraction filters
                    tar.extractall(dest_dir / rel.parent)
                copied += [str(rel.parent / m.name) for m in tar.getmembers() if m.isfile()]
            continue
        (dest_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest_dir / rel)
        copied.append(str(rel))
    return copied


def main(input_paths, output_paths, environ_vars, job_args):
    working_dir = Path(environ_vars.get("WORKING_DIRECTORY", "/tmp/mims_packaging_directory"))
    pipeline_name = environ_vars.get("PIPELINE_NAME", "")
    region = environ_vars.get("REGION", "NA")
    model_dir = Path(input_paths["model_input"])
    if not model_dir.is_dir() or not any(model_dir.iterdir()):
        raise FileNotFoundError(f"Model input {model_dir} is missing or empty")
    working_dir.mkdir(parents=True, exist_ok=True)

    manifest = {"pipeline_name": pipeline_name, "region": region,
                "model_files": stage(model_dir, working_dir), "calibration_files": []}
    calib_dir = Path(input_paths.get("calibration_model", ""))
    if str(calib_dir) not in ("", ".") and calib_dir.is_dir():
        manifest["calibration_files"] = stage(calib_dir, working_dir / "calibration")
    else:
        logger.info("no calibration model at %s; packaging the model alone", calib_dir)
    (working_dir / "package_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

    out_dir = Path(output_paths["packaged_model"])
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "model.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        for path in sorted(p for p in working_dir.rglob("*") if p.is_file()):
            tar.add(path, arcname=str(path.relative_to(working_dir)))
    logger.info("packaged %s (%d model, %d calibration files)", target,
                len(manifest["model_files"]), len(manifest["calibration_files"]))
    return str(target)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    environ_vars = {
        "WORKING_DIRECTORY": os.environ.get("WORKING_DIRECTORY", "/tmp/mims_packaging_directory"),
        "PIPELINE_NAME": os.environ.get("PIPELINE_NAME", ""),
        "REGION": os.environ.get("REGION", "NA"),
    }
    try:
        main({k: CONTAINER_PATHS[k] for k in ("model_input", "calibration_model")},
             {"packaged_model": CONTAINER_PATHS["packaged_model"]},
             environ_vars, argparse.Namespace())
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001
        logger.exception("packaging failed: %s", exc)
        sys.exit(1)
