"""``describe`` mode: static facts about scripts and the interpreter, as one JSON document.

Request on stdin::

    {"protocolVersion": 1, "scripts": ["/abs/a.py", ...], "packages": ["pandas", ...]}

Result on stdout (``DescribeResult`` in ``src/model/script-facts.ts``)::

    {"protocolVersion": 1, "python": {...}, "scripts": {path: ScriptFacts}, "packages": {name: version|null},
     "modules": {top_level_import: importable}, "listedFolders": [folder, ...]}

``listedFolders`` are the folders whose listings decided which imports are local (and so each
script's ``localClosure``): the TypeScript side remembers a result only while they stay the same.

No user code runs in this mode, so stdout is ours. Broken scripts are data and the exit code is
still 0; only a malformed request exits 2 (one line on stderr). Everything a request needs is
answered by one process, because interpreter start-up costs far more than describing a script.
"""

import sys

from dagtest_runner.local_imports import DirListings, LocalModules
from dagtest_runner.protocol import PROTOCOL_VERSION, BadRequest, fail, parse_request, string_list, write_result
from dagtest_runner.script_facts import describe_script

_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy", "ironpython": "IronPython", "jython": "Jython"}


def main(argv):
    """Run describe mode: read the request from stdin, write the result to stdout."""
    if argv:
        return fail("dagtest_runner describe", "takes no arguments (the request is read from stdin)")
    try:
        request = parse_request(sys.stdin.buffer.read())
        scripts = string_list(request, "scripts")
        packages = string_list(request, "packages")
    except BadRequest as exc:
        return fail("dagtest_runner describe", "bad request: %s" % exc)
    write_result(describe(scripts, packages))
    return 0


def describe(scripts, packages):
    """Build the result for already-validated lists (importable for tests and other modes)."""
    listings = DirListings()
    modules = LocalModules(listings)
    described = {}
    for path in scripts:
        if path not in described:
            described[path] = describe_script(path, listings, modules)
    return {
        "protocolVersion": PROTOCOL_VERSION,
        "python": interpreter_facts(),
        "scripts": described,
        "packages": package_versions(packages),
        "modules": module_availability(described.values()),
        "listedFolders": listings.folders(),
    }


def module_availability(facts):
    """Top-level module name -> importable by this interpreter, for every non-local import.

    ``importlib.util.find_spec`` on a top-level name only searches the finders: nothing is
    imported, so this stays cheap and safe. The planner uses it to name a missing module (and
    suggest ``stub_modules``) before anything runs.
    """
    import importlib.util

    names = set()
    for fact in facts:
        for item in fact.get("imports", []) if fact.get("ok") else []:
            module = item["module"]
            if item["localPath"] is None and not module.startswith("."):
                names.add(module.split(".")[0])
    out = {}
    for name in sorted(names):
        try:
            out[name] = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            out[name] = False
    return out


def interpreter_facts():
    """Which interpreter answered.

    ``sys.executable`` is the binary actually running, not a pyenv/asdf shim (a shim execs
    the real binary, which sees its own path). It is deliberately not passed through
    ``os.path.realpath``: inside a virtualenv that would resolve the ``bin/python`` symlink to
    the base interpreter, which does not see the venv's packages.
    """
    name = sys.implementation.name
    return {
        "executable": sys.executable,
        # sys.version's first word is what platform.python_version() returns (keeps "rc1"
        # suffixes), without importing platform.
        "version": sys.version.split()[0],
        "implementation": _IMPLEMENTATIONS.get(name, name),
    }


def package_versions(names):
    """Installed distribution version per requested name, or None; never imports the package.

    Reading ``*.dist-info`` metadata costs milliseconds where importing pandas or sklearn costs
    most of a second. importlib.metadata is only imported when a package is asked about.
    """
    if not names:
        return {}
    import importlib.metadata as metadata

    return {name: _version(metadata, name) for name in names}


def _version(metadata, name):
    for candidate in _name_variants(name):
        try:
            version = metadata.version(candidate)
        except metadata.PackageNotFoundError:
            continue
        except ValueError:  # an empty or otherwise invalid name on newer Pythons
            return None
        return version if isinstance(version, str) else None
    return None


def _name_variants(name):
    """Spellings to try for ``name``.

    Python 3.10+ matches distributions by their normalised name (``Scikit-Learn``,
    ``scikit_learn`` and ``scikit.learn`` all find ``scikit_learn-*.dist-info``). 3.9 folds
    case and ``-``/``_`` but not ``.``, so there a miss is retried with the other separators.
    """
    if sys.version_info >= (3, 10):
        return (name,)
    import re

    variants = [name]
    for separator in ("-", "_", "."):
        variant = re.sub(r"[-_.]+", separator, name)
        if variant not in variants:
            variants.append(variant)
    return variants
