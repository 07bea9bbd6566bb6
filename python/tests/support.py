"""Helpers shared by the runner's tests: the ``test_describe_*`` files, the ``test_run_*`` files,
and ``test_serve.py``, which runs every ``test_run_*`` test again through a fork server.

Describe mode: most facts are checked in-process through ``describe()`` (fast); everything that
concerns the process contract (stdin/stdout, exit codes, cwd independence, package lookup) runs
the real ``__main__.py`` as a subprocess with ``sys.executable``, exactly as the TypeScript side does.

Run mode: every test runs the real ``__main__.py run <job.json>`` as a subprocess, the way the
engine does: cwd = workDir (unless a test says otherwise), a small clean environment plus TMPDIR,
and a script written into a fresh source folder under tmp_path. The runner's interpreter is
``sys.executable``, or DAGTEST_TEST_PYTHON to check another one (the runner supports 3.9+).
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]
RUNNER = PYTHON_DIR / "dagtest_runner" / "__main__.py"
sys.path.insert(0, str(PYTHON_DIR))

from dagtest_runner.describe import describe  # noqa: E402


def write(folder, name, source):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return path


# --- describe mode --------------------------------------------------------------------------


def facts_of(tmp_path, source, name="script.py"):
    path = str(write(tmp_path, name, source))
    facts = describe([path], [])["scripts"][path]
    assert facts["ok"] is True, facts
    return facts


def closure_of(tmp_path, source, name="script.py"):
    return facts_of(tmp_path, source, name)["localClosure"]


def keys(entries):
    return {entry["key"]: entry["line"] for entry in entries}


def run_runner(request, *args, cwd=None, env=None):
    """Run the runner as the TypeScript side does; ``request`` is a dict or raw bytes."""
    raw = request if isinstance(request, bytes) else json.dumps(request).encode()
    argv = [sys.executable, str(RUNNER)] + list(args or ("describe",))
    return subprocess.run(argv, input=raw, capture_output=True, cwd=cwd, env=env, timeout=60)


def request(scripts=(), packages=()):
    return {"protocolVersion": 1, "scripts": [str(s) for s in scripts], "packages": list(packages)}


# --- run mode -------------------------------------------------------------------------------

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


def engine_env(paths):
    """The environment the engine gives: clean, TMPDIR set; job.environ is the runner's to export."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMPDIR": str(paths["tmp"])}


# test_serve.py sets "launch" to a fork server's client: every test of the test_run_* files then
# runs again in a child forked from a warm server, which must behave exactly like `run` mode.
LAUNCHER = {"launch": None}


def start(tmp_path, job, paths, cwd=None, timeout=60):
    job_file = tmp_path / "job.json"
    job_file.write_text(job if isinstance(job, str) else json.dumps(job), encoding="utf-8")
    env = engine_env(paths)
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
