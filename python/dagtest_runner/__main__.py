"""Entry point of dagtest's Python runner; the mode is the first argument.

How it is invoked (the TypeScript side, ``src/python/describe.ts``, does exactly this)::

    <python> <package root>/python/dagtest_runner/__main__.py describe   < request.json

The file is run by its path rather than with ``python -m dagtest_runner`` because ``-m`` would
need ``PYTHONPATH=<package root>/python``: in ``run`` mode that variable would be inherited by
the user's script and every process it starts, and ``-m`` also puts the cwd first on
``sys.path``. Run by path, Python puts this folder on ``sys.path[0]``; the bootstrap below swaps
it for its parent, so our modules load as ``dagtest_runner.*`` and never as top-level
``protocol`` or ``describe``, names that a user script's sibling module could also have. Nothing
depends on the cwd. (``PYTHONPATH=<root>/python python -m dagtest_runner describe`` also works,
which is handy when debugging.)

Modes are looked up in ``MODES`` (mode name -> module); each mode module exposes
``main(argv) -> int`` taking the arguments after the mode name (in ``serve`` mode, a forked
child returns its job's exit code through the same path). Adding a mode is one line here plus
the module. Mode modules are imported lazily so a mode only pays for its
own imports.
"""

import os
import sys

if not __package__:
    # Run by path: replace this folder on sys.path by its parent (see the module docstring).
    _here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == _here:
        sys.path[0] = os.path.dirname(_here)
    else:
        sys.path.insert(0, os.path.dirname(_here))

import importlib  # noqa: E402  (must follow the sys.path fix above)

from dagtest_runner.protocol import fail  # noqa: E402

MODES = {
    "describe": "dagtest_runner.describe",
    "inspect": "dagtest_runner.inspect_outputs",
    "run": "dagtest_runner.run",
    "serve": "dagtest_runner.serve",
}


def main(argv):
    """Dispatch to the mode named by ``argv[1]``; return the process exit code."""
    if len(argv) < 2 or argv[1] not in MODES:
        given = repr(argv[1]) if len(argv) >= 2 else "nothing"
        return fail(
            "dagtest_runner",
            "expected a mode (%s) as the first argument, got %s" % (", ".join(sorted(MODES)), given),
        )
    module = importlib.import_module(MODES[argv[1]])
    return module.main(argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
