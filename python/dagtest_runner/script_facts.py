"""Static facts about one script, from its syntax tree alone (``ScriptFacts`` in
``src/model/script-facts.ts``).

The script is never imported or executed: real pipeline scripts pip-install packages, call
boto3 and read the environment at import time (cursus-formats.md section 5.3), and describe
must be safe and fast on hundreds of them. The price is that only literal keys are seen:
``input_paths[name]`` with a computed ``name`` is invisible.
"""

import ast
import os
import warnings

from dagtest_runner.local_imports import LocalModules, resolve_import
from dagtest_runner.main_block import main_paths

# Names of main's parameters by position, per the testability convention (section 5.1); used
# for positions main does not have (or when there is no main).
DEFAULT_PARAM_NAMES = ("input_paths", "output_paths", "environ_vars", "job_args")
_ROLES = ("inputKeys", "outputKeys", "envKeys")
_KEY_METHODS = frozenset(("get", "setdefault", "pop"))
_ATTR_FUNCS = frozenset(("getattr", "hasattr"))
# Gathered during the walk and interpreted afterwards, once every import alias is known.
_DEFERRED = (ast.Subscript, ast.Call, ast.Compare)


def describe_script(path, listings, modules=None):
    """Return the ScriptFacts dict for ``path``; a broken script is data, never an exception.

    ``modules`` (a ``LocalModules`` over the same ``listings``) is shared by the scripts of one
    request, so that a local module several of them import is parsed once.
    """
    try:
        with open(path, "rb") as handle:
            source = handle.read()
    except (FileNotFoundError, NotADirectoryError) as exc:
        return _broken(path, "not-found", exc.strerror or str(exc))
    except OSError as exc:  # a folder, no permission, an I/O error
        return _broken(path, "unreadable", exc.strerror or str(exc))
    try:
        with warnings.catch_warnings():
            # Invalid escape sequences and the like warn on stderr; they are not our business.
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        return _broken(path, "syntax", exc.msg or str(exc), exc.lineno, exc.offset)
    except (ValueError, RecursionError, MemoryError) as exc:
        # Null bytes and undecodable text (ValueError before 3.12), absurd nesting.
        return _broken(path, "syntax", "%s: %s" % (type(exc).__name__, exc))
    main = _find_main(tree)
    scanner = _Scanner(_param_names(main), os.path.dirname(os.path.abspath(path)), listings)
    scanner.scan(tree)
    facts = {"ok": True, "path": path, "main": _main_fact(main), "mainPaths": main_paths(tree)}
    facts.update(scanner.results())
    if modules is None:
        modules = LocalModules(listings)
    facts["localClosure"] = modules.closure(path, tree)
    return facts


def _broken(path, kind, message, line=None, column=None):
    error = {"kind": kind, "message": message, "line": line, "column": column}
    return {"ok": False, "path": path, "error": error}


def _find_main(tree):
    """The top-level ``def main`` that importing the module would leave bound to ``main``.

    Only direct module statements count, and the last binding wins: ``main = wrap(main)`` or
    ``from x import main`` after the def means the callable is not that def, so its
    signature cannot be trusted (reported as no main). ``async def main`` is not callable the
    way the runner calls it.
    """
    found = None
    for stmt in tree.body:
        if _binds_main(stmt):
            found = stmt if type(stmt) is ast.FunctionDef else None
    return found


def _binds_main(stmt):
    kind = type(stmt)
    if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        return stmt.name == "main"
    if kind is ast.Assign:
        return any(_target_binds_main(target) for target in stmt.targets)
    if kind is ast.AnnAssign:
        return stmt.value is not None and _target_binds_main(stmt.target)
    if kind is ast.AugAssign:
        return _target_binds_main(stmt.target)
    if kind is ast.Import:
        return any((alias.asname or alias.name.split(".")[0]) == "main" for alias in stmt.names)
    if kind is ast.ImportFrom:
        return any((alias.asname or alias.name) == "main" for alias in stmt.names)
    return False


def _target_binds_main(target):
    kind = type(target)
    if kind is ast.Name:
        return target.id == "main"
    if kind in (ast.Tuple, ast.List):
        return any(_target_binds_main(elt) for elt in target.elts)
    if kind is ast.Starred:
        return _target_binds_main(target.value)
    return False


def _positional_params(func):
    return [arg.arg for arg in func.args.posonlyargs + func.args.args]


def _main_fact(func):
    if func is None:
        return None
    return {"line": func.lineno, "params": _positional_params(func), "varArgs": func.args.vararg is not None}


def _param_names(func):
    """Names main gives its 4 conventional parameters; defaults fill the positions it lacks."""
    names = list(DEFAULT_PARAM_NAMES)
    if func is not None:
        for index, name in enumerate(_positional_params(func)[: len(names)]):
            names[index] = name
    return names


def _str_const(node):
    if type(node) is ast.Constant and type(node.value) is str:
        return node.value
    return None


