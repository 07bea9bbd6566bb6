"""The Ray driver: JSON lines in (stdin), JSON lines out (the original stdout); Ray's own chatter
goes to stderr. One line per request, each answered by one line with the same `id`:

  {"op": "connect", "id", "address", "modules": [...], "sharedDir": str|null}
      -> {"id", "ok": true, "workers": [{nodeId, host, python}]} | {"id", "ok": false, "error": {code, message, hint}}
  {"op": "run", "id", "job", "jobFile", "env", "timeoutMs", "maxLogBytes", "placement"}
      -> {"id", "ok": true, exitCode, signal, timedOut, dropped, nodeId, host, stdoutFile, stderrFile}
       | {"id", "ok": false, "cancelled": bool, "error": {code, message, hint}}
  {"op": "cancel", "id"}   (no answer of its own: the run's answer says cancelled)

On stdin EOF (dagtest exited or was killed) every task still running is cancelled (force) and the
driver disconnects, so nothing dagtest started is left running on the cluster.
"""
import json
import os
import socket
import sys
import threading
import traceback

from dagtest_ray import shipping
from dagtest_ray.errors import connect_error, task_error, unplaceable

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(os.path.dirname(HERE), "dagtest_runner")
CANCEL_GRACE_S = 3.0


class Driver:
    def __init__(self, out):
        self.out = out
        self.lock = threading.Lock()
        self.refs = {}
        self.cancelled = set()
        self.shared_dir = None
        self.code_blobs = {}
        self.totals = []
        self.remote = None

    def send(self, message):
        with self.lock:
            self.out.write(json.dumps(message) + "\n")
            self.out.flush()

    # -- connect -------------------------------------------------------------------------
    def connect(self, request):
        address = request.get("address") or None
        error = unreachable(address)
        if error:
            return {"ok": False, "error": error}
        try:
            import ray
        except ImportError as exc:
            return {"ok": False, "error": {
                "code": "DAGTEST_RAY_NOT_INSTALLED", "message": "%s has no `ray` package (%s)" % (sys.executable, exc),
                "hint": "pip install ray (the cluster's version) into it, or point run.ray.python at a Python that has it"}}
        from dagtest_ray import task

        if self.remote is not None:
            self.scripts_python = request.get("python") or sys.executable
            return self.check_parity(request.get("modules") or [])
        try:
            ray.init(address=address, runtime_env={"py_modules": [RUNNER, HERE]},
                     logging_level="ERROR", log_to_driver=False)
        except Exception as exc:  # noqa: BLE001  (every way of failing to join is the user's to fix)
            return {"ok": False, "error": connect_error(address, exc)}
        self.shared_dir = request.get("sharedDir")
        self.scripts_python = request.get("python") or sys.executable
        self.remote = {"run": ray.remote(max_retries=0)(task.run_job),
                       "probe": ray.remote(num_cpus=0, max_retries=0)(task.probe)}
        return self.check_parity(request.get("modules") or [])

    def check_parity(self, modules):
        """The job's modules and Python on every alive worker, before anything runs."""
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        nodes = [n for n in ray.nodes() if n.get("Alive")]
        self.totals = [n.get("Resources", {}) for n in nodes]
        local = importable_with(self.scripts_python, sorted({m.split(".")[0] for m in modules}))
        probes = [self.remote["probe"].options(
            scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False)).remote(local)
            for n in nodes]
        workers = ray.get(probes, timeout=120)
        mine = "%d.%d" % sys.version_info[:2]
        for w in workers:
            where = "worker %s (node %s)" % (w["host"], w["nodeId"][:12])
            if not w["python"].startswith(mine + "."):
                return {"ok": False, "error": {
                    "code": "DAGTEST_RAY_PYTHON_VERSION",
                    "message": "%s runs Python %s, dagtest's driver Python %s" % (where, w["python"], mine),
                    "hint": "start the cluster with the scripts' Python %s (or point run.ray.python at a matching one)" % mine}}
            if w["missing"]:
                return {"ok": False, "error": {
                    "code": "DAGTEST_RAY_MISSING_PACKAGE",
                    "message": "%s cannot import %s (%s)" % (where, ", ".join(w["missing"]), w["executable"]),
                    "hint": "install them in the cluster's Python environment (the scripts import them); nothing ran"}}
        return {"ok": True, "workers": [{"nodeId": w["nodeId"], "host": w["host"], "python": w["python"]} for w in workers]}

    # -- run -----------------------------------------------------------------------------
    def run(self, request):
        import ray

        job = request["job"]
        placement = request.get("placement") or {}
        options = task_options(placement, job["limits"].get("memoryMb"))
        problem = unplaceable(options, self.totals)
        if problem:
            return {"ok": False, "cancelled": False, "error": problem}
        shared = bool(self.shared_dir) and all(
            under(p, self.shared_dir) for p in (job["nodeDir"], job["sourceDir"]))
        spec = {"job": job, "jobFile": request["jobFile"], "env": request["env"], "shared": shared,
                "timeoutMs": request["timeoutMs"], "maxLogBytes": request["maxLogBytes"], "roots": []}
        blobs = []
        if not shared:
            for name, folder in roots_of(job):
                spec["roots"].append((name, folder))
                blobs.append(self.code_blob(folder) if name == "code" else ray.put(
                    shipping.pack(folder, shipping.SKIP_TOP if name == "node" else ())))
        ref = self.remote["run"].options(**options).remote(spec, *blobs)
        rid = request["id"]
        self.refs[rid] = ref
        try:
            result = ray.get(ref)
        except Exception as exc:  # noqa: BLE001  (Ray's task errors: each one becomes a coded error)
            cancelled = rid in self.cancelled
            return {"ok": False, "cancelled": cancelled, "error": task_error(exc, cancelled)}
        finally:
            self.refs.pop(rid, None)
        return self.bring_back(job, result, shared)

    def code_blob(self, folder):
        """The script's folder, packed and put once while its content is unchanged (code travels)."""
        key = (folder, shipping.signature(folder))
        if key not in self.code_blobs:
            import ray

            self.code_blobs[key] = ray.put(shipping.pack(folder, skip_any=shipping.NOT_CODE))
        return self.code_blobs[key]

    def bring_back(self, job, result, shared):
        if not shared and result.get("folder") is not None:
            shipping.unpack(result["folder"], job["nodeDir"], replace=True)
        logs = os.path.join(job["nodeDir"], "logs")
        os.makedirs(logs, exist_ok=True)
        files = {}
        for stream in ("stdout", "stderr"):
            files[stream] = os.path.join(logs, ".ray-%s" % stream)
            with open(files[stream], "wb") as handle:
                handle.write(result[stream])
        return {"ok": True, "exitCode": result["exitCode"], "signal": result["signal"],
                "timedOut": result["timedOut"], "dropped": result["dropped"], "nodeId": result["nodeId"],
                "host": result["host"], "stdoutFile": files["stdout"], "stderrFile": files["stderr"]}

    def cancel(self, rid, force=False):
        import ray

        ref = self.refs.get(rid)
        if ref is None:
            return
        self.cancelled.add(rid)
        try:
            ray.cancel(ref, force=force)
        except Exception:  # noqa: BLE001  (already finished)
            return
        if not force:
            timer = threading.Timer(CANCEL_GRACE_S, self.cancel, args=(rid, True))
            timer.daemon = True
            timer.start()

    def shutdown(self):
        for rid in list(self.refs):
            self.cancel(rid, force=True)
        try:
            import ray

            if ray.is_initialized():
                ray.shutdown()
        except Exception:  # noqa: BLE001
            pass


