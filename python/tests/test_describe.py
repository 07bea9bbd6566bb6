"""Tests of the runner's ``describe`` mode.

Most facts are checked in-process through ``describe()`` (fast); everything that concerns the
process contract (stdin/stdout, exit codes, cwd independence, package lookup) runs the real
``__main__.py`` as a subprocess with ``sys.executable``, exactly as the TypeScript side does.
"""

import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
RUNNER = PYTHON_DIR / "dagtest_runner" / "__main__.py"
sys.path.insert(0, str(PYTHON_DIR))

from dagtest_runner.describe import describe  # noqa: E402


def write(folder, name, source):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return path


def facts_of(tmp_path, source, name="script.py"):
    path = str(write(tmp_path, name, source))
    facts = describe([path], [])["scripts"][path]
    assert facts["ok"] is True, facts
    return facts


def keys(entries):
    return {entry["key"]: entry["line"] for entry in entries}


def run_runner(request, *args, cwd=None, env=None):
    """Run the runner as the TypeScript side does; ``request`` is a dict or raw bytes."""
    raw = request if isinstance(request, bytes) else json.dumps(request).encode()
    argv = [sys.executable, str(RUNNER)] + list(args or ("describe",))
    return subprocess.run(argv, input=raw, capture_output=True, cwd=cwd, env=env, timeout=60)


def request(scripts=(), packages=()):
    return {"protocolVersion": 1, "scripts": [str(s) for s in scripts], "packages": list(packages)}


# --- main -----------------------------------------------------------------------------------


def test_main_with_four_params(tmp_path):
    facts = facts_of(tmp_path, """
        import os

        def main(input_paths, output_paths, environ_vars, job_args):
            pass
    """)
    assert facts["main"] == {"line": 3, "params": ["input_paths", "output_paths", "environ_vars", "job_args"], "varArgs": False}


def test_main_with_logger_default(tmp_path):
    facts = facts_of(tmp_path, "def main(a, b, c, d, logger=None):\n    pass\n")
    assert facts["main"] == {"line": 1, "params": ["a", "b", "c", "d", "logger"], "varArgs": False}


def test_main_with_varargs_and_posonly(tmp_path):
    assert facts_of(tmp_path, "def main(*args, **kw): pass\n")["main"]["varArgs"] is True
    facts = facts_of(tmp_path, "def main(a, /, b, *rest, k=1): pass\n", name="posonly.py")
    assert facts["main"] == {"line": 1, "params": ["a", "b"], "varArgs": True}


def test_main_with_three_params(tmp_path):
    facts = facts_of(tmp_path, "def main(ins, outs, env):\n    return ins['x'], job_args.t\n")
    assert facts["main"]["params"] == ["ins", "outs", "env"]
    assert keys(facts["inputKeys"]) == {"x": 2}
    # The missing 4th position falls back to the conventional name.
    assert keys(facts["jobArgAttrs"]) == {"t": 2}


def test_no_main_uses_conventional_names(tmp_path):
    facts = facts_of(tmp_path, """
        def run(input_paths, output_paths, environ_vars):
            return input_paths["DATA"], output_paths["OUT"], environ_vars.get("LABEL")
    """)
    assert facts["main"] is None
    assert keys(facts["inputKeys"]) == {"DATA": 2}
    assert keys(facts["outputKeys"]) == {"OUT": 2}
    assert keys(facts["envKeys"]) == {"LABEL": 2}


@pytest.mark.parametrize("source", [
    "def main(a, b, c, d): pass\nmain = wrap(main)\n",
    "def main(a, b, c, d): pass\nfrom other import main\n",
    "async def main(a, b, c, d): pass\n",
    "main = lambda a, b, c, d: None\n",
    "if True:\n    def main(a, b, c, d): pass\n",
])
def test_main_not_a_plain_top_level_def(tmp_path, source):
    assert facts_of(tmp_path, source)["main"] is None


