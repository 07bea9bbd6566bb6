"""Tests of the runner's ``run`` mode.

Every test runs the real ``__main__.py run <job.json>`` as a subprocess, the way the engine
does: cwd = workDir (unless a test says otherwise), a small clean environment plus TMPDIR, and
a script written into a fresh source folder under tmp_path. The runner's interpreter is
``sys.executable``, or DAGTEST_TEST_PYTHON to check another one (the runner supports 3.9+).
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
RUNNER = PYTHON_DIR / "dagtest_runner" / "__main__.py"
PYTHON = os.environ.get("DAGTEST_TEST_PYTHON") or sys.executable

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "run"

PASSING = """
    def main(input_paths, output_paths, environ_vars, job_args):
        pass
"""


class Run:
    def __init__(self, proc, result, paths):
        self.code = proc.returncode
        self.stdout = proc.stdout.decode()
        self.stderr = proc.stderr.decode()
        self.result = result
        self.paths = paths

    @property
    def error(self):
        return self.result["error"]

    def read_output(self, name="out.json"):
        return json.loads((self.paths["out"] / name).read_text())


def fixture(name):
    """A script from fixtures/run/; copied into each test's own source folder by run_script."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def write(folder, name, source):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return path


def make_job(tmp_path, source, name="script.py", **fields):
    paths = {key: tmp_path / key for key in ("src", "work", "tmp", "out")}
    for folder in paths.values():
        folder.mkdir(exist_ok=True)
    script = write(paths["src"], name, source)
    job = {
        "protocolVersion": 1,
        "node": "Step",
        "script": str(script),
        "sourceDir": str(paths["src"]),
        "workDir": str(paths["work"]),
        "inputPaths": {},
        "outputPaths": {"out": str(paths["out"])},
        "environ": {},
        "jobArgs": {},
        "guards": {"blockPipInstall": True, "stubModules": ["boto3", "botocore"]},
        "limits": {"memoryMb": None},
        "resultFile": str(tmp_path / "result.json"),
    }
    job.update(fields)
    return job, paths


# test_serve.py sets "launch" to a fork server's client: every test of this file then runs
# again in a child forked from a warm server, which must behave exactly like `run` mode.
LAUNCHER = {"launch": None}


def start(tmp_path, job, paths, cwd=None, timeout=60):
    job_file = tmp_path / "job.json"
    job_file.write_text(job if isinstance(job, str) else json.dumps(job), encoding="utf-8")
    # The environment the engine gives: clean, TMPDIR set; job.environ is the runner's to export.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMPDIR": str(paths["tmp"])}
    if LAUNCHER["launch"] is not None:
        source_dir = None if isinstance(job, str) else job.get("sourceDir")
        proc = LAUNCHER["launch"](job_file, env, str(cwd or paths["work"]), source_dir, timeout)
    else:
        proc = subprocess.run(
            [PYTHON, str(RUNNER), "run", str(job_file)],
            cwd=str(cwd or paths["work"]), env=env, capture_output=True, timeout=timeout,
        )
    result_file = tmp_path / "result.json"
    result = json.loads(result_file.read_text()) if result_file.exists() else None
    return Run(proc, result, paths)


def run_script(tmp_path, source, name="script.py", cwd=None, **fields):
    job, paths = make_job(tmp_path, source, name=name, **fields)
    return start(tmp_path, job, paths, cwd=cwd)


def assert_passed(run):
    assert run.result is not None, run.stderr
    assert run.result["status"] == "passed", run.result.get("error", {}).get("traceback")
    assert run.code == 0


def assert_failed(run, type_, phase):
    assert run.result is not None, run.stderr
    assert run.result["status"] == "failed", run.result
    assert (run.error["type"], run.error["phase"]) == (type_, phase), run.error["traceback"]
    assert run.code == 1


# --- passing runs and what main receives ----------------------------------------------------


def test_passing_script_writes_outputs(tmp_path):
    run = run_script(tmp_path, """
        import json, os
        def main(input_paths, output_paths, environ_vars, job_args):
            with open(os.path.join(output_paths["out"], "out.json"), "w") as f:
                json.dump({"rows": 3}, f)
            print("hello from the script")
            return {"ignored": object()}
    """)
    assert_passed(run)
    assert run.read_output() == {"rows": 3}
    assert run.stdout == "hello from the script\n"
    assert set(run.result) == {"protocolVersion", "node", "status", "durationMs", "peakRssKb", "guardEvents"}
    assert run.result["node"] == "Step" and run.result["protocolVersion"] == 1
    assert isinstance(run.result["durationMs"], float) and run.result["durationMs"] >= 0
    assert isinstance(run.result["peakRssKb"], int) and run.result["peakRssKb"] > 1000
    assert run.result["guardEvents"] == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("result")) == ["result.json"]


