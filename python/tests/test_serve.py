"""Tests of the runner's ``serve`` mode (the warm fork server).

First, every test of the ``test_run_*.py`` files runs again here, each job in a child forked
from one server: the child must behave exactly like a fresh ``run`` process. Then what only a
fork server can get wrong: the preload rules, fork safety, what a child inherits, surviving a
child's crash, and exiting when the engine goes away.
"""

import json
import os
import signal
import socket
import textwrap
import time
from pathlib import Path

import pytest

import support
from serve_client import ServeClient, alive
from support import PASSING, PYTHON, RUNNER, engine_env, make_job, write

# Every run-mode test is collected again, under the server below (the run-mode
# test_bad_command_line_exits_2 is replaced by this file's own, further down).
from test_run_container_paths import *  # noqa: F401,F403
from test_run_failures import *  # noqa: F401,F403
from test_run_guards import *  # noqa: F401,F403
from test_run_passing import *  # noqa: F401,F403
from test_run_process import *  # noqa: F401,F403
from test_run_protocol import *  # noqa: F401,F403
from test_run_seed import *  # noqa: F401,F403

RUN_MODE_FILES = {
    "test_run_container_paths", "test_run_failures", "test_run_guards", "test_run_passing",
    "test_run_process", "test_run_protocol", "test_run_seed",
}
assert {p.stem for p in Path(__file__).parent.glob("test_run_*.py")} == RUN_MODE_FILES, (
    "a test_run_*.py file was added or renamed: import its tests above, so serve mode runs them too"
)


@pytest.fixture(scope="module", autouse=True)
def run_mode_tests_through_a_fork_server(tmp_path_factory):
    # A short folder: Unix socket paths are limited to about 100 bytes.
    # Without PYTHONDONTWRITEBYTECODE (set on some machines): the child must see to it itself.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    client = ServeClient(PYTHON, tmp_path_factory.mktemp("srv"), preload=["json", "argparse", "decimal"], env=env)
    assert client.status["event"] == "ready", client.status
    support.LAUNCHER["launch"] = client.launch
    yield client
    support.LAUNCHER["launch"] = None
    client.close()


def job_for(tmp_path, source, **fields):
    job, paths = make_job(tmp_path, source, **fields)
    job_file = tmp_path / "job.json"
    job_file.write_text(json.dumps(job), encoding="utf-8")
    return job_file, engine_env(paths), paths


def submit(client, tmp_path, source, **fields):
    job_file, env, paths = job_for(tmp_path, source, **fields)
    done = client.submit(job_file, env, str(paths["work"]), source_dir=str(paths["src"]))
    result_file = tmp_path / "result.json"
    done.result = json.loads(result_file.read_text()) if result_file.exists() else None
    return done


def subdir(tmp_path, name):
    (tmp_path / name).mkdir()
    return tmp_path / name


def module_dir(tmp_path, files):
    folder = tmp_path / "site"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text))
    return folder


def server(tmp_path, preload=(), explicit=(), extra_path=None, env=None):
    full = dict(os.environ, **(env or {}))
    if extra_path:
        full["PYTHONPATH"] = str(extra_path)
    folder = tmp_path / "s"
    folder.mkdir(exist_ok=True)
    return ServeClient(PYTHON, folder, preload=preload, explicit=explicit, env=full)


# --- preload rules --------------------------------------------------------------------------


def test_preload_keeps_installed_packages_and_skips_the_rest(tmp_path):
    site = module_dir(tmp_path, {
        "project_mod.py": "X = 1\n", "trusted_mod.py": "X = 2\n",
        "project_pkg/__init__.py": "", "project_pkg/sub.py": "",
    })
    client = server(
        tmp_path, extra_path=site, explicit=["trusted_mod"],
        preload=["json", "project_mod", "project_pkg.sub", "no_such_module_xyz", "no_such_pkg.sub", "tensorflow", "bad name"],
    )
    try:
        status = client.status
        assert status["event"] == "ready"
        assert status["preloaded"] == ["json", "trusted_mod"]
        reasons = {s["module"]: s["reason"] for s in status["skipped"]}
        assert reasons["project_mod"].startswith("not an installed package")
        assert reasons["project_pkg.sub"].startswith("not an installed package")
        assert reasons["no_such_module_xyz"] == reasons["no_such_pkg.sub"] == "not installed"
        assert reasons["tensorflow"].startswith("fork-unsafe")
        assert reasons["bad name"] == "not a module name"
        # Not even the parent of a skipped submodule was imported into the server.
        done = submit(client, tmp_path, """
            import sys
            def main(input_paths, output_paths, environ_vars, job_args):
                assert "project_pkg" not in sys.modules and "trusted_mod" in sys.modules
        """)
        assert done.result["status"] == "passed", done.result
    finally:
        client.close()


