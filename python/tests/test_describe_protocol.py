"""Describe mode: the process contract: a whole request and its answer, broken scripts as data,
and malformed requests and command lines that exit 2."""

import json
import platform
import subprocess
import sys

import pytest

from support import RUNNER, request, run_runner, write


# --- broken scripts -------------------------------------------------------------------------


def test_broken_scripts_are_data(tmp_path):
    good = write(tmp_path, "good.py", "def main(a, b, c, d): pass\n")
    bad = write(tmp_path, "bad.py", "x = 1\n\ndef main(:\n    pass\n")
    missing = tmp_path / "missing.py"
    folder = tmp_path / "a_folder.py"
    folder.mkdir()
    nul = tmp_path / "nul.py"
    nul.write_bytes(b"x = 1\x00\n")
    result = run_runner(request([good, bad, missing, folder, nul]))
    assert result.returncode == 0, result.stderr
    scripts = json.loads(result.stdout)["scripts"]
    assert scripts[str(good)]["ok"] is True
    assert scripts[str(bad)]["error"]["kind"] == "syntax"
    assert scripts[str(bad)]["error"]["line"] == 3
    assert isinstance(scripts[str(bad)]["error"]["column"], int)
    assert scripts[str(missing)] == {
        "ok": False,
        "path": str(missing),
        "error": {"kind": "not-found", "message": "No such file or directory", "line": None, "column": None},
    }
    assert scripts[str(folder)]["error"]["kind"] == "unreadable"
    assert scripts[str(nul)]["error"]["kind"] == "syntax"


# --- the process contract -------------------------------------------------------------------


def test_full_request_from_another_cwd(tmp_path):
    script = write(tmp_path, "s.py", "def main(i, o, e, j):\n    return i['DATA']\n")
    # A cwd holding modules named like the runner's own must not matter.
    write(tmp_path, "cwd/protocol.py", "raise SystemExit('wrong protocol module imported')\n")
    write(tmp_path, "cwd/dagtest_runner/__init__.py", "raise SystemExit('wrong package imported')\n")
    result = run_runner(request([script, script], ["pytest"]), cwd=str(tmp_path / "cwd"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    body = json.loads(result.stdout)
    assert body["protocolVersion"] == 1
    assert body["python"] == {
        "executable": sys.executable,
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
    }
    assert list(body["scripts"]) == [str(script)]
    assert body["scripts"][str(script)]["inputKeys"] == [{"key": "DATA", "line": 2}]
    assert body["scripts"][str(script)]["localClosure"] == []
    assert isinstance(body["listedFolders"], list)


@pytest.mark.parametrize("raw", [
    b"",
    b"not json",
    b"[1, 2]",
    b'{"protocolVersion": 1, "packages": []}',
    b'{"protocolVersion": 1, "scripts": ["a.py", 3], "packages": []}',
    b'{"protocolVersion": 1, "scripts": [], "packages": "pandas"}',
    b'{"scripts": [], "packages": []}',
])
def test_malformed_request_exits_2(raw):
    result = run_runner(raw)
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.count(b"\n") == 1 and b"bad request" in result.stderr


@pytest.mark.parametrize("version", [2, 0, "1", True, None])
def test_unknown_protocol_version_exits_2(version):
    result = run_runner({"protocolVersion": version, "scripts": [], "packages": []})
    assert result.returncode == 2
    assert result.stdout == b""
    assert b"protocolVersion" in result.stderr and result.stderr.count(b"\n") == 1


@pytest.mark.parametrize("args", [(), ("frobnicate",), ("describe", "extra")])
def test_bad_command_line_exits_2(args):
    argv = [sys.executable, str(RUNNER)] + list(args)
    result = subprocess.run(argv, input=b"{}", capture_output=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count(b"\n") == 1
