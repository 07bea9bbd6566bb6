"""Cold mode: when the process that started the runner (dagtest) is killed with SIGKILL, the
running script and everything it started are stopped too (nothing outlives dagtest)."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

from support import PYTHON, RUNNER, engine_env, make_job

SCRIPT = """
    import os, subprocess, sys, time
    def main(input_paths, output_paths, environ_vars, job_args):
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
        with open(os.path.join(output_paths["out"], "pids"), "w") as f:
            f.write("%d %d" % (os.getpid(), child.pid))
        time.sleep(60)
"""

# A stand-in for dagtest: starts the runner as its child, then waits to be killed.
PARENT = """
import subprocess, sys, time
subprocess.Popen(sys.argv[1:])
time.sleep(60)
"""


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_killed_parent_takes_the_script_and_its_strays_with_it(tmp_path):
    if not sys.platform.startswith("linux"):
        return
    job, paths = make_job(tmp_path, textwrap.dedent(SCRIPT))
    job_file = tmp_path / "job.json"
    job_file.write_text(json.dumps(job))
    parent = subprocess.Popen(
        [PYTHON, "-c", PARENT, PYTHON, str(RUNNER), "run", str(job_file)],
        cwd=str(paths["work"]), env=engine_env(paths), start_new_session=True,
    )
    pids_file = paths["out"] / "pids"
    for _ in range(200):
        if pids_file.exists() and pids_file.read_text().count(" ") == 1:
            break
        time.sleep(0.05)
    runner, grandchild = (int(p) for p in pids_file.read_text().split())
    assert _alive(runner) and _alive(grandchild)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    for _ in range(100):
        if not _alive(runner) and not _alive(grandchild):
            break
        time.sleep(0.05)
    assert not _alive(runner), "the script outlived the killed parent"
    assert not _alive(grandchild), "the script's detached child outlived the killed parent"