def test_arguments_arrive_exactly(tmp_path):
    run = run_script(
        tmp_path, fixture("arguments.py"),
        inputPaths={"DATA": "/data/in", "SIGNATURE": "/data/none"},
        environ={"LABEL_FIELD": "label", "REGION": "NA", "EMPTY": ""},
        jobArgs={"job_type": "training", "flag": True, "nothing": None},
    )
    assert_passed(run)
    record = run.read_output()
    assert record["inputs"] == {"DATA": "/data/in", "SIGNATURE": "/data/none"}
    assert record["outputs"] == {"out": str(run.paths["out"])}
    assert record["environ"] == {"LABEL_FIELD": "label", "REGION": "NA", "EMPTY": ""}
    assert record["job_args"] == {"job_type": "training", "flag": True, "nothing": None}
    assert record["namespace"] is True
    assert record["at_import"] == "label" and record["os_environ"] == "NA"
    assert record["argv"] == [str(run.paths["src"] / "script.py")]
    assert record["types"] == ["dict", "dict"]


def test_working_directory_and_tmpdir(tmp_path):
    # Started elsewhere on purpose: the runner itself moves into workDir.
    run = run_script(tmp_path, """
        import json, os, tempfile
        def main(input_paths, output_paths, environ_vars, job_args):
            with open(os.path.join(output_paths["out"], "out.json"), "w") as f:
                json.dump({"cwd": os.getcwd(), "temp": tempfile.mkdtemp()}, f)
    """, cwd=tmp_path)
    assert_passed(run)
    record = run.read_output()
    assert record["cwd"] == str(run.paths["work"])
    assert Path(record["temp"]).parent == run.paths["tmp"]


def test_sibling_modules_import_and_runner_folders_are_hidden(tmp_path):
    write(tmp_path / "src", "helpers/__init__.py", "")
    write(tmp_path / "src", "helpers/scale.py", "def double(x):\n    return 2 * x\n")
    run = run_script(tmp_path, """
        import importlib.util, json, os, sys
        from helpers.scale import double
        def main(input_paths, output_paths, environ_vars, job_args):
            record = {
                "double": double(21), "first": sys.path[0],
                "shadows": [m for m in ("protocol", "describe", "run", "guards", "tests")
                            if importlib.util.find_spec(m) is not None],
            }
            with open(os.path.join(output_paths["out"], "out.json"), "w") as f:
                json.dump(record, f)
    """)
    assert_passed(run)
    assert run.read_output() == {"double": 42, "first": str(run.paths["src"]), "shadows": []}


def test_script_named_like_a_loaded_module_gets_an_alias(tmp_path):
    run = run_script(tmp_path, """
        import json as real_json, os
        def main(input_paths, output_paths, environ_vars, job_args):
            with open(os.path.join(output_paths["out"], "out.json"), "w") as f:
                real_json.dump({"name": __name__}, f)
    """, name="json.py")
    assert_passed(run)
    assert run.read_output() == {"name": "dagtest_script_json"}
    assert "[dagtest] module name 'json' is already taken" in run.stderr


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


def test_memory_limit_turns_into_memory_error(tmp_path):
    run = run_script(tmp_path, """
        def main(input_paths, output_paths, environ_vars, job_args):
            block = bytearray(1024 ** 3)
    """, limits={"memoryMb": 200})
    assert_failed(run, "MemoryError", "main")
    assert run.error["frames"][-1]["code"] == "block = bytearray(1024 ** 3)"


# --- guards ---------------------------------------------------------------------------------


def test_pip_install_at_import_is_blocked(tmp_path):
    run = run_script(tmp_path, """
        import sys
        from subprocess import check_call
        check_call([sys.executable, "-m", "pip", "install", "nonexistent-pkg-xyz"])
        def main(input_paths, output_paths, environ_vars, job_args):
            pass
    """)
    assert_passed(run)
    detail = "%s -m pip install nonexistent-pkg-xyz" % PYTHON  # the script's sys.executable
    assert run.result["guardEvents"] == [{"guard": "pip-install", "detail": detail}]
    assert "[dagtest] blocked pip install: %s\n" % detail in run.stderr


def test_every_way_of_starting_pip_install_is_blocked(tmp_path):
    run = run_script(tmp_path, fixture("pip_variants.py"))
    assert_passed(run)
    assert run.read_output() == [0, 0, 0, "", "", "", 0, 0, "", ["", ""], ""]
    assert [event["detail"] for event in run.result["guardEvents"]] == [
        "pip install x", "pip install s", "cd /tmp && pip3 install -q 'y<2'",
        "python3 -m pip --quiet install z", "sudo pip3.11 install w", "bash -c pip install v",
        "pip install u", "pip install t",
    ]