def test_a_preload_that_fails_to_import_is_skipped_and_forgotten(tmp_path):
    site = module_dir(tmp_path, {"broken_pkg/__init__.py": "from . import part\n", "broken_pkg/part.py": "raise ValueError('no')\n"})
    client = server(tmp_path, explicit=["broken_pkg"], extra_path=site)
    try:
        assert client.status["skipped"] == [{"module": "broken_pkg", "reason": "import failed: ValueError: no"}]
    finally:
        client.close()


def test_a_preload_that_starts_a_thread_makes_the_server_refuse(tmp_path):
    site = module_dir(tmp_path, {"threaded_mod.py": "import threading\nthreading.Thread(target=threading.Event().wait, daemon=True).start()\n"})
    client = server(tmp_path, explicit=["threaded_mod"], extra_path=site)
    assert client.status["event"] == "refused"
    assert "importing threaded_mod started a thread" in client.status["reason"]
    assert client.proc.wait(10) == 3


# --- what a child is given and what it inherits ---------------------------------------------


def test_child_is_a_fresh_process_of_its_own(tmp_path):
    client = server(tmp_path, preload=["json"], env={"SERVER_ONLY": "1"})
    try:
        done = submit(client, tmp_path, """
            import json, os, sys
            def main(input_paths, output_paths, environ_vars, job_args):
                facts = {
                    "env": sorted(os.environ), "stdin": sys.stdin.read(), "cwd": os.getcwd(),
                    "group": os.getpgid(0) == os.getpid(), "session": os.getsid(0) == os.getpid(),
                    "fds": sorted(int(fd) for fd in os.listdir("/proc/self/fd")),
                }
                open(os.path.join(output_paths["out"], "facts.json"), "w").write(json.dumps(facts))
        """)
        # `running` and `exit` are the child's own words, `forked` the server's: either may be first.
        events = [e["event"] for e in done.events]
        assert sorted(events[:2]) == ["forked", "running"] and events[2:] == ["exit"], events
        assert done.returncode == 0 and done.result["status"] == "passed", done.stderr
        facts = json.loads((tmp_path / "out" / "facts.json").read_text())
        # Replaced, not merged: no SERVER_ONLY; PYTHONDONTWRITEBYTECODE is the runner's own (run.py).
        assert facts["env"] == ["PATH", "PYTHONDONTWRITEBYTECODE", "TMPDIR"]
        assert facts["stdin"] == ""
        assert facts["cwd"] == str(tmp_path / "work")
        assert facts["group"] and facts["session"]
        # 0-2, the child's own channel to the server and its copy of the job's control connection
        # (both close-on-exec), the listdir's own fd: nothing of the server's (its listening
        # socket, other jobs, the engine's pipe).
        assert facts["fds"][:3] == [0, 1, 2] and len(facts["fds"]) <= 6, facts["fds"]
    finally:
        client.close()


def test_a_sibling_module_shadows_a_preloaded_module_of_the_same_name(tmp_path):
    site = module_dir(tmp_path, {"shadowed.py": "WHO = 'installed'\n"})
    client = server(tmp_path, explicit=["shadowed"], extra_path=site)
    try:
        write(tmp_path / "src", "shadowed.py", "WHO = 'sibling'\n")
        done = submit(client, tmp_path, """
            import shadowed
            def main(input_paths, output_paths, environ_vars, job_args):
                assert shadowed.WHO == "sibling", shadowed.WHO
        """)
        assert done.result["status"] == "passed", done.result
    finally:
        client.close()


def test_the_child_tells_the_engine_itself_even_while_the_server_is_busy(tmp_path):
    # A server busy forking the next spare must not delay a job's end: the child writes its
    # `running` and `exit` on its own copy of the control connection. Here the server is
    # stopped outright once it has handed the job over.
    client = server(tmp_path)
    try:
        job_file, env, paths = job_for(tmp_path, """
            def main(input_paths, output_paths, environ_vars, job_args):
                print("done")
        """)
        conns = {}
        for name, header in (
            ("control", {"kind": "run", "jobFile": str(job_file), "env": env, "cwd": str(paths["work"]),
                         "sourceDir": str(paths["src"])}),
            ("stdout", {"kind": "stream", "stream": "stdout"}),
            ("stderr", {"kind": "stream", "stream": "stderr"}),
        ):
            conns[name] = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conns[name].settimeout(30)
            conns[name].connect(client.socket_path)
            conns[name].sendall((json.dumps(dict(header, protocolVersion=1, id="busy")) + "\n").encode())
        lines = conns["control"].makefile("r")
        events = [json.loads(lines.readline())]
        if events[0]["event"] != "forked":  # the child's `running` may come first
            events.append(json.loads(lines.readline()))
        os.kill(client.proc.pid, signal.SIGSTOP)
        try:
            while events[-1]["event"] != "exit":
                events.append(json.loads(lines.readline()))
            stdout = b"".join(iter(lambda: conns["stdout"].recv(65536), b""))
        finally:
            os.kill(client.proc.pid, signal.SIGCONT)
        assert sorted(e["event"] for e in events) == ["exit", "forked", "running"], events
        assert events[-1]["code"] == 0 and events[-1]["signal"] is None
        assert stdout == b"done\n"
        assert json.loads((tmp_path / "result.json").read_text())["status"] == "passed"
        for conn in conns.values():
            conn.close()
    finally:
        client.close()


