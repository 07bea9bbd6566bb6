"""Moving a node's folders between the laptop and a worker as tar bytes (no shared disk needed).

A job names absolute paths on the laptop. Each *root* (the node's run folder, the script's folder,
any input folder outside both) is packed, shipped, unpacked under a temp folder on the worker, and
every path in the job is rewritten from the laptop's root to the worker's, and back for the outcome.
"""
import hashlib
import io
import os
import shutil
import tarfile

# What of a node's run folder goes to the worker: everything but the logs (written locally).
SKIP_TOP = {"logs"}
# Never part of a script's code: dagtest's own state (run folders, cache), caches, VCS, envs.
NOT_CODE = {".dagtest", "__pycache__", ".git", ".venv", "node_modules", ".ipynb_checkpoints"}


def pack(folder, skip_top=(), skip_any=()):
    """The folder as uncompressed tar bytes (symlinks kept as links), paths relative to it."""
    buffer = io.BytesIO()

    def keep(info):
        return None if os.path.basename(info.name) in skip_any else info

    with tarfile.open(fileobj=buffer, mode="w") as tar:
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                if name in skip_top or name in skip_any:
                    continue
                tar.add(os.path.join(folder, name), arcname=name, filter=keep)
        elif os.path.isfile(folder):
            tar.add(folder, arcname=os.path.basename(folder))
    return buffer.getvalue()


def unpack(data, folder, replace=False):
    """Extract under `folder`; with `replace`, each top-level entry replaces what was there (so a
    file the script deleted on the worker is gone here too)."""
    os.makedirs(folder, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r") as tar:
        if replace:
            for top in sorted({m.name.split("/")[0] for m in tar.getmembers()}):
                target = os.path.join(folder, top)
                if os.path.isdir(target) and not os.path.islink(target):
                    shutil.rmtree(target)
                elif os.path.lexists(target):
                    os.remove(target)
        for member in tar.getmembers():
            target = os.path.realpath(os.path.join(folder, member.name))
            if not (target + os.sep).startswith(os.path.realpath(folder) + os.sep) and target != os.path.realpath(folder):
                raise ValueError("refusing to unpack outside %s: %s" % (folder, member.name))
        tar.extractall(folder)


def tree_digest(folder):
    """sha256 over every file's relative path and content: did anything under `folder` change?"""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            digest.update(os.path.relpath(full, folder).encode("utf-8", "surrogateescape") + b"\0")
            try:
                with open(full, "rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
            except OSError:
                digest.update(b"<unreadable>")
        for name in sorted(dirs):
            digest.update(os.path.relpath(os.path.join(root, name), folder).encode("utf-8", "surrogateescape") + b"/")
    return digest.hexdigest()


def signature(folder):
    """A cheap identity of a folder's current content (paths, sizes, mtimes): the code cache key."""
    parts = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in NOT_CODE)
        for name in sorted(files):
            try:
                st = os.stat(os.path.join(root, name))
            except OSError:
                continue
            parts.append("%s:%d:%d" % (os.path.relpath(os.path.join(root, name), folder), st.st_size, st.st_mtime_ns))
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def remap(value, mapping):
    """Every string in `value` (dicts, lists nested) with a mapped prefix rewritten."""
    if isinstance(value, str):
        return remap_path(value, mapping)
    if isinstance(value, dict):
        return {key: remap(item, mapping) for key, item in value.items()}
    if isinstance(value, list):
        return [remap(item, mapping) for item in value]
    return value


def remap_path(text, mapping):
    for source in sorted(mapping, key=len, reverse=True):
        if text == source or text.startswith(source.rstrip("/") + "/"):
            return mapping[source] + text[len(source):]
    return text


def remap_text(text, mapping):
    """Plain substring replacement, longest root first: for outcome JSON (tracebacks, events)."""
    for source in sorted(mapping, key=len, reverse=True):
        text = text.replace(source, mapping[source])
    return text
