"""Find which imports of a script resolve to files next to it.

``run`` mode puts the script's folder first on ``sys.path``, so ``import processing.utils``
loads ``<scriptdir>/processing/utils.py`` when it exists, whatever is installed. Knowing those
files lets the planner tell local code from missing packages and lets the cache fingerprint a
script together with the code it imports.

Folders are listed once each (``DirListings``) instead of stat-ing every candidate, because one
describe request may cover hundreds of scripts that share folders and imports.
"""

import os

_FILE = "f"
_DIR = "d"


class DirListings:
    """Cache of folder listings: name -> 'f' (file) or 'd' (folder), symlinks followed."""

    def __init__(self):
        self._listings = {}

    def entries(self, folder):
        listing = self._listings.get(folder)
        if listing is None:
            listing = {}
            try:
                with os.scandir(folder) as it:
                    for entry in it:
                        try:
                            if entry.is_dir():
                                listing[entry.name] = _DIR
                            elif entry.is_file():
                                listing[entry.name] = _FILE
                        except OSError:
                            continue  # dangling symlink or a race: not importable anyway
            except OSError:
                pass  # unreadable or missing folder: nothing resolves there
            self._listings[folder] = listing
        return listing


def resolve_import(listings, script_dir, module, level):
    """Return the local file ``module`` resolves to, or None when it is not local.

    ``module`` is the dotted name as written (None for ``from . import x``); ``level`` is the
    number of leading dots (0 for an absolute import). The deepest existing file along the
    dotted path is returned: ``processing.utils`` gives ``processing/utils.py`` when it exists,
    else ``processing/__init__.py``. A namespace package (a folder without ``__init__.py``)
    with no file below it on the path gives the folder itself, so that it is still seen as
    local rather than as a missing third-party package.
    """
    base = script_dir
    # A relative import of level n is resolved against the script's folder and n-1 parents,
    # as if that folder were the package (it only works when it really is one, but the
    # files are local either way).
    for _ in range(max(level - 1, 0)):
        base = os.path.dirname(base)
    parts = module.split(".") if module else []
    if not parts:
        if level and listings.entries(base).get("__init__.py") == _FILE:
            return os.path.join(base, "__init__.py")
        return None
    return _walk(listings, base, parts)


def _walk(listings, base, parts):
    """Follow ``parts`` from ``base`` in the order Python's path finder does."""
    found = None
    namespace_dir = None
    current = base
    for part in parts:
        entries = listings.entries(current)
        kind = entries.get(part)
        if kind == _DIR:
            package = os.path.join(current, part)
            # A regular package beats a same-named module file; a namespace folder loses to it.
            if listings.entries(package).get("__init__.py") == _FILE:
                found = os.path.join(package, "__init__.py")
                current = package
                continue
        if entries.get(part + ".py") == _FILE:
            return os.path.join(current, part + ".py")
        if kind == _DIR:
            current = os.path.join(current, part)
            if found is None:
                namespace_dir = current
            continue
        break
    if found is not None:
        return found
    return namespace_dir
