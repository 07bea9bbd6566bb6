"""Container paths resolve locally, the way the container would see them.

Real scripts probe hard-coded container paths before (or instead of) ``input_paths``: a training
script opens ``/opt/ml/code/hyperparams/hyperparameters_NA.json`` first and falls back to its
input; a processing script lists ``/opt/ml/processing/input/data``. Locally, each ``/opt/ml``
path is mapped to the node's own folders by the longest matching prefix the engine gives
(``job["containerPaths"]``: a port's container path → its local folder, ``/opt/ml/code`` → the
script's source dir), for file opens, ``os`` and ``os.path`` calls, ``pathlib``, ``glob`` and
``shutil`` (all of which go through the functions patched here). A path under ``/opt/ml`` that no
prefix maps lands under a private folder of the node: the machine's real ``/opt/ml`` is never
touched. Each mapping is recorded once as a guard event; a write through an unmapped container
path (one that no port maps) is reported.
"""

import builtins
import io
import os
import posixpath

ROOT = "/opt/ml"
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
# One path argument, then whatever the real function takes.
_ONE_PATH = (
    "stat", "lstat", "listdir", "scandir", "mkdir", "rmdir", "remove", "unlink", "access",
    "chmod", "utime", "readlink",
)
_TWO_PATHS = ("rename", "replace", "link", "symlink")


class PathMapper:
    def __init__(self, mapping, private_root, record):
        self._prefixes = sorted(
            ((posixpath.normpath(k), v) for k, v in mapping.items() if k.startswith(ROOT)),
            key=lambda item: -len(item[0]),
        )
        self._private = private_root
        self._record = record

    def map(self, path):
        """The local path for ``path`` (str or PathLike); anything else is returned unchanged."""
        if isinstance(path, os.PathLike):
            path = os.fspath(path)
        if type(path) is not str or not path.startswith(ROOT):
            return path
        norm = posixpath.normpath(path)
        if norm != ROOT and not norm.startswith(ROOT + "/"):
            return path
        for prefix, local in self._prefixes:
            if norm == prefix or norm.startswith(prefix + "/"):
                self._record("container-path", "%s -> %s" % (prefix, local))
                return local + norm[len(prefix):]
        local = self._private + norm
        os.makedirs(posixpath.dirname(local), exist_ok=True)
        self._record("container-path", "%s -> %s (not a port: a private folder of the node)" % (norm, local))
        return local

    def note_write(self, original, mapped):
        """Report a write through a container path that no port maps (it lands in a private folder)."""
        if type(mapped) is str and mapped.startswith(self._private + "/"):
            self._record("write-outside", "%s (no port maps it; written under %s)" % (original, self._private))


def install(job, record):
    """Patch the file-system entry points; ``job`` carries ``containerPaths`` and ``nodeDir``."""
    node_dir = job.get("nodeDir") or os.path.dirname(job["workDir"])
    mapper = PathMapper(job.get("containerPaths") or {}, os.path.join(node_dir, "container"), record)
    _patch_open(mapper)
    for name in _ONE_PATH:
        if hasattr(os, name):
            setattr(os, name, _one(getattr(os, name), mapper, name == "mkdir"))
    for name in _TWO_PATHS:
        if hasattr(os, name):
            setattr(os, name, _two(getattr(os, name), mapper))
    _patch_old_pathlib()
    return mapper


def _patch_open(mapper):
    real_open, real_os_open = builtins.open, os.open

    def open_(file, mode="r", *args, **kwargs):
        mapped = mapper.map(file)
        if mapped is not file and type(mode) is str and any(flag in mode for flag in "wax+"):
            mapper.note_write(file, mapped)
        return real_open(mapped, mode, *args, **kwargs)

    def os_open(path, flags, *args, **kwargs):
        mapped = mapper.map(path)
        if flags & _WRITE_FLAGS:
            mapper.note_write(path, mapped)
        return real_os_open(mapped, flags, *args, **kwargs)

    builtins.open = io.open = open_
    os.open = os_open


def _one(real, mapper, writes):
    def patched(path, *args, **kwargs):
        mapped = mapper.map(path)
        if writes:
            mapper.note_write(path, mapped)
        return real(mapped, *args, **kwargs)

    patched.__name__ = getattr(real, "__name__", "patched")
    return patched


def _two(real, mapper):
    def patched(src, dst, *args, **kwargs):
        return real(mapper.map(src), mapper.map(dst), *args, **kwargs)

    patched.__name__ = getattr(real, "__name__", "patched")
    return patched


def _patch_old_pathlib():
    """Python 3.9/3.10 pathlib bound the os functions into an accessor when it was imported."""
    import pathlib

    accessor = getattr(pathlib, "_normal_accessor", None)
    if accessor is None:
        return
    for name in _ONE_PATH + _TWO_PATHS + ("open",):
        if hasattr(accessor, name) and hasattr(os, name):
            try:
                setattr(accessor, name, getattr(os, name))
            except (AttributeError, TypeError):
                pass
