"""Ray's failures as dagtest's coded errors, each with a hint (the TypeScript side prints them)."""


def error(code, message, hint):
    return {"code": code, "message": message, "hint": hint}


def connect_error(address, exc):
    text = "%s: %s" % (type(exc).__name__, exc)
    if "version mismatch" in text.lower() or "python" in text.lower() and "version" in text.lower():
        return error("DAGTEST_RAY_PYTHON_VERSION",
                     "the Ray cluster at %s runs another Python or Ray version than dagtest's driver: %s"
                     % (address or "auto", first_line(text)),
                     "run dagtest's driver with the cluster's Python and Ray (run.ray.python), or start the cluster with the scripts' Python")
    return error("DAGTEST_RAY_UNREACHABLE",
                 "cannot join the Ray cluster at %s: %s" % (address or "auto", first_line(text)),
                 "check the address (--ray-address, RAY_ADDRESS, run.ray.address) and that the cluster is up (`ray status`)")


def task_error(exc, cancelled_by_us):
    import ray.exceptions as rex

    name = type(exc).__name__
    text = first_line(str(exc))
    if isinstance(exc, rex.TaskCancelledError):
        if cancelled_by_us:
            return error("DAGTEST_RAY_CANCELLED", "the Ray task was cancelled by dagtest", "")
        return error("DAGTEST_RAY_TASK_CANCELLED", "the node's Ray task was cancelled outside dagtest (%s)" % text,
                     "someone ran `ray job stop`/`ray.cancel` on it, or the cluster is shutting down; run it again")
    if isinstance(exc, (rex.WorkerCrashedError, rex.NodeDiedError, rex.ObjectLostError, rex.LocalRayletDiedError)) \
            or "OutOfMemoryError" in name or "died" in text.lower():
        return error("DAGTEST_RAY_WORKER_DIED",
                     "the Ray worker running the node died before it could report (%s: %s)" % (name, text),
                     "a worker process or node went away (killed, out of memory, preempted); see `ray status` and the worker's logs, then run it again")
    if isinstance(exc, rex.RuntimeEnvSetupError):
        return error("DAGTEST_RAY_RUNTIME_ENV", "the worker could not set up the node's runtime_env: %s" % text,
                     "check that the workers can reach the cluster's object store and have room in /tmp")
    return error("DAGTEST_RAY_TASK_FAILED", "the node's Ray task failed: %s: %s" % (name, text),
                 "see the worker's logs (`ray logs`); if the cluster looks healthy, this may be a dagtest bug")


def unplaceable(options, totals):
    """A request no alive node could ever satisfy stays pending forever in Ray: refuse it now."""
    wanted = {"CPU": options.get("num_cpus", 0), "GPU": options.get("num_gpus", 0),
              "memory": options.get("memory", 0)}
    wanted.update(options.get("resources") or {})
    wanted = {k: v for k, v in wanted.items() if v}
    if not totals or any(all(node.get(k, 0) >= v for k, v in wanted.items()) for node in totals):
        return None
    shown = ", ".join("%s=%s" % (k, v) for k, v in sorted(wanted.items()))
    return error("DAGTEST_RAY_UNPLACEABLE",
                 "no node of the Ray cluster has the resources this node asks for (%s)" % shown,
                 "lower num_cpus/num_gpus/memory_mb/resources in dagtest.yaml for this node, or add a node that has them")


def first_line(text):
    line = (text or "").strip().split("\n")[0]
    return line[:300]
