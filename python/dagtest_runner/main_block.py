"""What a script's own ``if __name__ == "__main__":`` block passes to ``main``, read statically.

Real scripts were written for a container: their ``__main__`` builds ``input_paths`` and
``output_paths`` from container paths, and that is the shape ``main`` expects. Sometimes it
differs from the interface: the interface names a file (``/opt/ml/code/hyperparams/
hyperparameters.json``) where ``__main__`` passes its folder and ``main`` appends a file name; or
``__main__`` passes a file inside an output folder (``os.path.join(OUT, "result.json")``). The
planner binds each port the way ``__main__`` does, so this reads the dict literals (and later
``d["k"] = ...`` assignments) of the variables passed to ``main``, with string constants,
constant dicts of the module, ``os.path.join``, ``+`` and f-strings of constants resolved.
Nothing is imported or run; what cannot be resolved is left out.
"""

import ast
import posixpath

_MAX_STATEMENTS = 5000


def main_paths(tree):
    """``{"line", "inputs": {key: path}, "outputs": {key: path}}`` or None when not found."""
    block = _main_block(tree)
    if block is None:
        return None
    env = _Constants()
    for stmt in tree.body:
        if stmt is not block:
            env.learn(stmt)
    call = None
    for stmt in _flatten(block.body):
        env.learn(stmt)
        found = _main_call(stmt)
        if found is not None:
            call = found
            break
    if call is None:
        return None
    given = _arguments(call)
    inputs, outputs = env.mapping(given.get("input_paths")), env.mapping(given.get("output_paths"))
    conversions = _environ_conversions(block.body, given.get("environ_vars"))
    if not inputs and not outputs and not conversions:
        return None
    return {"line": call.lineno, "inputs": inputs, "outputs": outputs, "environ": conversions}


def _arguments(call):
    """main's first two arguments, by position or by the convention's keyword names."""
    given = dict(zip(("input_paths", "output_paths", "environ_vars"), call.args))
    for keyword in call.keywords:
        if keyword.arg in ("input_paths", "output_paths", "environ_vars"):
            given[keyword.arg] = keyword.value
    return given


def _main_block(tree):
    for stmt in tree.body:
        if type(stmt) is ast.If and _is_main_test(stmt.test):
            return stmt
    return None


def _is_main_test(test):
    if type(test) is not ast.Compare or len(test.ops) != 1 or type(test.ops[0]) is not ast.Eq:
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if type(s) is ast.Name and s.id == "__name__"]
    consts = [s for s in sides if type(s) is ast.Constant and s.value == "__main__"]
    return len(names) == 1 and len(consts) == 1


def _flatten(body):
    """Statements in source order, into try/with/if bodies (never into defs or classes)."""
    out = []
    stack = list(reversed(body))
    while stack and len(out) < _MAX_STATEMENTS:
        stmt = stack.pop()
        out.append(stmt)
        kind = type(stmt)
        nested = []
        if kind in (ast.Try, getattr(ast, "TryStar", ast.Try)):
            nested = stmt.body + stmt.orelse + stmt.finalbody
        elif kind in (ast.With, ast.If):
            nested = stmt.body + (stmt.orelse if kind is ast.If else [])
        stack.extend(reversed(nested))
    return out


def _main_call(stmt):
    value = None
    if type(stmt) is ast.Expr:
        value = stmt.value
    elif type(stmt) in (ast.Assign, ast.AnnAssign) and stmt.value is not None:
        value = stmt.value
    if type(value) is ast.Call and type(value.func) is ast.Name and value.func.id == "main":
        return value
    return None


