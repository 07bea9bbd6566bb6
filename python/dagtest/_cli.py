"""The ``dagtest`` command installed by the wheel: the bundled engine's CLI on the found Node.js."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import List, Optional

from ._locate import find_engine, find_node
from .errors import EngineError


def main(argv: Optional[List[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        command = [find_node().path, find_engine(), *args]
    except EngineError as error:
        sys.stderr.write(f"dagtest: {error}\n")
        return 70
    if os.name == "posix" and argv is None:
        os.execv(command[0], command)  # the engine handles Ctrl-C and exit codes itself
    return subprocess.call(command)


if __name__ == "__main__":  # python -m dagtest._cli
    sys.exit(main())