def test_last_binding_of_main_wins(tmp_path):
    facts = facts_of(tmp_path, "from other import main\n\ndef main(x): pass\n")
    assert facts["main"] == {"line": 3, "params": ["x"], "varArgs": False}


# --- keys -----------------------------------------------------------------------------------


def test_key_reads_with_renamed_parameters(tmp_path):
    facts = facts_of(tmp_path, """
        def main(ins, outs, env, args, logger=print):
            a = ins["DATA"]
            b = ins.get("SIGNATURE")
            c = ins.get("CONFIG", "/tmp")
            if "OPTIONAL" in ins and "NEG" not in ins:
                pass
            outs.setdefault("model", "/m")
            outs["written"] = "/w"   # a write, not a read
            d = env["LABEL"]
            e = env.get("LABEL")       # same key again: first line is kept
            f = input_paths["IGNORED"] # not the name main uses
            return ins[name]           # not a literal
    """)
    assert keys(facts["inputKeys"]) == {"CONFIG": 4, "DATA": 2, "NEG": 5, "OPTIONAL": 5, "SIGNATURE": 3}
    assert keys(facts["outputKeys"]) == {"model": 7}
    assert keys(facts["envKeys"]) == {"LABEL": 9}
    assert [entry["key"] for entry in facts["inputKeys"]] == sorted(keys(facts["inputKeys"]))


def test_reads_in_helper_functions(tmp_path):
    facts = facts_of(tmp_path, """
        def load(input_paths):
            return input_paths["from_helper"]

        def save(df, output_paths):
            return output_paths.get("helper_out")

        def main(input_paths, output_paths, environ_vars, job_args):
            load(input_paths)
            return input_paths["direct"]
    """)
    assert keys(facts["inputKeys"]) == {"direct": 9, "from_helper": 2}
    assert keys(facts["outputKeys"]) == {"helper_out": 5}


def test_env_reads_at_module_level(tmp_path):
    facts = facts_of(tmp_path, """
        import os
        import os as operating_system
        from os import environ
        from os import getenv as ge

        A = os.environ["A"]
        B = os.environ.get("B", "x")
        C = os.getenv("C")
        D = environ.get("D")
        E = environ["E"]
        F = ge("F")
        G = operating_system.environ.get("G")
        H = "H" in os.environ
        os.environ["SET_ONLY"] = "1"

        def main(input_paths, output_paths, environ_vars, job_args):
            return environ_vars["I"], os.environ.get("A")
    """)
    assert keys(facts["envKeys"]) == {"A": 6, "B": 7, "C": 8, "D": 9, "E": 10, "F": 11, "G": 12, "H": 13, "I": 17}


def test_job_args_attributes(tmp_path):
    facts = facts_of(tmp_path, """
        def main(input_paths, output_paths, environ_vars, ja):
            t = ja.job_type
            if hasattr(ja, "calibration"):
                pass
            m = getattr(ja, "mode", "x")
            job_args.not_main_param
            return ja.job_type
    """)
    assert keys(facts["jobArgAttrs"]) == {"calibration": 3, "job_type": 2, "mode": 5}


# --- imports --------------------------------------------------------------------------------


def test_imports_and_local_paths(tmp_path):
    helper = write(tmp_path, "helper.py", "")
    package_init = write(tmp_path, "processing/__init__.py", "")
    utils = write(tmp_path, "processing/utils.py", "")
    facts = facts_of(tmp_path, """
        import os, json
        import pandas as pd
        from sklearn.ensemble import RandomForestClassifier
        import helper
        from processing import utils
        import processing.utils
        from processing.missing import thing
        from .sibling import x
        try:
            import xgboost
        except ImportError:
            xgboost = None

        def main(input_paths, output_paths, environ_vars, job_args):
            import boto3
    """)
    assert facts["imports"] == [
        {"module": "os", "line": 1, "localPath": None, "toplevel": True},
        {"module": "json", "line": 1, "localPath": None, "toplevel": True},
        {"module": "pandas", "line": 2, "localPath": None, "toplevel": True},
        {"module": "sklearn.ensemble", "line": 3, "localPath": None, "toplevel": True},
        {"module": "helper", "line": 4, "localPath": str(helper), "toplevel": True},
        {"module": "processing", "line": 5, "localPath": str(package_init), "toplevel": True},
        {"module": "processing.utils", "line": 6, "localPath": str(utils), "toplevel": True},
        {"module": "processing.missing", "line": 7, "localPath": str(package_init), "toplevel": True},
        {"module": ".sibling", "line": 8, "localPath": None, "toplevel": True},
        {"module": "xgboost", "line": 10, "localPath": None, "toplevel": False},
        {"module": "boto3", "line": 15, "localPath": None, "toplevel": False},
    ]


