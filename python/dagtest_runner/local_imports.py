"""Find which imports of a script resolve to files next to it, and which files those import in turn.

``run`` mode puts the script's folder first on ``sys.path``, so ``import processing.utils``
loads ``<scriptdir>/processing/utils.py`` when it exists, whatever is installed. Knowing those
files lets the planner tell local code from missing packages and lets the cache fingerprint a
script together with the code it imports: ``LocalModules`` follows local imports through the
local files themselves (``model_utils.py`` importing ``feature_utils.py``), parsing each with
``ast`` and never running it.

Folders are listed once each (``DirListings``) instead of stat-ing every candidate, because one
describe request may cover hundreds of scripts that share folders and imports.
"""

import ast
import os
import warnings

_FILE = "f"
_DIR = "d"


class DirListings:
    """Cache of folder listings: name -> 'f' (file) or 'd' (folder), symlinks followed."""

    def __init__(self):
        self._listings = {}

    def folders(self):
        """Every folder listed so far (existing or not): the ones that decided what is local."""
        return sorted(self._listings)

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


# --- the closure: local modules imported by local modules --------------------------------------

#: At most this many files in one script's closure: a bound for pathological trees, far above
#: what real pipelines import from their own folders.
MAX_CLOSURE_FILES = 500

_IMPORT_MODULE_FUNCS = frozenset(("import_module", "__import__"))


def import_statements(tree):
    """``(module, level, names)`` for every import in ``tree``, wherever it sits.

    ``import a.b`` gives ``("a.b", 0, ())``; ``from .m import x, y`` gives ``("m", 1, ("x",
    "y"))``; ``from . import x`` gives ``(None, 1, ("x",))``. Imports inside functions and under
    if/try count too (they may run), and so do ``importlib.import_module("a.b")`` and
    ``__import__("a.b")`` with a literal absolute name.
    """
    out = []
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Import:
            for alias in node.names:
                out.append((alias.name, 0, ()))
        elif kind is ast.ImportFrom:
            out.append((node.module, node.level, tuple(alias.name for alias in node.names)))
        elif kind is ast.Call and node.args:
            func = node.func
            name = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None
            first = node.args[0]
            if name in _IMPORT_MODULE_FUNCS and type(first) is ast.Constant and type(first.value) is str:
                if first.value and not first.value.startswith("."):
                    out.append((first.value, 0, ()))
    return tuple(out)


def parse_file(path):
    """The syntax tree of the Python file at ``path``, or None when it cannot be read or parsed."""
    try:
        with open(path, "rb") as handle:
            source = handle.read()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: not our business
            return ast.parse(source, filename=path)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def import_files(listings, source_dir, importer_dir, module, level, names):
    """Every local file one import statement runs, in order; ``[]`` when nothing is local.

    Absolute imports resolve against ``source_dir`` (the script's folder, first on ``sys.path``);
    relative ones against ``importer_dir`` (the importing file's folder, its package) and
    ``level - 1`` parents. ``import a.b.c`` runs ``a/__init__.py``, ``a/b/__init__.py`` and
    ``a/b/c.py``; namespace folders (no ``__init__.py``) run nothing themselves. For ``from pkg
    import x``, ``x`` is a submodule when ``pkg/x.py`` or ``pkg/x/__init__.py`` exists.
    """
    if level:
        base = importer_dir
        for _ in range(level - 1):
            base = os.path.dirname(base)
    else:
        base = source_dir
    files = []
    current = base
    if not module:
        # `from . import x`: the package itself (only when it is a regular one).
        if listings.entries(base).get("__init__.py") == _FILE:
            files.append(os.path.join(base, "__init__.py"))
    else:
        for part in module.split("."):
            entries = listings.entries(current)
            kind = entries.get(part)
            if kind == _DIR:
                package = os.path.join(current, part)
                if listings.entries(package).get("__init__.py") == _FILE:
                    files.append(os.path.join(package, "__init__.py"))
                    current = package
                    continue
            if entries.get(part + ".py") == _FILE:
                # A plain module: the names imported from it are attributes, not submodules.
                files.append(os.path.join(current, part + ".py"))
                return files
            if kind != _DIR:
                return files  # not local from here on
            current = os.path.join(current, part)  # a namespace package
    for name in names:
        if name == "*":
            continue
        entries = listings.entries(current)
        if entries.get(name) == _DIR:
            package = os.path.join(current, name)
            if listings.entries(package).get("__init__.py") == _FILE:
                files.append(os.path.join(package, "__init__.py"))
                continue
        if entries.get(name + ".py") == _FILE:
            files.append(os.path.join(current, name + ".py"))
    return files


class LocalModules:
    """The local files a script imports, directly or through other local files, for one request.

    Each file is parsed at most once and the imports of a (file, script folder) pair are resolved
    at most once, however many scripts share them; nothing is ever executed.
    """

    def __init__(self, listings, limit=MAX_CLOSURE_FILES):
        self._listings = listings
        self._limit = limit
        self._statements = {}  # file -> import statements, or None when it does not parse
        self._edges = {}  # (file, source dir) -> local files its imports run

    def closure(self, script_path, tree):
        """Sorted absolute paths of every local file ``script_path`` imports, transitively.

        The script itself is left out. A file that does not parse is listed (its content still
        matters) but not followed. At most ``limit`` files are listed.
        """
        script = os.path.abspath(script_path)
        source_dir = os.path.dirname(script)
        self._statements.setdefault(script, import_statements(tree))
        seen = {script}
        found = []
        pending = [script]
        while pending:
            for target in self._edges_of(pending.pop(), source_dir):
                if target in seen:
                    continue
                seen.add(target)
                found.append(target)
                if len(found) >= self._limit:
                    return sorted(found)
                if self._statements_of(target) is not None:
                    pending.append(target)
        return sorted(found)

    def _statements_of(self, path):
        if path not in self._statements:
            tree = parse_file(path)
            self._statements[path] = None if tree is None else import_statements(tree)
        return self._statements[path]

    def _edges_of(self, path, source_dir):
        key = (path, source_dir)
        edges = self._edges.get(key)
        if edges is None:
            importer_dir = os.path.dirname(path)
            out = []
            for module, level, names in self._statements_of(path) or ():
                out.extend(import_files(self._listings, source_dir, importer_dir, module, level, names))
            edges = self._edges[key] = tuple(dict.fromkeys(out))
        return edges