class _Scanner:
    """One walk over the tree collecting key reads, job_args attributes and imports.

    Reads are matched by variable NAME anywhere in the module (not by scope): scripts pass
    ``input_paths`` on to helpers under the same name, and read the environment at module level.
    """

    def __init__(self, param_names, script_dir, listings):
        self._roles = {}
        for role, name in zip(_ROLES, param_names):
            self._roles.setdefault(name, role)
        self._job_args = param_names[3]
        self._script_dir = script_dir
        self._listings = listings
        self._os_names = {"os"}  # also without `import os`: the module may get it another way
        self._environ_names = set()
        self._getenv_names = set()
        self._keys = {"inputKeys": {}, "outputKeys": {}, "envKeys": {}, "jobArgAttrs": {}}
        # `d.get("a", d.get("b"))`: "b" is only a fallback name for "a" (id of the inner call → "a").
        self._fallback_calls = {}
        self._fallbacks = {role: {} for role in self._keys}
        self._direct = {role: set() for role in self._keys}
        self._imports = []
        self._toplevel = set()

    def scan(self, tree):
        # Statements directly at module level run whenever the module is imported; an import
        # inside a function, or under if/try/with, may never run (a lazy `import boto3`).
        self._toplevel = {id(statement) for statement in tree.body}
        deferred = []
        for node in ast.walk(tree):
            kind = type(node)
            if kind in _DEFERRED:
                deferred.append(node)
            elif kind is ast.Attribute:
                value = node.value
                if type(value) is ast.Name and value.id == self._job_args and type(node.ctx) is ast.Load:
                    self._record("jobArgAttrs", node.attr, node.lineno)
            elif kind is ast.Import:
                self._on_import(node)
            elif kind is ast.ImportFrom:
                self._on_import_from(node)
        for node in deferred:
            kind = type(node)
            if kind is ast.Subscript:
                self._on_subscript(node)
            elif kind is ast.Call:
                self._on_call(node)
            else:
                self._on_compare(node)

    def results(self):
        out = {}
        for role, keys in self._keys.items():
            out[role] = [self._read(role, key, keys[key]) for key in sorted(keys)]
        # Stable sort: several names of one `import a, b` keep their written order.
        self._imports.sort(key=lambda item: item[0])
        out["imports"] = [fact for _, fact in self._imports]
        return out

    def _read(self, role, key, line):
        read = {"key": key, "line": line}
        primary = self._fallbacks[role].get(key)
        if primary is not None and key not in self._direct[role]:
            read["fallbackFor"] = primary
        return read

    def _record(self, role, key, line, fallback_for=None):
        if key is None or role is None:
            return
        if fallback_for is None:
            self._direct[role].add(key)
        else:
            self._fallbacks[role].setdefault(key, fallback_for)
        keys = self._keys[role]
        if key not in keys or line < keys[key]:
            keys[key] = line

    def _add_import(self, node, module, level):
        local = resolve_import(self._listings, self._script_dir, module, level)
        written = "." * level + (module or "")
        fact = {"module": written, "line": node.lineno, "localPath": local, "toplevel": id(node) in self._toplevel}
        self._imports.append(((node.lineno, node.col_offset), fact))

    def _on_import(self, node):
        for alias in node.names:
            if alias.name == "os" or alias.name.startswith("os."):
                # `import os.path` binds `os`; `import os.path as p` binds the submodule.
                if alias.asname is None or alias.name == "os":
                    self._os_names.add(alias.asname or "os")
            self._add_import(node, alias.name, 0)

    def _on_import_from(self, node):
        if node.module == "os" and node.level == 0:
            for alias in node.names:
                if alias.name == "environ":
                    self._environ_names.add(alias.asname or alias.name)
                elif alias.name == "getenv":
                    self._getenv_names.add(alias.asname or alias.name)
        self._add_import(node, node.module, node.level)

    def _mapping_role(self, expr):
        """Which key list a read on ``expr`` belongs to, or None when ``expr`` is not watched."""
        kind = type(expr)
        if kind is ast.Name:
            role = self._roles.get(expr.id)
            if role is None and expr.id in self._environ_names:
                role = "envKeys"
            return role
        if kind is ast.Attribute and expr.attr == "environ":
            value = expr.value
            if type(value) is ast.Name and value.id in self._os_names:
                return "envKeys"
        return None

    def _on_subscript(self, node):
        if type(node.ctx) is not ast.Load:
            return  # `output_paths["x"] = ...` writes a key, it does not read one
        key = _str_const(node.slice)
        if key is not None:
            self._record(self._mapping_role(node.value), key, node.slice.lineno)

    def _on_call(self, node):
        args = node.args
        if not args:
            return
        func = node.func
        kind = type(func)
        first = args[0]
        if kind is ast.Attribute:
            if func.attr in _KEY_METHODS:
                role = self._mapping_role(func.value)
                self._note_fallback(node, func, role)
            elif func.attr == "getenv" and type(func.value) is ast.Name and func.value.id in self._os_names:
                role = "envKeys"
            else:
                return
            self._record(role, _str_const(first), first.lineno, self._fallback_calls.get(id(node)))
        elif kind is ast.Name:
            if func.id in self._getenv_names:
                self._record("envKeys", _str_const(first), first.lineno)
            elif func.id in _ATTR_FUNCS and len(args) >= 2:
                if type(first) is ast.Name and first.id == self._job_args:
                    self._record("jobArgAttrs", _str_const(args[1]), args[1].lineno)

    def _note_fallback(self, node, func, role):
        """Mark ``d.get("b")`` used as the default of ``d.get("a", ...)`` on the same mapping."""
        if func.attr != "get" or role is None or len(node.args) < 2:
            return
        inner = node.args[1]
        if type(inner) is not ast.Call or type(inner.func) is not ast.Attribute or inner.func.attr != "get":
            return
        if self._mapping_role(inner.func.value) == role and _str_const(node.args[0]) is not None:
            self._fallback_calls[id(inner)] = _str_const(node.args[0])

    def _on_compare(self, node):
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            if type(op) in (ast.In, ast.NotIn):
                key = _str_const(left)
                if key is not None:
                    self._record(self._mapping_role(right), key, left.lineno)
            left = right