def task_options(placement, memory_mb):
    options = {"num_cpus": placement.get("numCpus", 1), "num_gpus": placement.get("numGpus", 0)}
    if placement.get("resources"):
        options["resources"] = dict(placement["resources"])
    if memory_mb:
        options["memory"] = int(memory_mb) * 1024 * 1024
    return options


def roots_of(job):
    """The folders a job names: its run folder, its script's folder, and inputs outside both."""
    roots = [("node", job["nodeDir"]), ("code", job["sourceDir"])]
    # Inputs are private copies inside the run folder (already in "node"); the code dir is "code".
    for i, folder in enumerate(sorted(set(job["inputPaths"].values()))):
        if not any(under(folder, r) for _, r in roots):
            roots.append(("input%d" % i, folder))
    return roots


def under(path, root):
    path, root = os.path.abspath(path), os.path.abspath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def importable_with(python, modules):
    """Which of `modules` the scripts' own Python (on this machine) can import: those the workers need too."""
    import subprocess

    code = "import importlib.util, json, sys\nok = []\nfor m in json.loads(sys.argv[1]):\n    try:\n        if importlib.util.find_spec(m) is not None: ok.append(m)\n    except (ImportError, ValueError): pass\nprint(json.dumps(ok))"
    try:
        out = subprocess.run([python, "-c", code, json.dumps(modules)], capture_output=True, text=True, timeout=60)
        return json.loads(out.stdout)
    except (OSError, ValueError, subprocess.SubprocessError):
        return modules


def unreachable(address):
    """A quick TCP check, so a wrong address fails in seconds rather than after Ray's retries."""
    if not address or address == "auto":
        return None
    hostport = address.split("://", 1)[-1].rsplit("/", 1)[0]
    host, _, port = hostport.rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=5).close()
        return None
    except (OSError, ValueError) as exc:
        return {"code": "DAGTEST_RAY_UNREACHABLE",
                "message": "cannot reach the Ray cluster at %s: %s" % (address, exc),
                "hint": "start it (`ray start --head`) or pass its address: --ray-address HOST:PORT, RAY_ADDRESS, or run.ray.address"}


def main():
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # Ray and user code print to stdout; the protocol keeps the original
    driver = Driver(out)
    threads = []
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            if request["op"] == "cancel":
                driver.cancel(request["id"])
                continue
            thread = threading.Thread(target=serve, args=(driver, request), daemon=True)
            thread.start()
            threads.append(thread)
    finally:
        driver.shutdown()
    return 0


def serve(driver, request):
    handler = driver.connect if request["op"] == "connect" else driver.run
    try:
        reply = handler(request)
    except Exception as exc:  # noqa: BLE001  (a bug of ours: reported on the node, with the stack)
        reply = {"ok": False, "cancelled": False, "error": {
            "code": "DAGTEST_RAY_DRIVER_ERROR", "message": "%s: %s" % (type(exc).__name__, exc),
            "hint": "this is a dagtest bug, please report it with this stack:\n" + traceback.format_exc()}}
    reply["id"] = request["id"]
    driver.send(reply)
