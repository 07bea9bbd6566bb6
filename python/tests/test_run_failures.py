"""Run mode: failing scripts: the error type, the phase, the frames and the exit codes."""

from pathlib import Path

import pytest

from support import PASSING, assert_failed, assert_passed, run_script, write


# --- failures -------------------------------------------------------------------------------


def test_exception_in_main_points_at_the_script_line(tmp_path):
    run = run_script(tmp_path, """
        def check(value):
            raise ValueError("bad value %r" % value)

        def main(input_paths, output_paths, environ_vars, job_args):
            check(42)
    """)
    assert_failed(run, "ValueError", "main")
    script = str(run.paths["src"] / "script.py")
    assert run.error["message"] == "bad value 42"
    assert run.error["frames"] == [
        {"file": script, "line": 5, "function": "main", "code": "check(42)"},
        {"file": script, "line": 2, "function": "check", "code": 'raise ValueError("bad value %r" % value)'},
    ]
    assert run.error["exitCode"] is None
    assert run.error["traceback"].rstrip().endswith("ValueError: bad value 42")


def test_frames_include_sibling_modules(tmp_path):
    write(tmp_path / "src", "loader.py", "def load(d):\n    return d['SIGNATURE']\n")
    run = run_script(tmp_path, """
        from loader import load
        def main(input_paths, output_paths, environ_vars, job_args):
            return load(input_paths)
    """)
    assert_failed(run, "KeyError", "main")
    assert [(Path(f["file"]).name, f["line"]) for f in run.error["frames"]] == [("script.py", 3), ("loader.py", 2)]


@pytest.mark.parametrize("call", ["sys.exit(0)", "sys.exit()", "raise SystemExit(None)"])
def test_clean_sys_exit_in_main_passes(tmp_path, call):
    run = run_script(tmp_path, """
        import sys
        def main(input_paths, output_paths, environ_vars, job_args):
            %s
    """ % call)
    assert_passed(run)


@pytest.mark.parametrize("call, code, message", [
    ("sys.exit(1)", 1, "1"),
    ("sys.exit(3)", 3, "3"),
    ("sys.exit('calibration failed')", 1, "calibration failed"),
])
def test_failing_sys_exit_in_main(tmp_path, call, code, message):
    run = run_script(tmp_path, """
        import sys
        def main(input_paths, output_paths, environ_vars, job_args):
            %s
    """ % call)
    assert_failed(run, "SystemExit", "main")
    assert (run.error["exitCode"], run.error["message"]) == (code, message)
    assert run.error["frames"][-1]["line"] == 3


def test_sys_exit_at_import_fails_in_import_phase(tmp_path):
    run = run_script(tmp_path, """
        import sys
        sys.exit(0)
        def main(input_paths, output_paths, environ_vars, job_args):
            pass
    """)
    assert_failed(run, "SystemExit", "import")
    assert run.error["exitCode"] == 0
    assert "main was never called" in run.error["message"]
    assert run.error["frames"][-1]["line"] == 2


def test_syntax_error_is_an_import_failure_with_its_line(tmp_path):
    run = run_script(tmp_path, """
        import os

        def main(input_paths, output_paths, environ_vars, job_args)
            pass
    """)
    assert_failed(run, "SyntaxError", "import")
    frame = run.error["frames"][-1]
    assert (Path(frame["file"]).name, frame["line"]) == ("script.py", 3)
    assert frame["code"].startswith("def main(")


def test_missing_module_is_an_import_failure(tmp_path):
    run = run_script(tmp_path, """
        import definitely_not_installed_xyz
        def main(input_paths, output_paths, environ_vars, job_args):
            pass
    """)
    assert_failed(run, "ModuleNotFoundError", "import")
    assert run.error["message"] == "No module named 'definitely_not_installed_xyz'"
    assert run.error["frames"] == [{
        "file": str(run.paths["src"] / "script.py"), "line": 1, "function": "<module>",
        "code": "import definitely_not_installed_xyz",
    }]


def test_script_without_main_fails(tmp_path):
    run = run_script(tmp_path, "X = 1\n")
    assert_failed(run, "AttributeError", "main")
    assert "defines no main(" in run.error["message"]


def test_keyboard_interrupt_fails(tmp_path):
    run = run_script(tmp_path, """
        def main(input_paths, output_paths, environ_vars, job_args):
            raise KeyboardInterrupt
    """)
    assert_failed(run, "KeyboardInterrupt", "main")


def test_setup_failure_when_work_dir_is_missing(tmp_path):
    run = run_script(tmp_path, PASSING, cwd=tmp_path, workDir=str(tmp_path / "missing"))
    assert_failed(run, "FileNotFoundError", "setup")
    assert run.result["durationMs"] == 0.0
