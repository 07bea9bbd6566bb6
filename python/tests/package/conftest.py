"""Fixtures of the Python package's tests: the wheel built from the current sources, and a fresh
venv with it installed and no `node` on PATH (see pkg_env.py)."""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from pkg_env import build_wheel, fresh_venv  # noqa: E402


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """The venv's folder; its bin/ holds python and the `dagtest` command."""
    return fresh_venv(tmp_path_factory.mktemp("fresh") / "venv", wheel)