def test_other_subprocesses_still_run(tmp_path):
    run = run_script(tmp_path, fixture("subprocess_passthrough.py"))
    assert_passed(run)
    assert run.read_output() == ["pip install\n", "pip install\n", 0, 3]
    assert run.result["guardEvents"] == []


def test_pip_guard_can_be_turned_off(tmp_path):
    run = run_script(tmp_path, """
        import subprocess, sys
        def main(input_paths, output_paths, environ_vars, job_args):
            out = subprocess.check_output([sys.executable, "-m", "pip", "install", "--help"])
            assert b"Usage" in out, out
    """, guards={"blockPipInstall": False, "stubModules": []})
    assert_passed(run)
    assert run.result["guardEvents"] == []


def test_stubbed_modules_import_and_fail_loudly_when_used(tmp_path):
    run = run_script(tmp_path, fixture("stubs_used.py"))
    assert_failed(run, "RuntimeError", "main")
    assert run.error["message"].startswith("dagtest: boto3.client(...) was called, but 'boto3' is stubbed")
    assert run.error["frames"][-1]["code"] == 'boto3.client("s3")'
    assert run.result["guardEvents"] == [
        {"guard": "stub", "detail": "boto3 imported as a stub"},
        {"guard": "stub", "detail": "botocore imported as a stub"},
        {"guard": "stub", "detail": "boto3.client called"},
    ]


def test_stub_wins_over_an_installed_package(tmp_path):
    run = run_script(tmp_path, """
        import numpy as np
        def main(input_paths, output_paths, environ_vars, job_args):
            np.random.default_rng(0)
    """, guards={"blockPipInstall": True, "stubModules": ["numpy"]})
    assert_failed(run, "RuntimeError", "main")
    assert "numpy.random.default_rng(...) was called, but 'numpy' is stubbed" in run.error["message"]


# --- multiprocessing and process exit -------------------------------------------------------

@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_multiprocessing_pool_with_functions_defined_in_the_script(tmp_path, method):
    run = run_script(tmp_path, fixture("pool.py"), name="tabular_preprocessing.py", jobArgs={"start_method": method})
    assert_passed(run)
    assert run.read_output() == [0, 1, 4, 9, 16, 25]


def test_atexit_handlers_of_the_script_run(tmp_path):
    run = run_script(tmp_path, """
        import atexit, os
        def main(input_paths, output_paths, environ_vars, job_args):
            atexit.register(lambda: open(os.path.join(output_paths["out"], "atexit"), "w").close())
    """)
    assert_passed(run)
    assert (run.paths["out"] / "atexit").exists()


def test_a_thread_left_running_does_not_hang_the_exit(tmp_path):
    run = run_script(tmp_path, """
        import threading
        def main(input_paths, output_paths, environ_vars, job_args):
            threading.Thread(target=threading.Event().wait).start()
    """)
    assert_passed(run)
    assert "[dagtest] 1 threads still running; exiting anyway" in run.stderr


# --- bad jobs -------------------------------------------------------------------------------


@pytest.mark.parametrize("mutate", [
    lambda job: "{not json",
    lambda job: "[1, 2]",
    lambda job: {**job, "script": 3},
    lambda job: {key: value for key, value in job.items() if key != "workDir"},
    lambda job: {**job, "environ": {"A": 1}},
    lambda job: {**job, "jobArgs": {"n": 3}},
    lambda job: {**job, "guards": {"blockPipInstall": "yes", "stubModules": []}},
    lambda job: {**job, "guards": {"blockPipInstall": True, "stubModules": ["boto3 "]}},
    lambda job: {**job, "limits": {"memoryMb": -1}},
    lambda job: {**job, "limits": {}},
    lambda job: {**job, "resultFile": "/nonexistent-dir-xyz/result.json"},
    lambda job: {**job, "protocolVersion": 2},
    lambda job: {**job, "protocolVersion": True},
])
def test_malformed_job_exits_2_without_result(tmp_path, mutate):
    job, paths = make_job(tmp_path, PASSING)
    run = start(tmp_path, mutate(job), paths)
    assert run.code == 2
    assert run.result is None
    assert run.stderr.startswith("dagtest_runner run: bad job ") and run.stderr.count("\n") == 1


def test_unknown_protocol_version_names_both_versions(tmp_path):
    job, paths = make_job(tmp_path, PASSING, protocolVersion=7)
    run = start(tmp_path, job, paths)
    assert run.code == 2
    assert "unsupported protocolVersion 7" in run.stderr and "speaks protocolVersion 1" in run.stderr


@pytest.mark.parametrize("args", [[], ["a.json", "b.json"], ["/nonexistent-xyz/job.json"]])
def test_bad_command_line_exits_2(tmp_path, args):
    proc = subprocess.run([PYTHON, str(RUNNER), "run"] + args, capture_output=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith("dagtest_runner run: ")
