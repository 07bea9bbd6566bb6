"""``run`` mode: import one pipeline script, call its ``main``, report how it went.

Invocation (``<job.json>`` holds a ``StepJob``, see ``src/model/protocol.ts``)::

    <python> <root>/python/dagtest_runner/__main__.py run <job.json>

The engine starts this process with cwd = workDir, a clean environment (base + job.environ +
TMPDIR) and stdout/stderr going to the node's log files. Those streams belong to the script:
the runner only adds short ``[dagtest] `` notices on stderr, and writes the ``StepOutcome`` to
job.resultFile and nowhere else, as a temp file renamed into place so the engine never reads
half a file.

Exit code: 0 passed, 1 failed (outcome written), 2 unusable job (one stderr line, no result
file). A process that dies without writing a result (os._exit, a signal, a native crash) is
the engine's to report.

The script runs in this very process, as it would under ``python script.py``, so that what
can go wrong in the cloud (SystemExit, import-time side effects, multiprocessing pickling by
module name, memory) goes wrong here the same way; everything the script could break is
caught as BaseException and turned into data.
"""

import argparse
import importlib.machinery
import importlib.util
import mmap
import os
import re
import sys
import tempfile
import threading
import time

try:
    import resource
except ImportError:  # not POSIX: no memory limit
    resource = None

from dagtest_runner import container_paths, trace
from dagtest_runner.guards import GuardEvents, install_pip_guard, notice
from dagtest_runner.outcome import build_outcome, describe_error, exit_status, write_outcome
from dagtest_runner.protocol import BadRequest, fail, parse_request, string_list
from dagtest_runner.seeding import seed_all
from dagtest_runner.spawn_child import patch_spawn
from dagtest_runner.strays import become_subreaper, describe, end_descendants
from dagtest_runner.stubs import install_stubs

WHO = "dagtest_runner run"

# Given back before a failure is described: after a MemoryError under RLIMIT_AS, formatting the
# traceback and writing the outcome still need a little memory. An anonymous mapping: address
# space that RLIMIT_AS counts, but no page touched (a zeroed bytearray faulted in 512 pages, 1 ms).
_reserve = []
_RESERVE_BYTES = 2 * 1024 * 1024


def _release_reserve():
    while _reserve:
        _reserve.pop().close()


def main(argv):
    """Run the job named by ``argv[0]``; return the exit code (or leave via os._exit)."""
    if len(argv) != 1:
        return fail(WHO, "expected one argument, the job file; got %d" % len(argv))
    return run_file(argv[0])


def run_file(job_file):
    """Load, run and report the job in ``job_file``; return the exit code.

    The one code path of a job: ``run`` mode calls it in a fresh interpreter, and every child of
    the fork server (``serve`` mode) calls it right after the fork, so both behave the same.
    """
    try:
        job = load_job(job_file)
    except BadRequest as exc:
        return fail(WHO, "bad job %s: %s" % (job_file, exc))
    trace.mark(job["node"], "run:job-loaded")
    outcome = run_job(job)
    trace.mark(job["node"], "run:main-returned")
    _end_strays(outcome)
    trace.mark(job["node"], "run:strays-ended")
    written = write_outcome(job["resultFile"], outcome)
    trace.mark(job["node"], "run:outcome-written")
    return _finish(0 if written and outcome["status"] == "passed" else 1)


def _end_strays(outcome):
    """The node ends when main returns: what the script left running is killed and recorded."""
    killed = end_descendants()
    if not killed:
        return
    notice("killed at the node's end: %s" % describe(killed))
    events = outcome["guardEvents"]
    for pid, command in killed[: GuardEvents.LIMIT - len(events)]:
        events.append({"guard": "stray-process", "detail": "pid %d: %s" % (pid, command[:200])})


