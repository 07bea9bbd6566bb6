"""Describe mode: installed package versions, and the runner found as a module on PYTHONPATH."""

import importlib.metadata
import json
import os
import subprocess
import sys

import pytest

from support import PYTHON_DIR, request, run_runner


# --- packages -------------------------------------------------------------------------------


def test_packages_versions_and_missing(tmp_path):
    result = run_runner(request([], ["pytest", "surely-not-installed-dagtest-xyz"]))
    assert result.returncode == 0, result.stderr
    packages = json.loads(result.stdout)["packages"]
    assert packages == {"pytest": importlib.metadata.version("pytest"), "surely-not-installed-dagtest-xyz": None}


def test_package_name_normalisation(tmp_path):
    # A fake distribution on PYTHONPATH, so the test does not depend on what is installed.
    dist = tmp_path / "site" / "dagtest_fake_dist-1.2.3.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: dagtest-fake-dist\nVersion: 1.2.3\n")
    names = ["dagtest-fake-dist", "dagtest_fake_dist", "Dagtest-Fake-Dist", "dagtest.fake.dist"]
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    result = run_runner(request([], names), env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["packages"] == {name: "1.2.3" for name in names}


def test_scikit_learn_spellings_when_installed():
    try:
        expected = importlib.metadata.version("scikit-learn")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("scikit-learn is not installed in this interpreter")
    names = ["scikit-learn", "scikit_learn", "Scikit-Learn"]
    result = run_runner(request([], names))
    assert json.loads(result.stdout)["packages"] == {name: expected for name in names}


# --- as a module ----------------------------------------------------------------------------


def test_runs_as_module_with_pythonpath(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(PYTHON_DIR))
    argv = [sys.executable, "-m", "dagtest_runner", "describe"]
    raw = json.dumps(request()).encode()
    result = subprocess.run(argv, input=raw, capture_output=True, env=env, cwd=str(tmp_path), timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scripts"] == {}
