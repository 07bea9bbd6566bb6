"""Turning the factory's Python arguments into the engine's: absolute paths, an in-memory DAG
written to a file, the seeds' keyword arguments as a configuration."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, List, Mapping, Optional, Sequence, Union

from .protocol import ScriptConfiguration

PathLike = Union[str, "os.PathLike[str]"]
Scalar = Union[str, int, float, bool]

#: Where an in-memory DAG is written, next to dagtest.yaml, so ``dagtest run`` can read it too.
INLINE_DAG_FILE = "dagtest.dag.json"


def absolute(path: PathLike) -> str:
    return os.path.abspath(os.fspath(path))


def as_list(value: Union[PathLike, Sequence[PathLike]]) -> List[PathLike]:
    if isinstance(value, (str, os.PathLike)):
        return [value]
    return list(value)


def project_of(project: Optional[PathLike]) -> "tuple[str, Optional[str]]":
    """A folder, or a dagtest.yaml file (its folder is the project)."""
    if project is None:
        return os.getcwd(), None
    path = Path(absolute(project))
    if path.suffix in (".yaml", ".yml") or path.is_file():
        return str(path.parent), path.name
    return str(path), None


def dag_file(dag: Any, project_dir: str) -> str:
    if isinstance(dag, (str, os.PathLike)):
        return absolute(dag)
    if isinstance(dag, Mapping):
        nodes, edges = dag.get("nodes"), dag.get("edges", [])
    elif hasattr(dag, "nodes") and hasattr(dag, "edges"):
        nodes, edges = dag.nodes, dag.edges
    else:
        raise TypeError(
            "dag must be a file path, a {'nodes': [...], 'edges': [[a, b], ...]} dict, "
            f"or an object with `nodes` and `edges` (a cursus PipelineDAG); got {type(dag).__name__}."
        )
    document = {"nodes": [str(n) for n in nodes or []], "edges": [[str(a), str(b)] for a, b in edges or []]}
    os.makedirs(project_dir, exist_ok=True)
    target = os.path.join(project_dir, INLINE_DAG_FILE)
    tmp = target + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    os.replace(tmp, target)
    return target


def _path(value: Any) -> Any:
    """Paths relative to your cwd become absolute (dagtest.yaml stores them relative to itself)."""
    return absolute(value) if isinstance(value, (str, os.PathLike)) and os.fspath(value) else value


def configuration(
    inputs: Optional[Mapping[str, PathLike]],
    outputs: Optional[Mapping[str, PathLike]],
    env: Optional[Mapping[str, Scalar]],
    args: Optional[Mapping[str, Scalar]],
) -> ScriptConfiguration:
    config: ScriptConfiguration = {}
    if inputs:
        config["inputs"] = {k: _path(v) for k, v in inputs.items()}
    if outputs:
        config["outputs"] = {k: _path(v) for k, v in outputs.items()}
    if env:
        config["env"] = dict(env)
    if args:
        config["jobArgs"] = dict(args)
    return config
