"""What the fork server imports before it forks, and what it refuses to.

Only installed packages (and the standard library) are preloaded: a module whose file lives
anywhere else is the user's (a sibling of a script, an editable install, a PYTHONPATH entry) and
must be imported fresh by each job, or an edit would go unseen. Modules listed by the user under
``preload:`` are trusted on that point; they are still refused when known to be fork-unsafe.

Fork safety: a module that starts a thread at import leaves the server multi-threaded, and a fork
of a multi-threaded process can deadlock in the child (a lock held by another thread at fork time
is never released there; bpo-31913). ``threading.active_count()`` is checked after every import,
and a server that ends up with more than one thread refuses to serve. Native thread pools that
handle fork themselves (OpenBLAS, OpenMP) do not show up there and are fine.
"""

import importlib
import importlib.util
import os
import site
import sys
import sysconfig
import threading
import time

# Known to misbehave in a forked child even when imported on a single thread: their import
# starts native threads or runtimes that do not survive fork (TensorFlow's thread pools, CUDA
# contexts, gRPC's event engine, JVMs, GUI toolkits). A job that uses them imports them itself.
FORK_UNSAFE = {
    "tensorflow": "starts thread pools at import; not fork-safe",
    "keras": "imports TensorFlow/JAX; not fork-safe",
    "jax": "starts XLA runtime threads; not fork-safe",
    "jaxlib": "starts XLA runtime threads; not fork-safe",
    "torch": "CUDA and OpenMP state do not survive fork reliably",
    "cupy": "CUDA contexts do not survive fork",
    "pycuda": "CUDA contexts do not survive fork",
    "grpc": "gRPC's event engine is not fork-safe",
    "ray": "starts a runtime with threads and sockets",
    "pyspark": "talks to a JVM through a socket",
    "py4j": "talks to a JVM through a socket",
    "tkinter": "GUI toolkits are not fork-safe",
    "matplotlib.pyplot": "may pick an interactive GUI backend",
}


def preload(names, explicit):
    """Import ``names`` (only installed ones) and ``explicit`` (any); never raises.

    Returns ``(loaded, skipped, refusal)``: the modules now imported, ``{"module", "reason"}``
    for each one left out, and a reason string when the server must not fork (else None).
    """
    loaded, skipped = [], []
    roots = _installed_roots()
    wanted = [(name, False) for name in names] + [(name, True) for name in explicit]
    seen = set()
    for name, trusted in wanted:
        if name in seen:
            continue
        seen.add(name)
        reason = _refusal(name, trusted, roots)
        if reason is None:
            reason = _import(name)
        if reason is not None:
            skipped.append({"module": name, "reason": reason})
            continue
        loaded.append(name)
        if threading.active_count() > 1:
            names = ", ".join(sorted(t.name for t in threading.enumerate() if t is not threading.main_thread()))
            return loaded, skipped, "importing %s started a thread (%s); forking now could deadlock" % (name, names)
    return loaded, skipped, None


def _refusal(name, trusted, roots):
    """Why ``name`` is not preloaded, or None if it may be."""
    if not name or not all(part.isidentifier() for part in name.split(".")):
        return "not a module name"
    for unsafe, why in FORK_UNSAFE.items():
        if name == unsafe or name.startswith(unsafe + "."):
            return "fork-unsafe: %s" % why
    if name in sys.modules:
        return None
    # The top-level package first: finding it imports nothing, and a package that is not
    # installed (project code) must not be imported even as the parent of a submodule.
    top = name.partition(".")[0]
    for part in (top, name) if top != name else (top,):
        before = set(sys.modules)
        try:
            spec = importlib.util.find_spec(part)  # a dotted name imports its (installed) parent
        except ModuleNotFoundError:
            spec = None
        except Exception as exc:
            _forget(before)
            return "not importable: %s: %s" % (type(exc).__name__, exc)
        if spec is None:
            _forget(before)
            return "not installed"
        if not trusted and not _is_installed(spec, roots):
            return "not an installed package (project code is imported fresh by each job)"
    return None


def _forget(before):
    """Drop modules a failed import left half-done: the jobs' own imports would find them."""
    for added in set(sys.modules) - before:
        sys.modules.pop(added, None)


def _import(name):
    before = set(sys.modules)
    started = time.perf_counter()
    try:
        importlib.import_module(name)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt at import are failures too
        _forget(before)
        return "import failed: %s: %s" % (type(exc).__name__, str(exc).split("\n")[0][:200])
    elapsed = time.perf_counter() - started
    if elapsed > 5:
        sys.stderr.write("[dagtest serve] importing %s took %.1f s\n" % (name, elapsed))
    return None


def _installed_roots():
    """Folders of the standard library and of installed packages, resolved."""
    paths = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            paths.add(sysconfig.get_path(key))
        except KeyError:
            pass
    try:
        paths.update(site.getsitepackages())
    except AttributeError:  # old virtualenv's site module
        pass
    user = getattr(site, "getusersitepackages", lambda: None)()
    if user:
        paths.add(user)
    return tuple(os.path.join(os.path.realpath(p), "") for p in paths if p)


def _is_installed(spec, roots):
    if spec.origin in ("built-in", "frozen"):
        return True
    locations = list(spec.submodule_search_locations or [])
    if spec.origin and spec.has_location:
        locations.append(spec.origin)
    if not locations:
        return False
    return all(os.path.realpath(p).startswith(roots) for p in locations)