def test_relative_and_namespace_imports(tmp_path):
    sibling = write(tmp_path, "sibling.py", "")
    init = write(tmp_path, "__init__.py", "")
    write(tmp_path, "hyperparams/values.py", "")  # a folder without __init__.py
    facts = facts_of(tmp_path, """
        from .sibling import x
        from . import other
        from hyperparams import values
    """)
    local = {fact["module"]: fact["localPath"] for fact in facts["imports"]}
    assert local == {".sibling": str(sibling), ".": str(init), "hyperparams": str(tmp_path / "hyperparams")}


def test_sibling_module_shadows_stdlib_name(tmp_path):
    shadow = write(tmp_path, "json.py", "")
    assert facts_of(tmp_path, "import json\n")["imports"][0]["localPath"] == str(shadow)


# --- the closure of local imports ------------------------------------------------------------


def closure_of(tmp_path, source, name="script.py"):
    return facts_of(tmp_path, source, name)["localClosure"]


def test_closure_follows_a_chain_of_local_modules(tmp_path):
    b = write(tmp_path, "b.py", "import json\nimport c\n")
    c = write(tmp_path, "c.py", "import pandas\nfrom d import thing\n")
    d = write(tmp_path, "d.py", "thing = 1\n")
    write(tmp_path, "unused.py", "")
    assert closure_of(tmp_path, "import b\n") == sorted([str(b), str(c), str(d)])


def test_closure_survives_import_cycles_and_leaves_the_script_out(tmp_path):
    first = write(tmp_path, "first.py", "import second\n")
    second = write(tmp_path, "second.py", "import first\nimport script  # the script itself\n")
    assert closure_of(tmp_path, "import first\n") == [str(first), str(second)]


def test_closure_of_a_local_package_with_relative_imports(tmp_path):
    files = {
        "pkg/__init__.py": "from .core import run\n",
        "pkg/core.py": "from . import util\nfrom .sub.leaf import x\nimport helper\nimport sibling_of_core\n",
        "pkg/util.py": "from ..top import y\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/leaf.py": "from .. import extra\n",
        "pkg/extra.py": "",
        "pkg/unused.py": "",
        # Absolute imports resolve against the script's folder (sys.path[0]), not the module's.
        "pkg/sibling_of_core.py": "",
        "helper.py": "",
        "top.py": "",
    }
    paths = {rel: write(tmp_path, rel, text) for rel, text in files.items()}
    expected = sorted(str(paths[rel]) for rel in files if rel not in ("pkg/unused.py", "pkg/sibling_of_core.py"))
    assert closure_of(tmp_path, "import pkg\n") == expected


def test_closure_holds_the_packages_and_submodules_an_import_runs(tmp_path):
    paths = {
        rel: write(tmp_path, rel, "")
        for rel in ("a/__init__.py", "a/b/__init__.py", "a/b/c.py", "a/b/other.py", "p/__init__.py",
                    "p/mod.py", "p/sub/__init__.py", "ns/values.py", "ns/unused.py")
    }
    facts = facts_of(tmp_path, """
        import a.b.c
        from p import mod, sub, not_a_module
        from ns import values
    """)
    expected = [rel for rel in paths if rel not in ("a/b/other.py", "ns/unused.py")]
    assert facts["localClosure"] == sorted(str(paths[rel]) for rel in expected)
    # The direct facts are unchanged: the deepest file, or the namespace folder.
    assert [fact["localPath"] for fact in facts["imports"]] == [
        str(paths["a/b/c.py"]), str(paths["p/__init__.py"]), str(tmp_path / "ns")]


