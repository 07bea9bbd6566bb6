"""Run mode: where the script runs (cwd, TMPDIR, sys.path, its module name) and how its process ends."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import PYTHON, RUNNER, assert_passed, engine_env, fixture, make_job, run_script, start, write


# --- where the script runs: cwd, TMPDIR, sys.path, its module name --------------------------


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


def test_no_bytecode_is_written_into_the_users_folders(tmp_path):
    # A sibling import in the script, and another in a Python the script starts: neither may
    # leave __pycache__ next to the user's files (the test environments run without
    # PYTHONDONTWRITEBYTECODE, so this fails when the runner does not see to it).
    write(tmp_path / "src", "helpers.py", "VALUE = 1\n")
    write(tmp_path / "src", "lib/__init__.py", "")
    write(tmp_path / "src", "lib/more.py", "VALUE = 2\n")
    run = run_script(tmp_path, """
        import os, subprocess, sys
        import helpers
        def main(input_paths, output_paths, environ_vars, job_args):
            here = os.path.dirname(os.path.abspath(__file__))
            subprocess.run([sys.executable, "-c", "import lib.more"], cwd=here, check=True)
    """)
    assert_passed(run)
    assert sorted(p.name for p in run.paths["src"].rglob("__pycache__")) == []
    assert sorted(p.name for p in run.paths["src"].rglob("*.pyc")) == []


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


LEAVES_STRAYS = """
    import json, os, subprocess, sys, time
    def main(input_paths, output_paths, environ_vars, job_args):
        # One in a session of its own holding the log pipes, one daemonised by a double fork
        # with its output redirected: neither is in the node's process group.
        held = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
        starter = subprocess.run(
            [sys.executable, "-c",
             "import subprocess, sys\\n"
             "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'],"
             " start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\\n"
             "print(p.pid)"],
            capture_output=True, text=True, check=True)
        with open(os.path.join(output_paths["out"], "out.json"), "w") as f:
            json.dump([held.pid, int(starter.stdout)], f)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="child subreaper: Linux only")
def test_processes_left_running_in_other_sessions_are_killed_and_recorded(tmp_path):
    job, paths = make_job(tmp_path, LEAVES_STRAYS)
    started = time.monotonic()
    run = start(tmp_path, job, paths, timeout=30)  # the log pipes close: no wait for the strays
    assert time.monotonic() - started < 15
    assert_passed(run)
    pids = run.read_output()
    assert [pid for pid in pids if _alive(pid)] == []
    strays = [e["detail"] for e in run.result["guardEvents"] if e["guard"] == "stray-process"]
    assert sorted(int(d.split(":")[0][4:]) for d in strays) == sorted(pids)
    assert "killed at the node's end: 2 processes the script left running" in run.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="child subreaper: Linux only")
def test_a_stopped_runner_takes_what_the_script_started_with_it(tmp_path):
    job, paths = make_job(tmp_path, """
        import os, subprocess, sys, time
        def main(input_paths, output_paths, environ_vars, job_args):
            p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(os.path.join(output_paths["out"], "pid"), "w") as f:
                f.write(str(p.pid))
            time.sleep(120)
    """)
    job_file = tmp_path / "job.json"
    job_file.write_text(json.dumps(job), encoding="utf-8")
    proc = subprocess.Popen([PYTHON, str(RUNNER), "run", str(job_file)], cwd=str(paths["work"]),
                            env=engine_env(paths), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pid_file = paths["out"] / "pid"
    deadline = time.monotonic() + 20
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)
    proc.terminate()  # what the engine's timeout does (SIGTERM to the node's group)
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == -signal.SIGTERM
    assert not _alive(int(pid_file.read_text()))
    assert b"[dagtest] stopped; also killed 1 process the script left running" in stderr
