"""Keep the offline guards in ``multiprocessing`` children started with the spawn method.

A forked child inherits the guards with the parent's memory. A spawned child is a fresh
interpreter that re-imports the script by module name to unpickle the functions it is given,
so without help it would run the script's import-time ``pip install`` for real and fail on
``import boto3`` (a Pool whose workers die while starting is re-spawned forever: the run hangs).

How: in the runner, ``patch_spawn`` wraps ``multiprocessing.spawn.get_preparation_data``, the
data a spawned child applies before it unpickles anything. The child is told to run this file
as its ``__main__`` (instead of the runner's ``__main__.py``), and the guard settings travel as
one extra, marked ``sys.argv`` entry, which this file removes again: ``sys.argv`` is the only
field that reaches the child's ``__main__`` before its work starts, and the environment would
leak to every process the script starts. Not covered: the forkserver start method, whose
server process is started without this data.
"""

import functools
import json
import multiprocessing.spawn
import os
import sys

_MARKER = "--dagtest-spawn-guards="


def patch_spawn(config):
    """Make spawned children run this file first; ``config`` as read by ``_bootstrap_child``.

    config: ``{"blockPipInstall": bool, "stubModules": [str], "modules": {name: file}}``,
    where ``modules`` maps the script's module name to its file.
    """
    spawn = multiprocessing.spawn
    original = spawn.get_preparation_data
    here = os.path.abspath(__file__)
    payload = _MARKER + json.dumps(config)

    @functools.wraps(original)
    def get_preparation_data(name):
        data = original(name)
        data.pop("init_main_from_name", None)
        data["init_main_from_path"] = here
        # runpy swaps argv[0] while it runs this file, so the payload must not be argv[0].
        data["sys_argv"] = (list(data.get("sys_argv") or []) or [""]) + [payload]
        return data

    spawn.get_preparation_data = get_preparation_data


class _ScriptFinder:
    """Finds the script under the module name the runner gave it, wherever its file is.

    Needed when the name is an alias (``dagtest_script_json``) or the script lies outside
    ``sourceDir``; otherwise ``sys.path`` would find the same file.
    """

    def __init__(self, modules):
        self.modules = modules

    def find_spec(self, fullname, path=None, target=None):
        file = self.modules.get(fullname)
        if file is None:
            return None
        import importlib.machinery
        import importlib.util

        loader = importlib.machinery.SourceFileLoader(fullname, file)
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


def _bootstrap_child():
    if not sys.argv or not sys.argv[-1].startswith(_MARKER):
        return
    config = json.loads(sys.argv.pop()[len(_MARKER):])
    # The runner hid python/ from sys.path (the script must not see it); borrow it briefly.
    parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, parent)
    try:
        from dagtest_runner import guards, stubs
    finally:
        sys.path.remove(parent)
    # The child cannot report events; its notices still reach the node's stderr log.
    events = guards.GuardEvents()
    if config["blockPipInstall"]:
        guards.install_pip_guard(events.record)
    if config["stubModules"]:
        stubs.install_stubs(config["stubModules"], events.record)
    sys.meta_path.insert(0, _ScriptFinder(config["modules"]))
    patch_spawn(config)  # grandchildren spawned by this child


if __name__ == "__mp_main__":
    _bootstrap_child()
