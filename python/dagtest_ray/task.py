"""What runs on a Ray worker for one dagtest job: the bundled runner, as a child process.

The job's folders arrive as tar bytes (or, with a shared file system, are already there); the
runner runs exactly as the cold executor runs it on the laptop (its own session and process group,
the job's env over the worker's, stdin from /dev/null, logs capped head + tail); the timeout is
enforced here (SIGTERM to the group, SIGKILL 2 s later); a Ray cancel (KeyboardInterrupt in this
task) kills the group too. What comes back: the outcome, the logs, the node's folder (outputs,
work, tmp; the inputs only when the script changed them), and where it ran.
"""
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from dagtest_ray.shipping import SKIP_TOP, pack, remap, remap_text, tree_digest, unpack

KILL_GRACE_S = 2.0
# How long the logs may still drain after the runner exited.
PIPE_GRACE_S = 0.5
TAIL_BYTES = 64 * 1024


class CappedStream:
    """The first (cap - tail) bytes and the last `tail` bytes of a stream, and how much was dropped."""

    def __init__(self, cap):
        self.head_room = max(0, cap - TAIL_BYTES)
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    def feed(self, chunk):
        room = self.head_room - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            if len(self.tail) > TAIL_BYTES:
                cut = len(self.tail) - TAIL_BYTES
                self.dropped += cut
                del self.tail[:cut]

    def text(self):
        if not self.dropped:
            return bytes(self.head + self.tail)
        marker = ("\n[dagtest: %d bytes dropped here on the Ray worker to keep this log under its cap]\n" % self.dropped)
        return bytes(self.head) + marker.encode() + bytes(self.tail)


def _pump(pipe, capped):
    for chunk in iter(lambda: pipe.read1(65536), b""):
        capped.feed(chunk)
    pipe.close()


def _die_with_this_worker():
    """In the runner child: its own session, and SIGKILL when the Ray worker process dies."""
    os.setsid()
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001  (not Linux: the group kill on cancel still applies)
        pass


def _signal_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except OSError:
        pass


def _stop(proc):
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        proc.wait(KILL_GRACE_S)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


def worker_env(node_env):
    """The worker's own environment without Ray's internals, then the node's env on top."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    if "PYTHONPATH" in env:
        kept = [p for p in env["PYTHONPATH"].split(os.pathsep) if p and "runtime_resources" not in p]
        if kept:
            env["PYTHONPATH"] = os.pathsep.join(kept)
        else:
            del env["PYTHONPATH"]
    env.update(node_env)
    return env


def runner_main():
    import dagtest_runner

    return os.path.join(os.path.dirname(os.path.abspath(dagtest_runner.__file__)), "__main__.py")


def run_runner(job_file, cwd, env, timeout_s, max_log_bytes):
    """The runner on one job file; returns exit code, signal, timed out, and the capped logs."""
    out, err = CappedStream(max_log_bytes), CappedStream(max_log_bytes)
    proc = subprocess.Popen(
        [sys.executable, runner_main(), "run", job_file],
        cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_die_with_this_worker,
    )
    pumps = [threading.Thread(target=_pump, args=(proc.stdout, out), daemon=True),
             threading.Thread(target=_pump, args=(proc.stderr, err), daemon=True)]
    for pump in pumps:
        pump.start()
    timed_out = False
    try:
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop(proc)
    except BaseException:
        _stop(proc)  # cancelled (KeyboardInterrupt from ray.cancel) or the worker is going down
        raise
    # Leftover children of the script keep the pipes open: the group goes with the runner. One
    # that left the group (its own session) may hold them for good: the node does not wait for it.
    _signal_group(proc.pid, signal.SIGKILL)
    deadline = time.monotonic() + PIPE_GRACE_S
    for pump in pumps:
        pump.join(max(0.0, deadline - time.monotonic()))
    code = proc.returncode
    return {
        "exitCode": code if code is not None and code >= 0 else None,
        "signal": signal.Signals(-code).name if code is not None and code < 0 else None,
        "timedOut": timed_out,
        "stdout": out.text(), "stderr": err.text(),
        "dropped": {"stdout": out.dropped, "stderr": err.dropped},
    }


def where_am_i():
    import ray

    return {"nodeId": ray.get_runtime_context().get_node_id(), "host": socket.gethostname()}


def run_job(spec, *blobs):
    """One node on this worker. `spec`: job, env, roots (name, laptop path) in `blobs` order, limits."""
    started = time.monotonic()
    if spec["shared"]:
        result = run_runner(spec["jobFile"], spec["job"]["workDir"], worker_env(spec["env"]),
                            spec["timeoutMs"] / 1000.0, spec["maxLogBytes"])
        result.update(where_am_i(), folder=None, workerMs=(time.monotonic() - started) * 1000)
        return result
    base = tempfile.mkdtemp(prefix="dagtest-ray-")
    try:
        mapping = {}
        for (name, local), blob in zip(spec["roots"], blobs):
            mapping[local] = os.path.join(base, name)
            unpack(blob, mapping[local])
        job = remap(spec["job"], mapping)
        job_file = os.path.join(base, "job.json")
        with open(job_file, "w") as handle:
            import json

            json.dump(job, handle)
        node_dir = job["nodeDir"]
        inputs = os.path.join(node_dir, "in")
        before = tree_digest(inputs)
        result = run_runner(job_file, job["workDir"], worker_env(remap(spec["env"], mapping)),
                            spec["timeoutMs"] / 1000.0, spec["maxLogBytes"])
        back = {worker: local for local, worker in mapping.items()}
        if os.path.isfile(job["resultFile"]):
            with open(job["resultFile"]) as handle:
                text = remap_text(handle.read(), back)
            with open(job["resultFile"], "w") as handle:
                handle.write(text)
        skip = set(SKIP_TOP) | {"job.json"}
        if tree_digest(inputs) == before:
            skip.add("in")  # unchanged: the laptop's copy is the same, save the bytes
        result.update(where_am_i(), folder=pack(node_dir, skip), workerMs=(time.monotonic() - started) * 1000)
        return result
    finally:
        shutil.rmtree(base, ignore_errors=True)


def probe(modules):
    """Environment parity on one worker: its Python, and which of `modules` it cannot import."""
    import importlib.util

    missing = []
    for name in modules:
        try:
            if importlib.util.find_spec(name) is None:
                missing.append(name)
        except (ImportError, ValueError):
            missing.append(name)
    info = where_am_i()
    info.update(python="%d.%d.%d" % sys.version_info[:3], executable=sys.executable, missing=missing)
    return info