class _Constants:
    """Names bound to resolvable strings or dicts of strings, as the statements go."""

    def __init__(self):
        self.values = {}

    def learn(self, stmt):
        kind = type(stmt)
        if kind is ast.Assign and len(stmt.targets) == 1:
            self._bind(stmt.targets[0], stmt.value)
        elif kind is ast.AnnAssign and stmt.value is not None:
            self._bind(stmt.target, stmt.value)

    def _bind(self, target, value):
        if type(target) is ast.Name:
            resolved = self.resolve(value)
            if resolved is None:
                self.values.pop(target.id, None)
            else:
                self.values[target.id] = resolved
        elif type(target) is ast.Subscript and type(target.value) is ast.Name:
            held = self.values.get(target.value.id)
            key = self.resolve(target.slice)
            item = self.resolve(value)
            if type(held) is dict and type(key) is str and type(item) is str:
                held[key] = item

    def mapping(self, node):
        value = self.resolve(node) if node is not None else None
        if type(value) is not dict:
            return {}
        return {k: v for k, v in value.items() if type(k) is str and type(v) is str}

    def resolve(self, node):
        kind = type(node)
        if kind is ast.Constant:
            return node.value if type(node.value) is str else None
        if kind is ast.Name:
            held = self.values.get(node.id)
            return dict(held) if type(held) is dict else held
        if kind is ast.Dict:
            return self._dict(node)
        if kind is ast.Subscript:
            held = self.resolve(node.value)
            key = self.resolve(node.slice)
            return held.get(key) if type(held) is dict and type(key) is str else None
        if kind is ast.BinOp and type(node.op) is ast.Add:
            left, right = self.resolve(node.left), self.resolve(node.right)
            return left + right if type(left) is str and type(right) is str else None
        if kind is ast.JoinedStr:
            return self._fstring(node)
        if kind is ast.Call:
            return self._join(node)
        return None

    def _dict(self, node):
        out = {}
        for key, value in zip(node.keys, node.values):
            k, v = self.resolve(key) if key is not None else None, self.resolve(value)
            if type(k) is str and type(v) is str:
                out[k] = v
        return out

    def _fstring(self, node):
        parts = []
        for part in node.values:
            text = self.resolve(part.value) if type(part) is ast.FormattedValue else self.resolve(part)
            if type(text) is not str:
                return None
            parts.append(text)
        return "".join(parts)

    def _join(self, node):
        func = node.func
        dotted = []
        while type(func) is ast.Attribute:
            dotted.append(func.attr)
            func = func.value
        if type(func) is ast.Name:
            dotted.append(func.id)
        if list(reversed(dotted)) not in (["os", "path", "join"], ["posixpath", "join"]) or node.keywords:
            return None
        parts = [self.resolve(arg) for arg in node.args]
        if not parts or any(type(p) is not str for p in parts):
            return None
        return posixpath.join(*parts)


def _environ_conversions(body, passed):
    """How ``__main__`` turns env strings into the values ``main`` gets, per environ_vars key.

    ``"K": os.environ.get("K", "false").lower() == "true"`` gives main a bool, and ``int(...)``
    or ``float(...)`` a number; passing the raw string instead would make ``"false"`` truthy.
    Returns ``{key: {"env": NAME, "default": str|None, "type": "bool"|"int"|"float",
    "equals": str}}`` for the keys whose value is such a conversion of one env var.
    """
    if type(passed) is not ast.Name:
        return {}
    out = {}
    for stmt in _flatten(body):
        if type(stmt) is not ast.Assign or len(stmt.targets) != 1:
            continue
        target = stmt.targets[0]
        if type(target) is ast.Name and target.id == passed.id and type(stmt.value) is ast.Dict:
            out = {}
            for key, value in zip(stmt.value.keys, stmt.value.values):
                _add_conversion(out, key, value)
        elif type(target) is ast.Subscript and type(target.value) is ast.Name and target.value.id == passed.id:
            _add_conversion(out, target.slice, stmt.value)
    return out


def _add_conversion(out, key, value):
    name = key.value if type(key) is ast.Constant and type(key.value) is str else None
    found = _conversion(value) if name is not None else None
    if found is not None:
        out[name] = found


def _conversion(expr):
    if type(expr) is ast.Compare and len(expr.ops) == 1 and type(expr.ops[0]) is ast.Eq:
        left, right = expr.left, expr.comparators[0]
        lowered = type(left) is ast.Call and type(left.func) is ast.Attribute and left.func.attr == "lower"
        if lowered and not left.args and type(right) is ast.Constant and type(right.value) is str:
            read = _env_read(left.func.value)
            if read is not None:
                return dict(read, type="bool", equals=right.value)
    if type(expr) is ast.Call and type(expr.func) is ast.Name and expr.func.id in ("int", "float"):
        if len(expr.args) == 1 and not expr.keywords:
            read = _env_read(expr.args[0])
            if read is not None:
                return dict(read, type=expr.func.id, equals=None)
    return None


def _env_read(expr):
    """``os.environ.get("K", "d")`` / ``os.getenv("K", "d")`` / ``os.environ["K"]`` → env name, default."""
    if type(expr) is ast.Subscript and _is_environ(expr.value):
        key = expr.slice
        if type(key) is ast.Constant and type(key.value) is str:
            return {"env": key.value, "default": None}
        return None
    if type(expr) is not ast.Call or type(expr.func) is not ast.Attribute or not expr.args:
        return None
    func = expr.func
    getter = (func.attr == "get" and _is_environ(func.value)) or (
        func.attr == "getenv" and type(func.value) is ast.Name and func.value.id == "os"
    )
    key = expr.args[0]
    if not getter or type(key) is not ast.Constant or type(key.value) is not str:
        return None
    default = expr.args[1] if len(expr.args) > 1 else None
    text = default.value if type(default) is ast.Constant and type(default.value) is str else None
    return {"env": key.value, "default": text}


def _is_environ(expr):
    return (
        type(expr) is ast.Attribute
        and expr.attr == "environ"
        and type(expr.value) is ast.Name
        and expr.value.id == "os"
    )
