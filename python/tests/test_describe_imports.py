"""Describe mode: a script's imports, where local ones lead, and the closure of its local modules."""

from support import closure_of, describe, facts_of, write


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


# --- the closure of local imports -----------------------------------------------------------


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