def test_closure_lists_a_broken_local_file_without_following_it(tmp_path):
    broken = write(tmp_path, "broken.py", "import deep\n\ndef oops(:\n")
    write(tmp_path, "deep.py", "")
    nul = tmp_path / "nul.py"
    nul.write_bytes(b"import deep\x00\n")
    assert closure_of(tmp_path, "import broken\nimport nul\n") == [str(broken), str(nul)]


def test_closure_does_not_follow_non_local_imports(tmp_path):
    write(tmp_path, "elsewhere/pandas_helpers.py", "")
    assert closure_of(tmp_path, """
        import os, json
        import pandas as pd
        from sklearn import metrics
        from .missing import x
        import pandas_helpers
    """) == []


def test_closure_sees_imports_in_functions_and_literal_dynamic_imports(tmp_path):
    lazy = write(tmp_path, "lazy.py", "")
    dyn = write(tmp_path, "dyn.py", "")
    dunder = write(tmp_path, "dunder.py", "")
    assert closure_of(tmp_path, """
        import importlib

        def main(input_paths, output_paths, environ_vars, job_args):
            import lazy
            importlib.import_module("dyn")
            __import__("dunder")
            importlib.import_module(job_args.name)
    """) == [str(dunder), str(dyn), str(lazy)]


def test_closure_is_bounded(tmp_path):
    from dagtest_runner.local_imports import MAX_CLOSURE_FILES

    count = MAX_CLOSURE_FILES + 20
    for index in range(count):
        write(tmp_path, "m%d.py" % index, "import m%d\n" % (index + 1))
    closure = closure_of(tmp_path, "import m0\n")
    assert len(closure) == MAX_CLOSURE_FILES
    assert str(tmp_path / "m0.py") in closure


def test_closure_parses_each_shared_module_once(tmp_path, monkeypatch):
    from dagtest_runner import local_imports

    parsed = []
    real = local_imports.parse_file
    monkeypatch.setattr(local_imports, "parse_file", lambda path: parsed.append(path) or real(path))
    helper = write(tmp_path, "helper.py", "import deep\n")
    deep = write(tmp_path, "deep.py", "")
    scripts = [str(write(tmp_path, "s%d.py" % index, "import helper\n")) for index in range(5)]
    result = describe(scripts, [])
    assert all(result["scripts"][s]["localClosure"] == [str(deep), str(helper)] for s in scripts)
    assert sorted(parsed) == [str(deep), str(helper)]
    assert str(tmp_path) in result["listedFolders"]


def test_broken_script_has_no_closure(tmp_path):
    bad = str(write(tmp_path, "bad.py", "import helper\ndef (\n"))
    write(tmp_path, "helper.py", "")
    assert "localClosure" not in describe([bad], [])["scripts"][bad]


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


def test_source_encoding_cookie_is_honoured(tmp_path):
    path = tmp_path / "latin.py"
    path.write_bytes("# -*- coding: latin-1 -*-\nX = 'caf\u00e9'\nY = input_paths['k']\n".encode("latin-1"))
    facts = describe([str(path)], [])["scripts"][str(path)]
    assert facts["ok"] is True
    assert keys(facts["inputKeys"]) == {"k": 3}


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


def test_runs_as_module_with_pythonpath(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(PYTHON_DIR))
    argv = [sys.executable, "-m", "dagtest_runner", "describe"]
    raw = json.dumps(request()).encode()
    result = subprocess.run(argv, input=raw, capture_output=True, env=env, cwd=str(tmp_path), timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scripts"] == {}