def load_job(path):
    """Read and validate a StepJob; raise BadRequest. Paths come back absolute."""
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except OSError as exc:
        raise BadRequest("cannot read it: %s" % (exc.strerror or exc)) from None
    job = parse_request(raw)
    for field in ("node", "script", "sourceDir", "workDir", "resultFile"):
        if not isinstance(job.get(field), str) or not job[field]:
            raise BadRequest("field %r must be a non-empty string" % field)
    for field in ("script", "sourceDir", "workDir", "resultFile"):
        job[field] = os.path.abspath(job[field])  # the script may chdir; absolute paths stay valid
    job.setdefault("containerPaths", {})
    for field in ("inputPaths", "outputPaths", "environ", "containerPaths"):
        for key, value in _object(job, field).items():
            if not isinstance(value, str):
                raise BadRequest("%s[%r] must be a string" % (field, key))
    for key, value in job["environ"].items():
        if not key or "=" in key or "\0" in key + value:
            raise BadRequest("environ[%r] cannot be exported to the environment" % key)
    for key, value in _object(job, "jobArgs").items():
        if value is not None and not isinstance(value, (str, bool)):
            raise BadRequest("jobArgs[%r] must be a string, a boolean or null" % key)
    guards = _object(job, "guards")
    if not isinstance(guards.get("blockPipInstall"), bool):
        raise BadRequest("guards.blockPipInstall must be a boolean")
    for name in string_list(guards, "stubModules"):
        if not all(part.isidentifier() for part in name.split(".")):
            raise BadRequest("guards.stubModules entry %r is not a module name" % name)
    limits = _object(job, "limits")
    memory = limits.get("memoryMb")
    bad_number = type(memory) not in (int, float) or not 0 < memory < float("inf")  # bool, NaN too
    if "memoryMb" not in limits or (memory is not None and bad_number):
        raise BadRequest("limits.memoryMb must be a positive number or null")
    if not os.path.isdir(os.path.dirname(job["resultFile"])):
        raise BadRequest("the folder of resultFile does not exist: %s" % job["resultFile"])
    return job


def _object(job, field):
    value = job.get(field)
    if not isinstance(value, dict):
        raise BadRequest("field %r must be an object" % field)
    return value


def run_job(job):
    """Set up, import the script, call main; return the StepOutcome as a dict."""
    events = GuardEvents()
    _reserve.append(mmap.mmap(-1, _RESERVE_BYTES))
    try:
        name = setup(job, events)
    except BaseException as exc:
        return build_outcome(job["node"], events, 0.0, _describe(exc, "setup", job))
    error = None
    phase = "import"
    trace.mark(job["node"], "run:set-up")
    started = time.perf_counter()
    try:
        module = import_script(job["script"], name)
        phase = "main"
        seed_all(os.environ.get("DAGTEST_SEED"))  # after the script's imports, before main
        call_main(module, job)
    except BaseException as exc:  # SystemExit, KeyboardInterrupt, MemoryError are outcomes too
        ended = time.perf_counter()
        if not (phase == "main" and isinstance(exc, SystemExit) and exit_status(exc.code)[0] == 0):
            error = _describe(exc, phase, job)
    else:
        ended = time.perf_counter()
    # The traceback (and with it the script's frames and their memory) is gone by now.
    return build_outcome(job["node"], events, (ended - started) * 1000.0, error)


def setup(job, events):
    """Everything the script must find in place before it is imported; returns its module name."""
    become_subreaper()
    if job["limits"]["memoryMb"] is not None:
        _limit_address_space(job["limits"]["memoryMb"])
    os.environ.update(job["environ"])  # scripts read os.environ at import time
    _write_no_bytecode()
    os.chdir(job["workDir"])
    container_paths.install(job, events.record)
    tempfile.tempdir = None  # recomputed from TMPDIR on next use, in case it was cached already
    guards = job["guards"]
    name = module_name(job["script"], guards["stubModules"])
    patch_spawn({
        "blockPipInstall": guards["blockPipInstall"],
        "stubModules": guards["stubModules"],
        "modules": {name: job["script"]},
    })
    if guards["blockPipInstall"]:
        install_pip_guard(events.record)
    if guards["stubModules"]:
        install_stubs(guards["stubModules"], events.record)
    _isolate_sys_path(job["sourceDir"])
    # As under `python script.py` with no arguments, not the runner's `run <job.json>`, which a
    # script parsing sys.argv would reject with a confusing message.
    sys.argv = [job["script"]]
    return name


def _write_no_bytecode():
    """Keep ``__pycache__`` out of the user's folders, here and in every process the script starts.

    Importing a sibling module would otherwise write ``__pycache__/*.pyc`` next to the user's
    scripts. Not a ``PYTHONPYCACHEPREFIX``: with a prefix, Python also ignores the bytecode pip
    compiled for installed packages and recompiles them there (pandas + scikit-learn: 2.5 s and
    38 MB more per project on first use). Existing bytecode is still read; only writing stops.
    The flag covers this process (cold or forked, whose interpreter flags are the server's);
    the variable covers its children (subprocess, multiprocessing spawn).
    """
    sys.dont_write_bytecode = True
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"