# --- faults ---------------------------------------------------------------------------------


def test_server_survives_a_crashing_child_and_keeps_serving(tmp_path):
    client = server(tmp_path, preload=["ctypes"])
    try:
        crash = submit(client, subdir(tmp_path, "a"), """
            import ctypes
            def main(input_paths, output_paths, environ_vars, job_args):
                ctypes.string_at(0)
        """)
        assert crash.returncode == -11 and crash.events[-1]["signal"] == "SIGSEGV"
        hard = submit(client, subdir(tmp_path, "b"), """
            import os
            def main(input_paths, output_paths, environ_vars, job_args):
                os._exit(7)
        """)
        assert hard.returncode == 7 and hard.result is None
        fine = submit(client, subdir(tmp_path, "c"), PASSING)
        assert fine.result["status"] == "passed"
        assert client.proc.poll() is None
    finally:
        client.close()


def test_server_exits_and_kills_its_children_when_the_engine_goes_away(tmp_path):
    client = server(tmp_path)
    job_file, env, paths = job_for(tmp_path, """
        import time
        def main(input_paths, output_paths, environ_vars, job_args):
            time.sleep(600)
    """)
    import socket as socket_module

    conns = []
    for header in ({"kind": "run", "jobFile": str(job_file), "env": env, "cwd": str(paths["work"]), "sourceDir": None},
                   {"kind": "stream", "stream": "stdout"}, {"kind": "stream", "stream": "stderr"}):
        sock = socket_module.socket(socket_module.AF_UNIX)
        sock.connect(client.socket_path)
        sock.sendall((json.dumps(dict(header, protocolVersion=1, id="x")) + "\n").encode())
        conns.append(sock)
    pid = json.loads(conns[0].makefile().readline())["pid"]
    time.sleep(0.3)
    assert alive(pid)
    assert client.close() == 0  # stdin EOF
    assert not alive(pid)
    assert not Path(client.socket_path).exists()
    for sock in conns:
        sock.close()


def test_inspect_mode_loads_a_model_in_a_forked_child(tmp_path):
    import pickle

    client = server(tmp_path, preload=["pickle"])
    try:
        model = tmp_path / "model.pkl"
        model.write_bytes(pickle.dumps({"weights": [1, 2]}))
        request = tmp_path / "request.json"
        request.write_text(json.dumps({
            "protocolVersion": 1, "op": "load-models", "models": [{"file": str(model), "loader": "pickle"}],
            "evaluation": [], "sysPath": [],
        }))
        done = client.submit(request, dict(os.environ), str(tmp_path), mode="inspect")
        assert done.returncode == 0, done.stderr
        loaded = json.loads(done.stdout)
        assert loaded["models"][0]["ok"] is True and loaded["models"][0]["file"] == str(model)
        assert b"dagtest-inspect: loading " + str(model).encode() in done.stderr
        assert client.proc.poll() is None
    finally:
        client.close()


def test_bad_requests_are_answered_and_do_not_hurt_the_server(tmp_path):
    import socket as socket_module

    client = server(tmp_path)
    try:
        bad_mode = {"protocolVersion": 1, "kind": "run", "id": "b", "jobFile": "/x", "cwd": "/", "env": {},
                    "sourceDir": None, "mode": "script"}
        for line in (b"{not json\n", b'{"protocolVersion": 1, "kind": "run", "id": "a"}\n', b'{"protocolVersion": 9}\n',
                     json.dumps(bad_mode).encode() + b"\n"):
            sock = socket_module.socket(socket_module.AF_UNIX)
            sock.connect(client.socket_path)
            sock.sendall(line)
            answer = json.loads(sock.makefile().readline())
            assert answer["event"] == "error" and answer["message"].startswith("bad request"), answer
            sock.close()
        assert submit(client, subdir(tmp_path, "ok"), PASSING).result["status"] == "passed"
    finally:
        client.close()


@pytest.mark.parametrize("args", [[], ["a", "b", "c"], ["/tmp/x.sock", "{bad"]])
def test_bad_command_line_exits_2(args):
    import subprocess

    proc = subprocess.run([PYTHON, str(RUNNER), "serve"] + args, capture_output=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith("dagtest_runner serve: ")