def _limit_address_space(memory_mb):
    if resource is None:
        raise RuntimeError("limits.memoryMb needs the POSIX resource module, missing on this platform")
    limit = int(memory_mb * 1024 * 1024)
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)  # an unprivileged process cannot raise its hard limit
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def module_name(script, stub_names):
    """The script's file stem, unless that name is taken, then ``dagtest_script_<stem>``.

    A taken name (a script called json.py) would replace a module something already uses.
    """
    stem = os.path.splitext(os.path.basename(script))[0]
    stubbed_tops = {name.partition(".")[0] for name in stub_names}
    if stem and "." not in stem and stem not in sys.modules and stem not in stubbed_tops:
        return stem
    alias = "dagtest_script_" + re.sub(r"\W", "_", stem)
    notice("module name %r is already taken; importing the script as %r" % (stem, alias))
    return alias


def _isolate_sys_path(source_dir):
    """sourceDir first; hide this folder and its parent (python/), which hold runner modules and
    tests that could shadow a script's imports. dagtest_runner stays importable: it is loaded.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    hidden = {_real_path(here), _real_path(os.path.dirname(here))}
    sys.path[:] = [entry for entry in sys.path if _real_path(entry) not in hidden]
    sys.path.insert(0, source_dir)


# Absolute path -> its real path, once per process; the fork server fills it before it forks
# (remember_real_paths), so that no child resolves the interpreter's sys.path again (a few dozen
# lstat calls, through the container-path mapping).
_real_paths = {}


def _real_path(entry):
    if not os.path.isabs(entry):  # "" and relative entries follow the working directory
        return os.path.realpath(entry or os.curdir)
    real = _real_paths.get(entry)
    if real is None:
        real = _real_paths[entry] = os.path.realpath(entry)
    return real


def remember_real_paths():
    """Resolve sys.path and the runner's folders now (the fork server, before it forks)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for entry in [here, os.path.dirname(here)] + sys.path:
        _real_path(entry)


def import_script(path, name):
    """Import the file at ``path`` as module ``name``, registered in sys.modules before it runs.

    Registered first because multiprocessing pickles the script's functions by module name:
    a forked worker looks the name up in sys.modules, a spawned one imports it.
    """
    loader = _SourceOnlyLoader(name, path)  # any file name, not just *.py
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


class _SourceOnlyLoader(importlib.machinery.SourceFileLoader):
    """Compiles the script from its source every time, as ``python script.py`` does.

    The cached bytecode is checked by mtime (whole seconds) and size only, so an edit that keeps
    the size within the same second would otherwise run the old code.
    """

    def get_code(self, fullname):
        return self.source_to_code(self.get_data(self.path), self.path)


def call_main(module, job):
    entry = getattr(module, "main", None)
    if not callable(entry):
        raise AttributeError(
            "the script defines no main(input_paths, output_paths, environ_vars, job_args) function"
        )
    entry(
        dict(job["inputPaths"]),
        dict(job["outputPaths"]),
        environ_vars(job["environ"], job.get("environConversions") or {}),
        argparse.Namespace(**job["jobArgs"]),
    )


def environ_vars(environ, conversions):
    """The env as ``main`` gets it from the script's own ``__main__``: strings, except the keys
    that ``__main__`` converts (``os.environ.get("K", "false").lower() == "true"`` is a bool)."""
    values = dict(environ)
    for key, rule in conversions.items():
        raw = environ.get(rule.get("env"), rule.get("default"))
        if not isinstance(raw, str):
            continue
        kind = rule.get("type")
        try:
            if kind == "bool":
                values[key] = raw.lower() == rule.get("equals")
            elif kind == "int":
                values[key] = int(raw)
            elif kind == "float":
                values[key] = float(raw)
        except ValueError:
            pass  # __main__ would have failed here; main gets the string and says what it thinks
    return values


def _describe(exc, phase, job):
    _release_reserve()
    try:
        return describe_error(exc, phase, job["sourceDir"], job["script"])
    except MemoryError:
        return {"type": type(exc).__name__, "message": "(not described: out of memory)", "frames": [],
                "traceback": "", "exitCode": None, "phase": phase}


def _finish(code):
    """Flush the script's streams; leave at once if a thread of the script would block exit.

    Normally the code is returned and the interpreter exits as usual, so the script's atexit
    handlers run as in a real process. A non-daemon thread still running would make that exit
    wait forever; the outcome is already written, so the runner exits without waiting.
    """
    _flush_streams()
    lingering = [
        thread for thread in threading.enumerate()
        if thread is not threading.main_thread() and not thread.daemon and thread.is_alive()
    ]
    if lingering:
        notice("%d threads still running; exiting anyway" % len(lingering))
        _flush_streams()
        os._exit(code)
    return code


def _flush_streams():
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:  # closed or replaced by the script
            pass
